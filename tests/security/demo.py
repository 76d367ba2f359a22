"""Named objects of the demo data the security tests use (see conftest.py)."""

from __future__ import annotations

from functools import cached_property

from django.test import Client

from beware.accounts.models import User
from membership.models import Member, MemberRole
from tests.factories import member_user

DEMO_PASSWORD = "Beware-demo-2026!"


class Demo:
    """Member A is Gemeente Woerden, member B is MijnGemeenteDichtbij; Eindhoven
    is a third member (it holds B's proxy for the ALV)."""

    @cached_property
    def a(self) -> Member:
        return Member.objects.get(code="woerden")

    @cached_property
    def b(self) -> Member:
        return Member.objects.get(code="mijngemeentedichtbij")

    @cached_property
    def eindhoven(self) -> Member:
        return Member.objects.get(code="eindhoven")

    @cached_property
    def applicant(self) -> Member:
        """Helmond: an aanvraag, not in the public register (decision 0008)."""
        return Member.objects.get(code="helmond")

    @staticmethod
    def user(email: str) -> User:
        return User.objects.get(email=email)

    @cached_property
    def a_user(self) -> User:
        """A user of member A with every member role and nothing else: no staff
        group and coordinator of no community (unlike the demo's own users), so
        what it is refused is refused because the object is not A's."""
        return member_user(self.a, *MemberRole.Role.values, email="alle-rollen@woerden.test")

    @cached_property
    def b_user(self) -> User:
        return member_user(self.b, *MemberRole.Role.values, email="alle-rollen@mgd.test")

    @staticmethod
    def client(user: User | None = None, **kwargs) -> Client:
        client = Client(**kwargs)
        if user is not None:
            client.force_login(user)
        return client

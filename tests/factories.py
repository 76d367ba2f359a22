"""factory_boy factories with Dutch fake data; traits for the usual roles."""

from datetime import date

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from beware.accounts.models import User
from beware.accounts.services import api_token_create
from beware.common.audit import Actor
from membership import admission, services
from membership.models import Gemeente, Inwonertal, Member, Representation

factory.Faker._DEFAULT_LOCALE = "nl_NL"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"gebruiker{n}@test.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("Test-wachtwoord-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            self.groups.add(Group.objects.get(name=role))


class GemeenteFactory(DjangoModelFactory):
    class Meta:
        model = Gemeente
        django_get_or_create = ("code",)

    # GM9000–GM9999: six characters however many a session makes (codes are max 6).
    code = factory.Sequence(lambda n: f"GM{9000 + n % 1000:04d}")
    naam = factory.Faker("city")


class InwonertalFactory(DjangoModelFactory):
    class Meta:
        model = Inwonertal

    gemeente = factory.SubFactory(GemeenteFactory)
    jaar = 2027
    aantal = 50_000


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member

    code = factory.Sequence(lambda n: f"lid-{n}")
    naam = factory.LazyAttribute(lambda o: f"Gemeente {o.code}")
    soort = Member.Kind.GEMEENTE
    status = admission.ACTIEF
    ingangsdatum = date(2020, 1, 1)


class RepresentationFactory(DjangoModelFactory):
    class Meta:
        model = Representation

    member = factory.SubFactory(MemberFactory)
    gemeente = factory.SubFactory(GemeenteFactory)
    geldig_van = date(2017, 1, 1)


def member_user(member: Member, *roles: str, **kwargs) -> User:
    """A user with roles within a member, granted through the real service."""
    user = UserFactory(**kwargs)
    for role in roles:
        services.member_role_grant(user, member, role, by=Actor.system())
    return user


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = "communities.Community"

    slug = factory.Sequence(lambda n: f"community-{n}")
    naam = factory.Sequence(lambda n: f"Community {n}")
    samenvatting = "Samen software bouwen."
    domein = "dienstverlening"
    status = "ontwikkeling"
    trekker = factory.SubFactory(MemberFactory)


def member_with_inwoners(code: str, inwoners: int, *, jaar: int = 2024, **kwargs) -> Member:
    """An active member representing one gemeente with an inwonertal for `jaar`."""
    member = MemberFactory(code=code, naam=f"Gemeente {code.title()}", **kwargs)
    gemeente = GemeenteFactory(naam=code.title())
    RepresentationFactory(member=member, gemeente=gemeente)
    InwonertalFactory(gemeente=gemeente, jaar=jaar, aantal=inwoners)
    return member


def api_key(user: User, naam: str = "Test") -> str:
    """A real API key for `user`, made through the service as the user would
    (the model keeps only its hash); send it as `Authorization: Token <key>`."""
    return api_token_create(by=Actor(user=user), user=user, naam=naam)[1]

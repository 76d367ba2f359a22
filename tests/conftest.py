import os

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from beware.accounts.roles import StaffRole
from membership.models import MemberRole

from .factories import GemeenteFactory, MemberFactory, RepresentationFactory, UserFactory, member_user


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters (API, login) live in the cache and user ids repeat
    after each test's rollback: every test starts with an empty cache."""
    from django.core.cache import cache

    cache.clear()
    yield


def with_totp(user):
    """Directie and RvC users must have MFA; most tests start from one that has."""
    TOTP.activate(user, generate_totp_secret())
    return user


@pytest.fixture
def directie(db):
    return with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))


@pytest.fixture
def manager(db):
    return with_totp(UserFactory(roles=[StaffRole.OPERATIONEEL_MANAGER]))


@pytest.fixture
def rvc(db):
    return with_totp(UserFactory(roles=[StaffRole.RVC]))


@pytest.fixture
def eindhoven(db):
    member = MemberFactory(code="eindhoven", naam="Gemeente Eindhoven")
    RepresentationFactory(member=member, gemeente=GemeenteFactory(code="GM0772", naam="Eindhoven"))
    return member


@pytest.fixture
def woerden(db):
    member = MemberFactory(code="woerden", naam="Gemeente Woerden")
    RepresentationFactory(member=member, gemeente=GemeenteFactory(code="GM0632", naam="Woerden"))
    return member


@pytest.fixture
def eindhoven_user(eindhoven):
    return member_user(eindhoven, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER)


def login(user) -> Client:
    """A test client logged in as `user` (MFA is enforced by middleware, not here)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI nothing may be skipped: a skip there is reported as a failure."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} werd overgeslagen in CI ({report.longrepr}); dat mag niet."

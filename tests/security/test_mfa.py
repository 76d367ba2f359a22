"""Issue 8.5: login rate limits and MFA for the staff roles.

Already covered in tests/accounts/test_login.py (not repeated here): directie
and RvC without TOTP are sent to the setup; a directie user with TOTP must give
a code; member users are not forced; 5 wrong passwords block the next login;
a superuser needs MFA too; a handful of pages stay closed without MFA.

Added here: every role in settings.MFA_REQUIRED_GROUPS (the secretaris and
operationeel manager too), against *every* route of the URL resolver; the
login asks every such role for the code; the code itself is rate limited; the
password limit holds per account across IP addresses; and the admin's own
login form cannot be used to skip the code.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import UserFactory
from tests.security.objects import DENIED
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db
PASSWORD = "Test-wachtwoord-2026"
SETUP = "/accounts/2fa/totp/activate/"

# docs/decisions/0007: without MFA "only the MFA setup (and its reauthentication),
# login, logout, /static/, /healthz and /i18n/ stay reachable".
REACHABLE_WITHOUT_MFA = {
    "mfa_activate_totp",
    "account_reauthenticate",
    "mfa_authenticate",
    "account_login",
    "account_logout",
    "healthz",
    "set_language",
}


def _code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def _login(client, email, password=PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


@pytest.mark.parametrize("group", settings.MFA_REQUIRED_GROUPS)
def test_without_totp_a_staff_role_reaches_no_route_but_the_setup(demo, group):
    user = UserFactory(roles=[group])
    client = demo.client(user)
    reached = []
    for route in all_routes():
        if route.key in REACHABLE_WITHOUT_MFA:
            continue
        kwargs = DENIED[route.key](demo).kwargs if route.key in DENIED else {}
        url = route.url(kwargs, default="1")
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not (response.status_code == 302 and response["Location"] == SETUP):
                reached.append(f"{route} {method.upper()} {url} → {response.status_code}")
    assert not reached, f"Rol {group} zonder TOTP bereikt:\n" + "\n".join(reached)


@pytest.mark.parametrize("group", settings.MFA_REQUIRED_GROUPS)
def test_with_totp_every_staff_role_is_asked_for_the_code(group):
    user = UserFactory(roles=[group])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    assert _login(client, user.email)["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.post("/accounts/2fa/authenticate/", {"code": _code(secret)}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_member_user_is_logged_in_without_a_code(demo):
    client = Client()
    response = _login(client, demo.a_user.email)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_guessing_the_totp_code_is_rate_limited():
    """allauth counts wrong codes under the login_failed limit (5 per 5 minutes per account)."""
    user = UserFactory(roles=["directie"])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    _login(client, user.email)
    right = _code(secret)
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert client.post("/accounts/2fa/authenticate/", {"code": wrong}).status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": right})
    assert "_auth_user_id" not in client.session, "na 5 foute codes werd de goede code nog geaccepteerd"
    assert response.status_code in (200, 429)


def test_the_password_limit_holds_per_account_across_ip_addresses(demo):
    """LOGIN_FAILED_RATE_LIMIT 5/5m/ip,5/5m/key: an attacker who changes address still hits the account's limit."""
    email = demo.a_user.email
    for n in range(5):
        _login(Client(), email, "fout-wachtwoord", REMOTE_ADDR=f"10.0.0.{n + 1}")
    client = Client()
    _login(client, email, REMOTE_ADDR="10.0.1.1")
    assert "_auth_user_id" not in client.session, "de juiste poging vanaf een nieuw adres kwam er nog door"


@pytest.mark.parametrize("kind", ["superuser", "directie with staff status"])
def test_the_admin_login_form_does_not_skip_the_totp_code(kind):
    """/beheer/login/ is Django's own form: password only, outside allauth's flow
    (no code, no login rate limit). Whoever has MFA must not get in with it."""
    if kind == "superuser":
        from beware.accounts.models import User

        user = User.objects.create_superuser(email="beheer@test.example", password=PASSWORD)
    else:
        user = UserFactory(roles=["directie"], is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.post("/beheer/login/", {"username": user.email, "password": PASSWORD, "next": "/beheer/"})
    assert "_auth_user_id" not in client.session, (
        f"{kind} met TOTP is via /beheer/login/ ingelogd met alleen het wachtwoord"
    )
    assert client.get("/leden/").status_code != 200


def test_the_groups_that_need_mfa_include_directie_and_rvc():
    """DOMAIN/ARCHITECTURE: MFA is required for the directie and the RvC; the
    list lives in settings and every name must be a real group."""
    assert {"directie", "rvc"} <= set(settings.MFA_REQUIRED_GROUPS)
    assert Group.objects.filter(name__in=settings.MFA_REQUIRED_GROUPS).count() == len(settings.MFA_REQUIRED_GROUPS)


def test_the_admin_login_form_is_rate_limited_like_the_portal_login():
    """The same account, five wrong passwords on /beheer/login/: the sixth, right one must not log in."""
    user = UserFactory(roles=["directie"], is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    for _ in range(5):
        Client().post("/beheer/login/", {"username": user.email, "password": "fout-wachtwoord"})
    client = Client()
    client.post("/beheer/login/", {"username": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session, "/beheer/login/ kent geen limiet op foute wachtwoorden"

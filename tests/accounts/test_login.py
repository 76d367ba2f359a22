import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.test import Client

from beware.accounts.roles import StaffRole
from tests.conftest import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Test-wachtwoord-2026"


def _login(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_a_member_user_logs_in_with_email_and_password(eindhoven_user):
    client = Client()
    response = _login(client, eindhoven_user.email)
    assert response.status_code == 302
    assert client.get("/leden/").status_code == 200


@pytest.mark.parametrize("role", [StaffRole.DIRECTIE, StaffRole.RVC])
def test_directie_and_rvc_without_mfa_must_set_it_up_first(role):
    user = UserFactory(roles=[role])
    client = Client()
    _login(client, user.email)
    response = client.get("/leden/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # Setting up MFA asks for the password once more (allauth's reauthentication).
    response = client.get("/accounts/2fa/totp/activate/")
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    assert "authenticator" in page.content.decode().lower()
    assert client.get("/leden/")["Location"] == "/accounts/2fa/totp/activate/"  # still nothing else


def test_a_directie_user_with_mfa_must_give_a_code_to_get_in():
    user = UserFactory(roles=[StaffRole.DIRECTIE])
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    response = _login(client, user.email)
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/leden/")["Location"].startswith("/accounts/login/")  # not logged in yet
    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/leden/")["Location"].startswith("/accounts/login/")
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302
    assert client.get("/leden/").status_code == 200


def test_member_users_do_not_need_mfa(eindhoven_user):
    assert login(eindhoven_user).get("/leden/").status_code == 200


def test_login_is_rate_limited_after_repeated_failures(eindhoven_user):
    client = Client()
    for _ in range(5):
        assert _login(client, eindhoven_user.email, "fout-wachtwoord").status_code == 200
    response = _login(client, eindhoven_user.email)  # even the right password is refused now
    assert client.get("/leden/").status_code == 302
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_there_is_no_open_sign_up(db):
    response = Client().post(
        "/accounts/signup/", {"email": "nieuw@example.org", "password1": "Abcdef-12345!", "password2": "Abcdef-12345!"}
    )
    assert "Registratie gesloten" in response.content.decode()
    from beware.accounts.models import User

    assert not User.objects.filter(email="nieuw@example.org").exists()


def test_a_password_reset_is_sent_by_email(eindhoven_user):
    response = Client().post("/accounts/password/reset/", {"email": eindhoven_user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_the_login_page_is_dutch():
    page = Client().get("/accounts/login/").content.decode()
    assert '<html lang="nl"' in page
    assert "Wachtwoord" in page


def test_a_superuser_needs_mfa_too():
    from beware.accounts.models import User

    admin = User.objects.create_superuser(email="beheer@test.example", password=PASSWORD)
    response = login(admin).get("/leden/")
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_without_mfa_a_directie_user_reaches_nothing_but_the_mfa_setup():
    user = UserFactory(roles=[StaffRole.DIRECTIE])
    client = login(user)
    for url in ["/accounts/password/change/", "/beheer/", "/toelating/", "/inwonertallen/importeren/"]:
        assert client.get(url)["Location"] == "/accounts/2fa/totp/activate/", url
    response = client.post("/inwonertallen/importeren/", {})
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_users_cannot_add_email_addresses(eindhoven_user):
    client = login(eindhoven_user)
    assert client.get("/accounts/email/").status_code == 404
    assert client.post("/accounts/email/", {"email": "mallory@evil.example", "action_add": ""}).status_code == 404


def test_the_demo_cannot_be_seeded_into_production(settings, monkeypatch):
    from django.core.management import CommandError, call_command

    from beware.accounts.models import User

    settings.DEBUG = False
    monkeypatch.delenv("BEWARE_ALLOW_DEMO", raising=False)
    with pytest.raises(CommandError, match="alleen in een ontwikkelomgeving"):
        call_command("seed_demo")
    assert not User.objects.filter(email="directeur@beware.demo").exists()

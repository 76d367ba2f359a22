"""API keys: made by their user on the page "API-sleutels" (shown once, only
the hash kept, revocable, nobody else's visible) or with `manage.py
api_token`; the API accepts an active key of an active user in DRF's
`Authorization: Token <key>` header, and counts a rate limit per key."""

import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from beware.accounts import services
from beware.accounts.models import ApiToken
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from tests.conftest import login, with_totp
from tests.factories import UserFactory, api_key

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-sleutels/"
API = "/api/v1/facturen/"
PROBLEM = "application/problem+json"
WRONG_KEY = "Het token of de inloggegevens zijn ongeldig of verlopen."


def api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def assert_refused(response) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == WRONG_KEY


def revoke_url(token: ApiToken) -> str:
    return f"{PAGE}{token.pk}/intrekken/"


def make_on_page(client: Client, naam: str):
    """Make a key through the page; returns the response and the key it shows."""
    response = client.post(PAGE, {"naam": naam})
    assert response.status_code == 200, response.content
    return response, response.context["sleutel"]


# --- the API accepts a key ---------------------------------------------------------------


class TestAuthentication:
    def test_a_key_made_on_the_page_opens_the_api_and_only_its_hash_is_stored(self, eindhoven_user):
        _, key = make_on_page(login(eindhoven_user), "Boekhouding")
        assert api(key).get(API).status_code == 200
        token = ApiToken.objects.get()
        assert (token.user, token.naam) == (eindhoven_user, "Boekhouding")
        assert token.sleutel_hash == hashlib.sha256(key.encode()).hexdigest()
        stored = [str(value) for value in ApiToken.objects.values().get().values()]
        assert not any(key in value for value in stored)
        assert len(key) >= 40  # 256 random bits

    def test_a_board_members_key_works_only_while_their_mfa_is_set_up(self, db):
        """As their pages: a directie user without an authenticator is refused (401), with one let in."""
        from beware.accounts.roles import StaffRole

        board = UserFactory(roles=[StaffRole.DIRECTIE])
        key = api_key(board)  # e.g. made with manage.py api_token before MFA was set up
        assert api(key).get(API).status_code == 401
        with_totp(board)
        assert api(key).get(API).status_code == 200

    def test_a_user_may_have_several_keys_each_working(self, eindhoven_user):
        keys = [api_key(eindhoven_user, naam) for naam in ("Boekhouding", "Dashboard")]
        assert len(set(keys)) == 2
        assert all(api(key).get(API).status_code == 200 for key in keys)

    def test_a_revoked_key_is_refused_and_the_users_other_key_still_works(self, eindhoven_user):
        key, other = api_key(eindhoven_user, "Oud"), api_key(eindhoven_user, "Nieuw")
        token = ApiToken.objects.get(naam="Oud")
        services.api_token_revoke(by=Actor(user=eindhoven_user), token=token)
        assert_refused(api(key).get(API))
        assert api(other).get(API).status_code == 200

    @pytest.mark.parametrize(
        "header", ["Token", "Token a b", "Token onbekend", "Bearer {key}", "Token {key}x", "Token {hash}"]
    )
    def test_a_wrong_header_or_key_is_a_401_problem(self, eindhoven_user, header):
        key = api_key(eindhoven_user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header.format(key=key, hash=ApiToken.hash(key)))
        response = client.get(API)
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Token"
        assert response["Content-Type"] == PROBLEM

    def test_the_key_of_a_user_made_inactive_is_refused(self, eindhoven_user):
        key = api_key(eindhoven_user)
        eindhoven_user.is_active = False
        eindhoven_user.save()
        assert_refused(api(key).get(API))

    def test_last_use_is_recorded_to_the_minute_without_a_write_per_request(self, eindhoven_user, monkeypatch):
        key = api_key(eindhoven_user)
        token = ApiToken.objects.get()
        assert token.laatst_gebruikt is None
        client = api(key)
        client.get(API)
        token.refresh_from_db()
        first = token.laatst_gebruikt
        assert first is not None
        with CaptureQueriesContext(connection) as queries:
            client.get(API)
        assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
        token.refresh_from_db()
        assert token.laatst_gebruikt == first
        later = first + timedelta(minutes=1)
        monkeypatch.setattr(timezone, "now", lambda: later)
        client.get(API)
        token.refresh_from_db()
        assert token.laatst_gebruikt == later


# --- the page ----------------------------------------------------------------------------


class TestPage:
    def test_the_key_is_shown_once_and_not_cached(self, eindhoven_user):
        client = login(eindhoven_user)
        response, key = make_on_page(client, "Boekhouding")
        page = response.content.decode()
        assert f'value="{key}"' in page
        assert "maar één keer getoond" in page
        assert "no-store" in response["Cache-Control"]
        again = client.get(PAGE)
        assert key not in again.content.decode()
        assert "Boekhouding" in again.content.decode()
        assert key not in str(dict(client.session))

    def test_the_list_shows_name_dates_and_status(self, eindhoven_user):
        used, revoked = api_key(eindhoven_user, "Gebruikt"), api_key(eindhoven_user, "Weg")
        api(used).get(API)
        services.api_token_revoke(by=Actor(user=eindhoven_user), token=ApiToken.objects.get(naam="Weg"))
        api_key(eindhoven_user, "Ongebruikt")
        response = login(eindhoven_user).get(PAGE)
        assert response.status_code == 200
        rows = {token.naam: token for token in response.context["tokens"]}
        assert set(rows) == {"Gebruikt", "Weg", "Ongebruikt"}
        page = response.content.decode()
        assert page.count('class="utrecht-badge-status beware-status beware-status--actief">actief') == 2
        assert page.count(">ingetrokken</span>") == 1
        assert "nog niet" in page  # Ongebruikt
        assert page.count("/intrekken/") == 2  # no revoke button for the revoked key
        assert revoked not in page and used not in page

    def test_only_the_users_own_keys_are_listed(self, eindhoven_user, directie):
        api_key(directie, "Sleutel van de directie")
        api_key(eindhoven_user, "Eigen sleutel")
        page = login(eindhoven_user).get(PAGE).content.decode()
        assert "Eigen sleutel" in page
        assert "Sleutel van de directie" not in page

    def test_a_name_is_required_and_nothing_is_made_without_one(self, eindhoven_user):
        response = login(eindhoven_user).post(PAGE, {"naam": "  "})
        assert response.status_code == 400
        assert response.context["sleutel"] is None
        assert "naam" in response.context["form"].errors
        assert not ApiToken.objects.exists()
        assert not AuditEvent.objects.filter(action="api_sleutel.aangemaakt").exists()

    def test_revoking_on_the_page_stops_the_key_and_is_audited(self, eindhoven_user):
        key = api_key(eindhoven_user, "Boekhouding")
        token = ApiToken.objects.get()
        client = login(eindhoven_user)
        response = client.post(revoke_url(token))
        assert response.status_code == 302 and response["Location"] == PAGE
        token.refresh_from_db()
        assert token.ingetrokken is not None
        assert_refused(api(key).get(API))
        event = AuditEvent.objects.get(action="api_sleutel.ingetrokken")
        assert (event.actor, event.object_id, event.data["naam"]) == (eindhoven_user, str(token.pk), "Boekhouding")
        assert "is ingetrokken" in client.get(PAGE).content.decode()

    def test_making_a_key_is_audited_without_the_key(self, eindhoven_user):
        _, key = make_on_page(login(eindhoven_user), "Boekhouding")
        event = AuditEvent.objects.get(action="api_sleutel.aangemaakt")
        assert event.actor == eindhoven_user
        assert event.data == {"naam": "Boekhouding", "gebruiker": eindhoven_user.email}
        assert key not in str(event.data) and ApiToken.hash(key) not in str(event.data)

    def test_another_user_cannot_revoke_a_key_nor_learn_it_exists(self, eindhoven_user):
        key = api_key(eindhoven_user)
        token = ApiToken.objects.get()
        for user in (UserFactory(), with_totp(UserFactory(roles=["directie"]))):
            response = login(user).post(revoke_url(token))
            assert response.status_code == 404
        assert login(eindhoven_user).post(f"{PAGE}{token.pk + 1000}/intrekken/").status_code == 404
        token.refresh_from_db()
        assert token.ingetrokken is None
        assert api(key).get(API).status_code == 200
        assert not AuditEvent.objects.filter(action="api_sleutel.ingetrokken").exists()

    def test_revoking_needs_a_post_with_csrf(self, eindhoven_user):
        api_key(eindhoven_user)
        token = ApiToken.objects.get()
        client = Client(enforce_csrf_checks=True)
        client.force_login(eindhoven_user)
        assert client.get(revoke_url(token)).status_code == 405
        assert client.post(revoke_url(token)).status_code == 403
        token.refresh_from_db()
        assert token.ingetrokken is None

    def test_the_page_needs_a_login_and_is_in_the_navigation(self, eindhoven_user):
        response = Client().get(PAGE)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        page = login(eindhoven_user).get(PAGE).content.decode()
        assert f'href="{PAGE}" aria-current="page">API-sleutels</a>' in page
        assert 'for="id_naam"' in page  # a labelled field, in the portal's form style


# --- the services' own rule ----------------------------------------------------------------


def test_only_the_user_the_system_or_a_superuser_manage_a_key(eindhoven_user, directie):
    with pytest.raises(PermissionDenied):
        services.api_token_create(by=Actor(user=directie), user=eindhoven_user, naam="Namens iemand")
    services.api_token_create(by=Actor.system(), user=eindhoven_user, naam="Door beheer")
    token = ApiToken.objects.get()
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(by=Actor(user=directie), token=token)
    token.refresh_from_db()
    assert token.ingetrokken is None
    superuser = UserFactory(is_superuser=True, is_staff=True)
    services.api_token_revoke(by=Actor(user=superuser), token=token)
    services.api_token_revoke(by=Actor(user=superuser), token=token)  # twice: one event
    assert AuditEvent.objects.filter(action="api_sleutel.ingetrokken").count() == 1


def test_a_superuser_revokes_a_key_in_the_admin(eindhoven_user):
    key = api_key(eindhoven_user)
    token = ApiToken.objects.get()
    superuser = with_totp(UserFactory(is_superuser=True, is_staff=True))
    client = login(superuser)
    listing = client.get("/beheer/accounts/apitoken/")
    assert listing.status_code == 200 and key not in listing.content.decode()
    response = client.post(
        "/beheer/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert_refused(api(key).get(API))
    assert AuditEvent.objects.get(action="api_sleutel.ingetrokken").actor == superuser
    assert client.get("/beheer/accounts/apitoken/add/").status_code == 403


# --- manage.py api_token -------------------------------------------------------------------


class TestCommand:
    def test_prints_a_working_key_for_the_user(self, eindhoven_user):
        out = io.StringIO()
        call_command("api_token", eindhoven_user.email.upper(), "--naam", "Koppeling", stdout=out)
        key = out.getvalue().strip()
        assert api(key).get(API).status_code == 200
        token = ApiToken.objects.get()
        assert (token.user, token.naam) == (eindhoven_user, "Koppeling")
        event = AuditEvent.objects.get(action="api_sleutel.aangemaakt")
        assert (event.actor, event.actor_label) == (None, "systeem")

    def test_an_unknown_address_is_a_dutch_error_and_makes_nothing(self, eindhoven_user):
        with pytest.raises(CommandError, match=re.escape("Er is geen gebruiker met e-mailadres niemand@test.example.")):
            call_command("api_token", "niemand@test.example")
        assert not ApiToken.objects.exists()

    def test_an_inactive_user_gets_no_key(self, eindhoven_user):
        eindhoven_user.is_active = False
        eindhoven_user.save()
        with pytest.raises(CommandError, match="niet actief"):
            call_command("api_token", eindhoven_user.email)
        assert not ApiToken.objects.exists()


# --- rate limit per key ----------------------------------------------------------------------


class TestRateLimit:
    def test_over_the_limit_is_a_429_problem_with_retry_after(self, eindhoven_user, settings):
        settings.API_RATE_LIMIT = "3/minute"
        client = api(api_key(eindhoven_user))
        assert [client.get(API).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(API)
        assert response.status_code == 429
        assert response["Content-Type"] == PROBLEM
        body = response.json()
        assert (body["status"], body["title"]) == (429, "Te veel verzoeken")
        wait = int(response["Retry-After"])
        assert 0 < wait <= 60
        assert body["detail"] == f"U heeft te veel verzoeken gedaan; probeer het over {wait} seconden opnieuw."

    def test_a_users_keys_and_session_share_one_budget(self, eindhoven_user, directie, settings):
        """More keys do not buy more requests; another user has its own budget."""
        settings.API_RATE_LIMIT = "3/minute"
        first, second = api(api_key(eindhoven_user, "Een")), api(api_key(eindhoven_user, "Twee"))
        session = APIClient()
        session.force_login(eindhoven_user)
        answers = [client.get(API).status_code for client in (first, second, session, first, second, session)]
        assert answers == [200, 200, 200, 429, 429, 429]
        other_user = api(api_key(directie))
        assert [other_user.get(API).status_code for _ in range(4)] == [200, 200, 200, 429]

    def test_the_limit_follows_the_setting(self, eindhoven_user, settings):
        client = api(api_key(eindhoven_user))
        settings.API_RATE_LIMIT = "1/minute"
        assert [client.get(API).status_code for _ in range(2)] == [200, 429]
        settings.API_RATE_LIMIT = "5/minute"
        assert client.get(API).status_code == 200

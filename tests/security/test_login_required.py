"""Issue 8.1: every URL pattern needs a login, except the documented public ones.

The patterns come from the URL resolver (tests/security/routes.py), so a new
pattern is checked the day it is added: it must send an anonymous visitor to
the login page (the API: 401/403 problem+json), or be added to PUBLIC below
with the document that makes it public.
"""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url

from tests.security.objects import DENIED
from tests.security.routes import all_routes

# Route name (or the template of an unnamed route) → why anonymous visitors may open it.
PUBLIC = {
    # Logging in and recovering a password must work without a login (docs/architecture.md, "login").
    "account_login": "the login page itself",
    "account_signup": "answers 'Registratie gesloten': no open sign-up (InviteOnlyAccountAdapter, architecture.md)",
    "account_inactive": "allauth's notice for an inactive account after a login attempt",
    "account_reset_password": "password reset by e-mail (architecture.md, login)",
    "account_reset_password_done": "password reset by e-mail",
    "account_reset_password_from_key": "password reset by e-mail: the key in the link is the credential",
    "account_reset_password_from_key_done": "password reset by e-mail",
    "account_email_verification_sent": "allauth's static notice; no data (e-mail addresses are switched off)",
    "account_confirm_email": "allauth's e-mail confirmation by key; no data without a valid key",
    "account_email": "switched off for everyone: answers 404 (architecture.md, request flow step 2)",
    "set_language": "the language switch on the login page (/i18n/, allowed by RequireMFAMiddleware, 0007)",
    "healthz": "docs/operations.md 'Health check': GET /healthz (no login), for load balancers",
    "api:schema": "docs/decisions/0022: schema and docs are public, they hold the contract and no data",
    "api:docs": "docs/decisions/0022",
    "/api/v1//": "api/urls.py: the catch-all that answers any unknown /api/v1/ path with a 404 problem",
    "admin:logout": "logging out needs no login; it shows nothing and sends the visitor on to /beheer/",
    "admin:login": "the admin's own login form (see test_mfa.py: it must not bypass the portal's MFA)",
}
# /static/ is not routed by Django here (whitenoise in production serves it before the URL resolver).


def _login_url() -> str:
    return resolve_url(settings.LOGIN_URL)


def _values(route, demo) -> dict:
    """Existing objects where tests/security/objects.py knows the route, else dummies."""
    if route.name in DENIED:
        return DENIED[route.name](demo).kwargs
    return {}


def test_the_public_list_names_only_routes_that_exist():
    keys = {route.key for route in all_routes()}
    assert not set(PUBLIC) - keys, f"PUBLIC noemt routes die niet (meer) bestaan: {sorted(set(PUBLIC) - keys)}"


@pytest.mark.django_db
def test_every_route_needs_a_login_except_the_documented_public_ones(demo):
    client = demo.client()
    refused, public_seen = [], set()
    for route in all_routes():
        if route.key in PUBLIC:
            public_seen.add(route.key)
            continue
        url = route.url(_values(route, demo), default="1")
        response = client.get(url)
        if url.startswith("/api/v1/"):
            ok = response.status_code in (401, 403) and response["Content-Type"].startswith("application/problem+json")
        elif url.startswith("/beheer/"):
            # The admin sends visitors to its own login form (see test_mfa.py about that form).
            ok = response.status_code == 302 and response["Location"].startswith(("/beheer/login/", _login_url()))
        else:
            ok = response.status_code == 302 and response["Location"].split("?")[0] == _login_url()
        if not ok:
            refused.append(f"{route} GET {url} → {response.status_code} {response.get('Location', '')}")
    assert not refused, "Zonder inloggen bereikbaar en niet in PUBLIC:\n" + "\n".join(refused)
    assert public_seen == set(PUBLIC)


@pytest.mark.django_db
def test_the_public_routes_really_answer_without_a_login(demo):
    """So PUBLIC does not hide a route that answers with a server error or a data page."""
    client = demo.client()
    answers = {}
    for route in all_routes():
        if route.key in PUBLIC:
            answers[route.key] = client.get(route.url(default="1")).status_code
    assert all(code < 500 for code in answers.values()), answers
    assert answers["healthz"] == 200
    assert answers["api:schema"] == 200
    assert answers["account_login"] == 200

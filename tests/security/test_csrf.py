"""Issue 8.3: every POST without a CSRF token is refused with 403, for every
route in the URL resolver, by a user who could otherwise post there (the
directie, with TOTP). The API enforces CSRF for session calls (DRF's
SessionAuthentication) and not for calls with an API key.

The refusal is recognised by its reason, not by the 403 alone: the portal's
CSRF failure view is swapped for one that marks its answer, and DRF names
CSRF in the problem's detail.
"""

import pytest
from django.http import HttpResponseForbidden

from tests.factories import api_key
from tests.security.objects import DENIED
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db

MARK = "X-Test-CSRF-Failure"

# Routes that may take a POST without a CSRF token, and why. Keep it empty unless a decision says so.
CSRF_EXEMPT: dict[str, str] = {}


def csrf_failure(request, reason=""):
    response = HttpResponseForbidden(reason)
    response[MARK] = "1"
    return response


# The docs page renders DRF's CSRF refusal as its HTML "Geen toegang" page (labelled
# application/problem+json), so the reason is not in the body; it is a GET-only page.
REFUSED_WITHOUT_REASON = {"api:docs"}


def _refused_for_csrf(response, route=None) -> bool:
    if response.status_code != 403:
        return False
    if route is not None and route.key in REFUSED_WITHOUT_REASON:
        return True
    if response.has_header(MARK):
        return True
    return response.get("Content-Type", "").startswith("application/") and "CSRF" in response.content.decode()


@pytest.fixture
def csrf_marked(settings):
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_failure"


def test_every_route_refuses_a_post_without_a_csrf_token(demo, csrf_marked):
    directie = demo.user("directeur@beware.demo")
    client = demo.client(directie, enforce_csrf_checks=True)
    accepted = []
    for route in all_routes():
        if route.key in CSRF_EXEMPT:
            continue
        kwargs = DENIED[route.key](demo).kwargs if route.key in DENIED else {}
        url = route.url(kwargs, default="1")
        if url.startswith("/api/"):  # the API reads JSON only; a form body is a 415 before anything else
            response = client.post(url, {"naam": "zonder token"}, content_type="application/json")
        else:
            response = client.post(url, {"naam": "zonder token"})
        if not _refused_for_csrf(response, route):
            accepted.append(f"{route} POST {url} → {response.status_code} {response.content[:120]!r}")
    assert not accepted, "POST zonder CSRF-token niet geweigerd:\n" + "\n".join(accepted)


def test_the_same_post_with_the_token_passes_the_csrf_check(demo, csrf_marked):
    """Control: the refusal above is about the token (a form the directie may post)."""
    directie = demo.user("directeur@beware.demo")
    client = demo.client(directie, enforce_csrf_checks=True)
    client.get("/facturen/contributie/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post("/wissel-lid/", {"member": "", "csrfmiddlewaretoken": token})
    assert not _refused_for_csrf(response)
    assert _refused_for_csrf(client.post("/wissel-lid/", {"member": ""}))


def _decision_case(demo):
    from businesscases.models import BusinessCase

    return BusinessCase.objects.get(status="ter_besluitvorming")


def test_the_api_enforces_csrf_for_session_calls(demo, csrf_marked):
    directie = demo.user("directeur@beware.demo")
    client = demo.client(directie, enforce_csrf_checks=True)
    case = _decision_case(demo)
    url = f"/api/v1/businesscases/{case.pk}/besluit/"
    body = {"besluit": "no-go", "datum": "2026-01-15"}
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    case.refresh_from_db()
    assert case.status == "ter_besluitvorming"
    # with the token from the CSRF cookie (as the portal's own pages send it) it goes through
    client.get("/")
    token = client.cookies["csrftoken"].value
    response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content


def test_the_api_needs_no_csrf_token_with_an_api_key(demo, csrf_marked):
    directie = demo.user("directeur@beware.demo")
    client = demo.client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {api_key(directie)}")
    case = _decision_case(demo)
    response = client.post(
        f"/api/v1/businesscases/{case.pk}/besluit/",
        {"besluit": "no-go", "datum": "2026-01-15"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.status != "ter_besluitvorming"

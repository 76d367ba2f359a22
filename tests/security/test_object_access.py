"""Issue 8.2: a user of member A gets 403 or 404 for member B's objects, in
the portal and in the API.

Which routes take an object comes from the URL resolver: every route with an
argument is either in objects.DENIED (the object of another member, or one only
staff or coordinators manage, that A must not reach) or in
objects.PUBLIC_TO_MEMBERS with the decision that makes it open to every member.
"""

from datetime import date

import pytest
from django.urls import reverse

from beware.common.models import AuditEvent
from tests.factories import api_key
from tests.security.objects import DENIED, PUBLIC_TO_MEMBERS, Probe
from tests.security.routes import all_routes

pytestmark = pytest.mark.django_db


def _classified(route) -> bool:
    return route.key in DENIED or any(
        route.key == key or (key.endswith("/") and route.template.startswith(key)) for key in PUBLIC_TO_MEMBERS
    )


def _object_routes():
    return [route for route in all_routes() if route.args]


def test_every_route_with_an_object_is_classified():
    missing = [str(route) for route in _object_routes() if not _classified(route)]
    assert not missing, (
        "Routes met een object-id die niet in tests/security/objects.py staan "
        "(DENIED of PUBLIC_TO_MEMBERS):\n" + "\n".join(missing)
    )
    keys = {route.key for route in all_routes()}
    stale = [key for key in [*DENIED, *PUBLIC_TO_MEMBERS] if not key.endswith("/") and key not in keys]
    assert not stale, f"objects.py noemt routes die niet (meer) bestaan: {stale}"


def _send(client, route, probe: Probe, **extra):
    url = route.url(probe.kwargs)
    if probe.method == "post":
        content_type = "application/json" if url.startswith("/api/") else None
        kwargs = {"content_type": content_type} if content_type else {}
        return client.post(url, probe.data, **kwargs, **extra)
    return client.get(url, probe.query, **extra)


def test_a_member_user_cannot_reach_another_members_objects_in_the_portal(demo):
    client = demo.client(demo.a_user)
    reached = []
    for route in all_routes():
        if route.key not in DENIED or route.template.startswith("/api/"):
            continue
        probe = DENIED[route.key](demo)
        events = AuditEvent.objects.count()
        response = _send(client, route, probe)
        if response.status_code not in (403, 404):
            reached.append(f"{route} {probe.method.upper()} {route.url(probe.kwargs)} → {response.status_code}")
        elif AuditEvent.objects.count() != events:  # refused, yet something was written
            reached.append(f"{route} {probe.method.upper()} {route.url(probe.kwargs)} → schreef een auditevent")
    assert not reached, "Lid-gebruiker van A bereikt objecten die niet van A zijn:\n" + "\n".join(reached)


def test_a_member_key_cannot_reach_another_members_objects_in_the_api(demo):
    client = demo.client(HTTP_AUTHORIZATION=f"Token {api_key(demo.a_user)}")
    reached = []
    for route in all_routes():
        if route.key not in DENIED or not route.template.startswith("/api/"):
            continue
        probe = DENIED[route.key](demo)
        events = AuditEvent.objects.count()
        response = _send(client, route, probe)
        if response.status_code not in (403, 404):
            reached.append(f"{route} {probe.method.upper()} {route.url(probe.kwargs)} → {response.status_code}")
        elif AuditEvent.objects.count() != events:  # refused, yet something was written
            reached.append(f"{route} {probe.method.upper()} {route.url(probe.kwargs)} → schreef een auditevent")
    assert not reached, "API-sleutel van A bereikt objecten die niet van A zijn:\n" + "\n".join(reached)


# GET probes whose object no staff user may open (none so far).
NO_READER_IN_THE_DEMO: set[str] = set()


def test_the_probes_ask_for_real_objects(demo):
    """A 403/404 above only counts if the object is there: the staff who manage
    it (directie, RvC or secretaris) open each GET probe without an error."""
    staff = [demo.user(f"{name}@beware.demo") for name in ("directeur", "rvc", "secretaris")]
    broken = []
    for route in all_routes():
        if route.key not in DENIED or route.key in NO_READER_IN_THE_DEMO:
            continue
        probe = DENIED[route.key](demo)
        if probe.method != "get":
            continue
        codes = []
        for user in staff:
            api = route.template.startswith("/api/")
            client = demo.client(HTTP_AUTHORIZATION=f"Token {api_key(user)}") if api else demo.client(user)
            client.raise_request_exception = False
            codes.append(_send(client, route, probe).status_code)
        if 200 not in codes:
            broken.append(f"{route} GET {route.url(probe.kwargs)} → {codes} (directie, RvC, secretaris)")
    assert not broken, "Geen enkele bevoegde opent deze objecten (fout in de probe of in de app):\n" + "\n".join(broken)


# --- the same pages do open for the member's own objects (so a 403/404 above is
# about whose object it is, not a broken URL) -------------------------------------


OWN_PAGES = [
    ("membership:organisation", lambda d: {"pk": d.a.pk}),
    ("membership:agreement", lambda d: {"pk": d.a.pk}),
    ("invoicing:detail", "invoice"),
    ("invoicing:pdf", "invoice"),
    ("invoicing:ubl", "invoice"),
]


def test_the_same_pages_open_for_the_members_own_objects(demo):
    from tests.security.objects import _invoice

    client = demo.client(demo.a_user)
    for name, kwargs in OWN_PAGES:
        kwargs = {"pk": _invoice(demo.a).pk} if kwargs == "invoice" else kwargs(demo)
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, (name, response.status_code)
    api = demo.client(HTTP_AUTHORIZATION=f"Token {api_key(demo.a_user)}")
    nummer = _invoice(demo.a).nummer
    for name in ("api:factuur-detail", "api:factuur-pdf", "api:factuur-ubl"):
        assert api.get(reverse(name, kwargs={"nummer": nummer})).status_code == 200, name
    assert api.get(reverse("api:lid-detail", kwargs={"pk": demo.b.pk})).status_code == 200  # public register


def test_a_member_user_cannot_enter_the_admin(demo):
    response = demo.client(demo.a_user).get("/beheer/")
    assert response.status_code == 302
    assert response["Location"].startswith("/beheer/login/")


# --- lists: only the member's own rows ------------------------------------------------

PUBLIC_LID_FIELDS = {"id", "naam", "soort", "gemeenten", "kvk", "oin", "status", "ingangsdatum", "einddatum"}


def _all_pages(client, url, **query):
    rows, page = [], 1
    while True:
        body = client.get(url, {**query, "page": page}).json()
        items = body["results"] if isinstance(body, dict) and "results" in body else body
        rows.extend(items)
        if not (isinstance(body, dict) and body.get("next")):
            return rows
        page += 1


def test_api_lists_show_a_member_only_its_own_private_rows(demo):
    from invoicing.models import Invoice

    client = demo.client(HTTP_AUTHORIZATION=f"Token {api_key(demo.a_user)}")
    assert Invoice.objects.filter(member=demo.b).exclude(status="concept").exists()
    facturen = _all_pages(client, "/api/v1/facturen/")
    assert facturen
    assert {row["lid"] for row in facturen} == {demo.a.pk}, facturen
    leden = _all_pages(client, "/api/v1/leden/")
    assert {m["id"] for m in leden} >= {demo.a.pk, demo.b.pk}
    assert demo.applicant.pk not in {m["id"] for m in leden}, "een aanvraag hoort niet in het openbare register"
    for row in leden:
        assert set(row) <= PUBLIC_LID_FIELDS, set(row) - PUBLIC_LID_FIELDS
    detail = client.get(f"/api/v1/leden/{demo.b.pk}/").json()
    assert set(detail) <= PUBLIC_LID_FIELDS


def test_contributie_and_gebruik_show_no_other_members_rows(demo):
    from communities.models import Community
    from invoicing.models import UsageCount

    corv = Community.objects.get(slug="corv")
    for member in (demo.a, demo.b):
        UsageCount.objects.create(community=corv, member=member, jaar=2026, kwartaal=1, aantal=100)
    last_year = date.today().year - 1  # the demo's contributie run (README, invoicing)
    client = demo.client(HTTP_AUTHORIZATION=f"Token {api_key(demo.a_user)}")
    for url, query in (("/api/v1/contributie/", {"jaar": last_year}), ("/api/v1/gebruik/", {})):
        rows = _all_pages(client, url, **query)
        assert rows, f"{url} geeft de lid-gebruiker ook zijn eigen rijen niet"
        others = [row for row in rows if row["lid"] != demo.a.pk]
        assert not others, f"{url} toont rijen van andere leden aan een lid-gebruiker van {demo.a}: {others[:3]}"
        # ?lid= does not widen it (docs/api.md)
        widened = _all_pages(client, url, lid=demo.b.pk, **query)
        assert not widened, f"{url}?lid={demo.b.pk} toont B's rijen aan A: {widened[:3]}"


def test_my_invoices_page_lists_no_other_members_invoice(demo):
    from tests.security.objects import _invoice

    page = demo.client(demo.a_user).get("/facturen/mijn/").content.decode()
    assert _invoice(demo.b).nummer not in page
    assert _invoice(demo.a).nummer in page


def test_the_ballot_slot_a_is_refused_is_open_to_its_own_member(demo):
    """Control for governance:poll_vote: Eindhoven's own user casts that vote."""
    from governance.models import Ballot

    probe = DENIED["governance:poll_vote"](demo)
    url = reverse("governance:poll_vote", kwargs=probe.kwargs)
    assert demo.client(demo.a_user).post(url, probe.data).status_code in (403, 404)
    assert not Ballot.objects.filter(voter_id=probe.kwargs["voter_pk"]).exists()
    response = demo.client(demo.user("eindhoven@beware.demo")).post(url, probe.data)
    assert response.status_code in (200, 302), response.status_code
    assert Ballot.objects.filter(voter_id=probe.kwargs["voter_pk"]).exists()


def test_a_user_of_two_members_cannot_write_for_the_one_it_is_not_acting_for(demo):
    """Decision 0004: a role within B counts for writes only while acting for B."""
    from beware.common.audit import Actor
    from membership.models import Contact, MemberRole
    from membership.services import member_role_grant

    user = demo.a_user
    member_role_grant(user, demo.b, MemberRole.Role.LID_BEHEERDER, by=Actor.system())
    client = demo.client(user)
    client.post("/wissel-lid/", {"lid": demo.a.pk})
    data = {"naam": "Via de verkeerde pet", "email": "pet@b.test", "functie": "x", "rol": Contact.Role.values[0]}
    response = client.post(reverse("membership:contact_add", kwargs={"pk": demo.b.pk}), data)
    assert response.status_code == 403, response.status_code
    assert not Contact.objects.filter(member=demo.b, naam="Via de verkeerde pet").exists()
    # acting for B it is allowed (so the refusal above is about the acting member)
    client.post("/wissel-lid/", {"lid": demo.b.pk})
    client.post(reverse("membership:contact_add", kwargs={"pk": demo.b.pk}), data)
    assert Contact.objects.filter(member=demo.b, naam="Via de verkeerde pet").exists()

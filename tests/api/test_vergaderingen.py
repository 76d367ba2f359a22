"""REST API v1, vergaderingen and stemmingen: the meeting and poll pages'
visibility (ALV for members, besloten RvC meetings for the RvC only,
community meetings for participants), the stored outcome with exact
counts as strings, validated filters (400 with invalidParams), read-only
(405), a constant query budget and the schema."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from communities import services as community_services
from governance import services
from governance.models import Body, Poll
from membership.models import MemberRole
from tests.api.test_gemeenten import (
    assert_described,
    assert_problem,
    client_for,
    invalid_params,
    results,
    schema,
    token_client,
)
from tests.factories import CommunityFactory, MemberFactory, UserFactory, member_user

pytestmark = pytest.mark.django_db

MEETINGS = "/api/v1/vergaderingen/"
POLLS = "/api/v1/stemmingen/"
SYSTEM = Actor.system()


def ids(response) -> list[int]:
    return [row["id"] for row in results(response)]


@pytest.fixture
def secretaris(db):
    return UserFactory(roles=[StaffRole.SECRETARIS])


@pytest.fixture
def world(secretaris):
    """An ALV with a closed poll (A and B voor, C tegen), an RvC meeting, a
    besloten RvC meeting, a community meeting with one participant, and an
    RvC written decision."""
    chair = Actor(user=secretaris)
    bodies = {b.soort: b for b in Body.objects.filter(soort__in=["alv", "rvc"])}
    members = {code: MemberFactory(code=code, naam=f"Gemeente {code.upper()}") for code in ("a", "b", "c", "d")}
    reps = {code: member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for code, m in members.items()}
    alv = services.meeting_record(
        by=chair, body=bodies["alv"], datum=timezone.localdate() + timedelta(days=21), titel="ALV najaar"
    )
    alv = services.meeting_convene(by=chair, meeting=alv)
    item = services.agenda_item_add(by=chair, meeting=alv, titel="Begroting", voorstel="Vaststellen.")
    for code in ("a", "b", "c"):
        services.attendance_check_in(by=chair, meeting=alv, member=members[code])
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=alv.body, vraag="Begroting", regel="alv", agenda_item=item)
    )
    for code, keuze in (("a", "voor"), ("b", "voor"), ("c", "tegen")):
        voter = poll.voters.get(member=members[code])
        services.ballot_cast(by=Actor(user=reps[code], member=members[code]), poll=poll, voter=voter, keuze=keuze)
    poll = services.poll_close(by=chair, poll=poll)

    rvc = services.meeting_record(by=chair, body=bodies["rvc"], datum=date(2026, 3, 1), titel="RvC maart")
    besloten = services.meeting_record(
        by=chair, body=bodies["rvc"], datum=date(2026, 4, 1), titel="RvC besloten", besloten=True
    )
    written = services.poll_create(
        by=chair,
        body=bodies["rvc"],
        vraag="Schriftelijk besluit",
        regel="rvc-schriftelijk",
        deadline=timezone.now() + timedelta(days=3),
    )

    community = CommunityFactory(slug="zaaksysteem")
    community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2026, 1, 1))
    body = services.body_create(
        by=SYSTEM, soort="community", naam="Communitybestuur Zaaksysteem", slug="zaaksysteem", community=community
    )
    community_meeting = services.meeting_record(by=chair, body=body, datum=date(2026, 5, 1), titel="Zaaksysteem")
    return {
        "alv": alv,
        "poll": poll,
        "rvc": rvc,
        "besloten": besloten,
        "written": written,
        "community": community_meeting,
        "reps": reps,
    }


def test_a_member_user_reads_the_alv_and_its_communitys_meetings_only(world):
    member_a = client_for(world["reps"]["a"])
    assert ids(member_a.get(MEETINGS)) == [world["alv"].pk]
    for hidden in ("rvc", "besloten", "community"):
        body = assert_problem(member_a.get(f"{MEETINGS}{world[hidden].pk}/"), 404)
        assert body["detail"] == "Deze vergadering bestaat niet of u heeft er geen toegang toe."
    member_d = client_for(world["reps"]["d"])  # takes part in the community
    assert set(ids(member_d.get(MEETINGS))) == {world["alv"].pk, world["community"].pk}


def test_the_directie_does_not_read_a_besloten_rvc_meeting_and_the_rvc_does(world):
    directie = client_for(UserFactory(roles=[StaffRole.DIRECTIE]))
    assert world["rvc"].pk in ids(directie.get(MEETINGS))
    assert world["besloten"].pk not in ids(directie.get(MEETINGS))
    assert_problem(directie.get(f"{MEETINGS}{world['besloten'].pk}/"), 404)
    rvc = client_for(UserFactory(roles=[StaffRole.RVC]))
    assert rvc.get(f"{MEETINGS}{world['besloten'].pk}/").json()["titel"] == "RvC besloten"


def test_a_meeting_has_the_contract_fields_and_its_agenda(world):
    meeting = token_client(world["reps"]["a"]).get(f"{MEETINGS}{world['alv'].pk}/").json()
    assert meeting["orgaan"] == "alv" and meeting["titel"] == "ALV najaar" and meeting["online"] is False
    assert meeting["bijeengeroepen_op"] is not None
    assert meeting["agenda"] == [
        {
            "volgorde": 1,
            "titel": "Begroting",
            "voorstel": "Vaststellen.",
            "besluit": "",
            "stemmingen": [world["poll"].pk],
        }
    ]


def test_a_closed_poll_has_its_outcome_with_exact_counts_as_strings(world):
    poll = client_for(world["reps"]["a"]).get(f"{POLLS}{world['poll'].pk}/").json()
    assert poll["uitslag"] == "aangenomen" and poll["status"] == "gesloten" and poll["regel"] == "alv"
    assert (poll["voor"], poll["tegen"], poll["onthouding"]) == ("2.0000", "1.0000", "0.0000")
    assert (poll["uitgebracht"], poll["aanwezig"], poll["stemgerechtigd"]) == ("3.0000", "3.0000", "4.0000")
    assert poll["controlegetal"] == Poll.objects.get(pk=world["poll"].pk).controlegetal
    assert (poll["vergadering"], poll["agendapunt"]) == (world["alv"].pk, 1)
    assert "keuze" not in str(poll) and "stemmen" not in poll  # never how anyone voted


def test_who_reads_which_polls(world):
    member = client_for(world["reps"]["a"])
    assert ids(member.get(POLLS)) == [world["poll"].pk]
    assert_problem(member.get(f"{POLLS}{world['written'].pk}/"), 404)
    directie = client_for(UserFactory(roles=[StaffRole.DIRECTIE]))
    assert set(ids(directie.get(POLLS))) == {world["poll"].pk, world["written"].pk}
    written = directie.get(f"{POLLS}{world['written'].pk}/").json()
    assert (written["vergadering"], written["status"], written["voor"]) == (None, "concept", None)


def test_filters_are_validated(world):
    client = client_for(UserFactory(roles=[StaffRole.DIRECTIE]))
    assert set(invalid_params(client.get(MEETINGS, {"jaar": "x", "orgaan": "onbekend"}))) == {"jaar", "orgaan"}
    assert set(invalid_params(client.get(MEETINGS, {"ordering": "titel"}))) == {"ordering"}
    assert set(invalid_params(client.get(POLLS, {"status": "half"}))) == {"status"}
    assert ids(client.get(MEETINGS, {"jaar": 2026, "orgaan": "rvc", "ordering": "datum"})) == [world["rvc"].pk]
    assert ids(client.get(POLLS, {"vergadering": world["alv"].pk, "status": "gesloten"})) == [world["poll"].pk]


def test_the_api_does_not_vote_or_change_a_meeting(world):
    client = client_for(world["reps"]["a"])
    for url in (MEETINGS, f"{MEETINGS}{world['alv'].pk}/", POLLS, f"{POLLS}{world['poll'].pk}/"):
        for method in ("post", "put", "patch", "delete"):
            body = assert_problem(getattr(client, method)(url, {"keuze": "tegen"}, format="json"), 405)
            assert "stemmen doet u in het portaal" in body["detail"]
    assert Poll.objects.get(pk=world["poll"].pk).tegen == 1


def test_the_query_budget_does_not_grow_with_meetings(world, secretaris):
    client = client_for(UserFactory(roles=[StaffRole.DIRECTIE]))

    def count(url) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count(MEETINGS)  # the user's permissions are loaded once, on the first request
    before = (count(MEETINGS), count(POLLS))
    assert before[0] <= 6 and before[1] <= 5
    chair = Actor(user=secretaris)
    alv = Body.objects.get(soort="alv")
    for n in range(10):
        meeting = services.meeting_record(by=chair, body=alv, datum=date(2026, 6, 1 + n), titel=f"ALV {n}")
        item = services.agenda_item_add(by=chair, meeting=meeting, titel="Punt")
        services.poll_create(by=chair, body=alv, vraag=f"Voorstel {n}", regel="alv", agenda_item=item)
    assert (count(MEETINGS), count(POLLS)) == before


def test_the_schema_describes_both_in_dutch(capsys):
    components = schema(capsys)["components"]["schemas"]
    assert_described(
        components["Vergadering"],
        {"id", "orgaan", "titel", "datum", "plaats", "online", "bijeengeroepen_op", "agenda"},
    )
    assert_described(components["Agendapunt"], {"volgorde", "titel", "voorstel", "besluit", "stemmingen"})
    assert all(components["Stemming"]["properties"][field]["description"] for field in ("voor", "uitslag", "regel"))

"""REST API v1, businesscases: the contract fields, the go/no-go decision
through the service (directie only, all or nothing, audited), the split and
a late joiner's quote as exact strings from DOMAIN.md §3.4–3.5's worked
example, filters, a constant query budget, errors as problem+json."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from businesscases import services
from businesscases.models import BusinessCase, FixedPercentage, Share
from communities import services as community_services
from communities.models import Participation
from membership.models import Inwonertal, MemberRole
from tests.factories import CommunityFactory, api_key, member_user, member_with_inwoners

pytestmark = pytest.mark.django_db

D = Decimal
SYSTEM = Actor.system()
GO = date(2024, 3, 1)
LIST = "/api/v1/businesscases/"
PROBLEM = "application/problem+json"
FIELDS = {
    "id",
    "community",
    "titel",
    "verdeelsleutel",
    "vaste_percentages",
    "peildatum",
    "afschrijvingsjaren",
    "kosten",
    "status",
}


@pytest.fixture
def members():
    """DOMAIN.md §3.4's worked example: A, B and C; D joins late."""
    sizes = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}
    return {code: member_with_inwoners(code, size) for code, size in sizes.items()}


@pytest.fixture
def community(members):
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"])
    for code in "abc":
        community_services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    return community


def proposed_case(community, *, titel="Zaakafhandeling", submit=True, **fields) -> BusinessCase:
    business_case = services.businesscase_create(
        community, by=SYSTEM, titel=titel, peildatum=date(2024, 1, 1), **fields
    )
    services.cost_line_add(business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=D("120000.00"))
    services.cost_line_add(business_case, by=SYSTEM, soort="hosting", omschrijving="Hosting", bedrag=D("12000.00"))
    return services.businesscase_submit(business_case, by=SYSTEM) if submit else business_case


@pytest.fixture
def proposed(community):
    return proposed_case(community)


@pytest.fixture
def decided(proposed, directie):
    return services.businesscase_decide(proposed, by=Actor(user=directie), go=True, datum=GO)


@pytest.fixture
def member_a_user(members):
    return member_user(members["a"], MemberRole.Role.FINANCIEEL_CONTACT)


@pytest.fixture
def representative_d(members):
    """May ask to join for D (communitycontact: membership.join_community)."""
    return member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(business_case, action: str = "") -> str:
    return f"{LIST}{business_case.pk}/" + (f"{action}/" if action else "")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def invalid(response) -> dict[str, dict]:
    body = assert_problem(response, 400)
    return {p["name"]: p for p in body["invalidParams"]}


def shares(business_case) -> dict[str, D]:
    return {s.member.code: s.bedrag for s in Share.objects.filter(business_case=business_case).select_related("member")}


# --- the resource --------------------------------------------------------------------


class TestFields:
    def test_exactly_the_contract_fields_with_amounts_as_strings(self, decided, member_a_user):
        response = client_for(member_a_user).get(url(decided))
        assert response.json() == {
            "id": decided.pk,
            "community": "zaken",
            "titel": "Zaakafhandeling",
            "verdeelsleutel": "inwoners",
            "vaste_percentages": [],
            "peildatum": "2024-01-01",
            "afschrijvingsjaren": None,
            "kosten": [
                {"soort": "ontwikkeling", "omschrijving": "Bouw", "bedrag": "120000.00"},
                {"soort": "hosting", "omschrijving": "Hosting", "bedrag": "12000.00"},
            ],
            "status": "besloten",
        }
        assert b'"bedrag":"120000.00"' in response.content  # a JSON string, never a number

    def test_fixed_percentages_per_member(self, community, members, member_a_user):
        business_case = proposed_case(community, submit=False, verdeelsleutel="vast", afschrijvingsjaren=5)
        services.fixed_percentages_set(
            business_case, {members["a"]: D("50"), members["b"]: D("25"), members["c"]: D("25")}, by=SYSTEM
        )
        body = client_for(member_a_user).get(url(business_case)).json()
        assert (body["verdeelsleutel"], body["afschrijvingsjaren"], body["status"]) == ("vast", 5, "concept")
        assert body["vaste_percentages"] == [
            {"lid": members["a"].pk, "percentage": "50.00"},
            {"lid": members["b"].pk, "percentage": "25.00"},
            {"lid": members["c"].pk, "percentage": "25.00"},
        ]

    def test_every_logged_in_user_reads_every_business_case_as_in_the_portal(self, decided, community, rvc):
        concept = proposed_case(community, titel="Tweede fase", submit=False)
        outsider = member_user(member_with_inwoners("x", 1_000), MemberRole.Role.FINANCIEEL_CONTACT)
        for user in (outsider, rvc):
            assert set(ids(client_for(user).get(LIST))) == {decided.pk, concept.pk}

    def test_a_missing_business_case_is_a_404_problem(self, member_a_user):
        body = assert_problem(client_for(member_a_user).get(f"{LIST}99999/"), 404)
        assert body["detail"] == "Deze businesscase bestaat niet."
        for action in ("verdeling", "toetreding"):
            assert_problem(client_for(member_a_user).get(f"{LIST}99999/{action}/"), 404)

    @pytest.mark.parametrize("action", ["", "verdeling", "toetreding"])
    def test_unauthenticated_is_a_401_problem(self, decided, action):
        response = APIClient().get(url(decided, action))
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Token"

    def test_a_real_token_header(self, decided, member_a_user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(member_a_user)}")
        assert ids(client.get(LIST)) == [decided.pk]
        assert client.get(url(decided, "verdeling")).status_code == 200


class TestFilters:
    @pytest.fixture
    def mixed(self, decided, community, members, directie):
        other = CommunityFactory(slug="signalen", trekker=members["a"])
        community_services.participation_add(other, members["b"], by=SYSTEM, datum=date(2024, 2, 1))
        rejected = proposed_case(other, titel="Afgewezen")
        services.businesscase_decide(rejected, by=Actor(user=directie), go=False, datum=date(2025, 5, 1))
        concept = proposed_case(community, titel="Beheer", submit=False)
        return {"decided": decided, "rejected": rejected, "concept": concept}

    def test_status_community_jaar_and_lid(self, member_a_user, members, mixed):
        client = client_for(member_a_user)
        assert ids(client.get(LIST, {"status": "besloten"})) == [mixed["decided"].pk]
        assert ids(client.get(LIST, {"status": "afgewezen"})) == [mixed["rejected"].pk]
        assert ids(client.get(LIST, {"community": "signalen"})) == [mixed["rejected"].pk]
        assert ids(client.get(LIST, {"jaar": 2025})) == [mixed["rejected"].pk]
        assert ids(client.get(LIST, {"jaar": 2024})) == [mixed["decided"].pk]
        assert ids(client.get(LIST, {"lid": members["b"].pk})) == [mixed["decided"].pk]  # a stored share
        assert ids(client.get(LIST, {"lid": members["d"].pk})) == []

    def test_ordering_and_pages(self, member_a_user, mixed):
        client = client_for(member_a_user)
        assert ids(client.get(LIST)) == [mixed["concept"].pk, mixed["rejected"].pk, mixed["decided"].pk]
        assert ids(client.get(LIST, {"ordering": "titel"})) == [
            mixed["rejected"].pk,
            mixed["concept"].pk,
            mixed["decided"].pk,
        ]
        assert ids(client.get(LIST, {"ordering": "-besluitdatum"})) == [
            mixed["rejected"].pk,
            mixed["decided"].pk,
            mixed["concept"].pk,  # undecided last
        ]
        body = client.get(LIST).json()
        assert (set(body), body["count"], body["next"]) == ({"count", "next", "previous", "results"}, 3, None)

    def test_a_wrong_filter_is_a_400_with_invalid_params(self, member_a_user, mixed):
        params = invalid(client_for(member_a_user).get(LIST, {"status": "go", "jaar": "vorig", "ordering": "id"}))
        assert set(params) == {"status", "jaar", "ordering"}
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."


@pytest.mark.parametrize("who", ["directie", "member_a_user"])
def test_the_list_costs_the_same_queries_for_3_and_30_business_cases(
    request, who, community, members, django_assert_max_num_queries
):
    client = client_for(request.getfixturevalue(who))

    def add(n):
        for i in range(n):
            business_case = proposed_case(community, titel=f"BC {i}", submit=False, verdeelsleutel="vast")
            services.fixed_percentages_set(business_case, {members["a"]: D("60"), members["b"]: D("40")}, by=SYSTEM)

    add(3)
    with CaptureQueriesContext(connection) as three:
        assert len(ids(client.get(LIST))) == 3
    add(27)
    with django_assert_max_num_queries(len(three)):
        rows = client.get(LIST).json()["results"]
    assert len(rows) == 30
    assert all(len(row["kosten"]) == 2 and len(row["vaste_percentages"]) == 2 for row in rows)
    assert len(three) <= 5  # (permissions), count, page, cost lines, percentages


# --- the split of the one-off costs ---------------------------------------------------------


class TestVerdeling:
    def test_after_go_the_stored_shares_as_exact_strings(self, decided, members, member_a_user):
        response = client_for(member_a_user).get(url(decided, "verdeling"))
        assert response.status_code == 200
        assert response.json() == [
            {"lid": members["a"].pk, "gewicht": "200000.0000", "bedrag": "85714.29"},
            {"lid": members["b"].pk, "gewicht": "50000.0000", "bedrag": "21428.57"},
            {"lid": members["c"].pk, "gewicht": "30000.0000", "bedrag": "12857.14"},
        ]
        assert b'"bedrag":"85714.29"' in response.content
        assert sum(D(row["bedrag"]) for row in response.json()) == D("120000.00")

    def test_the_stored_split_is_never_recomputed(self, decided, members, member_a_user):
        Inwonertal.objects.filter(gemeente__representations__member=members["a"]).update(aantal=10)
        rows = client_for(member_a_user).get(url(decided, "verdeling")).json()
        assert [row["bedrag"] for row in rows] == ["85714.29", "21428.57", "12857.14"]

    def test_a_late_joiner_appears_with_its_stored_share(self, decided, community, members, member_a_user):
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        rows = client_for(member_a_user).get(url(decided, "verdeling")).json()
        assert rows[-1] == {"lid": members["d"].pk, "gewicht": "50000.0000", "bedrag": "18181.82"}

    def test_before_go_a_preview_over_the_current_participants(self, proposed, members, member_a_user):
        rows = client_for(member_a_user).get(url(proposed, "verdeling")).json()
        assert [(row["lid"], row["bedrag"]) for row in rows] == [
            (members["a"].pk, "85714.29"),
            (members["b"].pk, "21428.57"),
            (members["c"].pk, "12857.14"),
        ]
        assert not Share.objects.exists()

    def test_a_preview_that_cannot_be_made_is_a_409_problem(self, members, member_a_user):
        empty = CommunityFactory(slug="leeg", trekker=members["a"])
        body = assert_problem(client_for(member_a_user).get(url(proposed_case(empty), "verdeling")), 409)
        assert body["detail"] == "De verdeling kan nog niet worden berekend: Er zijn nog geen deelnemers."

    def test_after_no_go_nothing_is_shared(self, proposed, directie, member_a_user):
        services.businesscase_decide(proposed, by=Actor(user=directie), go=False, datum=GO)
        response = client_for(member_a_user).get(url(proposed, "verdeling"))
        assert (response.status_code, response.json()) == (200, [])

    def test_constant_queries_however_many_participants(self, decided, community, django_assert_max_num_queries):
        client = client_for(member_user(community.trekker, MemberRole.Role.FINANCIEEL_CONTACT))
        with CaptureQueriesContext(connection) as three:
            assert len(client.get(url(decided, "verdeling")).json()) == 3
        for i in range(20):
            joiner = member_with_inwoners(f"laat-{i}", 1_000)
            community_services.participation_add(community, joiner, by=SYSTEM, datum=date(2024, 6, 1))
        with django_assert_max_num_queries(len(three)):
            assert len(client.get(url(decided, "verdeling")).json()) == 23


# --- a late joiner's quote ---------------------------------------------------------------------


class TestToetreding:
    def test_the_quote_of_the_worked_example_as_exact_strings(self, decided, members, representative_d):
        response = client_for(representative_d).get(
            url(decided, "toetreding"), {"lid": members["d"].pk, "datum": "2024-06-01"}
        )
        assert response.status_code == 200, response.content
        assert response.json() == {
            "lid": members["d"].pk,
            "bedrag": "18181.82",
            "verrekening": [
                {"lid": members["a"].pk, "bedrag": "12987.02"},
                {"lid": members["b"].pk, "bedrag": "3246.75"},
                {"lid": members["c"].pk, "bedrag": "1948.05"},
            ],
        }
        assert b'"bedrag":"18181.82"' in response.content
        assert not Participation.objects.filter(member=members["d"]).exists()  # a quote stores nothing

    def test_the_quote_equals_what_joining_then_stores(self, decided, community, members, representative_d):
        quote = client_for(representative_d).get(url(decided, "toetreding"), {"lid": members["d"].pk}).json()
        community_services.participation_add(community, members["d"], by=SYSTEM)
        settlement = decided.settlements.get()
        assert quote["bedrag"] == str(settlement.bedrag)
        assert {c["lid"]: c["bedrag"] for c in quote["verrekening"]} == {
            c.member_id: str(c.bedrag) for c in settlement.credits.all()
        }

    def test_with_afschrijving_the_book_value_is_settled(self, community, members, directie):
        business_case = proposed_case(community, afschrijvingsjaren=5)
        services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=GO)
        response = client_for(directie).get(
            url(business_case, "toetreding"), {"lid": members["d"].pk, "datum": "2025-03-01"}
        )
        # 12 of 60 months written off: V = 96.000,00; D's share 96.000 × 50/330.
        assert response.json()["bedrag"] == "14545.45"

    def test_a_representative_of_another_member_may_not_ask(self, decided, members, member_a_user):
        body = assert_problem(client_for(member_a_user).get(url(decided, "toetreding"), {"lid": members["d"].pk}), 403)
        assert "waarvoor u deelname mag aanvragen" in body["detail"]

    def test_a_coordinator_and_the_directie_may_ask_for_any_member(self, decided, community, members, directie):
        coordinator = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT)
        community_services.coordinator_add(community, coordinator, by=SYSTEM)
        for user in (coordinator, directie):
            response = client_for(user).get(url(decided, "toetreding"), {"lid": members["d"].pk})
            assert response.json()["bedrag"] == "18181.82"

    def test_bad_parameters_are_a_400_naming_them(self, decided, directie):
        client = client_for(directie)
        assert set(invalid(client.get(url(decided, "toetreding")))) == {"lid"}
        params = invalid(client.get(url(decided, "toetreding"), {"lid": "x", "datum": "morgen"}))
        assert set(params) == {"lid", "datum"}
        params = invalid(client.get(url(decided, "toetreding"), {"lid": 99999}))
        assert params["lid"]["reason"] == "Lid 99999 bestaat niet."

    def test_an_unknown_member_is_the_same_403_as_another_member_for_a_member_user(self, decided, members):
        """A member user cannot tell which member ids exist."""
        client = client_for(member_user(members["d"], MemberRole.Role.ALV_VERTEGENWOORDIGER))
        other = client.get(url(decided, "toetreding"), {"lid": members["b"].pk})
        unknown = client.get(url(decided, "toetreding"), {"lid": 99999})
        assert other.status_code == unknown.status_code == 403
        assert other.json()["detail"] == unknown.json()["detail"]

    def test_a_participant_that_already_paid_is_refused_by_the_selector(self, decided, members, directie):
        params = invalid(client_for(directie).get(url(decided, "toetreding"), {"lid": members["a"].pk}))
        assert params["lid"]["reason"] == "Gemeente A heeft zijn aandeel in Zaakafhandeling al betaald."

    def test_a_missing_inwonertal_is_named(self, decided, members, directie):
        Inwonertal.objects.filter(gemeente__representations__member=members["d"]).delete()
        params = invalid(client_for(directie).get(url(decided, "toetreding"), {"lid": members["d"].pk}))
        assert "Gemeente D" in params["peildatum"]["reason"]

    def test_before_go_there_is_nothing_to_settle(self, proposed, members, directie):
        body = assert_problem(client_for(directie).get(url(proposed, "toetreding"), {"lid": members["d"].pk}), 409)
        assert body["detail"] == (
            "Een late toetreding wordt pas na een go-besluit verrekend; deze businesscase is ter besluitvorming."
        )

    def test_constant_queries_however_many_participants(
        self, decided, community, members, directie, django_assert_max_num_queries
    ):
        client = client_for(directie)
        with CaptureQueriesContext(connection) as three:
            assert client.get(url(decided, "toetreding"), {"lid": members["d"].pk}).status_code == 200
        for i in range(20):
            joiner = member_with_inwoners(f"laat-{i}", 1_000)
            community_services.participation_add(community, joiner, by=SYSTEM, datum=date(2024, 6, 1))
        with django_assert_max_num_queries(len(three)):
            body = client.get(url(decided, "toetreding"), {"lid": members["d"].pk}).json()
        assert len(body["verrekening"]) == 23


# --- the decision -------------------------------------------------------------------------


class TestBesluit:
    def test_the_directie_decides_go_and_the_split_is_stored(self, proposed, members, directie):
        response = client_for(directie).post(url(proposed, "besluit"), {"besluit": "go", "datum": "2024-03-01"})
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == FIELDS
        assert (body["id"], body["status"], body["peildatum"]) == (proposed.pk, "besloten", "2024-01-01")
        assert shares(proposed) == {"a": D("85714.29"), "b": D("21428.57"), "c": D("12857.14")}
        event = AuditEvent.objects.get(action="businesscase.go")
        assert (event.actor, event.object_id) == (directie, str(proposed.pk))

    def test_named_participants_join_at_the_decision(self, proposed, members, directie):
        everyone = [members[code].pk for code in "abcd"]
        response = client_for(directie).post(
            url(proposed, "besluit"),
            {"besluit": "go", "datum": "2024-03-01", "deelnemers": everyone, "golive": "2024-09-01"},
        )
        assert response.status_code == 200, response.content
        # 120.000 over 200.000 / 50.000 / 30.000 / 50.000: B and D tie on the largest remainder.
        assert shares(proposed) == {
            "a": D("72727.27"),
            "b": D("18181.82"),
            "c": D("10909.09"),
            "d": D("18181.82"),
        }
        proposed.refresh_from_db()
        assert proposed.golive == date(2024, 9, 1)
        assert Participation.objects.get(member=members["d"]).datum == GO

    def test_no_go_stores_no_shares(self, proposed, directie):
        response = client_for(directie).post(
            url(proposed, "besluit"), {"besluit": "no-go", "datum": "2024-03-01", "toelichting": "Te duur."}
        )
        assert response.json()["status"] == "afgewezen"
        proposed.refresh_from_db()
        assert (proposed.besluit_toelichting, Share.objects.count()) == ("Te duur.", 0)
        assert AuditEvent.objects.filter(action="businesscase.no_go").count() == 1

    @pytest.mark.parametrize("who", ["manager", "member_a_user", "rvc"])
    def test_only_the_directie_decides(self, request, who, proposed):
        body = assert_problem(
            client_for(request.getfixturevalue(who)).post(url(proposed, "besluit"), {"besluit": "go"}), 403
        )
        assert body["detail"] == "Alleen de directie legt het go/no-go-besluit over een businesscase vast."
        proposed.refresh_from_db()
        assert proposed.status == "ter_besluitvorming"
        assert not Share.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="businesscase.go").exists()

    def test_unauthenticated_is_a_401_problem_and_changes_nothing(self, proposed):
        assert_problem(APIClient().post(url(proposed, "besluit"), {"besluit": "go", "datum": "2024-03-01"}), 401)
        proposed.refresh_from_db()
        assert proposed.status == "ter_besluitvorming"

    def test_bad_input_is_a_400_naming_the_fields(self, proposed, directie):
        params = invalid(
            client_for(directie).post(
                url(proposed, "besluit"), {"besluit": "misschien", "datum": "gisteren", "deelnemers": [99999]}
            )
        )
        assert set(params) == {"besluit", "datum", "deelnemers"}
        assert params["deelnemers"]["reason"] == "Lid 99999 bestaat niet."
        assert set(invalid(client_for(directie).post(url(proposed, "besluit"), {}))) == {"besluit", "datum"}

    @pytest.mark.parametrize(
        ("data", "field", "reason"),
        [
            (
                {"golive": "2024-02-01"},
                "golive",
                "De go-live ligt vóór de besluitdatum.",
            ),
            (
                {"deelnemers": "ab"},
                "deelnemers",
                "Deelnemers van de community ontbreken in het besluit: Gemeente C.",
            ),
        ],
    )
    def test_the_services_refusals_are_a_400_and_store_nothing(self, proposed, members, directie, data, field, reason):
        if "deelnemers" in data:
            data = {"deelnemers": [members[code].pk for code in data["deelnemers"]]}
        body = {"besluit": "go", "datum": "2024-03-01", **data}
        params = invalid(client_for(directie).post(url(proposed, "besluit"), body))
        assert params[field]["reason"] == reason
        proposed.refresh_from_db()
        assert (proposed.status, proposed.besluitdatum) == ("ter_besluitvorming", None)
        assert not Share.objects.exists()
        assert not AuditEvent.objects.filter(action__startswith="businesscase.go").exists()

    def test_a_decided_case_is_not_decided_again(self, decided, directie):
        before = shares(decided)
        params = invalid(
            client_for(directie).post(url(decided, "besluit"), {"besluit": "no-go", "datum": "2024-04-01"})
        )
        assert params["status"]["reason"] == (
            "Besluiten kan alleen over een businesscase ter besluitvorming, niet over een besloten (go)."
        )
        decided.refresh_from_db()
        assert (decided.status, shares(decided)) == ("besloten", before)

    def test_a_fixed_key_without_100_percent_is_refused(self, community, members, directie):
        business_case = proposed_case(community, submit=False, verdeelsleutel="vast")
        services.fixed_percentages_set(
            business_case, {members["a"]: D("50"), members["b"]: D("25"), members["c"]: D("25")}, by=SYSTEM
        )
        services.businesscase_submit(business_case, by=SYSTEM)
        FixedPercentage.objects.filter(business_case=business_case, member=members["c"]).update(percentage=D("20"))
        params = invalid(
            client_for(directie).post(url(business_case, "besluit"), {"besluit": "go", "datum": "2024-03-01"})
        )
        assert (
            params["vaste_percentages"]["reason"]
            == "De vaste percentages tellen op tot 95,00%; dat moet precies 100% zijn."
        )
        assert not Share.objects.exists()


class TestReadOnly:
    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_changing_a_business_case_is_405(self, decided, directie, method):
        body = assert_problem(getattr(client_for(directie), method)(url(decided), {"titel": "Anders"}), 405)
        assert "legt de directie alleen het go/no-go-besluit vast" in body["detail"]
        decided.refresh_from_db()
        assert decided.titel == "Zaakafhandeling"

    def test_posting_a_new_business_case_is_405(self, community, directie):
        assert_problem(client_for(directie).post(LIST, {"titel": "Nieuw"}), 405)
        assert not BusinessCase.objects.exists()

    def test_a_decision_is_posted_not_read(self, decided, directie):
        assert_problem(client_for(directie).get(url(decided, "besluit")), 405)


def test_the_schema_describes_every_field_in_dutch(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    schema = json.loads(capsys.readouterr().out)
    components = schema["components"]["schemas"]
    assert set(components["BusinessCase"]["properties"]) == FIELDS
    assert set(components["Verdeling"]["properties"]) == {"lid", "gewicht", "bedrag"}
    assert set(components["Toetreding"]["properties"]) == {"lid", "bedrag", "verrekening"}
    assert set(components["Besluit"]["properties"]) >= {"besluit", "datum", "deelnemers", "golive"}
    for name in ("BusinessCase", "Kostenregel", "VastPercentage", "Besluit", "Verdeling", "Verrekening", "Toetreding"):
        assert all(field.get("description") for field in components[name]["properties"].values()), name
    paths = {p: v for p, v in schema["paths"].items() if p.startswith(LIST)}
    assert {p: set(v) for p, v in paths.items()} == {
        LIST: {"get"},
        f"{LIST}{{id}}/": {"get"},
        f"{LIST}{{id}}/besluit/": {"post"},
        f"{LIST}{{id}}/verdeling/": {"get"},
        f"{LIST}{{id}}/toetreding/": {"get"},
    }
    for path in paths.values():
        for operation in path.values():
            assert all(p.get("description") for p in operation.get("parameters", []))
    verdeling = paths[f"{LIST}{{id}}/verdeling/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert verdeling["schema"]["type"] == "array"  # one list, not in pages

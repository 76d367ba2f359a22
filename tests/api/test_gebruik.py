"""REST API v1, gebruik: usage counts read by who may see them and reported
by the directie or by a community's application with its own key, for that
community only; through the same service as the CSV import (all or none,
duplicates refused, an invoiced count kept), audited; bad input is a 400
naming the field; the key reaches no other endpoint."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from communities import services as community_services
from communities.models import ApplicationToken
from invoicing import services
from invoicing.models import ChargeKind, UsageCount
from membership.models import MemberRole
from tests.factories import CommunityFactory, MemberFactory, api_key, member_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/gebruik/"
PROBLEM = "application/problem+json"
FIELDS = {"community", "lid", "periode", "aantal"}


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


def with_participants(community, *members):
    """Usage is reported for participants only: these take part since 2025."""
    for member in members:
        community_services.participation_add(community, member, by=Actor.system(), datum=date(2025, 1, 1))
    return community


@pytest.fixture
def signalen(eindhoven, woerden):
    return with_participants(CommunityFactory(slug="signalen", naam="Signalen", trekker=eindhoven), eindhoven, woerden)


@pytest.fixture
def zaken(eindhoven, woerden):
    return with_participants(
        CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=eindhoven), eindhoven, woerden
    )


@pytest.fixture
def signalen_key(signalen, boss) -> str:
    return community_services.application_token_create(signalen, by=boss, naam="Signalen productie")[1]


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.FINANCIEEL_CONTACT)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def count(community, member, periode: str, aantal: int) -> dict:
    return {"community": community.slug, "lid": member.pk, "periode": periode, "aantal": aantal}


def stored() -> set[tuple]:
    return set(UsageCount.objects.values_list("community__slug", "member__code", "jaar", "kwartaal", "aantal"))


def report(boss, community, member, jaar, kwartaal, aantal) -> UsageCount:
    return services.usage_count_set(
        by=boss, community=community, member=member, jaar=jaar, kwartaal=kwartaal, aantal=aantal
    )


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def invalid(response) -> dict[str, str]:
    body = assert_problem(response, 400)
    return {p["name"]: p["reason"] for p in body["invalidParams"]}


# --- a community's application -------------------------------------------------------


class TestApplicationKey:
    def test_reports_usage_for_its_community_audited_as_the_application(self, signalen_key, signalen, eindhoven):
        response = key_client(signalen_key).post(LIST, count(signalen, eindhoven, "2026-Q1", 12_500))
        assert response.status_code == 201, response.content
        assert response.json() == {"community": "signalen", "lid": eindhoven.pk, "periode": "2026-Q1", "aantal": 12500}
        assert stored() == {("signalen", "eindhoven", 2026, 1, 12500)}
        event = AuditEvent.objects.get(action="gebruik.opgave")
        assert (event.actor, event.actor_label) == (None, "applicatie Signalen productie (signalen)")
        assert event.data == {"community": "signalen", "lid": "eindhoven", "periode": "2026-Q1", "aantal": 12500}

    def test_a_list_longer_than_the_limit_is_refused_before_anything_is_stored(self, signalen_key, signalen, eindhoven):
        body = [count(signalen, eindhoven, "2026-Q1", n) for n in range(1001)]
        body = assert_problem(key_client(signalen_key).post(LIST, body, format="json"), 400)
        assert "1000" in json.dumps(body) and stored() == set()

    def test_usage_of_a_member_outside_the_community_is_refused(self, signalen_key, signalen, eindhoven):
        """An application cannot bill a member that does not take part (nor an applicant)."""
        outsider = MemberFactory(code="buiten", naam="Gemeente Buiten")
        applicant = MemberFactory(code="aanvrager", naam="Gemeente Aanvrager", status="aanvraag")
        for member in (outsider, applicant):
            body = [count(signalen, eindhoven, "2026-Q1", 1), count(signalen, member, "2026-Q1", 5)]
            reasons = invalid(key_client(signalen_key).post(LIST, body, format="json"))
            assert "niet deel aan Signalen" in " ".join(reasons.values())
        assert stored() == set()

    def test_a_list_is_stored_all_at_once(self, signalen_key, signalen, eindhoven, woerden):
        body = [count(signalen, eindhoven, "2026-Q1", 12_500), count(signalen, woerden, "2026-Q1", 3_400)]
        response = key_client(signalen_key).post(LIST, body)
        assert (response.status_code, response.json()) == (201, body)
        assert stored() == {("signalen", "eindhoven", 2026, 1, 12500), ("signalen", "woerden", 2026, 1, 3400)}

    def test_another_community_is_a_403_naming_it_and_nothing_is_stored(self, signalen_key, signalen, zaken, eindhoven):
        client = key_client(signalen_key)
        body = assert_problem(client.post(LIST, count(zaken, eindhoven, "2026-Q1", 1)), 403)
        assert body["detail"] == (
            "Deze applicatiesleutel hoort bij community signalen; gebruik van community zaken geeft hij niet door."
        )
        mixed = [count(signalen, eindhoven, "2026-Q1", 1), count(zaken, eindhoven, "2026-Q1", 1)]
        assert_problem(client.post(LIST, mixed), 403)
        assert stored() == set()
        assert not AuditEvent.objects.filter(action="gebruik.opgave").exists()

    def test_reads_only_its_own_communitys_usage(self, signalen_key, signalen, zaken, eindhoven, boss):
        report(boss, signalen, eindhoven, 2026, 1, 10)
        report(boss, zaken, eindhoven, 2026, 1, 20)
        client = key_client(signalen_key)
        assert [row["community"] for row in rows(client.get(LIST))] == ["signalen"]
        assert len(rows(client.get(LIST, {"community": "signalen"}))) == 1
        body = assert_problem(client.get(LIST, {"community": "zaken"}), 403)
        assert "zaken" in body["detail"] and "signalen" in body["detail"]

    @pytest.mark.parametrize("path", ["/api/v1/facturen/", "/api/v1/businesscases/", "/api/v1/documenten/"])
    def test_reaches_no_other_endpoint(self, signalen_key, path):
        assert_problem(key_client(signalen_key).get(path), 401)

    def test_a_revoked_key_is_refused(self, signalen_key, signalen, eindhoven, boss):
        community_services.application_token_revoke(signalen.application_tokens.get(), by=boss)
        body = assert_problem(key_client(signalen_key).post(LIST, count(signalen, eindhoven, "2026-Q1", 1)), 401)
        assert body["detail"] == "Het token of de inloggegevens zijn ongeldig of verlopen."
        assert stored() == set()

    def test_a_wrong_key_with_the_prefix_is_refused(self, signalen_key):
        assert_problem(key_client(f"{signalen_key}x").get(LIST), 401)

    def test_use_is_noted_on_the_key(self, signalen_key, signalen):
        token = signalen.application_tokens.get()
        assert token.laatst_gebruikt is None
        key_client(signalen_key).get(LIST)
        token.refresh_from_db()
        assert token.laatst_gebruikt is not None

    def test_only_the_keys_hash_is_stored(self, signalen_key, signalen):
        token = ApplicationToken.objects.get()
        assert token.sleutel_hash == ApplicationToken.hash(signalen_key)
        assert signalen_key.startswith("app_") and signalen_key not in token.sleutel_hash


# --- users -------------------------------------------------------------------------------


class TestUsers:
    def test_the_directie_reports_and_reads_everything(self, directie, signalen, eindhoven, woerden):
        client = client_for(directie)
        assert client.post(LIST, count(signalen, woerden, "2026-Q2", 7)).status_code == 201
        assert rows(client.get(LIST)) == [count(signalen, woerden, "2026-Q2", 7)]
        assert AuditEvent.objects.get(action="gebruik.opgave").actor == directie

    def test_a_member_user_reads_its_own_usage_only(
        self, eindhoven_user, woerden_user, signalen, eindhoven, woerden, boss
    ):
        report(boss, signalen, eindhoven, 2026, 1, 10)
        report(boss, signalen, woerden, 2026, 1, 20)
        assert [row["lid"] for row in rows(client_for(eindhoven_user).get(LIST))] == [eindhoven.pk]
        assert [row["lid"] for row in rows(client_for(woerden_user).get(LIST))] == [woerden.pk]
        assert rows(client_for(eindhoven_user).get(LIST, {"lid": woerden.pk})) == []  # no widening

    @pytest.mark.parametrize("who", ["eindhoven_user", "manager", "rvc"])
    def test_only_the_directie_reports_as_on_the_usage_page(self, request, who, signalen, eindhoven):
        client = client_for(request.getfixturevalue(who))
        body = assert_problem(client.post(LIST, count(signalen, eindhoven, "2026-Q1", 5)), 403)
        assert body["detail"] == "Gebruik geven de directie en de applicatie van de community door."
        assert stored() == set()

    def test_a_users_api_key_still_works_here(self, directie, signalen, eindhoven, boss):
        """The application-key class comes first and leaves a user's key to the next class."""
        report(boss, signalen, eindhoven, 2026, 1, 10)
        assert len(rows(key_client(api_key(directie)).get(LIST))) == 1

    def test_unauthenticated_is_a_401_problem(self):
        response = APIClient().get(LIST)
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Token"


# --- what is reported ---------------------------------------------------------------------


class TestReporting:
    def test_a_count_reported_again_is_replaced_as_in_the_import(self, signalen_key, signalen, eindhoven):
        client = key_client(signalen_key)
        assert client.post(LIST, count(signalen, eindhoven, "2026-Q1", 100)).status_code == 201
        response = client.post(LIST, count(signalen, eindhoven, "2026-Q1", 120))
        assert (response.status_code, response.json()["aantal"]) == (200, 120)
        assert stored() == {("signalen", "eindhoven", 2026, 1, 120)}

    def test_an_invoiced_count_is_kept(self, signalen_key, signalen, eindhoven, boss):
        usage = report(boss, signalen, eindhoven, 2026, 1, 100)
        services.charge_get_or_create(
            member=eindhoven,
            soort=ChargeKind.GEBRUIK,
            bron=f"gebruik:{usage.pk}",
            bedrag=Decimal("1.50"),
            omschrijving="Gebruik Signalen 2026-Q1",
            usage=usage,
        )
        params = invalid(key_client(signalen_key).post(LIST, count(signalen, eindhoven, "2026-Q1", 120)))
        assert params == {
            "aantal": "Het gebruik van Gemeente Eindhoven in 2026-Q1 is al gefactureerd; "
            "een correctie gaat met een creditnota op die factuur."
        }
        assert stored() == {("signalen", "eindhoven", 2026, 1, 100)}

    def test_bad_fields_are_a_400_naming_them(self, signalen_key, signalen):
        response = key_client(signalen_key).post(
            LIST, {"community": "onbekend", "lid": 99999, "periode": "2026-Q5", "aantal": "veel"}
        )
        params = invalid(response)
        assert set(params) == FIELDS
        assert params["community"] == "Community onbekend bestaat niet."
        assert params["lid"] == "Lid 99999 bestaat niet."
        assert params["periode"].startswith("Geef het kwartaal als jaar-Q-kwartaal, bijv. 2026-Q1")
        assert stored() == set()

    @pytest.mark.parametrize("periode", ["2026-5", "2026-Q0", "2026Q1", "1999-Q1", "2101-Q4", "2026-q1 "])
    def test_a_periode_not_as_the_portal_writes_it(self, signalen_key, signalen, eindhoven, periode):
        params = invalid(key_client(signalen_key).post(LIST, count(signalen, eindhoven, periode, 1)))
        assert set(params) == {"periode"}

    def test_a_negative_count_is_refused_by_the_service(self, signalen_key, signalen, eindhoven):
        params = invalid(key_client(signalen_key).post(LIST, count(signalen, eindhoven, "2026-Q1", -3)))
        assert params == {"aantal": "Een aantal transacties kan niet negatief zijn."}
        assert stored() == set()

    def test_a_duplicate_in_one_report_is_refused_and_nothing_stored(self, signalen_key, signalen, eindhoven, woerden):
        body = [
            count(signalen, eindhoven, "2026-Q1", 1),
            count(signalen, woerden, "2026-Q1", 2),
            count(signalen, eindhoven, "2026-Q1", 3),
        ]
        params = invalid(key_client(signalen_key).post(LIST, body))
        assert params == {"2.periode": "Staat dubbel in deze opgave (ook op positie 0): één aantal per kwartaal."}
        assert stored() == set()

    def test_one_bad_count_in_a_list_stores_none(self, signalen_key, signalen, eindhoven, woerden):
        body = [count(signalen, eindhoven, "2026-Q1", 1), {**count(signalen, woerden, "2026-Q1", 2), "lid": "x"}]
        assert set(invalid(key_client(signalen_key).post(LIST, body))) == {"1.lid"}
        body = [count(signalen, eindhoven, "2026-Q1", 1), count(signalen, woerden, "2026-Q1", -2)]
        assert invalid(key_client(signalen_key).post(LIST, body)) == {
            "1.aantal": "Een aantal transacties kan niet negatief zijn."
        }
        assert stored() == set()  # the first count was written, then rolled back
        assert not AuditEvent.objects.filter(action="gebruik.opgave").exists()

    def test_an_empty_list_or_no_object_is_a_400(self, signalen_key):
        client = key_client(signalen_key)
        assert set(invalid(client.post(LIST, [], format="json"))) == {"nonFieldErrors"}
        assert set(invalid(client.post(LIST, "veel", format="json"))) == {"nonFieldErrors"}

    @pytest.mark.parametrize("method", ["put", "patch", "delete"])
    def test_other_methods_are_405(self, signalen_key, method):
        assert_problem(getattr(key_client(signalen_key), method)(LIST, {}), 405)


# --- reading ---------------------------------------------------------------------------------


class TestReading:
    @pytest.fixture
    def history(self, signalen, zaken, eindhoven, woerden, boss):
        for jaar, kwartaal in ((2025, 4), (2026, 1), (2026, 2)):
            report(boss, signalen, eindhoven, jaar, kwartaal, kwartaal * 100)
        report(boss, zaken, woerden, 2026, 1, 5)

    def test_filters_and_ordering(self, directie, woerden, history):
        client = client_for(directie)
        periods = [row["periode"] for row in rows(client.get(LIST))]
        assert periods == ["2026-Q2", "2026-Q1", "2026-Q1", "2025-Q4"]  # newest first, then by community
        assert [row["periode"] for row in rows(client.get(LIST, {"ordering": "periode"}))] == periods[::-1]
        assert [row["periode"] for row in rows(client.get(LIST, {"jaar": 2025}))] == ["2025-Q4"]
        assert [row["community"] for row in rows(client.get(LIST, {"periode": "2026-Q1"}))] == ["signalen", "zaken"]
        assert rows(client.get(LIST, {"community": "zaken"})) == [
            {"community": "zaken", "lid": woerden.pk, "periode": "2026-Q1", "aantal": 5}
        ]
        assert [row["aantal"] for row in rows(client.get(LIST, {"lid": woerden.pk}))] == [5]

    def test_a_wrong_filter_is_a_400_with_invalid_params(self, directie, history):
        params = invalid(client_for(directie).get(LIST, {"periode": "Q1", "jaar": "x", "ordering": "aantal"}))
        assert set(params) == {"periode", "jaar", "ordering"}


@pytest.mark.parametrize("who", ["directie", "eindhoven_user", "application"])
def test_the_list_costs_the_same_queries_for_3_and_30_counts(
    request, who, signalen, eindhoven, boss, django_assert_max_num_queries
):
    if who == "application":
        client = key_client(request.getfixturevalue("signalen_key"))
    else:
        client = client_for(request.getfixturevalue(who))

    def add(first, n):
        for i in range(first, first + n):
            report(boss, signalen, eindhoven, 2025 + i // 4, i % 4 + 1, i)

    add(0, 3)
    with CaptureQueriesContext(connection) as three:
        assert len(rows(client.get(LIST))) == 3
    add(3, 27)
    for _ in range(27):
        other = MemberFactory()
        with_participants(signalen, other)
        report(boss, signalen, other, 2026, 1, 1)  # other members' counts cost nothing either
    with django_assert_max_num_queries(len(three)):
        found = rows(client.get(LIST))
    assert len(found) == (50 if who != "eindhoven_user" else 30)
    assert len(three) <= 6  # (key lookup, last used), (permissions), count, page


def test_the_schema_describes_every_field_in_dutch(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    schema = json.loads(capsys.readouterr().out)
    gebruik = schema["components"]["schemas"]["Gebruik"]["properties"]
    assert set(gebruik) == FIELDS
    assert all(field.get("description") for field in gebruik.values())
    assert gebruik["periode"]["pattern"] == "^([0-9]{4})-Q([1-4])$"
    assert set(schema["paths"][LIST]) == {"get", "post"}
    post = schema["paths"][LIST]["post"]
    assert {"applicatiesleutel": []} in post["security"]
    assert all(p.get("description") for p in schema["paths"][LIST]["get"]["parameters"])
    assert "applicatiesleutel" not in json.dumps(schema["paths"]["/api/v1/facturen/"])


def test_an_application_key_has_its_own_rate_limit(settings, signalen_key, directie):
    settings.API_RATE_LIMIT = "2/minute"
    client = key_client(signalen_key)
    assert client.get(LIST).status_code == client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert_problem(response, 429)
    assert "Retry-After" in response
    assert client_for(directie).get(LIST).status_code == 200  # another caller, another budget


def test_the_service_itself_refuses_whoever_may_not_report(eindhoven_user, signalen, eindhoven):
    """Not only the view: usage_counts_report checks the actor too."""
    count = services.UsageReport(community=signalen, member=eindhoven, jaar=2026, kwartaal=1, aantal=1)
    with pytest.raises(PermissionDenied):
        services.usage_counts_report([count], by=Actor(user=eindhoven_user, member=eindhoven))
    assert stored() == set()

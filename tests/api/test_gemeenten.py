"""REST API v1, gemeenten and their inwonertallen: public to every logged-in
user, the exact contract fields, filters and ordering validated (400 with
invalidParams), read-only (405, nothing changes), a constant query budget and
the schema. Also the small helpers the other tests of issue 7 part B share."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from membership.models import Gemeente, Inwonertal, MemberRole
from tests.factories import GemeenteFactory, InwonertalFactory, api_key, member_user

pytestmark = pytest.mark.django_db

LIST = "/api/v1/gemeenten/"
PROBLEM = "application/problem+json"
FIELDS = {"code", "naam"}
INWONERTAL_FIELDS = {"jaar", "aantal", "bron", "status"}


# --- helpers shared by test_leden, test_contributie and test_communities --------------


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    """A real `Authorization: Token` header: every request loads the user and
    its permissions afresh, as in production."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def invalid_params(response) -> dict[str, dict]:
    body = assert_problem(response, 400)
    assert body["title"] == "Ongeldige aanvraag"
    return {param["name"]: param for param in body["invalidParams"]}


def schema(capsys) -> dict:
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    return json.loads(capsys.readouterr().out)


def assert_described(component: dict, fields: set[str]) -> None:
    """Exactly these fields, each with a Dutch description for the OpenAPI docs."""
    assert set(component["properties"]) == fields
    assert all(field.get("description") for field in component["properties"].values())


# --- data ------------------------------------------------------------------------------


@pytest.fixture
def gemeenten(db):
    return [
        GemeenteFactory(code="GM0772", naam="Eindhoven"),
        GemeenteFactory(code="GM0632", naam="Woerden"),
        GemeenteFactory(code="GM0757", naam="Boxtel"),
    ]


@pytest.fixture
def eindhoven_figures(gemeenten):
    eindhoven = gemeenten[0]
    return [
        InwonertalFactory(gemeente=eindhoven, jaar=2025, aantal=238_326),
        InwonertalFactory(gemeente=eindhoven, jaar=2026, aantal=240_001, bron="CBS voorlopig", status="voorlopig"),
        InwonertalFactory(gemeente=GemeenteFactory(code="GM0632"), jaar=2026, aantal=52_310),
    ]


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.FINANCIEEL_CONTACT)


def codes(response) -> list[str]:
    return [row["code"] for row in results(response)]


def inwonertallen(gemeente="GM0772") -> str:
    return f"{LIST}{gemeente}/inwonertallen/"


# --- gemeenten ---------------------------------------------------------------------------


class TestGemeenten:
    def test_every_logged_in_user_sees_all_gemeenten_by_name(self, gemeenten, directie, rvc, eindhoven_user):
        for user in (directie, rvc, eindhoven_user):
            assert codes(client_for(user).get(LIST)) == ["GM0757", "GM0772", "GM0632"], user

    def test_exactly_the_contract_fields(self, gemeenten, eindhoven_user):
        client = client_for(eindhoven_user)
        assert results(client.get(LIST))[0] == {"code": "GM0757", "naam": "Boxtel"}
        assert client.get(f"{LIST}GM0772/").json() == {"code": "GM0772", "naam": "Eindhoven"}

    def test_zoekterm_and_ordering(self, gemeenten, eindhoven_user):
        client = client_for(eindhoven_user)
        assert codes(client.get(LIST, {"zoekterm": "OVEN"})) == ["GM0772"]
        assert codes(client.get(LIST, {"zoekterm": "gm0632"})) == ["GM0632"]
        assert codes(client.get(LIST, {"ordering": "code"})) == ["GM0632", "GM0757", "GM0772"]
        assert codes(client.get(LIST, {"ordering": "-naam"})) == ["GM0632", "GM0772", "GM0757"]

    def test_a_wrong_ordering_is_a_400_naming_it(self, gemeenten, eindhoven_user):
        params = invalid_params(client_for(eindhoven_user).get(LIST, {"ordering": "inwoners", "zoekterm": "x" * 101}))
        assert set(params) == {"ordering", "zoekterm"}
        assert params["ordering"]["code"] == "invalid_choice"

    def test_an_unknown_code_is_a_404_problem(self, gemeenten, eindhoven_user):
        body = assert_problem(client_for(eindhoven_user).get(f"{LIST}GM9999/"), 404)
        assert body["detail"] == "Deze gemeente bestaat niet."

    def test_the_list_is_paginated(self, gemeenten, eindhoven_user):
        body = client_for(eindhoven_user).get(LIST).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["next"]) == (3, None)


# --- inwonertallen ------------------------------------------------------------------------


class TestInwonertallen:
    def test_the_figures_of_one_gemeente_oldest_first(self, eindhoven_figures, woerden_user):
        """Public data: a user of another member reads Eindhoven's figures."""
        rows = results(client_for(woerden_user).get(inwonertallen()))
        assert rows == [
            {"jaar": 2025, "aantal": 238_326, "bron": "CBS StatLine 03759ned", "status": "definitief"},
            {"jaar": 2026, "aantal": 240_001, "bron": "CBS voorlopig", "status": "voorlopig"},
        ]
        assert all(set(row) == INWONERTAL_FIELDS for row in rows)

    def test_jaar_status_and_ordering(self, eindhoven_figures, eindhoven_user):
        client = client_for(eindhoven_user)
        assert [r["aantal"] for r in results(client.get(inwonertallen(), {"jaar": 2025}))] == [238_326]
        assert [r["jaar"] for r in results(client.get(inwonertallen(), {"status": "voorlopig"}))] == [2026]
        assert [r["jaar"] for r in results(client.get(inwonertallen(), {"ordering": "-jaar"}))] == [2026, 2025]
        assert results(client.get(inwonertallen(), {"jaar": 2030})) == []

    def test_wrong_parameters_are_a_400_naming_each(self, eindhoven_figures, eindhoven_user):
        response = client_for(eindhoven_user).get(
            inwonertallen(), {"jaar": "vorig", "status": "geschat", "ordering": "aantal"}
        )
        params = invalid_params(response)
        assert set(params) == {"jaar", "status", "ordering"}
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."
        assert params["status"]["code"] == "invalid_choice"

    def test_an_unknown_gemeente_is_a_404_not_an_empty_list(self, eindhoven_figures, eindhoven_user):
        body = assert_problem(client_for(eindhoven_user).get(inwonertallen("GM9999")), 404)
        assert body["detail"] == "Deze gemeente bestaat niet."


# --- read-only, authentication ------------------------------------------------------------


class TestReadOnly:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    @pytest.mark.parametrize("path", [LIST, f"{LIST}GM0772/", inwonertallen()])
    def test_writes_are_405_in_dutch_and_change_nothing(self, eindhoven_figures, directie, method, path):
        before = list(Gemeente.objects.values_list("code", "naam")), list(Inwonertal.objects.values_list("aantal"))
        response = getattr(client_for(directie), method)(path, {"code": "GM0772", "naam": "X", "aantal": 1})
        body = assert_problem(response, 405)
        assert body["title"] == "Methode niet toegestaan"
        assert body["detail"].startswith("Gemeenten en inwonertallen zijn via de API alleen te lezen")
        assert "GET" in response["Allow"]
        after = list(Gemeente.objects.values_list("code", "naam")), list(Inwonertal.objects.values_list("aantal"))
        assert after == before

    @pytest.mark.parametrize("path", [LIST, f"{LIST}GM0772/", inwonertallen()])
    def test_unauthenticated_is_a_401_problem(self, eindhoven_figures, path):
        response = APIClient().get(path)
        assert assert_problem(response, 401)["title"] == "Niet geauthenticeerd"
        assert response["WWW-Authenticate"] == "Token"

    def test_a_real_token_header(self, eindhoven_figures, eindhoven_user):
        client = token_client(eindhoven_user)
        assert "GM0772" in codes(client.get(LIST))
        assert [r["jaar"] for r in results(client.get(inwonertallen()))] == [2025, 2026]


# --- query budget and schema ----------------------------------------------------------------


def test_the_list_costs_the_same_queries_for_3_and_30_gemeenten(eindhoven_user, django_assert_max_num_queries):
    client = token_client(eindhoven_user)
    for i in range(3):
        GemeenteFactory(code=f"GM01{i:02d}")
    client.get(LIST)  # the key's "laatst gebruikt" is written once a minute: not in the measurement
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(LIST))) >= 3
    for i in range(3, 30):
        GemeenteFactory(code=f"GM01{i:02d}")
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(LIST))) >= 30
    assert len(three) <= 3  # token+user, count, page


def test_inwonertallen_cost_the_same_queries_for_3_and_30_years(eindhoven_user, django_assert_max_num_queries):
    gemeente = GemeenteFactory(code="GM0772")
    client = token_client(eindhoven_user)
    for jaar in range(2000, 2003):
        InwonertalFactory(gemeente=gemeente, jaar=jaar)
    client.get(inwonertallen())
    with CaptureQueriesContext(connection) as three:
        assert len(results(client.get(inwonertallen()))) == 3
    for jaar in range(2003, 2030):
        InwonertalFactory(gemeente=gemeente, jaar=jaar)
    with django_assert_max_num_queries(len(three)):
        assert len(results(client.get(inwonertallen()))) == 30
    assert len(three) <= 4  # token+user, gemeente, count, page


def test_the_schema_is_dutch_and_read_only(capsys):
    spec = schema(capsys)
    components = spec["components"]["schemas"]
    assert_described(components["Gemeente"], FIELDS)
    assert_described(components["Inwonertal"], INWONERTAL_FIELDS)
    paths = {p: v for p, v in spec["paths"].items() if p.startswith(LIST)}
    assert set(paths) == {LIST, f"{LIST}{{code}}/", f"{LIST}{{code}}/inwonertallen/"}
    for path in paths.values():
        assert set(path) == {"get"}
        assert all(p.get("description") for p in path["get"]["parameters"])

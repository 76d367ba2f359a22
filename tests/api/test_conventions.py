"""What holds for every operation of v1 whatever its view: pages (a wrong
page is a 400 with invalidParams, one past the last a 404), the rate limit
and the key in the schema, optional query parameters that may be empty, and
Dutch descriptions of the page envelope."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.factories import api_key

pytestmark = pytest.mark.django_db

LIST = "/api/v1/facturen/"
PROBLEM = "application/problem+json"


@pytest.fixture
def client(eindhoven_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(eindhoven_user)}")
    return client


@pytest.fixture(scope="module")
def schema():
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out)
    return json.loads(out.getvalue())


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


class TestPages:
    @pytest.mark.parametrize(("page", "code"), [("abc", "invalid"), ("0", "min_value"), ("-1", "min_value")])
    def test_a_page_that_is_no_number_from_1_is_a_400_naming_page(self, client, page, code):
        response = client.get(LIST, {"page": page})
        assert response.status_code == 400
        assert response["Content-Type"] == PROBLEM
        params = response.json()["invalidParams"]
        assert [(p["name"], p["code"]) for p in params] == [("page", code)]
        assert all(p["reason"] for p in params)

    def test_a_page_past_the_last_is_a_404_problem(self, client):
        response = client.get(LIST, {"page": 2})
        assert response.status_code == 404
        assert response["Content-Type"] == PROBLEM
        assert response.json()["detail"] == "Pagina 2 bestaat niet."

    @pytest.mark.parametrize("query", [{"page": ""}, {"page": 1}, {}])
    def test_page_1_empty_or_left_out_is_the_first_page(self, client, query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


class TestSchema:
    def test_every_operation_documents_the_rate_limit(self, schema):
        for label, operation in operations(schema):
            too_many = operation["responses"].get("429")
            assert too_many, label
            assert set(too_many["content"]) == {PROBLEM}, label
            assert "Retry-After" in too_many["headers"], label

    def test_every_paged_list_documents_its_page_errors_and_first_page(self, schema):
        paged = 0
        for label, operation in operations(schema):
            page = next((p for p in operation.get("parameters", []) if p["name"] == "page"), None)
            if page is None:
                continue
            paged += 1
            assert page["schema"] == {"type": "integer", "minimum": 1}, label
            assert {"400", "404"} <= set(operation["responses"]), label
        assert paged >= 2  # facturen and documenten at least

    def test_optional_query_parameters_may_be_empty(self, schema):
        for label, operation in operations(schema):
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    expected = None if parameter.get("required") else True
                    assert parameter.get("allowEmptyValue") is expected, label

    def test_the_page_envelope_and_the_key_are_described_in_dutch(self, schema):
        envelope = schema["components"]["schemas"]["PaginatedFactuurList"]
        assert set(envelope["required"]) == {"count", "next", "previous", "results"}
        descriptions = {name: field["description"] for name, field in envelope["properties"].items()}
        assert descriptions["results"] == "De resultaten op deze pagina, hoogstens 50."
        assert all(descriptions.values())
        token = schema["components"]["securitySchemes"]["tokenAuth"]
        assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")
        assert "API-sleutel" in token["description"] and "manage.py api_token" in token["description"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/gebruik/?lid={big}",
        "/api/v1/facturen/?lid={big}",
        "/api/v1/stemmingen/?vergadering={big}",
        "/api/v1/communities/?trekker={big}",
        "/api/v1/businesscases/?lid={big}",
        "/api/v1/contributie/?jaar=2026&lid={big}",
    ],
)
def test_an_id_too_large_for_the_database_is_a_400_naming_it(url, directie):
    """SQLite (make run) overflows on such an id; the filter refuses it first."""
    client = APIClient()
    client.force_authenticate(directie)
    response = client.get(url.format(big=10**20))
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] in ("lid", "vergadering", "trekker")

"""REST API v1, documenten: the same visibility as the pages (a member's
token never lists, finds, reads or downloads an RvC-only document; concepts
are invisible to their audience until shared; community documents are the
participants'), the contract fields, downloads, filters, read-only, errors as
problem+json, a constant query budget and the schema."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from communities.models import Participation
from governance import services, uploads
from governance.models import Body, Document
from membership.models import MemberRole
from tests.conftest import with_totp
from tests.factories import CommunityFactory, UserFactory, api_key, member_user
from tests.governance.test_documents import PDF_BYTES, docx_upload, make_document, odt_upload, pdf_upload

pytestmark = pytest.mark.django_db

LIST = "/api/v1/documenten/"
PROBLEM = "application/problem+json"
FIELDS = {
    "id",
    "titel",
    "soort",
    "doelgroep",
    "community",
    "jaar",
    "kwartaal",
    "status",
    "vastgesteld_op",
    "besluit",
    "versies",
}
VERSION_FIELDS = {"nummer", "bestandsnaam", "content_type", "grootte", "sha256", "download"}


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["titel"] for row in response.json()["results"]]


def url(document, nummer=None) -> str:
    return f"{LIST}{document.pk}/" + (f"versies/{nummer}/" if nummer else "")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def rvc_body(db):
    return Body.objects.get(soort=Body.Kind.RVC)


@pytest.fixture
def rvc_document(boss):
    return make_document(
        boss,
        titel="Zelfevaluatie raad van commissarissen",
        soort="zelfevaluatie-rvc",
        doelgroep="rvc",
        bestand=pdf_upload("zelfevaluatie-geheim.pdf"),
    )


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER)


# --- who sees what ------------------------------------------------------------------


class TestVisibility:
    def test_a_member_token_cannot_list_search_read_or_download_an_rvc_document(self, eindhoven_user, rvc_document):
        client = token_client(eindhoven_user)
        assert titles(client.get(LIST)) == []
        assert titles(client.get(LIST, {"zoekterm": "zelfevaluatie"})) == []
        assert titles(client.get(LIST, {"zoekterm": "geheim"})) == []
        assert titles(client.get(LIST, {"soort": "zelfevaluatie-rvc"})) == []
        hidden = assert_problem(client.get(url(rvc_document)), 404)
        missing = assert_problem(client.get(f"{LIST}{rvc_document.pk + 1000}/"), 404)
        assert hidden["detail"] == missing["detail"]
        assert_problem(client.get(url(rvc_document, 1)), 404)
        assert_problem(client.get(url(rvc_document, 1), HTTP_ACCEPT="application/pdf"), 404)

    def test_an_rvc_token_can(self, rvc, rvc_document):
        client = token_client(rvc)
        assert titles(client.get(LIST)) == [rvc_document.titel]
        assert titles(client.get(LIST, {"zoekterm": "geheim"})) == [rvc_document.titel]
        assert client.get(url(rvc_document)).json()["titel"] == rvc_document.titel
        response = client.get(url(rvc_document, 1))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES

    def test_a_concept_not_yet_shared_is_invisible_to_its_audience(self, eindhoven_user, rvc, boss):
        concept = make_document(boss, titel="Concept begroting", doelgroep="rvc", shared=False)
        members = make_document(boss, titel="Concept notulen", doelgroep="leden", shared=False)
        rvc_client, member_client = token_client(rvc), token_client(eindhoven_user)
        assert titles(rvc_client.get(LIST)) == []
        assert_problem(rvc_client.get(url(concept)), 404)
        assert_problem(rvc_client.get(url(concept, 1)), 404)
        assert_problem(member_client.get(url(members)), 404)
        services.document_share(by=boss, document=concept)
        assert titles(rvc_client.get(LIST)) == ["Concept begroting"]
        assert rvc_client.get(url(concept, 1)).status_code == 200

    def test_a_closed_rvc_document_is_the_rvcs_only(self, directie, rvc, boss):
        """The RvC's closed documents: not the directie's nor the secretaris's,
        not even by token, and the same 404 as a missing document."""
        closed = services.document_create(
            by=Actor(user=rvc),
            titel="Evaluatie directie 2026",
            soort="evaluatie-directie",
            doelgroep="rvc-besloten",
            jaar=2026,
            bestand=pdf_upload("evaluatie-geheim.pdf"),
        )
        make_document(boss, titel="Begroting", doelgroep="rvc")
        secretaris = with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))
        for user in (directie, secretaris):
            client = token_client(user)
            assert titles(client.get(LIST)) == ["Begroting"]
            assert titles(client.get(LIST, {"zoekterm": "geheim"})) == []
            assert titles(client.get(LIST, {"soort": "evaluatie-directie"})) == []
            hidden = assert_problem(client.get(url(closed)), 404)
            missing = assert_problem(client.get(f"{LIST}{closed.pk + 1000}/"), 404)
            assert hidden["detail"] == missing["detail"]
            assert_problem(client.get(url(closed, 1)), 404)
        client = token_client(rvc)
        assert titles(client.get(LIST, {"zoekterm": "geheim"})) == ["Evaluatie directie 2026"]
        assert client.get(url(closed)).json()["doelgroep"] == "rvc-besloten"
        response = client.get(url(closed, 1))
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES

    def test_the_directie_sees_concepts(self, directie, boss):
        make_document(boss, titel="Concept", shared=False)
        assert titles(token_client(directie).get(LIST)) == ["Concept"]

    def test_a_community_document_is_for_participating_members_only(
        self, eindhoven_user, woerden_user, boss, eindhoven
    ):
        community = CommunityFactory(slug="zaaksysteem")
        Participation.objects.create(
            community=community, member=eindhoven, status=Participation.Status.DEELNEMER, datum=date(2025, 1, 1)
        )
        document = make_document(boss, titel="Roadmap", doelgroep="community", community=community)
        participant, outsider = token_client(eindhoven_user), token_client(woerden_user)
        body = participant.get(url(document)).json()
        assert body["community"] == "zaaksysteem"
        assert participant.get(url(document, 1)).status_code == 200
        assert titles(outsider.get(LIST)) == []
        assert titles(outsider.get(LIST, {"zoekterm": "roadmap"})) == []
        assert_problem(outsider.get(url(document)), 404)
        assert_problem(outsider.get(url(document, 1)), 404)


# --- the contract ---------------------------------------------------------------------


class TestFields:
    def test_exactly_the_contract_fields(self, rvc, boss):
        document = make_document(
            boss, titel="Kwartaalrapportage Q1", soort="kwartaalrapportage", doelgroep="rvc", jaar=2026, kwartaal=1
        )
        services.document_add_version(by=boss, document=document, bestand=docx_upload("q1-v2.docx"))
        # A kwartaalrapportage is adopted by the directie (ADOPTED_BY).
        decision = services.decision_record(
            by=boss,
            body=Body.objects.get(soort=Body.Kind.DIRECTIE),
            kenmerk="DIR-2026-04",
            datum=date(2026, 4, 20),
            onderwerp="Q1",
        )
        services.document_adopt(by=boss, document=document, besluit=decision)
        [row] = token_client(rvc).get(LIST).json()["results"]
        assert set(row) == FIELDS
        version = document.versions.get(nummer=2)
        assert {k: v for k, v in row.items() if k != "versies"} == {
            "id": document.pk,
            "titel": "Kwartaalrapportage Q1",
            "soort": "kwartaalrapportage",
            "doelgroep": "rvc",
            "community": None,
            "jaar": 2026,
            "kwartaal": 1,
            "status": "vastgesteld",
            "vastgesteld_op": "2026-04-20",
            "besluit": "DIR-2026-04",
        }
        assert [v["nummer"] for v in row["versies"]] == [1, 2]
        assert set(row["versies"][1]) == VERSION_FIELDS
        assert row["versies"][1] == {
            "nummer": 2,
            "bestandsnaam": "q1-v2.docx",
            "content_type": uploads.DOCX,
            "grootte": version.grootte,
            "sha256": version.sha256,
            "download": f"http://testserver{LIST}{document.pk}/versies/2/",
        }

    def test_a_concept_has_no_decision(self, directie, boss):
        document = make_document(boss, shared=False)
        body = token_client(directie).get(url(document)).json()
        assert (body["status"], body["besluit"], body["vastgesteld_op"], body["community"]) == (
            "concept",
            None,
            None,
            None,
        )

    @pytest.mark.parametrize(
        ("make", "name", "content_type"),
        [
            (pdf_upload, "notulen.pdf", uploads.PDF),
            (docx_upload, "notulen.docx", uploads.DOCX),
            (odt_upload, "n.odt", uploads.ODT),
        ],
    )
    def test_a_download_is_the_stored_file_with_its_name_and_type(self, eindhoven_user, boss, make, name, content_type):
        upload = make(name)
        content = upload.read()
        upload.seek(0)
        document = make_document(boss, bestand=upload)
        client = token_client(eindhoven_user)
        download = client.get(url(document)).json()["versies"][0]["download"]
        response = client.get(download)
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{name}"'
        assert b"".join(response.streaming_content) == content

    def test_asking_for_the_documents_own_type_works(self, eindhoven_user, boss):
        document = make_document(boss, bestand=odt_upload())
        response = token_client(eindhoven_user).get(url(document, 1), HTTP_ACCEPT=uploads.ODT)
        assert response.status_code == 200
        assert response["Content-Type"] == uploads.ODT

    def test_a_missing_version_is_a_404_problem(self, eindhoven_user, boss):
        document = make_document(boss)
        body = assert_problem(token_client(eindhoven_user).get(url(document, 2)), 404)
        assert body["detail"] == "Versie 2 van dit document bestaat niet."


class TestFilters:
    @pytest.fixture
    def mixed(self, boss, rvc_body):
        make_document(boss, titel="Begroting 2027", soort="begroting", doelgroep="rvc", bestand=pdf_upload("b.pdf"))
        make_document(boss, titel="Statuten", soort="statuten", bestand=pdf_upload("statuten-2019.pdf"), shared=False)
        notulen = make_document(boss, titel="Notulen ALV", soort="notulen")
        decision = services.decision_record(
            by=boss, body=rvc_body, kenmerk="RvC-2026-11", datum=date(2026, 4, 1), onderwerp="X"
        )
        services.document_adopt(by=boss, document=notulen, besluit=decision)

    def test_soort_status_and_zoekterm(self, directie, mixed):
        client = token_client(directie)
        assert titles(client.get(LIST)) == ["Notulen ALV", "Statuten", "Begroting 2027"]
        assert titles(client.get(LIST, {"soort": "begroting"})) == ["Begroting 2027"]
        assert titles(client.get(LIST, {"status": "concept"})) == ["Statuten", "Begroting 2027"]
        assert titles(client.get(LIST, {"zoekterm": "2019"})) == ["Statuten"]
        assert titles(client.get(LIST, {"zoekterm": "NOTULEN", "status": "vastgesteld"})) == ["Notulen ALV"]

    def test_a_member_cannot_widen_its_view_with_filters(self, eindhoven_user, mixed):
        client = token_client(eindhoven_user)
        assert titles(client.get(LIST)) == ["Notulen ALV"]
        assert titles(client.get(LIST, {"soort": "begroting"})) == []
        assert titles(client.get(LIST, {"status": "concept"})) == []

    def test_a_wrong_filter_is_a_400_with_invalid_params(self, directie, mixed):
        body = assert_problem(token_client(directie).get(LIST, {"soort": "roman", "status": "x"}), 400)
        assert {p["name"] for p in body["invalidParams"]} == {"soort", "status"}
        assert all(p["code"] == "invalid_choice" for p in body["invalidParams"])


# --- read-only and errors --------------------------------------------------------------------


class TestReadOnly:
    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_are_405_and_change_nothing(self, directie, boss, method):
        document = make_document(boss, titel="Origineel", shared=False)
        client = token_client(directie)
        for path in (LIST, url(document), url(document, 1)):
            body = assert_problem(getattr(client, method)(path, {"titel": "Gewijzigd"}, format="json"), 405)
            if path != url(document, 1):
                assert "alleen te lezen" in body["detail"]
        document.refresh_from_db()
        assert (document.titel, document.status, document.versions.count()) == ("Origineel", "concept", 1)
        assert Document.objects.count() == 1

    @pytest.mark.parametrize("path", [LIST, f"{LIST}1/", f"{LIST}1/versies/1/"])
    def test_unauthenticated_is_a_401_problem(self, boss, path):
        make_document(boss)
        response = APIClient().get(path)
        assert_problem(response, 401)
        assert response["WWW-Authenticate"] == "Token"

    def test_a_session_works_too(self, eindhoven_user, boss):
        make_document(boss, titel="Notulen")
        client = APIClient()
        client.force_login(eindhoven_user)
        assert titles(client.get(LIST)) == ["Notulen"]


# --- query budget and schema ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["directie", "rvc", "eindhoven_user"])
def test_the_list_costs_the_same_queries_for_3_and_30_documents(
    request, who, boss, eindhoven, django_assert_max_num_queries
):
    community = CommunityFactory()
    Participation.objects.create(
        community=community, member=eindhoven, status=Participation.Status.DEELNEMER, datum=date(2025, 1, 1)
    )
    client = token_client(request.getfixturevalue(who))

    def add(n):
        for i in range(n):
            doelgroep = ["leden", "rvc", "community"][i % 3]
            document = make_document(
                boss, titel=f"D{i}", doelgroep=doelgroep, community=community if doelgroep == "community" else None
            )
            services.document_add_version(by=boss, document=document, bestand=docx_upload())

    add(3)
    with CaptureQueriesContext(connection) as three:
        small = client.get(LIST).json()
    add(27)
    with django_assert_max_num_queries(len(three)):
        large = client.get(LIST).json()
    expected = {"directie": 30, "rvc": 20, "eindhoven_user": 20}[who]
    assert large["count"] == expected and len(large["results"]) == expected
    assert len(small["results"]) == expected // 10
    assert all(len(row["versies"]) == 2 for row in large["results"])
    assert len(three) <= 9  # token+user, permissions, (communities), count, page, versions


def test_the_schema_is_dutch_and_valid(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    schema = json.loads(capsys.readouterr().out)
    components = schema["components"]["schemas"]
    assert set(components["Document"]["properties"]) == FIELDS
    assert set(components["DocumentVersie"]["properties"]) == VERSION_FIELDS
    for name in ("Document", "DocumentVersie"):
        assert all(field.get("description") for field in components[name]["properties"].values())
    paths = {p: v for p, v in schema["paths"].items() if p.startswith(LIST)}
    assert set(paths) == {LIST, f"{LIST}{{id}}/", f"{LIST}{{id}}/versies/{{nummer}}/"}
    for path in paths.values():
        assert set(path) == {"get"}  # no write operation exists
        assert all(p.get("description") for p in path["get"]["parameters"])
    download = paths[f"{LIST}{{id}}/versies/{{nummer}}/"]["get"]["responses"]["200"]["content"]
    assert set(download) == {uploads.PDF, uploads.ODT, uploads.DOCX}

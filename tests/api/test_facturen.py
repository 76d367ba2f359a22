"""REST API v1, facturen: who sees which invoice, the exact contract fields,
the PDF and UBL downloads, filters, a constant query budget, errors as
problem+json, and that no call through the API changes or deletes an invoice."""

import itertools
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from beware.common.audit import Actor
from invoicing import selectors, services
from invoicing.models import ContributionRate, Invoice
from membership import services as membership_services
from membership.models import Contact, Factuurkenmerk, Inwonertal, MemberRole
from tests.conftest import login
from tests.factories import api_key, member_user

D = Decimal
YEAR = 2026
LIST = "/api/v1/facturen/"
PROBLEM = "application/problem+json"
FIELDS = {"nummer", "lid", "soort", "datum", "vervaldatum", "totaal", "btw", "status", "pdf", "ubl"}
_bron = itertools.count(1)


# --- data, through the real services ----------------------------------------------


def billable(member, inwoners: int):
    """Everything finalising needs: an inwonertal, address, OIN, financial
    contact and factuurkenmerk (as tests/invoicing/test_services.py's billable)."""
    for representation in member.representations.all():
        Inwonertal.objects.create(gemeente=representation.gemeente, jaar=YEAR, aantal=inwoners)
    member.adres, member.postcode, member.plaats = "Markt 1", "1234 AB", member.code.title()
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Contact.objects.create(member=member, naam="Fien Financiën", email=f"finance@{member.code}.nl", rol="financieel")
    Factuurkenmerk.objects.create(member=member, jaar=YEAR, kenmerk=f"INK-{member.code}")
    return member


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def rate(db):
    return ContributionRate.objects.create(
        jaar=YEAR,
        bedrag_per_inwoner=D("0.3500"),
        besluit="ALV 10 december 2025, punt 4",
        besluitdatum=date(2025, 12, 10),
    )


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.FINANCIEEL_CONTACT)


@pytest.fixture
def eindhoven_invoice(eindhoven, rate, boss):
    return services.contribution_invoice(billable(eindhoven, 238_000), rate, by=boss)  # € 83.300,00


@pytest.fixture
def woerden_invoice(woerden, rate, boss):
    return services.contribution_invoice(billable(woerden, 52_000), rate, by=boss)  # € 18.200,00


def draft(member, boss, bedrag="1000.00") -> Invoice:
    """A draft with one yearly-costs line (21% btw)."""
    charge, _ = services.charge_get_or_create(
        member=member, soort="jaarkosten", bron=f"test:{next(_bron)}", bedrag=D(bedrag), omschrijving="Hosting"
    )
    return services.invoice_draft(member, [charge], by=boss, omschrijving="Jaarkosten", kenmerk_jaar=YEAR)


def finalised(member, boss, bedrag="1000.00", *, datum=None) -> Invoice:
    return services.invoice_finalise(draft(member, boss, bedrag), by=boss, datum=datum, queue_documents=False)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key(user)}")
    return client


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["nummer"] for row in response.json()["results"]]


def url(invoice: Invoice, document: str = "") -> str:
    return f"{LIST}{invoice.nummer}/" + (f"{document}/" if document else "")


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


# --- who sees what -------------------------------------------------------------------


class TestVisibility:
    def test_a_member_user_sees_only_its_own_members_invoices(
        self, eindhoven_user, woerden_user, eindhoven_invoice, woerden_invoice
    ):
        assert numbers(client_for(eindhoven_user).get(LIST)) == [eindhoven_invoice.nummer]
        assert numbers(client_for(woerden_user).get(LIST)) == [woerden_invoice.nummer]

    def test_the_directie_sees_all_finalised_invoices_and_never_drafts(
        self, directie, boss, eindhoven, eindhoven_invoice, woerden_invoice
    ):
        concept = draft(eindhoven, boss)
        response = client_for(directie).get(LIST)
        assert set(numbers(response)) == {eindhoven_invoice.nummer, woerden_invoice.nummer}
        assert response.json()["count"] == 2
        assert concept.pk not in Invoice.objects.filter(nummer__in=numbers(response)).values_list("pk", flat=True)

    def test_a_member_user_never_sees_its_own_drafts(self, eindhoven_user, boss, eindhoven, eindhoven_invoice):
        draft(eindhoven, boss)
        assert numbers(client_for(eindhoven_user).get(LIST)) == [eindhoven_invoice.nummer]

    def test_a_user_with_roles_in_two_members_sees_both(self, eindhoven, eindhoven_invoice, woerden_invoice, woerden):
        user = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
        membership_services.member_role_grant(user, woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER, by=Actor.system())
        assert set(numbers(client_for(user).get(LIST))) == {eindhoven_invoice.nummer, woerden_invoice.nummer}

    def test_the_list_follows_may_view_invoice_for_every_role(
        self, directie, manager, rvc, eindhoven_user, woerden_user, boss, eindhoven, eindhoven_invoice, woerden_invoice
    ):
        draft(eindhoven, boss)
        final = Invoice.objects.exclude(status=Invoice.Status.CONCEPT).select_related("member")
        for user in (directie, manager, rvc, eindhoven_user, woerden_user):
            expected = {i.nummer for i in final if selectors.may_view_invoice(user, i)}
            assert set(numbers(client_for(user).get(LIST))) == expected, user
        assert set(numbers(client_for(rvc).get(LIST))) == set()  # no access to members' private data

    def test_detail_of_another_members_invoice_is_a_404_like_a_missing_one(
        self, eindhoven_user, eindhoven_invoice, woerden_invoice
    ):
        client = client_for(eindhoven_user)
        assert client.get(url(eindhoven_invoice)).status_code == 200
        other = assert_problem(client.get(url(woerden_invoice)), 404)
        missing = assert_problem(client.get(f"{LIST}2099-F-99999/"), 404)
        assert other["detail"] == missing["detail"] == "Deze factuur bestaat niet of u heeft er geen toegang toe."
        assert other["title"] == "Niet gevonden"


# --- the contract fields ---------------------------------------------------------------


class TestFields:
    def test_exactly_the_contract_fields_with_amounts_as_strings(self, eindhoven_user, eindhoven, eindhoven_invoice):
        row = client_for(eindhoven_user).get(LIST).json()["results"][0]
        assert row == {
            "nummer": eindhoven_invoice.nummer,
            "lid": eindhoven.pk,
            "soort": "factuur",
            "datum": eindhoven_invoice.factuurdatum.isoformat(),
            "vervaldatum": eindhoven_invoice.vervaldatum.isoformat(),
            "totaal": "83300.00",
            "btw": "0.00",
            "status": "open",
            "pdf": None,
            "ubl": None,
        }

    def test_detail_has_the_same_fields(self, eindhoven_user, eindhoven_invoice):
        body = client_for(eindhoven_user).get(url(eindhoven_invoice)).json()
        assert set(body) == FIELDS
        assert (body["nummer"], body["totaal"]) == (eindhoven_invoice.nummer, "83300.00")

    def test_btw_is_a_string_with_two_decimals(self, eindhoven_user, boss, eindhoven, eindhoven_invoice):
        invoice = finalised(eindhoven, boss, "1000.00")
        response = client_for(eindhoven_user).get(url(invoice))
        assert (response.json()["totaal"], response.json()["btw"]) == ("1210.00", "210.00")
        assert b'"totaal":"1210.00"' in response.content  # a JSON string, never a number

    def test_document_urls_are_absolute_once_rendered(self, eindhoven_user, eindhoven_invoice):
        services.invoice_documents_render(eindhoven_invoice)
        body = client_for(eindhoven_user).get(url(eindhoven_invoice)).json()
        assert body["pdf"] == f"http://testserver{url(eindhoven_invoice, 'pdf')}"
        assert body["ubl"] == f"http://testserver{url(eindhoven_invoice, 'ubl')}"

    def test_a_credit_note_and_a_paid_invoice(self, directie, boss, eindhoven, eindhoven_invoice):
        note = services.credit_note_create(
            eindhoven_invoice,
            by=boss,
            reden="Inwonertal gecorrigeerd",
            regels=[services.CreditLine("Correctie contributie", D("300.00"), "O", D("0.00"))],
        )
        note = services.invoice_finalise(note, by=boss, queue_documents=False)
        paid = finalised(eindhoven, boss, "100.00")
        services.payment_register(paid, by=boss, datum=timezone.localdate(), bedrag=D("121.00"))
        client = client_for(directie)
        body = client.get(url(note)).json()
        assert (body["soort"], body["status"], body["vervaldatum"], body["totaal"]) == (
            "creditnota",
            "verwerkt",
            None,
            "300.00",
        )
        assert client.get(url(paid)).json()["status"] == "betaald"


# --- filters, ordering, pages ------------------------------------------------------------


@pytest.fixture
def mixed(boss, eindhoven, eindhoven_invoice, woerden_invoice):
    """This year's contributie for both, a last-year's invoice long past due,
    and a paid one."""
    old = finalised(eindhoven, boss, "500.00", datum=date(timezone.localdate().year - 1, 1, 15))
    paid = finalised(eindhoven, boss, "100.00")
    services.payment_register(paid, by=boss, datum=timezone.localdate(), bedrag=D("121.00"))
    return {"eindhoven": eindhoven_invoice, "woerden": woerden_invoice, "old": old, "paid": paid}


class TestFilters:
    def test_jaar(self, directie, mixed):
        client = client_for(directie)
        last_year = timezone.localdate().year - 1
        assert numbers(client.get(LIST, {"jaar": last_year})) == [mixed["old"].nummer]
        assert mixed["old"].nummer not in numbers(client.get(LIST, {"jaar": last_year + 1}))

    def test_status_as_shown(self, directie, mixed):
        client = client_for(directie)
        assert numbers(client.get(LIST, {"status": "vervallen"})) == [mixed["old"].nummer]
        assert client.get(url(mixed["old"])).json()["status"] == "vervallen"
        assert set(numbers(client.get(LIST, {"status": "open"}))) == {
            mixed["eindhoven"].nummer,
            mixed["woerden"].nummer,
        }
        assert numbers(client.get(LIST, {"status": "betaald"})) == [mixed["paid"].nummer]

    def test_lid_and_soort(self, directie, woerden, mixed):
        client = client_for(directie)
        assert numbers(client.get(LIST, {"lid": woerden.pk})) == [mixed["woerden"].nummer]
        assert numbers(client.get(LIST, {"soort": "creditnota"})) == []
        assert len(numbers(client.get(LIST, {"soort": "factuur"}))) == 4

    def test_a_member_cannot_widen_its_view_with_lid(self, eindhoven_user, woerden, mixed):
        assert numbers(client_for(eindhoven_user).get(LIST, {"lid": woerden.pk})) == []

    def test_ordering(self, directie, mixed):
        client = client_for(directie)
        by_number = numbers(client.get(LIST, {"ordering": "nummer"}))
        assert by_number == sorted(by_number)
        assert numbers(client.get(LIST, {"ordering": "-nummer"})) == by_number[::-1]
        assert numbers(client.get(LIST, {"ordering": "datum"}))[0] == mixed["old"].nummer
        assert numbers(client.get(LIST, {"ordering": "-datum"}))[-1] == mixed["old"].nummer

    def test_a_wrong_filter_is_a_400_with_invalid_params(self, directie, mixed):
        response = client_for(directie).get(LIST, {"jaar": "vorig", "status": "onbekend", "ordering": "totaal"})
        body = assert_problem(response, 400)
        assert body["title"] == "Ongeldige aanvraag"
        params = {p["name"]: p for p in body["invalidParams"]}
        assert set(params) == {"jaar", "status", "ordering"}
        assert params["jaar"]["reason"] == "Een geldig getal is vereist."
        assert params["status"]["code"] == "invalid_choice"

    def test_the_list_is_paginated(self, directie, mixed):
        body = client_for(directie).get(LIST).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert (body["count"], body["next"], len(body["results"])) == (4, None, 4)


# --- documents --------------------------------------------------------------------------


class TestDocuments:
    @pytest.fixture
    def rendered(self, eindhoven_invoice, woerden_invoice):
        return (
            services.invoice_documents_render(eindhoven_invoice),
            services.invoice_documents_render(woerden_invoice),
        )

    @pytest.mark.parametrize(("document", "content_type"), [("pdf", "application/pdf"), ("ubl", "application/xml")])
    def test_own_document_is_the_stored_file(self, eindhoven_user, rendered, document, content_type):
        own, _ = rendered
        response = client_for(eindhoven_user).get(url(own, document))
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        stored = getattr(own, document)
        with stored.open("rb") as f:
            assert b"".join(response.streaming_content) == f.read()
        extension = "pdf" if document == "pdf" else "xml"
        assert f'filename="{own.nummer}.{extension}"' in response["Content-Disposition"]

    def test_asking_for_the_documents_own_type_works(self, eindhoven_user, rendered):
        own, _ = rendered
        client = client_for(eindhoven_user)
        assert client.get(url(own, "pdf"), HTTP_ACCEPT="application/pdf").status_code == 200
        assert client.get(url(own, "ubl"), HTTP_ACCEPT="application/xml").status_code == 200

    @pytest.mark.parametrize(("document", "accept"), [("pdf", "application/pdf"), ("ubl", "application/xml")])
    def test_another_members_document_is_a_404(self, eindhoven_user, rendered, document, accept):
        _, other = rendered
        response = client_for(eindhoven_user).get(url(other, document), HTTP_ACCEPT=accept)
        assert assert_problem(response, 404)["detail"] == "Deze factuur bestaat niet of u heeft er geen toegang toe."

    def test_a_document_not_rendered_yet_is_a_404(self, eindhoven_user, eindhoven_invoice):
        body = assert_problem(client_for(eindhoven_user).get(url(eindhoven_invoice, "pdf")), 404)
        assert "nog niet gemaakt" in body["detail"]


# --- nothing changes through the API ---------------------------------------------------


def snapshot(invoice: Invoice) -> tuple:
    invoice.refresh_from_db()
    return (
        invoice.nummer,
        invoice.status,
        invoice.totaal_excl,
        invoice.totaal_btw,
        invoice.totaal_incl,
        invoice.factuurdatum,
        invoice.vervaldatum,
        invoice.member_id,
        invoice.pdf.name,
        invoice.pdf_sha256,
        invoice.ubl_sha256,
    )


class TestReadOnly:
    @pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
    @pytest.mark.parametrize("document", ["", "pdf", "ubl"])
    def test_writes_by_the_directie_are_405_and_change_nothing(self, directie, eindhoven_invoice, method, document):
        invoice = services.invoice_documents_render(eindhoven_invoice)
        before, count = snapshot(invoice), Invoice.objects.count()
        payload = {"totaal": "1.00", "btw": "0.00", "status": "betaald", "nummer": "2026-F-99999"}
        response = getattr(client_for(directie), method)(url(invoice, document), payload, format="json")
        body = assert_problem(response, 405)
        assert body["title"] == "Methode niet toegestaan"
        assert "kan niet worden gewijzigd of verwijderd; corrigeer met een creditnota" in body["detail"]
        assert "GET" in response["Allow"]
        assert (snapshot(invoice), Invoice.objects.count()) == (before, count)

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
    def test_writes_on_the_list_are_405(self, directie, eindhoven_invoice, method):
        count = Invoice.objects.count()
        response = getattr(client_for(directie), method)(LIST, {"lid": eindhoven_invoice.member_id}, format="json")
        assert_problem(response, 405)
        assert Invoice.objects.count() == count

    def test_a_member_gets_the_same_405_for_another_members_invoice(
        self, eindhoven_user, eindhoven_invoice, woerden_invoice
    ):
        client = client_for(eindhoven_user)
        own = assert_problem(client.delete(url(eindhoven_invoice)), 405)
        other = assert_problem(client.delete(url(woerden_invoice)), 405)
        assert own["detail"] == other["detail"]  # nothing learnt about the other invoice
        assert Invoice.objects.filter(pk=woerden_invoice.pk).exists()

    def test_a_real_token_cannot_write_either(self, directie, eindhoven_invoice):
        before = snapshot(eindhoven_invoice)
        response = token_client(directie).delete(url(eindhoven_invoice))
        assert_problem(response, 405)
        assert snapshot(eindhoven_invoice) == before


# --- authentication and errors ---------------------------------------------------------


class TestAuthentication:
    def test_a_real_token_header(self, eindhoven_user, eindhoven_invoice, woerden_invoice):
        response = token_client(eindhoven_user).get(LIST)
        assert numbers(response) == [eindhoven_invoice.nummer]

    def test_a_session_works_too(self, eindhoven_user, eindhoven_invoice, woerden_invoice):
        response = login(eindhoven_user).get(LIST)
        assert numbers(response) == [eindhoven_invoice.nummer]

    @pytest.mark.parametrize("path", [LIST, f"{LIST}2026-F-00001/", f"{LIST}2026-F-00001/pdf/"])
    def test_unauthenticated_is_a_401_problem(self, eindhoven_invoice, path):
        response = APIClient().get(path)
        body = assert_problem(response, 401)
        assert body["title"] == "Niet geauthenticeerd"
        assert response["WWW-Authenticate"] == "Token"

    def test_unauthenticated_writes_are_refused_before_anything_else(self, eindhoven_invoice):
        before = snapshot(eindhoven_invoice)
        assert_problem(APIClient().delete(url(eindhoven_invoice)), 401)
        assert snapshot(eindhoven_invoice) == before

    def test_a_wrong_token_or_an_inactive_users_token_is_a_401_problem(self, eindhoven_user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token ongeldig")
        wrong = assert_problem(client.get(LIST), 401)
        client = token_client(eindhoven_user)
        eindhoven_user.is_active = False
        eindhoven_user.save()
        inactive = assert_problem(client.get(LIST), 401)
        assert wrong["detail"] == inactive["detail"] == "Het token of de inloggegevens zijn ongeldig of verlopen."

    def test_errors_are_dutch_whatever_the_client_asks(self, directie):
        body = assert_problem(APIClient().get(LIST, HTTP_ACCEPT_LANGUAGE="en"), 401)
        assert body["detail"] == "Stuur een geldig token mee: Authorization: Token <sleutel>."
        response = client_for(directie).get(LIST, {"jaar": "x"}, HTTP_ACCEPT_LANGUAGE="en")
        assert assert_problem(response, 400)["invalidParams"][0]["reason"] == "Een geldig getal is vereist."
        assert response["Content-Language"] == "nl"

    def test_an_unknown_api_path_is_a_404_problem(self, directie):
        assert_problem(client_for(directie).get("/api/v1/bestaat-niet/"), 404)


# --- query budget and schema ---------------------------------------------------------------


@pytest.mark.parametrize("who", ["directie", "eindhoven_user"])
def test_the_list_costs_the_same_queries_for_3_and_30_invoices(
    request, who, boss, eindhoven, eindhoven_invoice, django_assert_max_num_queries
):
    """Through a real token, so every request loads the user and its
    permissions afresh, as in production."""
    client = token_client(request.getfixturevalue(who))
    for _ in range(2):
        finalised(eindhoven, boss)
    services.invoice_documents_render(eindhoven_invoice)  # document URLs cost no queries
    with CaptureQueriesContext(connection) as three:
        assert len(numbers(client.get(LIST))) == 3
    for _ in range(27):
        finalised(eindhoven, boss)
    with django_assert_max_num_queries(len(three)):
        assert len(numbers(client.get(LIST))) == 30
    assert len(three) <= 6  # token+user, two permission reads, (guardian lookup), count, page


def test_the_schema_is_dutch_and_valid(capsys):
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")
    schema = json.loads(capsys.readouterr().out)
    factuur = schema["components"]["schemas"]["Factuur"]["properties"]
    assert set(factuur) == FIELDS
    assert all(field.get("description") for field in factuur.values())
    assert {p for p in schema["paths"] if p.startswith("/api/v1/facturen/")} == {
        "/api/v1/facturen/",
        "/api/v1/facturen/{nummer}/",
        "/api/v1/facturen/{nummer}/pdf/",
        "/api/v1/facturen/{nummer}/ubl/",
    }
    for name, path in schema["paths"].items():
        if name.startswith(("/api/v1/facturen/", "/api/v1/documenten/")):
            assert set(path) == {"get"}  # no write operation exists (facturen, documenten)


def test_due_date_passing_turns_open_into_vervallen(eindhoven_user, eindhoven_invoice, monkeypatch):
    later = eindhoven_invoice.vervaldatum + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: later)
    assert client_for(eindhoven_user).get(url(eindhoven_invoice)).json()["status"] == "vervallen"


def test_a_session_write_without_csrf_is_refused_in_dutch(eindhoven_user, eindhoven_invoice):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(eindhoven_user)
    before = snapshot(eindhoven_invoice)
    body = assert_problem(client.delete(url(eindhoven_invoice)), 403)
    assert "CSRF-token" in body["detail"]
    assert snapshot(eindhoven_invoice) == before

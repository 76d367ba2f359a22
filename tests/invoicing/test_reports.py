"""Finance reports: figures built through the real services, checked to the
cent; the same rows as CSV, XLSX and PDF; directie only; a constant number
of queries however many members there are."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from beware.common.templatetags.money import euro
from businesscases import services as bc_services
from communities import services as community_services
from invoicing import budget, exports, reports, services
from invoicing.models import BudgetLine, ContributionRate, Invoice
from membership.models import Contact, Factuurkenmerk, Inwonertal
from tests.conftest import login
from tests.factories import CommunityFactory, member_with_inwoners

D = Decimal
SYSTEM = Actor.system()
YEAR = 2026  # the contributie year (its invoices are dated today)
PAST = 2025  # invoices with fixed dates, for ageing and quarters
VAT_21 = D("21.00")
URL = "/facturen/rapportages/"


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


def billable(code, inwoners, **fields):
    fields.setdefault("ingangsdatum", date(2019, 1, 1))
    member = member_with_inwoners(code, inwoners, jaar=YEAR, status="actief", **fields)
    member.adres, member.postcode, member.plaats = "Markt 1", "1234 AB", code.title()
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Contact.objects.create(member=member, naam="Fien Financiën", email=f"finance@{code}.nl", rol="financieel")
    gemeente = member.representations.get().gemeente
    for jaar in (2024, PAST):
        Inwonertal.objects.create(gemeente=gemeente, jaar=jaar, aantal=inwoners)
    for jaar in (2024, PAST, YEAR):
        Factuurkenmerk.objects.create(member=member, jaar=jaar, kenmerk=f"INK-{code}-{jaar}")
    return member


def invoice_on(member, boss, *, datum, bedrag, soort="jaarkosten", bron=None) -> Invoice:
    """A finalised invoice with one charge, dated `datum` (due 30 days later)."""
    charge, _ = services.charge_get_or_create(
        member=member, soort=soort, bron=bron or f"test:{member.code}:{datum}:{bedrag}", bedrag=bedrag, omschrijving="X"
    )
    draft = services.invoice_draft(member, [charge], by=boss, omschrijving="Test", kenmerk_jaar=datum.year)
    return services.invoice_finalise(draft, by=boss, datum=datum)


def credit(invoice, boss, *, bedrag, datum, categorie="S", percentage=VAT_21) -> Invoice:
    note = services.credit_note_create(
        invoice, by=boss, reden="Correctie", regels=[services.CreditLine("Correctie", bedrag, categorie, percentage)]
    )
    return services.invoice_finalise(note, by=boss, datum=datum)


def pay(invoice, boss, bedrag, datum):
    return services.payment_register(invoice, by=boss, datum=datum, bedrag=bedrag)


# --- 1. Contributie ------------------------------------------------------------


class TestContribution:
    @pytest.fixture
    def invoiced(self, rate, boss):
        a = billable("almere", 200_000)
        b = billable("boxtel", 31_000, ingangsdatum=date(YEAR, 4, 15))  # 9/12
        c = billable("culemborg", 29_000)
        inv = {m.code: services.contribution_invoice(m, rate, by=boss) for m in (a, b, c)}
        today = inv["almere"].factuurdatum
        pay(inv["almere"], boss, D("20000.00"), today)
        credit(inv["boxtel"], boss, bedrag=D("137.50"), datum=today, categorie="O", percentage=D("0"))
        credit(inv["culemborg"], boss, bedrag=D("50.00"), datum=today, categorie="O", percentage=D("0"))
        pay(inv["culemborg"], boss, D("10100.00"), today)  # the rest, in full
        return inv

    def test_per_member_invoiced_credited_paid_and_open(self, invoiced):
        report = reports.contribution_report(YEAR)
        rows = {r.code: r for r in report.rows}
        assert [r.lid for r in report.rows] == ["Gemeente Almere", "Gemeente Boxtel", "Gemeente Culemborg"]
        a, b, c = rows["almere"], rows["boxtel"], rows["culemborg"]
        assert (a.inwoners, a.maanden, a.gefactureerd, a.gecrediteerd, a.betaald, a.openstaand) == (
            200_000,
            12,
            D("70000.00"),
            D("0.00"),
            D("20000.00"),
            D("50000.00"),
        )
        # 0,35 × 31.000 × 9/12 = 8.137,50
        assert (b.inwoners, b.maanden, b.gefactureerd, b.gecrediteerd, b.openstaand) == (
            31_000,
            9,
            D("8137.50"),
            D("137.50"),
            D("8000.00"),
        )
        assert (c.gefactureerd, c.gecrediteerd, c.betaald, c.openstaand) == (
            D("10150.00"),
            D("50.00"),
            D("10100.00"),
            D("0.00"),
        )
        assert report.inwoners == 260_000
        assert report.gefactureerd == D("88287.50")
        assert report.gecrediteerd == D("187.50")
        assert report.betaald == D("30100.00")
        assert report.openstaand == D("58000.00")
        assert report.gefactureerd - report.gecrediteerd - report.betaald == report.openstaand

    def test_drafts_and_other_years_do_not_count(self, invoiced, boss):
        credit_draft = services.credit_note_create(
            invoiced["almere"], by=boss, reden="Concept", regels=[services.CreditLine("C", D("1000.00"), "O", D("0"))]
        )
        assert credit_draft.status == "concept"
        assert reports.contribution_report(YEAR).gecrediteerd == D("187.50")
        assert reports.contribution_report(YEAR + 1).rows == []


# --- 2. Debiteuren ------------------------------------------------------------

PEIL = date(PAST, 6, 30)


class TestDebtors:
    @pytest.fixture
    def ledger(self, boss, db):
        a = billable("almere", 1)
        b = billable("boxtel", 1)
        made = {
            # due 30 days after the date; days overdue on 30 June:
            "a_not_due": invoice_on(a, boss, datum=date(PAST, 6, 10), bedrag=D("100.00")),  # due 10 July: -10
            "a_30": invoice_on(a, boss, datum=date(PAST, 5, 1), bedrag=D("200.00")),  # due 31 May: 30
            "a_31": invoice_on(a, boss, datum=date(PAST, 4, 30), bedrag=D("300.00")),  # due 30 May: 31
            "b_90": invoice_on(b, boss, datum=date(PAST, 3, 2), bedrag=D("400.00")),  # due 1 April: 90
            "b_91": invoice_on(b, boss, datum=date(PAST, 3, 1), bedrag=D("500.00")),  # due 31 March: 91
            "b_due_today": invoice_on(b, boss, datum=date(PAST, 5, 31), bedrag=D("10.00")),  # due 30 June: 0
            "later": invoice_on(a, boss, datum=date(PAST, 7, 1), bedrag=D("999.00")),  # after the peildatum
        }
        # a_31: partly paid before, the rest after the peildatum.
        pay(made["a_31"], boss, D("63.00"), date(PAST, 6, 1))
        pay(made["a_31"], boss, D("300.00"), date(PAST, 7, 15))
        # b_90: credited in part before the peildatum, b_91 after it.
        credit(made["b_90"], boss, bedrag=D("100.00"), datum=date(PAST, 6, 15))
        credit(made["b_91"], boss, bedrag=D("500.00"), datum=date(PAST, 7, 2))
        return made

    def test_ageing_buckets_on_a_fixed_peildatum(self, ledger):
        report = reports.debtors_report(PEIL)
        rows = {r.code: r for r in report.rows}
        a, b = rows["almere"], rows["boxtel"]
        # incl. 21% btw: 100 → 121, 200 → 242, 300 → 363 (63 paid: 300 open)
        assert (a.niet_vervallen, a.dagen_1_30, a.dagen_31_60, a.dagen_61_90, a.dagen_90_plus) == (
            D("121.00"),
            D("242.00"),
            D("300.00"),
            D("0.00"),
            D("0.00"),
        )
        assert (a.facturen, a.openstaand, a.vervallen) == (3, D("663.00"), D("542.00"))
        # 400 → 484 less the credit note of 121 = 363 at 90 days; 500 → 605 at 91; due today is not overdue
        assert (b.niet_vervallen, b.dagen_1_30, b.dagen_31_60, b.dagen_61_90, b.dagen_90_plus) == (
            D("12.10"),
            D("0.00"),
            D("0.00"),
            D("363.00"),
            D("605.00"),
        )
        assert b.oudste_vervaldatum == date(PAST, 3, 31)
        assert report.openstaand == D("1643.10")
        assert report.niet_vervallen + report.dagen_1_30 + report.dagen_31_60 + report.dagen_61_90 + (
            report.dagen_90_plus
        ) == (report.openstaand)
        assert report.vervallen == D("1510.00")
        assert report.facturen == 6

    def test_later_payments_and_credit_notes_count_on_a_later_peildatum(self, ledger):
        report = reports.debtors_report(date(PAST, 7, 31))
        rows = {r.code: r for r in report.rows}
        assert rows["almere"].openstaand == D("121.00") + D("242.00") + D("999.00") * D("1.21")
        assert rows["boxtel"].openstaand == D("363.00") + D("12.10")

    def test_before_the_first_invoice_nobody_is_listed(self, ledger):
        assert reports.debtors_report(date(PAST, 1, 1)).rows == []


# --- 3. Communities -------------------------------------------------------------


@pytest.fixture
def decided(boss):
    members = {code: billable(code, size) for code, size in {"a": 200_000, "b": 50_000, "c": 30_000}.items()}
    members["d"] = billable("d", 50_000)
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"])
    for code in "abc":
        community_services.participation_add(community, members[code], by=SYSTEM, datum=date(2024, 2, 1))
    business_case = bc_services.businesscase_create(
        community, by=SYSTEM, titel="Zaakafhandeling", peildatum=date(2024, 1, 1)
    )
    bc_services.cost_line_add(
        business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=D("120000.00")
    )
    bc_services.businesscase_submit(business_case, by=SYSTEM)
    business_case = bc_services.businesscase_decide(business_case, by=boss, go=True, datum=date(2024, 3, 1))
    return business_case, community, members


class TestCommunities:
    def test_allocated_invoiced_credited_paid_open(self, decided, boss):
        business_case, community, members = decided
        originals = {i.member.code: i for i in services.businesscase_bill(business_case, by=boss)}
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        later = services.businesscase_bill(business_case, by=boss)  # d's invoice, credit notes for a, b, c
        pay(originals["a"], boss, D("50000.00"), originals["a"].factuurdatum)
        other = CommunityFactory(slug="leeg", naam="Alleen kosten")  # nothing allocated or invoiced: not listed
        assert other.pk

        report = reports.community_report()
        assert [r.community for r in report.rows] == ["Zaakafhandeling"]
        row = report.rows[0]
        facturen = [*originals.values(), *(i for i in later if i.soort == "factuur")]
        notes = [i for i in later if i.soort == "creditnota"]
        assert row.toegerekend == D("120000.00") + D("18181.82")
        assert row.verrekend == D("18181.82")
        assert row.gefactureerd_excl == D("138181.82") == sum(i.totaal_excl for i in facturen)
        assert row.gecrediteerd_excl == D("18181.82")
        assert row.te_factureren == D("0.00")
        assert row.gefactureerd == sum(i.totaal_incl for i in facturen)
        assert row.gecrediteerd == sum(n.totaal_incl for n in notes)
        assert row.betaald == D("50000.00")
        assert row.openstaand == row.gefactureerd - row.gecrediteerd - row.betaald
        # 138.181,82 + 21% btw per invoice = 167.200,00; credit notes 22.000,00; paid 50.000,00
        assert (row.gefactureerd, row.gecrediteerd, row.openstaand) == (D("167200.00"), D("22000.00"), D("95200.00"))
        assert (report.gefactureerd, report.openstaand) == (row.gefactureerd, row.openstaand)

    def test_a_year_selects_allocations_and_invoices_of_that_year(self, decided, boss):
        business_case, _, _ = decided
        services.businesscase_bill(business_case, by=boss)  # invoices dated today
        in_2024 = reports.community_report(2024)
        assert in_2024.rows[0].toegerekend == D("120000.00")
        assert in_2024.rows[0].gefactureerd == D("0.00")
        this_year = reports.community_report(Invoice.objects.first().factuurdatum.year)
        assert this_year.rows[0].toegerekend == D("0.00")
        assert this_year.rows[0].gefactureerd_excl == D("120000.00")

    def test_an_invoice_with_lines_of_two_communities_is_split_exactly(self):
        assert reports._split(D("100.00"), {7: D("2.00"), 9: D("1.00")}) == {7: D("66.67"), 9: D("33.33")}
        assert reports._split(D("0.01"), {7: D("1.00"), 9: D("1.00")}) == {7: D("0.01"), 9: D("0.00")}


# --- 4. Begroting en realisatie ---------------------------------------------------


class TestBudget:
    @pytest.fixture
    def year(self, boss, db):
        a = billable("almere", 1)
        budget.budget_line_set(by=boss, jaar=PAST, categorie="contributie", bedrag=D("100000.01"))
        budget.budget_line_set(by=boss, jaar=PAST, categorie="jaarkosten", bedrag=D("40000.00"))
        invoice_on(a, boss, datum=date(PAST, 2, 10), bedrag=D("90000.00"), soort="contributie")
        hosting = invoice_on(a, boss, datum=date(PAST, 4, 1), bedrag=D("12000.00"))
        invoice_on(a, boss, datum=date(PAST, 12, 31), bedrag=D("8000.00"))
        credit(hosting, boss, bedrag=D("2000.00"), datum=date(PAST, 7, 1))  # lowers Q3, not Q2
        invoice_on(a, boss, datum=date(PAST + 1, 1, 1), bedrag=D("5.00"))  # another year
        draft_charge, _ = services.charge_get_or_create(
            member=a, soort="jaarkosten", bron="concept", bedrag=D("777.00"), omschrijving="Concept"
        )
        services.invoice_draft(a, [draft_charge], by=boss, omschrijving="Concept", kenmerk_jaar=PAST)

    def test_budget_per_quarter_against_realisation(self, year):
        report = reports.budget_report(PAST)
        rows = {r.categorie: r for r in report.rows}
        contributie, jaarkosten = rows["contributie"], rows["jaarkosten"]
        assert contributie.begroot_kwartaal == (D("25000.01"), D("25000.00"), D("25000.00"), D("25000.00"))
        assert contributie.gerealiseerd_kwartaal == (D("90000.00"), D("0.00"), D("0.00"), D("0.00"))
        assert jaarkosten.begroot_kwartaal == (D("10000.00"),) * 4
        assert jaarkosten.gerealiseerd_kwartaal == (D("0.00"), D("12000.00"), D("-2000.00"), D("8000.00"))
        assert (jaarkosten.gerealiseerd, jaarkosten.verschil, jaarkosten.percentage) == (
            D("18000.00"),
            D("-22000.00"),
            D("45.0"),
        )
        assert [(q.begroot, q.gerealiseerd) for q in report.kwartalen] == [
            (D("35000.01"), D("90000.00")),
            (D("35000.00"), D("12000.00")),
            (D("35000.00"), D("-2000.00")),
            (D("35000.00"), D("8000.00")),
        ]
        assert (report.begroot, report.gerealiseerd, report.verschil) == (
            D("140000.01"),
            D("108000.00"),
            D("-32000.01"),
        )
        assert rows["gebruik"].begroot == D("0.00") and rows["gebruik"].percentage is None

    def test_chart_has_a_bar_per_quarter_and_kind_with_the_value_as_text(self, year, directie):
        chart = reports.budget_report(PAST).chart
        bars = {(g.label, b.soort): b for g in chart.groups for b in g.bars}
        assert bars[("Q1", "realisatie")].width == reports.CHART_LENGTH  # the largest amount
        assert bars[("Q3", "realisatie")].width == 0  # negative: no bar, the text says it
        response = login(directie).get(f"{URL}begroting/?jaar={PAST}")
        html = response.content.decode()
        assert 'role="img"' in html and "<title id=" in html and "<desc id=" in html
        assert f"Realisatie: {euro(D('-2000.00'))}" in html
        assert f"Begroting: {euro(D('35000.01'))}" in html
        assert euro(D("108000.00")) in html  # the data table's total

    def test_the_directie_enters_the_begroting_through_the_form(self, directie, db):
        client = login(directie)
        page = client.get(f"{URL}begroting/invoeren/?jaar=2027")
        assert page.status_code == 200
        html = page.content.decode()
        assert '<label class="utrecht-form-label" for="id_contributie">' in html
        assert html.count('id="id_jaar"') == 1 and 'for="kies_jaar"' in html
        response = client.post(
            f"{URL}begroting/invoeren/", {"jaar": "2027", "contributie": "210000,00", "jaarkosten": "1234.56"}
        )
        assert response.status_code == 302 and response["Location"].endswith("begroting/?jaar=2027")
        assert dict(BudgetLine.objects.filter(jaar=2027).values_list("categorie", "bedrag")) == {
            "contributie": D("210000.00"),
            "jaarkosten": D("1234.56"),
        }
        client.post(f"{URL}begroting/invoeren/", {"jaar": "2027", "contributie": "210000.00", "jaarkosten": ""})
        assert BudgetLine.objects.get(jaar=2027, categorie="jaarkosten").bedrag == D("0.00")
        assert AuditEvent.objects.filter(action="begroting.regel").count() == 3

    def test_the_budget_service_checks_rights_and_amounts(self, manager, boss, db):
        with pytest.raises(PermissionDenied):
            budget.budget_line_set(by=Actor(user=manager), jaar=2027, categorie="contributie", bedrag=D("1.00"))
        with pytest.raises(ValidationError, match="hele centen"):
            budget.budget_line_set(by=boss, jaar=2027, categorie="contributie", bedrag=D("1.001"))
        with pytest.raises(ValidationError, match="Onbekende categorie"):
            budget.budget_line_set(by=boss, jaar=2027, categorie="koffie", bedrag=D("1.00"))
        budget.budget_line_set(by=boss, jaar=2027, categorie="contributie", bedrag=D("5.00"))
        budget.budget_line_set(by=boss, jaar=2027, categorie="contributie", bedrag=D("5.00"))  # no change: no event
        events = AuditEvent.objects.filter(action="begroting.regel")
        assert [e.data for e in events] == [{"jaar": 2027, "categorie": "contributie", "oud": None, "nieuw": "5.00"}]


# --- Exports ---------------------------------------------------------------------


@pytest.fixture
def contributie_2026(rate, boss):
    members = [billable("almere", 200_000), billable("boxtel", 31_000)]
    invoices = [services.contribution_invoice(m, rate, by=boss) for m in members]
    pay(invoices[0], boss, D("1234.56"), invoices[0].factuurdatum)
    return invoices


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


class TestExports:
    def test_csv_is_semicolon_separated_with_a_decimal_comma(self, contributie_2026, directie):
        response = login(directie).get(f"{URL}contributie/?jaar={YEAR}&formaat=csv")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert f'filename="contributie-{YEAR}.csv"' in response["Content-Disposition"]
        header, *rows, totals = read_csv(response.content)
        assert header == ["Lid", "Inwoners", "Maanden", "Gefactureerd", "Gecrediteerd", "Betaald", "Openstaand"]
        by_name = {r[0]: r for r in rows}
        assert by_name["Gemeente Almere"] == [
            "Gemeente Almere",
            "200000",
            "12",
            "70000,00",
            "0,00",
            "1234,56",
            "68765,44",
        ]
        assert totals[0] == "Totaal"
        assert [amount(v) for v in totals[3:]] == [D("80850.00"), D("0.00"), D("1234.56"), D("79615.44")]

    def test_a_name_that_looks_like_a_formula_stays_text(self):
        table = exports.Table(
            "T",
            "T",
            (exports.Column("Lid"), exports.Column("Bedrag", exports.MONEY)),
            (("=1+1", D("-1.50")),),
            None,
            "t",
        )
        assert read_csv(exports.to_csv(table))[1] == ["'=1+1", "-1,50"]

    def test_xlsx_has_numbers_a_header_and_a_totals_row(self, contributie_2026, directie):
        response = login(directie).get(f"{URL}contributie/?jaar={YEAR}&formaat=xlsx")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = list(sheet.iter_rows(values_only=True))
        assert values[0] == ("Lid", "Inwoners", "Maanden", "Gefactureerd", "Gecrediteerd", "Betaald", "Openstaand")
        almere = next(r for r in values[1:] if r[0] == "Gemeente Almere")
        assert almere[1] == 200_000 and D(str(almere[3])) == D("70000") and D(str(almere[6])) == D("68765.44")
        assert values[-1][0] == "Totaal" and D(str(values[-1][6])) == D("79615.44")
        assert sheet.cell(row=2, column=4).number_format == "#,##0.00"
        assert sheet.cell(row=sheet.max_row, column=1).font.bold

    @pytest.mark.parametrize(
        "page", ["contributie/?jaar=2026", "debiteuren/?peildatum=2026-11-01", "communities/", "begroting/?jaar=2026"]
    )
    def test_each_report_as_pdf(self, page, contributie_2026, directie):
        response = login(directie).get(f"{URL}{page}&formaat=pdf" if "?" in page else f"{URL}{page}?formaat=pdf")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

    def test_the_pdf_html_has_the_totals(self, contributie_2026):
        report = reports.contribution_report(YEAR)
        document = exports.to_pdf(exports.contribution_table(report))
        assert document.pdf.startswith(b"%PDF")
        assert euro(report.gefactureerd) in document.html and euro(report.openstaand) in document.html
        assert euro(D("79615.44")) in document.html

    def test_the_budget_pdf_has_the_chart_and_the_quarter_table(self, boss, db):
        budget.budget_line_set(by=boss, jaar=2027, categorie="contributie", bedrag=D("1000.00"))
        report = reports.budget_report(2027)
        document = exports.to_pdf(
            exports.budget_table(report), extra={"report": report, "quarters": exports.quarter_table(report)}
        )
        assert document.pdf.startswith(b"%PDF")
        assert "<svg" in document.html and f"Begroting: {euro(D('250.00'))}" in document.html


# --- Pages and access ---------------------------------------------------------------

PAGES = ["", "contributie/", "debiteuren/", "communities/", "begroting/", "begroting/invoeren/"]


class TestPages:
    @pytest.mark.parametrize("page", PAGES)
    def test_the_directie_sees_each_page(self, page, directie):
        response = login(directie).get(URL + page)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<h1" in html and 'style="' not in html and "<script>" not in html

    @pytest.mark.parametrize("page", [*PAGES, "contributie/?formaat=csv", "begroting/?formaat=pdf"])
    def test_a_manager_and_a_member_user_get_403(self, page, manager, eindhoven_user):
        assert login(manager).get(URL + page).status_code == 403
        assert login(eindhoven_user).get(URL + page).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_the_login(self, db):
        response = Client().get(URL)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_a_manager_cannot_post_a_begroting(self, manager, db):
        response = login(manager).post(f"{URL}begroting/invoeren/", {"jaar": "2027", "contributie": "1"})
        assert response.status_code == 403 and not BudgetLine.objects.exists()

    def test_filters_are_labelled_get_forms(self, directie):
        html = login(directie).get(f"{URL}debiteuren/").content.decode()
        assert '<form method="get"' in html
        assert '<label class="utrecht-form-label" for="id_peildatum">' in html
        assert 'type="date"' in html

    def test_a_bad_filter_shows_the_error_and_no_report(self, directie):
        response = login(directie).get(f"{URL}contributie/?jaar=abc")
        assert response.status_code == 200
        assert "utrecht-form-field--invalid" in response.content.decode()
        assert login(directie).get(f"{URL}contributie/?jaar=abc&formaat=csv").status_code == 400
        assert login(directie).get(f"{URL}contributie/?formaat=doc").status_code == 404

    def test_the_page_shows_the_rows_and_totals(self, contributie_2026, directie):
        html = login(directie).get(f"{URL}contributie/?jaar={YEAR}").content.decode()
        assert "Gemeente Almere" in html and euro(D("79615.44")) in html
        assert f"?jaar={YEAR}&amp;formaat=csv" in html


# --- Query counts ------------------------------------------------------------------


def _community_with(members, boss, slug: str):
    """A community whose business case went ahead with these members, billed."""
    community = CommunityFactory(slug=slug, naam=f"Community {slug}", trekker=members[0])
    for member in members:
        community_services.participation_add(community, member, by=SYSTEM, datum=date(PAST, 1, 1))
    business_case = bc_services.businesscase_create(community, by=SYSTEM, titel=slug, peildatum=date(PAST, 1, 1))
    bc_services.cost_line_add(business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=D("1000.00"))
    bc_services.businesscase_submit(business_case, by=SYSTEM)
    business_case = bc_services.businesscase_decide(business_case, by=boss, go=True, datum=date(PAST, 3, 1))
    services.businesscase_bill(business_case, by=boss)


def _members(boss, rate, start: int, end: int) -> list:
    """Members start..end-1: contributie invoiced (every other one partly
    paid), an old invoice each, in a community of their own."""
    members = []
    for i in range(start, end):
        member = billable(f"lid{i:02d}", 10_000 + i)
        invoice = services.contribution_invoice(member, rate, by=boss)
        if i % 2:
            pay(invoice, boss, D("100.00"), invoice.factuurdatum)
        invoice_on(member, boss, datum=date(PAST, 1 + i % 12, 1), bedrag=D("10.00") + i)
        members.append(member)
    _community_with(members, boss, slug=f"c{start}")
    budget.budget_line_set(by=boss, jaar=PAST, categorie="jaarkosten", bedrag=D("1000.00") + end)
    return members


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


REPORT_PAGES = [
    f"{URL}contributie/?jaar={YEAR}",
    f"{URL}debiteuren/?peildatum={YEAR}-11-01",
    f"{URL}communities/",
    f"{URL}begroting/?jaar={PAST}",
    f"{URL}contributie/?jaar={YEAR}&formaat=csv",
    f"{URL}debiteuren/?peildatum={YEAR}-11-01&formaat=xlsx",
]
QUERY_BUDGET = 16  # per report page, session and permissions included


def test_queries_do_not_grow_with_the_number_of_members(rate, boss, directie, django_assert_max_num_queries):
    _members(boss, rate, 0, 3)
    client = login(directie)
    few = {}
    for url in REPORT_PAGES:
        with django_assert_max_num_queries(QUERY_BUDGET):
            client.get(url)
        few[url] = _count(client, url)
    _members(boss, rate, 3, 20)
    assert len(reports.contribution_report(YEAR).rows) == 20
    for url in REPORT_PAGES:
        with django_assert_max_num_queries(QUERY_BUDGET):
            client.get(url)
        assert _count(client, url) == few[url], url

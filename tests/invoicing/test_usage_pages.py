"""The usage fee page (a count by hand, the all-or-nothing CSV upload, billing
a quarter), the exit charge page and the import_gebruik command, through the
test client and call_command."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from beware.common.audit import Actor
from businesscases import services as bc_services
from communities import services as community_services
from invoicing import services
from invoicing.models import ContributionRate, Invoice, UsageCount
from membership.models import Inwonertal
from tests.conftest import login
from tests.factories import CommunityFactory
from tests.invoicing.test_services import YEAR, billable

D = Decimal
SYSTEM = Actor.system()
PAGE = "/facturen/gebruik/"
COUNT = "/facturen/gebruik/opgave/"
IMPORT = "/facturen/gebruik/import/"
BILL = "/facturen/gebruik/factureren/"
EXIT = "/facturen/uittreding/"

GOOD_CSV = "community;lid;jaar;kwartaal;aantal\nsignalen;a;2026;1;10.000\nsignalen;b;2026;Q1;333\n"
BAD_CSV = (
    "community;lid;jaar;kwartaal;aantal\n"
    "signalen;a;2026;1;100\n"
    "signalen;b;2026;5;-3\n"
    "onbekend;a;2026;2;1\n"
    "signalen;a;2026;1;7\n"
)
BAD_ROWS = [
    "Regel 3: kwartaal &#x27;5&#x27; is geen 1, 2, 3 of 4; aantal &#x27;-3&#x27; is negatief.",
    "Regel 4: onbekende community &#x27;onbekend&#x27;.",
    "Regel 5: staat dubbel (ook op regel 2).",
]


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def signalen(boss, db):
    """A community with a decided business case at € 0,015 per transaction and two active members, a and b."""
    a, b = billable("a", 200_000), billable("b", 50_000)
    for member in (a, b):
        gemeente = member.representations.get().gemeente
        Inwonertal.objects.create(gemeente=gemeente, jaar=2025, aantal=gemeente.inwonertallen.get(jaar=YEAR).aantal)
    community = CommunityFactory(slug="signalen", naam="Signalen", trekker=a)
    for member in (a, b):
        community_services.participation_add(community, member, by=SYSTEM, datum=date(2025, 2, 1))
    business_case = bc_services.businesscase_create(
        community, by=SYSTEM, titel="Signalen", peildatum=date(2025, 1, 1), gebruikstarief=D("0.0150")
    )
    bc_services.cost_line_add(business_case, by=SYSTEM, soort="ontwikkeling", omschrijving="Bouw", bedrag=D("1000"))
    bc_services.businesscase_submit(business_case, by=SYSTEM)
    bc_services.businesscase_decide(business_case, by=boss, go=True, datum=date(2025, 3, 1))
    return community, a, b


def count_post(community, member, aantal, *, jaar=2026, kwartaal=1) -> dict:
    return {
        "opgave-community": community.pk,
        "opgave-lid": member.pk,
        "opgave-jaar": jaar,
        "opgave-kwartaal": kwartaal,
        "opgave-aantal": aantal,
    }


def upload(text: str, name: str = "gebruik.csv") -> dict:
    return {"import-bestand": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}


class TestUsagePage:
    def test_the_page_shows_the_quarter_and_the_expected_format(self, signalen, boss, directie):
        community, a, _b = signalen
        services.usage_count_set(by=boss, community=community, member=a, jaar=2026, kwartaal=2, aantal=12_500)
        page = login(directie).get(PAGE, {"jaar": 2026, "kwartaal": 2})
        assert page.status_code == 200
        html = page.content.decode()
        assert "Aantallen in 2026-Q2" in html
        assert "12.500" in html and "Gemeente A" in html
        assert "<code>community;lid;jaar;kwartaal;aantal</code>" in html
        assert "Kwartaal factureren" in html
        assert 'for="id_opgave-aantal"' in html and 'for="id_import-bestand"' in html

    def test_without_a_choice_the_latest_quarter_with_counts_is_shown(self, signalen, boss, directie):
        community, a, _b = signalen
        services.usage_count_set(by=boss, community=community, member=a, jaar=2025, kwartaal=4, aantal=1)
        assert "Aantallen in 2025-Q4" in login(directie).get(PAGE).content.decode()

    def test_a_count_is_entered_and_changed(self, signalen, directie):
        community, a, _b = signalen
        client = login(directie)
        response = client.post(COUNT, count_post(community, a, 1200))
        assert response.status_code == 302
        assert response.url == f"{PAGE}?jaar=2026&kwartaal=1"
        page = client.get(response.url).content.decode()
        assert "Vastgelegd: Gemeente A, Signalen, 2026-Q1: 1.200 transacties." in page
        client.post(COUNT, count_post(community, a, 1300))
        assert list(UsageCount.objects.values_list("member__code", "jaar", "kwartaal", "aantal")) == [
            ("a", 2026, 1, 1300)
        ]

    def test_a_negative_count_is_refused_and_nothing_stored(self, signalen, directie):
        community, a, _b = signalen
        response = login(directie).post(COUNT, count_post(community, a, -1))
        assert response.status_code == 400
        html = response.content.decode()
        assert 'href="#id_opgave-aantal">Aantal transacties: Een aantal transacties kan niet negatief zijn.' in html
        assert not UsageCount.objects.exists()

    def test_a_billed_count_cannot_be_changed_through_the_page(self, signalen, boss, directie):
        community, a, _b = signalen
        services.usage_count_set(by=boss, community=community, member=a, jaar=2026, kwartaal=1, aantal=5)
        services.usage_bill(2026, 1, by=boss)
        response = login(directie).post(COUNT, count_post(community, a, 6))
        assert response.status_code == 400
        assert "is al gefactureerd; een correctie gaat met een creditnota op die factuur." in response.content.decode()
        assert UsageCount.objects.get().aantal == 5

    def test_only_active_members_can_be_chosen(self, signalen, directie):
        community, _a, _b = signalen
        leaver = billable("oss", 100_000, einddatum=date(YEAR, 12, 31), status="opgezegd")
        response = login(directie).post(COUNT, count_post(community, leaver, 10))
        assert response.status_code == 400
        assert not UsageCount.objects.exists()


class TestUsageUpload:
    def test_a_good_file_is_read_entirely(self, signalen, directie):
        response = login(directie).post(IMPORT, upload(GOOD_CSV), follow=True)
        assert "2 regels ingelezen." in response.content.decode()
        assert sorted(UsageCount.objects.values_list("member__code", "aantal")) == [("a", 10_000), ("b", 333)]

    def test_a_bad_file_names_every_row_and_stores_nothing(self, signalen, directie):
        response = login(directie).post(IMPORT, upload(BAD_CSV))
        assert response.status_code == 400
        html = response.content.decode()
        assert "Er is niets ingelezen: 3 fouten" in html
        for row in BAD_ROWS:
            assert row in html
        assert not UsageCount.objects.exists()

    def test_a_file_that_is_not_csv_is_refused_by_field(self, signalen, directie):
        response = login(directie).post(IMPORT, upload("x", name="gebruik.xlsx"))
        assert response.status_code == 400
        assert 'href="#id_import-bestand">CSV-bestand: Kies een CSV-bestand (.csv).' in response.content.decode()
        assert not UsageCount.objects.exists()


class TestUsageBilling:
    def test_billing_the_quarter_makes_one_invoice_per_member(self, signalen, boss, directie):
        services.usage_import(GOOD_CSV.encode(), by=boss)
        client = login(directie)
        response = client.post(BILL, {"jaar": 2026, "kwartaal": 1})
        assert response.status_code == 302
        assert response.url == "/facturen/?zoekterm=Gebruiksvergoeding+2026-Q1"
        listing = client.get(response.url).content.decode()
        assert "2 facturen gemaakt voor de gebruiksvergoeding 2026-Q1." in listing
        invoices = {i.member.code: i for i in Invoice.objects.all()}
        assert invoices["a"].totaal_excl == D("150.00")
        assert invoices["b"].totaal_excl == D("5.00")
        page = client.get(PAGE, {"jaar": 2026, "kwartaal": 1}).content.decode()
        assert invoices["a"].nummer in page and invoices["b"].nummer in page
        assert "niets (meer) te factureren" in page

    def test_billing_again_makes_nothing_and_says_so(self, signalen, boss, directie):
        services.usage_import(GOOD_CSV.encode(), by=boss)
        client = login(directie)
        client.post(BILL, {"jaar": 2026, "kwartaal": 1})
        response = client.post(BILL, {"jaar": 2026, "kwartaal": 1}, follow=True)
        assert "Er zijn geen facturen gemaakt voor 2026-Q1" in response.content.decode()
        assert Invoice.objects.count() == 2


class TestAccess:
    @pytest.mark.parametrize("url", [PAGE, EXIT])
    def test_the_manager_may_not_see_the_pages(self, manager, url):
        assert login(manager).get(url).status_code == 403

    @pytest.mark.parametrize("url", [COUNT, IMPORT, BILL, EXIT])
    def test_the_manager_may_not_post(self, signalen, manager, url):
        community, a, _b = signalen
        data = {**count_post(community, a, 1), **upload(GOOD_CSV), "jaar": 2026, "kwartaal": 1}
        assert login(manager).post(url, data).status_code == 403
        assert not UsageCount.objects.exists() and not Invoice.objects.exists()

    def test_the_list_links_to_the_new_pages(self, directie):
        html = login(directie).get("/facturen/").content.decode()
        assert f'href="{PAGE}"' in html and f'href="{EXIT}"' in html


class TestExitChargePage:
    @pytest.fixture
    def leaving(self, db):
        ContributionRate.objects.create(
            jaar=YEAR, bedrag_per_inwoner=D("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
        )
        return billable("oss", 100_000, einddatum=date(YEAR, 12, 31), status="opgezegd")

    def test_above_one_years_contributie_is_refused_naming_the_field(self, leaving, directie):
        response = login(directie).post(EXIT, {"lid": leaving.pk, "bedrag": "35000.01", "reden": "Afbouw"})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'href="#id_bedrag">Bedrag: Te hoog of ongeldig: een uittredingsvergoeding is hoogstens' in html
        assert not Invoice.objects.exists()

    def test_within_the_cap_it_makes_the_invoice(self, leaving, directie):
        client = login(directie)
        assert "Gemeente Oss (einddatum 31-12-2026)" in client.get(EXIT).content.decode()
        response = client.post(EXIT, {"lid": leaving.pk, "bedrag": "35000.00", "reden": "Afbouw"})
        invoice = Invoice.objects.get(member=leaving)
        assert response.status_code == 302
        assert response.url == f"/facturen/{invoice.pk}/"
        assert invoice.totaal_incl == D("35000.00")
        assert invoice.lines.get().omschrijving == "Uittredingsvergoeding per 31-12-2026: Afbouw"
        page = client.get(response.url).content.decode()
        assert f"De uittredingsvergoeding voor Gemeente Oss is gefactureerd: {invoice.nummer}." in page

    def test_a_member_without_einddatum_cannot_be_chosen(self, leaving, directie):
        active = billable("gouda", 75_000)
        response = login(directie).post(EXIT, {"lid": active.pk, "bedrag": "10.00", "reden": "Afbouw"})
        assert response.status_code == 400
        assert 'href="#id_lid">Lid:' in response.content.decode()
        assert not Invoice.objects.exists()


class TestImportCommand:
    def test_a_good_file_is_stored(self, signalen, tmp_path, capsys):
        good = tmp_path / "gebruik.csv"
        good.write_text(GOOD_CSV)
        call_command("import_gebruik", str(good))
        assert "2 regels ingelezen." in capsys.readouterr().out
        assert UsageCount.objects.count() == 2

    def test_a_bad_file_names_every_row_and_stores_nothing(self, signalen, tmp_path, capsys):
        bad = tmp_path / "gebruik.csv"
        bad.write_text(BAD_CSV)
        with pytest.raises(CommandError, match="er is niets ingelezen"):
            call_command("import_gebruik", str(bad))
        err = capsys.readouterr().err
        for row in BAD_ROWS:
            assert row.replace("&#x27;", "'") in err
        assert not UsageCount.objects.exists()

    def test_a_missing_file_is_an_error(self, tmp_path):
        with pytest.raises(CommandError, match=r"Kan .* niet lezen"):
            call_command("import_gebruik", str(tmp_path / "weg.csv"))

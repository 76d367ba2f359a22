"""Usage fees per quarter (with the all-or-nothing CSV import), entreegeld at
admission and the exit charge capped at one year's contributie."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from beware.common.audit import Actor
from businesscases import services as bc_services
from communities import services as community_services
from invoicing import services
from invoicing.models import ContributionRate, EntryFee, Invoice, UsageCount
from membership import services as membership_services
from membership.models import Factuurkenmerk, Inwonertal
from tests.factories import CommunityFactory
from tests.invoicing.test_services import YEAR, billable

D = Decimal
SYSTEM = Actor.system()


@pytest.fixture
def boss(directie):
    return Actor(user=directie)


@pytest.fixture
def signalen(boss, db):
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


class TestUsage:
    def test_the_import_stores_every_row_and_the_quarter_is_billed(self, signalen, boss):
        _community, _a, _b = signalen
        csv = "community;lid;jaar;kwartaal;aantal\nsignalen;a;2026;1;10.000\nsignalen;b;2026;Q1;333\n"
        assert services.usage_import(csv.encode(), by=boss) == 2
        invoices = {i.member.code: i for i in services.usage_bill(2026, 1, by=boss)}
        assert invoices["a"].totaal_excl == D("150.00")  # 10.000 × 0,015
        assert invoices["b"].totaal_excl == D("5.00")  # 333 × 0,015 = 4,995 → 5,00
        assert invoices["a"].totaal_btw == D("31.50")
        line = invoices["a"].lines.get()
        assert (line.periode_van, line.periode_tot) == (date(2026, 1, 1), date(2026, 3, 31))
        assert services.usage_bill(2026, 1, by=boss) == []

    def test_a_bad_file_imports_nothing_and_names_every_row(self, signalen, boss):
        csv = (
            "community;lid;jaar;kwartaal;aantal\n"
            "signalen;a;2026;1;100\n"
            "signalen;b;2026;5;-3\n"
            "onbekend;a;2026;2;1\n"
            "signalen;a;2026;1;7\n"
        )
        with pytest.raises(services.UsageImportError) as refused:
            services.usage_import(csv.encode(), by=boss)
        assert refused.value.errors == [
            "Regel 3: kwartaal '5' is geen 1, 2, 3 of 4; aantal '-3' is negatief.",
            "Regel 4: onbekende community 'onbekend'.",
            "Regel 5: staat dubbel (ook op regel 2).",
        ]
        assert not UsageCount.objects.exists()

    def test_a_negative_count_is_refused(self, signalen, boss):
        community, a, _ = signalen
        with pytest.raises(ValidationError, match="negatief"):
            services.usage_count_set(by=boss, community=community, member=a, jaar=2026, kwartaal=1, aantal=-1)
        assert not UsageCount.objects.exists()

    def test_a_billed_quarter_cannot_be_changed(self, signalen, boss):
        community, a, _ = signalen
        services.usage_count_set(by=boss, community=community, member=a, jaar=2026, kwartaal=2, aantal=5)
        services.usage_bill(2026, 2, by=boss)
        with pytest.raises(ValidationError, match="al gefactureerd"):
            services.usage_count_set(by=boss, community=community, member=a, jaar=2026, kwartaal=2, aantal=6)


class TestEntryFee:
    def test_becoming_active_bills_the_entreegeld(self, boss, directie, django_capture_on_commit_callbacks):
        EntryFee.objects.create(
            geldig_vanaf=date(2020, 1, 1), vast_bedrag=D("2500.00"), bedrag_per_inwoner=D("0.01"), besluit="ALV 2019"
        )
        member = billable("gouda", 75_000, ingangsdatum=None, status="toegelaten")
        with django_capture_on_commit_callbacks(execute=True):
            membership_services.member_take_step(member, "overeenkomst_ondertekend", by=boss, datum=date(YEAR, 1, 1))
        invoice = Invoice.objects.get(member=member)
        assert invoice.totaal_excl == D("3250.00")  # 2.500 + 0,01 × 75.000
        assert invoice.lines.get().btw_categorie == "O"
        assert services.entry_fee_bill(member, by=boss) is None  # never twice


class TestExitCharge:
    @pytest.fixture
    def leaving(self, db):
        ContributionRate.objects.create(
            jaar=YEAR, bedrag_per_inwoner=D("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
        )
        member = billable("oss", 100_000, einddatum=date(YEAR, 12, 31), status="opgezegd")
        return member

    def test_at_most_one_years_contributie(self, leaving, boss):
        with pytest.raises(ValidationError, match="hoogstens één jaar contributie"):
            services.exit_charge_bill(leaving, by=boss, bedrag=D("35000.01"), reden="Afbouw")
        assert not Invoice.objects.exists()
        invoice = services.exit_charge_bill(leaving, by=boss, bedrag=D("35000.00"), reden="Afbouw")
        assert invoice.totaal_incl == D("35000.00")
        with pytest.raises(ValidationError, match="al een uittredingsvergoeding"):
            services.exit_charge_bill(leaving, by=boss, bedrag=D("10.00"), reden="Nog eens")
        assert Factuurkenmerk.objects.filter(member=leaving).exists()

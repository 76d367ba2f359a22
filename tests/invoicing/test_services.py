"""Invoicing through the services: charges from every source, numbering,
immutability, credit notes, payments, the contributie run and reminders."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor
from businesscases import services as bc_services
from businesscases.models import Settlement
from communities import services as community_services
from invoicing import selectors, services
from invoicing.models import Batch, BatchItem, Charge, ContributionRate, Invoice, InvoiceLine, Payment, Reminder
from membership.models import Contact, Factuurkenmerk, Inwonertal
from tests.factories import CommunityFactory, member_with_inwoners

D = Decimal
SYSTEM = Actor.system()
YEAR = 2026


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


def billable(code, inwoners, *, kenmerk=True, **fields):
    fields.setdefault("ingangsdatum", date(2019, 1, 1))
    fields.setdefault("status", "actief")
    member = member_with_inwoners(code, inwoners, jaar=YEAR, **fields)
    member.adres, member.postcode, member.plaats = "Markt 1", "1234 AB", code.title()
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Contact.objects.create(member=member, naam="Fien Financiën", email=f"finance@{code}.nl", rol="financieel")
    if kenmerk:
        Factuurkenmerk.objects.create(member=member, jaar=YEAR, kenmerk=f"INK-{code}")
    return member


@pytest.fixture
def eindhoven_member(db):
    return billable("eindhoven", 238_000)


def contributie(member, rate, boss) -> Invoice:
    return services.contribution_invoice(member, rate, by=boss)


class TestContributie:
    def test_rate_times_inwoners_on_1_january(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        assert invoice.totaal_excl == D("83300.00")  # 0,35 × 238.000
        assert (invoice.totaal_btw, invoice.totaal_incl) == (D("0.00"), D("83300.00"))
        line = invoice.lines.get()
        assert (line.btw_categorie, line.btw_percentage) == ("O", D("0.00"))
        assert line.charge.contribution_rate == rate

    def test_a_member_joining_in_april_pays_nine_twelfths(self, rate, boss):
        member = billable("boxtel", 31_000, ingangsdatum=date(YEAR, 4, 15))
        invoice = contributie(member, rate, boss)
        assert invoice.totaal_excl == D("8137.50")  # 0,35 × 31.000 × 9 / 12
        assert invoice.lines.get().periode_van == date(YEAR, 4, 1)

    def test_finalising_numbers_dates_and_snapshots(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        today = timezone.localdate()
        assert invoice.nummer == f"{today.year}-F-00001"
        assert invoice.vervaldatum == today + timedelta(days=30)
        assert invoice.betalingskenmerk == invoice.nummer
        assert invoice.koper["factuurkenmerk"] == "INK-eindhoven"
        assert invoice.koper["adres"] == "Markt 1"
        eindhoven_member.naam = "Gemeente Eindhoven (nieuw)"
        eindhoven_member.save()
        invoice.refresh_from_db()
        assert invoice.koper["naam"] == "Gemeente Eindhoven"

    def test_a_rate_change_for_an_invoiced_year_is_refused(self, eindhoven_member, rate, boss):
        contributie(eindhoven_member, rate, boss)
        with pytest.raises(ValidationError, match="Crediteer die facturen"):
            services.contribution_rate_set(
                by=boss, jaar=YEAR, bedrag_per_inwoner=D("0.40"), besluit="ALV", besluitdatum=date(YEAR, 3, 1)
            )
        rate.refresh_from_db()
        assert rate.bedrag_per_inwoner == D("0.3500")

    def test_a_rate_for_a_year_not_yet_invoiced_can_be_set(self, boss, db):
        rate = services.contribution_rate_set(
            by=boss, jaar=YEAR + 1, bedrag_per_inwoner=D("0.36"), besluit="ALV 2026", besluitdatum=date(YEAR, 6, 1)
        )
        assert rate.bedrag_per_inwoner == D("0.3600")


class TestFinalising:
    def test_twice_is_refused(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        with pytest.raises(ValidationError, match="al definitief"):
            services.invoice_finalise(invoice, by=boss)

    def test_without_a_factuurkenmerk_is_refused_and_stays_a_draft(self, rate, boss):
        member = billable("woerden", 52_000, kenmerk=False)
        charge, _ = services.charge_get_or_create(
            member=member, soort="jaarkosten", bron="test:1", bedrag=D("100.00"), omschrijving="Hosting"
        )
        draft = services.invoice_draft(member, [charge], by=boss, omschrijving="Hosting", kenmerk_jaar=YEAR)
        with pytest.raises(ValidationError, match="geen factuurkenmerk voor 2026"):
            services.invoice_finalise(draft, by=boss)
        draft.refresh_from_db()
        assert (draft.status, draft.nummer) == ("concept", None)

    def test_vat_is_computed_per_category_on_the_sum(self, eindhoven_member, boss, db):
        charges = [
            services.charge_get_or_create(
                member=eindhoven_member, soort="jaarkosten", bron=f"t:{i}", bedrag=D("0.05"), omschrijving=f"R{i}"
            )[0]
            for i in range(3)
        ]
        invoice = services.invoice_draft(eindhoven_member, charges, by=boss, omschrijving="x", kenmerk_jaar=YEAR)
        invoice = services.invoice_finalise(invoice, by=boss)
        # 3 × 0,05 = 0,15; 21% = 0,0315 → 0,03 (per line it would be 3 × 0,01)
        assert (invoice.totaal_excl, invoice.totaal_btw, invoice.totaal_incl) == (D("0.15"), D("0.03"), D("0.18"))

    def test_not_subject_lines_never_share_an_invoice(self, eindhoven_member, boss, db):
        o, _ = services.charge_get_or_create(
            member=eindhoven_member, soort="contributie", bron="t:o", bedrag=D("10.00"), omschrijving="C"
        )
        s, _ = services.charge_get_or_create(
            member=eindhoven_member, soort="jaarkosten", bron="t:s", bedrag=D("10.00"), omschrijving="J"
        )
        with pytest.raises(ValidationError, match="BR-O-11"):
            services.invoice_draft(eindhoven_member, [o, s], by=boss, omschrijving="x")
        assert not Invoice.objects.exists()

    def test_only_the_directie_finalises(self, eindhoven_member, rate, manager):
        with pytest.raises(PermissionDenied):
            services.contribution_invoice(eindhoven_member, rate, by=Actor(user=manager))
        assert not Invoice.objects.exists()


class TestImmutability:
    @pytest.fixture
    def invoice(self, eindhoven_member, rate, boss):
        return contributie(eindhoven_member, rate, boss)

    def test_a_changed_amount_is_refused(self, invoice):
        invoice.totaal_incl = D("1.00")
        with pytest.raises(PermissionError, match="creditnota"):
            invoice.save()
        invoice.refresh_from_db()
        assert invoice.totaal_incl == D("83300.00")

    def test_back_to_draft_is_refused(self, invoice):
        invoice.status = "concept"
        with pytest.raises(PermissionError):
            invoice.save()

    def test_delete_is_refused_for_the_object_and_the_queryset(self, invoice):
        with pytest.raises(PermissionError):
            invoice.delete()
        with pytest.raises(PermissionError):
            Invoice.objects.all().delete()
        with pytest.raises(PermissionError):
            Invoice.objects.filter(pk=invoice.pk).update(totaal_incl=D("1.00"))
        assert Invoice.objects.get(pk=invoice.pk).totaal_incl == D("83300.00")

    def test_lines_and_payments_cannot_change(self, invoice, boss):
        line = invoice.lines.get()
        line.bedrag = D("1.00")
        with pytest.raises(PermissionError):
            line.save()
        with pytest.raises(PermissionError):
            line.delete()
        payment = services.payment_register(invoice, by=boss, datum=timezone.localdate(), bedrag=D("100.00"))
        with pytest.raises(PermissionError):
            payment.delete()

    def test_the_service_refuses_to_delete_a_final_invoice(self, invoice, boss):
        with pytest.raises(ValidationError, match="definitief"):
            services.invoice_delete_draft(invoice, by=boss)


class TestPaymentsAndCredits:
    @pytest.fixture
    def invoice(self, eindhoven_member, rate, boss):
        return contributie(eindhoven_member, rate, boss)

    def test_partial_then_full_payment(self, invoice, boss):
        today = timezone.localdate()
        services.payment_register(invoice, by=boss, datum=today, bedrag=D("83000.00"))
        invoice.refresh_from_db()
        assert (invoice.status, selectors.open_amount(invoice)) == ("open", D("300.00"))
        with pytest.raises(ValidationError, match="hoger dan wat"):
            services.payment_register(invoice, by=boss, datum=today, bedrag=D("300.01"))
        services.payment_register(invoice, by=boss, datum=today, bedrag=D("300.00"))
        invoice.refresh_from_db()
        assert invoice.status == "betaald"
        assert Payment.objects.filter(invoice=invoice).count() == 2

    def test_a_credit_note_references_its_invoice_and_lowers_what_is_open(self, invoice, boss):
        note = services.credit_note_create(
            invoice,
            by=boss,
            reden="Inwonertal gecorrigeerd",
            regels=[services.CreditLine("Correctie inwonertal", D("350.00"), "O", D("0"))],
        )
        note = services.invoice_finalise(note, by=boss)
        assert note.nummer == f"{timezone.localdate().year}-C-00001"
        assert note.corrects == invoice
        assert selectors.open_amount(invoice) == D("82950.00")

    def test_a_credit_note_larger_than_what_is_open_is_refused(self, invoice, boss):
        line = services.CreditLine("Alles", D("83300.00"), "O", D("0"))
        services.credit_note_create(invoice, by=boss, reden="Dubbel", regels=[line])
        with pytest.raises(ValidationError, match="nog te crediteren is"):
            services.credit_note_create(
                invoice, by=boss, reden="Nog eens", regels=[services.CreditLine("1 cent", D("0.01"), "O", D("0"))]
            )
        assert Invoice.objects.filter(soort="creditnota").count() == 1

    def test_a_payment_on_a_credit_note_is_refused(self, invoice, boss):
        note = services.credit_note_create(
            invoice, by=boss, reden="Correctie", regels=[services.CreditLine("C", D("10.00"), "O", D("0"))]
        )
        note = services.invoice_finalise(note, by=boss)
        with pytest.raises(ValidationError, match="creditnota"):
            services.payment_register(note, by=boss, datum=timezone.localdate(), bedrag=D("10.00"))
        assert not Payment.objects.exists()


class TestContributieRun:
    def test_invoices_each_member_once_and_reports_who_was_skipped(self, rate, boss):
        eindhoven = billable("eindhoven", 238_000)
        billable("woerden", 52_000, kenmerk=False)
        boxtel = billable("boxtel", 31_000)
        Inwonertal.objects.filter(gemeente__representations__member=boxtel).delete()
        batch = services.contribution_batch_start(YEAR, by=boss)  # eager in tests
        batch.refresh_from_db()
        outcomes = {i.member.code: (i.uitkomst, i.reden) for i in batch.items.all()}
        assert outcomes["eindhoven"][0] == "aangemaakt"
        assert outcomes["woerden"] == (
            "overgeslagen",
            "Geen factuurkenmerk voor 2026; vraag het lid om het kenmerk vast te leggen.",
        )
        assert outcomes["boxtel"][0] == "overgeslagen" and "Boxtel" in outcomes["boxtel"][1]
        assert batch.status == "klaar"
        invoice = Invoice.objects.get(member=eindhoven)
        assert invoice.pdf_sha256 and invoice.ubl_sha256 and invoice.verzonden_op
        assert [m.to for m in mail.outbox] == [["finance@eindhoven.nl"]]
        assert {a[0] for a in mail.outbox[0].attachments} == {f"{invoice.nummer}.pdf", f"{invoice.nummer}.xml"}

        again = services.contribution_batch_start(YEAR, by=boss)
        assert Invoice.objects.count() == 1 and Charge.objects.count() == 1
        reasons = dict(again.items.values_list("member__code", "reden"))
        assert reasons["eindhoven"] == f"Al gefactureerd: {invoice.nummer}."
        assert len(mail.outbox) == 1

    def test_rerunning_the_same_run_keeps_its_outcomes(self, rate, boss):
        billable("eindhoven", 238_000)
        batch = services.contribution_batch_start(YEAR, by=boss)
        services.contribution_batch_run(batch)
        assert BatchItem.objects.filter(batch=batch).count() == 1
        assert Invoice.objects.count() == 1

    def test_a_run_needs_a_rate(self, boss, db):
        with pytest.raises(ValidationError, match="geen contributietarief voor 2030"):
            services.contribution_batch_start(2030, by=boss)
        assert not Batch.objects.exists()

    def test_a_broker_that_is_down_leaves_nothing_behind(self, rate, boss, monkeypatch):
        from kombu.exceptions import OperationalError

        from invoicing import tasks

        def broker_down(*args, **kwargs):
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        monkeypatch.setattr(tasks.run_contribution_batch, "delay", broker_down)
        billable("eindhoven", 238_000)
        with pytest.raises(ValidationError, match=r"niet bereikbaar\. Er is niets aangemaakt"):
            services.contribution_batch_start(YEAR, by=boss)
        assert not Batch.objects.exists() and not Invoice.objects.exists()
        monkeypatch.undo()
        services.contribution_batch_start(YEAR, by=boss)
        assert Invoice.objects.filter(status="open").count() == 1


class TestBusinessCaseInvoices:
    @pytest.fixture
    def decided(self, boss):
        members = {code: billable(code, size) for code, size in {"a": 200_000, "b": 50_000, "c": 30_000}.items()}
        members["d"] = billable("d", 50_000)
        for member in members.values():
            Inwonertal.objects.create(
                gemeente=member.representations.get().gemeente, jaar=2024, aantal=member_inhabitants(member)
            )
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
        for member in members.values():
            Factuurkenmerk.objects.get_or_create(member=member, jaar=2024, kenmerk=f"BC-{member.code}")
        return business_case, community, members

    def test_the_go_decision_bills_each_participant_its_share(self, decided, boss):
        business_case, _, _members = decided
        invoices = services.businesscase_bill(business_case, by=boss)
        amounts = {i.member.code: i.totaal_excl for i in invoices}
        assert amounts == {"a": D("85714.29"), "b": D("21428.57"), "c": D("12857.14")}
        assert all(i.totaal_btw == (i.totaal_excl * D("0.21")).quantize(D("0.01")) for i in invoices)
        assert services.businesscase_bill(business_case, by=boss) == []  # nothing twice

    def test_a_late_join_gives_one_invoice_and_credit_notes_matching_the_settlement(self, decided, boss):
        business_case, community, members = decided
        originals = {i.member.code: i for i in services.businesscase_bill(business_case, by=boss)}
        community_services.participation_add(community, members["d"], by=SYSTEM, datum=date(2024, 6, 1))
        settlement = Settlement.objects.get(member=members["d"])
        made = services.businesscase_bill(business_case, by=boss)
        joiner = [i for i in made if i.soort == "factuur"]
        notes = [i for i in made if i.soort == "creditnota"]
        assert [(i.member.code, i.totaal_excl) for i in joiner] == [("d", settlement.bedrag)]
        assert {n.member.code: n.totaal_excl for n in notes} == {
            "a": D("12987.02"),
            "b": D("3246.75"),
            "c": D("1948.05"),
        }
        assert sum(n.totaal_excl for n in notes) == settlement.bedrag == joiner[0].totaal_excl
        assert all(n.corrects == originals[n.member.code] for n in notes)
        assert all(n.nummer.split("-")[1] == "C" for n in notes)
        assert services.businesscase_bill(business_case, by=boss) == []

    def test_nothing_is_billed_for_zero(self, decided, boss):
        business_case, community, _members = decided
        services.businesscase_bill(business_case, by=boss)
        before = Invoice.objects.count()
        zero = billable("z", 0)
        Inwonertal.objects.create(gemeente=zero.representations.get().gemeente, jaar=2024, aantal=0)
        community_services.participation_add(community, zero, by=SYSTEM, datum=date(2024, 7, 1))
        assert Settlement.objects.get(member=zero).bedrag == D("0.00")
        assert services.businesscase_bill(business_case, by=boss) == []
        assert Invoice.objects.count() == before


def member_inhabitants(member) -> int:
    return member.representations.get().gemeente.inwonertallen.get(jaar=YEAR).aantal


class TestReminders:
    def test_an_overdue_invoice_gets_one_recorded_reminder_per_fortnight(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        later = invoice.vervaldatum + timedelta(days=1)
        mail.outbox.clear()
        with pytest.MonkeyPatch.context():
            sent = services.reminders_send(today=later)
        assert [r.invoice for r in sent] == [invoice]
        reminder = Reminder.objects.get()
        assert (reminder.volgnummer, reminder.email, reminder.openstaand) == (1, "finance@eindhoven.nl", D("83300.00"))
        assert services.reminders_send(today=later + timedelta(days=1)) == []
        assert selectors.display_status(invoice, later) == "vervallen"
        with pytest.raises(PermissionError):
            Reminder.objects.all().delete()
        with pytest.raises(PermissionError):
            reminder.delete()

    def test_a_paid_invoice_gets_none(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        services.payment_register(invoice, by=boss, datum=timezone.localdate(), bedrag=invoice.totaal_incl)
        assert services.reminders_send(today=invoice.vervaldatum + timedelta(days=1)) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_20_threads_finalising_200_drafts_give_200_gapless_numbers(directie):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers anyway")
    boss = Actor(user=directie)
    member = billable("eindhoven", 238_000)
    drafts = []
    for i in range(200):
        charge, _ = services.charge_get_or_create(
            member=member, soort="jaarkosten", bron=f"c:{i}", bedrag=D("10.00"), omschrijving=f"Post {i}"
        )
        drafts.append(services.invoice_draft(member, [charge], by=boss, omschrijving=f"F{i}", kenmerk_jaar=YEAR))
    barrier = threading.Barrier(20)
    errors = []

    def finalise(chunk):
        try:
            barrier.wait()
            for draft in chunk:
                services.invoice_finalise(draft, by=boss, queue_documents=False)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finalise, args=(drafts[i::20],)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.values_list("volgnummer", flat=True))
    assert numbers == list(range(1, 201))
    assert len(set(Invoice.objects.values_list("nummer", flat=True))) == 200
    assert InvoiceLine.objects.count() == 200
    assert audit.verify_chain() is None


class TestCorrectingARate:
    def test_credit_in_full_then_change_the_rate_and_run_again(self, eindhoven_member, rate, boss):
        first = contributie(eindhoven_member, rate, boss)
        note = services.credit_note_create(
            first,
            by=boss,
            reden="Tarief gecorrigeerd door de ALV",
            regels=[services.CreditLine("Contributie 2026 teruggedraaid", first.totaal_excl, "O", D("0"))],
        )
        with pytest.raises(ValidationError, match="Crediteer die facturen"):  # the draft does not count yet
            services.contribution_rate_set(
                by=boss, jaar=YEAR, bedrag_per_inwoner=D("0.34"), besluit="ALV", besluitdatum=date(YEAR, 3, 1)
            )
        services.invoice_finalise(note, by=boss)
        services.contribution_rate_set(
            by=boss, jaar=YEAR, bedrag_per_inwoner=D("0.34"), besluit="ALV", besluitdatum=date(YEAR, 3, 1)
        )
        rate.refresh_from_db()
        second = contributie(eindhoven_member, rate, boss)
        assert second != first
        assert second.totaal_excl == D("80920.00")  # 0,34 × 238.000
        with pytest.raises(services.SkipMember, match=f"Al gefactureerd: {second.nummer}"):
            contributie(eindhoven_member, rate, boss)


class TestCatchUp:
    def test_system_drafts_are_finalised_once_the_member_data_is_complete(self, boss, db):
        member = billable("woerden", 52_000, kenmerk=False)
        charge, _ = services.charge_get_or_create(
            member=member, soort="jaarkosten", bron="jaarkosten:test", bedrag=D("100.00"), omschrijving="Hosting"
        )
        draft = services.invoice_draft(member, [charge], by=boss, omschrijving="Hosting", kenmerk_jaar=YEAR)
        manual = services.invoice_draft(
            member,
            [
                services.charge_get_or_create(
                    member=member, soort="jaarkosten", bron="x", bedrag=D("1"), omschrijving="x"
                )[0]
            ],
            by=boss,
            omschrijving="x",
            kenmerk_jaar=YEAR,
        )
        InvoiceLine.objects.create(
            invoice=manual, omschrijving="Handmatig", bedrag=D("5.00"), btw_categorie="S", btw_percentage=D("21")
        )
        assert services.system_drafts_finalise(by=SYSTEM) == []  # no factuurkenmerk yet
        Factuurkenmerk.objects.create(member=member, jaar=YEAR, kenmerk="WRD-2026")
        assert [i.pk for i in services.system_drafts_finalise(by=SYSTEM)] == [draft.pk]
        manual.refresh_from_db()
        assert manual.status == "concept"  # a line the directie typed waits for the directie


class TestReviewFindings:
    def test_a_june_joiners_e_invoice_passes_the_official_rules(self, rate, boss):
        from tests.invoicing.einvoice_validation import nlcius_failures, schematron_failures, xsd_errors

        member = billable("buren", 31_000, ingangsdatum=date(YEAR, 6, 1))  # 7/12: 6.329,17
        invoice = services.invoice_documents_render(contributie(member, rate, boss))
        assert invoice.totaal_excl == D("6329.17")
        ubl = invoice.ubl.read()
        assert xsd_errors(ubl) == []
        assert schematron_failures(ubl, "en16931") == []
        assert nlcius_failures(ubl) == []
        line = invoice.lines.get()
        assert line.aantal * line.eenheidsprijs == line.bedrag
        assert line.charge.inwoners == 31_000

    def test_deleting_a_draft_lets_the_next_bill_use_the_new_amount(self, boss, db):
        member = billable("oss", 100_000, kenmerk=False, einddatum=date(YEAR, 12, 31), status="opgezegd")
        ContributionRate.objects.create(
            jaar=YEAR, bedrag_per_inwoner=D("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
        )
        draft = services.exit_charge_bill(member, by=boss, bedrag=D("5000.00"), reden="Eerste opgave")
        assert draft.status == "concept"  # no factuurkenmerk yet
        services.invoice_delete_draft(draft, by=boss)
        again = services.exit_charge_bill(member, by=boss, bedrag=D("1000.00"), reden="Gecorrigeerd")
        line = again.lines.get()
        assert (line.bedrag, line.omschrijving.endswith("Gecorrigeerd")) == (D("1000.00"), True)

    def test_bulk_changes_to_final_lines_and_payments_are_refused(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        services.payment_register(invoice, by=boss, datum=timezone.localdate(), bedrag=D("10.00"))
        with pytest.raises(PermissionError):
            InvoiceLine.objects.filter(invoice=invoice).update(bedrag=D("1.00"))
        with pytest.raises(PermissionError):
            InvoiceLine.objects.filter(invoice=invoice).delete()
        with pytest.raises(PermissionError):
            Payment.objects.filter(invoice=invoice).delete()
        assert invoice.lines.get().bedrag == D("83300.00") and Payment.objects.count() == 1

    def test_a_credit_note_uses_the_vat_of_its_invoice(self, eindhoven_member, rate, boss):
        invoice = contributie(eindhoven_member, rate, boss)
        with pytest.raises(ValidationError, match="btw die op"):
            services.credit_note_create(
                invoice, by=boss, reden="Fout", regels=[services.CreditLine("x", D("10.00"), "S", D("21"))]
            )
        assert not Invoice.objects.filter(soort="creditnota").exists()

    def test_the_catch_up_goes_on_when_one_business_case_fails(self, boss, monkeypatch, db):
        from businesscases.models import BusinessCase
        from invoicing import tasks

        member = billable("woerden", 52_000)
        charge, _ = services.charge_get_or_create(
            member=member, soort="jaarkosten", bron="jaarkosten:x", bedrag=D("100.00"), omschrijving="Hosting"
        )
        services.invoice_draft(member, [charge], by=boss, omschrijving="Hosting", kenmerk_jaar=YEAR)
        monkeypatch.setattr(BusinessCase.objects, "filter", lambda **kw: [object()])

        def broken(*args, **kwargs):
            raise RuntimeError("kapot")

        monkeypatch.setattr(services, "businesscase_bill", broken)
        tasks.catch_up()
        invoice = Invoice.objects.get()
        assert invoice.status == "open" and invoice.pdf_sha256 and invoice.verzonden_op

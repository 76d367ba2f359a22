"""Invoicing pages through the test client: a member's own invoices and
documents (and nobody else's), the directie's list, payments and credit notes
through the forms, the contributie run with its progress, the admin's
refusals and query budgets."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from beware.common.audit import Actor
from invoicing import services
from invoicing.models import Batch, BatchItem, ContributionRate, Invoice, Payment
from membership.models import Contact, Factuurkenmerk, Inwonertal, MemberRole
from tests.conftest import login, with_totp
from tests.factories import UserFactory, member_user, member_with_inwoners

D = Decimal
YEAR = 2026
pytestmark = pytest.mark.django_db


def make_billable(member, inwoners: int, *, kenmerk: bool = True):
    """Inwonertal, address, financial contact and factuurkenmerk for YEAR."""
    Inwonertal.objects.create(gemeente=member.representations.get().gemeente, jaar=YEAR, aantal=inwoners)
    member.adres, member.postcode, member.plaats = "Markt 1", "1234 AB", member.naam.split()[-1]
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Contact.objects.create(member=member, naam="Fien Financiën", email=f"finance@{member.code}.nl", rol="financieel")
    if kenmerk:
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
def billed_eindhoven(eindhoven, rate, boss):
    """Eindhoven's contributie invoice: 238.000 × € 0,35 = € 83.300,00."""
    make_billable(eindhoven, 238_000)
    return services.contribution_invoice(eindhoven, rate, by=boss)


@pytest.fixture
def woerden_user(woerden):
    return member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.FINANCIEEL_CONTACT)


def hosting_draft(member, boss, bedrag="1000.00", *, n=1) -> Invoice:
    """A draft with one line at 21% btw (jaarkosten)."""
    charge, _ = services.charge_get_or_create(
        member=member, soort="jaarkosten", bron=f"test:{member.code}:{n}", bedrag=D(bedrag), omschrijving="Hosting"
    )
    return services.invoice_draft(member, [charge], by=boss, omschrijving=f"Hosting {n}", kenmerk_jaar=YEAR)


def hosting_invoice(member, boss, bedrag="1000.00", *, n=1, datum=None) -> Invoice:
    return services.invoice_finalise(hosting_draft(member, boss, bedrag, n=n), by=boss, datum=datum)


def detail(invoice) -> str:
    return f"/facturen/{invoice.pk}/"


# --- a member's own invoices ---------------------------------------------------------


def test_a_member_sees_its_invoices_and_their_details(billed_eindhoven, eindhoven_user):
    client = login(eindhoven_user)
    page = client.get("/facturen/mijn/").content.decode()
    assert billed_eindhoven.nummer in page
    assert "Contributie 2026" in page
    assert page.count("€ 83.300,00") == 2  # total and still open
    assert "Open" in page
    assert 'href="/facturen/mijn/" aria-current="page"' in page  # in the navigation
    page = client.get(detail(billed_eindhoven)).content.decode()
    assert "Contributie 2026: 238.000 inwoners" in page
    assert "1-1-2026 t/m 31-12-2026" in page
    assert "O: niet onderworpen aan btw" in page
    assert "INK-eindhoven" in page  # the buyer snapshot
    assert f"Betalingskenmerk</dt><dd>{billed_eindhoven.nummer}" in page
    assert billed_eindhoven.vervaldatum.strftime("%Y") in page
    assert "Betaling registreren" not in page and "Creditnota maken" not in page


def test_an_overdue_invoice_reads_vervallen(eindhoven, boss, eindhoven_user):
    make_billable(eindhoven, 238_000)
    hosting_invoice(eindhoven, boss, datum=timezone.localdate() - timedelta(days=45))
    page = login(eindhoven_user).get("/facturen/mijn/").content.decode()
    assert "beware-status--factuur-vervallen" in page and ">Vervallen<" in page
    assert "€ 1.210,00" in page


def test_a_user_without_a_member_is_told_so(manager):
    response = login(manager).get("/facturen/mijn/")
    assert response.status_code == 200
    assert "niet gekoppeld aan een lid" in response.content.decode()


def test_another_members_invoice_is_not_found_anywhere(billed_eindhoven, woerden_user, directie):
    services.invoice_documents_render(billed_eindhoven)
    assert login(directie).get(f"{detail(billed_eindhoven)}pdf/").status_code == 200
    client = login(woerden_user)
    for suffix in ("", "pdf/", "ubl/"):
        assert client.get(f"{detail(billed_eindhoven)}{suffix}").status_code == 404
    assert billed_eindhoven.nummer not in client.get("/facturen/mijn/").content.decode()


def test_a_member_never_sees_a_draft(eindhoven, boss, eindhoven_user, directie):
    make_billable(eindhoven, 238_000)
    draft = hosting_draft(eindhoven, boss)
    client = login(eindhoven_user)
    assert "Hosting 1" not in client.get("/facturen/mijn/").content.decode()
    assert client.get(detail(draft)).status_code == 404
    page = login(directie).get(detail(draft)).content.decode()
    assert "Conceptfactuur" in page and "Definitief maken" in page


def test_the_documents_download_with_their_names(billed_eindhoven, eindhoven_user):
    client = login(eindhoven_user)
    assert client.get(f"{detail(billed_eindhoven)}pdf/").status_code == 404  # not rendered yet
    invoice = services.invoice_documents_render(billed_eindhoven)
    page = client.get(detail(invoice)).content.decode()
    assert invoice.pdf_sha256 in page and invoice.ubl_sha256 in page
    pdf = client.get(f"{detail(invoice)}pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert pdf["Content-Disposition"] == f'attachment; filename="{invoice.nummer}.pdf"'
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    ubl = client.get(f"{detail(invoice)}ubl/")
    assert (ubl.status_code, ubl["Content-Type"]) == (200, "application/xml")
    assert ubl["Content-Disposition"] == f'attachment; filename="{invoice.nummer}.xml"'
    assert invoice.nummer.encode() in b"".join(ubl.streaming_content)


# --- the directie's list ---------------------------------------------------------------


@pytest.fixture
def three_invoices(eindhoven, woerden, boss):
    """Eindhoven: one overdue and one current invoice; Woerden: one current."""
    make_billable(eindhoven, 238_000)
    make_billable(woerden, 52_000)
    today = timezone.localdate()
    return {
        "overdue": hosting_invoice(eindhoven, boss, "100.00", n=1, datum=today - timedelta(days=45)),
        "current": hosting_invoice(eindhoven, boss, "200.00", n=2),
        "woerden": hosting_invoice(woerden, boss, "300.00", n=3),
    }


def test_the_directie_filters_the_list(three_invoices, directie, woerden):
    client = login(directie)
    numbers = {name: invoice.nummer for name, invoice in three_invoices.items()}
    page = client.get("/facturen/").content.decode()
    assert all(nummer in page for nummer in numbers.values())
    assert "3 facturen en creditnota's gevonden" in page
    page = client.get("/facturen/", {"status": "vervallen"}).content.decode()
    assert numbers["overdue"] in page and numbers["current"] not in page and numbers["woerden"] not in page
    page = client.get("/facturen/", {"lid": woerden.pk}).content.decode()
    assert numbers["woerden"] in page and numbers["overdue"] not in page
    current_year = three_invoices["current"].jaar
    page = client.get("/facturen/", {"jaar": current_year}).content.decode()
    assert numbers["current"] in page
    assert (numbers["overdue"] in page) == (three_invoices["overdue"].jaar == current_year)
    page = client.get("/facturen/", {"jaar": current_year - 5}).content.decode()
    assert "Geen facturen gevonden." in page
    page = client.get("/facturen/", {"zoekterm": numbers["woerden"]}).content.decode()
    assert "1 factuur of creditnota gevonden" in page


def test_the_list_shows_what_is_still_open(three_invoices, directie, boss):
    services.payment_register(three_invoices["woerden"], by=boss, datum=timezone.localdate(), bedrag=D("100.00"))
    page = login(directie).get("/facturen/", {"zoekterm": three_invoices["woerden"].nummer}).content.decode()
    assert "€ 363,00" in page  # total incl. 21% btw
    assert "€ 263,00" in page  # still open


@pytest.mark.parametrize(
    "url", ["/facturen/", "/facturen/contributie/", "/facturen/runs/{pk}/", "/facturen/runs/{pk}/voortgang/"]
)
def test_a_manager_who_is_not_directie_gets_403(url, manager, directie):
    batch = Batch.objects.create(soort="contributie", jaar=YEAR, totaal=1, gestart_door=directie)
    assert login(manager).get(url.format(pk=batch.pk)).status_code == 403
    assert login(directie).get(url.format(pk=batch.pk)).status_code == 200


def test_a_member_user_cannot_post_directie_actions(billed_eindhoven, eindhoven_user):
    client = login(eindhoven_user)
    url = detail(billed_eindhoven)
    assert (
        client.post(f"{url}betalingen/", {"betaling-datum": "2026-01-10", "betaling-bedrag": "10"}).status_code == 403
    )
    assert client.post(f"{url}definitief/").status_code == 403
    assert not Payment.objects.exists()


def test_the_nav_links_facturen_for_the_directie_only(directie, manager):
    assert 'href="/facturen/"' in login(directie).get("/").content.decode()
    assert 'href="/facturen/"' not in login(manager).get("/").content.decode()


# --- payments, credit notes, finalising -----------------------------------------------------


def test_a_payment_through_the_page_settles_the_invoice(billed_eindhoven, directie):
    url = detail(billed_eindhoven)
    form = login(directie).get(url).content.decode()
    assert f'name="betaling-datum" value="{timezone.localdate().isoformat()}"' in form  # ISO for a date input
    response = login(directie).post(
        f"{url}betalingen/",
        {
            "betaling-datum": timezone.localdate().isoformat(),
            "betaling-bedrag": "83300.00",
            "betaling-kenmerk": "AFS-1",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "De betaling op" in page and "is geregistreerd" in page
    billed_eindhoven.refresh_from_db()
    assert billed_eindhoven.status == "betaald"
    assert Payment.objects.get().kenmerk == "AFS-1"
    assert ">Betaald<" in page and "AFS-1" in page


def test_an_overpayment_is_refused_with_the_reason(billed_eindhoven, directie):
    response = login(directie).post(
        f"{detail(billed_eindhoven)}betalingen/",
        {"betaling-datum": timezone.localdate().isoformat(), "betaling-bedrag": "90000.00"},
        follow=True,
    )
    page = response.content.decode()
    assert "Bedrag: Het bedrag is hoger dan wat op" in page
    assert "€ 83.300,00" in page
    assert not Payment.objects.exists()
    billed_eindhoven.refresh_from_db()
    assert billed_eindhoven.status == "open"


def test_a_credit_note_through_the_page_then_finalised(eindhoven, boss, directie, eindhoven_user):
    make_billable(eindhoven, 238_000)
    invoice = hosting_invoice(eindhoven, boss, "1000.00")
    client = login(directie)
    response = client.post(
        f"{detail(invoice)}creditnota/",
        {"credit-reden": "Dubbel gefactureerd", "credit-omschrijving": "Hosting, deels", "credit-bedrag": "400.00"},
    )
    note = Invoice.objects.get(soort="creditnota")
    assert response.url == detail(note)
    assert (note.status, note.corrects, note.totaal_incl) == ("concept", invoice, D("484.00"))
    line = note.lines.get()
    assert (line.btw_categorie, line.btw_percentage, line.bedrag) == ("S", D("21.00"), D("400.00"))
    # The member does not see the draft credit note, nor its link on the invoice.
    assert "Dubbel gefactureerd" not in login(eindhoven_user).get(detail(invoice)).content.decode()
    page = client.post(f"{detail(note)}definitief/", follow=True).content.decode()
    assert "Creditnota" in page and "is definitief" in page
    note.refresh_from_db()
    assert (note.status, note.nummer[5:7]) == ("verwerkt", "C-")
    page = login(eindhoven_user).get(detail(invoice)).content.decode()
    assert note.nummer in page and "Dubbel gefactureerd" in page
    assert "Openstaand</dt><dd><strong>€ 726,00" in page  # 1.210,00 − 484,00


def test_a_credit_note_larger_than_the_invoice_is_refused(billed_eindhoven, directie):
    page = (
        login(directie)
        .post(
            f"{detail(billed_eindhoven)}creditnota/",
            {"credit-reden": "Fout", "credit-omschrijving": "Alles", "credit-bedrag": "90000.00"},
            follow=True,
        )
        .content.decode()
    )
    assert "Bedrag: De creditnota (€ 90.000,00) is groter dan wat op" in page
    assert not Invoice.objects.filter(soort="creditnota").exists()


def test_finalising_twice_says_it_is_already_final(eindhoven, boss, directie):
    make_billable(eindhoven, 238_000)
    draft = hosting_draft(eindhoven, boss)
    client = login(directie)
    client.post(f"{detail(draft)}definitief/")
    draft.refresh_from_db()
    assert draft.status == "open"
    page = client.post(f"{detail(draft)}definitief/", follow=True).content.decode()
    assert f"Status: Factuur {draft.nummer} is al definitief." in page


def test_a_finalise_without_factuurkenmerk_names_the_field(woerden, boss, directie):
    make_billable(woerden, 52_000, kenmerk=False)
    draft = hosting_draft(woerden, boss)
    page = login(directie).post(f"{detail(draft)}definitief/", follow=True).content.decode()
    assert "Factuurkenmerk: Gemeente Woerden heeft geen factuurkenmerk voor 2026." in page
    draft.refresh_from_db()
    assert draft.status == "concept"


def test_a_draft_is_deleted_but_a_final_invoice_is_not(eindhoven, boss, directie):
    make_billable(eindhoven, 238_000)
    draft = hosting_draft(eindhoven, boss, n=1)
    final = hosting_invoice(eindhoven, boss, n=2)
    client = login(directie)
    assert client.post(f"{detail(draft)}verwijderen/").url == "/facturen/"
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    page = client.post(f"{detail(final)}verwijderen/", follow=True).content.decode()
    assert "is definitief en kan niet worden verwijderd" in page
    assert Invoice.objects.filter(pk=final.pk).exists()


# --- contributie and the run -----------------------------------------------------------------


def test_the_directie_records_a_rate(directie):
    response = login(directie).post(
        "/facturen/contributie/",
        {"jaar": "2027", "bedrag_per_inwoner": "0.3600", "besluit": "ALV 2026, punt 5", "besluitdatum": "2026-12-10"},
        follow=True,
    )
    assert "Het contributietarief voor 2027 is vastgelegd." in response.content.decode()
    assert ContributionRate.objects.get(jaar=2027).bedrag_per_inwoner == D("0.3600")


def test_a_run_without_a_rate_is_refused(directie):
    page = login(directie).post("/facturen/contributie/run/", {"run-jaar": "2031"}, follow=True).content.decode()
    assert "Jaar: Er is geen contributietarief voor 2031" in page
    assert not Batch.objects.exists()


def test_the_run_page_shows_the_summary(eindhoven, woerden, rate, directie):
    make_billable(eindhoven, 238_000)
    make_billable(woerden, 52_000, kenmerk=False)
    client = login(directie)
    response = client.post("/facturen/contributie/run/", {"run-jaar": str(YEAR)})  # tasks run eagerly in tests
    batch = Batch.objects.get()
    assert response.url == f"/facturen/runs/{batch.pk}/"
    page = client.get(response.url).content.decode()
    assert "Klaar: 2 van 2 leden verwerkt." in page
    assert "hx-trigger" not in page  # no more polling
    assert "1 aangemaakt, 1 overgeslagen, 0 mislukt." in page
    invoice = Invoice.objects.get(member=eindhoven)
    assert f'href="/facturen/{invoice.pk}/">{invoice.nummer}</a>' in page
    assert "Geen factuurkenmerk voor 2026" in page
    assert f"/facturen/runs/{batch.pk}/" in client.get("/facturen/contributie/").content.decode()


def test_the_progress_fragment_polls_until_the_run_is_done(eindhoven, woerden, directie):
    batch = Batch.objects.create(soort="contributie", jaar=YEAR, totaal=5, status="bezig", gestart_door=directie)
    BatchItem.objects.create(batch=batch, member=eindhoven, uitkomst="aangemaakt")
    BatchItem.objects.create(batch=batch, member=woerden, uitkomst="overgeslagen", reden="Geen factuurkenmerk")
    client = login(directie)
    url = f"/facturen/runs/{batch.pk}/voortgang/"
    fragment = client.get(url).content.decode()
    assert "2 van 5 leden verwerkt" in fragment
    assert '<progress class="beware-progress__bar" max="5" value="2"' in fragment
    assert f'hx-get="{url}" hx-trigger="every 2s" hx-swap="outerHTML"' in fragment
    assert "<html" not in fragment
    page = client.get(f"/facturen/runs/{batch.pk}/").content.decode()
    assert 'aria-live="polite"' in page and "hx-trigger" in page
    Batch.objects.filter(pk=batch.pk).update(status="klaar", totaal=2)
    fragment = client.get(url).content.decode()
    assert "Klaar: 2 van 2 leden verwerkt." in fragment and "hx-trigger" not in fragment


# --- the admin ---------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return with_totp(UserFactory(is_staff=True, is_superuser=True))


def test_the_admin_shows_a_final_invoice_read_only_and_refuses_to_delete_it(billed_eindhoven, superuser):
    client = login(superuser)
    url = f"/beheer/invoicing/invoice/{billed_eindhoven.pk}/"
    page = client.get(f"{url}change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.post(f"{url}change/", {"omschrijving": "Anders"}).status_code == 403
    assert client.post(f"{url}delete/", {"post": "yes"}).status_code == 403
    billed_eindhoven.refresh_from_db()
    assert billed_eindhoven.omschrijving == "Contributie 2026"


def test_the_admin_still_edits_a_draft(eindhoven, boss, superuser):
    make_billable(eindhoven, 238_000)
    draft = hosting_draft(eindhoven, boss)
    page = login(superuser).get(f"/beheer/invoicing/invoice/{draft.pk}/change/").content.decode()
    assert 'name="_save"' in page


def test_payments_are_read_only_in_the_admin(billed_eindhoven, boss, superuser):
    payment = services.payment_register(billed_eindhoven, by=boss, datum=timezone.localdate(), bedrag=D("10.00"))
    client = login(superuser)
    assert client.get("/beheer/invoicing/payment/add/").status_code == 403
    assert client.post(f"/beheer/invoicing/payment/{payment.pk}/delete/", {"post": "yes"}).status_code == 403


# --- query budgets ---------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _with_invoices(code: str, count: int, boss):
    member = member_with_inwoners(code, 10_000, jaar=YEAR)
    member.oin = f"00000001{member.pk:09d}000"
    member.save()
    Factuurkenmerk.objects.create(member=member, jaar=YEAR, kenmerk=f"INK-{code}")
    invoices = [hosting_invoice(member, boss, f"{100 + n}.00", n=n) for n in range(count)]
    services.payment_register(invoices[0], by=boss, datum=timezone.localdate(), bedrag=D("10.00"))
    services.credit_note_create(
        invoices[-1],
        by=boss,
        reden="Korting",
        regels=[services.CreditLine("Korting", D("5.00"), "S", D("21.00"))],
    )
    return member


MY_INVOICES_BUDGET = 12
LIST_BUDGET = 12


def test_my_invoices_costs_the_same_for_3_or_30_invoices(boss, django_assert_max_num_queries):
    small = _with_invoices("klein", 3, boss)
    large = _with_invoices("groot", 30, boss)
    small_client = login(member_user(small, MemberRole.Role.FINANCIEEL_CONTACT))
    large_client = login(member_user(large, MemberRole.Role.FINANCIEEL_CONTACT))
    small_client.get("/facturen/mijn/")  # warm caches (session, content types)
    large_client.get("/facturen/mijn/")
    with django_assert_max_num_queries(MY_INVOICES_BUDGET):
        small_page = small_client.get("/facturen/mijn/").content.decode()
    with django_assert_max_num_queries(MY_INVOICES_BUDGET):
        large_page = large_client.get("/facturen/mijn/").content.decode()
    assert small_page.count('<th scope="row"') == 3
    assert large_page.count('<th scope="row"') == 30
    assert _queries(small_client, "/facturen/mijn/") == _queries(large_client, "/facturen/mijn/")


def test_the_directie_list_costs_the_same_for_3_or_30_invoices(directie, boss, django_assert_max_num_queries):
    client = login(directie)
    client.get("/facturen/")
    _with_invoices("klein", 3, boss)
    with django_assert_max_num_queries(LIST_BUDGET):
        page = client.get("/facturen/").content.decode()
    assert page.count('<th scope="row"') == 4  # 3 invoices and a draft credit note
    small = _queries(client, "/facturen/")
    _with_invoices("groot", 27, boss)
    with django_assert_max_num_queries(LIST_BUDGET):
        page = client.get("/facturen/").content.decode()
    assert page.count('<th scope="row"') == 32
    assert _queries(client, "/facturen/") == small

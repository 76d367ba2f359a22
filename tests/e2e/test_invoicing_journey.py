"""Invoicing through the browser. The directie (with its MFA code) starts
this year's contributie run, watches its progress, opens the summary and a
created invoice, registers a partial payment and corrects the invoice with a
credit note, all with the keyboard alone (Tab, Enter, typing). A
member's financial contact finds the invoice under "Mijn facturen" and
downloads the PDF and the e-factuur with the keyboard alone; a user of
another member gets the 404 page for it. Accessible (axe) on every page."""

import re
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, log_in
from .keyboard import log_in_with_mfa_by_keyboard, open_details, press, type_into
from .test_member_journey import assert_focus_visible, nav, press_tab_until_focused

PASSWORD = "Test-wachtwoord-2026"  # tests.factories.UserFactory's
RATE = Decimal("0.3500")
# Three members; Woerden has no factuurkenmerk for the year, so the run skips it.
INWONERS = {"boxtel": 31_000, "eindhoven": 238_000, "woerden": 52_000}
OIN = {"boxtel": "00000001001700029000", "eindhoven": "00000001001902763000", "woerden": "00000001001632000000"}


def euro(amount: Decimal) -> str:
    """Dutch notation, as the portal shows amounts: € 83.300,00."""
    return "€ " + f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def term(page, name: str):
    """The value (<dd>) of a term in a description list, by the term's text."""
    return page.locator("dt", has_text=re.compile(rf"^{re.escape(name)}$")).locator("xpath=following-sibling::dd[1]")


def messages(page):
    return page.get_by_role("status")


def billable_members(year: int, boss) -> dict:
    """Active members with an address, an OIN, a financieel contact and an
    inwonertal on 1 January, set up through the real services as the
    directie would; all but Woerden with a factuurkenmerk for `year`."""
    from membership import services as membership_services
    from membership.models import Contact
    from tests.factories import member_with_inwoners

    members = {}
    for code, inwoners in INWONERS.items():
        member = member_with_inwoners(code, inwoners, jaar=year, ingangsdatum=date(2019, 1, 1))
        member = membership_services.member_update(
            member, by=boss, adres="Markt 1", postcode="5281 AA", plaats=code.title(), oin=OIN[code]
        )
        membership_services.contact_add(
            member,
            by=boss,
            naam=f"Fien Financiën ({code.title()})",
            email=f"financien@{code}.example",
            rol=Contact.Role.FINANCIEEL,
        )
        if code != "woerden":
            membership_services.factuurkenmerk_set(member, jaar=year, kenmerk=f"INK-{code.upper()}-{year}", by=boss)
        members[code] = member
    return members


def directie_with_rate(year: int):
    """A directie user with a TOTP authenticator (its secret returned for the
    MFA step) and the ALV's contributie rate for `year`."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from invoicing import services
    from tests.factories import UserFactory

    ensure_role_groups()  # a flushed transactional database may have lost them
    directie = UserFactory(
        roles=[StaffRole.DIRECTIE], email="directeur@beware.test", first_name="Dirk", last_name="Directeur"
    )
    secret = generate_totp_secret()
    TOTP.activate(directie, secret)
    boss = Actor(user=directie)
    services.contribution_rate_set(
        by=boss,
        jaar=year,
        bedrag_per_inwoner=RATE,
        besluit=f"ALV 10 december {year - 1}, punt 4",
        besluitdatum=date(year - 1, 12, 10),
    )
    return directie, secret, boss


@pytest.fixture
def year():
    return timezone.localdate().year


@pytest.fixture
def contributie(transactional_db, year):
    """The situation before the directie's run: a rate, three members."""
    directie, secret, boss = directie_with_rate(year)
    billable_members(year, boss)
    return {"directie": directie, "secret": secret}


@pytest.fixture
def billed(transactional_db, year):
    """Eindhoven's contributie invoice, finalised; its PDF and UBL are made
    and e-mailed after the commit (tasks run in-process in the tests). A
    financial contact of Eindhoven, and an ALV representative of Woerden."""
    from invoicing import services
    from invoicing.models import ContributionRate
    from membership.models import MemberRole
    from tests.factories import member_user

    _, _, boss = directie_with_rate(year)
    members = billable_members(year, boss)
    invoice = services.contribution_invoice(members["eindhoven"], ContributionRate.objects.get(jaar=year), by=boss)
    invoice.refresh_from_db()
    assert invoice.pdf and invoice.ubl, "the documents are made right after finalising"
    return {
        "invoice": invoice,
        "eindhoven_user": member_user(
            members["eindhoven"], MemberRole.Role.FINANCIEEL_CONTACT, email="fien@eindhoven.example"
        ),
        "woerden_user": member_user(
            members["woerden"], MemberRole.Role.ALV_VERTEGENWOORDIGER, email="wim@woerden.example"
        ),
    }


def log_in_with_mfa(page, email: str, password: str, secret: str) -> None:
    """The login form, then allauth's second step with the authenticator
    app's current code (computed from the TOTP secret, as the app does)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    log_in(page, email, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    code_field = page.get_by_role("textbox", name="Code")
    expect(page.get_by_role("heading", level=1)).to_have_text("Twee-factor-authenticatie")
    assert_no_serious_axe_violations(page)
    if 30 - time.time() % 30 < 3:  # the code must still be valid when the server checks it
        time.sleep(30 - time.time() % 30)
    code_field.fill(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    page.get_by_role("button", name="Aanmelden").click()  # allauth's word for the second step
    expect(page).not_to_have_url(re.compile(r"/accounts/"))


class QueuedTasks:
    """Stands in for the broker: `delay` queues the contributie run instead
    of running it inside the request (as eager tasks would), so the page is
    seen as the directie sees it in production, before the worker is done."""

    def __init__(self):
        self.queued = []

    def delay(self, *args):
        self.queued.append(args)


def test_directie_runs_the_contributie_and_corrects_an_invoice(page, contributie, year, monkeypatch):
    from invoicing import tasks
    from invoicing.models import Batch, Invoice

    worker_task = tasks.run_contribution_batch
    broker = QueuedTasks()
    monkeypatch.setattr(tasks, "run_contribution_batch", broker)
    eindhoven_total = RATE * INWONERS["eindhoven"]  # contributie is outside the scope of btw
    assert euro(eindhoven_total) == "€ 83.300,00"

    page.goto("/accounts/login/")
    assert_no_serious_axe_violations(page)
    log_in_with_mfa_by_keyboard(
        page, contributie["directie"].email, PASSWORD, contributie["secret"], axe=assert_no_serious_axe_violations
    )
    expect(page.locator("header")).to_contain_text("U handelt namens de coöperatie")
    assert_no_serious_axe_violations(page)

    # Facturen → Contributie.
    press(page, nav(page).get_by_role("link", name="Facturen", exact=True))
    expect(page).to_have_url(re.compile(r"/facturen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturen")
    expect(nav(page).get_by_role("link", name="Facturen", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.get_by_text("Geen facturen gevonden.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    press(page, page.get_by_role("link", name="Contributie: tarieven en factuurruns"))
    expect(page).to_have_url(re.compile(r"/facturen/contributie/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contributie")
    rates = page.get_by_role("table", name="Contributietarieven per jaar")
    rate_row = rates.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(year)))
    expect(rate_row).to_contain_text("€ 0,3500")
    expect(rate_row).to_contain_text(f"ALV 10 december {year - 1}, punt 4")
    expect(page.get_by_role("table", name="Factuurruns, nieuwste eerst")).to_contain_text("Nog geen factuurruns.")
    open_details(page, page.locator("summary", has_text="Tarief vastleggen"))  # or axe skips the folded form
    expect(page.get_by_role("button", name="Tarief vastleggen")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # Start the run; the page polls its progress while the worker is busy.
    # The page's clock is stopped so that it polls only when told to (and
    # never while the worker below writes to the database).
    page.clock.install()
    page.clock.pause_at(datetime.now() + timedelta(seconds=1))
    run_form = page.locator("form").filter(has=page.get_by_role("button", name="Factuurrun starten"))
    expect(run_form.get_by_label(re.compile(r"^Jaar"))).to_have_value(str(year))
    type_into(page, run_form.get_by_label(re.compile(r"^Jaar")), str(year))
    press(page, run_form.get_by_role("button", name="Factuurrun starten"))

    expect(page).to_have_url(re.compile(r"/facturen/runs/\d+/$"))
    batch = Batch.objects.get(jaar=year)
    assert broker.queued == [(batch.pk,)]
    expect(page).to_have_url(re.compile(rf"/facturen/runs/{batch.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuurrun Contributie {year}")
    expect(messages(page)).to_contain_text(f"De contributierun voor {year} is gestart.")
    progress = page.get_by_role("region", name="Voortgang")
    expect(progress).to_contain_text("0 van 3 leden verwerkt (in de wachtrij).")
    expect(progress.get_by_role("progressbar")).to_have_accessible_name("0 van 3 leden verwerkt (in de wachtrij).")
    expect(page.get_by_role("heading", name="Samenvatting")).to_have_count(0)

    polls = []
    page.on("request", lambda request: polls.append(request.url) if "/voortgang/" in request.url else None)
    worker_task(batch.pk)  # the worker picks the run up
    page.clock.run_for(2_000)
    expect(progress).to_contain_text("Klaar: 3 van 3 leden verwerkt.")
    expect(progress).to_contain_text("2 aangemaakt, 1 overgeslagen, 0 mislukt.")
    expect(progress.get_by_role("progressbar")).to_have_attribute("value", "3")
    assert len(polls) == 1
    page.clock.run_for(6_000)
    assert len(polls) == 1, "the page kept polling after the run was done"
    page.clock.resume()
    assert_no_serious_axe_violations(page)

    press(page, progress.get_by_role("link", name="Toon het resultaat per lid"))
    expect(page).to_have_url(re.compile(rf"/facturen/runs/{batch.pk}/$"))
    expect(page.get_by_role("heading", name="Samenvatting")).to_be_visible()
    expect(term(page, "Aangemaakt")).to_have_text("2")
    expect(term(page, "Overgeslagen")).to_have_text("1")
    expect(term(page, "Mislukt")).to_have_text("0")
    results = page.get_by_role("table", name="Resultaat per lid")

    def result_row(code: str):
        return results.get_by_role("row").filter(has=page.get_by_role("rowheader", name=f"Gemeente {code.title()}"))

    expect(result_row("woerden")).to_contain_text("Overgeslagen")
    expect(result_row("woerden")).to_contain_text(
        f"Geen factuurkenmerk voor {year}; vraag het lid om het kenmerk vast te leggen."
    )
    expect(result_row("boxtel")).to_contain_text("Aangemaakt")
    expect(result_row("eindhoven")).to_contain_text("Aangemaakt")
    assert_no_serious_axe_violations(page)

    # One of the new invoices: Eindhoven's (the run goes by name: Boxtel first).
    number = f"{year}-F-00002"
    press(page, result_row("eindhoven").get_by_role("link", name=number))
    invoice = Invoice.objects.get(nummer=number)
    expect(page).to_have_url(re.compile(rf"/facturen/{invoice.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuur {number}")
    expect(page.locator("main")).to_contain_text(f"Contributie {year}")
    expect(term(page, "Lid")).to_have_text("Gemeente Eindhoven")
    expect(term(page, "Factuurkenmerk")).to_have_text(f"INK-EINDHOVEN-{year}")
    expect(term(page, "E-mail voor facturen")).to_have_text("financien@eindhoven.example")
    expect(term(page, "Totaal incl. btw")).to_have_text(euro(eindhoven_total))
    expect(term(page, "Openstaand")).to_have_text(euro(eindhoven_total))
    expect(page.get_by_role("link", name=f"PDF van {number} downloaden")).to_be_visible()
    expect(page.get_by_role("link", name=f"E-factuur (UBL) van {number} downloaden")).to_be_visible()
    open_details(page, page.locator("summary", has_text="Betaling registreren"))
    open_details(page, page.locator("summary", has_text="Creditnota maken"))
    assert_no_serious_axe_violations(page)

    # A partial payment.
    payment = Decimal("10000.00")
    expect(page.get_by_label(re.compile(r"^Datum ontvangst"))).to_have_value(timezone.localdate().isoformat())
    type_into(page, page.get_by_label(re.compile(r"^Bedrag \(verplicht\)")), str(payment))
    type_into(page, page.get_by_label(re.compile(r"^Kenmerk bankafschrift")), "Afschrift 41")
    press(page, page.get_by_role("button", name="Betaling registreren"))
    expect(messages(page)).to_contain_text(f"De betaling op {number} is geregistreerd.")
    expect(term(page, "Betaald")).to_have_text(euro(payment))
    expect(term(page, "Openstaand")).to_have_text(euro(eindhoven_total - payment))
    payments = page.get_by_role("table", name=f"Ontvangen betalingen op {number}")
    expect(payments).to_contain_text(euro(payment))
    expect(payments).to_contain_text("Afschrift 41")
    expect(page.locator("main .beware-status").first).to_have_text("Open")
    assert_no_serious_axe_violations(page)

    # A credit note for a small amount, with its reason; first a draft.
    credit = Decimal("350.00")  # 1.000 inwoners too many
    reason = "Inwonertal op 1 januari was 237.000, niet 238.000."
    open_details(page, page.locator("summary", has_text="Creditnota maken"))
    # Payments do not limit a credit note (a paid invoice can be refunded); earlier credit notes do.
    expect(page.get_by_text(f"Nog te crediteren: {euro(eindhoven_total)} inclusief btw.")).to_be_visible()
    type_into(page, page.get_by_label(re.compile(r"^Reden van de creditnota")), reason)
    line = f"Correctie contributie {year}: 1.000 inwoners"
    type_into(page, page.get_by_label(re.compile(r"^Omschrijving van de regel")), line)
    type_into(page, page.get_by_label(re.compile(r"^Bedrag excl\. btw")), str(credit))
    press(page, page.get_by_role("button", name="Conceptcreditnota maken"))
    expect(messages(page)).to_contain_text("De creditnota staat klaar als concept")
    expect(page.get_by_role("heading", level=1)).to_have_text("Conceptcreditnota")
    expect(term(page, "Corrigeert factuur")).to_have_text(number)
    expect(term(page, "Reden")).to_have_text(reason)
    assert_no_serious_axe_violations(page)

    press(page, page.get_by_role("button", name="Definitief maken"))
    credit_number = f"{year}-C-00001"
    expect(messages(page)).to_contain_text(f"Creditnota {credit_number} is definitief")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Creditnota {credit_number}")
    expect(page.locator("main .beware-status").first).to_have_text("Verwerkt")
    expect(term(page, "Totaal incl. btw")).to_have_text(euro(credit))
    assert_no_serious_axe_violations(page)

    # Back on the invoice: the credit note is listed and lowers the open amount.
    press(page, term(page, "Corrigeert factuur").get_by_role("link", name=number))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuur {number}")
    credit_notes = page.locator("h2#creditnotas + ul")
    expect(credit_notes.get_by_role("listitem")).to_have_count(1)
    expect(credit_notes.get_by_role("listitem")).to_have_text(f"{credit_number}: {euro(credit)} – {reason}")
    expect(term(page, "Gecrediteerd")).to_have_text(euro(credit))
    expect(term(page, "Openstaand")).to_have_text(euro(eindhoven_total - payment - credit))
    assert_no_serious_axe_violations(page)

    # E-mailed: both invoices of the run and the credit note, each with its PDF and UBL.
    sent = {message.subject.split(":")[0]: message for message in mail.outbox}
    assert set(sent) == {f"Factuur {year}-F-00001", f"Factuur {number}", f"Creditnota {credit_number}"}
    assert sent[f"Factuur {number}"].to == ["financien@eindhoven.example"]
    assert sent[f"Factuur {year}-F-00001"].to == ["financien@boxtel.example"]
    assert sent[f"Creditnota {credit_number}"].to == ["financien@eindhoven.example"]
    for message in sent.values():
        nummer = message.subject.split(":")[0].split()[-1]
        assert [a[0] for a in message.attachments] == [f"{nummer}.pdf", f"{nummer}.xml"]
    assert all(m.to != ["financien@woerden.example"] for m in mail.outbox)


def log_in_with_keyboard(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    email_field = page.get_by_label(re.compile(r"^E-?mail"))
    if not email_field.evaluate("el => el === document.activeElement"):
        press_tab_until_focused(page, email_field)
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^Wachtwoord"))).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def download_with_enter(page, link) -> tuple[str, bytes]:
    """Tab to a download link, follow it with Enter; the file's name and content."""
    press_tab_until_focused(page, link)
    assert_focus_visible(page)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_member_downloads_its_invoice_with_the_keyboard(page, billed, year):
    invoice = billed["invoice"]
    number = invoice.nummer
    total = euro(RATE * INWONERS["eindhoven"])

    log_in_with_keyboard(page, billed["eindhoven_user"].email, PASSWORD)
    expect(page.locator("header")).to_contain_text("Gemeente Eindhoven")
    assert_no_serious_axe_violations(page)

    mine = nav(page).get_by_role("link", name="Mijn facturen")
    press_tab_until_focused(page, mine)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/facturen/mijn/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn facturen")
    expect(mine).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name="1 factuur of creditnota van Gemeente Eindhoven")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=number))
    expect(row).to_contain_text(f"Contributie {year}")
    expect(row.get_by_role("cell").nth(2)).to_have_text(total)  # Totaal
    expect(row.get_by_role("cell").nth(3)).to_have_text(total)  # Openstaand
    expect(row.get_by_role("cell").nth(4)).to_have_text("Open")
    assert_no_serious_axe_violations(page)

    name, content = download_with_enter(page, row.get_by_role("link", name=f"PDF {number}"))
    assert name == f"{number}.pdf"
    assert content.startswith(b"%PDF")
    name, content = download_with_enter(page, row.get_by_role("link", name=f"UBL {number}"))
    assert name == f"{number}.xml"
    assert content.lstrip().startswith(b"<?xml")
    assert f"<cbc:ID>{number}</cbc:ID>".encode() in content

    # The invoice itself, also by keyboard: no directie forms for a member.
    number_link = row.get_by_role("link", name=number, exact=True)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(number_link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/facturen/{invoice.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuur {number}")
    expect(term(page, "Openstaand")).to_have_text(total)
    expect(page.get_by_text("Betaling registreren")).to_have_count(0)
    expect(page.get_by_text("Creditnota maken")).to_have_count(0)
    expect(page.get_by_role("link", name="← Mijn facturen")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_another_members_user_gets_the_404_page_for_the_invoice(page, billed):
    invoice = billed["invoice"]
    log_in(page, billed["woerden_user"].email, PASSWORD)
    expect(page.locator("header")).to_contain_text("Gemeente Woerden")

    nav(page).get_by_role("link", name="Mijn facturen").click()
    expect(page.get_by_role("table", name="0 facturen en creditnota's van Gemeente Woerden")).to_contain_text(
        "Er zijn nog geen facturen."
    )
    expect(page.locator("main")).not_to_contain_text(invoice.nummer)
    assert_no_serious_axe_violations(page)

    for url in (f"/facturen/{invoice.pk}/", f"/facturen/{invoice.pk}/pdf/", f"/facturen/{invoice.pk}/ubl/"):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
        expect(page.locator("main")).not_to_contain_text(invoice.nummer)
        expect(page.locator("main")).not_to_contain_text("Eindhoven")
        assert_no_serious_axe_violations(page)

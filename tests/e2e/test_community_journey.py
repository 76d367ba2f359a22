"""A late join through the browser, with the keyboard alone (Tab, Shift+Tab,
Enter, typing): a member's representative finds a decided community in the
catalogue, reads the quote with the amounts from the allocation kernel and
asks to join; the coordinator accepts; the community page shows the new
participant. The late-join invoice is made at once (the invoicing task after
the acceptance), and the representative finds it under "Mijn facturen" and
downloads its PDF and its e-factuur (UBL) with the amount of the quote.
Accessible (axe) on every page on the way."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.core import mail
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations
from .keyboard import log_in_by_keyboard, log_out_by_keyboard, open_details, press, type_date, type_into

PASSWORD = "Test-wachtwoord-2026"  # tests.factories.UserFactory's
ONE_OFF = Decimal("120000.00")
INWONERS = {"a": 200_000, "b": 50_000, "c": 30_000, "d": 50_000}


def euro(amount: Decimal) -> str:
    """Dutch notation, as the portal shows amounts: € 18.181,82."""
    return "€ " + f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


@pytest.fixture
def zaken(transactional_db):
    """DOMAIN.md's worked example, created through the real services: A, B
    and C took part when the directie decided go on 120.000,00 one-off costs;
    D is a later joiner. The live server thread needs it committed, hence
    `transactional_db` (which also flushes the role groups: recreate them)."""
    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from businesscases import services as bc_services
    from communities import services
    from membership import services as membership_services
    from membership.models import Contact, MemberRole
    from tests.conftest import with_totp
    from tests.factories import CommunityFactory, UserFactory, member_user, member_with_inwoners

    ensure_role_groups()
    system = Actor.system()
    members = {code: member_with_inwoners(code, size) for code, size in INWONERS.items()}
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=members["a"], status="ontwikkeling")
    for code in "abc":
        services.participation_add(community, members[code], by=system, datum=date(2024, 2, 1))
    business_case = bc_services.businesscase_create(
        community, by=system, titel="Zaakafhandeling", peildatum=date(2024, 1, 1)
    )
    bc_services.cost_line_add(business_case, by=system, soort="ontwikkeling", omschrijving="Bouw", bedrag=ONE_OFF)
    bc_services.businesscase_submit(business_case, by=system)
    directie = with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))
    bc_services.businesscase_decide(business_case, by=Actor(user=directie), go=True, datum=date(2024, 3, 1))

    # What D's invoices need, as the directie records it: an address, an OIN,
    # a financial contact (the invoices are e-mailed there) and D's
    # factuurkenmerk for 2024, the year of the join.
    boss = Actor(user=directie)
    membership_services.member_update(
        members["d"], by=boss, adres="Markt 4", postcode="1234 AB", plaats="D-stad", oin="00000001001700029000"
    )
    membership_services.contact_add(
        members["d"], by=boss, naam="Fien Financiën", email="financien@d.example", rol=Contact.Role.FINANCIEEL
    )
    membership_services.factuurkenmerk_set(members["d"], jaar=2024, kenmerk="INK-D-2024", by=boss)

    representative = member_user(members["d"], MemberRole.Role.COMMUNITY_CONTACT, email="vertegenwoordiger@d.example")
    coordinator = member_user(members["a"], MemberRole.Role.COMMUNITY_CONTACT, email="coordinator@a.example")
    services.coordinator_add(community, coordinator, by=system)
    return {
        "members": members,
        "community": community,
        "business_case": business_case,
        "representative": representative,
        "coordinator": coordinator,
    }


def expected_settlement():
    """What the kernel says D pays and A, B, C get back, checked against the
    numbers documented in DOMAIN.md §3.5."""
    from businesscases.allocation import late_join_settlement

    earlier = {code: INWONERS[code] for code in "abc"}
    settlement = late_join_settlement(ONE_OFF, earlier, "d", INWONERS["d"])
    assert settlement.charge == Decimal("18181.82")
    assert settlement.credits == {"a": Decimal("12987.02"), "b": Decimal("3246.75"), "c": Decimal("1948.05")}
    assert sum(settlement.credits.values()) == settlement.charge
    return settlement


def messages(page):
    return page.get_by_role("status")


def nav(page):
    return page.get_by_role("navigation", name="Hoofdnavigatie")


def download_by_keyboard(page, link) -> tuple[str, bytes]:
    """Tab to a download link and follow it with Enter: the file's name and content."""
    with page.expect_download() as info:
        press(page, link)
    download = info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


UBL = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def test_late_joiner_asks_the_coordinator_accepts_and_the_invoice_follows(page, zaken):
    """The whole journey with the keyboard alone."""
    from businesscases.models import Settlement
    from communities.models import Participation
    from invoicing.models import Invoice

    settlement = expected_settlement()

    # D's representative finds the community in the catalogue.
    page.goto("/accounts/login/")
    assert_no_serious_axe_violations(page)
    log_in_by_keyboard(page, zaken["representative"].email, PASSWORD)
    expect(page.locator("header")).to_contain_text("Gemeente D")
    assert_no_serious_axe_violations(page)  # the start page
    press(page, nav(page).get_by_role("link", name="Communities"))
    expect(page).to_have_url(re.compile(r"/communities/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Communities")
    catalogue = page.get_by_role("table", name="Catalogus van communities")
    row = catalogue.get_by_role("row").filter(has=page.get_by_role("link", name="Zaakafhandeling"))
    expect(row).to_contain_text("Gemeente A")  # the trekker
    expect(row.get_by_role("cell").last).to_have_text("3")  # participants
    assert_no_serious_axe_violations(page)

    press(page, row.get_by_role("link", name="Zaakafhandeling"))
    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Zaakafhandeling")
    participants = page.get_by_role("table", name="3 deelnemers")
    for name in ("Gemeente A", "Gemeente B", "Gemeente C"):
        expect(participants.get_by_role("rowheader", name=name)).to_be_visible()
    expect(participants.get_by_role("rowheader", name="Gemeente D")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The quote: what D pays, what A, B and C get back.
    press(page, page.get_by_role("link", name="Deelnemen namens Gemeente D"))
    expect(page).to_have_url(re.compile(r"/communities/zaken/deelnemen/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Deelnemen aan Zaakafhandeling")
    quote = page.get_by_role("region", name="Zaakafhandeling")
    expect(quote.get_by_test_id("offerte-bedrag")).to_have_text(euro(settlement.charge))
    expect(quote.get_by_test_id("offerte-bedrag")).to_have_text("€ 18.181,82")
    credits = quote.get_by_role("table", name="Wat de eerdere deelnemers terugkrijgen")
    for code, amount in settlement.credits.items():
        credit_row = credits.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=f"Gemeente {code.upper()}")
        )
        expect(credit_row).to_contain_text(euro(amount))
        expect(credit_row).to_contain_text(f"{INWONERS[code]:,}".replace(",", "."))
    for documented in ("€ 12.987,02", "€ 3.246,75", "€ 1.948,05"):
        expect(credits).to_contain_text(documented)
    expect(credits.get_by_role("row").last).to_contain_text("€ 18.181,82")  # the sum: what D pays
    assert_no_serious_axe_violations(page)

    type_into(page, page.get_by_label("Toelichting (optioneel)"), "Wij doen mee vanaf juni, met het team Zaken.")
    press(page, page.get_by_role("button", name="Vraag deelname aan namens Gemeente D"))
    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(messages(page)).to_contain_text("De aanvraag van Gemeente D is verstuurd; een coördinator beoordeelt haar.")
    expect(page.locator("#eigen-deelname")).to_contain_text(
        re.compile(r"De aanvraag van Gemeente D van .+ wacht op een coördinator\.")
    )
    expect(page.get_by_role("link", name="Deelnemen namens Gemeente D")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The coordinator (of A) accepts the request per 1 June 2024.
    log_out_by_keyboard(page)
    log_in_by_keyboard(page, zaken["coordinator"].email, PASSWORD)
    press(page, nav(page).get_by_role("link", name="Communities"))
    press(page, page.get_by_role("table", name="Catalogus van communities").get_by_role("link", name="Zaakafhandeling"))
    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    request = page.get_by_role("region", name="Gemeente D")
    expect(request).to_contain_text("Wij doen mee vanaf juni, met het team Zaken.")
    expect(request).to_contain_text(f"door {zaken['representative'].get_full_name()}.")
    # The coordinator's view, with its forms: the folded ones opened too, or axe skips them.
    open_details(page, request.locator("summary", has_text="Aanvraag van Gemeente D afwijzen"))
    expect(request.get_by_label("Reden van afwijzing")).to_be_visible()
    open_details(page, page.locator("summary", has_text="Een lid direct als deelnemer toevoegen"))
    expect(page.get_by_role("combobox", name="Lid (verplicht)")).to_be_visible()
    assert_no_serious_axe_violations(page)
    type_date(page, request.get_by_label("Deelnemer vanaf"), "2024-06-01")
    press(page, request.get_by_role("button", name="Accepteer Gemeente D"))

    expect(page).to_have_url(re.compile(r"/communities/zaken/$"))
    expect(messages(page)).to_contain_text("Gemeente D is nu deelnemer.")
    participants = page.get_by_role("table", name="4 deelnemers")
    new_row = participants.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Gemeente D"))
    expect(new_row.get_by_role("cell").nth(0)).to_have_text("1-6-2024")
    expect(new_row.get_by_role("cell").nth(1)).to_have_text("Ontwikkeling")
    expect(page.get_by_role("region", name="Gemeente D")).to_have_count(0)
    expect(page.get_by_text("Er zijn geen openstaande aanvragen.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # What was stored: the settlement the quote promised.
    participation = Participation.objects.get(community=zaken["community"], member=zaken["members"]["d"])
    assert (participation.status, participation.datum, participation.fase) == (
        "deelnemer",
        date(2024, 6, 1),
        "ontwikkeling",
    )
    stored = Settlement.objects.get(business_case=zaken["business_case"], member=zaken["members"]["d"])
    assert stored.bedrag == Decimal("18181.82") == settlement.charge
    assert stored.datum == date(2024, 6, 1)
    credits_stored = {c.member.code: c.bedrag for c in stored.credits.select_related("member")}
    assert credits_stored == settlement.credits
    assert sum(credits_stored.values()) == stored.bedrag

    # The acceptance invoiced the join at once (the billing task runs after
    # the commit): D's invoice, final, with its PDF and UBL, e-mailed.
    [invoice] = Invoice.objects.filter(member=zaken["members"]["d"])
    assert invoice.soort == Invoice.Kind.FACTUUR and invoice.is_final, invoice.status
    assert invoice.totaal_excl == settlement.charge
    number = invoice.nummer
    [sent] = [m for m in mail.outbox if m.subject.startswith(f"Factuur {number}")]
    assert sent.to == ["financien@d.example"]
    assert [a[0] for a in sent.attachments] == [f"{number}.pdf", f"{number}.xml"]

    # D's representative finds it under "Mijn facturen" and downloads both files.
    log_out_by_keyboard(page)
    log_in_by_keyboard(page, zaken["representative"].email, PASSWORD)
    mine = nav(page).get_by_role("link", name="Mijn facturen")
    press(page, mine)
    expect(page).to_have_url(re.compile(r"/facturen/mijn/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn facturen")
    expect(mine).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name="1 factuur of creditnota van Gemeente D")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=number))
    expect(row.get_by_role("cell").nth(1)).to_have_text("Toetreding Zaakafhandeling: Zaakafhandeling")
    expect(row.get_by_role("cell").nth(2)).to_have_text(euro(invoice.totaal_incl))  # Totaal
    expect(row.get_by_role("cell").nth(3)).to_have_text(euro(invoice.totaal_incl))  # Openstaand
    expect(row.get_by_role("cell").nth(4)).to_have_text("Open")
    assert_no_serious_axe_violations(page)

    name, content = download_by_keyboard(page, row.get_by_role("link", name=f"PDF {number}"))
    assert name == f"{number}.pdf"
    assert content.startswith(b"%PDF-")
    name, content = download_by_keyboard(page, row.get_by_role("link", name=f"UBL {number}"))
    assert name == f"{number}.xml"
    ubl = ElementTree.fromstring(content)  # noqa: S314 (the portal's own file)
    assert ubl.findtext("cbc:ID", namespaces=UBL) == number
    assert ubl.findtext("cbc:BuyerReference", namespaces=UBL) == "INK-D-2024"
    assert ubl.findtext("cac:AccountingCustomerParty//cac:PartyName/cbc:Name", namespaces=UBL) == "Gemeente D"
    [line] = ubl.findall("cac:InvoiceLine", UBL)
    assert line.findtext("cbc:LineExtensionAmount", namespaces=UBL) == "18181.82"  # the quote's amount
    assert "Toetreding Zaakafhandeling" in line.findtext("cac:Item/cbc:Name", namespaces=UBL)
    totals = ubl.find("cac:LegalMonetaryTotal", UBL)
    assert totals.findtext("cbc:TaxExclusiveAmount", namespaces=UBL) == "18181.82"
    assert totals.findtext("cbc:PayableAmount", namespaces=UBL) == f"{invoice.totaal_incl:.2f}"

    # The invoice page, also by keyboard: the amount of the quote, no directie forms.
    press(page, row.get_by_role("link", name=number, exact=True))
    expect(page).to_have_url(re.compile(rf"/facturen/{invoice.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Factuur {number}")
    expect(page.locator("main")).to_contain_text("€ 18.181,82")
    expect(page.get_by_text("Betaling registreren")).to_have_count(0)
    assert_no_serious_axe_violations(page)

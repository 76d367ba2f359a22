"""The RvC at work, with the keyboard alone (Tab, Shift+Tab, Enter, typing).
A commissaris logs in with the code of the authenticator app, finds
Gemeente Helmond's application under "Toelating", approves it for the RvC
on the member's page (Helmond then waits for the directie), and approves
the € 120.000,00 contract under Governance → Contracten with the kenmerk
and date of the RvC's decision: the contract shows "Goedgekeurd door de
RvC" and the decision. Accessible (axe) on every page."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations
from .keyboard import log_in_with_mfa_by_keyboard, press, type_into
from .test_invoicing_journey import PASSWORD, messages, term
from .test_member_journey import nav

CONTRACT = "Hosting en beheer Open Zaak 2027-2030"
PARTY = "Rekencentrum Brabant B.V."


@pytest.fixture
def rvc(transactional_db):
    """Through the services: a commissaris with an authenticator app, linked
    to its person in the RvC (appointed by the ALV); Gemeente Helmond's
    application, registered by the directie; a contract of € 120.000,00 the
    directie recorded, which waits for the RvC."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from governance import demo
    from governance import services as governance
    from membership import admission
    from membership import services as membership
    from tests.conftest import with_totp
    from tests.factories import GemeenteFactory, UserFactory

    ensure_role_groups()  # a flushed transactional database may have lost them
    bodies = demo.statutory_bodies()
    today = timezone.localdate()
    directie = Actor(user=with_totp(UserFactory(roles=[StaffRole.DIRECTIE], email="directeur@beware.test")))
    secretaris = Actor(user=UserFactory(roles=[StaffRole.SECRETARIS], email="secretaris@beware.test"))

    commissaris = UserFactory(
        roles=[StaffRole.RVC], email="rinske@beware.test", first_name="Rinske", last_name="van der Raad"
    )
    secret = generate_totp_secret()
    TOTP.activate(commissaris, secret)
    governance.mandate_appoint(
        by=secretaris,
        body=bodies["rvc"],
        person=governance.person_create(
            by=secretaris, naam="Rinske van der Raad", geboortedatum=date(1975, 3, 21), user=commissaris
        ),
        functie="lid",
        ingangsdatum=date(today.year - 1, 1, 1),
        besluit=governance.decision_record(
            by=secretaris,
            body=bodies["alv"],
            kenmerk=f"ALV-{today.year - 1}-01",
            datum=date(today.year - 1, 1, 1),
            onderwerp="Benoeming van Rinske van der Raad tot commissaris",
        ),
    )

    helmond = membership.member_apply(
        by=directie,
        gemeenten=[GemeenteFactory(naam="Helmond", code="GM0794")],
        vertegenwoordigt_vanaf=date(today.year, 1, 1),
        code="helmond",
        naam="Gemeente Helmond",
        soort="gemeente",
    )
    assert helmond.status == admission.AANVRAAG
    contract = governance.contract_create(
        by=directie, omschrijving=CONTRACT, wederpartij=PARTY, bedrag=Decimal("120000.00")
    )
    return {"commissaris": commissaris, "secret": secret, "helmond": helmond, "contract": contract}


def test_commissaris_approves_an_admission_and_a_contract_with_the_keyboard(page, rvc):
    from governance.models import Contract
    from membership import admission

    helmond, contract = rvc["helmond"], rvc["contract"]
    today = timezone.localdate()
    kenmerk = f"RvC-{today.year}-07"

    # Log in: the password, then the authenticator app's code.
    page.goto("/accounts/login/")
    assert_no_serious_axe_violations(page)
    log_in_with_mfa_by_keyboard(
        page, rvc["commissaris"].email, PASSWORD, rvc["secret"], axe=assert_no_serious_axe_violations
    )
    expect(page.locator("header")).to_contain_text("U handelt namens de coöperatie")
    assert_no_serious_axe_violations(page)

    # Toelating: Helmond's application waits for the RvC.
    press(page, nav(page).get_by_role("link", name="Toelating", exact=True))
    expect(page).to_have_url(re.compile(r"/toelating/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Toelating en uittreding")
    queue = page.get_by_role("table", name="Organisaties die op een stap wachten")
    row = queue.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Gemeente Helmond"))
    expect(row).to_contain_text("Helmond")
    expect(row).to_contain_text("Aanvraag ingediend")
    # The buttons name the member (in text for screen readers only).
    expect(row.get_by_role("button", name=re.compile(r"^Goedkeuren \(RvC\) ?: Gemeente Helmond$"))).to_be_visible()
    expect(row.get_by_role("button", name=re.compile(r"^Afwijzen \(RvC\) ?: Gemeente Helmond$"))).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The application itself, to approve it with a reason.
    press(page, row.get_by_role("link", name="Gemeente Helmond"))
    expect(page).to_have_url(re.compile(rf"/leden/{helmond.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gemeente Helmond")
    expect(page.locator("main .beware-status").first).to_have_text("Aanvraag ingediend")
    approve = page.get_by_role("group", name="Goedkeuren (RvC)")
    expect(page.get_by_role("group", name="Afwijzen (RvC)")).to_be_visible()
    # No steps of other roles: the directie decides after the RvC.
    expect(page.get_by_role("button", name="Besluit tot toelating (directie)")).to_have_count(0)
    assert_no_serious_axe_violations(page)
    reason = f"Besproken in de RvC-vergadering van {today:%d-%m-%Y}; geen bezwaren."
    type_into(page, approve.get_by_label("Toelichting"), reason)
    press(page, approve.get_by_role("button", name="Goedkeuren (RvC)"), limit=5)

    expect(page).to_have_url(re.compile(rf"/leden/{helmond.pk}/$"))
    expect(messages(page)).to_contain_text("Goedkeuren (RvC): verwerkt voor Gemeente Helmond.")
    expect(page.locator("main .beware-status").first).to_have_text("Goedgekeurd door RvC")
    expect(page.get_by_role("button", name=re.compile(r"\(RvC\)"))).to_have_count(0)
    history = page.locator("ol.beware-timeline")
    expect(history).to_contain_text("Goedkeuren (RvC) – Goedgekeurd door RvC")
    expect(history).to_contain_text(f"door Rinske van der Raad op {today.day} ")
    expect(history).to_contain_text(reason)
    assert_no_serious_axe_violations(page)

    # Back in the queue, Helmond has moved on: it waits for the directie.
    press(page, nav(page).get_by_role("link", name="Toelating", exact=True))
    row = (
        page.get_by_role("table", name="Organisaties die op een stap wachten")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name="Gemeente Helmond"))
    )
    expect(row).to_contain_text("Goedgekeurd door RvC")
    expect(row).to_contain_text("Wacht op een andere rol")
    expect(row.get_by_role("button")).to_have_count(0)
    assert_no_serious_axe_violations(page)
    helmond.refresh_from_db()
    assert helmond.status == admission.RVC_GOEDGEKEURD

    # Governance → Contracten: the contract above € 50.000 waits for the RvC.
    governance_link = nav(page).get_by_role("link", name="Governance", exact=True)
    press(page, governance_link)
    expect(page).to_have_url(re.compile(r"/governance/kalender/$"))
    expect(governance_link).to_have_attribute("aria-current", "page")
    assert_no_serious_axe_violations(page)
    press(page, page.get_by_role("navigation", name="Governance").get_by_role("link", name="Contracten"))
    expect(page).to_have_url(re.compile(r"/governance/registers/contracten/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracten")
    contracts = page.get_by_role("table", name="Contracten, nieuwste eerst")
    row = contracts.get_by_role("row").filter(has=page.get_by_role("rowheader", name=CONTRACT))
    expect(row).to_contain_text(PARTY)
    expect(row).to_contain_text("€ 120.000,00")
    expect(row).to_contain_text("Nodig, nog niet gegeven")
    expect(row).to_contain_text("Concept")
    # The RvC approves; it does not record contracts.
    expect(page.get_by_role("button", name="Contract vastleggen")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    press(page, row.get_by_role("link", name=CONTRACT))
    expect(page).to_have_url(re.compile(rf"/governance/registers/contracten/{contract.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(CONTRACT)
    expect(term(page, "Waarde (excl. btw)")).to_have_text("€ 120.000,00")
    expect(term(page, "Goedkeuring RvC")).to_have_text("Nodig, nog niet gegeven")
    form = page.locator("section", has=page.get_by_role("heading", name="Goedkeuren namens de RvC"))
    expect(form.get_by_label(re.compile(r"^Datum van het besluit"))).to_have_value(today.isoformat())
    # The RvC approves; the directie marks it signed.
    expect(page.get_by_role("button", name="Als getekend vastleggen")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    type_into(page, form.get_by_label(re.compile(r"^Kenmerk van het RvC-besluit")), kenmerk)
    page.keyboard.press("Tab")  # the date: today, as filled in
    expect(form.get_by_label(re.compile(r"^Datum van het besluit"))).to_be_focused()
    type_into(page, form.get_by_label("Toelichting (optioneel)"), "Goedgekeurd in de vergadering van vandaag.")
    press(page, form.get_by_role("button", name="Goedkeuren"), limit=5)

    expect(page).to_have_url(re.compile(rf"/governance/registers/contracten/{contract.pk}/$"))
    expect(messages(page)).to_contain_text(f"De RvC heeft het contract {CONTRACT} goedgekeurd.")
    expect(page.locator("main .beware-status").first).to_have_text("Goedgekeurd door de RvC")
    expect(term(page, "Goedkeuring RvC")).to_contain_text(f"Besluit {kenmerk} van {today:%d-%m-%Y}")
    expect(term(page, "Goedkeuring RvC")).to_contain_text("Goedgekeurd in de vergadering van vandaag.")
    expect(page.get_by_role("heading", name="Goedkeuren namens de RvC")).to_have_count(0)
    assert_no_serious_axe_violations(page)

    # The register says so too, and the decision is in the RvC's list of decisions.
    press(page, page.get_by_role("link", name="← Contracten"))
    row = (
        page.get_by_role("table", name="Contracten, nieuwste eerst")
        .get_by_role("row")
        .filter(has=page.get_by_role("rowheader", name=CONTRACT))
    )
    expect(row).to_contain_text(f"{kenmerk} van {today:%d-%m-%Y}")
    expect(row).to_contain_text("Goedgekeurd door de RvC")
    assert_no_serious_axe_violations(page)
    press(page, page.get_by_role("navigation", name="Governance").get_by_role("link", name="Besluiten", exact=True))
    expect(page).to_have_url(re.compile(r"/governance/besluiten/$"))
    expect(page.locator("main")).to_contain_text(kenmerk)
    expect(page.locator("main")).to_contain_text(f"Goedkeuring contract {CONTRACT} met {PARTY} (€ 120.000,00)")
    assert_no_serious_axe_violations(page)

    contract.refresh_from_db()
    assert contract.status == Contract.Status.GOEDGEKEURD
    assert contract.rvc_besluit.kenmerk == kenmerk and contract.rvc_besluit.datum == today

"""Governance through the browser. A commissaris logs in with the code of
the authenticator app, opens the compliance dashboard from the navigation,
follows the evidence of the directie's evaluation to that document, closed
to all but the RvC, and downloads it with the keyboard. A member's user and
the directie then fail to reach the same URLs: the 404 page, as for a
document that does not exist, and the register and its search do not show
it either; the directie's dashboard shows the evaluation met without naming
the document. Accessible (axe) on every page."""

import hashlib
import re
from datetime import date

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, log_in
from .test_invoicing_journey import PASSWORD, download_with_enter, log_in_with_mfa, term
from .test_member_journey import assert_focus_visible, nav, press_tab_until_focused


@pytest.fixture
def governance(transactional_db):
    """Set up through the services: the statuten (adopted by the ALV, for
    every member) and an RvC meeting with the accountant today, by the
    secretaris; the directie's evaluation of this year, closed to all but
    the RvC, filed and shared by a commissaris with an authenticator; a
    director with an authenticator, and a member user."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from governance import demo, services
    from governance.models import Document
    from membership.models import MemberRole
    from tests.factories import MemberFactory, UserFactory, member_user

    ensure_role_groups()  # a flushed transactional database may have lost them
    bodies = demo.statutory_bodies()  # and the statutory bodies of the migration
    today = timezone.localdate()
    year = today.year
    secretaris = Actor(user=UserFactory(roles=[StaffRole.SECRETARIS], email="secretaris@beware.test"))

    statuten_besluit = services.decision_record(
        by=secretaris,
        body=bodies["alv"],
        kenmerk="ALV-2017-01",
        datum=date(2017, 1, 12),
        onderwerp="Oprichting en vaststelling van de statuten",
    )
    statuten = services.document_create(
        by=secretaris,
        titel="Statuten",
        soort=Document.Kind.STATUTEN,
        doelgroep=Document.Audience.LEDEN,
        bestand=demo.demo_pdf(
            titel="Statuten",
            soort=Document.Kind.STATUTEN,
            doelgroep=Document.Audience.LEDEN,
            paragrafen=[("Artikel 1", "De coöperatie is een coöperatie U.A.")],
            name="statuten.pdf",
        ),
    )
    services.document_adopt(by=secretaris, document=statuten, besluit=statuten_besluit)

    commissaris = UserFactory(
        roles=[StaffRole.RVC], email="commissaris@beware.test", first_name="Rinske", last_name="van der Raad"
    )
    secret = generate_totp_secret()
    TOTP.activate(commissaris, secret)
    directeur = UserFactory(roles=[StaffRole.DIRECTIE], email="directeur@beware.test")
    directeur_secret = generate_totp_secret()
    TOTP.activate(directeur, directeur_secret)

    titel = f"Evaluatie directie {year}"
    rvc = Actor(user=commissaris)
    evaluation = services.document_create(
        by=rvc,
        titel=titel,
        soort=Document.Kind.EVALUATIE_DIRECTIE,
        doelgroep=Document.Audience.RVC_BESLOTEN,
        jaar=year,
        bestand=demo.demo_pdf(
            titel=titel,
            soort=Document.Kind.EVALUATIE_DIRECTIE,
            doelgroep=Document.Audience.RVC_BESLOTEN,
            paragrafen=[("Bevindingen", "Vertrouwelijk: het functioneren van de directie.")],
            name=f"evaluatie-directie-{year}.pdf",
        ),
    )
    services.document_share(by=rvc, document=evaluation)  # the RvC is told, after the commit
    services.meeting_record(
        by=secretaris,
        body=bodies["rvc"],
        datum=today,
        titel=f"RvC-vergadering met de accountant {year}",
        met_accountant=True,
    )

    # The commissaris holds a seat, appointed by the ALV: the directie can change its function.
    services.mandate_appoint(
        by=secretaris,
        body=bodies["rvc"],
        person=services.person_create(
            by=secretaris, naam="Rinske van der Raad", geboortedatum=date(1975, 3, 21), user=commissaris
        ),
        functie="lid",
        ingangsdatum=date(year - 1, 1, 1),
        besluit=services.decision_record(
            by=secretaris,
            body=bodies["alv"],
            kenmerk=f"ALV-{year - 1}-01",
            datum=date(year - 1, 1, 1),
            onderwerp="Benoeming van Rinske van der Raad tot commissaris",
        ),
    )

    eindhoven = MemberFactory(code="eindhoven", naam="Gemeente Eindhoven")
    member = member_user(eindhoven, MemberRole.Role.ALV_VERTEGENWOORDIGER, email="esther@eindhoven.example")
    return {
        "year": year,
        "evaluation": evaluation,
        "version": evaluation.versions.get(),
        "commissaris": commissaris,
        "secret": secret,
        "directeur": directeur,
        "directeur_secret": directeur_secret,
        "member": member,
    }


def test_commissaris_downloads_a_confidential_document_that_a_member_cannot_reach(page, governance):
    year = governance["year"]
    evaluation = governance["evaluation"]
    version = governance["version"]
    titel = f"Evaluatie directie {year}"
    filename = f"evaluatie-directie-{year}.pdf"
    document_url = f"/governance/documenten/{evaluation.pk}/"
    download_url = f"{document_url}versies/1/"

    # The RvC was told by e-mail: a link to the document, never the file.
    [notice] = [m for m in mail.outbox if m.subject == f"Nieuw document: {titel}"]
    assert notice.to == [governance["commissaris"].email]
    assert document_url in notice.body
    assert not notice.attachments

    page.goto("/accounts/login/")
    assert_no_serious_axe_violations(page)
    log_in_with_mfa(page, governance["commissaris"].email, PASSWORD, governance["secret"])
    assert_no_serious_axe_violations(page)

    # Governance → the compliance dashboard of this year.
    governance_link = nav(page).get_by_role("link", name="Governance", exact=True)
    press_tab_until_focused(page, governance_link)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/governance/kalender/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Governancekalender {year}")
    expect(governance_link).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name=f"Verplichtingen {year}, op volgorde van termijn")

    def obligation(title: str):
        return table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title))

    evaluation_row = obligation(f"Evaluatie van de directie door de RvC over {year}")
    expect(evaluation_row).to_contain_text("Voldaan")
    expect(obligation(f"Vergadering van de RvC met de accountant in {year}")).to_contain_text("Voldaan")
    expect(obligation(f"Zelfevaluatie van de RvC over {year}")).to_contain_text("Open")
    assert_no_serious_axe_violations(page)

    # The evidence is the document itself; followed with the keyboard.
    evidence = evaluation_row.get_by_role("link", name=titel)
    press_tab_until_focused(page, evidence, limit=60)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"{re.escape(document_url)}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(titel)
    expect(term(page, "Doelgroep")).to_have_text("Alleen de RvC (besloten, ook niet voor de directie)")
    expect(term(page, "Soort")).to_have_text("Evaluatie van de directie")
    # The RvC manages its closed documents itself: the secretaris does not see them.
    expect(page.get_by_role("heading", name="Beheer")).to_be_visible()
    assert_no_serious_axe_violations(page)

    name, content = download_with_enter(page, page.get_by_role("link", name=f"{filename} (versie 1 downloaden)"))
    assert name == filename
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == version.sha256
    expect(page.get_by_text(version.sha256)).to_be_visible()  # the reader can check the file

    # A member's user: the same URLs are the 404 page, the register is silent.
    page.context.clear_cookies()
    log_in(page, governance["member"].email, PASSWORD)
    expect(page.locator("header")).to_contain_text("Gemeente Eindhoven")
    expect(nav(page).get_by_role("link", name="Governance", exact=True)).to_have_count(0)

    nav(page).get_by_role("link", name="Documenten", exact=True).click()
    expect(page).to_have_url(re.compile(r"/governance/documenten/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Documenten")
    register = page.get_by_role("table", name="1 document gevonden")
    expect(register.get_by_role("rowheader", name="Statuten")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(titel)
    assert_no_serious_axe_violations(page)

    page.get_by_label("Zoek op titel of bestandsnaam").fill("Evaluatie")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"zoekterm=Evaluatie"))
    expect(page.get_by_role("table", name="0 documenten gevonden")).to_contain_text(
        "Geen documenten gevonden die aan uw zoekopdracht voldoen."
    )
    assert_no_serious_axe_violations(page)

    for url in (document_url, download_url):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")
        expect(page.locator("main")).not_to_contain_text(titel)
        assert_no_serious_axe_violations(page)

    response = page.goto("/governance/kalender/")
    assert response is not None and response.status == 403
    expect(page.locator("main")).not_to_contain_text(titel)
    assert_no_serious_axe_violations(page)

    # The directie: the evaluation is met on its dashboard, by a document it
    # does not see; the document's URLs are the 404 page.
    page.context.clear_cookies()
    log_in_with_mfa(page, governance["directeur"].email, PASSWORD, governance["directeur_secret"])
    page.goto("/governance/kalender/")
    table = page.get_by_role("table", name=f"Verplichtingen {year}, op volgorde van termijn")
    evaluation_row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=f"Evaluatie van de directie door de RvC over {year}")
    )
    expect(evaluation_row).to_contain_text("Voldaan")
    expect(evaluation_row).to_contain_text("Een document dat u niet kunt inzien")
    expect(page.locator("main")).not_to_contain_text(titel)
    assert_no_serious_axe_violations(page)
    page.goto(f"/governance/documenten/?zoekterm={year}")
    expect(page.locator("main")).not_to_contain_text(titel)
    for url in (document_url, download_url):
        response = page.goto(url)
        assert response is not None and response.status == 404, url
        expect(page.get_by_role("heading", level=1)).to_have_text("Pagina niet gevonden")

    # The directie manages the bodies: a commissaris's function changes in the
    # same term, by a decision of the ALV (the body that appoints to the RvC).
    page.goto("/governance/organen/rvc/")
    expect(page.locator("main")).to_contain_text(
        "Benoemingen in Raad van commissarissen gebeuren bij besluit van Algemene ledenvergadering."
    )
    page.get_by_text("Functie van Rinske van der Raad wijzigen").click()
    change = page.locator("form", has=page.get_by_role("button", name="Functie wijzigen"))
    expect(change.get_by_label("Besluit van Algemene ledenvergadering")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_governance_pages_reflow_at_320_css_pixels(page, governance):
    """WCAG 1.4.10 for the new pages, as test_member_journey checks the
    member's: at 320 CSS px only wide tables scroll sideways, in their box."""
    log_in_with_mfa(page, governance["commissaris"].email, PASSWORD, governance["secret"])
    page.set_viewport_size({"width": 320, "height": 640})
    evaluation = governance["evaluation"]
    pages = [
        "/governance/kalender/",
        "/governance/documenten/",
        f"/governance/documenten/{evaluation.pk}/",
        "/governance/organen/",
        "/governance/organen/rvc/",
        "/governance/besluiten/",
        "/governance/registers/nevenfuncties/",
        "/governance/registers/tegenstrijdige-belangen/",
        "/governance/registers/contracten/",
        "/governance/vergaderingen/",
        "/governance/kwartaalrapportages/",
    ]
    for url in pages:
        page.goto(url)
        scroll_width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= viewport, f"{url} scrolls sideways at 320px: {scroll_width}px wide"
        assert_no_serious_axe_violations(page)

"""Online voting in the ALV through the browser (issue 6). The secretaris
logs in with the code of the authenticator app and convenes the ALV on the
meeting page ("Oproep versturen"): every member's representative gets the
convocation by e-mail. Gemeente C's representative, its lid-beheerder, gives
Gemeente B a proxy on the meeting page and signs it in the portal. The
secretaris approves the proxy, checks A and B in, adds a poll to the agenda
item and opens it. A's representative votes; B's votes for B and,
separately, for C. The chair's progress region follows by htmx and shows how
many voted, never how. The chair closes the poll: the result page shows
"aangenomen" with the counts, and the minutes PDF, downloaded through the
meeting page's link, lists the proxy. The secretaris and the
representatives of A and C use the keyboard alone (Tab, Enter, Space, arrow
keys, typing); B's uses the mouse. Accessible (axe) on every page."""

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from .conftest import assert_no_serious_axe_violations, log_in
from .keyboard import choose, log_in_by_keyboard, log_in_with_mfa_by_keyboard, press, type_into
from .test_invoicing_journey import PASSWORD, messages, term
from .test_member_journey import assert_focus_visible, press_tab_until_focused

# The words of a vote; the chair's progress must never contain them.
HOW = re.compile(r"\b(voor|tegen|onthouding)\b", re.IGNORECASE)


@pytest.fixture
def alv(transactional_db):
    """Through the services: a secretaris with an authenticator app, an ALV
    in three weeks with one agenda item (recorded and put on the agenda by
    the secretaris, not convened yet: the secretaris does that in the
    journey), and three members, each with an ALV representative; C's is
    also its lid-beheerder, so it may sign a proxy in the portal."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from governance import demo, services
    from membership.models import MemberRole
    from tests.factories import MemberFactory, UserFactory, member_user

    ensure_role_groups()  # a flushed transactional database may have lost them
    bodies = demo.statutory_bodies()
    secretaris = UserFactory(
        roles=[StaffRole.SECRETARIS], email="secretaris@beware.test", first_name="Sanne", last_name="Secretaris"
    )
    secret = generate_totp_secret()
    TOTP.activate(secretaris, secret)
    chair = Actor(user=secretaris)
    meeting = services.meeting_record(
        by=chair,
        body=bodies["alv"],
        datum=timezone.localdate() + timedelta(days=21),
        titel="ALV voorjaar",
        plaats="Stadhuis Eindhoven",
    )
    services.agenda_item_add(
        by=chair, meeting=meeting, titel="Begroting 2027", voorstel="De ALV stelt de begroting 2027 vast."
    )
    members = {code: MemberFactory(code=code, naam=f"Gemeente {code.upper()}") for code in ("a", "b", "c")}
    reps = {
        "a": member_user(members["a"], MemberRole.Role.ALV_VERTEGENWOORDIGER, email="anna@a.example"),
        "b": member_user(members["b"], MemberRole.Role.ALV_VERTEGENWOORDIGER, email="bram@b.example"),
        "c": member_user(
            members["c"],
            MemberRole.Role.ALV_VERTEGENWOORDIGER,
            MemberRole.Role.LID_BEHEERDER,
            email="cor@c.example",
            first_name="Cor",
            last_name="Claassen",
        ),
    }
    return {"meeting": meeting, "members": members, "reps": reps, "secretaris": secretaris, "secret": secret}


@pytest.fixture
def new_page(browser, live_server, page):
    """Another browser, for another person at the same time: its own context
    (cookies), set up as conftest's `page`; CSP violations fail the test."""
    contexts, violations = [], []

    def open_page():
        context = browser.new_context(locale="nl-NL", base_url=live_server.url, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        tab = context.new_page()
        tab.on(
            "console",
            lambda msg: (
                violations.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
            ),
        )
        return tab

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


def ballot(page, name: str):
    """The fieldset of one ballot, by its legend ("Stem namens …", with the
    form's mark of a required field)."""
    return page.get_by_role("group", name=re.compile(rf"^{re.escape(name)}( \(verplicht\))?$"))


def row_of(table, name: str):
    """A table's row by its row header."""
    return table.get_by_role("row").filter(has=table.page.get_by_role("rowheader", name=name, exact=True))


def open_meeting_by_keyboard(tab, meeting) -> None:
    """From the list of this year's meetings to `meeting`: three weeks ahead
    can be next year, whose list the year chooser shows."""
    if meeting.datum.year != timezone.localdate().year:
        type_into(tab, tab.get_by_role("spinbutton", name=re.compile(r"^Jaar")), str(meeting.datum.year))
        press(tab, tab.get_by_role("button", name="Toon"), limit=3)
    table = tab.get_by_role("table", name=re.compile(rf"vergadering(en)? in {meeting.datum.year}$"))
    press(tab, table.get_by_role("link", name=meeting.titel))
    expect(tab).to_have_url(re.compile(rf"/governance/vergaderingen/{meeting.pk}/$"))


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(re.sub(r"[ \u00a0]+", " ", p.extract_text()) for p in reader.pages)


def test_chair_opens_an_alv_poll_members_vote_with_a_proxy_and_the_minutes_list_it(page, new_page, alv):
    meeting = alv["meeting"]
    meeting_url = f"/governance/vergaderingen/{meeting.pk}/"

    # --- The secretaris convenes the ALV on the meeting page, with the keyboard.
    chair = page
    chair.goto("/accounts/login/")
    assert_no_serious_axe_violations(chair)
    log_in_with_mfa_by_keyboard(
        chair, alv["secretaris"].email, PASSWORD, alv["secret"], axe=assert_no_serious_axe_violations
    )
    assert_no_serious_axe_violations(chair)  # the start page
    press(chair, chair.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="Governance"))
    expect(chair).to_have_url(re.compile(r"/governance/kalender/$"))
    press(chair, chair.get_by_role("navigation", name="Governance").get_by_role("link", name="Vergaderingen"))
    expect(chair).to_have_url(re.compile(r"/governance/vergaderingen/$"))
    assert_no_serious_axe_violations(chair)
    open_meeting_by_keyboard(chair, meeting)
    expect(chair).to_have_url(re.compile(rf"{re.escape(meeting_url)}$"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("ALV voorjaar")
    convocation = chair.locator("section", has=chair.get_by_role("heading", name="Oproep", exact=True))
    expect(convocation).to_contain_text("Nog niet verstuurd")
    assert_no_serious_axe_violations(chair)
    assert not [m for m in mail.outbox if m.subject.startswith("Oproep:")]
    press(chair, convocation.get_by_role("button", name="Oproep versturen"), limit=60)
    expect(chair).to_have_url(re.compile(rf"{re.escape(meeting_url)}#oproep$"))
    expect(messages(chair)).to_contain_text("De oproep voor de vergadering is verstuurd.")
    expect(convocation).to_contain_text(re.compile(r"Verstuurd De oproep met de agenda is verstuurd op .+\."))
    expect(convocation.get_by_role("button", name="Oproep versturen")).to_have_count(0)
    assert_no_serious_axe_violations(chair)

    # One e-mail per representative (none sees who else got it): date, place, agenda, link.
    convocations = [m for m in mail.outbox if m.subject.startswith("Oproep:")]
    assert sorted(m.to[0] for m in convocations) == ["anna@a.example", "bram@b.example", "cor@c.example"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in convocations)
    for message in convocations:
        assert message.subject == f"Oproep: ALV voorjaar op {meeting.datum:%d-%m-%Y}"
        assert "Plaats: Stadhuis Eindhoven" in message.body
        assert "1. Begroting 2027" in message.body
        assert meeting_url in message.body

    # --- C's representative gives B a proxy and signs it in the portal, by keyboard.
    rep_c = new_page()
    rep_c.goto("/accounts/login/")
    assert_no_serious_axe_violations(rep_c)
    log_in_by_keyboard(rep_c, alv["reps"]["c"].email, PASSWORD)
    assert_no_serious_axe_violations(rep_c)  # the start page
    # ALV → the meeting the convocation was about.
    press(rep_c, rep_c.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="ALV", exact=True))
    expect(rep_c).to_have_url(re.compile(r"/governance/vergaderingen/$"))
    open_meeting_by_keyboard(rep_c, meeting)
    expect(rep_c).to_have_url(re.compile(rf"{re.escape(meeting_url)}$"))
    expect(rep_c.get_by_role("heading", level=1)).to_have_text("ALV voorjaar")
    grant = rep_c.locator("section", has=rep_c.get_by_role("heading", name="Volmacht geven"))
    expect(grant.get_by_label("De hele vergadering")).to_be_checked()
    assert_no_serious_axe_violations(rep_c)
    choose(rep_c, grant.get_by_label("Gevolmachtigde"), "Gemeente B")
    press(rep_c, grant.get_by_label("Ondertekenen in het portaal"), "Space")
    expect(grant.get_by_label("Ondertekenen in het portaal")).to_be_checked()
    press(rep_c, grant.get_by_role("button", name="Volmacht aanvragen"))
    expect(rep_c).to_have_url(re.compile(rf"{re.escape(meeting_url)}#volmachten$"))
    expect(messages(rep_c)).to_contain_text("De volmacht aan Gemeente B is aangevraagd; de secretaris beoordeelt haar.")
    proxy_row = row_of(rep_c.get_by_role("table", name="Volmachtenregister"), "Gemeente C")
    expect(proxy_row).to_contain_text("Gemeente B")
    expect(proxy_row).to_contain_text("In het portaal door Cor Claassen")
    expect(proxy_row).to_contain_text("Wacht op goedkeuring")
    expect(proxy_row.get_by_role("button", name="Intrekken (volmacht aan Gemeente B)")).to_be_visible()
    assert_no_serious_axe_violations(rep_c)

    # --- The secretaris approves it, checks A and B in and opens a poll (by keyboard).
    chair.reload()
    expect(chair.get_by_text("1 volmacht wacht op goedkeuring")).to_be_visible()
    assert_no_serious_axe_violations(chair)
    press(chair, chair.get_by_role("button", name="Goedkeuren (volmacht van Gemeente C)"))
    expect(messages(chair)).to_contain_text("De volmacht van Gemeente C is goedgekeurd.")
    row = row_of(chair.get_by_role("table", name="Volmachtenregister"), "Gemeente C")
    expect(row).to_contain_text("Goedgekeurd")
    expect(row).to_contain_text("Sanne Secretaris")
    assert_no_serious_axe_violations(chair)

    for count, name in enumerate(("Gemeente A", "Gemeente B"), start=1):
        check_in = chair.locator("section", has=chair.get_by_role("heading", name="Inchecken", exact=True))
        choose(chair, check_in.get_by_label("Lid"), name)
        press(chair, check_in.get_by_role("button", name="Inchecken"), limit=5)
        expect(row_of(chair.get_by_role("table", name=f"{count} aanwezig"), name)).to_contain_text("Sanne Secretaris")
    assert_no_serious_axe_violations(chair)

    press(chair, chair.get_by_role("link", name="Stemming toevoegen (agendapunt 1)"))
    expect(chair.get_by_role("heading", level=1)).to_have_text("Stemming toevoegen")
    expect(chair.get_by_label("Voorstel")).to_have_value("De ALV stelt de begroting 2027 vast.")
    expect(chair.get_by_label("Besluitregel")).to_have_value("alv")
    assert_no_serious_axe_violations(chair)
    press(chair, chair.get_by_role("button", name="Stemming aanmaken"))
    expect(chair).to_have_url(re.compile(r"/governance/stemmingen/\d+/$"))
    poll_url = re.search(r"/governance/stemmingen/\d+/", chair.url).group(0)
    expect(chair.get_by_role("heading", level=1)).to_have_text("De ALV stelt de begroting 2027 vast.")
    assert_no_serious_axe_violations(chair)
    press(chair, chair.get_by_role("button", name="Stemming openen"))
    expect(messages(chair)).to_contain_text("De stemming is geopend. Stemgerechtigden: 3.")
    progress = chair.locator("#voortgang")
    expect(progress).to_contain_text("Gestemd: 0 van 3 stemgerechtigden.")
    electorate = chair.get_by_role("table", name="3 stemgerechtigden")
    expect(row_of(electorate, "Gemeente C")).to_contain_text("volmacht aan Gemeente B")
    assert_no_serious_axe_violations(chair)

    # --- A's representative votes, with the keyboard only.
    rep_a = new_page()
    log_in_by_keyboard(rep_a, alv["reps"]["a"].email, PASSWORD)
    assert_no_serious_axe_violations(rep_a)  # the start page
    # ALV → the meeting → the open poll on its agenda.
    press(rep_a, rep_a.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="ALV", exact=True))
    expect(rep_a).to_have_url(re.compile(r"/governance/vergaderingen/$"))
    assert_no_serious_axe_violations(rep_a)
    open_meeting_by_keyboard(rep_a, meeting)
    expect(rep_a).to_have_url(re.compile(rf"{re.escape(meeting_url)}$"))
    assert_no_serious_axe_violations(rep_a)
    press(rep_a, rep_a.get_by_role("link", name="Stemming: De ALV stelt de begroting 2027 vast."), limit=60)
    expect(rep_a).to_have_url(re.compile(rf"{re.escape(poll_url)}$"))
    own = ballot(rep_a, "Stem namens Gemeente A")
    expect(own).to_contain_text("Een stem is definitief: na het uitbrengen kunt u haar niet meer wijzigen.")
    expect(rep_a.get_by_role("button", name=re.compile("^Stem uitbrengen"))).to_have_count(1)
    expect(rep_a.get_by_role("button", name="Stemming sluiten")).to_have_count(0)
    assert_no_serious_axe_violations(rep_a)
    voor = own.get_by_role("radio", name="Voor")
    press_tab_until_focused(rep_a, voor, limit=60)  # the first radio of an unchecked group takes the focus
    assert_focus_visible(rep_a)
    rep_a.keyboard.press("ArrowDown")  # arrows move through the group and choose: Tegen
    expect(own.get_by_role("radio", name="Tegen")).to_be_checked()
    rep_a.keyboard.press("ArrowUp")  # back to Voor
    expect(voor).to_be_checked()
    expect(voor).to_be_focused()
    submit = rep_a.get_by_role("button", name="Stem uitbrengen (namens Gemeente A)")
    press_tab_until_focused(rep_a, submit, limit=5)
    assert_focus_visible(rep_a)
    rep_a.keyboard.press("Enter")
    expect(messages(rep_a)).to_contain_text("Uw stem namens Gemeente A is uitgebracht. Een stem is definitief.")
    expect(rep_a.locator("main")).to_contain_text("Namens Gemeente A gestemd: voor.")
    expect(rep_a.get_by_role("button", name=re.compile("^Stem uitbrengen"))).to_have_count(0)
    assert_no_serious_axe_violations(rep_a)

    # --- The chair sees it come in (htmx, every 2 s): how many, never how.
    expect(progress).to_contain_text("Gestemd: 1 van 3 stemgerechtigden.", timeout=10_000)
    assert not HOW.search(progress.inner_text()), progress.inner_text()
    fragment = chair.request.get(f"{poll_url}voortgang/")
    assert fragment.ok
    html = re.sub(r"\s+", " ", fragment.text())
    assert "Gestemd: 1 van 3 stemgerechtigden." in html
    assert 'value="1"' in html and 'max="3"' in html  # the progress bar
    assert not HOW.search(re.sub(r"<[^>]+>", " ", html)), html
    # A member's representative does not get the chair's progress.
    assert rep_a.request.get(f"{poll_url}voortgang/").status == 403
    assert_no_serious_axe_violations(chair)

    # --- B's representative votes for B and, separately, for C (its proxy).
    rep_b = new_page()
    log_in(rep_b, alv["reps"]["b"].email, PASSWORD)
    assert_no_serious_axe_violations(rep_b)  # the start page
    rep_b.goto(poll_url)
    expect(rep_b.get_by_role("button", name=re.compile("^Stem uitbrengen"))).to_have_count(2)
    expect(ballot(rep_b, "Stem namens Gemeente C (volmacht)")).to_be_visible()
    assert_no_serious_axe_violations(rep_b)
    ballot(rep_b, "Stem namens Gemeente B").get_by_role("radio", name="Tegen").check()
    rep_b.get_by_role("button", name="Stem uitbrengen (namens Gemeente B)").click()
    expect(messages(rep_b)).to_contain_text("Uw stem namens Gemeente B is uitgebracht. Een stem is definitief.")
    ballot(rep_b, "Stem namens Gemeente C (volmacht)").get_by_role("radio", name="Voor").check()
    rep_b.get_by_role("button", name="Stem uitbrengen (namens Gemeente C)").click()
    expect(messages(rep_b)).to_contain_text("Uw stem namens Gemeente C is uitgebracht. Een stem is definitief.")
    expect(rep_b.locator("main")).to_contain_text("Namens Gemeente B gestemd: tegen.")
    expect(rep_b.locator("main")).to_contain_text("Namens Gemeente C gestemd: voor.")
    expect(rep_b.get_by_role("button", name=re.compile("^Stem uitbrengen"))).to_have_count(0)
    assert_no_serious_axe_violations(rep_b)

    # C gave its vote away: nothing to cast on the poll page.
    rep_c.goto(poll_url)
    expect(rep_c.get_by_role("heading", level=1)).to_have_text("De ALV stelt de begroting 2027 vast.")
    expect(rep_c.get_by_role("button", name=re.compile("^Stem uitbrengen"))).to_have_count(0)
    assert_no_serious_axe_violations(rep_c)

    # --- The chair closes the poll; the result with its counts.
    expect(progress).to_contain_text("Gestemd: 3 van 3 stemgerechtigden.", timeout=10_000)
    assert not HOW.search(progress.inner_text()), progress.inner_text()
    press(chair, chair.get_by_role("button", name="Stemming sluiten"))
    expect(messages(chair)).to_contain_text("De stemming is gesloten: aangenomen.")
    result = chair.locator("section", has=chair.get_by_role("heading", name="Uitslag", exact=True))
    expect(result).to_contain_text("Het voorstel is aangenomen.")
    for label, value in [
        ("Voor", "2"),
        ("Tegen", "1"),
        ("Onthouding", "0"),
        ("Uitgebracht (voor en tegen)", "3"),
        ("Aanwezig of vertegenwoordigd", "3"),
        ("Stemgerechtigd", "3"),
        ("Toegepaste regel", "ALV, gewone meerderheid"),
    ]:
        expect(term(result, label)).to_have_text(value)
    expect(chair.get_by_role("button", name="Stemming sluiten")).to_have_count(0)
    assert_no_serious_axe_violations(chair)

    # --- The minutes, through the meeting page's link, list the proxy.
    press(chair, chair.get_by_role("link", name=f"← {meeting.titel}"))
    expect(chair).to_have_url(re.compile(rf"{re.escape(meeting_url)}#agenda$"))
    agenda = chair.locator("section", has=chair.get_by_role("heading", name="Agenda", exact=True))
    poll_item = agenda.get_by_role("link", name="Stemming: De ALV stelt de begroting 2027 vast.").locator("xpath=..")
    expect(poll_item).to_contain_text("Gesloten Aangenomen")
    assert_no_serious_axe_violations(chair)
    link = chair.get_by_role("link", name="Verslag met presentielijst, volmachten en stemmingen (PDF)")
    # Served inline, so Chromium shows it in its PDF viewer, and a response's
    # body would be the viewer's page: the file is kept as it passes.
    received = []

    def keep(route):
        response = route.fetch()
        received.append((response.status, response.headers, response.body()))
        route.fulfill(response=response)

    pdf_url = re.compile(rf"{re.escape(meeting_url)}verslag\.pdf$")
    chair.route(pdf_url, keep)
    press_tab_until_focused(chair, link, limit=60)
    assert_focus_visible(chair)
    chair.keyboard.press("Enter")
    expect(chair).to_have_url(pdf_url)
    chair.unroute(pdf_url)
    [(status, headers, content)] = received
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("inline;")
    minutes = pdf_text(content)
    register = minutes.split("Volmachtenregister", 1)[1].split("3. Notulen en besluitenlijst", 1)[0]
    assert re.search(r"Gemeente C\s*Gemeente B\s*Hele\s*vergadering", register), register
    assert re.search(r"in het portaal door\s*Cor\s*Claassen", register), register
    assert "Goedgekeurd" in register and "Sanne Secretaris" in register, register
    polls = minutes.split("4. Stemmingen", 1)[1].split("5. Besluiten buiten vergadering", 1)[0]
    assert "Uitslag aangenomen" in polls, polls
    assert "voor 2, tegen 1, onthouding 0; uitgebracht 3, aanwezig 3, stemgerechtigd 3" in polls, polls

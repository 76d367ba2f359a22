"""A member user's first visit: log in, browse the register, open the own
organisation; accessible (axe) and usable with the keyboard alone."""

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, assert_no_serious_axe_violations, log_in

EINDHOVEN = "eindhoven@beware.demo"
SCREENSHOTS = os.environ.get("BEWARE_E2E_SCREENSHOTS")


def screenshot(page, name: str) -> None:
    """Full-page screenshot into $BEWARE_E2E_SCREENSHOTS, when set (for looking at)."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def nav(page):
    return page.get_by_role("navigation", name="Hoofdnavigatie")


def test_member_logs_in_and_browses_register_and_own_organisation(page, demo):
    page.goto("/accounts/login/")
    expect(page).to_have_title(re.compile("Inloggen"))
    assert_no_serious_axe_violations(page)

    log_in(page, EINDHOVEN)
    expect(page.get_by_text("U handelt namens").first).to_be_visible()
    expect(page.locator("header")).to_contain_text("Gemeente Eindhoven")

    nav(page).get_by_role("link", name="Ledenregister").click()
    expect(page).to_have_url(re.compile(r"/leden/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledenregister")
    expect(nav(page).get_by_role("link", name="Ledenregister")).to_have_attribute("aria-current", "page")
    table = page.get_by_role("table", name="Leden van de coöperatie")
    expect(table.get_by_role("rowheader", name="Gemeente Eindhoven")).to_be_visible()
    mgd = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name="MijnGemeenteDichtbij"))
    expect(mgd).to_contain_text("Boxtel")
    expect(mgd).to_contain_text("Sint-Michielsgestel")
    screenshot(page, "register")
    assert_no_serious_axe_violations(page)

    nav(page).get_by_role("link", name="Mijn organisatie").click()
    expect(page).to_have_url(re.compile(rf"/leden/{demo['eindhoven'].pk}/organisatie/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisatie: Gemeente Eindhoven")
    contacts = page.get_by_role("table", name="Contactpersonen van Gemeente Eindhoven")
    expect(contacts).to_contain_text("Esther Eindhoven")
    expect(contacts).to_contain_text("Frank Financiën")
    kenmerken = page.get_by_role("heading", name="Factuurkenmerken")
    expect(kenmerken).to_be_visible()
    expect(page.locator("main")).to_contain_text(re.compile(r"\d{4}: INK-\d{4}-0772"))
    screenshot(page, "organisation")
    assert_no_serious_axe_violations(page)


def test_member_cannot_open_another_members_organisation(page, demo):
    log_in(page, EINDHOVEN)
    response = page.goto(f"/leden/{demo['mijngemeentedichtbij'].pk}/organisatie/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    expect(page.locator("main")).not_to_contain_text("Fenna Facturen")
    expect(page.locator("main")).not_to_contain_text("MGD/")
    assert_no_serious_axe_violations(page)


def press_tab_until_focused(page, locator, *, limit: int = 40) -> None:
    """Tab forward (as a keyboard user does) until `locator` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{locator} not reached within {limit} presses of Tab")


def focused_is_inside(page, selector: str) -> bool:
    return page.evaluate("(sel) => !!document.activeElement.closest(sel)", selector)


def assert_skip_link_first_and_working(page) -> None:
    """The first Tab reaches a visible skip link; following it moves focus into main."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Direct naar de inhoud")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    box = skip.bounding_box()
    assert box and box["width"] > 10 and box["height"] > 10 and box["y"] >= 0, f"skip link not visible: {box}"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#inhoud$"))
    expect(page.locator("main#inhoud")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused_is_inside(page, "main"), "after the skip link, Tab should stay in the main content"


def assert_focus_visible(page) -> None:
    style = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] != "none" and style[1] != "0px", f"focused element has no visible outline: {style}"


def test_keyboard_only_journey(page, demo):
    page.goto("/accounts/login/")
    assert_skip_link_first_and_working(page)

    # Log in without the mouse: Tab to the fields, type, Enter submits.
    email = page.get_by_label(re.compile(r"^E-?mail"))
    if not email.evaluate("el => el === document.activeElement"):
        press_tab_until_focused(page, email)
    page.keyboard.type(EINDHOVEN)
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^Wachtwoord"))).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("header")).to_contain_text("Gemeente Eindhoven")

    # Navigation links are reachable with Tab and followed with Enter.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
    register_link = nav(page).get_by_role("link", name="Ledenregister")
    press_tab_until_focused(page, register_link)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/leden/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ledenregister")

    assert_skip_link_first_and_working(page)

    page.goto("/leden/")
    organisation_link = nav(page).get_by_role("link", name="Mijn organisatie")
    press_tab_until_focused(page, organisation_link)
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisatie: Gemeente Eindhoven")


def test_pages_reflow_at_320_css_pixels(page, demo):
    """WCAG 1.4.10: at 320 CSS px (400% zoom) nothing but wide tables scrolls sideways."""
    log_in(page, EINDHOVEN)
    page.set_viewport_size({"width": 320, "height": 640})
    for url in ["/", "/leden/", f"/leden/{demo['eindhoven'].pk}/", "/mijn-organisatie/", "/governance/documenten/"]:
        page.goto(url)
        scroll_width, viewport = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll_width <= viewport, f"{url} scrolls sideways at 320px: {scroll_width}px wide"
        assert_no_serious_axe_violations(page)

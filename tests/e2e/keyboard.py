"""The keyboard user's hands: Tab (or Shift+Tab) to a control, see that it
has a visible focus, then Enter, Space or typing. No clicks and no
`fill()`: what these helpers reach, a keyboard user reaches."""

import re

from playwright.sync_api import expect


def _is_focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def focus_by_tab(page, locator, *, limit: int = 80) -> None:
    """Tab forward until `locator` has the focus; if it lies behind the
    focus, Shift+Tab back to it (as a keyboard user would). The focused
    control must show that it has the focus (WCAG 2.4.7)."""
    expect(locator).to_be_visible()
    if not _is_focused(locator):
        for key in ("Tab", "Shift+Tab"):
            for _ in range(limit):
                page.keyboard.press(key)
                if _is_focused(locator):
                    break
            else:
                continue
            break
        else:
            raise AssertionError(f"{locator} not reached with Tab or Shift+Tab within {limit} presses")
    assert_focus_visible(page)


def assert_focus_visible(page) -> None:
    style = page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return [s.outlineStyle, s.outlineWidth, s.boxShadow]; }"""
    )
    outline = style[0] != "none" and style[1] != "0px"
    assert outline or style[2] != "none", f"the focused element shows no focus: {style}"


def press(page, locator, key: str = "Enter", *, limit: int = 80) -> None:
    """Tab to a link or button and activate it (Enter; Space for a checkbox or radio)."""
    focus_by_tab(page, locator, limit=limit)
    page.keyboard.press(key)


def type_into(page, locator, text: str, *, limit: int = 80) -> None:
    """Tab to a text field, clear what is in it and type."""
    focus_by_tab(page, locator, limit=limit)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


_DATE_ORDER = {}


def _date_order(page) -> str:
    """The order of the segments of the browser's date fields ("dmy" for a
    Dutch Chromium, "mdy" where it follows an American system locale), as
    the user sees them; learnt once on a blank tab, never on the portal's page."""
    if "order" not in _DATE_ORDER:
        probe = page.context.new_page()
        try:
            probe.set_content('<input type="date" id="d">')
            probe.focus("#d")
            probe.keyboard.type("01022003")
            value = probe.eval_on_selector("#d", "el => el.value")
        finally:
            probe.close()
        _DATE_ORDER["order"] = {"2003-02-01": "dmy", "2003-01-02": "mdy"}[value]
    return _DATE_ORDER["order"]


def type_date(page, locator, iso: str, *, limit: int = 80) -> None:
    """Tab to a date field and type the date's digits in the order the
    field shows its segments, then check the field's value."""
    year, month, day = iso.split("-")
    digits = {"dmy": f"{day}{month}{year}", "mdy": f"{month}{day}{year}"}[_date_order(page)]
    focus_by_tab(page, locator, limit=limit)
    page.keyboard.type(digits)
    expect(locator).to_have_value(iso)


def choose(page, select, label: str, *, limit: int = 80) -> None:
    """Tab to a closed select and move to the option with the arrow keys."""
    focus_by_tab(page, select, limit=limit)
    labels = [text.strip() for text in select.locator("option").all_inner_texts()]
    assert label in labels, f"{label!r} is not an option of {select}: {labels}"
    current = select.evaluate("el => el.selectedIndex")
    target = labels.index(label)
    for _ in range(abs(target - current)):
        page.keyboard.press("ArrowDown" if target > current else "ArrowUp")
    expect(select.locator("option:checked")).to_have_text(label)


def open_details(page, summary, *, limit: int = 80) -> None:
    """Tab to a <summary> and open its <details> with Enter."""
    press(page, summary, limit=limit)
    expect(summary.locator("xpath=..")).to_have_attribute("open", re.compile(".*"))


def log_out_by_keyboard(page) -> None:
    press(page, page.get_by_role("button", name="Uitloggen"))
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)


def log_in_by_keyboard(page, email: str, password: str) -> None:
    """The login form with the keyboard alone: Tab, type, Enter."""
    page.goto("/accounts/login/")
    type_into(page, page.get_by_label(re.compile(r"^E-?mail")), email)
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^Wachtwoord"))).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def totp_code(secret: str) -> str:
    """The authenticator app's current code, waiting for a fresh period
    when the current one is about to run out."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in_with_mfa_by_keyboard(page, email: str, password: str, secret: str, *, axe=None) -> None:
    """The login form, then the second step with the authenticator app's
    code, typed; Enter submits. `axe` checks the code page on the way."""
    log_in_by_keyboard(page, email, password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Twee-factor-authenticatie")
    if axe is not None:
        axe(page)
    type_into(page, page.get_by_role("textbox", name="Code"), totp_code(secret))
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))

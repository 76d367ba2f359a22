"""The API from a person's side: a member user makes a key on the page
"API-sleutels" (labelled, the key focused once shown, axe), uses it and
revokes it; the API docs render from the portal's own static files under its
Content-Security-Policy (the `page` fixture fails on any violation)."""

import re
import urllib.error
import urllib.request

from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, log_in

EINDHOVEN = "eindhoven@beware.demo"


def api_status(base_url: str, key: str) -> int:
    # No cookies: the key alone, as a program would call. The URL is the live server's.
    request = urllib.request.Request(f"{base_url}/api/v1/facturen/", headers={"Authorization": f"Token {key}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_member_makes_uses_and_revokes_an_api_key(page, demo, live_server):
    log_in(page, EINDHOVEN)
    page.get_by_role("navigation", name="Hoofdnavigatie").get_by_role("link", name="API-sleutels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-sleutels")
    expect(page.get_by_role("table")).to_contain_text("U heeft nog geen API-sleutels.")
    assert_no_serious_axe_violations(page)

    page.get_by_label("Naam").fill("Boekhouding")
    page.get_by_role("button", name="Sleutel maken").click()
    key_field = page.get_by_label("Sleutel", exact=True)
    expect(key_field).to_be_focused()
    expect(page.get_by_text("hij wordt maar één keer getoond")).to_be_visible()
    key = key_field.input_value()
    assert_no_serious_axe_violations(page)
    assert api_status(live_server.url, key) == 200

    page.get_by_role("button", name="Intrekken Boekhouding").click()
    expect(page.get_by_role("status")).to_contain_text("is ingetrokken")
    expect(page.get_by_role("row", name=re.compile("Boekhouding"))).to_contain_text("ingetrokken")
    expect(page.get_by_label("Sleutel", exact=True)).to_have_count(0)
    assert api_status(live_server.url, key) == 401


def test_the_api_docs_render_offline_under_the_csp(page, live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("API van het Beware-ledenportaal"))).to_be_visible()
    expect(page.locator(".opblock-tag", has_text="facturen")).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/v1/facturen/{nummer}/").first.click()
    expect(page.get_by_text("Eén factuur of creditnota").first).to_be_visible()
    assert requested and all(url.startswith(live_server.url) for url in requested), requested

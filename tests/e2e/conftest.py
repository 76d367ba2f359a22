"""Browser journeys: Playwright (sync API) driving the machine's Chromium
against pytest-django's live server, with axe-core for accessibility.

Chromium is looked up on the machine (Playwright's own browser downloads are
not used). Without it these tests are skipped, unless BEWARE_E2E=required
(CI), in which case they fail.
"""

import contextlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
DEMO_PASSWORD = "Beware-demo-2026!"
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


def find_chromium() -> str | None:
    """The Chromium to drive: $CHROMIUM if set, else Debian's, else the PATH's."""
    candidates = [os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")]
    candidates.append(shutil.which("chromium-browser"))
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _unavailable(reason: str):
    if os.environ.get("BEWARE_E2E") == "required":
        pytest.fail(f"Browser tests are required (BEWARE_E2E=required) but cannot run: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason} (set BEWARE_E2E=required to make this an error)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@contextlib.contextmanager
def _orm_allowed_beside_event_loop():
    """Playwright's sync API runs an event loop in this thread, and Django
    refuses ORM calls from a thread with a running loop unless told that this
    is intended. Only while the browser runs: a process-wide setting would leak
    into subprocesses (`check --deploy` warns about it)."""
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, closed after the last of them."""
    executable = find_chromium()
    if executable is None:
        _unavailable("Chromium not found at /usr/bin/chromium or on the PATH")
    if not AXE_JS.is_file():
        _unavailable(f"axe-core not found at {AXE_JS} (run `npm ci`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright Python package is not installed")

    with _orm_allowed_beside_event_loop(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A fresh Dutch-speaking browser tab on the live server.

    The live server runs in another thread, so the test's data must be
    committed: hence `transactional_db`. Content-Security-Policy violations
    reported by the browser make the test fail: the portal promises none.
    """
    context = browser.new_context(locale="nl-NL", base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
        ),
    )
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def demo(transactional_db):
    """The founding situation of the demo (Eindhoven, MijnGemeenteDichtbij, ...)."""
    from beware.accounts.roles import ensure_role_groups
    from membership.demo import seed_founding_situation
    from membership.models import Member

    ensure_role_groups()  # a flushed transactional database may have lost them
    seed_founding_situation()
    return {m.code: m for m in Member.objects.all()}


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real login form, as a user would: by the field labels."""
    from playwright.sync_api import expect

    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^E-?mail")).fill(email)
    page.get_by_label(re.compile(r"^Wachtwoord")).fill(password)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def assert_no_serious_axe_violations(page, *, tags=AXE_TAGS) -> None:
    """Run axe-core on the current page; fail on every serious or critical violation.

    The portal's CSP (script-src 'self') blocks an injected inline script tag,
    so axe's source is evaluated through the DevTools protocol instead
    (page.evaluate is not subject to the page's CSP).
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                targets: v.nodes.map((n) => n.target.join(" ")),
                summary: v.nodes.length ? v.nodes[0].failureSummary : "",
            }));
        }""",
        list(tags),
    )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe found {len(blocking)} serious/critical violation(s) on {page.url}:"]
        for v in blocking:
            shown = ", ".join(v["targets"][:5]) + (f" (+{len(v['targets']) - 5} more)" if len(v["targets"]) > 5 else "")
            lines.append(f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['targets'])}x: {shown})")
            lines.append(f"    {v['summary']}".replace("\n", " "))
        pytest.fail("\n".join(lines), pytrace=False)


def axe_violations_json(page) -> str:
    """All violations (any impact) as JSON, for debugging a page by hand."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    return json.dumps(
        page.evaluate("async () => (await axe.run()).violations.map((v) => [v.id, v.impact, v.nodes.length])")
    )

"""The API docs at /api/v1/docs/: Swagger UI from the sidecar's static files
(no internet), public like the schema (docs/decisions/0022), and within the
portal's Content-Security-Policy: no inline script or style, every asset a
local static file that exists. tests/e2e/test_api_journey.py renders it in
Chromium."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.contrib.staticfiles.views import serve
from django.test import Client, RequestFactory

DOCS = "/api/v1/docs/"


class Assets(HTMLParser):
    """The page's script and stylesheet URLs, and anything inline."""

    def __init__(self):
        super().__init__()
        self.scripts, self.styles, self.inline = [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append(f"{tag} {attrs}")
        if tag == "script":
            self._in_script = True
            self.scripts.append(attrs.get("src"))
        elif tag == "style":
            self.inline.append("<style>")
        elif tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.styles.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(f"<script>{data.strip()[:40]}")


@pytest.fixture
def page():
    response = Client().get(DOCS)
    assert response.status_code == 200
    parser = Assets()
    parser.feed(response.content.decode())
    return response, parser


def test_the_docs_are_public_and_keep_the_portals_csp(page):
    response, parsed = page
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in response["Content-Security-Policy"]
    assert parsed.inline == []
    assert '<html lang="nl">' in response.content.decode()


def test_every_script_and_style_is_a_local_static_file_that_loads(page):
    _, parsed = page
    static = [url for url in parsed.scripts + parsed.styles if url.startswith(settings.STATIC_URL)]
    others = [url for url in parsed.scripts + parsed.styles if url not in static]
    assert others == [f"{DOCS}?script="]  # the init script, below
    assert any("swagger-ui-dist/swagger-ui-bundle.js" in url for url in static)
    assert any("swagger-ui-dist/swagger-ui.css" in url for url in static)
    for url in static:
        response = serve(RequestFactory().get(url), url.removeprefix(settings.STATIC_URL), insecure=True)
        assert response.status_code == 200, url
        assert b"".join(response.streaming_content), url


def test_the_init_script_is_a_file_that_loads_the_schema_and_holds_no_csrf_token():
    response = Client().get(f"{DOCS}?script=")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript"
    script = response.content.decode()
    assert 'url: "/api/v1/schema/"' in script
    assert "SwaggerUIBundle(" in script
    assert not re.search(r"csrf", script, re.IGNORECASE)


def test_the_schema_is_public_too():
    response = Client().get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == settings.SPECTACULAR_SETTINGS["TITLE"]

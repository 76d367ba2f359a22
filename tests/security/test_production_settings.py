"""Issue 8.4: the production settings are safe.

tests/test_common.py already runs `check --deploy` with the production settings
on top of the test run's own environment; here it runs in a *clean* environment
(only PATH and the variables operations.md marks required), so nothing the
developer or CI exported can hide a warning. The same clean process then reads
the settings and answers two requests through the real middleware stack.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

ONE_YEAR = 365 * 24 * 3600

# docs/operations.md "Environment": what production refuses to start without.
REQUIRED_ENV = {
    "DJANGO_SETTINGS_MODULE": "beware.settings.production",
    "SECRET_KEY": "productie-geheim-" + "k" * 60,
    "DATABASE_URL": "sqlite:////tmp/beware-security-check.sqlite3",
    "ALLOWED_HOSTS": "leden.beware.example",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "REDIS_URL": "redis://127.0.0.1:6379/1",
    "EMAIL_URL": "smtp+tls://portaal:geheim@smtp.beware.example:587",
    "PORTAL_BASE_URL": "https://leden.beware.example",
}

PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings

names = ["DEBUG", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SESSION_COOKIE_SECURE",
         "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "X_FRAME_OPTIONS",
         "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "SESSION_COOKIE_HTTPONLY", "MIDDLEWARE"]
out = {"settings": {n: getattr(settings, n, None) for n in names}}
# The manifest storage needs collectstatic; plain storage renders the same page and headers.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
client = Client(HTTP_HOST="leden.beware.example")
plain = client.get("/accounts/login/")
out["http"] = {"status": plain.status_code, "location": plain.get("Location", "")}
secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
out["https"] = {"status": secure.status_code, "headers": dict(secure.headers),
                "cookies": {k: {"secure": bool(v["secure"]), "httponly": bool(v["httponly"])}
                            for k, v in secure.cookies.items()}}
print("RESULT" + json.dumps(out, default=str))
"""


def _clean_env() -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(settings.BASE_DIR)),
        **REQUIRED_ENV,
    }


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=_clean_env(), capture_output=True, text=True, check=False
    )


def test_check_deploy_is_clean_in_a_clean_environment():
    result = _run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.fixture(scope="module")
def production():
    result = _run("-c", PROBE)
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    return json.loads(line.removeprefix("RESULT"))


def test_production_settings_ask_for_https_everywhere(production):
    conf = production["settings"]
    assert conf["DEBUG"] is False
    assert conf["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert conf["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert conf["SESSION_COOKIE_SECURE"] is True
    assert conf["CSRF_COOKIE_SECURE"] is True
    # README/operations.md: behind a TLS proxy that sets X-Forwarded-Proto, and HTTP is redirected.
    assert conf["SECURE_SSL_REDIRECT"] is True
    assert conf["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert conf["X_FRAME_OPTIONS"] == "DENY"
    assert "beware.common.middleware.ContentSecurityPolicyMiddleware" in conf["MIDDLEWARE"]


def test_plain_http_is_redirected_to_https(production):
    assert production["http"]["status"] == 301
    assert production["http"]["location"] == "https://leden.beware.example/accounts/login/"


def test_a_production_response_carries_the_security_headers(production):
    response = production["https"]
    assert response["status"] == 200
    headers = {name.lower(): value for name, value in response["headers"].items()}
    hsts = headers["strict-transport-security"]
    assert int(hsts.split("max-age=")[1].split(";")[0]) >= ONE_YEAR
    assert "includeSubDomains" in hsts
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] in {"same-origin", "strict-origin-when-cross-origin", "no-referrer"}
    assert headers["x-frame-options"] == "DENY"
    csrf_cookie = response["cookies"]["csrftoken"]
    assert csrf_cookie["secure"] and csrf_cookie["httponly"]

"""The database connection drops in the middle of a request (issue 8).

A real gunicorn serves the portal on the test database. The request is a
payment registration, a write in several steps (the payment, the invoice's
status, the audit events, in one transaction). The test stops it at a
controlled point: it holds the audit chain's advisory lock from its own
connection, so the request waits inside its transaction after the payment
row and the status change were written. Then the connection drops, in two
ways: the server's backend is killed (pg_terminate_backend, as a database
restart or an administrator would), or the TCP connection between the app
server and PostgreSQL is cut (a proxy in between, as a network failure).

Either way the user gets the portal's own error page (Dutch, no traceback),
nothing of the payment is stored, the audit chain is intact, and the next
request on the same server works."""

import threading
import time
from datetime import date
from decimal import Decimal

import psycopg
import pytest
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from invoicing import services
from invoicing.models import ContributionRate, Invoice, Payment
from tests.invoicing.test_services import YEAR, billable

from .support import (
    TcpProxy,
    database_address,
    database_url,
    needs_postgres,
    process_env,
    request,
    servers,
    session_for,
)

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_invoice(directie, rate):
    member = billable("eindhoven", 238_000)
    return services.contribution_invoice(member, rate, by=Actor(user=directie))


@pytest.fixture
def rate():
    return ContributionRate.objects.create(
        jaar=YEAR, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
    )


def _pay(port: int, session: str, invoice: Invoice, bedrag: Decimal, results: list) -> None:
    data = {
        "betaling-datum": timezone.localdate().isoformat(),
        "betaling-bedrag": str(bedrag),
        "betaling-kenmerk": "Afschrift 42",
    }
    try:
        results.append(request(port, "POST", f"/facturen/{invoice.pk}/betalingen/", session=session, data=data))
    except Exception as error:  # noqa: BLE001 - reported by the test
        results.append(error)


def _waiting_on_the_audit_lock(lock: psycopg.Connection, timeout: float = 20) -> int:
    """The pid of the app server's backend once it waits for the audit lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = lock.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory' AND pid <> pg_backend_pid()"
        ).fetchone()
        if row:
            return row[0]
        time.sleep(0.05)
    raise AssertionError("De betaling kwam niet bij de auditlog-stap aan")


def _assert_error_page(response) -> None:
    assert not isinstance(response, Exception), response
    assert response.status == 500
    assert "Er ging iets mis" in response.text
    assert "Er is niets half opgeslagen" in response.text
    assert 'lang="nl"' in response.text
    for leak in ("Traceback", "OperationalError", "psycopg", 'File "', "terminating connection"):
        assert leak not in response.text


def _assert_nothing_written(invoice: Invoice, events_before: int) -> None:
    invoice.refresh_from_db()
    assert not Payment.objects.filter(invoice=invoice).exists()
    assert invoice.status == Invoice.Status.OPEN
    assert AuditEvent.objects.count() == events_before
    assert not AuditEvent.objects.filter(action__in=("invoice.payment", "invoice.status")).exists()
    assert audit.verify_chain() is None


def _assert_next_request_works(port: int, session: str, invoice: Invoice) -> None:
    results = []
    _pay(port, session, invoice, invoice.totaal_incl, results)
    (response,) = results
    assert response.status == 302, response.text[:500]
    assert f"De betaling op {invoice.nummer} is geregistreerd." in response.messages()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.BETAALD
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert AuditEvent.objects.filter(action="invoice.payment").count() == 1
    assert audit.verify_chain() is None


@pytest.mark.parametrize("drop", ["pg_terminate_backend", "tcp-verbinding-verbroken"])
def test_a_dropped_database_connection_gives_the_error_page_and_stores_nothing(drop, open_invoice, directie, tmp_path):
    invoice = open_invoice
    session = session_for(directie)
    events_before = AuditEvent.objects.count()
    proxy = TcpProxy(*database_address()) if drop != "pg_terminate_backend" else None
    env = process_env(
        DATABASE_URL=database_url(port=proxy.port if proxy else None),
        DB_CONN_MAX_AGE=60,  # persistent connections, as in production: the broken one must be replaced
        MEDIA_ROOT=tmp_path / "media",
        CELERY_BROKER_URL="",
    )
    lock = psycopg.connect(database_url(), autocommit=True)
    try:
        with servers(env, tmp_path) as (server,):
            # Warm up: the worker holds a persistent connection before the drop.
            assert request(server.port, "GET", f"/facturen/{invoice.pk}/", session=session).status == 200
            lock.execute("SELECT pg_advisory_lock(%s)", [audit._CHAIN_LOCK_KEY])
            results = []
            paying = threading.Thread(target=_pay, args=(server.port, session, invoice, invoice.totaal_incl, results))
            paying.start()
            backend = _waiting_on_the_audit_lock(lock)
            # The payment row and the new status are written, uncommitted, in that backend now.
            if proxy is None:
                lock.execute("SELECT pg_terminate_backend(%s)", [backend])
            else:
                proxy.cut()
            paying.join(timeout=30)
            if proxy is not None:
                # While the database is unreachable: the health check says so, a page gives the error page.
                health = request(server.port, "GET", "/healthz")
                assert health.status == 503
                assert '"database": "fout: OperationalError"' in health.text
                _assert_error_page(request(server.port, "GET", f"/facturen/{invoice.pk}/", session=session))
                # Let the orphaned backend go on: it must roll back, not commit, without its client.
                lock.execute("SELECT pg_advisory_unlock(%s)", [audit._CHAIN_LOCK_KEY])
                _wait_gone(lock, backend)
                proxy.restore()
            else:
                lock.execute("SELECT pg_advisory_unlock(%s)", [audit._CHAIN_LOCK_KEY])
            (response,) = results
            _assert_error_page(response)
            _assert_nothing_written(invoice, events_before)
            _assert_next_request_works(server.port, session, invoice)
            log = server.log.read_text()
        assert "OperationalError" in log or "terminat" in log.lower() or "connection" in log.lower()
    finally:
        lock.close()
        if proxy is not None:
            proxy.close()


def _wait_gone(lock: psycopg.Connection, pid: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not lock.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            return
        time.sleep(0.05)
    raise AssertionError(f"Backend {pid} bleef bestaan nadat de verbinding was verbroken")

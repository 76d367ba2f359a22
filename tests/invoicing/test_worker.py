"""The contributie run through a real Celery worker on the configured broker
(Redis in CI), not eagerly: the task travels through the broker, the worker
runs it in its own thread with its own database connection."""

import os
import time
from datetime import date
from decimal import Decimal

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.exceptions import ValidationError

from beware.celery import app
from beware.common.audit import Actor
from invoicing import services
from invoicing.models import Batch, ContributionRate, Invoice
from tests.invoicing.test_services import YEAR, billable

# Celery derives the read and write URLs from the configured broker when it
# loads its settings; all three must change for another broker to be used.
BROKER_KEYS = ("broker_url", "broker_read_url", "broker_write_url")


@pytest.fixture
def real_worker(settings):
    """A worker thread on the broker; without a broker configured (a laptop
    without Redis) Kombu's in-memory transport stands in."""
    broker = os.environ.get("CELERY_BROKER_URL") or "memory://"
    if os.environ.get("CI") == "true" and not broker.startswith("redis://"):
        pytest.fail("CI runs this test on Redis: set CELERY_BROKER_URL")
    previous = {key: app.conf[key] for key in (*BROKER_KEYS, "task_always_eager", "result_backend")}
    app.conf.update(dict.fromkeys(BROKER_KEYS, broker), task_always_eager=False, result_backend="cache+memory://")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _forget_connections()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.update(previous)
        _forget_connections()


def _forget_connections():
    # Connections made before the broker URL changed would still point at the old one.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.mark.django_db(transaction=True)
def test_the_contributie_run_goes_through_a_real_worker(directie, real_worker):
    ContributionRate.objects.create(
        jaar=YEAR, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
    )
    for code, inwoners in {"eindhoven": 238_000, "boxtel": 31_000, "woerden": 52_000}.items():
        billable(code, inwoners)
    batch = services.contribution_batch_start(YEAR, by=Actor(user=directie))
    for _ in range(600):  # followed through the database, as the batch page does
        batch.refresh_from_db()
        if batch.status == Batch.Status.KLAAR:
            break
        time.sleep(0.1)
    assert batch.status == Batch.Status.KLAAR
    assert batch.items.filter(uitkomst="aangemaakt").count() == 3
    invoices = Invoice.objects.filter(batch=batch)
    assert sorted(invoices.values_list("totaal_incl", flat=True)) == [
        Decimal("10850.00"),
        Decimal("18200.00"),
        Decimal("83300.00"),
    ]
    assert all(i.pdf_sha256 and i.ubl_sha256 and i.verzonden_op for i in invoices)
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_a_run_started_while_the_broker_is_down_leaves_nothing_and_completes_later(directie, settings):
    """A real unreachable broker (nothing listens on port 1), not a mock."""
    ContributionRate.objects.create(
        jaar=YEAR, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
    )
    billable("eindhoven", 238_000)
    previous = {key: app.conf[key] for key in (*BROKER_KEYS, "task_always_eager")}
    app.conf.update(dict.fromkeys(BROKER_KEYS, "redis://127.0.0.1:1/0"), task_always_eager=False)
    _forget_connections()
    try:
        with pytest.raises(ValidationError, match=r"niet bereikbaar\. Er is niets aangemaakt"):
            services.contribution_batch_start(YEAR, by=Actor(user=directie))
    finally:
        app.conf.update(previous)
        _forget_connections()
    assert not Batch.objects.exists() and not Invoice.objects.exists()
    services.contribution_batch_start(YEAR, by=Actor(user=directie))  # the broker is back (eager here)
    assert Invoice.objects.get().totaal_incl == Decimal("83300.00")

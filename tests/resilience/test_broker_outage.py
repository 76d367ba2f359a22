"""The broker stops during the contributie run (issue 8).

A real Celery worker (a separate process, solo pool, mail written to files)
takes its tasks from Redis through a TCP proxy that the test cuts in the
middle of the run and restores later: the same as Redis going down and
coming back, without touching the machine's Redis. The tasks travel on a
Redis database and queue of the test's own, so no other worker sees them.

Two outages:

- the broker goes away and the worker lives on: the run keeps going (it
  needs only the database), and a finalising done by hand during the
  outage cannot queue its document task ("Taak … niet uitgevoerd; de
  inhaaltaak pakt het op");
- the broker goes away and takes the worker with it (killed while it
  renders an invoice): the run stays *Bezig* and its task unacknowledged.

Then the documented recovery (docs/operations.md, "When the broker is down"
and "Running a contributie run again"): the broker hands the unacknowledged
run out again once a worker is back (the visibility timeout is shortened
from an hour to seconds), the run is requeued by hand with the documented
command, and the catch-up runs with the documented command. Afterwards every
member has exactly one contributie invoice, the numbers are gapless, every
invoice has its PDF and UBL matching their stored hashes, and every invoice
was mailed exactly once."""

import email
import hashlib
import json
import re
import time
import uuid
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from celery.app.task import Task

from beware.celery import app
from beware.common import audit
from beware.common.audit import Actor
from invoicing import services
from invoicing.models import Batch, BatchItem, Charge, ContributionRate, Invoice
from tests.invoicing.test_services import YEAR, billable

from .support import (
    ROOT,
    TcpProxy,
    database_url,
    forget_queue,
    manage,
    needs_postgres,
    needs_redis,
    process_env,
    redis_address,
    start_worker,
    stop,
)

pytestmark = [pytest.mark.postgres, needs_postgres, needs_redis, pytest.mark.django_db(transaction=True)]

MEMBERS = 12
BROKER_DB = 13  # a Redis database of these tests' own: no other worker's unacknowledged tasks
BROKER_KEYS = ("broker_url", "broker_read_url", "broker_write_url")


@pytest.fixture
def broker(settings, monkeypatch, tmp_path):
    """Redis behind a proxy; this process publishes through it to its own queue."""
    host, port, _db = redis_address(settings.CELERY_BROKER_URL)
    proxy = TcpProxy(host, port)
    queue = f"resilience-{uuid.uuid4().hex[:8]}"
    url = f"redis://127.0.0.1:{proxy.port}/{BROKER_DB}"
    previous = {key: app.conf[key] for key in (*BROKER_KEYS, "task_always_eager")}
    app.conf.update(dict.fromkeys(BROKER_KEYS, url), task_always_eager=False)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _forget_connections()
    original = Task.delay
    monkeypatch.setattr(Task, "delay", lambda task, *args, **kwargs: task.apply_async(args, kwargs, queue=queue))
    direct = redis.Redis(host=host, port=port, db=BROKER_DB)
    proxy.queue, proxy.url, proxy.direct = queue, url, direct
    try:
        yield proxy
    finally:
        monkeypatch.setattr(Task, "delay", original)
        app.conf.update(previous)
        _forget_connections()
        proxy.close()
        forget_queue(direct, queue)
        for tag in _unacked_tags(proxy):
            direct.hdel("unacked", tag)
            direct.zrem("unacked_index", tag)
        direct.close()


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def members():
    ContributionRate.objects.create(
        jaar=YEAR, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
    )
    return [billable(f"gemeente{n:02d}", 20_000 + 1_000 * n) for n in range(MEMBERS)]


def _wait(condition, what: str, timeout: float = 30, interval: float = 0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(interval)
    raise AssertionError(f"Wachten op {what} duurde langer dan {timeout} s")


def _worker(broker, tmp_path: Path, settings, name: str):
    env = process_env(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=broker.url,
        RESILIENCE_QUEUE=broker.queue,
        RESILIENCE_MAIL_DIR=tmp_path / "mail",
        RESILIENCE_VISIBILITY_TIMEOUT=3,
        MEDIA_ROOT=settings.MEDIA_ROOT,
    )
    log = tmp_path / f"{name}.log"
    process = start_worker(env, log)
    try:
        _wait(lambda: "ready." in log.read_text(errors="replace"), f"{name} (zie {log})", timeout=30, interval=0.1)
    except AssertionError:
        stop(process)
        raise
    return process, log, env


def _mails(tmp_path: Path) -> Counter:
    """Invoice number → how many e-mails carried it (one file per message)."""
    sent = Counter()
    for path in (tmp_path / "mail").glob("*.log"):
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                subject = email.message_from_string(chunk.strip())["Subject"]
                sent[re.search(r"\d{4}-[FC]-\d{5}", subject).group()] += 1
    return sent


def _assert_all_billed_once(members, batch, tmp_path, extra=0):
    invoices = list(Invoice.objects.order_by("volgnummer"))
    contributie = [i for i in invoices if i.batch_id == batch.pk]
    assert sorted(i.member_id for i in contributie) == sorted(m.pk for m in members)  # each member exactly once
    assert Charge.objects.filter(soort="contributie").count() == MEMBERS
    assert [i.volgnummer for i in invoices] == list(range(1, MEMBERS + extra + 1))  # gapless, no duplicates
    assert len({i.nummer for i in invoices}) == len(invoices)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.KLAAR
    items = BatchItem.objects.filter(batch=batch)
    assert items.count() == MEMBERS and set(items.values_list("uitkomst", flat=True)) == {"aangemaakt"}
    for invoice in invoices:
        assert invoice.status != Invoice.Status.CONCEPT
        assert invoice.pdf and invoice.ubl, invoice.nummer
        with invoice.pdf.open("rb") as pdf, invoice.ubl.open("rb") as ubl:
            assert hashlib.sha256(pdf.read()).hexdigest() == invoice.pdf_sha256
            assert hashlib.sha256(ubl.read()).hexdigest() == invoice.ubl_sha256
        assert invoice.verzonden_op is not None, invoice.nummer
    assert _mails(tmp_path) == {i.nummer: 1 for i in invoices}  # every invoice mailed, exactly once
    assert audit.verify_chain() is None


def _runs(log: Path) -> int:
    """How many times the worker finished a contributie run."""
    return len(re.findall(r"run_contribution_batch\[[^\]]+\] succeeded", log.read_text(errors="replace")))


def _unacked_tags(broker) -> list[bytes]:
    """Delivery tags of this test's tasks that were handed out and not
    acknowledged (kombu keeps them in the hash `unacked`, with their routing key)."""
    return [tag for tag, entry in broker.direct.hgetall("unacked").items() if json.loads(entry)[-1] == broker.queue]


def _idle(broker) -> bool:
    """Nothing queued and nothing handed out unacknowledged (acks_late: a task being run is unacknowledged)."""
    return not broker.direct.llen(broker.queue) and not _unacked_tags(broker)


def _documented_catch_up(env) -> str:
    """docs/operations.md: 'To catch up at once'."""
    text = (ROOT / "docs" / "operations.md").read_text()
    command = re.search(r'python manage\.py shell -c "(from invoicing\.tasks import catch_up;[^"]*)"', text).group(1)
    result = manage(env, "shell", "-c", command)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]  # after Django 5.2's "N objects imported automatically"


def _documented_requeue(env, batch) -> None:
    """docs/operations.md: 'requeue this one'."""
    text = (ROOT / "docs" / "operations.md").read_text()
    command = re.search(
        r'python manage\.py shell -c "(from invoicing\.tasks import run_contribution_batch;[^"]*)"', text
    )
    result = manage(env, "shell", "-c", command.group(1).replace("RUN_ID", str(batch.pk)))
    assert result.returncode == 0, result.stderr


def test_the_broker_goes_away_mid_run_and_the_worker_lives_on(members, broker, directie, tmp_path, settings, caplog):
    boss = Actor(user=directie)
    worker, log, env = _worker(broker, tmp_path, settings, "worker")
    try:
        batch = services.contribution_batch_start(YEAR, by=boss)
        _wait(lambda: Invoice.objects.filter(batch=batch).count() >= 3, "de eerste facturen van de run")
        broker.cut()
        # During the outage the directie finalises an invoice by hand: it stands, its task is not queued.
        charge, _ = services.charge_get_or_create(
            member=members[0], soort="jaarkosten", bron="handmatig:1", bedrag=Decimal("99.00"), omschrijving="Post"
        )
        draft = services.invoice_draft(members[0], [charge], by=boss, omschrijving="Handmatig", kenmerk_jaar=YEAR)
        services.invoice_finalise(draft, by=boss)
        assert "niet uitgevoerd; de inhaaltaak pakt het op" in caplog.text
        _wait(lambda: Batch.objects.get(pk=batch.pk).status == Batch.Status.KLAAR, "het einde van de run")
        broker.restore()

        # Recovery as documented: requeue the run (harmless) and catch up at once.
        _documented_requeue(env, batch)
        _wait(lambda: _runs(log) >= 2 and _idle(broker), "de opnieuw aangeboden run")
        assert _documented_catch_up(env) == "1"  # the invoice finalised by hand during the outage
        _wait(lambda: _idle(broker), "de worker die alles heeft bevestigd", timeout=15)
    finally:
        stop(worker)
    assert "Connection to broker lost" in log.read_text()  # the worker did see the outage
    _assert_all_billed_once(members, batch, tmp_path, extra=1)


def test_the_broker_goes_away_mid_run_and_takes_the_worker_with_it(members, broker, directie, tmp_path, settings):
    boss = Actor(user=directie)
    worker, log, env = _worker(broker, tmp_path, settings, "worker-1")
    try:
        batch = services.contribution_batch_start(YEAR, by=boss)
        _wait(lambda: Invoice.objects.filter(batch=batch).count() >= 4, "de eerste facturen van de run")
        broker.cut()
        stop(worker, sig=9)  # killed while it renders the fourth member's invoice
    finally:
        stop(worker)
    batch.refresh_from_db()
    assert batch.status == Batch.Status.BEZIG
    done = Invoice.objects.filter(batch=batch).count()
    assert 4 <= done < MEMBERS
    assert len(_unacked_tags(broker)) == 1  # the run's task, not acknowledged
    task_id = re.search(r"run_contribution_batch\[([^\]]+)\] received", log.read_text()).group(1)

    broker.restore()
    worker, log, env = _worker(broker, tmp_path, settings, "worker-2")
    try:
        # The broker hands the unacknowledged run out again; it continues with the members not done.
        _wait(lambda: Batch.objects.get(pk=batch.pk).status == Batch.Status.KLAAR, "de hervatte run", timeout=40)
        assert f"run_contribution_batch[{task_id}] succeeded" in log.read_text()  # the same task, redelivered
        # The documented recovery on top of it changes nothing twice.
        _documented_requeue(env, batch)
        _wait(lambda: _runs(log) >= 2 and _idle(broker), "de opnieuw aangeboden run")
        unsent = Invoice.objects.filter(verzonden_op__isnull=True).count()  # the one rendering when killed
        assert _documented_catch_up(env) == str(unsent)
    finally:
        stop(worker)
    _assert_all_billed_once(members, batch, tmp_path)

"""A backup made and restored exactly as docs/operations.md says (issue 8).

The shell commands are read from the "Backup and restore" section of
docs/operations.md and run as written (only the placeholders HOST, USER, the
database name and the example date are filled in), so the test fails when
the procedure stops working. The restored database is a fresh one; the
media files go into an empty directory. Then the portal runs on the restore:
the same counts, the audit chain verifies (`manage.py verify_audit`), the
invoice files match their stored hashes (the check in the "Integrity of an
invoice" section), and gunicorn serves an invoice page and its PDF."""

import hashlib
import re
import subprocess
import sys
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.utils import timezone

from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance import services as governance
from governance.models import Ballot
from invoicing import services
from invoicing.models import ContributionRate, Invoice, Payment
from membership.models import Member
from tests.invoicing.test_services import YEAR, billable

from .support import (
    ROOT,
    database_address,
    database_url,
    manage,
    needs_postgres,
    process_env,
    request,
    seed_voters,
    servers,
    session_for,
)

pytestmark = [pytest.mark.postgres, needs_postgres, pytest.mark.django_db(transaction=True)]

COUNTED = {
    "leden": Member,
    "facturen": Invoice,
    "betalingen": Payment,
    "auditregels": AuditEvent,
    "stemmen": Ballot,
}


def documented_commands() -> tuple[str, str, str]:
    """The backup, restore and verify commands of docs/operations.md."""
    text = (ROOT / "docs" / "operations.md").read_text()
    section = text.split("## Backup and restore", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    parts = re.split(r"^# (backup|restore|point DATABASE_URL)[^\n]*\n", block, flags=re.M)
    steps = dict(zip(parts[1::2], parts[2::2], strict=True))
    return steps["backup"], steps["restore"], steps["point DATABASE_URL"]


def _shell(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{script}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    return result


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            label: conn.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]  # noqa: S608
            for label, model in COUNTED.items()
        }


@pytest.fixture
def portal_state(directie):
    """Members, invoices with their files, a payment, a credit note and an ALV
    poll with votes, all through the services (so all in the audit log)."""
    boss = Actor(user=directie)
    ContributionRate.objects.create(
        jaar=YEAR, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV", besluitdatum=date(YEAR - 1, 12, 1)
    )
    for code, inwoners in {"eindhoven": 238_000, "boxtel": 31_000, "woerden": 52_000}.items():
        billable(code, inwoners)
    batch = services.contribution_batch_start(YEAR, by=boss)  # eager: invoices, files and mails
    invoices = list(Invoice.objects.filter(batch=batch).order_by("nummer"))
    assert len(invoices) == 3 and all(i.pdf for i in invoices)
    services.payment_register(invoices[0], by=boss, datum=timezone.localdate(), bedrag=invoices[0].totaal_incl)
    first_line = invoices[1].lines.first()
    note = services.credit_note_create(
        invoices[1],
        by=boss,
        reden="Inwonertal gecorrigeerd",
        regels=[
            services.CreditLine("Correctie", Decimal("100.00"), first_line.btw_categorie, first_line.btw_percentage)
        ],
    )
    services.invoice_finalise(note, by=boss)
    people, poll = seed_voters(4, prefix="stemmer")
    for member, user, voter in people[:3]:
        governance.ballot_cast(by=Actor(user=user, member=member), poll=poll, voter=voter, keuze="voor")
    return invoices


def test_a_documented_backup_restores_into_a_fresh_database_and_the_portal_runs_on_it(portal_state, directie, tmp_path):
    session = session_for(directie)  # in the database, so in the backup
    source_url = database_url()
    source_media = Path(settings.MEDIA_ROOT)
    assert any((source_media / "facturen").iterdir())
    before = _counts(source_url)
    assert before["stemmen"] == 3 and before["facturen"] == 4 and before["betalingen"] == 1

    backup, restore, verify = documented_commands()
    host, port = database_address()
    restored_name = f"beware_restore_{uuid.uuid4().hex[:8]}"
    restored_url = f"postgres://postgres@{host}:{port}/{restored_name}"
    workdir = tmp_path / "backup"
    workdir.mkdir()
    fresh_media = tmp_path / "hersteld" / "media"  # a fresh machine: not there yet
    today = f"{date.today():%Y-%m-%d}"
    restore = (
        restore.replace("HOST:5432", f"{host}:{port}")
        .replace("-h HOST", f"-h {host} -p {port}")
        .replace("USER", "postgres")
        .replace("beware_restore", restored_name)
        .replace("2026-01-31", today)
    )
    try:
        _shell(backup, workdir, process_env(DATABASE_URL=source_url, MEDIA_ROOT=source_media))
        _shell(restore, workdir, process_env(DATABASE_URL=restored_url, MEDIA_ROOT=fresh_media))

        env = process_env(DATABASE_URL=restored_url, MEDIA_ROOT=fresh_media, CELERY_BROKER_URL="")
        assert _counts(restored_url) == before
        checked = _shell(verify.replace("python ", f"{sys.executable} ", 1), ROOT, env)  # verify_audit
        assert f"Het auditlog is intact ({before['auditregels']} regels)." in checked.stdout

        # The files came back byte for byte: the integrity check of the invoice files.
        integrity = (ROOT / "docs" / "operations.md").read_text().split("To check every file", 1)[1]
        script = re.search(r'manage\.py shell -v0 -c "\n(.*?)\n"', integrity, re.S).group(1)
        files = manage(env, "shell", "-v0", "-c", script)
        assert files.returncode == 0 and files.stdout == "", files.stdout + files.stderr

        with servers(env, tmp_path) as (server,):
            invoice = portal_state[0]
            page = request(server.port, "GET", f"/facturen/{invoice.pk}/", session=session)
            assert page.status == 200
            assert invoice.nummer in page.text
            pdf = request(server.port, "GET", f"/facturen/{invoice.pk}/pdf/", session=session)
            assert pdf.status == 200
            assert hashlib.sha256(pdf.body).hexdigest() == invoice.pdf_sha256
            health = request(server.port, "GET", "/healthz")
            assert health.status == 200
    finally:
        with psycopg.connect(database_url().rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')

"""Benchmark: the contributie run for N members against bare WeasyPrint
rendering of the same invoice HTML N times, in the same run on the same
machine. Target: the run takes at most 1.3× the bare rendering.

    .venv/bin/python bench/invoices.py [--members 342]

Runs on a throw-away test database (PostgreSQL when DATABASE_URL is set,
in-memory SQLite otherwise), e-mail to memory."""

import argparse
import json
import os
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beware.settings.test")
TARGET = 1.3


def setup_database():
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def seed(count: int, jaar: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from beware.accounts.roles import StaffRole, ensure_role_groups
    from beware.common.audit import Actor
    from invoicing.models import ContributionRate
    from membership.models import Contact, Factuurkenmerk, Gemeente, Inwonertal, Member, Representation

    ensure_role_groups()
    user = get_user_model().objects.create_user(email="directie@bench.example", password=None)
    user.groups.add(Group.objects.get(name=StaffRole.DIRECTIE))
    ContributionRate.objects.create(
        jaar=jaar, bedrag_per_inwoner=Decimal("0.35"), besluit="ALV (benchmark)", besluitdatum=date(jaar - 1, 12, 1)
    )
    for n in range(count):
        gemeente = Gemeente.objects.create(code=f"GM{n:04d}", naam=f"Gemeente {n}")
        Inwonertal.objects.create(gemeente=gemeente, jaar=jaar, aantal=10_000 + 937 * n)
        member = Member.objects.create(
            code=f"lid-{n}",
            naam=f"Gemeente {n}",
            soort="gemeente",
            status="actief",
            ingangsdatum=date(2019, 1, 1),
            oin=f"00000001{n:09d}000",
            adres=f"Raadhuisplein {n}",
            postcode="1234 AB",
            plaats=f"Plaats {n}",
        )
        Representation.objects.create(member=member, gemeente=gemeente, geldig_van=date(2017, 1, 1))
        Factuurkenmerk.objects.create(member=member, jaar=jaar, kenmerk=f"INK-{jaar}-{n}")
        Contact.objects.create(member=member, naam="Financiën", email=f"fin{n}@bench.example", rol="financieel")
    return Actor(user=user)


def settle_database():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=342)
    args = parser.parse_args()
    setup_database()

    from django.conf import settings
    from weasyprint import HTML

    from invoicing import selectors, services
    from invoicing.documents import render_invoice_pdf
    from invoicing.models import Batch, BatchItem

    jaar = 2026
    by = seed(args.members, jaar)

    # Warm up both paths once (fonts, template loading) so neither pays it,
    # and let PostgreSQL write out the seeding first, so a checkpoint does
    # not land in the middle of the run.
    HTML(string="<p>warm</p>", base_url=str(settings.BASE_DIR)).write_pdf()
    settle_database()

    # The machine is shared and its speed drifts by tens of percents within a
    # minute. So the bare rendering runs interleaved with the run: right
    # after the run has finished a member, its invoice HTML is rendered bare
    # once, and that time is taken out of the run's clock. Both see the same
    # conditions.
    bare = {"seconds": 0.0, "excluded": 0.0, "count": 0}
    finish_member = services._render_and_send_quietly

    def finish_member_then_render_bare(invoice):
        finish_member(invoice)
        paused = time.perf_counter()
        html = render_invoice_pdf(selectors.invoice_data(invoice)).html
        started = time.perf_counter()
        HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
        bare["seconds"] += time.perf_counter() - started
        bare["excluded"] += time.perf_counter() - paused
        bare["count"] += 1

    services._render_and_send_quietly = finish_member_then_render_bare
    batch = Batch.objects.create(soort=Batch.Kind.CONTRIBUTIE, jaar=jaar, gestart_door=by.user, totaal=args.members)
    started = time.perf_counter()
    services.contribution_batch_run(batch)
    batch_seconds = time.perf_counter() - started - bare["excluded"]
    services._render_and_send_quietly = finish_member
    created = BatchItem.objects.filter(batch=batch, uitkomst="aangemaakt").count()
    if created != args.members or bare["count"] != args.members:
        sys.exit(f"De run maakte {created} van {args.members} facturen; zie de redenen in BatchItem.")
    bare_seconds = bare["seconds"]

    ratio = batch_seconds / bare_seconds
    print(f"Contributierun, {args.members} leden (PDF + UBL + opslag + e-mail): {batch_seconds:8.2f} s")
    print(f"Kale WeasyPrint-rendering van dezelfde HTML, {bare['count']}×:        {bare_seconds:8.2f} s")
    print(f"Verhouding run / kale rendering: {ratio:.2f} (doel ≤ {TARGET})  {'OK' if ratio <= TARGET else 'TE TRAAG'}")
    summary = {
        "bench": "invoices",
        "database": connection_description(),
        "members": args.members,
        "run_s": round(batch_seconds, 1),
        "bare_s": round(bare_seconds, 1),
        "ratio": round(ratio, 2),
        "target": TARGET,
        "met": ratio <= TARGET,
    }
    print("BENCH-RESULT " + json.dumps(summary), flush=True)  # collected by bench/run.py
    return ratio


def connection_description() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return "SQLite (in memory)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"


if __name__ == "__main__":
    main()

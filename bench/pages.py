"""Benchmark: the portal's main pages at national scale (`seed_demo --scale
national`: ~342 gemeenten, ~300 members, 100 communities, 3 years of
invoices) against the same pages at the founding scale (`seed_demo`: 11
gemeenten, 11 members, 10 communities), in one run on the same machine.
Target (issue 8): server time at most 2× for ~30× the data, at p50 and p95;
and the number of database queries per page, which should not grow with the
data at all.

    .venv/bin/python bench/pages.py [--requests 40] [--workers 2]

Set-up: two throw-away test databases (PostgreSQL when DATABASE_URL is set,
otherwise SQLite files, because the servers run in other processes), each
filled by a subprocess (in parallel) through the real services exactly as
`seed_demo` fills them. At the founding scale the ALV poll on the begroting is
opened the way the README's demo does it (proxy approved, Eindhoven and
Woerden checked in), so both scales have an open poll with a ballot for
Eindhoven; at national scale that is the national ALV's open poll with ~300
voters. The query count of every page is taken in that subprocess with
Django's CaptureQueriesContext around a test-client GET (after one warm-up
GET), logged in as the same user.

Measured: one gunicorn per scale (sync workers, beware.settings.test,
persistent connections as in production), both running at once; each user
logs in through the real login page, staff with the demo TOTP code computed
from the demo secret. Then every page is fetched sequentially, one request
at a time, alternating between the scales (which goes first alternates too),
so a drift in the machine's speed hits both alike. The time is the client's
wall time per request on 127.0.0.1 (no concurrency: server time plus a
loopback round trip).

Pages: the member register (/leden/, as the directie), the catalogue
(/communities/, as eindhoven@), the CORV community page (as eindhoven@; at
national scale it has a dozen late joiners), the invoice list (/facturen/, as
the directie) and the open ALV poll (as eindhoven@)."""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beware.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")
TARGET = 2.0
SCALES = ("founding", "national")
STAFF = "directeur@beware.demo"
MEMBER = "eindhoven@beware.demo"
# name, user, path (the poll's path is filled in per scale)
PAGES = [
    ("ledenregister", STAFF, "/leden/"),
    ("catalogus", MEMBER, "/communities/"),
    ("communitypagina (CORV)", MEMBER, "/communities/corv/"),
    ("factuurlijst", STAFF, "/facturen/"),
    ("stemmingspagina", MEMBER, "/governance/stemmingen/{poll}/"),
]


# --- preparing one scale (runs in a subprocess) ---------------------------------------


def prepare(scale: str) -> dict:
    """A fresh test database for `scale`, seeded as seed_demo does; returns its
    URL, what it is, the open poll and each page's query count."""
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    if connection.vendor == "sqlite":
        path = Path(tempfile.gettempdir()) / f"beware-bench-pages-{scale}.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_pages_{scale}"
    original = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)

    from django.core.management import call_command

    from beware.common import demo_national

    started = time.monotonic()
    os.environ["BEWARE_ALLOW_DEMO"] = "1"
    with open(os.devnull, "w") as quiet, demo_national.documents_deferred():
        call_command("seed_demo", stdout=quiet)
    if scale == "national":
        demo_national.seed_national()
    seeded = time.monotonic() - started
    poll = open_poll(scale)
    queries = count_queries(poll)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
        parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
        url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            database = f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    else:
        url, database = f"sqlite:///{name}", "SQLite (bestand)"
    connection.close()
    return {
        "scale": scale,
        "url": url,
        "name": name,
        "original": original,
        "database": database,
        "poll": poll,
        "queries": queries,
        "seconds": seeded,
        "size": sizes(),
    }


def open_poll(scale: str) -> int:
    """The open ALV poll in which Eindhoven has a ballot. At the founding scale
    the README's voting demo opens it: the secretary approves the proxy,
    checks in Eindhoven and Woerden and opens the poll on the begroting."""
    from beware.common.audit import Actor
    from governance import services
    from governance.models import Poll, Proxy
    from membership.models import Member

    if scale == "national":
        return Poll.objects.get(status=Poll.Status.OPEN, agenda_item__meeting__titel__contains="landelijk").pk
    from beware.accounts.models import User

    secretaris = Actor(user=User.objects.get(email="secretaris@beware.demo"))
    poll = Poll.objects.get(status=Poll.Status.CONCEPT, agenda_item__meeting__titel__contains="najaar")
    meeting = poll.agenda_item.meeting
    for proxy in Proxy.objects.filter(meeting=meeting, status=Proxy.Status.AANGEVRAAGD):
        services.proxy_decide(by=secretaris, proxy=proxy, approve=True)
    for code in ("eindhoven", "woerden"):
        services.attendance_check_in(by=secretaris, meeting=meeting, member=Member.objects.get(code=code))
    return services.poll_open(by=secretaris, poll=poll).pk


def count_queries(poll: int) -> dict[str, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from beware.accounts.models import User

    counts = {}
    clients = {}
    for name, email, path in PAGES:
        if email not in clients:
            clients[email] = Client()
            clients[email].force_login(User.objects.get(email=email))
        client, url = clients[email], path.format(poll=poll)
        client.get(url)  # warm-up: sessions, caches, templates
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} als {email}: HTTP {response.status_code}")
        counts[name] = len(captured)
    return counts


def sizes() -> dict[str, int]:
    from communities.models import Community, Participation
    from invoicing.models import Invoice
    from membership.models import Gemeente, Member

    return {
        "gemeenten": Gemeente.objects.count(),
        "leden": Member.objects.count(),
        "communities": Community.objects.count(),
        "deelnames": Participation.objects.count(),
        "facturen": Invoice.objects.count(),
    }


def drop(info: dict) -> None:
    import django
    from django.db import connection

    django.setup()
    connection.settings_dict["NAME"] = info["name"]
    connection.creation.destroy_test_db(info["original"], verbosity=0)


# --- measuring (the main process) -----------------------------------------------------

_last_totp_window: dict[str, int] = {}


def totp_code(email: str) -> str:
    """The authenticator app's current code for the demo secret. A code is
    accepted once: the same user logging in on the other server waits for the
    next 30-second window (the used-code cache may be shared through Redis)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    from membership.demo import DEMO_TOTP_SECRET

    if 30 - time.time() % 30 < 3:  # still valid when the server checks it
        time.sleep(30 - time.time() % 30)
    while int(time.time()) // 30 == _last_totp_window.get(email):
        time.sleep(30 - time.time() % 30 + 0.1)
    window = int(time.time()) // 30
    _last_totp_window[email] = window
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, window))


def log_in(base: str, email: str):
    """The real login page, then allauth's second step for staff."""
    import re

    import requests

    from membership.demo import DEMO_PASSWORD

    session = requests.Session()
    page = session.get(f"{base}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": DEMO_PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    if "/accounts/2fa/authenticate/" in response.url:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text).group(1)
        response = session.post(
            response.url,
            data={"csrfmiddlewaretoken": token, "code": totp_code(email)},
            headers={"Referer": response.url},
        )
    if "/accounts/" in response.url or response.status_code != 200:
        raise RuntimeError(f"Inloggen als {email} op {base} mislukt: {response.status_code} {response.url}")
    return session


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run_subprocess(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60, help="gemeten verzoeken per pagina per schaal")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per server")
    parser.add_argument("--prepare", choices=SCALES, help=argparse.SUPPRESS)
    parser.add_argument("--drop", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.prepare)), flush=True)
        return None
    if args.drop:
        drop(json.loads(args.drop))
        return None

    import django

    django.setup()  # settings for allauth's TOTP functions; this process does not touch a database
    from votes import free_port, start_server  # the same server start as bench/votes.py

    print("Voorbereiden: twee testdatabases vullen (oprichting en landelijk) via seed_demo ...", flush=True)
    started = time.monotonic()
    workers = {scale: run_subprocess(["--prepare", scale]) for scale in SCALES}
    infos = {}
    for scale, process in workers.items():
        out, _ = process.communicate()
        if process.returncode:
            sys.exit(f"Voorbereiden van {scale} mislukt (code {process.returncode}).")
        infos[scale] = json.loads(out.strip().splitlines()[-1])
    print(
        f"  klaar in {time.monotonic() - started:.0f} s (landelijk zaaien {infos['national']['seconds']:.0f} s, "
        f"oprichting {infos['founding']['seconds']:.0f} s, tegelijk)",
        flush=True,
    )
    for scale in SCALES:
        print(f"  {scale:9}: " + ", ".join(f"{v} {k}" for k, v in infos[scale]["size"].items()), flush=True)

    servers, logs, bases = {}, {}, {}
    try:
        for scale in SCALES:
            port = free_port()
            logs[scale] = tempfile.NamedTemporaryFile(  # noqa: SIM115
                "w+", prefix=f"beware-bench-pages-{scale}-", suffix=".log", delete=False
            )
            servers[scale] = start_server(infos[scale]["url"], args.workers, port, logs[scale])
            bases[scale] = f"http://127.0.0.1:{port}"
        sessions = {scale: {email: log_in(bases[scale], email) for email in (STAFF, MEMBER)} for scale in SCALES}
        urls = {scale: [path.format(poll=infos[scale]["poll"]) for _, _, path in PAGES] for scale in SCALES}

        def fetch(scale: str, index: int) -> float:
            _name, email, _path = PAGES[index]
            url = bases[scale] + urls[scale][index]
            begin = time.perf_counter()
            response = sessions[scale][email].get(url, allow_redirects=False)
            seconds = time.perf_counter() - begin
            if response.status_code != 200:
                raise RuntimeError(f"{url}: HTTP {response.status_code} (zie {logs[scale].name})")
            return seconds

        for _ in range(3):  # warm every worker's templates and connections, untimed
            for index in range(len(PAGES)):
                for scale in SCALES:
                    fetch(scale, index)
        times = {scale: [[] for _ in PAGES] for scale in SCALES}
        for round_number in range(args.requests):
            order = SCALES if round_number % 2 == 0 else tuple(reversed(SCALES))
            for index in range(len(PAGES)):
                for scale in order:
                    times[scale][index].append(fetch(scale, index))
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)

    database = infos["national"]["database"]
    print(
        f"\nPagina's, landelijk vs. oprichting; {args.requests} verzoeken per pagina per schaal, één tegelijk; "
        f"gunicorn met {args.workers} sync workers per schaal; {database}"
    )
    header = (
        f"{'pagina':24} {'p50 klein':>9} {'p50 NL':>8} {'ratio':>6} {'p95 klein':>9} {'p95 NL':>8} {'ratio':>6}"
        f" {'queries klein/NL':>17}"
    )
    print(header)
    rows = []
    worst = 0.0
    for index, (name, _email, _path) in enumerate(PAGES):
        small, big = times["founding"][index], times["national"][index]
        p50s, p50n, p95s, p95n = (
            percentile(small, 50),
            percentile(big, 50),
            percentile(small, 95),
            percentile(big, 95),
        )
        qs, qn = infos["founding"]["queries"][name], infos["national"]["queries"][name]
        r50, r95 = p50n / p50s, p95n / p95s
        worst = max(worst, r50, r95)
        print(
            f"{name:24} {p50s * 1000:7.1f}ms {p50n * 1000:6.1f}ms {r50:6.2f} {p95s * 1000:7.1f}ms {p95n * 1000:6.1f}ms "
            f"{r95:6.2f} {qs:>8} / {qn:<6}"
        )
        rows.append(
            {
                "page": name,
                "p50_small_ms": round(p50s * 1000, 1),
                "p50_national_ms": round(p50n * 1000, 1),
                "p50_ratio": round(r50, 2),
                "p95_small_ms": round(p95s * 1000, 1),
                "p95_national_ms": round(p95n * 1000, 1),
                "p95_ratio": round(r95, 2),
                "queries_small": qs,
                "queries_national": qn,
            }
        )
    met = worst <= TARGET
    print(f"Slechtste verhouding: {worst:.2f} (doel ≤ {TARGET:g}×)  {'OK' if met else 'TE TRAAG'}")
    print(
        "BENCH-RESULT "
        + json.dumps(
            {
                "bench": "pages",
                "database": database,
                "rows": rows,
                "worst_ratio": round(worst, 2),
                "target": TARGET,
                "met": met,
                "sizes": {s: infos[s]["size"] for s in SCALES},
                "seed_seconds_national": round(infos["national"]["seconds"]),
            }
        ),
        flush=True,
    )
    for scale in SCALES:
        dropper = run_subprocess(["--drop", json.dumps(infos[scale])])
        dropper.communicate()
        os.unlink(logs[scale].name)
    return worst


if __name__ == "__main__":
    main()

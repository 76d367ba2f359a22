"""Benchmark: N voters (342 by default) cast their ballot over HTTP at the
same moment against a real server, against the same server's rate for a
trivial authenticated POST, in the same run. Target (issue 8): votes at
least 0.5× the rate of the trivial POST. Afterwards every accepted vote
must be stored exactly once: lost = accepted − stored, duplicates =
stored − distinct voters; the script exits non-zero unless both are 0 and
every voter's ballot was accepted.

    .venv/bin/python bench/votes.py [--voters 342] [--workers 3] [--rounds 3]

The set-up, as bench/invoices.py: a throw-away test database (PostgreSQL
when DATABASE_URL is set, as `make bench` runs in CI; otherwise an SQLite
file, because the server runs in other processes), filled through the
real services: N active members, each with a user who is its ALV
representative, and one open written ALV poll (alv-schriftelijk, with a
deadline, so no attendance is needed) per round. The server is gunicorn
with sync workers (3, as `make serve`'s default WEB_CONCURRENCY), on
beware.settings.test against that database, with persistent database
connections as in production (DB_CONN_MAX_AGE=60).

Log-in: every user gets a session created in the database by Django's
force-login (django.test.Client.force_login: the session the login page
would give, without the password check). The login page itself would
allow only 30 log-ins a minute from one address (ACCOUNT_RATE_LIMITS), so
342 real log-ins would take 12 minutes. Each voter then opens the poll
page over HTTP (untimed) to get the CSRF cookie and the form's token, and
its ballot form is checked to be there. Both measured POSTs carry that
session cookie, CSRF cookie and token, and pass the same middleware.

The measured requests: all N ballots (POST governance:poll_vote, "voor")
released at once by a barrier, each voter on its own connection; and the
baseline, N POSTs at once of the member switch (/wissel-lid/, the voter's
own member: login_required, a session write, a message and a redirect,
like the vote). The machine's speed drifts, so the two alternate in
rounds (votes first in one round, the baseline first in the next), each
round on a fresh poll; the totals are compared. Acceptance is read from
the message the view sets (Django's signed messages cookie), because both
success and refusal redirect."""

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beware.settings.test")
os.environ.setdefault("LOG_LEVEL", "WARNING")  # not every eager task of the set-up
TARGET = 0.5
HOST = "127.0.0.1"
TRIVIAL_POST = "/wissel-lid/"


# --- database and data ---------------------------------------------------------------


def setup_database() -> tuple[str, str, str]:
    """A fresh test database; returns its URL for the server, what it is, and
    the configured database's name (to drop the test database afterwards)."""
    import django
    from django.db import connection
    from django.test.utils import setup_test_environment

    django.setup()
    setup_test_environment()
    if connection.vendor == "sqlite":
        # In-memory SQLite is private to one process: the server needs a file.
        path = Path(tempfile.gettempdir()) / "beware-bench-votes.sqlite3"
        connection.settings_dict["TEST"]["NAME"] = str(path)
    else:  # its own database, apart from bench/invoices.py's
        connection.settings_dict["TEST"]["NAME"] = f"test_{connection.settings_dict['NAME']}_votes"
    original_name = connection.settings_dict["NAME"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}", "SQLite (bestand)", original_name
    parts = urllib.parse.urlsplit(os.environ["DATABASE_URL"])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0].split()[0]
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}")), f"PostgreSQL {version}", original_name


def seed(count: int, polls: int):
    """`count` active members, each with an ALV representative, through the
    real services; `polls` open written ALV polls. Returns the users (with
    their member) and the polls."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from beware.accounts.roles import ensure_role_groups
    from beware.common.audit import Actor
    from governance import services as governance
    from membership import services as membership
    from membership.models import Member, MemberRole

    ensure_role_groups()
    system = Actor.system()
    alv = governance.ensure_statutory_bodies()["alv"]
    users = []
    for n in range(count):
        member = Member.objects.create(
            code=f"lid-{n}",
            naam=f"Gemeente {n:03d}",
            soort="gemeente",
            status="actief",
            ingangsdatum=date(2019, 1, 1),
        )
        user = get_user_model().objects.create_user(
            email=f"vertegenwoordiger{n}@bench.example", password=None, first_name="Vertegenwoordiger", last_name=str(n)
        )
        membership.member_role_grant(user, member, MemberRole.Role.ALV_VERTEGENWOORDIGER, by=system)
        user.bench_member = member
        users.append(user)
    deadline = timezone.now() + timedelta(days=1)
    opened = []
    for n in range(polls):
        poll = governance.poll_create(
            by=system, body=alv, vraag=f"Benchmarkbesluit {n}", regel="alv-schriftelijk", deadline=deadline
        )
        opened.append(governance.poll_open(by=system, poll=poll))
    return users, opened


def force_login(users) -> dict[int, str]:
    """A session in the database per user, as the login page would leave it."""
    from django.conf import settings
    from django.test import Client

    sessions = {}
    for user in users:
        client = Client()
        client.force_login(user)
        sessions[user.pk] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return sessions


def voters_by_member(polls) -> dict[int, dict[int, int]]:
    """poll pk → member pk → the member's entry in the frozen electorate."""
    from governance.models import PollVoter

    mapping = {poll.pk: {} for poll in polls}
    for poll_id, member_id, voter_id in PollVoter.objects.filter(poll__in=polls).values_list("poll", "member", "pk"):
        mapping[poll_id][member_id] = voter_id
    return mapping


def settle_database():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


# --- the server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_server(database_url: str, workers: int, port: int, log) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
        DATABASE_URL=database_url,
        DB_CONN_MAX_AGE="60",
        LOG_LEVEL="WARNING",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "beware.wsgi",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"De server stopte meteen (code {server.returncode}); zie {log.name}.")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"De server kwam niet op binnen 60 s; zie {log.name}.")


# --- HTTP ----------------------------------------------------------------------------


@dataclass
class Voter:
    user_id: int
    member_id: int
    session: str
    csrf_cookie: str = ""
    csrf_token: str = ""

    def headers(self, port: int) -> dict[str, str]:
        return {
            "Host": f"{HOST}:{port}",
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Connection": "close",
        }


@dataclass
class Result:
    status: int = 0
    messages: list = field(default_factory=list)  # (level, text)
    seconds: float = 0.0
    error: str = ""


def _messages(response) -> list[tuple[int, str]]:
    """The messages the view set, from Django's signed messages cookie."""
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    found = []
    for header in response.msg.get_all("Set-Cookie") or []:
        cookie = SimpleCookie(header)
        if CookieStorage.cookie_name in cookie:
            decoded = CookieStorage(HttpRequest())._decode(cookie[CookieStorage.cookie_name].value) or []
            found += [(m.level, str(m.message)) for m in decoded]
    return found


def _request(port: int, method: str, path: str, headers: dict, body: str = ""):
    conn = http.client.HTTPConnection(HOST, port, timeout=300)
    try:
        conn.request(method, path, body=body.encode() if body else None, headers=headers)
        response = conn.getresponse()
        content = response.read()
        return response, content
    finally:
        conn.close()


def fetch_csrf(voter: Voter, port: int, poll_pk: int, voter_pk: int) -> None:
    """Open the poll page as the voter would: the CSRF cookie and token, and
    the ballot form for its own entry must be there."""
    headers = voter.headers(port)
    headers["Cookie"] = f"sessionid={voter.session}"
    response, content = _request(port, "GET", f"/governance/stemmingen/{poll_pk}/", headers)
    html = content.decode()
    if response.status != 200 or f'action="/governance/stemmingen/{poll_pk}/stem/{voter_pk}/"' not in html:
        raise RuntimeError(f"Geen stemformulier voor gebruiker {voter.user_id} (HTTP {response.status})")
    cookies = SimpleCookie()
    for header in response.msg.get_all("Set-Cookie") or []:
        cookies.load(header)
    voter.csrf_cookie = cookies["csrftoken"].value
    voter.csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def fire(port: int, requests: list[tuple[str, dict, str]]) -> tuple[float, list[Result]]:
    """Send every POST at the same moment, each on its own connection (one
    thread per voter, released by a barrier); the wall-clock time from the
    release to the last response, and each request's result."""
    results = [Result() for _ in requests]
    barrier = threading.Barrier(len(requests) + 1)

    def send(index: int, path: str, headers: dict, body: str):
        result = results[index]
        barrier.wait()
        started = time.perf_counter()
        try:
            response, _content = _request(port, "POST", path, headers, body)
            result.status = response.status
            result.messages = _messages(response)
        except (OSError, http.client.HTTPException) as error:  # refused, reset or timed out: a failed request
            result.error = repr(error)
        result.seconds = time.perf_counter() - started

    threads = [threading.Thread(target=send, args=(i, *r), daemon=True) for i, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, results


def vote_requests(voters: list[Voter], poll_pk: int, electorate: dict[int, int], port: int):
    requests = []
    for voter in voters:
        voter_pk = electorate[voter.member_id]
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": voter.csrf_token, f"stem-{voter_pk}-keuze": "voor"})
        requests.append((f"/governance/stemmingen/{poll_pk}/stem/{voter_pk}/", voter.headers(port), body))
    return requests


def trivial_requests(voters: list[Voter], port: int):
    return [
        (
            TRIVIAL_POST,
            voter.headers(port),
            urllib.parse.urlencode({"csrfmiddlewaretoken": voter.csrf_token, "lid": voter.member_id, "next": "/"}),
        )
        for voter in voters
    ]


def outcome(results: list[Result], prefix: str) -> tuple[int, Counter]:
    """How many were accepted (redirected with the view's success message),
    and why the others were not: the error, or the status and messages."""
    from django.contrib.messages import constants

    ok, why = 0, Counter()
    for r in results:
        if r.status == 302 and any(lvl == constants.SUCCESS and t.startswith(prefix) for lvl, t in r.messages):
            ok += 1
            continue
        texts = "; ".join(t for _lvl, t in r.messages)
        why[r.error or f"HTTP {r.status}" + (f": {texts}" if texts else " (zie het serverlog)")] += 1
    return ok, why


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


# --- the run -------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=342)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    database_url, database, original_name = setup_database()
    from django.db import connection

    from beware.common.models import AuditEvent
    from governance.models import Ballot

    users, polls = seed(args.voters, polls=args.rounds + 1)
    warmup_poll, round_polls = polls[0], polls[1:]
    sessions = force_login(users)
    electorates = voters_by_member(polls)
    voters = [Voter(user_id=u.pk, member_id=u.bench_member.pk, session=sessions[u.pk]) for u in users]
    settle_database()
    connection.close()  # the server's workers are the ones working now

    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="beware-bench-votes-", suffix=".log", delete=False)  # noqa: SIM115
    server = start_server(database_url, args.workers, port, log)
    try:
        # Every voter opens the poll page (CSRF cookie and token; warms every
        # worker's templates and connections), then a few of each POST untimed.
        with ThreadPoolExecutor(max_workers=16) as pool:
            list(
                pool.map(
                    lambda v: fetch_csrf(v, port, warmup_poll.pk, electorates[warmup_poll.pk][v.member_id]), voters
                )
            )
        few = voters[: 4 * args.workers]
        fire(port, vote_requests(few, warmup_poll.pk, electorates[warmup_poll.pk], port))
        fire(port, trivial_requests(few, port))

        totals = {"votes": 0.0, "trivial": 0.0}
        latencies = {"votes": [], "trivial": []}
        tallies = []  # (poll, accepted votes)
        refused = Counter()
        print(
            f"{args.voters} kiezers tegelijk over HTTP; gunicorn met {args.workers} sync workers; {database}; "
            f"{args.rounds} rondes",
            flush=True,
        )
        for n, poll in enumerate(round_polls, start=1):
            phases = ["votes", "trivial"] if n % 2 else ["trivial", "votes"]
            line = []
            for phase in phases:
                if phase == "votes":
                    seconds, results = fire(port, vote_requests(voters, poll.pk, electorates[poll.pk], port))
                    ok, why = outcome(results, "Uw stem namens")
                    tallies.append((poll, ok))
                else:
                    seconds, results = fire(port, trivial_requests(voters, port))
                    ok, why = outcome(results, "U handelt nu namens")
                refused.update(why)
                totals[phase] += seconds
                latencies[phase] += [r.seconds for r in results]
                line.append(f"{'stemmen' if phase == 'votes' else 'kale POST'} {ok}/{len(voters)} in {seconds:5.2f} s")
            print(f"  ronde {n}: " + ", ".join(line), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    # Count what was stored against what was accepted, per poll.
    lost = duplicates = stored_total = accepted_total = 0
    for poll, ok in tallies:
        stored = Ballot.objects.filter(poll=poll).count()
        distinct = Ballot.objects.filter(poll=poll).values("voter").distinct().count()
        lost += ok - stored
        duplicates += stored - distinct
        stored_total += stored
        accepted_total += ok
    audit_ballots = AuditEvent.objects.filter(action="poll.ballot", object_id__in=[str(p.pk) for p, _ in tallies])
    audited = audit_ballots.count()

    count = args.voters * args.rounds
    vote_rate, trivial_rate = count / totals["votes"], count / totals["trivial"]
    ratio = vote_rate / trivial_rate
    met = ratio >= TARGET
    lv, lt = latencies["votes"], latencies["trivial"]
    print(
        f"Stemmen (POST governance:poll_vote):             {count:5d} in {totals['votes']:6.2f} s = "
        f"{vote_rate:6.1f}/s  (per verzoek p50 {percentile(lv, 50):.2f} s, p95 {percentile(lv, 95):.2f} s)"
    )
    print(
        f"Kale geauthenticeerde POST ({TRIVIAL_POST}, lidwissel): {count:5d} in {totals['trivial']:6.2f} s = "
        f"{trivial_rate:6.1f}/s  (per verzoek p50 {percentile(lt, 50):.2f} s, p95 {percentile(lt, 95):.2f} s)"
    )
    verdict = "OK" if met else "TE TRAAG"
    if refused:
        verdict = "ONGELDIG: niet elk verzoek werd geaccepteerd"
    print(f"Verhouding stemmen / kale POST: {ratio:.2f} (doel ≥ {TARGET})  {verdict}")
    print(
        f"Verloren stemmen: {lost}, dubbele stemmen: {duplicates} "
        f"(geaccepteerd {accepted_total} van {count}, opgeslagen {stored_total}, in het auditlog {audited})"
    )
    for why, n in refused.items():
        print(f"  niet geaccepteerd: {n}× {why}")

    summary = {
        "bench": "votes",
        "database": database,
        "votes_per_s": round(vote_rate, 1),
        "trivial_per_s": round(trivial_rate, 1),
        "ratio": round(ratio, 2),
        "target": TARGET,
        "met": met and not refused,
        "lost": lost,
        "duplicates": duplicates,
        "accepted": accepted_total,
        "count": count,
    }
    print("BENCH-RESULT " + json.dumps(summary), flush=True)  # collected by bench/run.py
    connection.creation.destroy_test_db(original_name, verbosity=0)
    problems = []
    if lost or duplicates:
        problems.append(f"{lost} verloren en {duplicates} dubbele stemmen")
    if refused:
        problems.append(
            f"{count - accepted_total} van {count} stemmen en "
            f"{refused.total() - (count - accepted_total)} kale POSTs niet geaccepteerd"
        )
    if audited != stored_total:
        problems.append(f"{audited} stemmen in het auditlog, {stored_total} opgeslagen")
    if problems:
        sys.exit("FOUT: " + "; ".join(problems) + f" (serverlog: {log.name})")
    os.unlink(log.name)
    return ratio


if __name__ == "__main__":
    main()

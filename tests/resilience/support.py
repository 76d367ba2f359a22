"""What the resilience tests share: a TCP proxy that can be cut and restored
(the outage), app servers and workers as real processes against the test
database, and HTTP as a browser sends it (session cookie, CSRF token)."""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SETTINGS = "tests.resilience.settings"
CSRF = "r" * 32  # an unmasked CSRF secret: the cookie and the form field carry the same

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
ON_REDIS = os.environ.get("CELERY_BROKER_URL", "").startswith("redis://")

needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (DATABASE_URL=postgres://…): app servers and workers run as separate processes "
    "on the test database, which in-memory SQLite cannot share; backups use pg_dump",
)
needs_redis = pytest.mark.skipif(not ON_REDIS, reason="needs Redis as the Celery broker (CELERY_BROKER_URL=redis://…)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# --- the outage -------------------------------------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a server. `cut()` closes every open
    connection and stops listening (a client then gets "connection refused",
    as when the server is down); `restore()` listens on the same port again."""

    def __init__(self, upstream_host: str, upstream_port: int):
        self.upstream = (upstream_host, upstream_port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            sockets, self._sockets = self._sockets, set()
        if listener is not None:
            _close(listener)
        for sock in sockets:
            _close(sock)

    close = cut

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                if self._listener is not listener:  # cut meanwhile
                    _close(client)
                    _close(server)
                    return
                self._sockets |= {client, server}
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            _close(src)
            _close(dst)
            with self._lock:
                self._sockets -= {src, dst}


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


# --- the test database, as other processes reach it ---------------------------------


def database_url(*, port: int | None = None) -> str:
    """The test database (pytest-django's test_…), optionally through a proxy port."""
    from django.db import connection

    s = connection.settings_dict
    user = urllib.parse.quote(s["USER"] or "postgres")
    password = f":{urllib.parse.quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{s['HOST'] or HOST}:{port or s['PORT'] or 5432}/{s['NAME']}"


def database_address() -> tuple[str, int]:
    from django.db import connection

    return connection.settings_dict["HOST"] or HOST, int(connection.settings_dict["PORT"] or 5432)


def redis_address(url: str) -> tuple[str, int, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.hostname or HOST, parts.port or 6379, parts.path or "/0"


def process_env(**overrides) -> dict:
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.pop("CI", None)  # nothing of the pytest hook applies to a server process
    env.update({key: str(value) for key, value in overrides.items()})
    return env


# --- processes ----------------------------------------------------------------------


class Server:
    """gunicorn with sync workers on beware.wsgi against the test database."""

    def __init__(self, env: dict, log: Path, *, workers: int = 1, port: int | None = None):
        self.port = port or free_port()
        self.log = log
        self._out = open(log, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "beware.wsgi", "--bind", f"{HOST}:{self.port}"),
                *("--workers", str(workers), "--timeout", "60", "--graceful-timeout", "5"),
            ],
            cwd=ROOT,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopte meteen; zie {self.log}:\n{self.log.read_text()[-3000:]}")
            try:
                if request(self.port, "GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn kwam niet op binnen 30 s; zie {self.log}:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        stop(self.process)
        self._out.close()


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115 - the child keeps it
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "beware", "worker", "--pool=solo", "--loglevel=INFO"),
            *("-Q", env["RESILIENCE_QUEUE"], "--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def manage(env: dict, *args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


# --- HTTP as a browser sends it -----------------------------------------------------


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def messages(self) -> list[str]:
        """The messages the view set (Django's signed messages cookie)."""
        from django.contrib.messages.storage.cookie import CookieStorage
        from django.http import HttpRequest

        found = []
        for header in self.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if CookieStorage.cookie_name in cookie:
                decoded = CookieStorage(HttpRequest())._decode(cookie[CookieStorage.cookie_name].value) or []
                found += [str(m.message) for m in decoded]
        return found


def request(port: int, method: str, path: str, *, session: str = "", data: dict | None = None, timeout=30):
    headers = {"Host": f"{HOST}:{port}", "Connection": "close"}
    if session:
        headers["Cookie"] = f"sessionid={session}; csrftoken={CSRF}"
    body = None
    if data is not None:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": CSRF, **data}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return Response(response.status, response.msg, response.read())
    finally:
        conn.close()


def session_for(user) -> str:
    """A session in the database as the login page leaves it (force_login)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextlib.contextmanager
def servers(env: dict, tmp_path: Path, count: int = 1, **kwargs):
    started = []
    try:
        for n in range(count):  # started together, then waited for
            started.append(Server(env, tmp_path / f"gunicorn-{n}.log", **kwargs))
        for server in started:
            server.wait_healthy()
        yield started
    finally:
        for server in started:
            server.stop()
        from django.db import connections

        connections.close_all()


# --- data, through the real services -------------------------------------------------


def seed_voters(count: int, *, prefix: str = "lid"):
    """`count` active members, each with an ALV representative (a user), and
    one open written ALV poll; returns [(member, user, voter)], the poll."""
    from datetime import date, timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from beware.common.audit import Actor
    from governance import services as governance
    from governance.models import PollVoter
    from membership import services as membership
    from membership.models import Member, MemberRole

    system = Actor.system()
    alv = governance.ensure_statutory_bodies()["alv"]
    people = []
    for n in range(count):
        member = Member.objects.create(
            code=f"{prefix}-{n}",
            naam=f"Gemeente {prefix} {n:03d}",
            soort="gemeente",
            status="actief",
            ingangsdatum=date(2019, 1, 1),
        )
        user = get_user_model().objects.create_user(
            email=f"{prefix}{n}@resilience.example", password=None, first_name="Vertegenwoordiger", last_name=str(n)
        )
        membership.member_role_grant(user, member, MemberRole.Role.ALV_VERTEGENWOORDIGER, by=system)
        people.append((member, user))
    poll = governance.poll_create(
        by=system,
        body=alv,
        vraag="Vaststelling jaarrekening",
        regel="alv-schriftelijk",
        deadline=timezone.now() + timedelta(days=1),
    )
    poll = governance.poll_open(by=system, poll=poll)
    voters = {v.member_id: v for v in PollVoter.objects.filter(poll=poll)}
    return [(member, user, voters[member.pk]) for member, user in people], poll


def forget_queue(client, queue: str) -> None:
    """Remove a test's queue and kombu's bindings for it from Redis."""
    client.delete(queue)
    for key in client.scan_iter(f"_kombu.binding*{queue}"):
        client.delete(key)

"""Two app servers, no shared memory (issue 8).

Two gunicorn processes on different ports, each with its own sync workers,
on the same PostgreSQL database and the same Redis (cache and broker). Every
ballot and every "Definitief maken" is sent to both servers at the same
moment, twice to each, released together by a barrier: as a user who
double-clicks while a load balancer spreads the clicks. Whatever holds it
together must be in the database, not in a process: each voter's vote is
stored once, each draft gets exactly one number, the numbers are gapless,
every refusal is the service's own message (no error page), and exactly one
document task is queued per finalised invoice."""

import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest
import redis

from beware.common import audit
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance.models import Ballot
from invoicing import services
from invoicing.models import Invoice
from tests.invoicing.test_services import YEAR, billable

from .support import (
    database_url,
    forget_queue,
    needs_postgres,
    needs_redis,
    process_env,
    request,
    seed_voters,
    servers,
    session_for,
)

pytestmark = [pytest.mark.postgres, needs_postgres, needs_redis, pytest.mark.django_db(transaction=True)]

VOTERS = 30
DRAFTS = 30
COPIES = 2  # per server


def _drafts(directie) -> list[Invoice]:
    boss = Actor(user=directie)
    member = billable("eindhoven", 238_000)
    drafts = []
    for n in range(DRAFTS):
        charge, _ = services.charge_get_or_create(
            member=member,
            soort="jaarkosten",
            bron=f"twee-servers:{n}",
            bedrag=Decimal("10.00"),
            omschrijving=f"Post {n}",
        )
        drafts.append(services.invoice_draft(member, [charge], by=boss, omschrijving=f"Factuur {n}", kenmerk_jaar=YEAR))
    return drafts


def test_votes_and_finalising_sent_to_two_servers_at_once_stay_unique_and_gapless(directie, tmp_path, settings):
    people, poll = seed_voters(VOTERS)
    drafts = _drafts(directie)
    boss_session = session_for(directie)
    sessions = {user.pk: session_for(user) for _, user, _ in people}
    queue = f"resilience-{uuid.uuid4().hex[:8]}"
    broker_url = settings.CELERY_BROKER_URL
    env = process_env(
        DATABASE_URL=database_url(),
        DB_CONN_MAX_AGE=60,
        MEDIA_ROOT=tmp_path / "media",
        RESILIENCE_QUEUE=queue,
        CELERY_BROKER_URL=broker_url,
    )
    broker = redis.Redis.from_url(broker_url)
    requests = []  # (kind, key, port, path, session, data)
    try:
        with servers(env, tmp_path, count=2, workers=2) as pair:
            assert len({s.port for s in pair}) == 2
            for server in pair:
                for _ in range(COPIES):
                    for _member, user, voter in people:
                        requests.append(
                            (
                                "stem",
                                voter.pk,
                                server.port,
                                f"/governance/stemmingen/{poll.pk}/stem/{voter.pk}/",
                                sessions[user.pk],
                                {f"stem-{voter.pk}-keuze": "voor"},
                            )
                        )
                    for draft in drafts:
                        requests.append(
                            ("factuur", draft.pk, server.port, f"/facturen/{draft.pk}/definitief/", boss_session, {})
                        )
            results = _fire(requests)
            queued = broker.llen(queue)
    finally:
        forget_queue(broker, queue)
        broker.close()

    # Every request was answered by the view (a redirect with a message), none failed.
    statuses = Counter(r.status if not isinstance(r, Exception) else repr(r) for r in results)
    assert statuses == {302: len(requests)}, statuses

    accepted = Counter()
    refusals = Counter()
    ports = Counter()
    for (kind, key, port, *_), response in zip(requests, results, strict=True):
        texts = response.messages()
        success = "Uw stem namens" if kind == "stem" else "is definitief;"
        if any(success in t for t in texts):
            accepted[(kind, key)] += 1
            ports[port] += 1
        else:
            refusals[(kind, " ".join(texts))] += 1
    # Exactly one acceptance per voter and per draft; the rest refused by the service.
    assert sorted(accepted.values()) == [1] * (VOTERS + DRAFTS)
    assert sum(refusals.values()) == (2 * COPIES - 1) * (VOTERS + DRAFTS)
    for (kind, text), _n in refusals.items():
        assert ("al gestemd" in text) if kind == "stem" else ("al definitief" in text), (kind, text)
    assert len(ports) == 2, "both servers should have won some of the races"

    ballots = Ballot.objects.filter(poll=poll)
    assert ballots.count() == VOTERS
    assert ballots.values("voter").distinct().count() == VOTERS
    assert AuditEvent.objects.filter(action="poll.ballot", object_id=str(poll.pk)).count() == VOTERS

    invoices = Invoice.objects.filter(pk__in=[d.pk for d in drafts])
    assert invoices.filter(status=Invoice.Status.CONCEPT).count() == 0
    assert sorted(invoices.values_list("volgnummer", flat=True)) == list(range(1, DRAFTS + 1))
    assert len(set(invoices.values_list("nummer", flat=True))) == DRAFTS
    assert AuditEvent.objects.filter(action="invoice.finalise").count() == DRAFTS
    assert queued == DRAFTS, f"{queued} documenttaken in de wachtrij voor {DRAFTS} definitieve facturen"
    assert audit.verify_chain() is None


def _fire(requests):
    results = [None] * len(requests)
    barrier = threading.Barrier(len(requests))

    def send(index, port, path, session, data):
        barrier.wait()
        try:
            results[index] = request(port, "POST", path, session=session, data=data, timeout=60)
        except Exception as error:  # noqa: BLE001 - counted by the test
            results[index] = error

    threads = [
        threading.Thread(target=send, args=(i, port, path, session, data), daemon=True)
        for i, (_kind, _key, port, path, session, data) in enumerate(requests)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results

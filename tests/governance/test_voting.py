"""Meetings and voting through the services: convocation and its notice
period, attendance, proxies, polls with a frozen electorate, one final vote
per voter, secret polls that keep who apart from what, written decisions,
the kernel's outcome with a checksum, and concurrency on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor, verify_chain
from beware.common.models import AuditEvent
from governance import selectors, services
from governance.models import Ballot, BallotReceipt, Body, Meeting, Poll, PollVoter, Proxy, SecretTally
from membership.models import MemberRole
from tests.factories import MemberFactory, UserFactory, member_user

SYSTEM = Actor.system()
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def secretaris(db):
    return UserFactory(roles=[StaffRole.SECRETARIS])


@pytest.fixture
def alv(db, secretaris):
    """An ALV in three weeks with one agenda item, and three members each
    with a representative (who is also its lid-beheerder)."""
    body = Body.objects.get(soort=Body.Kind.ALV)
    meeting = services.meeting_record(
        by=Actor(user=secretaris), body=body, datum=timezone.localdate() + timedelta(days=21), titel="ALV"
    )
    meeting = services.meeting_convene(by=Actor(user=secretaris), meeting=meeting)
    item = meeting.items.create(volgorde=1, titel="Begroting 2027", voorstel="De ALV stelt de begroting vast.")
    members = {code: MemberFactory(code=code, naam=f"Gemeente {code.title()}") for code in ("a", "b", "c")}
    reps = {
        code: member_user(member, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER)
        for code, member in members.items()
    }
    return meeting, item, members, reps


def convened(meeting, secretaris):
    """Polls open only at a convened meeting; these meetings are today, so urgently."""
    return services.meeting_convene(by=Actor(user=secretaris), meeting=meeting, spoedreden="Spoedeisend voorstel")


def as_rep(reps, members, code):
    return Actor(user=reps[code], member=members[code])


def voter_of(poll, member):
    return PollVoter.objects.get(poll=poll, member=member)


def test_an_alv_poll_with_a_proxy(alv, secretaris):
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    proxy = services.proxy_grant(
        by=as_rep(reps, members, "c"), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
    )
    for code in ("a", "b"):
        services.attendance_check_in(by=chair, meeting=meeting, member=members[code])
    poll = services.poll_create(by=chair, body=meeting.body, vraag=item.titel, regel="alv", agenda_item=item)
    with pytest.raises(ValidationError, match="1 volmacht\\(en\\) op goedkeuring"):
        services.poll_open(by=chair, poll=poll)
    services.proxy_decide(by=chair, proxy=proxy, approve=True)
    poll = services.poll_open(by=chair, poll=poll)
    voter_c = voter_of(poll, members["c"])
    assert (voter_c.aanwezig, voter_c.gevolmachtigde_id) == (True, members["b"].pk)

    services.ballot_cast(by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor")
    services.ballot_cast(by=as_rep(reps, members, "b"), poll=poll, voter=voter_of(poll, members["b"]), keuze="tegen")
    with pytest.raises(PermissionDenied):  # C gave its vote to B
        services.ballot_cast(by=as_rep(reps, members, "c"), poll=poll, voter=voter_c, keuze="tegen")
    services.ballot_cast(by=as_rep(reps, members, "b"), poll=poll, voter=voter_c, keuze="voor")
    with pytest.raises(ValidationError, match="al gestemd"):
        services.ballot_cast(
            by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="tegen"
        )

    poll = services.poll_close(by=chair, poll=poll)
    assert (poll.uitslag, poll.voor, poll.tegen, poll.uitgebracht, poll.stemgerechtigd) == (
        "aangenomen",
        Decimal(2),
        Decimal(1),
        Decimal(3),
        Decimal(3),
    )
    assert len(poll.controlegetal) == 64 and selectors.poll_outcome(poll)[1] == poll.controlegetal
    with pytest.raises(ValidationError, match="gesloten"):
        services.ballot_cast(by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor")
    assert Ballot.objects.filter(poll=poll).count() == 3
    actions = list(AuditEvent.objects.filter(object_type="governance.Poll").values_list("action", flat=True))
    assert actions == ["poll.create", "poll.open", "poll.ballot", "poll.ballot", "poll.ballot", "poll.close"]
    assert verify_chain() is None


def test_an_absent_member_and_an_outsider_cannot_vote(alv, secretaris):
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    services.attendance_check_in(by=chair, meeting=meeting, member=members["a"])
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    )
    with pytest.raises(ValidationError, match="niet aanwezig"):
        services.ballot_cast(by=as_rep(reps, members, "b"), poll=poll, voter=voter_of(poll, members["b"]), keuze="voor")
    outsider = MemberFactory(code="later", naam="Later lid")  # joined after the poll opened
    assert not PollVoter.objects.filter(poll=poll, member=outsider).exists()
    rep_of_outsider = member_user(outsider, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(
            by=Actor(user=rep_of_outsider, member=outsider), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor"
        )
    assert not Ballot.objects.exists()


def test_proxies_to_oneself_beyond_the_cap_and_revoking(alv, secretaris):
    meeting, _item, members, reps = alv
    with pytest.raises(ValidationError, match="zichzelf"):
        services.proxy_grant(
            by=as_rep(reps, members, "a"), meeting=meeting, gevolmachtigde=members["a"], ondertekenen=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Proxy.objects.create(
            meeting=meeting, verlener=members["a"], gevolmachtigde=members["a"], aangevraagd_door=reps["a"]
        )
    first = services.proxy_grant(
        by=as_rep(reps, members, "a"), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
    )
    with pytest.raises(ValidationError, match="het maximum is 1"):
        services.proxy_grant(
            by=as_rep(reps, members, "c"), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
        )
    with pytest.raises(ValidationError, match="Upload de ondertekende volmacht"):
        services.proxy_grant(by=as_rep(reps, members, "c"), meeting=meeting, gevolmachtigde=members["a"])
    uploaded = services.proxy_grant(
        by=as_rep(reps, members, "c"),
        meeting=meeting,
        gevolmachtigde=members["a"],
        bestand=SimpleUploadedFile("volmacht.pdf", PDF, content_type="application/pdf"),
    )
    assert uploaded.bestand.name.startswith(f"volmachten/{meeting.pk}/")
    services.proxy_revoke(by=as_rep(reps, members, "a"), proxy=first)
    services.proxy_decide(by=Actor(user=secretaris), proxy=uploaded, approve=True)
    with pytest.raises(ValidationError, match="niet meer worden ingetrokken"):
        services.proxy_revoke(by=as_rep(reps, members, "c"), proxy=uploaded)
    with pytest.raises(PermissionDenied):
        services.proxy_revoke(by=as_rep(reps, members, "b"), proxy=first)


def test_a_secret_poll_keeps_who_apart_from_what(alv, secretaris):
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    for member in members.values():
        services.attendance_check_in(by=chair, meeting=meeting, member=member)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item, geheim=True),
    )
    choices = {"a": "voor", "b": "tegen", "c": "voor"}
    for code, choice in choices.items():
        services.ballot_cast(
            by=as_rep(reps, members, code), poll=poll, voter=voter_of(poll, members[code]), keuze=choice
        )
    poll = services.poll_close(by=chair, poll=poll)
    assert (poll.uitslag, poll.voor, poll.tegen) == ("aangenomen", Decimal(2), Decimal(1))
    # The tables: who voted (receipts) and running totals per choice; no row
    # per vote, so nothing to order, time or join back to a voter.
    assert {f.name for f in SecretTally._meta.get_fields()} == {"id", "poll", "keuze", "aantal", "gewicht"}
    assert "keuze" not in {f.name for f in BallotReceipt._meta.get_fields()}
    assert not Ballot.objects.exists()
    assert dict(SecretTally.objects.values_list("keuze", "aantal")) == {"voor": 2, "tegen": 1, "onthouding": 0}
    logged = AuditEvent.objects.filter(action="poll.ballot")
    assert logged.count() == 3 and all("keuze" not in event.data for event in logged)


def test_a_written_rvc_decision_needs_everyone_in_favour(db, secretaris):
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    alv_body = Body.objects.get(soort=Body.Kind.ALV)
    decision = services.decision_record(
        by=SYSTEM, body=alv_body, kenmerk="ALV-1", datum=date(2025, 1, 1), onderwerp="x"
    )
    users = [UserFactory(roles=[StaffRole.RVC]) for _ in range(3)]
    for n, user in enumerate(users):
        person = services.person_create(by=SYSTEM, naam=f"Commissaris {n}", geboortedatum=date(1970, 1, 1), user=user)
        services.mandate_appoint(
            by=SYSTEM, body=rvc, person=person, functie="lid", ingangsdatum=date(2025, 1, 1), besluit=decision
        )
    chair = Actor(user=secretaris)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(
            by=chair,
            body=rvc,
            vraag="Goedkeuring",
            regel="rvc-schriftelijk",
            deadline=timezone.now() + timedelta(days=7),
        ),
    )
    voters = list(poll.voters.select_related("person"))
    for voter in voters[:2]:
        services.ballot_cast(by=Actor(user=voter.person.user), poll=poll, voter=voter, keuze="voor")
    assert [str(v) for v in selectors.non_responders(poll)] == [str(voters[2])]
    Poll.objects.filter(pk=poll.pk).update(deadline=timezone.now() - timedelta(seconds=1))  # the term passed
    poll = services.poll_close(by=chair, poll=poll)
    assert poll.uitslag == "geen quorum"  # one commissaris did not answer: not adopted


def test_a_conflicted_commissaris_is_left_out_of_the_electorate(db, secretaris):
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    alv_body = Body.objects.get(soort=Body.Kind.ALV)
    decision = services.decision_record(
        by=SYSTEM, body=alv_body, kenmerk="ALV-1", datum=date(2025, 1, 1), onderwerp="x"
    )
    people = [services.person_create(by=SYSTEM, naam=f"C{n}", geboortedatum=date(1970, 1, 1)) for n in range(3)]
    for person in people:
        services.mandate_appoint(
            by=SYSTEM, body=rvc, person=person, functie="lid", ingangsdatum=date(2025, 1, 1), besluit=decision
        )
    meeting = convened(
        services.meeting_record(by=Actor(user=secretaris), body=rvc, datum=timezone.localdate(), titel="RvC"),
        secretaris,
    )
    item = meeting.items.create(volgorde=1, titel="Contract")
    services.conflict_declare(by=SYSTEM, person=people[0], onderwerp="Contract", agenda_item=item)
    chair = Actor(user=secretaris)
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=rvc, vraag="Contract", regel="rvc", agenda_item=item)
    )
    assert set(poll.voters.values_list("person__naam", flat=True)) == {"C1", "C2"}


def test_the_notice_period_and_the_urgent_override(alv, secretaris):
    meeting, *_ = alv
    soon = Meeting.objects.create(body=meeting.body, datum=timezone.localdate() + timedelta(days=10), titel="Spoed")
    with pytest.raises(ValidationError, match="14 dagen"):
        services.meeting_convene(by=Actor(user=secretaris), meeting=soon)
    soon = services.meeting_convene(by=Actor(user=secretaris), meeting=soon, spoedreden="Fusievoorstel met termijn")
    assert soon.spoedreden == "Fusievoorstel met termijn" and soon.bijeengeroepen_op is not None
    later = services.meeting_record(
        by=Actor(user=secretaris), body=meeting.body, datum=timezone.localdate() + timedelta(days=21), titel="Later"
    )
    kept = services.meeting_convene(by=Actor(user=secretaris), meeting=later, spoedreden="niet nodig")
    assert kept.spoedreden == ""


def test_the_hash_chain_finds_a_changed_vote(alv, secretaris):
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    services.attendance_check_in(by=chair, meeting=meeting, member=members["a"])
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    )
    services.ballot_cast(by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor")
    assert verify_chain() is None
    ballot_event = AuditEvent.objects.get(action="poll.ballot")
    with connection.cursor() as cursor:  # what an attacker with database access would do
        cursor.execute("UPDATE common_auditevent SET data = %s WHERE id = %s", ['{"keuze": "tegen"}', ballot_event.pk])
    assert verify_chain() == ballot_event.pk


# --- concurrency (PostgreSQL) ------------------------------------------------------


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL: SQLite serialises all writers")


@pytest.mark.django_db(transaction=True)
def test_300_concurrent_voters_are_each_counted_once():
    _needs_postgresql()
    secretaris = UserFactory(roles=[StaffRole.SECRETARIS])
    body = Body.objects.get(soort=Body.Kind.ALV)
    members = [MemberFactory(code=f"m{n}", naam=f"Lid {n:03d}") for n in range(300)]
    reps = [member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for m in members]
    chair = Actor(user=secretaris)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(
            by=chair, body=body, vraag="x", regel="alv-schriftelijk", deadline=timezone.now() + timedelta(hours=1)
        ),
    )
    voters = {v.member_id: v for v in poll.voters.all()}
    start = threading.Barrier(20)

    def vote(batch):
        start.wait()
        try:
            for member, rep in batch:
                services.ballot_cast(
                    by=Actor(user=rep, member=member), poll=poll, voter=voters[member.pk], keuze="voor"
                )
        finally:
            connection.close()

    pairs = list(zip(members, reps, strict=True))
    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(vote, [pairs[n::20] for n in range(20)]))
    assert Ballot.objects.filter(poll=poll).count() == 300
    poll = services.poll_close(by=chair, poll=poll)
    assert (poll.voor, poll.uitslag) == (Decimal(300), "aangenomen")
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_20_concurrent_attempts_by_one_voter_give_one_ballot():
    _needs_postgresql()
    secretaris = UserFactory(roles=[StaffRole.SECRETARIS])
    member = MemberFactory(code="enkel", naam="Enkel lid")
    rep = member_user(member, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    chair = Actor(user=secretaris)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(
            by=chair,
            body=Body.objects.get(soort=Body.Kind.ALV),
            vraag="x",
            regel="alv-schriftelijk",
            deadline=timezone.now() + timedelta(hours=1),
            geheim=True,
        ),
    )
    voter = poll.voters.get()
    start = threading.Barrier(20)
    refused = []

    def attempt(n):
        start.wait()
        try:
            services.ballot_cast(
                by=Actor(user=rep, member=member), poll=poll, voter=voter, keuze="voor" if n % 2 else "tegen"
            )
        except ValidationError:
            refused.append(n)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(attempt, range(20)))
    assert (BallotReceipt.objects.count(), len(refused)) == (1, 19)
    assert sum(SecretTally.objects.values_list("aantal", flat=True)) == 1


@pytest.mark.django_db(transaction=True)
def test_no_ballot_is_lost_when_the_chair_closes_during_voting():
    """Every ballot either lands before the close and is counted, or is refused."""
    _needs_postgresql()
    secretaris = UserFactory(roles=[StaffRole.SECRETARIS])
    members = [MemberFactory(code=f"s{n}", naam=f"Lid {n:03d}") for n in range(60)]
    reps = [member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for m in members]
    chair = Actor(user=secretaris)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(
            by=chair,
            body=Body.objects.get(soort=Body.Kind.ALV),
            vraag="x",
            regel="alv-schriftelijk",
            deadline=timezone.now() + timedelta(hours=1),
        ),
    )
    voters = {v.member_id: v for v in poll.voters.all()}
    accepted = []

    def vote(pair):
        member, rep = pair
        try:
            services.ballot_cast(by=Actor(user=rep, member=member), poll=poll, voter=voters[member.pk], keuze="voor")
            accepted.append(member.pk)
        except ValidationError:
            pass
        finally:
            connection.close()

    def close():
        try:
            services.poll_close(by=chair, poll=poll)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=12) as pool:
        futures = [pool.submit(vote, pair) for pair in zip(members, reps, strict=True)]
        futures.insert(30, pool.submit(close))
        for future in futures:
            future.result()
    poll.refresh_from_db()
    assert Ballot.objects.filter(poll=poll).count() == len(accepted) == int(poll.voor)


def test_the_convocation_and_a_written_decision_are_mailed_once(alv, secretaris, django_capture_on_commit_callbacks):
    from django.core import mail

    from governance.tasks import notify_convocation, notify_written_poll

    _meeting, _item, _members, reps = alv
    meeting = services.meeting_record(
        by=Actor(user=secretaris), body=_meeting.body, datum=timezone.localdate() + timedelta(days=28), titel="Najaar"
    )
    meeting.items.create(volgorde=1, titel="Begroting 2027")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(by=Actor(user=secretaris), meeting=meeting)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reps.values())
    assert (
        "1. Begroting 2027" in mail.outbox[0].body and f"/governance/vergaderingen/{meeting.pk}/" in mail.outbox[0].body
    )
    assert notify_convocation(meeting.pk) == 0  # a re-run sends nothing twice
    mail.outbox.clear()
    chair = Actor(user=secretaris)
    with django_capture_on_commit_callbacks(execute=True):
        poll = services.poll_open(
            by=chair,
            poll=services.poll_create(
                by=chair,
                body=meeting.body,
                vraag="Fusie",
                regel="alv-schriftelijk",
                deadline=timezone.now() + timedelta(days=5),
            ),
        )
    assert len(mail.outbox) == 3 and "iedere stemgerechtigde vóór stemt" in mail.outbox[0].body
    assert notify_written_poll(poll.pk) == 0


def test_weights_by_inwoners_are_frozen_when_the_poll_opens(secretaris):
    from tests.factories import member_with_inwoners

    year = timezone.localdate().year
    big = member_with_inwoners("groot", 200_000, jaar=year)
    small = member_with_inwoners("klein", 50_000, jaar=year)
    reps = {m: member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for m in (big, small)}
    chair = Actor(user=secretaris)
    meeting = services.meeting_record(
        by=chair, body=Body.objects.get(soort="alv"), datum=timezone.localdate(), titel="ALV", stemgewicht="inwoners"
    )
    meeting = convened(meeting, secretaris)
    item = services.agenda_item_add(by=chair, meeting=meeting, titel="Voorstel")
    for member in (big, small):
        services.attendance_check_in(by=chair, meeting=meeting, member=member)
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    )
    assert {v.member: v.gewicht for v in poll.voters.all()} == {big: Decimal(200_000), small: Decimal(50_000)}
    services.ballot_cast(by=Actor(user=reps[small], member=small), poll=poll, voter=voter_of(poll, small), keuze="voor")
    services.ballot_cast(by=Actor(user=reps[big], member=big), poll=poll, voter=voter_of(poll, big), keuze="tegen")
    poll = services.poll_close(by=chair, poll=poll)
    assert (poll.uitslag, poll.voor, poll.tegen) == ("verworpen", Decimal(50_000), Decimal(200_000))


def test_a_missing_inwonertal_refuses_a_weighted_poll(alv, secretaris):
    meeting, item, _members, _reps = alv
    Meeting.objects.filter(pk=meeting.pk).update(stemgewicht="inwoners")
    chair = Actor(user=secretaris)
    poll = services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    with pytest.raises(ValidationError, match="Het stemgewicht is niet te bepalen"):
        services.poll_open(by=chair, poll=poll)
    assert not PollVoter.objects.exists() and Poll.objects.get(pk=poll.pk).status == "concept"


def test_review_rules_for_polls(alv, secretaris):
    meeting, item, _members, _reps = alv
    chair = Actor(user=secretaris)
    for quorum in ("3/2", "-1/2", "0"):
        with pytest.raises(ValidationError, match="tussen 0 en 1"):
            services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item, quorum=quorum)
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    with pytest.raises(ValidationError, match="ligt vast in de statuten"):
        services.poll_create(
            by=chair, body=rvc, vraag="x", regel="rvc-schriftelijk", deadline=timezone.now(), quorum="4/5"
        )
    directie_body = Body.objects.get(soort=Body.Kind.DIRECTIE)
    directie_meeting = services.meeting_record(by=chair, body=directie_body, datum=timezone.localdate(), titel="D")
    directie_item = services.agenda_item_add(by=chair, meeting=directie_meeting, titel="Punt")
    with pytest.raises(ValidationError, match="kan niet geheim zijn"):
        services.poll_create(
            by=chair, body=directie_body, vraag="x", regel="directie", agenda_item=directie_item, geheim=True
        )


def test_the_directie_does_not_run_the_rvcs_votes(db, secretaris):
    boss = UserFactory(roles=[StaffRole.DIRECTIE])
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    with pytest.raises(PermissionDenied, match="RvC"):
        services.poll_create(
            by=Actor(user=boss),
            body=rvc,
            vraag="Bezoldiging directie",
            regel="rvc-schriftelijk",
            deadline=timezone.now() + timedelta(days=3),
        )
    poll = services.poll_create(
        by=Actor(user=secretaris),
        body=rvc,
        vraag="x",
        regel="rvc-schriftelijk",
        deadline=timezone.now() + timedelta(days=3),
    )
    with pytest.raises(PermissionDenied):
        services.poll_open(by=Actor(user=boss), poll=poll)


def test_with_a_proxy_only_the_holders_presence_counts(alv, secretaris):
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    proxy = services.proxy_grant(
        by=as_rep(reps, members, "a"), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
    )
    services.proxy_decide(by=chair, proxy=proxy, approve=True)
    services.attendance_check_in(by=chair, meeting=meeting, member=members["a"])  # A came; B, its holder, did not
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    )
    assert not voter_of(poll, members["a"]).aanwezig
    with pytest.raises(ValidationError, match="volmachten zijn gesloten"):
        services.proxy_grant(
            by=as_rep(reps, members, "c"), meeting=meeting, gevolmachtigde=members["a"], ondertekenen=True
        )


def open_written_alv_poll(chair, meeting):
    """An ALV decision outside the meeting, open for six more days."""
    poll = services.poll_create(
        by=chair, body=meeting.body, vraag="x", regel="alv-schriftelijk", deadline=timezone.now() + timedelta(days=6)
    )
    return services.poll_open(by=chair, poll=poll)


def test_a_written_decision_stays_open_until_its_deadline_or_everyone_voted(alv, secretaris):
    meeting, _item, members, reps = alv
    chair = Actor(user=secretaris)
    poll = open_written_alv_poll(chair, meeting)
    services.ballot_cast(by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor")
    with pytest.raises(ValidationError, match="Er kan nog worden gestemd tot"):
        services.poll_close(by=chair, poll=poll)
    for code in ("b", "c"):
        services.ballot_cast(
            by=as_rep(reps, members, code), poll=poll, voter=voter_of(poll, members[code]), keuze="voor"
        )
    assert services.poll_close(by=chair, poll=poll).uitslag == "aangenomen"


def test_a_written_decision_closes_itself_when_its_term_passed(alv, secretaris):
    from governance.tasks import close_expired_written_polls

    meeting, _item, members, reps = alv
    chair = Actor(user=secretaris)
    poll = open_written_alv_poll(chair, meeting)
    services.ballot_cast(by=as_rep(reps, members, "a"), poll=poll, voter=voter_of(poll, members["a"]), keuze="voor")
    assert close_expired_written_polls() == []  # still running
    Poll.objects.filter(pk=poll.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert close_expired_written_polls() == [poll.pk]
    poll.refresh_from_db()
    assert (poll.status, poll.uitslag) == ("gesloten", "geen quorum")
    assert AuditEvent.objects.filter(action="poll.close", actor_label="systeem", object_id=str(poll.pk)).exists()

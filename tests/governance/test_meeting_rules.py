"""The last rules of meetings and online voting (issue 6), through the pages
where a user would meet them and through the services where the rule itself
is the point: community meetings and their polls, who chairs (the RvC's own
voorzitter, a community's coordinator), besloten RvC meetings, members'
conflicts of interest in the ALV and on written decisions, the directie's
chair breaking a tie (fixed when the poll opens), the ALV's notice period as
a setting, and no vote at a meeting that was not convened."""

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from beware.accounts.middleware import ACTING_MEMBER_SESSION_KEY
from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from communities import services as community_services
from governance import selectors, services
from governance.models import Attendance, Ballot, Body, ConflictOfInterest, Meeting, Poll, PollVoter
from membership import services as membership_services
from membership.models import MemberRole
from tests.conftest import login, with_totp
from tests.factories import CommunityFactory, MemberFactory, UserFactory, member_user

SYSTEM = Actor.system()
pytestmark = pytest.mark.django_db


# --- helpers -------------------------------------------------------------------------------


def url(name, *args):
    return reverse(f"governance:{name}", args=args)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def plain(response) -> str:
    """The page's text without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def vote(client, poll, voter, keuze, follow=True):
    return client.post(url("poll_vote", poll.pk, voter.pk), {f"stem-{voter.pk}-keuze": keuze}, follow=follow)


def acting_as(client, member):
    """The member the client's user acts for (what the member switcher stores)."""
    session = client.session
    session[ACTING_MEMBER_SESSION_KEY] = member.pk
    session.save()
    return client


def _conflict_choices(client, meeting) -> list:
    form = client.get(url("meeting", meeting.pk)).context.get("conflict_form")
    return list(form.fields["agenda_item"].queryset) if form is not None else []


def record_alv(secretaris, titel="ALV", days=21) -> Meeting:
    """An ALV meeting `days` from today, recorded by the secretary (not convened yet)."""
    return services.meeting_record(
        by=Actor(user=secretaris),
        body=Body.objects.get(soort=Body.Kind.ALV),
        datum=timezone.localdate() + timedelta(days=days),
        titel=titel,
    )


# --- shared fixtures ----------------------------------------------------------------------


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def directie_user(db):
    return with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))


@pytest.fixture
def community_meeting(secretaris):
    """A community with two participants (P1 and P2, each with a community
    contact), an active member that does not take part (with a community
    contact too), a coordinator, the community's board and an online meeting
    of it in a week with one agenda item."""
    p1 = MemberFactory(code="p1", naam="Gemeente Deelnemer Een")
    p2 = MemberFactory(code="p2", naam="Gemeente Deelnemer Twee")
    outsider = MemberFactory(code="buiten", naam="Gemeente Buitenstaander")
    community = CommunityFactory(slug="zaken", naam="Zaakafhandeling", trekker=p1)
    for member in (p1, p2):
        community_services.participation_add(community, member, by=SYSTEM)
    coordinator = UserFactory()
    community_services.coordinator_add(community, coordinator, by=SYSTEM)
    body = services.body_create(
        by=SYSTEM, soort=Body.Kind.COMMUNITY, naam="Bestuur Zaakafhandeling", slug="bestuur-zaken", community=community
    )
    meeting = services.meeting_record(
        by=Actor(user=secretaris),
        body=body,
        datum=timezone.localdate() + timedelta(days=7),
        titel="Communityoverleg Zaakafhandeling",
        online=True,
    )
    item = services.agenda_item_add(
        by=Actor(user=secretaris), meeting=meeting, titel="Nieuwe release", voorstel="De community brengt 2.0 uit."
    )
    return SimpleNamespace(
        community=community,
        body=body,
        meeting=meeting,
        item=item,
        p1=p1,
        p2=p2,
        outsider=outsider,
        contact1=member_user(p1, MemberRole.Role.COMMUNITY_CONTACT),
        contact2=member_user(p2, MemberRole.Role.COMMUNITY_CONTACT),
        outsider_contact=member_user(outsider, MemberRole.Role.COMMUNITY_CONTACT),
        coordinator=coordinator,
    )


def _rvc_person(naam: str, functie: str, decision) -> SimpleNamespace:
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    user = with_totp(UserFactory(roles=[StaffRole.RVC]))
    person = services.person_create(by=SYSTEM, naam=naam, geboortedatum=date(1970, 1, 1), user=user)
    services.mandate_appoint(
        by=SYSTEM, body=rvc, person=person, functie=functie, ingangsdatum=date(2025, 1, 1), besluit=decision
    )
    return SimpleNamespace(person=person, user=user)


@pytest.fixture
def rvc_board(db):
    """The RvC: a voorzitter and two leden, each a person with a portal account in the RvC role."""
    alv_body = Body.objects.get(soort=Body.Kind.ALV)
    decision = services.decision_record(
        by=SYSTEM, body=alv_body, kenmerk="ALV-2025-01", datum=date(2025, 1, 1), onderwerp="Benoeming RvC"
    )
    return SimpleNamespace(
        body=Body.objects.get(soort=Body.Kind.RVC),
        voorzitter=_rvc_person("Anna Voorzitter", "voorzitter", decision),
        leden=[_rvc_person(f"Commissaris {n}", "lid", decision) for n in (1, 2)],
    )


@pytest.fixture
def rvc_meeting(rvc_board, secretaris):
    """An RvC meeting in five weeks (the notice period is kept) with one agenda item; no meeting voorzitter set."""
    meeting = services.meeting_record(
        by=Actor(user=secretaris),
        body=rvc_board.body,
        datum=timezone.localdate() + timedelta(days=35),
        titel="RvC december",
    )
    item = services.agenda_item_add(by=Actor(user=secretaris), meeting=meeting, titel="Contract hosting")
    return meeting, item


@pytest.fixture
def alv(secretaris):
    """A convened ALV in three weeks with two agenda items, and three members
    A, B and C each with an ALV representative."""
    chair = Actor(user=secretaris)
    meeting = services.meeting_convene(by=chair, meeting=record_alv(secretaris, "ALV voorjaar"))
    begroting = services.agenda_item_add(by=chair, meeting=meeting, titel="Begroting 2027", voorstel="Vaststellen")
    hosting = services.agenda_item_add(by=chair, meeting=meeting, titel="Hostingcontract", voorstel="Gunnen")
    members = {code: MemberFactory(code=code, naam=f"Gemeente {code.upper()}") for code in ("a", "b", "c")}
    reps = {code: member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for code, m in members.items()}
    return SimpleNamespace(meeting=meeting, begroting=begroting, hosting=hosting, members=members, reps=reps)


@pytest.fixture
def directie_board(db):
    """The directie: an algemeen directeur and a directeur, both persons with a portal account."""
    body = Body.objects.get(soort=Body.Kind.DIRECTIE)
    decision = services.decision_record(
        by=SYSTEM,
        body=Body.objects.get(soort=Body.Kind.RVC),
        kenmerk="RvC-2025-01",
        datum=date(2025, 1, 1),
        onderwerp="Benoeming directie",
    )
    people = {}
    for functie, naam in (("algemeen-directeur", "Dirk Algemeen"), ("directeur", "Dina Directeur")):
        user = with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))
        person = services.person_create(by=SYSTEM, naam=naam, user=user)
        mandate = services.mandate_appoint(
            by=SYSTEM, body=body, person=person, functie=functie, ingangsdatum=date(2025, 1, 1), besluit=decision
        )
        people[functie] = SimpleNamespace(person=person, user=user, mandate=mandate)
    return SimpleNamespace(body=body, ad=people["algemeen-directeur"], directeur=people["directeur"])


@pytest.fixture
def directie_tie(directie_board, secretaris):
    """A convened directie meeting today, both directors checked in, an open
    poll (rule "directie") on its item; the algemeen directeur voted voor,
    the directeur tegen."""
    chair = Actor(user=secretaris)
    meeting = services.meeting_record(by=chair, body=directie_board.body, datum=timezone.localdate(), titel="MT")
    meeting = services.meeting_convene(by=chair, meeting=meeting)
    item = services.agenda_item_add(by=chair, meeting=meeting, titel="Nieuwe huisvesting")
    for director in (directie_board.ad, directie_board.directeur):
        services.attendance_check_in(by=chair, meeting=meeting, person=director.person)
    poll = services.poll_create(
        by=chair, body=directie_board.body, vraag="Huur kantoor", regel="directie", agenda_item=item
    )
    poll = services.poll_open(by=chair, poll=poll)
    for director, keuze in ((directie_board.ad, "voor"), (directie_board.directeur, "tegen")):
        voter = PollVoter.objects.get(poll=poll, person=director.person)
        services.ballot_cast(by=Actor(user=director.user), poll=poll, voter=voter, keuze=keuze)
    return poll


# --- 1. community meetings ------------------------------------------------------------------


def test_a_participants_contact_sees_the_community_meeting_and_an_outsider_gets_404(community_meeting):
    c = community_meeting
    assert login(c.contact1).get(url("meeting", c.meeting.pk)).status_code == 200
    assert login(c.outsider_contact).get(url("meeting", c.meeting.pk)).status_code == 404


def test_the_secretarys_check_in_form_offers_exactly_the_participants(community_meeting, secretaris):
    c = community_meeting
    page = login(secretaris).get(url("meeting", c.meeting.pk))
    assert page.status_code == 200
    offered = page.context["check_in_form"].fields["member"].queryset
    assert set(offered) == {c.p1, c.p2}  # not the outsider, nor the trekker's other members


def test_a_participants_contact_checks_in_online_at_a_community_meeting(community_meeting):
    c = community_meeting
    client = login(c.contact1)
    assert "Ik ben aanwezig" in text(client.get(url("meeting", c.meeting.pk)))
    response = client.post(url("meeting_self_check_in", c.meeting.pk), follow=True)
    assert "U bent ingecheckt als aanwezig." in shown_messages(response)
    attendance = Attendance.objects.get(meeting=c.meeting)
    assert (attendance.member, attendance.zelf, attendance.ingecheckt_door) == (c.p1, True, c.contact1)


def test_a_coordinator_runs_a_community_poll_and_a_participant_votes(community_meeting):
    c = community_meeting
    coordinator = login(c.coordinator)
    response = coordinator.post(url("poll_new", c.item.pk), {"vraag": "Release 2.0", "regel": "community"})
    assert response.status_code == 302, text(response)
    poll = Poll.objects.get(agenda_item=c.item)
    assert (poll.body, poll.regel) == (c.body, Poll.Rule.COMMUNITY)

    # Not before the meeting is convened; the coordinator convenes it.
    response = coordinator.post(url("poll_open", poll.pk), follow=True)
    assert any("Roep de vergadering eerst bijeen" in m for m in shown_messages(response))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CONCEPT
    assert coordinator.post(url("meeting_convene", c.meeting.pk)).status_code == 302
    contact = login(c.contact1)
    assert contact.post(url("meeting_self_check_in", c.meeting.pk)).status_code == 302
    response = coordinator.post(url("poll_open", poll.pk), follow=True)
    assert "De stemming is geopend. Stemgerechtigden: 2." in shown_messages(response)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert set(poll.voters.values_list("member", flat=True)) == {c.p1.pk, c.p2.pk}

    voter = PollVoter.objects.get(poll=poll, member=c.p1)
    page = text(contact.get(url("poll", poll.pk)))
    assert "Stem namens Gemeente Deelnemer Een" in page
    response = vote(contact, poll, voter, "voor")
    assert "Uw stem namens Gemeente Deelnemer Een is uitgebracht. Een stem is definitief." in shown_messages(response)

    response = coordinator.post(url("poll_close", poll.pk), follow=True)
    assert "De stemming is gesloten: aangenomen." in shown_messages(response)
    poll.refresh_from_db()
    assert poll.uitslag == "aangenomen"
    assert [int(n) for n in (poll.voor, poll.tegen, poll.onthouding, poll.uitgebracht)] == [1, 0, 0, 1]
    assert (int(poll.aanwezig), int(poll.stemgerechtigd)) == (1, 2)
    result = text(response)
    for label, value in [("Voor", "1"), ("Tegen", "0"), ("Aanwezig of vertegenwoordigd", "1"), ("Stemgerechtigd", "2")]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in result, label


def test_a_non_participants_contact_cannot_vote_in_a_community_poll(community_meeting, secretaris):
    c = community_meeting
    chair = Actor(user=secretaris)
    services.meeting_convene(by=chair, meeting=c.meeting)
    services.attendance_check_in(by=chair, meeting=c.meeting, member=c.p1)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(by=chair, body=c.body, vraag="Release", regel="community", agenda_item=c.item),
    )
    assert not PollVoter.objects.filter(poll=poll, member=c.outsider).exists()
    outsider = login(c.outsider_contact)
    assert outsider.get(url("poll", poll.pk)).status_code in (403, 404)
    voter = PollVoter.objects.get(poll=poll, member=c.p1)
    assert vote(outsider, poll, voter, "tegen", follow=False).status_code in (403, 404)
    assert not Ballot.objects.filter(poll=poll).exists()


def test_checking_in_a_non_participant_is_refused_naming_the_member(community_meeting, secretaris):
    c = community_meeting
    with pytest.raises(ValidationError) as refused:
        services.attendance_check_in(by=Actor(user=secretaris), meeting=c.meeting, member=c.outsider)
    assert "Gemeente Buitenstaander" in refused.value.message_dict["member"][0]
    assert not Attendance.objects.filter(meeting=c.meeting).exists()


def test_member_users_see_the_meetings_of_their_communities_in_the_calendar(community_meeting):
    c = community_meeting
    listing = url("meetings") + f"?jaar={c.meeting.datum.year}"
    page = login(c.contact1).get(listing)
    assert page.status_code == 200 and c.meeting in page.context["meetings"]
    assert url("meeting", c.meeting.pk) in text(page)
    page = login(c.outsider_contact).get(listing)
    assert page.status_code == 200 and c.meeting not in page.context["meetings"]


# --- 2. chairs ----------------------------------------------------------------------------


def test_the_rvc_voorzitter_runs_a_poll_at_an_rvc_meeting_without_chairing_the_meeting(
    rvc_board, rvc_meeting, secretaris
):
    meeting, item = rvc_meeting
    chair = rvc_board.voorzitter
    assert meeting.voorzitter_id != chair.user.pk
    client = login(chair.user)
    assert client.get(url("poll_new", item.pk)).status_code == 200
    response = client.post(url("poll_new", item.pk), {"vraag": "Gunning hosting", "regel": "rvc"})
    assert response.status_code == 302, text(response)
    poll = Poll.objects.get(agenda_item=item)
    assert (poll.body, poll.regel) == (rvc_board.body, Poll.Rule.RVC)

    assert client.post(url("meeting_convene", meeting.pk)).status_code == 302
    assert client.post(url("poll_open", poll.pk)).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert poll.voters.count() == 3
    assert client.post(url("poll_close", poll.pk)).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.GESLOTEN and poll.uitslag


def test_a_plain_commissaris_and_the_directie_cannot_open_an_rvc_poll(
    rvc_board, rvc_meeting, secretaris, directie_user
):
    meeting, item = rvc_meeting
    chair = Actor(user=secretaris)
    services.meeting_convene(by=chair, meeting=meeting)
    poll = services.poll_create(by=chair, body=rvc_board.body, vraag="Gunning", regel="rvc", agenda_item=item)
    assert login(rvc_board.leden[0].user).post(url("poll_open", poll.pk)).status_code == 403
    assert login(directie_user).post(url("poll_open", poll.pk)).status_code == 403
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CONCEPT and not poll.voters.exists()


def test_the_rvc_voorzitter_prepares_a_written_decision_for_his_own_body_only(rvc_board):
    client = login(rvc_board.voorzitter.user)
    page = client.get(url("written_new"))
    assert page.status_code == 200
    assert list(page.context["form"].fields["body"].queryset) == [rvc_board.body]  # not the ALV, not the directie
    deadline = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        url("written_new"), {"body": rvc_board.body.pk, "vraag": "Zelfevaluatie vaststellen", "deadline": deadline}
    )
    assert response.status_code == 302, text(response)
    poll = Poll.objects.get()
    assert (poll.body, poll.regel, poll.agenda_item, poll.status) == (
        rvc_board.body,
        Poll.Rule.RVC_SCHRIFTELIJK,
        None,
        Poll.Status.CONCEPT,
    )
    # A body he does not chair is refused, and nothing is stored for it.
    alv_body = Body.objects.get(soort=Body.Kind.ALV)
    response = client.post(url("written_new"), {"body": alv_body.pk, "vraag": "Statuten", "deadline": deadline})
    assert response.status_code == 400
    assert Poll.objects.count() == 1


def test_a_member_user_cannot_prepare_a_written_decision(db):
    member = MemberFactory(code="lid", naam="Gemeente Lid")
    client = login(member_user(member, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER))
    assert client.get(url("written_new")).status_code == 403
    deadline = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    assert client.post(url("written_new"), {"body": rvc.pk, "vraag": "x", "deadline": deadline}).status_code == 403
    assert not Poll.objects.exists()


# --- 3. besloten RvC meetings -----------------------------------------------------------------


@pytest.fixture
def besloten(secretaris):
    return services.meeting_record(
        by=Actor(user=secretaris),
        body=Body.objects.get(soort=Body.Kind.RVC),
        datum=timezone.localdate() + timedelta(days=30),
        titel="Evaluatie directie",
        besloten=True,
    )


def test_a_besloten_rvc_meeting_does_not_exist_for_the_directie(besloten, directie_user):
    client = login(directie_user)
    assert client.get(url("meeting", besloten.pk)).status_code == 404
    assert client.get(url("meeting_minutes_pdf", besloten.pk)).status_code == 404
    assert client.get(url("meeting_export_csv", besloten.pk)).status_code == 404


def test_a_besloten_rvc_meeting_does_not_exist_for_the_secretaris(besloten, secretaris):
    client = login(secretaris)
    assert client.get(url("meeting", besloten.pk)).status_code == 404
    assert client.get(url("meeting_minutes_pdf", besloten.pk)).status_code == 404
    assert client.get(url("meeting_export_csv", besloten.pk)).status_code == 404


def test_a_commissaris_opens_a_besloten_rvc_meeting(besloten):
    commissaris = with_totp(UserFactory(roles=[StaffRole.RVC]))
    page = login(commissaris).get(url("meeting", besloten.pk))
    assert page.status_code == 200 and "Evaluatie directie" in text(page)


def test_the_calendar_names_a_besloten_meeting_to_the_directie_without_a_link(besloten, directie_user):
    page = login(directie_user).get(url("meetings") + f"?jaar={besloten.datum.year}")
    assert page.status_code == 200
    row = next(r for r in text(page).split("<tr") if "Evaluatie directie" in r)
    assert "besloten" in row
    assert url("meeting", besloten.pk) not in text(page)


def test_only_the_rvc_side_meets_besloten(secretaris):
    before = Meeting.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            by=Actor(user=secretaris),
            body=Body.objects.get(soort=Body.Kind.ALV),
            datum=timezone.localdate() + timedelta(days=30),
            titel="Besloten ALV",
            besloten=True,
        )
    assert "besloten" in refused.value.message_dict
    assert Meeting.objects.count() == before


def test_the_directie_opens_an_rvc_meeting_that_is_not_besloten(rvc_meeting, directie_user):
    meeting, _item = rvc_meeting
    assert not meeting.besloten
    assert login(directie_user).get(url("meeting", meeting.pk)).status_code == 200


# --- 4. members' conflicts of interest in the ALV -------------------------------------------------


def test_a_representative_declares_a_conflict_and_is_left_out_of_the_vote(alv, secretaris):
    rep_a = login(alv.reps["a"])
    form = rep_a.get(url("meeting", alv.meeting.pk)).context["conflict_form"]
    assert "member" not in form.fields and "person" not in form.fields
    response = rep_a.post(
        url("meeting_conflict", alv.meeting.pk),
        {"belang-agenda_item": alv.hosting.pk, "belang-toelichting": "Onze dochter is inschrijver."},
        follow=True,
    )
    assert "Het tegenstrijdig belang van Gemeente A bij agendapunt 2 is vastgelegd." in shown_messages(response)
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.member, conflict.person, conflict.agenda_item) == (alv.members["a"], None, alv.hosting)

    chair = Actor(user=secretaris)
    for member in alv.members.values():
        services.attendance_check_in(by=chair, meeting=alv.meeting, member=member)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(
            by=chair, body=alv.meeting.body, vraag="Gunning", regel="alv", agenda_item=alv.hosting
        ),
    )
    assert set(poll.voters.values_list("member", flat=True)) == {alv.members["b"].pk, alv.members["c"].pk}
    page = plain(login(secretaris).get(url("meeting", alv.meeting.pk)))
    assert "Tegenstrijdig belang gemeld, stemt niet mee: Gemeente A" in page


def test_a_conflict_on_an_item_whose_poll_is_open_is_refused(alv, secretaris):
    chair = Actor(user=secretaris)
    for member in alv.members.values():
        services.attendance_check_in(by=chair, meeting=alv.meeting, member=member)
    poll = services.poll_create(by=chair, body=alv.meeting.body, vraag="Gunning", regel="alv", agenda_item=alv.hosting)
    services.poll_open(by=chair, poll=poll)

    # Posted from a page loaded before the poll opened: refused, with the reason at the item.
    response = login(alv.reps["a"]).post(
        url("meeting_conflict", alv.meeting.pk), {"belang-agenda_item": alv.hosting.pk, "belang-toelichting": ""}
    )
    assert response.status_code == 400
    assert not ConflictOfInterest.objects.exists()
    assert "De stemming hierover is al geopend" in response.context["conflict_form"].errors["agenda_item"][0]
    assert "De stemming hierover is al geopend" in text(response)  # shown on the page the user gets back
    assert alv.hosting not in _conflict_choices(login(alv.reps["a"]), alv.meeting)  # and no longer offered

    # The rule itself: the service refuses it too.
    with pytest.raises(ValidationError, match="De stemming hierover is al geopend"):
        services.conflict_declare(
            by=Actor(user=alv.reps["a"], member=alv.members["a"]),
            member=alv.members["a"],
            onderwerp=alv.hosting.titel,
            agenda_item=alv.hosting,
        )
    assert not ConflictOfInterest.objects.exists()


def test_a_late_conflict_is_explained_when_the_only_item_is_being_voted_on(secretaris):
    """With every item's poll open the form is not offered any more; a
    declaration posted from an older page is refused, and the page says why."""
    chair = Actor(user=secretaris)
    member = MemberFactory(code="enig", naam="Gemeente Enig")
    rep = member_user(member, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    meeting = record_alv(secretaris)
    meeting = services.meeting_convene(by=chair, meeting=meeting)
    item = services.agenda_item_add(by=chair, meeting=meeting, titel="Fusie")
    services.attendance_check_in(by=chair, meeting=meeting, member=member)
    services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=meeting.body, vraag="Fusie", regel="alv", agenda_item=item)
    )
    response = login(rep).post(url("meeting_conflict", meeting.pk), {"belang-agenda_item": item.pk})
    assert response.status_code == 400
    assert not ConflictOfInterest.objects.exists()
    errors = response.context["conflict_form"].errors["agenda_item"]
    assert any(error in text(response) for error in errors), f"{errors} not on the page"


def test_a_representative_cannot_declare_for_another_member(alv):
    rep_a = login(alv.reps["a"])
    rep_a.post(
        url("meeting_conflict", alv.meeting.pk),
        {"belang-member": alv.members["b"].pk, "belang-agenda_item": alv.hosting.pk},
    )
    assert not ConflictOfInterest.objects.filter(member=alv.members["b"]).exists()
    # Nor through the service, acting for A.
    with pytest.raises(PermissionDenied):
        services.conflict_declare(
            by=Actor(user=alv.reps["a"], member=alv.members["a"]),
            member=alv.members["b"],
            onderwerp=alv.hosting.titel,
            agenda_item=alv.hosting,
        )
    assert not ConflictOfInterest.objects.filter(member=alv.members["b"]).exists()


def test_a_representative_of_two_members_declares_only_for_the_member_acted_for(alv):
    """Acting for B (not A, whom the portal would pick first), a posted `member` A is ignored."""
    both = alv.reps["a"]
    membership_services.member_role_grant(both, alv.members["b"], MemberRole.Role.ALV_VERTEGENWOORDIGER, by=SYSTEM)
    client = acting_as(login(both), alv.members["b"])
    response = client.post(
        url("meeting_conflict", alv.meeting.pk),
        {"belang-member": alv.members["a"].pk, "belang-agenda_item": alv.hosting.pk},
    )
    assert response.status_code == 302
    assert list(ConflictOfInterest.objects.values_list("member", flat=True)) == [alv.members["b"].pk]


def test_the_secretary_declares_for_any_participating_member(alv, secretaris):
    client = login(secretaris)
    form = client.get(url("meeting", alv.meeting.pk)).context["conflict_form"]
    assert set(form.fields["member"].queryset) == set(alv.members.values())
    response = client.post(
        url("meeting_conflict", alv.meeting.pk),
        {"belang-member": alv.members["c"].pk, "belang-agenda_item": alv.begroting.pk, "belang-toelichting": "Gemeld"},
    )
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.member, conflict.agenda_item, conflict.meeting) == (alv.members["c"], alv.begroting, alv.meeting)


# --- 5. a conflict on a written decision ------------------------------------------------------


@pytest.fixture
def written_rvc(rvc_board, secretaris):
    return services.poll_create(
        by=Actor(user=secretaris),
        body=rvc_board.body,
        vraag="Bezoldiging directie 2027",
        regel="rvc-schriftelijk",
        deadline=timezone.now() + timedelta(days=7),
    )


def test_a_commissaris_with_a_conflict_is_left_out_and_the_others_decide_unanimously(
    rvc_board, written_rvc, secretaris
):
    poll = written_rvc
    conflicted = rvc_board.leden[0]
    client = login(conflicted.user)
    form = client.get(url("poll", poll.pk)).context["conflict_form"]
    assert "person" not in form.fields and "member" not in form.fields
    response = client.post(url("poll_conflict", poll.pk), {"belang-toelichting": "Familie van de directeur"})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get()
    assert (conflict.person, conflict.poll, conflict.member) == (conflicted.person, poll, None)

    services.poll_open(by=Actor(user=secretaris), poll=poll)
    others = [rvc_board.voorzitter, rvc_board.leden[1]]
    assert set(poll.voters.values_list("person", flat=True)) == {o.person.pk for o in others}
    for other in others:
        voter = PollVoter.objects.get(poll=poll, person=other.person)
        vote(login(other.user), poll, voter, "voor")
    # Everyone entitled voted, so the chair closes before the deadline.
    poll = services.poll_close(by=Actor(user=secretaris), poll=poll)
    assert (poll.uitslag, int(poll.voor), int(poll.stemgerechtigd)) == ("aangenomen", 2, 2)


def test_a_conflict_on_a_written_decision_after_it_opened_is_refused(rvc_board, written_rvc, secretaris):
    poll = services.poll_open(by=Actor(user=secretaris), poll=written_rvc)
    response = login(rvc_board.leden[1].user).post(url("poll_conflict", poll.pk), {"belang-toelichting": "Laat"})
    assert response.status_code == 400
    assert not ConflictOfInterest.objects.exists()
    assert PollVoter.objects.filter(poll=poll, person=rvc_board.leden[1].person).exists()
    # The commissaris reads why on the page he gets back.
    assert "De stemming hierover is al geopend" in text(response)


# --- 6. the directie's chair breaks a tie ---------------------------------------------------


def test_a_directie_tie_is_decided_by_the_algemeen_directeur(directie_board, directie_tie, secretaris):
    poll = directie_tie
    assert poll.voorzitter == directie_board.ad.person
    assert poll.voters.filter(aanwezig=True).count() == 2
    client = login(directie_board.ad.user)
    response = client.post(url("poll_close", poll.pk), follow=True)
    assert "De stemming is gesloten: aangenomen." in shown_messages(response)
    poll.refresh_from_db()
    assert (poll.uitslag, int(poll.voor), int(poll.tegen), poll.beslist_door_voorzitter) == (
        "aangenomen",
        1,
        1,
        True,
    )
    assert "beslist door de voorzitter, Dirk Algemeen" in text(client.get(url("poll", poll.pk)))


def test_the_directie_chair_is_frozen_when_the_poll_opens(directie_board, directie_tie, secretaris):
    poll = directie_tie
    today = timezone.localdate()
    # The algemeen directeur leaves; from today the directeur is algemeen directeur.
    services.mandate_end(by=SYSTEM, mandate=directie_board.ad.mandate, datum=today - timedelta(days=1), reden="Vertrek")
    decision = services.decision_record(
        by=SYSTEM,
        body=Body.objects.get(soort=Body.Kind.RVC),
        kenmerk="RvC-2026-99",
        datum=today,
        onderwerp="Nieuwe algemeen directeur",
    )
    services.mandate_change_function(
        by=SYSTEM, mandate=directie_board.directeur.mandate, functie="algemeen-directeur", datum=today, besluit=decision
    )
    assert selectors.tie_breaker(poll) == directie_board.directeur.person  # who would decide now
    poll = services.poll_close(by=Actor(user=secretaris), poll=poll)
    assert poll.voorzitter == directie_board.ad.person
    assert (poll.uitslag, poll.beslist_door_voorzitter) == ("aangenomen", True)


# --- 7. the ALV's notice period is a setting --------------------------------------------------


@pytest.fixture
def alv_in_three_weeks(secretaris):
    return record_alv(secretaris)


def test_a_longer_notice_period_from_the_settings_refuses_21_days(alv_in_three_weeks, secretaris):
    with override_settings(ALV_OPROEPTERMIJN_DAGEN=30), pytest.raises(ValidationError) as refused:
        services.meeting_convene(by=Actor(user=secretaris), meeting=alv_in_three_weeks)
    assert "30 dagen" in refused.value.message_dict["spoedreden"][0]
    alv_in_three_weeks.refresh_from_db()
    assert alv_in_three_weeks.bijeengeroepen_op is None and alv_in_three_weeks.spoedreden == ""


def test_the_default_notice_period_accepts_21_days(alv_in_three_weeks, secretaris):
    meeting = services.meeting_convene(by=Actor(user=secretaris), meeting=alv_in_three_weeks)
    assert meeting.bijeengeroepen_op is not None and meeting.spoedreden == ""


# --- 8. no vote at a meeting that was not convened --------------------------------------------


def test_a_poll_at_a_meeting_not_convened_does_not_open(secretaris):
    chair = Actor(user=secretaris)
    for code in ("x", "y"):
        MemberFactory(code=code)
    meeting = record_alv(secretaris)
    item = services.agenda_item_add(by=chair, meeting=meeting, titel="Begroting")
    poll = services.poll_create(by=chair, body=meeting.body, vraag="Begroting", regel="alv", agenda_item=item)
    with pytest.raises(ValidationError, match="bijeen"):
        services.poll_open(by=chair, poll=poll)
    poll.refresh_from_db()
    assert (poll.status, poll.geopend_op, poll.voorzitter) == (Poll.Status.CONCEPT, None, None)
    assert not PollVoter.objects.filter(poll=poll).exists()


# --- after review: the rules hold in the services too -------------------------------------


def test_a_poll_is_its_meetings_bodys_and_follows_that_bodys_rule(rvc_meeting, rvc_board, alv, directie_user):
    """Naming another body (the ALV's, to make every member a voter) or
    another body's rule does not get round who chairs a meeting."""
    meeting, item = rvc_meeting
    alv_body = alv.meeting.body
    with pytest.raises(PermissionDenied):  # the directie does not chair the RvC's meeting, whatever body it names
        services.poll_create(by=Actor(user=directie_user), body=alv_body, vraag="x", regel="alv", agenda_item=item)
    chair = Actor(user=rvc_board.voorzitter.user)
    with pytest.raises(ValidationError, match="het orgaan dat vergadert"):
        services.poll_create(by=chair, body=alv_body, vraag="x", regel="alv", agenda_item=item)
    with pytest.raises(ValidationError, match="besluit niet volgens de regel"):
        services.poll_create(by=chair, body=meeting.body, vraag="x", regel="alv", agenda_item=item)
    with pytest.raises(ValidationError, match="besluit niet volgens de regel"):
        services.poll_create(
            by=chair, body=meeting.body, vraag="x", regel="directie-schriftelijk", deadline=timezone.now()
        )
    assert not Poll.objects.exists()


def test_the_directie_cannot_make_itself_chair_or_secretary_of_an_rvc_meeting(rvc_board, rvc_meeting, directie_user):
    meeting, _item = rvc_meeting
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            by=Actor(user=directie_user),
            body=rvc_board.body,
            datum=timezone.localdate() + timedelta(days=40),
            titel="RvC besloten",
            besloten=True,
            voorzitter=directie_user,
        )
    assert "voorzitter" in refused.value.message_dict
    assert not Meeting.objects.filter(titel="RvC besloten").exists()
    # Nor does it keep the RvC's register: no agenda items, no check-in.
    client = login(directie_user)
    assert client.post(url("agenda_item_add", meeting.pk), {"titel": "Eigen punt"}).status_code == 403
    person = rvc_board.leden[0].person
    assert client.post(url("meeting_check_in", meeting.pk), {"aanwezig-person": person.pk}).status_code == 403
    assert meeting.items.count() == 1 and not Attendance.objects.exists()


def test_a_conflict_needs_someone_logged_in(rvc_meeting, rvc_board):
    _meeting, item = rvc_meeting
    with pytest.raises(PermissionDenied):
        services.conflict_declare(
            by=Actor(user=None), person=rvc_board.leden[0].person, onderwerp="x", agenda_item=item
        )
    assert not ConflictOfInterest.objects.exists()


def test_a_conflicted_algemeen_directeur_does_not_break_the_tie(directie_board, secretaris):
    """With the algemeen directeur out (a conflict), there is no tie-breaker:
    1 voor and 1 tegen of the others is rejected, and not 'decided by the chair'."""
    chair = Actor(user=secretaris)
    third_user = with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))
    third = services.person_create(by=SYSTEM, naam="Derk Derde", user=third_user)
    services.mandate_appoint(
        by=SYSTEM,
        body=directie_board.body,
        person=third,
        functie="directeur",
        ingangsdatum=date(2025, 1, 1),
        besluit=directie_board.ad.mandate.besluit,
    )
    meeting = services.meeting_record(by=chair, body=directie_board.body, datum=timezone.localdate(), titel="MT")
    meeting = services.meeting_convene(by=chair, meeting=meeting, spoedreden="Spoed")
    item = services.agenda_item_add(by=chair, meeting=meeting, titel="Eigen arbeidsvoorwaarden")
    services.conflict_declare(
        by=Actor(user=directie_board.ad.user), person=directie_board.ad.person, onderwerp="x", agenda_item=item
    )
    for person in (directie_board.directeur.person, third):
        services.attendance_check_in(by=chair, meeting=meeting, person=person)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(by=chair, body=directie_board.body, vraag="x", regel="directie", agenda_item=item),
    )
    assert poll.voorzitter is None
    for user, person, keuze in (
        (directie_board.directeur.user, directie_board.directeur.person, "voor"),
        (third_user, third, "tegen"),
    ):
        voter = PollVoter.objects.get(poll=poll, person=person)
        services.ballot_cast(by=Actor(user=user), poll=poll, voter=voter, keuze=keuze)
    poll = services.poll_close(by=chair, poll=poll)
    assert (poll.uitslag, poll.beslist_door_voorzitter) == ("verworpen", False)
    assert "beslist door de voorzitter" not in text(login(secretaris).get(url("poll", poll.pk)))


def test_the_minutes_say_when_the_chair_decided(directie_tie, secretaris):
    poll = services.poll_close(by=Actor(user=secretaris), poll=directie_tie)
    meeting = poll.agenda_item.meeting
    client = login(secretaris)
    csv = client.get(url("meeting_export_csv", meeting.pk)).content.decode("utf-8-sig")
    assert f";Dirk Algemeen;{poll.controlegetal}" in csv
    from governance import exports_meetings

    html = exports_meetings.minutes_pdf(meeting).html
    assert "beslist door de voorzitter, Dirk Algemeen" in html


def test_a_member_that_left_the_coöperatie_is_not_in_a_community_electorate(community_meeting, secretaris):
    c = community_meeting
    type(c.p2).objects.filter(pk=c.p2.pk).update(status="opgezegd")
    chair = Actor(user=c.coordinator)
    services.meeting_convene(by=chair, meeting=c.meeting)
    for member in (c.p1,):
        services.attendance_check_in(by=Actor(user=secretaris), meeting=c.meeting, member=member)
    poll = services.poll_open(
        by=chair,
        poll=services.poll_create(by=chair, body=c.body, vraag="x", regel="community", agenda_item=c.item),
    )
    assert [v.member for v in poll.voters.all()] == [c.p1]


def test_besloten_conflicts_stay_with_the_rvc(rvc_board, secretaris, directie_user):
    meeting = services.meeting_record(
        by=Actor(user=secretaris),
        body=rvc_board.body,
        datum=timezone.localdate() + timedelta(days=35),
        titel="RvC besloten",
        besloten=True,
        voorzitter=rvc_board.voorzitter.user,
    )
    item = services.agenda_item_add(
        by=Actor(user=rvc_board.voorzitter.user), meeting=meeting, titel="Ontslag algemeen directeur"
    )
    lid = rvc_board.leden[0]
    services.conflict_declare(by=Actor(user=lid.user), person=lid.person, onderwerp=item.titel, agenda_item=item)
    with pytest.raises(PermissionDenied):  # the register's managers do not declare at a besloten meeting
        services.conflict_declare(
            by=Actor(user=directie_user), person=rvc_board.leden[1].person, onderwerp="x", agenda_item=item
        )
    assert "Ontslag algemeen directeur" not in text(login(directie_user).get(url("conflicts")))
    assert "Ontslag algemeen directeur" in text(login(rvc_board.voorzitter.user).get(url("conflicts")))
    assert login(directie_user).post(url("agenda_item_minutes", item.pk), {"verslag": "x"}).status_code == 404


def test_a_concepts_title_does_not_go_on_the_agenda(alv, secretaris):
    from tests.governance.test_documents import make_document, pdf_upload

    chair = Actor(user=secretaris)
    concept = make_document(chair, titel="Concept fusievoorstel", bestand=pdf_upload(), shared=False)
    shared = make_document(chair, titel="Jaarverslag", bestand=pdf_upload())
    assert list(selectors.meeting_documents(alv.meeting)) == [shared]
    with pytest.raises(ValidationError, match="Concept fusievoorstel"):
        services.agenda_item_add(by=chair, meeting=alv.meeting, titel="Fusie", documenten=[concept])

"""The meeting and voting pages through the test client: the whole ALV
flow (proxy, approval, check-in, a poll with a vote for a principal, live
progress, the result, the minutes), the wrong users, bad input with the
services' messages, written decisions, the exports, the audit chain's check
and query budgets."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance import services
from governance.models import Ballot, Body, Meeting, Poll, PollVoter, Proxy
from membership.models import MemberRole
from tests.conftest import login, with_totp
from tests.factories import MemberFactory, UserFactory, member_user

SYSTEM = Actor.system()
PDF = b"%PDF-1.4\n%%EOF\n"
pytestmark = pytest.mark.django_db


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def alv(secretaris):
    """An ALV in three weeks with one agenda item, and three members each
    with a representative who is also its lid-beheerder."""
    body = Body.objects.get(soort=Body.Kind.ALV)
    meeting = services.meeting_record(
        by=Actor(user=secretaris), body=body, datum=timezone.localdate() + timedelta(days=21), titel="ALV voorjaar"
    )
    meeting = services.meeting_convene(by=Actor(user=secretaris), meeting=meeting)
    item = meeting.items.create(volgorde=1, titel="Begroting 2027", voorstel="De ALV stelt de begroting 2027 vast.")
    members = {code: MemberFactory(code=code, naam=f"Gemeente {code.upper()}") for code in ("a", "b", "c")}
    reps = {
        code: member_user(member, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER)
        for code, member in members.items()
    }
    return meeting, item, members, reps


def url(name, *args):
    from django.urls import reverse

    return reverse(f"governance:{name}", args=args)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def shown_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(re.sub(r"[ \u00a0]+", " ", page.extract_text()) for page in reader.pages)


def voter_of(poll, member) -> PollVoter:
    return PollVoter.objects.get(poll=poll, member=member)


def grant(client, meeting, gevolmachtigde, **extra):
    data = {"volmacht-gevolmachtigde": gevolmachtigde.pk, "volmacht-omvang": "vergadering", **extra}
    return client.post(url("proxy_grant", meeting.pk), data)


def new_poll(client, item, **extra):
    data = {"vraag": item.titel, "regel": "alv", "quorum": "", **extra}
    response = client.post(url("poll_new", item.pk), data)
    assert response.status_code == 302, text(response)
    return Poll.objects.get(agenda_item=item)


def vote(client, poll, voter, keuze, follow=True):
    return client.post(url("poll_vote", poll.pk, voter.pk), {f"stem-{voter.pk}-keuze": keuze}, follow=follow)


# --- the whole ALV flow ----------------------------------------------------------------


def test_the_alv_flow_through_the_pages(alv, secretaris):
    meeting, item, members, reps = alv
    chair = login(secretaris)
    rep = {code: login(user) for code, user in reps.items()}

    # C gives B a proxy, signed in the portal by its lid-beheerder.
    page = rep["c"].get(url("meeting", meeting.pk))
    assert page.status_code == 200 and "Volmacht geven" in text(page)
    assert "Ondertekenen in het portaal" in text(page)
    response = grant(rep["c"], meeting, members["b"], **{"volmacht-ondertekenen": "on"})
    assert response.status_code == 302
    proxy = Proxy.objects.get(meeting=meeting)
    assert (proxy.verlener, proxy.gevolmachtigde, proxy.status) == (members["c"], members["b"], "aangevraagd")
    assert proxy.ondertekend_door == reps["c"]

    # The chair prepares a poll; it does not open while the proxy waits.
    poll = new_poll(chair, item)
    response = chair.post(url("poll_open", poll.pk), follow=True)
    assert any("1 volmacht(en) op goedkeuring" in m for m in shown_messages(response))
    poll.refresh_from_db()
    assert poll.status == Poll.Status.CONCEPT and not poll.voters.exists()

    # The secretary approves the proxy and checks A and B in.
    page = chair.get(url("meeting", meeting.pk))
    assert "Goedkeuren" in text(page) and "1 volmacht wacht op goedkeuring" in text(page)
    response = chair.post(url("proxy_decide", proxy.pk), {"besluit": "goedkeuren"}, follow=True)
    assert "De volmacht van Gemeente C is goedgekeurd." in shown_messages(response)
    for code in ("a", "b"):
        response = chair.post(url("meeting_check_in", meeting.pk), {"aanwezig-member": members[code].pk})
        assert response.status_code == 302
    page = text(chair.get(url("meeting", meeting.pk)))
    assert "2 aanwezig" in page and "Goedgekeurd" in page

    response = chair.post(url("poll_open", poll.pk), follow=True)
    assert "De stemming is geopend. Stemgerechtigden: 3." in shown_messages(response)
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN

    # A votes for itself; B for itself and, separately, for C.
    page = rep["a"].get(url("poll", poll.pk))
    assert text(page).count("Stem uitbrengen") == 1 and "<legend" in text(page)
    assert "Stem namens Gemeente A" in text(
        page
    ) and "Een stem is definitief: na het uitbrengen kunt u haar niet meer wijzigen." in text(page)
    assert "Stemming sluiten" not in text(page)
    response = vote(rep["a"], poll, voter_of(poll, members["a"]), "voor")
    assert "Uw stem namens Gemeente A is uitgebracht. Een stem is definitief." in shown_messages(response)

    progress = chair.get(url("poll_progress", poll.pk))
    assert progress.status_code == 200
    fragment = text(progress)
    assert "Gestemd: 1 van 3 stemgerechtigden." in fragment
    assert 'hx-trigger="every 2s"' in fragment
    assert not re.search(r"\b(voor|tegen|onthouding)\b", fragment)

    page = text(rep["b"].get(url("poll", poll.pk)))
    assert page.count("Stem uitbrengen") == 2
    assert "Stem namens Gemeente B" in page and "Stem namens Gemeente C (volmacht)" in page
    vote(rep["b"], poll, voter_of(poll, members["b"]), "tegen")
    vote(rep["b"], poll, voter_of(poll, members["c"]), "voor")
    page = text(rep["b"].get(url("poll", poll.pk)))
    assert "Namens Gemeente C gestemd: voor." in page and "Stem uitbrengen" not in page

    chair_page = text(chair.get(url("poll", poll.pk)))
    assert "Gestemd: 3 van 3 stemgerechtigden." in chair_page
    assert f'hx-get="{url("poll_progress", poll.pk)}"' in chair_page

    response = chair.post(url("poll_close", poll.pk), follow=True)
    assert "De stemming is gesloten: aangenomen." in shown_messages(response)
    result = text(response)
    assert "Het voorstel is aangenomen." in result
    for label, value in [
        ("Voor", "2"),
        ("Tegen", "1"),
        ("Onthouding", "0"),
        ("Uitgebracht (voor en tegen)", "3"),
        ("Aanwezig of vertegenwoordigd", "3"),
        ("Stemgerechtigd", "3"),
    ]:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in result, label
    poll.refresh_from_db()
    assert "ALV, gewone meerderheid" in result and poll.controlegetal in result
    # Closed: the progress region no longer polls.
    assert 'hx-trigger="every 2s"' not in text(chair.get(url("poll_progress", poll.pk)))

    # The minutes list the proxy and the poll.
    response = chair.get(url("meeting_minutes_pdf", meeting.pk))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    minutes = pdf_text(response.content)
    register = minutes.split("Volmachtenregister", 1)[1].split("3. Notulen en besluitenlijst", 1)[0]
    assert re.search(r"Gemeente C\s*Gemeente B\s*Hele\s*vergadering", register), register
    assert "Goedgekeurd" in register and secretaris.get_full_name() in " ".join(register.split())
    assert "aangenomen" in minutes and poll.controlegetal[:20] in minutes.replace("\n", "")

    csv = chair.get(url("meeting_export_csv", meeting.pk))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    rows = csv.content.decode("utf-8-sig")
    assert "Gemeente C;Gemeente B;Hele vergadering;Goedgekeurd" in rows
    assert "aangenomen;2;1;0;3;3;3;;" + poll.controlegetal in rows


# --- wrong users ---------------------------------------------------------------------


@pytest.fixture
def open_poll(alv, secretaris):
    """A and B present, C gave B an approved proxy, the poll open."""
    meeting, item, members, reps = alv
    chair = Actor(user=secretaris)
    proxy = services.proxy_grant(
        by=Actor(user=reps["c"], member=members["c"]), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
    )
    services.proxy_decide(by=chair, proxy=proxy, approve=True)
    for code in ("a", "b"):
        services.attendance_check_in(by=chair, meeting=meeting, member=members[code])
    poll = services.poll_create(by=chair, body=meeting.body, vraag="Begroting", regel="alv", agenda_item=item)
    return services.poll_open(by=chair, poll=poll)


def test_a_member_rep_cannot_chair_or_vote_for_another_member(alv, open_poll):
    meeting, item, members, reps = alv
    poll = open_poll
    rep_a, rep_c = login(reps["a"]), login(reps["c"])
    assert rep_a.post(url("poll_close", poll.pk)).status_code == 403
    assert rep_a.get(url("poll_progress", poll.pk)).status_code == 403
    assert rep_a.get(url("poll_new", item.pk)).status_code == 403
    assert rep_a.post(url("agenda_item_add", meeting.pk), {"titel": "x"}).status_code == 403
    assert rep_a.post(url("meeting_check_in", meeting.pk), {"aanwezig-member": members["c"].pk}).status_code == 403
    assert rep_a.get(url("meeting_minutes_pdf", meeting.pk)).status_code == 403
    assert rep_a.get(url("meeting_export_csv", meeting.pk)).status_code == 403
    # Voting for B, or C voting for itself after giving B its proxy: refused, nothing stored.
    assert vote(rep_a, poll, voter_of(poll, members["b"]), "tegen", follow=False).status_code == 403
    assert vote(rep_c, poll, voter_of(poll, members["c"]), "tegen", follow=False).status_code == 403
    assert not Ballot.objects.exists()
    page = text(rep_c.get(url("poll", poll.pk)))
    assert "Stem uitbrengen" not in page
    # A concept poll cannot be opened by a member either.
    concept = services.poll_create(by=SYSTEM, body=meeting.body, vraag="Tweede", regel="alv", agenda_item=item)
    assert rep_a.post(url("poll_open", concept.pk)).status_code == 403
    concept.refresh_from_db()
    assert concept.status == Poll.Status.CONCEPT


def test_a_second_vote_is_refused_as_already_cast(alv, open_poll):
    _meeting, _item, members, reps = alv
    rep_a = login(reps["a"])
    voter = voter_of(open_poll, members["a"])
    vote(rep_a, open_poll, voter, "voor")
    response = vote(rep_a, open_poll, voter, "tegen")
    assert any("al gestemd" in m for m in shown_messages(response))
    assert list(Ballot.objects.values_list("keuze", flat=True)) == ["voor"]


def test_a_secret_poll_shows_that_but_not_what_was_voted(alv, secretaris):
    meeting, item, members, reps = alv
    chair = login(secretaris)
    for member in members.values():
        services.attendance_check_in(by=Actor(user=secretaris), meeting=meeting, member=member)
    poll = new_poll(chair, item, geheim="on")
    assert poll.geheim
    chair.post(url("poll_open", poll.pk))
    rep_a = login(reps["a"])
    vote(rep_a, poll, voter_of(poll, members["a"]), "tegen")
    page = text(rep_a.get(url("poll", poll.pk)))
    assert "Namens Gemeente A is gestemd." in page and "tegen gestemd" not in page
    chair_page = text(chair.get(url("poll", poll.pk)))
    assert "Gestemd: 1 van 3 stemgerechtigden." in chair_page
    chair.post(url("poll_close", poll.pk))
    rows = chair.get(url("meeting_export_csv", meeting.pk)).content.decode("utf-8-sig")
    electorate = rows.split("Stemgerechtigden per stemming", 1)[1]
    assert "Gemeente A;1;ja;;ja;\r\n" in electorate and ";tegen" not in electorate
    assert "verworpen" in text(chair.get(url("poll", poll.pk)))


def test_a_ballot_without_a_choice_names_the_field(alv, open_poll):
    _meeting, _item, members, reps = alv
    voter = voter_of(open_poll, members["a"])
    response = login(reps["a"]).post(url("poll_vote", open_poll.pk, voter.pk), {})
    assert response.status_code == 400
    assert "Kies voor, tegen of onthouding." in text(response)
    assert not Ballot.objects.exists()


def test_a_vote_after_closing_is_refused(alv, open_poll, secretaris):
    _meeting, _item, members, reps = alv
    services.poll_close(by=Actor(user=secretaris), poll=open_poll)
    response = vote(login(reps["a"]), open_poll, voter_of(open_poll, members["a"]), "voor")
    assert any("gesloten" in m for m in shown_messages(response))
    assert not Ballot.objects.exists()


def test_outsiders_get_403_or_404(alv, open_poll):
    meeting, _item, _members, reps = alv
    stranger = login(UserFactory())
    assert stranger.get(url("meeting", meeting.pk)).status_code == 403
    assert stranger.get(url("poll", open_poll.pk)).status_code == 403
    # The user of a member that has left is no member of the ALV.
    gone = MemberFactory(code="weg", naam="Gemeente Weg", status="beeindigd")
    former = login(member_user(gone, MemberRole.Role.ALV_VERTEGENWOORDIGER))
    assert former.get(url("meeting", meeting.pk)).status_code == 403
    # Another body's meeting does not exist for a member's representative.
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    rvc_meeting = Meeting.objects.create(body=rvc, datum=date(2026, 3, 1), titel="RvC")
    rep = login(reps["a"])
    assert rep.get(url("meeting", rvc_meeting.pk)).status_code == 404
    assert rep.get(url("meeting", 999_999)).status_code == 404
    anonymous = login(UserFactory())
    anonymous.logout()
    assert anonymous.get(url("meeting", meeting.pk)).status_code == 302


def test_only_the_principal_revokes_and_only_the_secretary_decides(alv, secretaris):
    meeting, _item, members, reps = alv
    proxy = services.proxy_grant(
        by=Actor(user=reps["c"], member=members["c"]), meeting=meeting, gevolmachtigde=members["b"], ondertekenen=True
    )
    rep_b = login(reps["b"])
    assert rep_b.post(url("proxy_revoke", proxy.pk)).status_code == 403
    assert rep_b.post(url("proxy_decide", proxy.pk), {"besluit": "goedkeuren"}).status_code == 403
    page = text(login(reps["c"]).get(url("meeting", meeting.pk)))
    assert "Intrekken" in page and "Volmacht geven" not in page
    response = login(reps["c"]).post(url("proxy_revoke", proxy.pk), follow=True)
    assert "De volmacht aan Gemeente B is ingetrokken." in shown_messages(response)
    proxy.refresh_from_db()
    assert proxy.status == Proxy.Status.INGETROKKEN
    response = login(secretaris).post(url("proxy_decide", proxy.pk), {"besluit": "goedkeuren"}, follow=True)
    assert any("al ingetrokken" in m for m in shown_messages(response))


# --- bad input with the services' messages ---------------------------------------------


def test_a_proxy_to_oneself_and_beyond_the_cap_are_refused(alv):
    meeting, _item, members, reps = alv
    rep_a = login(reps["a"])
    response = grant(rep_a, meeting, members["a"], **{"volmacht-ondertekenen": "on"})
    assert response.status_code == 400
    assert "Een lid kan zichzelf geen volmacht geven." in text(response)
    # The member itself is not offered as gevolmachtigde.
    form = response.context["proxy_form"]
    assert [c[1] for c in form.fields["gevolmachtigde"].widget.choices][1:] == ["Gemeente B", "Gemeente C"]

    assert grant(login(reps["c"]), meeting, members["b"], **{"volmacht-ondertekenen": "on"}).status_code == 302
    response = grant(rep_a, meeting, members["b"], **{"volmacht-ondertekenen": "on"})
    assert response.status_code == 400
    assert "het maximum is 1 volmacht(en) per gevolmachtigde" in text(response)
    assert Proxy.objects.count() == 1


def test_a_proxy_needs_a_signature_and_a_pdf_upload_works(alv):
    meeting, item, members, reps = alv
    rep_a = login(reps["a"])
    response = grant(rep_a, meeting, members["b"])
    assert response.status_code == 400
    assert "Upload de ondertekende volmacht, of teken in het portaal." in text(response)
    response = grant(rep_a, meeting, members["b"], **{"volmacht-omvang": "agendapunten"})
    assert "Kies de agendapunten waarvoor de volmacht geldt." in text(response)
    not_pdf = SimpleUploadedFile("volmacht.pdf", b"dit is geen pdf", content_type="application/pdf")
    response = grant(rep_a, meeting, members["b"], **{"volmacht-bestand": not_pdf})
    assert response.status_code == 400 and "geen PDF-bestand" in text(response)
    upload = SimpleUploadedFile("volmacht.pdf", PDF, content_type="application/pdf")
    response = grant(
        rep_a,
        meeting,
        members["b"],
        **{"volmacht-bestand": upload, "volmacht-omvang": "agendapunten", "volmacht-agendapunten": [item.pk]},
    )
    assert response.status_code == 302
    proxy = Proxy.objects.get()
    assert list(proxy.agendapunten.all()) == [item] and proxy.ondertekend_door is None
    # The signed PDF: for the members it concerns and the secretary, not for a third member.
    assert login(reps["a"]).get(url("proxy_file", proxy.pk)).status_code == 200
    assert login(reps["b"]).get(url("proxy_file", proxy.pk)).status_code == 200
    assert login(reps["c"]).get(url("proxy_file", proxy.pk)).status_code == 403


def test_only_the_lid_beheerder_signs_in_the_portal(alv):
    meeting, _item, members, _reps = alv
    rep_only = member_user(members["a"], MemberRole.Role.ALV_VERTEGENWOORDIGER)
    client = login(rep_only)
    page = text(client.get(url("meeting", meeting.pk)))
    assert "Volmacht geven" in page and "Ondertekenen in het portaal" not in page
    # A forged field is not in the form, so the service asks for the PDF.
    response = grant(client, meeting, members["b"], **{"volmacht-ondertekenen": "on"})
    assert response.status_code == 400 and "Upload de ondertekende volmacht" in text(response)
    assert not Proxy.objects.exists()


def test_a_bad_quorum_is_shown_at_its_field(alv, secretaris):
    _meeting, item, _members, _reps = alv
    response = login(secretaris).post(url("poll_new", item.pk), {"vraag": "x", "regel": "alv", "quorum": "de helft"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["quorum"] == ["Geef het quorum als breuk, bijvoorbeeld 1/2."]
    assert not Poll.objects.exists()


def test_convening_with_a_short_notice_needs_a_reason(secretaris):
    body = Body.objects.get(soort=Body.Kind.ALV)
    soon = Meeting.objects.create(body=body, datum=timezone.localdate() + timedelta(days=10), titel="Spoed-ALV")
    client = login(secretaris)
    page = text(client.get(url("meeting", soon.pk)))
    assert "Oproep versturen" in page and "Reden voor een kortere oproeptermijn" in page
    response = client.post(url("meeting_convene", soon.pk), {"oproep-spoedreden": ""})
    assert response.status_code == 400
    assert "14 dagen" in response.context["convene_form"].errors["spoedreden"][0]
    soon.refresh_from_db()
    assert soon.bijeengeroepen_op is None
    response = client.post(url("meeting_convene", soon.pk), {"oproep-spoedreden": "Fusievoorstel met termijn"})
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.spoedreden == "Fusievoorstel met termijn" and soon.bijeengeroepen_op is not None
    page = text(client.get(url("meeting", soon.pk)))
    assert "Fusievoorstel met termijn" in page and "Oproep versturen" not in page


def test_convening_in_time_asks_no_reason_and_members_cannot(alv, secretaris):
    _meeting, _item, _members, reps = alv
    meeting = services.meeting_record(
        by=Actor(user=secretaris), body=_meeting.body, datum=timezone.localdate() + timedelta(days=28), titel="Najaar"
    )
    assert "Oproep versturen" not in text(login(reps["a"]).get(url("meeting", meeting.pk)))
    assert login(reps["a"]).post(url("meeting_convene", meeting.pk)).status_code == 403
    page = text(login(secretaris).get(url("meeting", meeting.pk)))
    assert "Oproep versturen" in page and "Reden voor een kortere oproeptermijn" not in page
    assert login(secretaris).post(url("meeting_convene", meeting.pk)).status_code == 302
    meeting.refresh_from_db()
    assert meeting.bijeengeroepen_op is not None and meeting.spoedreden == ""


def test_self_check_in_online_and_a_double_check_in(alv, secretaris):
    meeting, _item, members, reps = alv
    rep_a = login(reps["a"])
    assert "Ik ben aanwezig" not in text(rep_a.get(url("meeting", meeting.pk)))
    Meeting.objects.filter(pk=meeting.pk).update(online=True)
    assert "Ik ben aanwezig" in text(rep_a.get(url("meeting", meeting.pk)))
    response = rep_a.post(url("meeting_self_check_in", meeting.pk), follow=True)
    assert "U bent ingecheckt als aanwezig." in shown_messages(response)
    assert "Ik ben aanwezig" not in text(response)
    attendance = meeting.attendance.get()
    assert (attendance.member, attendance.zelf) == (members["a"], True)
    response = login(secretaris).post(url("meeting_check_in", meeting.pk), {"aanwezig-member": members["a"].pk})
    assert response.status_code == 400  # A is no longer offered
    assert meeting.attendance.count() == 1


def test_the_secretary_adds_an_agenda_item(alv, secretaris):
    meeting, _item, _members, _reps = alv
    client = login(secretaris)
    response = client.post(url("agenda_item_add", meeting.pk), {"titel": ""})
    assert response.status_code == 400
    response = client.post(
        url("agenda_item_add", meeting.pk), {"titel": "Jaarrekening 2026", "voorstel": "Vaststellen"}
    )
    assert response.status_code == 302
    assert list(meeting.items.values_list("volgorde", "titel")) == [(1, "Begroting 2027"), (2, "Jaarrekening 2026")]
    assert AuditEvent.objects.filter(action="meeting.agenda_item_add").count() == 1
    assert "2. Jaarrekening 2026" in text(client.get(url("meeting", meeting.pk)))


# --- RvC: check-in of persons, and a written decision ---------------------------------------


@pytest.fixture
def commissarissen(db):
    rvc = Body.objects.get(soort=Body.Kind.RVC)
    decision = services.decision_record(
        by=SYSTEM, body=Body.objects.get(soort=Body.Kind.ALV), kenmerk="ALV-1", datum=date(2025, 1, 1), onderwerp="x"
    )
    people = []
    for n in range(3):
        user = with_totp(UserFactory(roles=[StaffRole.RVC]))
        person = services.person_create(by=SYSTEM, naam=f"Commissaris {n}", geboortedatum=date(1970, 1, 1), user=user)
        services.mandate_appoint(
            by=SYSTEM, body=rvc, person=person, functie="lid", ingangsdatum=date(2025, 1, 1), besluit=decision
        )
        people.append(person)
    return rvc, people


def test_a_written_rvc_decision_lists_its_non_responders(commissarissen, secretaris):
    rvc, people = commissarissen
    client = login(secretaris)
    deadline = (timezone.localtime() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("written_new"), {"body": rvc.pk, "vraag": "Goedkeuring begroting", "deadline": "x"})
    assert response.status_code == 400
    past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url("written_new"), {"body": rvc.pk, "vraag": "Goedkeuring", "deadline": past})
    assert "De termijn moet in de toekomst liggen." in text(response)
    response = client.post(url("written_new"), {"body": rvc.pk, "vraag": "Goedkeuring begroting", "deadline": deadline})
    poll = Poll.objects.get()
    assert response.status_code == 302 and (poll.regel, poll.agenda_item) == ("rvc-schriftelijk", None)
    client.post(url("poll_open", poll.pk))
    for person in people[:2]:
        commissaris = login(person.user)
        page = text(commissaris.get(url("poll", poll.pk)))
        assert f"Stem namens {person.naam}" in page
        voter = PollVoter.objects.get(poll=poll, person=person)
        vote(commissaris, poll, voter, "voor")
    assert "Goedkeuring begroting" in text(client.get(url("written_list")))
    Poll.objects.filter(pk=poll.pk).update(deadline=timezone.now() - timedelta(seconds=1))  # the term passed
    client.post(url("poll_close", poll.pk))
    page = text(client.get(url("poll", poll.pk)))
    assert "Geen quorum: het voorstel is niet aangenomen." in page
    assert "Niet gestemd" in page and "<li>Commissaris 2</li>" in page
    # Recorded in the minutes of the RvC's next meeting.
    meeting = Meeting.objects.create(body=rvc, datum=timezone.localdate() + timedelta(days=30), titel="RvC najaar")
    minutes = pdf_text(client.get(url("meeting_minutes_pdf", meeting.pk)).content)
    written = minutes.split("Besluiten buiten vergadering", 1)[1]
    assert "Goedkeuring begroting" in written and "geen quorum" in written and "Commissaris 2" in written


def test_an_rvc_meeting_checks_in_persons(commissarissen, secretaris):
    rvc, people = commissarissen
    meeting = Meeting.objects.create(body=rvc, datum=timezone.localdate(), titel="RvC", online=True)
    client = login(secretaris)
    page = client.get(url("meeting", meeting.pk))
    choices = [c[1] for c in page.context["check_in_form"].fields["person"].choices][1:]
    assert choices == ["Commissaris 0", "Commissaris 1", "Commissaris 2"]
    assert "Volmacht" not in text(page)
    assert client.post(url("meeting_check_in", meeting.pk), {"aanwezig-person": people[0].pk}).status_code == 302
    commissaris = login(people[1].user)
    assert "Ik ben aanwezig" in text(commissaris.get(url("meeting", meeting.pk)))
    assert commissaris.post(url("meeting_self_check_in", meeting.pk)).status_code == 302
    assert set(meeting.attendance.values_list("person__naam", "zelf")) == {
        ("Commissaris 0", False),
        ("Commissaris 1", True),
    }
    # A commissaris sees the meeting but does not chair it or keep its register.
    assert commissaris.post(url("meeting_check_in", meeting.pk), {"aanwezig-person": people[2].pk}).status_code == 403
    item = meeting.items.create(volgorde=1, titel="Contract")
    assert commissaris.get(url("poll_new", item.pk)).status_code == 403


def test_the_meetings_own_chair_may_chair_its_polls(alv):
    meeting, item, _members, _reps = alv
    voorzitter = with_totp(UserFactory(roles=[StaffRole.RVC]))
    Meeting.objects.filter(pk=meeting.pk).update(voorzitter=voorzitter)
    client = login(voorzitter)
    poll = new_poll(client, item)
    assert client.post(url("poll_open", poll.pk)).status_code == 302
    poll.refresh_from_db()
    assert poll.status == Poll.Status.OPEN
    assert client.get(url("poll_progress", poll.pk)).status_code == 200


# --- the audit chain --------------------------------------------------------------------


def test_the_audit_check_shows_intact_or_the_first_broken_event(alv, directie, secretaris):
    assert login(secretaris).get(url("audit_verify")).status_code == 403
    client = login(directie)
    page = text(client.get(url("audit_verify")))
    assert "De keten is intact." in page
    event = AuditEvent.objects.order_by("id")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE common_auditevent SET action = %s WHERE id = %s", ["gewijzigd", event.pk])
    page = text(client.get(url("audit_verify")))
    assert f"De keten is verbroken bij regel {event.pk}." in page


# --- query budgets -----------------------------------------------------------------------


@pytest.fixture
def thirty(secretaris):
    """An ALV poll with 30 members, 20 present, 10 votes cast."""
    body = Body.objects.get(soort=Body.Kind.ALV)
    chair = Actor(user=secretaris)
    meeting = services.meeting_record(by=chair, body=body, datum=timezone.localdate() + timedelta(days=21), titel="ALV")
    meeting = services.meeting_convene(by=chair, meeting=meeting)
    item = meeting.items.create(volgorde=1, titel="Begroting")
    members = [MemberFactory(code=f"m{n:02d}", naam=f"Gemeente {n:02d}") for n in range(30)]
    reps = [member_user(m, MemberRole.Role.ALV_VERTEGENWOORDIGER) for m in members]
    for proxy_from, holder in ((members[25], members[0]),):
        proxy = services.proxy_grant(
            by=Actor(
                user=member_user(proxy_from, MemberRole.Role.ALV_VERTEGENWOORDIGER, MemberRole.Role.LID_BEHEERDER),
                member=proxy_from,
            ),
            meeting=meeting,
            gevolmachtigde=holder,
            ondertekenen=True,
        )
        services.proxy_decide(by=chair, proxy=proxy, approve=True)
    for member in members[:20]:
        services.attendance_check_in(by=chair, meeting=meeting, member=member)
    poll = services.poll_open(
        by=chair, poll=services.poll_create(by=chair, body=body, vraag="x", regel="alv", agenda_item=item)
    )
    for member, rep in list(zip(members, reps, strict=True))[1:11]:
        services.ballot_cast(by=Actor(user=rep, member=member), poll=poll, voter=voter_of(poll, member), keuze="voor")
    return meeting, poll, members, reps


def test_query_budget_of_the_poll_page_with_30_voters(thirty, secretaris, django_assert_max_num_queries):
    meeting, poll, _members, reps = thirty
    chair = login(secretaris)
    with django_assert_max_num_queries(20):
        page = chair.get(url("poll", poll.pk))
    assert page.status_code == 200 and "Gestemd: 10 van 30 stemgerechtigden." in text(page)
    holder = login(reps[0])
    with django_assert_max_num_queries(20):
        page = holder.get(url("poll", poll.pk))
    assert text(page).count("Stem uitbrengen") == 2
    absent = text(login(reps[22]).get(url("poll", poll.pk)))
    assert "Gemeente 22 was niet aanwezig of vertegenwoordigd toen de stemming opende." in absent
    assert "Stem uitbrengen" not in absent
    with django_assert_max_num_queries(12):
        chair.get(url("poll_progress", poll.pk))
    services.poll_close(by=Actor(user=secretaris), poll=poll)
    with django_assert_max_num_queries(20):
        page = chair.get(url("poll", poll.pk))
    assert "Het voorstel is aangenomen." in text(page)
    with django_assert_max_num_queries(25):
        assert chair.get(url("meeting", meeting.pk)).status_code == 200
    with django_assert_max_num_queries(20):
        assert chair.get(url("meeting_export_csv", meeting.pk)).status_code == 200


def test_the_secretary_drafts_the_minutes_and_the_besluitenlijst(alv, secretaris):
    meeting, item, _members, reps = alv
    minutes_url = url("agenda_item_minutes", item.pk)
    member = login(reps["a"])
    assert member.post(minutes_url, {"verslag": "x", "besluit": "y"}).status_code == 403
    chair = login(secretaris)
    response = chair.post(
        minutes_url,
        {"verslag": "De directie licht de begroting toe.", "besluit": "De ALV stelt de begroting 2027 vast."},
        follow=True,
    )
    assert "Het verslag van agendapunt 1 is opgeslagen." in shown_messages(response)
    assert "De directie licht de begroting toe." in text(chair.get(url("meeting", meeting.pk)))
    minutes = pdf_text(chair.get(url("meeting_minutes_pdf", meeting.pk)).content)
    section = " ".join(minutes.split("3. Notulen en besluitenlijst", 1)[1].split("4. Stemmingen", 1)[0].split())
    assert (
        "De directie licht de begroting toe." in section and "Besluit: De ALV stelt de begroting 2027 vast." in section
    )
    event = AuditEvent.objects.get(action="meeting.minutes")
    assert event.data["na"]["besluit"] == "De ALV stelt de begroting 2027 vast."


def test_the_directie_gets_no_chair_buttons_on_an_rvc_poll(secretaris):
    boss = with_totp(UserFactory(roles=[StaffRole.DIRECTIE]))
    poll = services.poll_create(
        by=Actor(user=secretaris),
        body=Body.objects.get(soort=Body.Kind.RVC),
        vraag="Bezoldiging directie",
        regel="rvc-schriftelijk",
        deadline=timezone.now() + timedelta(days=3),
    )
    page = login(boss).get(url("poll", poll.pk))
    assert url("poll_open", poll.pk) not in page.content.decode()
    assert login(boss).post(url("poll_open", poll.pk)).status_code == 403
    assert Poll.objects.get(pk=poll.pk).status == Poll.Status.CONCEPT
    assert url("poll_open", poll.pk) in login(secretaris).get(url("poll", poll.pk)).content.decode()


def test_agenda_documents_are_those_meant_for_the_meeting(alv, secretaris, django_capture_on_commit_callbacks):
    """An ALV agenda item takes the members' documents; an RvC document is
    not offered and is refused by the service; the member sees the link."""
    from django.core import mail
    from django.core.exceptions import ValidationError

    from tests.governance.test_documents import make_document, pdf_upload

    _meeting, _item, _members, reps = alv
    chair = Actor(user=secretaris)
    begroting = make_document(chair, titel="Begroting 2027", bestand=pdf_upload())
    evaluatie = make_document(chair, titel="Evaluatie directie", doelgroep="rvc", bestand=pdf_upload())
    meeting = services.meeting_record(
        by=chair, body=_meeting.body, datum=timezone.localdate() + timedelta(days=28), titel="ALV najaar"
    )
    client = login(secretaris)
    form = client.get(url("agenda_item_add", meeting.pk)).context["form"]
    assert list(form.fields["documenten"].queryset) == [begroting]

    response = client.post(url("agenda_item_add", meeting.pk), {"titel": "Stukken", "documenten": [evaluatie.pk]})
    assert response.status_code == 400 and not meeting.items.exists()
    with pytest.raises(ValidationError, match="bestemd: Evaluatie directie"):
        services.agenda_item_add(by=chair, meeting=meeting, titel="Stukken", documenten=[evaluatie])
    assert not meeting.items.exists()

    response = client.post(url("agenda_item_add", meeting.pk), {"titel": "Begroting", "documenten": [begroting.pk]})
    assert response.status_code == 302
    assert list(meeting.items.get().documenten.all()) == [begroting]
    page = text(login(reps["a"]).get(url("meeting", meeting.pk)))
    assert "Begroting 2027" in page and "Evaluatie directie" not in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_convene(by=chair, meeting=meeting)
    assert "– Begroting 2027" in mail.outbox[0].body

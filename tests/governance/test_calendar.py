"""The governance calendar pages: the compliance dashboard with "today"
frozen (open on the deadline day, late the day after, met with its
evidence), the RvC meeting count, the reminder e-mails, the meetings page
and who may see what."""

import re
from datetime import date, datetime, time

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from governance import services, tasks
from governance.models import Body, Document, Meeting, ObligationReminder
from membership.models import MemberRole
from tests.conftest import login, with_totp
from tests.factories import MemberFactory, UserFactory, member_user

SYSTEM = Actor.system()
DASHBOARD = "/governance/kalender/"
MEETINGS = "/governance/vergaderingen/"
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
Q1_2026 = "kwartaalrapportage-2026-q1"


def freeze(monkeypatch, day: date, hour: int = 10) -> None:
    """Make `day` today for everything reading django.utils.timezone."""
    real_localdate = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real_localdate(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    monkeypatch.setattr("django.utils.timezone.now", lambda: timezone.make_aware(datetime.combine(day, time(hour))))


def row(response, key: str) -> str:
    """The dashboard's table row of one obligation, as HTML."""
    html = response.content.decode()
    found = re.search(rf'<tr class="utrecht-table__row" id="{re.escape(key)}">(.*?)</tr>', html, re.S)
    assert found, f"no row {key} on the page"
    return found.group(1)


def report_document(by, *, jaar=2026, kwartaal=1, doelgroep=Document.Audience.RVC) -> Document:
    return services.document_create(
        by=Actor(user=by),
        titel=f"Kwartaalrapportage Q{kwartaal} {jaar}",
        soort=Document.Kind.KWARTAALRAPPORTAGE,
        doelgroep=doelgroep,
        bestand=SimpleUploadedFile("q.pdf", PDF_BYTES, content_type="application/pdf"),
        jaar=jaar,
        kwartaal=kwartaal,
    )


@pytest.fixture
def secretaris(db):
    return with_totp(UserFactory(roles=[StaffRole.SECRETARIS]))


@pytest.fixture
def rvc_body(db):
    return Body.objects.get(soort=Body.Kind.RVC)


def rvc_meeting(body, day, **fields):
    return services.meeting_record(by=SYSTEM, body=body, datum=day, titel=f"RvC {day:%d-%m}", **fields)


# --- late on the right day ---------------------------------------------------------


def test_a_quarterly_report_is_open_on_its_deadline_and_late_the_day_after(monkeypatch, directie):
    client = login(directie)
    freeze(monkeypatch, date(2026, 6, 30))
    response = client.get(DASHBOARD)  # no ?jaar=: this year
    assert response.status_code == 200
    assert "Governancekalender 2026" in response.content.decode()
    cells = row(response, Q1_2026)
    assert "Kwartaalrapportage Q1 2026 aan de RvC" in cells
    assert "30 juni 2026" in cells
    assert "Directie" in cells
    assert 'beware-status--verplichting-open">Open<' in cells

    freeze(monkeypatch, date(2026, 7, 1))
    cells = row(client.get(DASHBOARD, {"jaar": 2026}), Q1_2026)
    assert 'beware-status--verplichting-te-laat">Te laat<' in cells
    # Q2 is not due until 30 September.
    assert "Open" in row(client.get(DASHBOARD, {"jaar": 2026}), "kwartaalrapportage-2026-q2")


def test_a_report_shared_with_the_rvc_meets_it_with_the_document_as_evidence(monkeypatch, directie, rvc):
    freeze(monkeypatch, date(2026, 6, 10))
    document = report_document(directie)
    # A concept nobody has seen does not count.
    freeze(monkeypatch, date(2026, 6, 20))
    assert "Open" in row(login(rvc).get(DASHBOARD, {"jaar": 2026}), Q1_2026)

    services.document_share(by=Actor(user=directie), document=document)
    freeze(monkeypatch, date(2026, 7, 1))
    cells = row(login(rvc).get(DASHBOARD, {"jaar": 2026}), Q1_2026)
    assert 'beware-status--verplichting-voldaan">Voldaan<' in cells
    assert f'href="/governance/documenten/{document.pk}/"' in cells
    assert "Kwartaalrapportage Q1 2026" in cells
    assert "aan de doelgroep op 20 juni 2026" in cells


def test_a_report_shared_after_the_deadline_is_met_late(monkeypatch, directie):
    document = report_document(directie, kwartaal=2)
    freeze(monkeypatch, date(2026, 10, 2))
    services.document_share(by=Actor(user=directie), document=document)
    cells = row(login(directie).get(DASHBOARD, {"jaar": 2026}), "kwartaalrapportage-2026-q2")
    assert 'beware-status--verplichting-voldaan-laat">Voldaan na de termijn<' in cells


def test_a_report_shared_with_the_members_or_adopted_counts_too(monkeypatch, directie):
    freeze(monkeypatch, date(2026, 5, 1))
    shared = report_document(directie, doelgroep=Document.Audience.LEDEN)
    services.document_share(by=Actor(user=directie), document=shared)
    adopted = report_document(directie, kwartaal=4, jaar=2025)
    besluit = services.decision_record(
        by=SYSTEM,
        body=Body.objects.get(soort=Body.Kind.DIRECTIE),  # the directie adopts its kwartaalrapportage
        kenmerk="DIR-2026-04",
        datum=date(2026, 3, 20),
        onderwerp="Kwartaalrapportage Q4 2025",
    )
    services.document_adopt(by=Actor(user=directie), document=adopted, besluit=besluit)
    response = login(directie).get(DASHBOARD, {"jaar": 2026})
    assert "Voldaan<" in row(response, Q1_2026)
    q4 = row(response, "kwartaalrapportage-2025-q4")
    assert 'beware-status--verplichting-voldaan">Voldaan<' in q4  # adopted on 20 March, due 31 March
    assert f'href="/governance/documenten/{adopted.pk}/"' in q4


def test_the_directie_sees_the_evaluation_met_but_not_the_rvcs_closed_document(monkeypatch, directie, rvc):
    """The RvC's evaluation of the directie, in its closed audience, meets the
    obligation; the directie's dashboard says so without naming or linking it."""
    freeze(monkeypatch, date(2026, 11, 2))
    evaluation = services.document_create(
        by=Actor(user=rvc),
        titel="Evaluatie directie 2026 (besloten)",
        soort=Document.Kind.EVALUATIE_DIRECTIE,
        doelgroep=Document.Audience.RVC_BESLOTEN,
        bestand=SimpleUploadedFile("e.pdf", PDF_BYTES, content_type="application/pdf"),
        jaar=2026,
    )
    services.document_share(by=Actor(user=rvc), document=evaluation)
    freeze(monkeypatch, date(2026, 12, 31))
    response = login(directie).get(DASHBOARD, {"jaar": 2026})
    cells = row(response, "evaluatie-directie-2026")
    assert 'beware-status--verplichting-voldaan">Voldaan<' in cells
    assert "Een document dat u niet kunt inzien" in cells and "2 november 2026" in cells
    assert evaluation.titel not in response.content.decode()
    assert f"/governance/documenten/{evaluation.pk}/" not in response.content.decode()
    # The RvC follows the evidence to the document.
    cells = row(login(rvc).get(DASHBOARD, {"jaar": 2026}), "evaluatie-directie-2026")
    assert f'href="/governance/documenten/{evaluation.pk}/"' in cells and evaluation.titel in cells


def test_the_dashboard_does_not_name_a_document_the_viewer_may_not_open(monkeypatch, directie, db):
    """Regression (review): a user who may see the calendar but not the RvC's
    documents read the title of the RvC-only evaluation on the dashboard."""
    from django.contrib.auth.models import Permission

    freeze(monkeypatch, date(2026, 9, 15))
    evaluation = services.document_create(
        by=Actor(user=directie),
        titel="Evaluatie directie GEHEIM",
        soort=Document.Kind.EVALUATIE_DIRECTIE,
        doelgroep=Document.Audience.RVC,
        bestand=SimpleUploadedFile("e.pdf", PDF_BYTES, content_type="application/pdf"),
        jaar=2026,
    )
    services.document_share(by=Actor(user=directie), document=evaluation)
    viewer = UserFactory()
    viewer.user_permissions.add(Permission.objects.get(codename="view_governance"))
    client = login(viewer)
    assert client.get(f"/governance/documenten/{evaluation.pk}/").status_code == 404
    response = client.get(DASHBOARD, {"jaar": 2026})
    assert "Voldaan<" in row(response, "evaluatie-directie-2026")
    assert "Evaluatie directie GEHEIM" not in response.content.decode()


# --- RvC meetings -------------------------------------------------------------------


def test_three_rvc_meetings_leave_it_open_the_fourth_meets_it(monkeypatch, directie, rvc_body):
    for day in (date(2026, 2, 10), date(2026, 5, 12), date(2026, 9, 8)):
        rvc_meeting(rvc_body, day)
    freeze(monkeypatch, date(2026, 12, 31))
    client = login(directie)
    cells = row(client.get(DASHBOARD, {"jaar": 2026}), "rvc-vergaderingen-2026")
    assert "3 van 4 vergaderingen" in cells
    assert 'beware-status--verplichting-open">Open<' in cells
    assert "Secretaris" in cells

    rvc_meeting(rvc_body, date(2026, 12, 8), met_accountant=True)
    response = client.get(DASHBOARD, {"jaar": 2026})
    cells = row(response, "rvc-vergaderingen-2026")
    assert "4 van 4 vergaderingen" in cells
    assert 'beware-status--verplichting-voldaan">Voldaan<' in cells
    assert "RvC 08-12" in cells and "8 december 2026" in cells  # the fourth meeting is the evidence
    assert "Voldaan<" in row(response, "rvc-accountant-2026")


def test_three_rvc_meetings_are_late_in_the_new_year(monkeypatch, directie, rvc_body):
    for day in (date(2026, 2, 10), date(2026, 5, 12), date(2026, 9, 8)):
        rvc_meeting(rvc_body, day)
    freeze(monkeypatch, date(2027, 1, 1))
    cells = row(login(directie).get(DASHBOARD, {"jaar": 2026}), "rvc-vergaderingen-2026")
    assert 'beware-status--verplichting-te-laat">Te laat<' in cells


def test_the_alv_in_the_first_quarter(monkeypatch, directie):
    services.meeting_record(
        by=SYSTEM, body=Body.objects.get(soort=Body.Kind.ALV), datum=date(2026, 3, 19), titel="ALV voorjaar"
    )
    freeze(monkeypatch, date(2026, 4, 1))
    cells = row(login(directie).get(DASHBOARD, {"jaar": 2026}), "alv-2026")
    assert "Voldaan<" in cells
    assert "ALV voorjaar" in cells and "19 maart 2026" in cells


# --- the next deadlines -----------------------------------------------------------------


def test_the_next_deadlines_come_first(monkeypatch, directie):
    freeze(monkeypatch, date(2026, 6, 1))
    html = login(directie).get(DASHBOARD, {"jaar": 2025}).content.decode()
    upcoming = html[html.index("Eerstvolgende termijnen") : html.index("Verplichtingen met een termijn in 2025")]
    assert upcoming.index("30 juni 2026") < upcoming.index("30 september 2026")
    assert "nog 29 dagen" in upcoming
    assert "Kwartaalrapportage Q1 2026 aan de RvC" in upcoming
    # The page still shows the year asked for.
    assert "Kwartaalrapportage Q3 2025 aan de RvC" in html


def test_a_bad_year_is_refused_with_a_message(directie):
    response = login(directie).get(DASHBOARD, {"jaar": "twintig"})
    assert response.status_code == 400
    assert "Voer een geheel getal in" in response.content.decode()


# --- reminders -------------------------------------------------------------------


def test_reminders_30_and_7_days_before_and_once_when_late(monkeypatch, directie, secretaris):
    def sent_for_q1():
        return [m for m in mail.outbox if m.subject == "Governancekalender: Kwartaalrapportage Q1 2026 aan de RvC"]

    for day in (date(2026, 5, 30), date(2026, 5, 31), date(2026, 5, 31), date(2026, 6, 1)):
        services.obligation_reminders_send(day)
    assert len(sent_for_q1()) == 1
    assert sent_for_q1()[0].to == [directie.email]
    assert "30 juni 2026" in sent_for_q1()[0].body

    services.obligation_reminders_send(date(2026, 6, 22))  # 8 days before: nothing new
    assert len(sent_for_q1()) == 1
    # Beat runs the task; frozen to 23 June, twice.
    freeze(monkeypatch, date(2026, 6, 23))
    tasks.send_obligation_reminders.delay()
    tasks.send_obligation_reminders.delay()
    services.obligation_reminders_send(date(2026, 6, 30))
    assert len(sent_for_q1()) == 2

    services.obligation_reminders_send(date(2026, 7, 1))
    services.obligation_reminders_send(date(2026, 7, 1))
    services.obligation_reminders_send(date(2026, 7, 15))
    assert len(sent_for_q1()) == 3
    assert "is verstreken" in sent_for_q1()[-1].body
    keys = list(ObligationReminder.objects.filter(sleutel__startswith=Q1_2026).values_list("sleutel", flat=True))
    assert sorted(keys) == [f"{Q1_2026}:30", f"{Q1_2026}:7", f"{Q1_2026}:te-laat"]
    assert ObligationReminder.objects.get(sleutel=f"{Q1_2026}:7").ontvangers == directie.email
    # The secretaris's obligations went to the secretaris, not to the directie.
    alv = [m for m in mail.outbox if "ALV in het eerste kwartaal van 2026" in m.subject]
    assert len(alv) == 1 and alv[0].to == [secretaris.email]
    assert AuditEvent.objects.filter(action="governance.obligation_reminder").count() == len(mail.outbox)


def test_a_met_obligation_gets_no_reminder(monkeypatch, directie):
    freeze(monkeypatch, date(2026, 5, 1))
    document = report_document(directie)
    services.document_share(by=Actor(user=directie), document=document)
    services.obligation_reminders_send(date(2026, 5, 31))
    services.obligation_reminders_send(date(2026, 7, 1))
    assert not [m for m in mail.outbox if "Kwartaalrapportage Q1 2026" in m.subject]
    assert not ObligationReminder.objects.filter(sleutel__startswith=Q1_2026).exists()


# --- who may see it ------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, "/governance/kwartaalrapportages/"])
def test_members_may_not_see_the_calendar(eindhoven_user, url):
    assert login(eindhoven_user).get(url).status_code == 403


def test_members_see_only_the_alv_meetings(eindhoven_user, secretaris):
    today = timezone.localdate()
    services.meeting_record(
        by=Actor(user=secretaris), body=Body.objects.get(soort="alv"), datum=today, titel="ALV najaar"
    )
    services.meeting_record(
        by=Actor(user=secretaris), body=Body.objects.get(soort="rvc"), datum=today, titel="RvC geheim"
    )
    page = login(eindhoven_user).get(MEETINGS)
    assert page.status_code == 200
    assert "ALV najaar" in page.content.decode() and "RvC geheim" not in page.content.decode()
    assert "Vergadering vastleggen" not in page.content.decode()
    applicant = member_user(MemberFactory(code="aanvrager", status="aanvraag"), MemberRole.Role.ALV_VERTEGENWOORDIGER)
    assert login(applicant).get(MEETINGS).status_code == 403


@pytest.mark.parametrize("url", [DASHBOARD, MEETINGS])
def test_anonymous_visitors_are_sent_to_the_login(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_rvc_and_secretaris_see_the_dashboard(rvc, secretaris):
    for user in (rvc, secretaris):
        assert login(user).get(DASHBOARD).status_code == 200


def test_the_dashboard_reads_a_fixed_number_of_queries(monkeypatch, directie, rvc_body, django_assert_max_num_queries):
    freeze(monkeypatch, date(2026, 8, 1))
    client = login(directie)
    client.get(DASHBOARD)  # sessions and permission caches warm
    for month in range(1, 13):
        rvc_meeting(rvc_body, date(2026, month, 5), met_accountant=month == 6)
    for kwartaal in (1, 2, 3):
        services.document_share(by=Actor(user=directie), document=report_document(directie, kwartaal=kwartaal))
    services.document_share(by=Actor(user=directie), document=report_document(directie, jaar=2025, kwartaal=4))
    # 12, + 1: which of the evidence documents the viewer may see.
    with django_assert_max_num_queries(13):
        response = client.get(DASHBOARD, {"jaar": 2026})
    assert response.status_code == 200
    assert response.content.decode().count("verplichting-voldaan") >= 6


# --- meetings ---------------------------------------------------------------------


def test_the_secretaris_records_a_meeting(monkeypatch, secretaris, rvc_body):
    freeze(monkeypatch, date(2026, 3, 1))
    client = login(secretaris)
    page = client.get(MEETINGS)
    assert page.status_code == 200
    assert "Vergadering vastleggen" in page.content.decode()
    response = client.post(
        MEETINGS,
        {
            "body": rvc_body.pk,
            "datum": "2026-03-12",
            "titel": "RvC-vergadering maart",
            "plaats": "Eindhoven",
            "met_accountant": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{MEETINGS}?jaar=2026"
    meeting = Meeting.objects.get()
    assert (meeting.body, meeting.datum, meeting.titel, meeting.plaats, meeting.met_accountant) == (
        rvc_body,
        date(2026, 3, 12),
        "RvC-vergadering maart",
        "Eindhoven",
        True,
    )
    assert AuditEvent.objects.filter(action="governance.meeting_record", object_id=str(meeting.pk)).exists()
    freeze(monkeypatch, date(2026, 3, 20))
    html = login(secretaris).get(response["Location"]).content.decode()  # a new session: the old one expired
    assert "RvC-vergadering maart" in html
    assert "Vergaderingen van de RvC in 2026: 1 van 4 gehouden" in html
    assert "De RvC heeft met de accountant vergaderd." in html


def test_the_service_refusal_shows_at_the_field(secretaris):
    alv = Body.objects.get(soort=Body.Kind.ALV)
    response = login(secretaris).post(
        MEETINGS, {"body": alv.pk, "datum": "2026-03-12", "titel": "ALV", "met_accountant": "on"}
    )
    assert response.status_code == 400
    assert "Alleen een vergadering van de RvC wordt met de accountant gehouden." in response.content.decode()
    assert not Meeting.objects.exists()


def test_the_rvc_sees_the_meetings_but_records_none(rvc, rvc_body):
    rvc_meeting(rvc_body, date(2026, 2, 10))
    client = login(rvc)
    page = client.get(MEETINGS, {"jaar": 2026})
    assert page.status_code == 200
    assert "RvC 10-02" in page.content.decode()
    assert "Vergadering vastleggen" not in page.content.decode()
    response = client.post(MEETINGS, {"body": rvc_body.pk, "datum": "2026-03-12", "titel": "Stiekem"})
    assert response.status_code == 403
    assert Meeting.objects.count() == 1

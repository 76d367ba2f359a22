"""Governance writes through the services: appointments within the terms of
office and body sizes, the contract approval rule, the document register's
checks, who may see which document, and the governance calendar."""

import io
import threading
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from beware.accounts.roles import StaffRole
from beware.common.audit import Actor, verify_chain
from beware.common.models import AuditEvent
from governance import obligations, selectors, services
from governance.models import (
    Body,
    Contract,
    Decision,
    Document,
    DocumentVersion,
    Mandate,
    ObligationReminder,
    Person,
    ReadReceipt,
)
from membership import admission
from membership.models import MemberRole
from tests.factories import CommunityFactory, MemberFactory, UserFactory, member_user

SYSTEM = Actor.system()
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name="stuk.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def docx(name="stuk.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def odt(name="stuk.odt"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/vnd.oasis.opendocument.text")


@pytest.fixture
def rvc_body(db):
    return Body.objects.get(soort=Body.Kind.RVC)


@pytest.fixture
def alv_decision(db):
    alv = Body.objects.get(soort=Body.Kind.ALV)
    return services.decision_record(
        by=SYSTEM, body=alv, kenmerk="ALV-2026-03", datum=date(2026, 3, 12), onderwerp="Benoemingen"
    )


def appoint(body, naam, born, start, decision, functie=Mandate.Role.LID):
    person = Person.objects.filter(naam=naam).first() or services.person_create(
        by=SYSTEM, naam=naam, geboortedatum=born
    )
    return services.mandate_appoint(
        by=SYSTEM, body=body, person=person, functie=functie, ingangsdatum=start, besluit=decision
    )


# --- appointments ----------------------------------------------------------


def test_an_rvc_appointment_gets_a_four_year_term_and_is_audited(rvc_body, alv_decision, directie):
    person = services.person_create(by=Actor(user=directie), naam="Anna de Vries", geboortedatum=date(1970, 5, 1))
    mandate = services.mandate_appoint(
        by=Actor(user=directie),
        body=rvc_body,
        person=person,
        functie=Mandate.Role.VOORZITTER,
        ingangsdatum=date(2026, 7, 1),
        besluit=alv_decision,
        einddatum=date(2099, 1, 1),  # ignored: the kernel sets an RvC term
    )
    assert (mandate.einddatum, mandate.termijn) == (date(2030, 6, 30), 1)
    event = AuditEvent.objects.get(action="governance.mandate_appoint")
    assert event.actor_label == directie.email and event.data["einddatum"] == "2030-06-30"


def test_a_seventh_commissaris_is_refused_and_nothing_is_saved(rvc_body, alv_decision):
    for n in range(6):
        appoint(rvc_body, f"Commissaris {n}", date(1970, 1, 1), date(2026, 1, 1), alv_decision)
    person = services.person_create(by=SYSTEM, naam="Zevende", geboortedatum=date(1975, 1, 1))
    with pytest.raises(ValidationError) as refused:
        services.mandate_appoint(
            by=SYSTEM, body=rvc_body, person=person, functie="lid", ingangsdatum=date(2026, 2, 1), besluit=alv_decision
        )
    assert "7 leden; het maximum is 6" in str(refused.value)
    assert rvc_body.mandates.count() == 6


def test_a_fourth_term_is_refused_and_the_rooster_says_so(rvc_body, alv_decision):
    for start in (date(2014, 1, 1), date(2018, 1, 1), date(2022, 1, 1)):
        appoint(rvc_body, "Bram Bakker", date(1965, 3, 3), start, alv_decision)
    with pytest.raises(ValidationError, match="al 3 termijnen"):
        appoint(rvc_body, "Bram Bakker", date(1965, 3, 3), date(2026, 1, 1), alv_decision)
    [row] = selectors.rooster_van_aftreden(rvc_body, date(2025, 10, 1))
    assert (row.mandate.termijn, row.end, row.reappointable, row.ending_soon) == (3, date(2025, 12, 31), False, True)


def test_an_appointment_past_age_72_is_refused(rvc_body, alv_decision):
    with pytest.raises(ValidationError, match="72e verjaardag"):
        appoint(rvc_body, "Cor Claassen", date(1956, 9, 1), date(2026, 1, 1), alv_decision)
    assert not Mandate.objects.exists()


def test_rooster_van_aftreden_orders_by_end_date_then_name(rvc_body, alv_decision):
    appoint(rvc_body, "Zeger", date(1970, 1, 1), date(2024, 1, 1), alv_decision)
    appoint(rvc_body, "Anouk", date(1970, 1, 1), date(2025, 6, 1), alv_decision)
    appoint(rvc_body, "Bert", date(1970, 1, 1), date(2024, 1, 1), alv_decision)
    rows = selectors.rooster_van_aftreden(rvc_body, date(2026, 1, 1))
    assert [(r.mandate.person.naam, r.end) for r in rows] == [
        ("Bert", date(2027, 12, 31)),
        ("Zeger", date(2027, 12, 31)),
        ("Anouk", date(2029, 5, 31)),
    ]


def test_one_voorzitter_at_a_time_and_size_warnings(rvc_body, alv_decision):
    appoint(rvc_body, "Voorzitter Een", date(1970, 1, 1), date(2026, 1, 1), alv_decision, Mandate.Role.VOORZITTER)
    with pytest.raises(ValidationError, match="al een voorzitter"):
        appoint(rvc_body, "Voorzitter Twee", date(1970, 1, 1), date(2026, 1, 1), alv_decision, Mandate.Role.VOORZITTER)
    overview = selectors.body_overview(rvc_body, date(2026, 2, 1))
    assert "Raad van commissarissen heeft 1 leden; het minimum is 3." in overview.warnings


def test_only_managers_appoint(rvc_body, alv_decision, rvc, eindhoven_user):
    person = services.person_create(by=SYSTEM, naam="Iemand", geboortedatum=date(1970, 1, 1))
    for user in (rvc, eindhoven_user):
        with pytest.raises(PermissionDenied):
            services.mandate_appoint(
                by=Actor(user=user),
                body=rvc_body,
                person=person,
                functie="lid",
                ingangsdatum=date(2026, 1, 1),
                besluit=alv_decision,
            )


# --- contracts ---------------------------------------------------------------


def test_a_large_contract_is_signed_only_after_rvc_approval(directie, rvc):
    boss, commissaris = Actor(user=directie), Actor(user=rvc)
    services.person_create(by=SYSTEM, naam="Rita Raad", geboortedatum=date(1970, 1, 1), user=rvc)
    contract = services.contract_create(
        by=boss, omschrijving="Hosting", wederpartij="Cloud BV", bedrag=Decimal("75000.00")
    )
    with pytest.raises(ValidationError, match="goedkeuring van de RvC"):
        services.contract_sign(by=boss, contract=contract, getekend_op=date(2026, 5, 1))
    with pytest.raises(PermissionDenied):
        services.contract_approve(by=boss, contract=contract, kenmerk="RvC-2026-09", datum=date(2026, 5, 2))
    services.contract_approve(by=commissaris, contract=contract, kenmerk="RvC-2026-09", datum=date(2026, 5, 2))
    with pytest.raises(ValidationError, match="vóór de goedkeuring"):
        services.contract_sign(by=boss, contract=contract, getekend_op=date(2026, 5, 1))
    contract = services.contract_sign(by=boss, contract=contract, getekend_op=date(2026, 5, 3))
    assert contract.status == Contract.Status.GETEKEND
    assert Decision.objects.get(kenmerk="RvC-2026-09").body.soort == Body.Kind.RVC


def test_exactly_50000_needs_no_approval_and_the_database_holds_the_rule(directie):
    boss = Actor(user=directie)
    small = services.contract_create(by=boss, omschrijving="Licentie", wederpartij="X", bedrag=Decimal("50000.00"))
    assert services.contract_sign(by=boss, contract=small, getekend_op=date(2026, 1, 5)).status == "getekend"
    large = services.contract_create(by=boss, omschrijving="Bouw", wederpartij="Y", bedrag=Decimal("50000.01"))
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=large.pk).update(status="getekend")


def test_a_conflicted_commissaris_cannot_approve(directie, rvc):
    contract = services.contract_create(
        by=Actor(user=directie), omschrijving="Advies", wederpartij="Adviesbureau", bedrag=Decimal("60000.00")
    )
    person = services.person_create(by=SYSTEM, naam="Rita", geboortedatum=date(1970, 1, 1), user=rvc)
    services.conflict_declare(by=Actor(user=rvc), person=person, onderwerp="Mijn zwager", contract=contract)
    with pytest.raises(ValidationError, match="tegenstrijdig belang"):
        services.contract_approve(by=Actor(user=rvc), contract=contract, kenmerk="RvC-1", datum=date(2026, 1, 1))
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.CONCEPT


def test_a_late_nevenfunctie_is_flagged(directie):
    person = services.person_create(by=SYSTEM, naam="Dirk", geboortedatum=date(1970, 1, 1))
    boss = Actor(user=directie)
    on_time = services.side_activity_report(
        by=boss,
        person=person,
        functie="Lid RvT",
        organisatie="Zorg",
        ingangsdatum=date(2026, 1, 31),
        gemeld_op=date(2026, 2, 28),
    )
    late = services.side_activity_report(
        by=boss,
        person=person,
        functie="Bestuurder",
        organisatie="Sport",
        ingangsdatum=date(2026, 1, 31),
        gemeld_op=date(2026, 3, 1),
    )
    assert (on_time.reported_late, late.reported_late) == (False, True)


def test_someone_else_cannot_report_my_nevenfunctie(rvc):
    person = services.person_create(by=SYSTEM, naam="Eva", geboortedatum=date(1970, 1, 1))
    with pytest.raises(PermissionDenied):
        services.side_activity_report(
            by=Actor(user=rvc), person=person, functie="f", organisatie="o", ingangsdatum=date(2026, 1, 1)
        )


# --- documents -----------------------------------------------------------------


def test_uploads_are_checked_by_content_and_size(directie, settings):
    boss = Actor(user=directie)
    cases = [
        (SimpleUploadedFile("stuk.pdf", b"just text", content_type="application/pdf"), "geen PDF-bestand"),
        (SimpleUploadedFile("virus.exe", b"MZ...", content_type="application/pdf"), "Alleen PDF-, ODT- en DOCX"),
        (docx("stuk.odt"), "geen ODT-bestand"),
    ]
    for upload, message in cases:
        with pytest.raises(ValidationError, match=message):
            services.document_create(by=boss, titel="T", soort="overig", doelgroep="leden", bestand=upload)
    settings.GOVERNANCE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as too_big:
        services.document_create(by=boss, titel="T", soort="overig", doelgroep="leden", bestand=pdf())
    assert too_big.value.message_dict["bestand"] == [
        "Het bestand is 48\xa0bytes; ten hoogste 10\xa0bytes is toegestaan."
    ]
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_pdf_docx_and_odt_are_accepted_as_versions(directie):
    boss = Actor(user=directie)
    document = services.document_create(by=boss, titel="Statuten", soort="statuten", doelgroep="leden", bestand=pdf())
    services.document_add_version(by=boss, document=document, bestand=docx())
    version = services.document_add_version(by=boss, document=document, bestand=odt())
    assert version.nummer == 3
    assert [v.content_type for v in document.versions.order_by("nummer")] == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
    ]


def test_adopting_needs_a_decision_and_freezes_the_document(directie, alv_decision):
    boss = Actor(user=directie)
    document = services.document_create(by=boss, titel="Statuten", soort="statuten", doelgroep="leden", bestand=pdf())
    with pytest.raises(ValidationError, match="besluit"):
        services.document_adopt(by=boss, document=document, besluit=None)
    assert Document.objects.get(pk=document.pk).status == Document.Status.CONCEPT
    document = services.document_adopt(by=boss, document=document, besluit=alv_decision)
    assert (document.status, document.vastgesteld_op) == ("vastgesteld", date(2026, 3, 12))
    with pytest.raises(ValidationError, match="verandert niet"):
        services.document_add_version(by=boss, document=document, bestand=pdf())


def test_who_sees_which_document(directie, rvc, eindhoven, eindhoven_user, woerden):
    boss = Actor(user=directie)
    community = CommunityFactory(slug="zaken", naam="Zaken")
    from communities.models import Participation

    Participation.objects.create(
        community=community, member=eindhoven, status=Participation.Status.DEELNEMER, aangevraagd_door=directie
    )
    woerden_user = member_user(woerden, MemberRole.Role.ALV_VERTEGENWOORDIGER)
    docs = {
        doelgroep: services.document_share(
            by=boss,
            document=services.document_create(
                by=boss,
                titel=f"Stuk {doelgroep}",
                soort="overig",
                doelgroep=doelgroep,
                community=community if doelgroep == "community" else None,
                bestand=pdf(),
            ),
        )
        for doelgroep in ("leden", "rvc", "directie", "community")
    }
    services.document_create(by=boss, titel="Concept voor leden", soort="overig", doelgroep="leden", bestand=pdf())

    def titles(user):
        return set(selectors.visible_documents(user).values_list("titel", flat=True))

    applicant = member_user(MemberFactory(code="kandidaat", status=admission.AANVRAAG), MemberRole.Role.LID_BEHEERDER)
    former = member_user(MemberFactory(code="vertrokken", status=admission.UITGETREDEN), MemberRole.Role.LID_BEHEERDER)
    assert titles(applicant) == titles(former) == set()
    assert titles(eindhoven_user) == {"Stuk leden", "Stuk community"}
    assert titles(woerden_user) == {"Stuk leden"}
    assert titles(rvc) == {"Stuk leden", "Stuk rvc"}
    assert len(titles(directie)) == 5
    assert docs["rvc"] not in selectors.document_register(eindhoven_user, zoekterm="rvc")


def test_read_receipts_once_per_member(directie, eindhoven, eindhoven_user):
    boss = Actor(user=directie)
    document = services.document_share(
        by=boss,
        document=services.document_create(
            by=boss, titel="Begroting", soort="begroting", doelgroep="leden", bestand=pdf()
        ),
    )
    colleague = member_user(eindhoven, MemberRole.Role.FINANCIEEL_CONTACT)
    for user in (eindhoven_user, colleague, eindhoven_user):
        services.document_opened(by=Actor(user=user, member=eindhoven), document=document)
    assert ReadReceipt.objects.filter(document=document).count() == 1
    status = selectors.read_status(document)
    assert [r.member for r in status.read] == [eindhoven] and eindhoven not in status.unread


def test_sharing_tells_the_audience_by_link_only(directie, rvc, eindhoven_user, django_capture_on_commit_callbacks):
    boss = Actor(user=directie)
    document = services.document_create(
        by=boss, titel="Evaluatie", soort="evaluatie-directie", doelgroep="rvc", bestand=pdf()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.document_share(by=boss, document=document)
    assert [m.to for m in mail.outbox] == [[rvc.email]]
    assert f"/governance/documenten/{document.pk}/" in mail.outbox[0].body and not mail.outbox[0].attachments


# --- the calendar ----------------------------------------------------------------


def test_a_quarterly_report_is_late_from_the_day_after_its_deadline(directie):
    def status_on(day):
        rows = {r.obligation.key: r for r in selectors.compliance(2026, day)}
        return rows["kwartaalrapportage-2026-q1"].status

    assert status_on(date(2026, 6, 30)) == obligations.OPEN
    assert status_on(date(2026, 7, 1)) == obligations.LATE


def test_reminders_go_to_the_responsible_role_once_per_threshold(directie):
    mail.outbox.clear()
    sent = services.obligation_reminders_send(date(2026, 5, 31))  # 30 days before 30 June
    assert "kwartaalrapportage-2026-q1:30" in sent
    assert services.obligation_reminders_send(date(2026, 5, 31)) == []
    assert ObligationReminder.objects.filter(sleutel="kwartaalrapportage-2026-q1:30").count() == 1
    reminder = next(m for m in mail.outbox if "Kwartaalrapportage Q1 2026" in m.subject)
    assert reminder.to == [directie.email]
    assert verify_chain() is None


# --- concurrency ---------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_appointments_never_exceed_the_maximum(settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    rvc_body = Body.objects.get(soort=Body.Kind.RVC)
    decision = services.decision_record(
        by=SYSTEM, body=Body.objects.get(soort="alv"), kenmerk="ALV-X", datum=date(2026, 1, 1), onderwerp="x"
    )
    people = [services.person_create(by=SYSTEM, naam=f"P{n}", geboortedatum=date(1970, 1, 1)) for n in range(10)]
    errors = []

    def attempt(person):
        try:
            services.mandate_appoint(
                by=SYSTEM, body=rvc_body, person=person, functie="lid", ingangsdatum=date(2026, 1, 1), besluit=decision
            )
        except ValidationError as refused:
            errors.append(refused)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert rvc_body.mandates.count() == 6 and len(errors) == 4


def test_roles_hold_their_governance_permissions(db):
    secretaris = UserFactory(roles=[StaffRole.SECRETARIS])
    assert secretaris.has_perm("governance.manage_documents") and not secretaris.has_perm("governance.approve_contract")


def test_committees_belong_to_the_rvc_and_boards_to_a_community(directie, rvc_body):
    boss = Actor(user=directie)
    audit_committee = services.body_create(
        by=boss, soort="commissie", naam="Auditcommissie", slug="auditcommissie", minimum=2, maximum=3, parent=rvc_body
    )
    assert audit_committee.has_terms and audit_committee.parent == rvc_body
    with pytest.raises(ValidationError, match="hoort bij de RvC"):
        services.body_create(by=boss, soort="commissie", naam="Los", slug="los")
    with pytest.raises(ValidationError, match="Kies de community"):
        services.body_create(by=boss, soort="community", naam="Bestuur", slug="bestuur")
    board = services.body_create(
        by=boss, soort="community", naam="Bestuur Zaken", slug="bestuur-zaken", community=CommunityFactory(slug="zaken")
    )
    assert not board.has_terms


def test_december_deadlines_are_reminded_as_late_on_new_years_day(directie, rvc):
    sent = services.obligation_reminders_send(date(2027, 1, 1))
    assert {"rvc-vergaderingen-2026:te-laat", "evaluatie-directie-2026:te-laat"} <= set(sent)


def test_planned_meetings_do_not_count_before_they_are_held(directie):
    rvc_body = Body.objects.get(soort=Body.Kind.RVC)
    for month in (3, 6, 9, 11):
        services.meeting_record(
            by=Actor(user=directie), body=rvc_body, datum=date(2026, month, 1), titel=f"RvC {month}"
        )
    rows = {r.obligation.kind: r for r in selectors.compliance(2026, date(2026, 1, 15))}
    assert (rows["rvc-vergaderingen"].progress, rows["rvc-vergaderingen"].status) == ("0 van 4 vergaderingen", "open")
    rows = {r.obligation.kind: r for r in selectors.compliance(2026, date(2026, 11, 1))}
    assert (rows["rvc-vergaderingen"].progress, rows["rvc-vergaderingen"].met_on) == (
        "4 van 4 vergaderingen",
        date(2026, 11, 1),
    )


def test_a_report_shared_just_after_midnight_counts_on_the_local_day(directie):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    boss = Actor(user=directie)
    document = services.document_create(
        by=boss, titel="Q1", soort="kwartaalrapportage", doelgroep="rvc", jaar=2026, kwartaal=1, bestand=pdf()
    )
    shared = datetime(2026, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    Document.objects.filter(pk=document.pk).update(gedeeld_op=shared)
    row = next(
        r for r in selectors.compliance(2026, date(2026, 7, 2)) if r.obligation.key == "kwartaalrapportage-2026-q1"
    )
    assert (row.status, row.met_on, row.met_late) == ("voldaan", date(2026, 7, 1), True)


def test_a_committee_seat_needs_an_rvc_seat_and_ends_with_it(directie, rvc_body, alv_decision):
    committee = services.body_create(
        by=Actor(user=directie), soort="commissie", naam="Auditcommissie", slug="audit", maximum=3, parent=rvc_body
    )
    rvc_decision = services.decision_record(
        by=SYSTEM, body=rvc_body, kenmerk="RvC-2026-01", datum=date(2026, 1, 1), onderwerp="Auditcommissie"
    )
    outsider = services.person_create(by=SYSTEM, naam="Buitenstaander", geboortedatum=date(1970, 1, 1))
    with pytest.raises(ValidationError, match="geen lid van Raad van commissarissen"):
        services.mandate_appoint(
            by=SYSTEM,
            body=committee,
            person=outsider,
            functie="lid",
            ingangsdatum=date(2026, 1, 1),
            besluit=rvc_decision,
        )
    with pytest.raises(ValidationError, match="bij besluit van: Raad van commissarissen"):
        services.mandate_appoint(
            by=SYSTEM,
            body=committee,
            person=outsider,
            functie="lid",
            ingangsdatum=date(2026, 1, 1),
            besluit=alv_decision,
        )
    seat = appoint(rvc_body, "Commissaris", date(1970, 1, 1), date(2025, 1, 1), alv_decision)
    member = services.mandate_appoint(
        by=SYSTEM,
        body=committee,
        person=seat.person,
        functie="lid",
        ingangsdatum=date(2026, 1, 1),
        besluit=rvc_decision,
    )
    assert member.einddatum == seat.einddatum == date(2028, 12, 31)
    # Born 2 January 1957: a full committee term would pass age 72; capped by the RvC seat it does not.
    older = appoint(rvc_body, "Ouder", date(1957, 1, 2), date(2025, 1, 1), alv_decision)
    capped = services.mandate_appoint(
        by=SYSTEM,
        body=committee,
        person=older.person,
        functie="lid",
        ingangsdatum=date(2028, 6, 1),
        besluit=rvc_decision,
    )
    assert capped.einddatum == date(2028, 12, 31)


def test_a_later_starting_appointment_counts_for_size_and_offices(rvc_body, alv_decision):
    for n in range(5):
        appoint(rvc_body, f"Zittend {n}", date(1970, 1, 1), date(2026, 1, 1), alv_decision)
    appoint(rvc_body, "Later", date(1970, 1, 1), date(2026, 11, 1), alv_decision, Mandate.Role.VOORZITTER)
    with pytest.raises(ValidationError, match="7 leden; het maximum is 6"):
        appoint(rvc_body, "Eerder", date(1970, 1, 1), date(2026, 10, 1), alv_decision)
    rvc_body.mandates.filter(person__naam="Zittend 0").update(beeindigd_op=date(2026, 2, 1))
    with pytest.raises(ValidationError, match="al een voorzitter: Later"):
        appoint(
            rvc_body, "Tweede voorzitter", date(1970, 1, 1), date(2026, 3, 1), alv_decision, Mandate.Role.VOORZITTER
        )


def test_a_function_change_keeps_the_term(rvc_body, alv_decision):
    seat = appoint(rvc_body, "Lid", date(1970, 1, 1), date(2025, 1, 1), alv_decision)
    chair = services.mandate_change_function(
        by=SYSTEM, mandate=seat, functie=Mandate.Role.VOORZITTER, datum=date(2026, 9, 1), besluit=alv_decision
    )
    seat.refresh_from_db()
    assert (seat.beeindigd_op, chair.termijn, chair.ingangsdatum, chair.einddatum) == (
        date(2026, 8, 31),
        1,
        date(2026, 9, 1),
        date(2028, 12, 31),
    )
    assert selectors.earlier_terms(rvc_body, seat.person) == 1


def test_a_shorter_term_lets_the_rvc_appoint_someone_near_72(rvc_body, alv_decision):
    person = services.person_create(by=SYSTEM, naam="Bijna 72", geboortedatum=date(1956, 6, 1))
    with pytest.raises(ValidationError, match="72e verjaardag"):
        services.mandate_appoint(
            by=SYSTEM, body=rvc_body, person=person, functie="lid", ingangsdatum=date(2026, 1, 1), besluit=alv_decision
        )
    mandate = services.mandate_appoint(
        by=SYSTEM,
        body=rvc_body,
        person=person,
        functie="lid",
        ingangsdatum=date(2026, 1, 1),
        besluit=alv_decision,
        years=2,
    )
    assert mandate.einddatum == date(2027, 12, 31)


def test_documents_are_adopted_by_the_right_body(directie, alv_decision):
    boss = Actor(user=directie)
    directie_decision = services.decision_record(
        by=SYSTEM, body=Body.objects.get(soort="directie"), kenmerk="DIR-1", datum=date(2026, 1, 1), onderwerp="x"
    )
    statuten = services.document_create(by=boss, titel="Statuten", soort="statuten", doelgroep="leden", bestand=pdf())
    with pytest.raises(ValidationError, match="bij besluit van: Algemene ledenvergadering"):
        services.document_adopt(by=boss, document=statuten, besluit=directie_decision)
    assert services.document_adopt(by=boss, document=statuten, besluit=alv_decision).status == "vastgesteld"


def test_closed_rvc_documents_stay_with_the_rvc(directie, rvc):
    secretaris = UserFactory(roles=[StaffRole.SECRETARIS])
    with pytest.raises(PermissionDenied):
        services.document_create(
            by=Actor(user=directie), titel="E", soort="evaluatie-directie", doelgroep="rvc-besloten", bestand=pdf()
        )
    closed = services.document_create(
        by=Actor(user=rvc),
        titel="Evaluatie directie",
        soort="evaluatie-directie",
        doelgroep="rvc-besloten",
        jaar=2026,
        bestand=pdf(),
    )
    assert closed in selectors.visible_documents(rvc)
    assert closed not in selectors.visible_documents(directie) and closed not in selectors.visible_documents(secretaris)
    services.document_share(by=Actor(user=rvc), document=closed)

    def evaluation_row(viewer):
        rows = selectors.compliance(2026, date(2026, 12, 1), viewer)
        return next(r for r in rows if r.obligation.kind == "evaluatie-directie")

    assert (evaluation_row(directie).status, evaluation_row(directie).evidence) == ("voldaan", None)
    assert evaluation_row(directie).evidence_hidden
    assert evaluation_row(rvc).evidence == closed


def test_contract_dates_cannot_lie_in_the_future(directie, rvc):
    from django.utils import timezone

    services.person_create(by=SYSTEM, naam="Rita", geboortedatum=date(1970, 1, 1), user=rvc)
    tomorrow = date.fromordinal(timezone.localdate().toordinal() + 1)
    contract = services.contract_create(
        by=Actor(user=directie), omschrijving="C", wederpartij="W", bedrag=Decimal("90000.00")
    )
    with pytest.raises(ValidationError, match="toekomst"):
        services.contract_approve(by=Actor(user=rvc), contract=contract, kenmerk="RvC-9", datum=tomorrow)
    with pytest.raises(ValidationError, match="pas als getekend"):
        services.contract_sign(by=Actor(user=directie), contract=contract, getekend_op=tomorrow)


def test_an_unlinked_commissaris_cannot_approve(directie, rvc):
    contract = services.contract_create(
        by=Actor(user=directie), omschrijving="C", wederpartij="W", bedrag=Decimal("90000.00")
    )
    with pytest.raises(ValidationError, match="niet gekoppeld aan een commissaris"):
        services.contract_approve(by=Actor(user=rvc), contract=contract, kenmerk="RvC-9", datum=date(2026, 1, 1))


def test_a_failed_reminder_mail_is_tried_again(directie, monkeypatch):
    def broken(**kwargs):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.send_mail", broken)
    with pytest.raises(ConnectionError):
        services.obligation_reminders_send(date(2026, 5, 31))
    assert not ObligationReminder.objects.exists()
    monkeypatch.undo()
    assert services.obligation_reminders_send(date(2026, 5, 31))


def test_share_notices_are_not_sent_twice(directie, rvc):
    from governance.tasks import notify_document_shared

    boss = Actor(user=directie)
    document = services.document_create(by=boss, titel="Begroting", soort="begroting", doelgroep="rvc", bestand=pdf())
    mail.outbox.clear()
    assert notify_document_shared(document.pk) == 1
    assert notify_document_shared(document.pk) == 0
    assert len(mail.outbox) == 1


def test_orphan_files_are_swept(directie):
    from django.core.files.storage import default_storage

    boss = Actor(user=directie)
    kept = services.document_create(by=boss, titel="Blijft", soort="overig", doelgroep="leden", bestand=pdf())
    orphan = default_storage.save("governance/999/wees.pdf", io.BytesIO(PDF_BYTES))
    assert services.orphan_files_remove(min_age_seconds=3600) == []  # too young
    assert services.orphan_files_remove(min_age_seconds=0) == [orphan]
    assert default_storage.exists(kept.versions.get().bestand.name)

"""Writes for governance: decisions, appointments, the document register,
meetings, the registers and contracts. Each write checks the actor's role,
refuses bad input with a Dutch message naming the field, and is audited in
the same transaction."""

import hashlib
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, F, Max, When
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor
from beware.common.permissions import require
from beware.common.templatetags.money import euro

from . import mandates, selectors, tally, uploads
from .models import (
    ADOPTED_BY,
    APPOINTED_BY,
    MEETING_RULES,
    STATUTORY_BODIES,
    WRITTEN_RULES,
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    Body,
    ConflictOfInterest,
    Contract,
    Decision,
    Document,
    DocumentVersion,
    Mandate,
    Meeting,
    Person,
    Poll,
    PollVoter,
    Proxy,
    ReadReceipt,
    SecretTally,
    SideActivity,
)

MANAGE = selectors.MANAGE
MANAGE_DOCUMENTS = selectors.MANAGE_DOCUMENTS
# Offices a body has at most one holder of at a time.
SINGLE_OFFICES = {
    Mandate.Role.VOORZITTER,
    Mandate.Role.VICEVOORZITTER,
    Mandate.Role.SECRETARIS,
    Mandate.Role.ALGEMEEN_DIRECTEUR,
}


# --- decisions, persons, mandates --------------------------------------------


def ensure_statutory_bodies(**kwargs) -> dict[str, Body]:
    """The ALV, RvC and directie always exist. Migration 0002 makes them; after
    a flush (post_migrate runs again) they are made again the same way."""
    bodies = {}
    for soort, naam, slug, minimum, maximum in STATUTORY_BODIES:
        bodies[soort], _ = Body.objects.get_or_create(
            soort=soort, defaults={"naam": naam, "slug": slug, "minimum": minimum, "maximum": maximum}
        )
    return bodies


def decision_record(
    *, by: Actor, body: Body, kenmerk: str, datum: date, onderwerp: str, toelichting: str = "", perm: str = MANAGE
) -> Decision:
    require(by, perm)
    kenmerk = kenmerk.strip()
    if Decision.objects.filter(kenmerk__iexact=kenmerk).exists():
        raise ValidationError({"besluitkenmerk": f"Er is al een besluit met kenmerk {kenmerk}."})
    with transaction.atomic():
        decision = Decision.objects.create(
            body=body,
            kenmerk=kenmerk,
            datum=datum,
            onderwerp=onderwerp,
            toelichting=toelichting,
            vastgelegd_door=by.user,
        )
        audit.record(
            "governance.decision_record",
            actor=by,
            obj=decision,
            data={"orgaan": body.naam, "kenmerk": kenmerk, "datum": datum, "onderwerp": onderwerp},
        )
    return decision


def body_create(
    *,
    by: Actor,
    soort: str,
    naam: str,
    slug: str,
    minimum: int = 0,
    maximum: int | None = None,
    parent: Body | None = None,
    community=None,
) -> Body:
    """A committee of the RvC or a community board; the statutory bodies
    exist from the start (migration 0002)."""
    require(by, MANAGE)
    if soort == Body.Kind.COMMISSIE and (parent is None or parent.soort != Body.Kind.RVC):
        raise ValidationError({"parent": "Een commissie hoort bij de RvC."})
    if soort == Body.Kind.COMMUNITY and community is None:
        raise ValidationError({"community": "Kies de community van dit bestuur."})
    if soort not in (Body.Kind.COMMISSIE, Body.Kind.COMMUNITY):
        raise ValidationError({"soort": "Alleen commissies en communitybesturen worden hier aangemaakt."})
    if maximum is not None and maximum < minimum:
        raise ValidationError({"maximum": "Het maximum is kleiner dan het minimum."})
    if Body.objects.filter(slug=slug).exists() or Body.objects.filter(naam__iexact=naam).exists():
        raise ValidationError({"naam": f"Er is al een orgaan {naam}."})
    with transaction.atomic():
        body = Body.objects.create(
            soort=soort,
            naam=naam,
            slug=slug,
            minimum=minimum,
            maximum=maximum,
            parent=parent if soort == Body.Kind.COMMISSIE else None,
            community=community if soort == Body.Kind.COMMUNITY else None,
        )
        audit.record(
            "governance.body_create",
            actor=by,
            obj=body,
            data={"soort": soort, "naam": naam, "minimum": minimum, "maximum": maximum},
        )
    return body


def person_create(*, by: Actor, naam: str, geboortedatum: date | None = None, user=None) -> Person:
    require(by, MANAGE)
    with transaction.atomic():
        person = Person.objects.create(naam=naam, geboortedatum=geboortedatum, user=user)
        audit.record("governance.person_create", actor=by, obj=person, data={"naam": naam})
    return person


def person_update(*, by: Actor, person: Person, naam: str, geboortedatum: date | None, user=None) -> Person:
    """Correct a person's name or birth date, or link their portal account
    (so they report their own nevenfuncties and conflicts)."""
    require(by, MANAGE)
    if user is not None and Person.objects.filter(user=user).exclude(pk=person.pk).exists():
        raise ValidationError({"user": f"{user.email} hoort al bij een andere persoon."})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = {"naam": person.naam, "geboortedatum": person.geboortedatum, "user": person.user_id}
        person.naam, person.geboortedatum, person.user = naam, geboortedatum, user
        person.save(update_fields=["naam", "geboortedatum", "user"])
        after = {"naam": naam, "geboortedatum": geboortedatum, "user": user and user.pk}
        audit.record("governance.person_update", actor=by, obj=person, data={"voor": before, "na": after})
    return person


def mandate_appoint(
    *,
    by: Actor,
    body: Body,
    person: Person,
    functie: str,
    ingangsdatum: date,
    besluit: Decision,
    einddatum: date | None = None,
    years: int = mandates.RVC_TERM_YEARS,
    termijn: int | None = None,
) -> Mandate:
    """Appoint (or reappoint) a person, by a decision of the body that
    appoints to this one. For the RvC and its committees the term follows
    from the terms-of-office kernel (`years`, at most 4), which refuses a
    fourth term or a term past age 72; a committee seat ends with the RvC
    seat. No body grows past its maximum and no office has two holders, on
    any day of the new term. `termijn` is given only when a function changes
    within a term (mandate_change_function)."""
    require(by, MANAGE)
    if body.soort == Body.Kind.ALV:
        raise ValidationError({"body": "De ALV bestaat uit alle actieve leden; daarin wordt niemand benoemd."})
    appointing = APPOINTED_BY[body.soort]
    if besluit.body.soort != appointing or (appointing == Body.Kind.COMMUNITY and besluit.body_id != body.pk):
        expected = body.naam if appointing == Body.Kind.COMMUNITY else Body.Kind(appointing).label
        raise ValidationError({"besluit": f"Benoemingen in {body} gebeuren bij besluit van: {expected}."})
    with transaction.atomic():
        # Appointments to one body are serialised, so two at once cannot both
        # pass the size check.
        body = Body.objects.select_for_update().get(pk=body.pk)
        earlier = selectors.earlier_terms(body, person) if termijn is None else termijn - 1
        try:
            if body.has_terms:
                if person.geboortedatum is None:
                    raise ValidationError(
                        {
                            "geboortedatum": f"Vul eerst de geboortedatum van {person} in; "
                            "die is nodig voor de leeftijdsgrens."
                        }
                    )
                seat_end = _rvc_seat_end(body, person, ingangsdatum) if body.soort == Body.Kind.COMMISSIE else None
                term = mandates.check_appointment(
                    person=person.naam,
                    born=person.geboortedatum,
                    start=ingangsdatum,
                    earlier_terms=earlier,
                    years=years,
                    until=einddatum if termijn is not None else seat_end,
                )
                einddatum = term.end
        except mandates.TermRefused as refused:
            raise ValidationError({"__all__": str(refused)}) from refused
        if einddatum is not None and einddatum < ingangsdatum:
            raise ValidationError({"einddatum": "Het einde van de termijn ligt vóór de ingangsdatum."})
        overlapping = selectors.mandates_overlapping(body, ingangsdatum, einddatum)
        if any(m.person_id == person.pk for m in overlapping):
            raise ValidationError(
                {"ingangsdatum": f"{person} heeft in deze periode al een mandaat in {body}; beëindig dat eerst."}
            )
        if body.maximum is not None:
            try:
                mandates.check_size_after_appointment(
                    body.naam, selectors.peak_size(overlapping, ingangsdatum, einddatum), maximum=body.maximum
                )
            except mandates.TermRefused as refused:
                raise ValidationError({"__all__": str(refused)}) from refused
        if functie in SINGLE_OFFICES and (holder := next((m for m in overlapping if m.functie == functie), None)):
            raise ValidationError(
                {
                    "functie": f"{body} heeft in deze periode al een {Mandate.Role(functie).label.lower()}: "
                    f"{holder.person}. Beëindig dat eerst."
                }
            )
        mandate = Mandate.objects.create(
            body=body,
            person=person,
            functie=functie,
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
            termijn=earlier + 1,
            besluit=besluit,
        )
        audit.record(
            "governance.mandate_appoint",
            actor=by,
            obj=mandate,
            data={
                "orgaan": body.naam,
                "persoon": person.naam,
                "functie": functie,
                "termijn": mandate.termijn,
                "ingangsdatum": ingangsdatum,
                "einddatum": einddatum,
                "besluit": besluit.kenmerk,
            },
        )
    return mandate


def mandate_change_function(*, by: Actor, mandate: Mandate, functie: str, datum: date, besluit: Decision) -> Mandate:
    """A sitting member takes another function (a lid becomes voorzitter):
    the current mandate ends the day before, the new one runs to the same
    end in the same term; it is not a reappointment."""
    require(by, MANAGE)
    if functie == mandate.functie:
        raise ValidationError({"functie": "Kies een andere functie dan de huidige."})
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().select_related("body", "person").get(pk=mandate.pk)
        if not mandate.is_current(datum) or datum == mandate.ingangsdatum:
            raise ValidationError({"datum": "De datum moet na de ingangsdatum en binnen het lopende mandaat liggen."})
        mandate_end(
            by=by,
            mandate=mandate,
            datum=date.fromordinal(datum.toordinal() - 1),
            reden=f"Functiewijziging naar {Mandate.Role(functie).label.lower()}",
        )
        return mandate_appoint(
            by=by,
            body=mandate.body,
            person=mandate.person,
            functie=functie,
            ingangsdatum=datum,
            besluit=besluit,
            einddatum=mandate.einddatum,
            termijn=mandate.termijn,
        )


def _rvc_seat_end(committee: Body, person: Person, start: date) -> date | None:
    """A committee member sits on the RvC, and the committee seat ends no
    later than that RvC seat."""
    seat = next((m for m in selectors.current_mandates(committee.parent, start) if m.person_id == person.pk), None)
    if seat is None:
        raise ValidationError(
            {
                "__all__": (
                    f"{person} is op {start:%d-%m-%Y} geen lid van {committee.parent}; "
                    "een commissie bestaat uit commissarissen."
                )
            }
        )
    return seat.last_day


def mandate_end(*, by: Actor, mandate: Mandate, datum: date, reden: str) -> Mandate:
    require(by, MANAGE)
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if mandate.beeindigd_op is not None:
            raise ValidationError({"datum": f"Dit mandaat is al beëindigd op {mandate.beeindigd_op:%d-%m-%Y}."})
        if datum < mandate.ingangsdatum or (mandate.einddatum and datum > mandate.einddatum):
            raise ValidationError({"datum": "De datum moet binnen de termijn van het mandaat liggen."})
        if not reden.strip():
            raise ValidationError({"reden": "Geef de reden van de beëindiging."})
        mandate.beeindigd_op = datum
        mandate.reden_beeindiging = reden
        mandate.save(update_fields=["beeindigd_op", "reden_beeindiging"])
        audit.record("governance.mandate_end", actor=by, obj=mandate, data={"datum": datum, "reden": reden})
    return mandate


# --- documents ---------------------------------------------------------------


def _store_version(document: Document, upload, *, by: Actor, toelichting: str) -> DocumentVersion:
    content_type = uploads.check_upload(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    nummer = (document.versions.order_by("-nummer").values_list("nummer", flat=True).first() or 0) + 1
    version = DocumentVersion(
        document=document,
        nummer=nummer,
        bestandsnaam=upload.name.rsplit("/", 1)[-1][:200],
        content_type=content_type,
        grootte=upload.size,
        sha256=digest.hexdigest(),
        toelichting=toelichting,
        geupload_door=by.user,
    )
    version.bestand.save(upload.name, upload, save=False)
    try:
        version.save()
    except IntegrityError as clash:
        version.bestand.delete(save=False)
        raise ValidationError(
            {"bestand": "Er werd tegelijk een andere versie geüpload; probeer het opnieuw."}
        ) from clash
    audit.record(
        "governance.document_version",
        actor=by,
        obj=document,
        data={"versie": nummer, "bestandsnaam": version.bestandsnaam, "sha256": version.sha256},
    )
    return version


def _require_document_manager(by: Actor, doelgroep: str) -> None:
    """The register's managers (directie, secretaris) manage documents, except
    the RvC's closed ones, which only the RvC manages and reads."""
    require(by, selectors.manage_permission(doelgroep))


def orphan_files_remove(min_age_seconds: int = 3600) -> list[str]:
    """Files of the register that no version refers to: written by an upload
    whose transaction rolled back. Removed once they are an hour old, so an
    upload still committing is left alone."""
    import time

    from django.core.files.storage import default_storage

    referenced = set(DocumentVersion.objects.values_list("bestand", flat=True))
    removed = []
    try:
        folders, _ = default_storage.listdir("governance")
    except FileNotFoundError:
        return removed
    for folder in folders:
        for name in default_storage.listdir(f"governance/{folder}")[1]:
            path = f"governance/{folder}/{name}"
            age = time.time() - default_storage.get_modified_time(path).timestamp()
            if path not in referenced and age >= min_age_seconds:
                default_storage.delete(path)
                removed.append(path)
    return removed


def _check_audience(doelgroep: str, community) -> None:
    if doelgroep == Document.Audience.COMMUNITY and community is None:
        raise ValidationError({"community": "Kies de community voor wie het document is."})
    if doelgroep != Document.Audience.COMMUNITY and community is not None:
        raise ValidationError({"community": "Een community kies je alleen bij doelgroep 'Eén community'."})


def document_create(
    *,
    by: Actor,
    titel: str,
    soort: str,
    doelgroep: str,
    bestand,
    community=None,
    jaar: int | None = None,
    kwartaal: int | None = None,
    toelichting: str = "",
) -> Document:
    """A new document in the register, as a concept with its first version."""
    _require_document_manager(by, doelgroep)
    _check_audience(doelgroep, community)
    if kwartaal is not None and not 1 <= kwartaal <= 4:
        raise ValidationError({"kwartaal": "Een kwartaal is 1, 2, 3 of 4."})
    uploads.check_upload(bestand)
    with transaction.atomic():
        document = Document.objects.create(
            titel=titel,
            soort=soort,
            doelgroep=doelgroep,
            community=community,
            jaar=jaar,
            kwartaal=kwartaal,
            aangemaakt_door=by.user,
        )
        audit.record(
            "governance.document_create",
            actor=by,
            obj=document,
            data={"titel": titel, "soort": soort, "doelgroep": doelgroep, "community": str(community or "")},
        )
        _store_version(document, bestand, by=by, toelichting=toelichting)
    return document


def document_add_version(*, by: Actor, document: Document, bestand, toelichting: str = "") -> DocumentVersion:
    """A new version of a concept. An adopted document is frozen: a change
    is a new document adopted by a new decision."""
    _require_document_manager(by, document.doelgroep)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == Document.Status.VASTGESTELD:
            raise ValidationError(
                {"bestand": "Een vastgesteld document verandert niet; leg een wijziging vast als nieuw document."}
            )
        return _store_version(document, bestand, by=by, toelichting=toelichting)


def document_adopt(*, by: Actor, document: Document, besluit: Decision | None) -> Document:
    """Concept → vastgesteld, only with the decision that adopted it, taken
    by the body that adopts this kind of document (ADOPTED_BY)."""
    _require_document_manager(by, document.doelgroep)
    if besluit is None:
        raise ValidationError({"besluit": "Een document wordt alleen vastgesteld met het besluit dat het vaststelt."})
    adopting = ADOPTED_BY.get(document.soort)
    if adopting is not None and besluit.body.soort != adopting:
        raise ValidationError(
            {
                "besluit": f"Een {document.get_soort_display().lower()} wordt vastgesteld bij besluit van: "
                f"{Body.Kind(adopting).label}; {besluit.kenmerk} is een besluit van {besluit.body}."
            }
        )
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status == Document.Status.VASTGESTELD:
            raise ValidationError({"status": f"{document} is al vastgesteld op {document.vastgesteld_op:%d-%m-%Y}."})
        if not document.versions.exists():
            raise ValidationError({"bestand": "Upload eerst het document dat wordt vastgesteld."})
        document.status = Document.Status.VASTGESTELD
        document.besluit = besluit
        document.vastgesteld_op = besluit.datum
        document.save(update_fields=["status", "besluit", "vastgesteld_op"])
        audit.record(
            "governance.document_adopt",
            actor=by,
            obj=document,
            data={
                "besluit": besluit.kenmerk,
                "datum": besluit.datum,
                "versie": selectors.latest_version(document).nummer,
            },
        )
    return document


def document_share(*, by: Actor, document: Document) -> Document:
    """Release a concept to its audience (for the ALV: send it to the
    members, whose first opening is recorded as a read receipt)."""
    _require_document_manager(by, document.doelgroep)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.gedeeld_op is not None:
            raise ValidationError({"status": f"Dit document is al gedeeld op {document.gedeeld_op:%d-%m-%Y}."})
        document.gedeeld_op = timezone.now()
        document.save(update_fields=["gedeeld_op"])
        audit.record("governance.document_share", actor=by, obj=document, data={"doelgroep": document.doelgroep})
        transaction.on_commit(lambda: _queue_share_notice(document.pk))
    return document


def _queue_share_notice(document_id: int) -> None:
    from invoicing.services import queue_task

    from .tasks import notify_document_shared

    queue_task(notify_document_shared, document_id)


def document_opened(*, by: Actor, document: Document) -> None:
    """Record a member's read receipt the first time one of its users opens
    a document sent to the ALV."""
    if by.member is None or document.doelgroep != Document.Audience.LEDEN or document.gedeeld_op is None:
        return
    if ReadReceipt.objects.filter(document=document, member=by.member).exists():
        return
    try:
        with transaction.atomic():
            receipt = ReadReceipt.objects.create(document=document, member=by.member, user=by.user)
            audit.record("governance.document_read", actor=by, obj=document, data={"leesbevestiging": receipt.pk})
    except IntegrityError:  # another user of the member was just first
        pass


# --- meetings ----------------------------------------------------------------


def meeting_record(
    *,
    by: Actor,
    body: Body,
    datum: date,
    titel: str,
    plaats: str = "",
    met_accountant: bool = False,
    online: bool = False,
    besloten: bool = False,
    voorzitter=None,
    max_volmachten: int = 1,
    stemgewicht: str = Meeting.Weighting.GELIJK,
) -> Meeting:
    require(by, MANAGE_DOCUMENTS)
    if met_accountant and body.soort != Body.Kind.RVC:
        raise ValidationError({"met_accountant": "Alleen een vergadering van de RvC wordt met de accountant gehouden."})
    if besloten and body.soort not in RVC_SIDE:
        raise ValidationError({"besloten": "Alleen de RvC en zijn commissies vergaderen besloten."})
    if (
        voorzitter is not None
        and body.soort in RVC_SIDE
        and voorzitter.pk not in {m.person.user_id for m in selectors.current_mandates(body, datum)}
    ):
        raise ValidationError({"voorzitter": f"De voorzitter van een vergadering van {body} is een van haar leden."})
    if max_volmachten < 1:
        raise ValidationError({"max_volmachten": "Een gevolmachtigde vertegenwoordigt ten minste één lid."})
    with transaction.atomic():
        meeting = Meeting.objects.create(
            body=body,
            datum=datum,
            titel=titel,
            plaats=plaats,
            met_accountant=met_accountant,
            online=online,
            besloten=besloten,
            voorzitter=voorzitter,
            max_volmachten=max_volmachten,
            stemgewicht=stemgewicht,
        )
        audit.record(
            "governance.meeting_record",
            actor=by,
            obj=meeting,
            data={
                "orgaan": body.naam,
                "datum": datum,
                "titel": titel,
                "met_accountant": met_accountant,
                "online": online,
                "besloten": besloten,
                "voorzitter": voorzitter and voorzitter.email,
                "max_volmachten": max_volmachten,
                "stemgewicht": stemgewicht,
            },
        )
    return meeting


# --- registers ---------------------------------------------------------------


def _require_self_or_manager(by: Actor, person: Person) -> None:
    """Commissarissen and directors report for themselves; managers of the
    registers record reports for anyone."""
    if by.is_system or (by.user is not None and person.user_id == by.user.pk):
        return
    require(by, MANAGE)


def side_activity_report(
    *,
    by: Actor,
    person: Person,
    functie: str,
    organisatie: str,
    ingangsdatum: date,
    bezoldigd: bool = False,
    einddatum: date | None = None,
    gemeld_op: date | None = None,
) -> SideActivity:
    """Record a nevenfunctie. A report more than a month after it started is
    accepted and flagged late."""
    _require_self_or_manager(by, person)
    today = timezone.localdate()
    gemeld_op = gemeld_op or today
    if gemeld_op > today:
        raise ValidationError({"gemeld_op": "De meldingsdatum kan niet in de toekomst liggen."})
    if einddatum is not None and einddatum < ingangsdatum:
        raise ValidationError({"einddatum": "De einddatum ligt vóór de ingangsdatum."})
    with transaction.atomic():
        activity = SideActivity.objects.create(
            person=person,
            functie=functie,
            organisatie=organisatie,
            bezoldigd=bezoldigd,
            ingangsdatum=ingangsdatum,
            einddatum=einddatum,
            gemeld_op=gemeld_op,
        )
        audit.record(
            "governance.side_activity_report",
            actor=by,
            obj=activity,
            data={
                "persoon": person.naam,
                "functie": functie,
                "organisatie": organisatie,
                "ingangsdatum": ingangsdatum,
                "gemeld_op": gemeld_op,
                "te_laat": activity.reported_late,
            },
        )
    return activity


MEMBER_BODIES = (Body.Kind.ALV, Body.Kind.COMMUNITY)


def _conflict_body(meeting: Meeting | None, poll: Poll | None) -> Body | None:
    return meeting.body if meeting is not None else (poll.body if poll is not None else None)


def _require_may_declare(by: Actor, *, person, member, meeting, poll) -> None:
    """Commissarissen and directors declare for themselves, a member through
    its representative; the keepers of the registers (and of the meeting, or
    the chair of a written decision) record a declaration for anyone."""
    if by.is_system:
        return
    if by.user is None:
        raise PermissionDenied("Log in om een tegenstrijdig belang te melden.")
    if person is not None and person.user_id == by.user.pk:
        return
    body = _conflict_body(meeting, poll)
    if member is not None and by.member == member and selectors.represents(by.user, member, body.soort):
        return
    if meeting is not None and may_keep_register(by.user, meeting):
        return
    if poll is not None and may_chair(by.user, None, poll.body):
        return
    if meeting is not None and meeting.besloten:  # not even the register's managers
        raise PermissionDenied("Alleen de commissarissen melden een belang bij een besloten vergadering.")
    require(by, MANAGE)


def conflict_declare(
    *,
    by: Actor,
    onderwerp: str,
    person: Person | None = None,
    member=None,
    contract: Contract | None = None,
    meeting: Meeting | None = None,
    agenda_item: AgendaItem | None = None,
    poll: Poll | None = None,
    toelichting: str = "",
) -> ConflictOfInterest:
    """A declared conflict of interest: of a person (RvC, directie) or of a
    member (ALV, community), on an agenda item, a meeting, a written decision
    or a contract. Declared before the vote: the electorate is frozen when
    a poll opens, so a declaration on an opened poll is refused."""
    if (person is None) == (member is None):
        raise ValidationError({"__all__": "Meld het belang voor één persoon of voor één lid."})
    if agenda_item is not None and meeting is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": "Dit agendapunt hoort niet bij deze vergadering."})
    if poll is not None and (poll.agenda_item_id is not None or agenda_item is not None):
        raise ValidationError(
            {"agenda_item": "Meld een belang bij een stemming in een vergadering bij haar agendapunt."}
        )
    meeting = meeting or (agenda_item.meeting if agenda_item else None)
    body = _conflict_body(meeting, poll)
    if member is not None and body is None:
        raise ValidationError(
            {"member": "Een lid meldt een belang bij een agendapunt of een besluit buiten vergadering."}
        )
    _require_may_declare(by, person=person, member=member, meeting=meeting, poll=poll)
    if body is not None and (member is not None) != (body.soort in MEMBER_BODIES):
        field, who = ("person", "een lid") if body.soort in MEMBER_BODIES else ("member", "een persoon")
        raise ValidationError({field: f"In {body} meldt {who} het belang."})
    if not onderwerp.strip():
        raise ValidationError({"onderwerp": "Noem het agendapunt of de transactie waarop het belang betrekking heeft."})
    with transaction.atomic():
        # The lock poll_open takes (the meeting's, or a written decision's
        # own): a declaration and the opening of its poll do not cross.
        if meeting is not None:
            Meeting.objects.select_for_update().get(pk=meeting.pk)
        if poll is not None:
            Poll.objects.select_for_update().get(pk=poll.pk)
        concerned = Poll.objects.filter(agenda_item=agenda_item) if agenda_item is not None else Poll.objects.none()
        if poll is not None:
            concerned = Poll.objects.filter(pk=poll.pk)
        if concerned.exclude(status=Poll.Status.CONCEPT).exists():
            raise ValidationError(
                {
                    "agenda_item" if agenda_item is not None else "__all__": (
                        "De stemming hierover is al geopend; een tegenstrijdig belang meldt u vóór de stemming."
                    )
                }
            )
        conflict = ConflictOfInterest.objects.create(
            person=person,
            member=member,
            onderwerp=onderwerp.strip(),
            contract=contract,
            meeting=meeting,
            agenda_item=agenda_item,
            poll=poll,
            toelichting=toelichting,
            gemeld_op=timezone.localdate(),
        )
        audit.record(
            "governance.conflict_declare",
            actor=by,
            obj=conflict,
            data={
                "persoon": person and person.naam,
                "lid": member and member.pk,
                "onderwerp": onderwerp,
                "contract": contract and contract.pk,
                "agendapunt": agenda_item and agenda_item.pk,
                "stemming": poll and poll.pk,
            },
        )
    return conflict


# --- contracts ---------------------------------------------------------------


def contract_create(*, by: Actor, omschrijving: str, wederpartij: str, bedrag: Decimal) -> Contract:
    require(by, selectors.MANAGE_CONTRACTS)
    if bedrag <= 0:
        raise ValidationError({"bedrag": "De waarde van het contract moet groter zijn dan € 0,00."})
    with transaction.atomic():
        contract = Contract.objects.create(omschrijving=omschrijving, wederpartij=wederpartij, bedrag=bedrag)
        audit.record(
            "governance.contract_create",
            actor=by,
            obj=contract,
            data={"omschrijving": omschrijving, "wederpartij": wederpartij, "bedrag": bedrag},
        )
    return contract


def contract_approve(*, by: Actor, contract: Contract, kenmerk: str, datum: date, toelichting: str = "") -> Contract:
    """The RvC's prior approval, recorded as an RvC decision. A commissaris
    with a declared conflict of interest on the contract may not approve it."""
    require(by, selectors.APPROVE_CONTRACT)
    if datum > timezone.localdate():
        raise ValidationError({"datum": "De datum van de goedkeuring kan niet in de toekomst liggen."})
    person = Person.objects.filter(user=by.user).first() if by.user is not None else None
    if person is None and not by.is_system:
        # Without it, a declared conflict of interest could not be checked.
        raise ValidationError(
            {"__all__": "Uw account is niet gekoppeld aan een commissaris; vraag de secretaris dat te doen."}
        )
    if person is not None and person.pk in selectors.conflicted_people(contract=contract):
        raise ValidationError(
            {"__all__": "U heeft een tegenstrijdig belang gemeld bij dit contract en besluit er niet over."}
        )
    rvc = Body.objects.filter(soort=Body.Kind.RVC).first()
    if rvc is None:
        raise ValidationError({"__all__": "Er is geen RvC vastgelegd."})
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        if contract.status != Contract.Status.CONCEPT:
            raise ValidationError({"status": f"Dit contract is al {contract.get_status_display().lower()}."})
        decision = decision_record(
            by=by,
            body=rvc,
            kenmerk=kenmerk,
            datum=datum,
            onderwerp=(
                f"Goedkeuring contract {contract.omschrijving} met {contract.wederpartij} ({euro(contract.bedrag)})"
            ),
            toelichting=toelichting,
            perm=selectors.APPROVE_CONTRACT,
        )
        contract.rvc_besluit = decision
        contract.status = Contract.Status.GOEDGEKEURD
        contract.save(update_fields=["rvc_besluit", "status"])
        audit.record("governance.contract_approve", actor=by, obj=contract, data={"besluit": decision.kenmerk})
    return contract


def contract_sign(*, by: Actor, contract: Contract, getekend_op: date) -> Contract:
    """Mark a contract signed. Above EUR 50.000 only after the RvC approved
    it, and not signed before that approval."""
    require(by, selectors.MANAGE_CONTRACTS)
    if getekend_op > timezone.localdate():
        raise ValidationError(
            {"getekend_op": "Een contract kan pas als getekend worden vastgelegd als het getekend is."}
        )
    with transaction.atomic():
        # Lock only the contract: PostgreSQL cannot lock the nullable side of the join.
        contract = Contract.objects.select_for_update(of=("self",)).select_related("rvc_besluit").get(pk=contract.pk)
        if contract.status == Contract.Status.GETEKEND:
            raise ValidationError({"status": f"Dit contract is al getekend op {contract.getekend_op:%d-%m-%Y}."})
        if contract.needs_approval:
            if contract.rvc_besluit is None:
                raise ValidationError(
                    {
                        "status": f"Een contract van {euro(contract.bedrag)} heeft vooraf de goedkeuring van de RvC "
                        "nodig; die is nog niet vastgelegd."
                    }
                )
            if getekend_op < contract.rvc_besluit.datum:
                raise ValidationError(
                    {
                        "getekend_op": "Het contract kan niet getekend zijn vóór de goedkeuring van de RvC "
                        f"({contract.rvc_besluit.datum:%d-%m-%Y})."
                    }
                )
        contract.status = Contract.Status.GETEKEND
        contract.getekend_op = getekend_op
        contract.save(update_fields=["status", "getekend_op"])
        audit.record("governance.contract_sign", actor=by, obj=contract, data={"getekend_op": getekend_op})
    return contract


# --- the governance calendar ---------------------------------------------------


def _role_recipients(role: str) -> list[str]:
    from django.contrib.auth import get_user_model

    from beware.accounts.roles import StaffRole

    users = get_user_model().objects.filter(is_active=True)
    emails = list(users.filter(groups__name=role).values_list("email", flat=True).distinct())
    if not emails and role == StaffRole.SECRETARIS:  # no secretaris yet: the directie takes it
        emails = list(users.filter(groups__name=StaffRole.DIRECTIE).values_list("email", flat=True).distinct())
    return sorted(emails)


def obligation_reminders_send(today: date | None = None) -> list[str]:
    """E-mail the responsible role about each open or late obligation that
    reached a reminder threshold (30 and 7 days before, and once when late).
    Each reminder is recorded under a unique key first, so a re-run or a
    second beat sends nothing twice. Returns the keys sent."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from . import obligations
    from .models import ObligationReminder

    today = today or timezone.localdate()
    sent = []
    # Last year's December deadlines become late on 1 January.
    for year in (today.year - 1, today.year):
        for row in selectors.compliance(year, today):
            if row.status == obligations.MET:
                continue
            item = row.obligation
            if row.status == obligations.LATE:
                key = f"{item.key}:te-laat"
            else:
                threshold = obligations.reminder_due(item.deadline, today)
                if threshold is None:
                    continue
                key = f"{item.key}:{threshold}"
            recipients = _role_recipients(item.role)
            if not recipients:
                continue
            with transaction.atomic():
                reminder, created = ObligationReminder.objects.get_or_create(
                    sleutel=key, defaults={"ontvangers": ", ".join(recipients)}
                )
                if not created:
                    continue
                audit.record(
                    "governance.obligation_reminder",
                    actor=Actor.system(),
                    data={"verplichting": item.key, "sleutel": key, "ontvangers": recipients},
                )
            # Sent after the commit, so no lock waits on the mail server; a
            # failed send removes the record and the next beat tries again.
            try:
                send_mail(
                    subject=f"Governancekalender: {item.title}",
                    message=render_to_string(
                        "governance/email/obligation_reminder.txt", {"row": row, "late": row.status == obligations.LATE}
                    ),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=recipients,
                )
            except Exception:
                reminder.delete()
                raise
            sent.append(key)
    return sent


# --- meetings and voting (DOMAIN.md §5) ----------------------------------------------

CHAIR = "governance.chair_polls"
RVC_NOTICE_WORKING_DAYS = 8
RVC_SIDE = (Body.Kind.RVC, Body.Kind.COMMISSIE)


def alv_notice_days() -> int:
    """The ALV's notice period: 14 days unless the statuten say otherwise (a setting)."""
    return settings.ALV_OPROEPTERMIJN_DAGEN


def chairs_body(user, body: Body, day: date | None = None) -> bool:
    """The user is the body's voorzitter or vicevoorzitter (a current mandate)."""
    chairs = (Mandate.Role.VOORZITTER, Mandate.Role.VICEVOORZITTER)
    return any(
        m.functie in chairs and m.person.user_id == user.pk
        for m in selectors.current_mandates(body, day or timezone.localdate())
    )


def may_chair(user, meeting: Meeting | None, body: Body | None = None) -> bool:
    """Who convenes and opens and closes polls: the meeting's voorzitter;
    for the RvC and its committees their own voorzitter (or vicevoorzitter)
    and the secretaris, never the directie it supervises (and of a besloten
    meeting not the secretaris either); for a community its coordinators;
    otherwise the holders of chair_polls (directie, secretaris)."""
    from beware.accounts.roles import StaffRole
    from communities.models import Coordinator

    if user is None or not user.is_authenticated:
        return False
    if meeting is not None and meeting.voorzitter_id == user.pk:
        return True
    body = meeting.body if meeting is not None else body  # a meeting's polls are its own body's
    if body is not None and body.soort in RVC_SIDE:
        if chairs_body(user, body):
            return True
        closed = meeting is not None and meeting.besloten
        return not closed and user.groups.filter(name=StaffRole.SECRETARIS).exists()
    coordinates = body is not None and body.soort == Body.Kind.COMMUNITY and body.community_id
    if coordinates and Coordinator.objects.filter(community_id=body.community_id, user=user).exists():
        return True
    return user.has_perm(CHAIR)


def may_oversee(user, meeting: Meeting | None, body: Body | None = None) -> bool:
    """Who sees a meeting or poll in full (attendance, electorate, progress,
    exports): whoever may chair it, and those who see governance; a besloten
    RvC meeting only the commissarissen (as closed RvC documents)."""
    if may_chair(user, meeting, body):
        return True
    if meeting is not None and meeting.besloten:
        return user.has_perm(selectors.MANAGE_CLOSED_RVC_DOCUMENTS)
    return user.has_perm(selectors.VIEW)


def _may_chair(by: Actor, meeting: Meeting | None, body: Body | None = None) -> bool:
    return by.is_system or may_chair(by.user, meeting, body)


def may_keep_register(user, meeting: Meeting) -> bool:
    """The agenda, attendance and minutes: the chair or the secretary (of a
    besloten meeting only the chair)."""
    from beware.accounts.roles import StaffRole

    if may_chair(user, meeting):
        return True
    if meeting.besloten or user is None or not user.is_authenticated:
        return False
    if meeting.body.soort in RVC_SIDE:  # the RvC's own secretary, not the directie it supervises
        return user.groups.filter(name=StaffRole.SECRETARIS).exists()
    return user.has_perm(MANAGE_DOCUMENTS)


def _may_keep_register(by: Actor, meeting: Meeting) -> bool:
    return by.is_system or may_keep_register(by.user, meeting)


def _require_chair(by: Actor, meeting: Meeting | None, body: Body | None = None) -> None:
    if not _may_chair(by, meeting, body):
        raise PermissionDenied(
            "Alleen de voorzitter of de secretaris mag dit doen; stemmingen van de RvC leidt de RvC."
        )


def notice_shortfall(meeting: Meeting, today: date) -> str | None:
    """What is wrong with the notice period, or None when it is kept."""
    days = alv_notice_days()
    if meeting.body.soort == Body.Kind.ALV and (meeting.datum - today).days < days:
        return f"De ALV wordt ten minste {days} dagen van tevoren bijeengeroepen."
    rvc = meeting.body.soort == Body.Kind.RVC
    if rvc and mandates.working_days_between(today, meeting.datum) < RVC_NOTICE_WORKING_DAYS:
        return f"De RvC wordt ten minste {RVC_NOTICE_WORKING_DAYS} werkdagen van tevoren bijeengeroepen."
    return None


def meeting_convene(*, by: Actor, meeting: Meeting, spoedreden: str = "") -> Meeting:
    """Send the convocation (agenda with its documents, as links) to those
    entitled to attend. A shorter notice period needs a recorded reason."""
    _require_chair(by, meeting)
    today = timezone.localdate()
    short = notice_shortfall(meeting, today)
    if short and not spoedreden.strip():
        raise ValidationError({"spoedreden": f"{short} Geef de reden als de vergadering spoedeisend is."})
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.bijeengeroepen_op is not None:
            raise ValidationError({"__all__": f"De oproep is al verstuurd op {meeting.bijeengeroepen_op:%d-%m-%Y}."})
        meeting.bijeengeroepen_op = timezone.now()
        meeting.spoedreden = spoedreden.strip() if short else ""
        meeting.save(update_fields=["bijeengeroepen_op", "spoedreden"])
        audit.record(
            "meeting.convene",
            actor=by,
            obj=meeting,
            data={"datum": meeting.datum, "spoedreden": meeting.spoedreden, "termijn_te_kort": bool(short)},
        )
        transaction.on_commit(lambda: _queue_notice("notify_convocation", meeting.pk))
    return meeting


def _queue_notice(task_name: str, object_id: int) -> None:
    from invoicing.services import queue_task

    from . import tasks

    queue_task(getattr(tasks, task_name), object_id)


def agenda_item_add(*, by: Actor, meeting: Meeting, titel: str, voorstel: str = "", documenten=()) -> AgendaItem:
    """The next item on a meeting's agenda, by its secretary or chair, with
    the documents that go with it: only documents meant for those who
    attend, so the convocation never links to what they may not read."""
    if not _may_keep_register(by, meeting):
        raise PermissionDenied("Alleen de secretaris of de voorzitter stelt de agenda op.")
    fitting = set(selectors.meeting_documents(meeting).values_list("pk", flat=True))
    wrong = [d.titel for d in documenten if d.pk not in fitting]
    if wrong:
        raise ValidationError(
            {"documenten": f"Niet voor de deelnemers aan deze vergadering bestemd: {', '.join(wrong)}."}
        )
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)  # one position at a time
        volgorde = (meeting.items.aggregate(n=Max("volgorde"))["n"] or 0) + 1
        item = meeting.items.create(volgorde=volgorde, titel=titel, voorstel=voorstel)
        item.documenten.set(documenten)
        audit.record(
            "meeting.agenda_item_add",
            actor=by,
            obj=item,
            data={
                "vergadering": meeting.pk,
                "volgorde": volgorde,
                "titel": titel,
                "documenten": [d.pk for d in documenten],
            },
        )
    return item


def attendance_check_in(*, by: Actor, meeting: Meeting, member=None, person: Person | None = None) -> Attendance:
    """The secretary checks anyone in; at an online meeting a member's
    representative checks its member in, a board member themself."""
    self_check_in = not _may_keep_register(by, meeting)
    if self_check_in:
        allowed = meeting.online and (
            (member is not None and by.member == member and selectors.represents(by.user, member, meeting.body.soort))
            or (person is not None and person.user_id == getattr(by.user, "pk", None))
        )
        if not allowed:
            raise PermissionDenied("Alleen de secretaris checkt deelnemers in; online checkt u alleen uzelf in.")
    if not selectors.takes_part(meeting, member=member, person=person):
        who = "member" if member is not None else "person"
        raise ValidationError({who: f"{member or person} neemt geen deel aan {meeting.body}."})
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                meeting=meeting, member=member, person=person, ingecheckt_door=by.user, zelf=self_check_in
            )
            audit.record(
                "meeting.check_in",
                actor=by,
                obj=meeting,
                data={"lid": member and member.pk, "persoon": person and person.pk, "zelf": self_check_in},
            )
    except IntegrityError as clash:
        raise ValidationError({"__all__": f"{member or person} is al ingecheckt."}) from clash
    return attendance


def proxy_grant(
    *, by: Actor, meeting: Meeting, gevolmachtigde, agendapunten=(), bestand=None, ondertekenen: bool = False
) -> Proxy:
    """A member grants a written proxy to another member: an uploaded signed
    document, or signed in the portal by the member's authorised signatory
    (its lid-beheerder)."""
    verlener = by.member
    if verlener is None or not selectors.represents(by.user, verlener):
        raise PermissionDenied("Een volmacht geeft u namens het lid dat u vertegenwoordigt.")
    if meeting.body.soort != Body.Kind.ALV:
        raise ValidationError({"meeting": "Volmachten gelden alleen voor de ALV."})
    if gevolmachtigde == verlener:
        raise ValidationError({"gevolmachtigde": "Een lid kan zichzelf geen volmacht geven."})
    if ondertekenen and not selectors.may_sign_for(by.user, verlener):
        raise ValidationError({"ondertekenen": "Alleen de lid-beheerder tekent namens het lid in het portaal."})
    if not ondertekenen and bestand is None:
        raise ValidationError({"bestand": "Upload de ondertekende volmacht, of teken in het portaal."})
    if bestand is not None and uploads.check_upload(bestand) != uploads.PDF:
        raise ValidationError({"bestand": "Een ondertekende volmacht is een PDF-bestand."})
    with transaction.atomic():
        # One proxy decision at a time per meeting: the cap and "decided
        # before the polls open" hold under concurrency.
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        if Poll.objects.filter(agenda_item__meeting=meeting).exclude(status=Poll.Status.CONCEPT).exists():
            raise ValidationError(
                {"__all__": "De stemmingen van deze vergadering zijn al geopend; volmachten zijn gesloten."}
            )
        _check_proxy_cap(meeting, gevolmachtigde)
        proxy = Proxy(
            meeting=meeting,
            verlener=verlener,
            gevolmachtigde=gevolmachtigde,
            ondertekend_door=by.user if ondertekenen else None,
            aangevraagd_door=by.user,
        )
        if bestand is not None:
            proxy.bestand.save(bestand.name, bestand, save=False)
        try:
            with transaction.atomic():
                proxy.save()
        except IntegrityError as clash:
            raise ValidationError(
                {"__all__": f"{verlener} heeft voor deze vergadering al een volmacht gegeven; trek die eerst in."}
            ) from clash
        proxy.agendapunten.set(agendapunten)
        audit.record(
            "meeting.proxy_grant",
            actor=by,
            obj=proxy,
            data={
                "vergadering": meeting.pk,
                "volmachtgever": verlener.pk,
                "gevolmachtigde": gevolmachtigde.pk,
                "agendapunten": [i.pk for i in agendapunten],
                "in_portaal_getekend": ondertekenen,
            },
        )
    return proxy


def _check_proxy_cap(meeting: Meeting, holder) -> None:
    live = Proxy.objects.filter(
        meeting=meeting, gevolmachtigde=holder, status__in=[Proxy.Status.AANGEVRAAGD, Proxy.Status.GOEDGEKEURD]
    ).count()
    if live >= meeting.max_volmachten:
        raise ValidationError(
            {
                "gevolmachtigde": f"{holder} vertegenwoordigt al {live} lid of leden; "
                f"het maximum is {meeting.max_volmachten} volmacht(en) per gevolmachtigde."
            }
        )


def proxy_decide(*, by: Actor, proxy: Proxy, approve: bool) -> Proxy:
    """The secretary approves (or refuses) a proxy before the polls open."""
    require(by, MANAGE_DOCUMENTS)
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=proxy.meeting_id)
        proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.status != Proxy.Status.AANGEVRAAGD:
            raise ValidationError({"status": f"Deze volmacht is al {proxy.get_status_display().lower()}."})
        proxy.status = Proxy.Status.GOEDGEKEURD if approve else Proxy.Status.AFGEWEZEN
        proxy.beoordeeld_door, proxy.beoordeeld_op = by.user, timezone.now()
        proxy.save(update_fields=["status", "beoordeeld_door", "beoordeeld_op"])
        audit.record("meeting.proxy_decide", actor=by, obj=proxy, data={"status": proxy.status})
    return proxy


def proxy_revoke(*, by: Actor, proxy: Proxy) -> Proxy:
    """The principal revokes its proxy, until the secretary approved it."""
    if by.member != proxy.verlener or not selectors.represents(by.user, proxy.verlener):
        raise PermissionDenied("Alleen het lid dat de volmacht gaf, trekt haar in.")
    with transaction.atomic():
        proxy = Proxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.status != Proxy.Status.AANGEVRAAGD:
            raise ValidationError(
                {"status": "Een goedgekeurde of afgewezen volmacht kan niet meer worden ingetrokken."}
            )
        proxy.status = Proxy.Status.INGETROKKEN
        proxy.save(update_fields=["status"])
        audit.record("meeting.proxy_revoke", actor=by, obj=proxy)
    return proxy


def poll_create(
    *,
    by: Actor,
    body: Body,
    vraag: str,
    regel: str,
    agenda_item: AgendaItem | None = None,
    geheim: bool = False,
    quorum: str = "",
    deadline=None,
) -> Poll:
    _require_chair(by, agenda_item.meeting if agenda_item else None, body)
    rule = Poll.Rule(regel)
    if agenda_item is not None and agenda_item.meeting.body_id != body.pk:
        raise ValidationError({"__all__": "Over een agendapunt stemt het orgaan dat vergadert."})
    allowed = MEETING_RULES.get(body.soort, []) if agenda_item is not None else [WRITTEN_RULES.get(body.soort)]
    if rule not in allowed:
        raise ValidationError({"regel": f"{body} besluit niet volgens de regel '{rule.label}'."})
    if geheim and regel == Poll.Rule.DIRECTIE:
        # A tie is decided by the chair's own vote, which a secret poll cannot show.
        raise ValidationError({"geheim": "Een stemming van de directie in vergadering kan niet geheim zijn."})
    meeting = agenda_item.meeting if agenda_item else None
    if geheim and meeting is not None and meeting.stemgewicht == Meeting.Weighting.INWONERS:
        raise ValidationError(
            {"geheim": "Bij stemgewicht naar inwoners verraadt het gewicht de stem; kies een open stemming."}
        )
    if quorum and regel not in (Poll.Rule.ALV, Poll.Rule.ALV_GEKWALIFICEERD, Poll.Rule.COMMUNITY):
        raise ValidationError({"quorum": "Het quorum van deze regel ligt vast in de statuten; laat het leeg."})
    if rule.value.endswith("-schriftelijk") and (agenda_item is not None or deadline is None):
        raise ValidationError({"deadline": "Een besluit buiten vergadering heeft een termijn en geen agendapunt."})
    if not rule.value.endswith("-schriftelijk") and agenda_item is None:
        raise ValidationError({"agenda_item": "Een stemming in een vergadering hoort bij een agendapunt."})
    if quorum:
        try:
            share = Fraction(quorum)
        except (ValueError, ZeroDivisionError) as bad:
            raise ValidationError({"quorum": "Geef het quorum als breuk, bijvoorbeeld 1/2."}) from bad
        if not 0 < share <= 1:
            raise ValidationError({"quorum": "Het quorum ligt tussen 0 en 1, bijvoorbeeld 1/2."})
    with transaction.atomic():
        poll = Poll.objects.create(
            body=body,
            agenda_item=agenda_item,
            vraag=vraag,
            regel=regel,
            geheim=geheim,
            quorum=quorum,
            deadline=deadline,
        )
        audit.record(
            "poll.create", actor=by, obj=poll, data={"vraag": vraag, "regel": regel, "geheim": geheim, "quorum": quorum}
        )
    return poll


def poll_open(*, by: Actor, poll: Poll) -> Poll:
    """Freeze the electorate and weights, and open the poll. A meeting's
    polls open only once every proxy is decided."""
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    _require_chair(by, meeting, poll.body)
    with transaction.atomic():
        if meeting is not None:  # proxies are granted and decided under the same lock
            meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.CONCEPT:
            raise ValidationError({"status": "Deze stemming is al geopend."})
        if meeting is not None and meeting.bijeengeroepen_op is None:
            raise ValidationError({"__all__": "Roep de vergadering eerst bijeen; daarna kan er worden gestemd."})
        if meeting is not None:
            waiting = Proxy.objects.filter(meeting=meeting, status=Proxy.Status.AANGEVRAAGD).count()
            if waiting:
                raise ValidationError(
                    {"__all__": f"Er wachten nog {waiting} volmacht(en) op goedkeuring; beoordeel die eerst."}
                )
        electorate = selectors.electorate(poll)
        if not electorate:
            raise ValidationError({"__all__": "Er is niemand stemgerechtigd voor deze stemming."})
        PollVoter.objects.bulk_create(PollVoter(poll=poll, **entry) for entry in electorate)
        if poll.geheim:
            SecretTally.objects.bulk_create(SecretTally(poll=poll, keuze=choice) for choice in tally.OPTIONS)
        poll.status, poll.geopend_op = Poll.Status.OPEN, timezone.now()
        poll.voorzitter = selectors.tie_breaker(poll)
        poll.save(update_fields=["status", "geopend_op", "voorzitter"])
        audit.record(
            "poll.open",
            actor=by,
            obj=poll,
            data={
                "stemgerechtigden": len(electorate),
                "kiezers": selectors.electorate_digest(poll),
                "voorzitter": poll.voorzitter_id,
            },
        )
        if poll.written:  # a decision outside a meeting is sent to every entitled voter
            transaction.on_commit(lambda: _queue_notice("notify_written_poll", poll.pk))
    return poll


def agenda_item_minute(*, by: Actor, item: AgendaItem, verslag: str, besluit: str) -> AgendaItem:
    """The secretary drafts the minutes and the besluitenlijst per agenda item."""
    if not _may_keep_register(by, item.meeting):
        raise PermissionDenied("Alleen de secretaris of de voorzitter schrijft de notulen.")
    with transaction.atomic():
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        before = {"verslag": item.verslag, "besluit": item.besluit}
        item.verslag, item.besluit = verslag.strip(), besluit.strip()
        item.save(update_fields=["verslag", "besluit"])
        audit.record(
            "meeting.minutes",
            actor=by,
            obj=item,
            data={"voor": before, "na": {"verslag": item.verslag, "besluit": item.besluit}},
        )
    return item


def _lock_open_poll(poll: Poll) -> Poll:
    """Read the poll under a shared lock: ballots do not wait for each other,
    but closing (FOR UPDATE) waits for ballots in flight, and a ballot after
    the close sees it closed. SQLite serialises writers by itself."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT status FROM governance_poll WHERE id = %s FOR SHARE", [poll.pk])
            row = cursor.fetchone()
        poll.status = row[0]
    else:
        poll.refresh_from_db(fields=["status"])
    return poll


def ballot_cast(*, by: Actor, poll: Poll, voter: PollVoter, keuze: str) -> None:
    """One vote per voter per poll, final once cast. A proxy holder casts a
    separate vote for each principal; in a secret poll the choice is stored
    apart from who voted."""
    if keuze not in tally.OPTIONS:
        raise ValidationError({"keuze": "Kies voor, tegen of onthouding."})
    if voter.poll_id != poll.pk:
        raise ValidationError({"__all__": "U staat niet op de lijst van stemgerechtigden van deze stemming."})
    if not selectors.may_vote_for(by, voter, poll):
        raise PermissionDenied("U mag niet voor deze stemgerechtigde stemmen.")
    if not poll.written and not voter.aanwezig:
        raise ValidationError({"__all__": f"{voter} was niet aanwezig of vertegenwoordigd toen de stemming opende."})
    with transaction.atomic():
        poll = _lock_open_poll(poll)
        if poll.status != Poll.Status.OPEN:
            raise ValidationError({"__all__": "De stemming is gesloten; er kan niet meer worden gestemd."})
        if poll.deadline is not None and timezone.now() > poll.deadline:
            raise ValidationError({"__all__": "De termijn om te stemmen is verstreken."})
        try:
            with transaction.atomic():
                if poll.geheim:
                    BallotReceipt.objects.create(poll=poll, voter=voter, uitgebracht_door=by.user)
                    SecretTally.objects.filter(poll=poll).update(
                        aantal=F("aantal") + Case(When(keuze=keuze, then=1), default=0),
                        gewicht=F("gewicht") + Case(When(keuze=keuze, then=voter.gewicht), default=Decimal(0)),
                    )
                else:
                    Ballot.objects.create(poll=poll, voter=voter, keuze=keuze, uitgebracht_door=by.user)
        except IntegrityError as clash:
            raise ValidationError({"__all__": f"Voor {voter} is al gestemd; een stem is definitief."}) from clash
        audit.record(
            "poll.ballot",
            actor=by,
            obj=poll,
            data={"stemgerechtigde": voter.key} | ({} if poll.geheim else {"keuze": keuze}),
        )


def poll_close(*, by: Actor, poll: Poll) -> Poll:
    """Close the poll and store the kernel's outcome with a checksum over the
    electorate, the votes and the result."""
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    _require_chair(by, meeting, poll.body)
    with transaction.atomic():
        poll = Poll.objects.select_for_update().get(pk=poll.pk)
        if poll.status != Poll.Status.OPEN:
            raise ValidationError({"status": "Alleen een open stemming kan worden gesloten."})
        if poll.written and timezone.now() < poll.deadline and selectors.non_responders(poll):
            raise ValidationError(
                {"deadline": f"Er kan nog worden gestemd tot {timezone.localtime(poll.deadline):%d-%m-%Y %H:%M}."}
            )
        outcome, digest = selectors.poll_outcome(poll)
        poll.status, poll.gesloten_op = Poll.Status.GESLOTEN, timezone.now()
        poll.uitslag = outcome.result
        poll.voor, poll.tegen, poll.onthouding = outcome.voor, outcome.tegen, outcome.onthouding
        poll.uitgebracht, poll.aanwezig, poll.stemgerechtigd = outcome.cast, outcome.present, outcome.entitled
        poll.beslist_door_voorzitter = outcome.decided_by_chair
        poll.controlegetal = digest
        poll.save()
        audit.record(
            "poll.close",
            actor=by,
            obj=poll,
            data={
                "uitslag": outcome.result,
                "regel": outcome.rule,
                "voor": outcome.voor,
                "tegen": outcome.tegen,
                "onthouding": outcome.onthouding,
                "beslist_door_voorzitter": outcome.decided_by_chair,
                "controlegetal": digest,
            },
        )
    return poll


def written_polls_close_expired(now=None) -> list[int]:
    """Close the written decisions whose term has passed (beat, hourly)."""
    now = now or timezone.now()
    closed = []
    expired = Poll.objects.filter(status=Poll.Status.OPEN, deadline__lt=now, agenda_item__isnull=True)
    for poll in expired:
        try:
            closed.append(poll_close(by=Actor.system(), poll=poll).pk)
        except ValidationError:  # closed by the chair in the meantime
            continue
    return closed

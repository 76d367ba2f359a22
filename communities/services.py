"""Writes for communities: the community itself, its coordinators, documents,
application keys, and members joining and leaving. Every function is atomic,
checks the actor's permission, and records an audit event in the same
transaction.

Every change to who participates locks the community row first, so two
joins of the same member, or two late joiners settling against the same
participants, happen one after the other."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from beware.common import audit
from beware.common.audit import Actor
from beware.common.permissions import can, require
from businesscases import selectors as businesscase_selectors
from businesscases import services as businesscase_services
from membership import admission
from membership.models import Member

from .models import ApplicationToken, Community, CommunityDocument, Coordinator, Participation

MANAGE = "communities.change_community"
MANAGE_PARTICIPATION = "communities.manage_participation"
# Object permissions a coordinator holds on its community.
COORDINATOR_PERMISSIONS = (MANAGE, MANAGE_PARTICIPATION)
EDITABLE_FIELDS = {
    "naam",
    "samenvatting",
    "beschrijving",
    "status",
    "domein",
    "trekker",
    "platform",
    "leverancier",
    "referentiecomponent",
    "standaarden",
    "links",
}


def _lock(community: Community) -> Community:
    return Community.objects.select_for_update().get(pk=community.pk)


def community_create(*, by: Actor, slug: str, **fields) -> Community:
    require(by, "communities.add_community")
    with transaction.atomic():
        community = Community(slug=slug, **fields)
        community.full_clean()
        community.save()
        audit.record("community.aangemaakt", actor=by, obj=community, data={"naam": community.naam})
        return community


def community_update(community: Community, *, by: Actor, **fields) -> Community:
    require(by, MANAGE, community)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Dit veld wijzigt niet via bewerken."))
    with transaction.atomic():
        community = _lock(community)
        before = {name: str(getattr(community, name)) for name in fields}
        for name, value in fields.items():
            setattr(community, name, value)
        community.full_clean()
        community.save()
        audit.record(
            "community.gewijzigd",
            actor=by,
            obj=community,
            data={"voor": before, "na": {k: str(v) for k, v in fields.items()}},
        )
        return community


def coordinator_add(community: Community, user, *, by: Actor) -> Coordinator:
    require(by, MANAGE, community)
    with transaction.atomic():
        coordinator, created = Coordinator.objects.get_or_create(community=community, user=user)
        for perm in COORDINATOR_PERMISSIONS:
            assign_perm(perm, user, community)
        user.__dict__.pop("_object_permission_checker", None)  # see beware.common.permissions.can
        if created:
            audit.record("community.coordinator_toegevoegd", actor=by, obj=community, data={"gebruiker": user.email})
        return coordinator


def coordinator_remove(coordinator: Coordinator, *, by: Actor) -> None:
    community, user = coordinator.community, coordinator.user
    require(by, MANAGE, community)
    with transaction.atomic():
        coordinator.delete()
        for perm in COORDINATOR_PERMISSIONS:
            remove_perm(perm, user, community)
        user.__dict__.pop("_object_permission_checker", None)
        audit.record("community.coordinator_verwijderd", actor=by, obj=community, data={"gebruiker": user.email})


def document_add(community: Community, *, by: Actor, titel: str, bestand) -> CommunityDocument:
    require(by, MANAGE, community)
    with transaction.atomic():
        document = CommunityDocument(community=community, titel=titel, bestand=bestand, toegevoegd_door=by.user)
        document.full_clean()
        document.save()
        audit.record(
            "community.document_toegevoegd",
            actor=by,
            obj=community,
            data={"titel": titel, "bestand": document.bestand.name},
        )
        return document


def _require_active(member: Member) -> None:
    if member.status != admission.ACTIEF:
        raise ValidationError({"lid": f"{member.naam} is geen actief lid ({member.get_status_display().lower()})."})


def _refuse_if_open(community: Community, member: Member) -> None:
    """A member has at most one open request or participation per community."""
    open_one = Participation.objects.filter(community=community, member=member, einddatum__isnull=True).exclude(
        status=Participation.Status.AFGEWEZEN
    )
    existing = open_one.first()
    if existing is not None:
        what = "is al deelnemer" if existing.status == Participation.Status.DEELNEMER else "heeft al een aanvraag lopen"
        raise ValidationError({"lid": f"{member.naam} {what} bij {community.naam}."})


def participation_request(community: Community, member: Member, *, by: Actor, toelichting: str = "") -> Participation:
    """A member's representative asks to join, at any stage of the community."""
    require(by, "membership.join_community", member)
    _require_active(member)
    with transaction.atomic():
        community = _lock(community)
        _refuse_if_open(community, member)
        participation = Participation.objects.create(
            community=community,
            member=member,
            aangevraagd_door=by.user,
            toelichting=toelichting,
        )
        audit.record(
            "community.deelname_aangevraagd",
            actor=by,
            obj=community,
            data={"lid": member.code, "fase": community.status, "deelname": participation.pk},
        )
        return participation


def _join(
    community: Community, participation: Participation, *, by: Actor, datum: date, percentage: Decimal | None
) -> Participation:
    """Make the participation current and settle every decided business case
    (a late join, DOMAIN.md §3.5). Runs under the community lock."""
    if datum > timezone.localdate():
        # A later date would lower a written-off charge; accept on the day itself.
        raise ValidationError({"datum": "De datum van deelname kan niet in de toekomst liggen."})
    participation.status = Participation.Status.DEELNEMER
    participation.datum = datum
    participation.fase = community.status
    participation.beoordeeld_door = by.user
    participation.save()
    settlements = [
        businesscase_services.late_join_settle(bc, participation, by=by, joiner_percentage=percentage)
        for bc in businesscase_selectors.decided_business_cases(community)
    ]
    audit.record(
        "community.deelnemer",
        actor=by,
        obj=community,
        data={
            "lid": participation.member.code,
            "datum": datum,
            "fase": community.status,
            "deelname": participation.pk,
            "verrekeningen": [s.pk for s in settlements if s is not None],
        },
    )
    return participation


def participation_accept(
    participation: Participation, *, by: Actor, datum: date | None = None, percentage: Decimal | None = None
) -> Participation:
    """A coordinator or the directie accepts a request; after a go-decision
    this stores the late joiner's settlement too. All or nothing."""
    require(by, MANAGE_PARTICIPATION, participation.community)
    with transaction.atomic():
        community = _lock(participation.community)
        participation = Participation.objects.select_for_update().select_related("member").get(pk=participation.pk)
        if participation.status != Participation.Status.AANGEVRAAGD:
            raise ValidationError({"status": "Deze aanvraag is al beoordeeld."})
        _require_active(participation.member)
        return _join(community, participation, by=by, datum=datum or timezone.localdate(), percentage=percentage)


def participation_add(
    community: Community, member: Member, *, by: Actor, datum: date | None = None, percentage: Decimal | None = None
) -> Participation:
    """Staff or a coordinator add a member directly (request and acceptance in one)."""
    require(by, MANAGE_PARTICIPATION, community)
    _require_active(member)
    with transaction.atomic():
        community = _lock(community)
        _refuse_if_open(community, member)
        try:
            with transaction.atomic():
                participation = Participation.objects.create(
                    community=community, member=member, aangevraagd_door=by.user
                )
        except IntegrityError as error:  # the unique index caught a race the lock did not
            raise ValidationError({"lid": f"{member.naam} is al deelnemer bij {community.naam}."}) from error
        return _join(community, participation, by=by, datum=datum or timezone.localdate(), percentage=percentage)


def participation_reject(participation: Participation, *, by: Actor, toelichting: str) -> Participation:
    require(by, MANAGE_PARTICIPATION, participation.community)
    if not toelichting.strip():
        raise ValidationError({"toelichting": "Geef aan waarom de aanvraag wordt afgewezen."})
    with transaction.atomic():
        _lock(participation.community)
        participation = Participation.objects.select_for_update().select_related("member").get(pk=participation.pk)
        if participation.status != Participation.Status.AANGEVRAAGD:
            raise ValidationError({"status": "Deze aanvraag is al beoordeeld."})
        participation.status = Participation.Status.AFGEWEZEN
        participation.beoordeeld_door = by.user
        participation.toelichting = toelichting
        participation.save()
        audit.record(
            "community.deelname_afgewezen",
            actor=by,
            obj=participation.community,
            data={"lid": participation.member.code, "toelichting": toelichting},
        )
        return participation


def participation_end(participation: Participation, *, by: Actor, einddatum: date) -> Participation:
    """Record that a member leaves; nothing is refunded (DOMAIN.md §4). The
    member itself or whoever manages the community's participants may."""
    member = participation.member
    community = participation.community
    manages = by.is_system or (by.user is not None and can(by.user, MANAGE_PARTICIPATION, community))
    if not manages:
        require(by, "membership.join_community", member)
        if einddatum < timezone.localdate():
            # Who manages the community may record a past departure; the member itself not.
            raise ValidationError({"einddatum": "Een vertrek legt u vast per vandaag of later."})
    with transaction.atomic():
        _lock(community)
        participation = Participation.objects.select_for_update().get(pk=participation.pk)
        if not participation.is_current:
            raise ValidationError({"einddatum": "Dit lid is geen deelnemer (meer)."})
        if einddatum < participation.datum:
            raise ValidationError(
                {"einddatum": f"De einddatum ligt vóór de deelname ({participation.datum:%d-%m-%Y})."}
            )
        participation.einddatum = einddatum
        participation.save()
        audit.record(
            "community.deelname_beeindigd",
            actor=by,
            obj=community,
            data={"lid": member.code, "einddatum": einddatum},
        )
        return participation


# --- application keys (docs/decisions/0024) -----------------------------------------


# "Laatst gebruikt" is kept to the minute: a busy application must not write a row on every request.
def application_token_create(community: Community, *, by: Actor, naam: str) -> tuple[ApplicationToken, str]:
    """A key for the community's application to report its usage through the
    API. Returns the token and the key; only the key's SHA-256 is kept, so
    the caller shows the key this once."""
    require(by, MANAGE, community)
    naam = naam.strip()
    if not naam:
        raise ValidationError({"naam": "Geef de sleutel een naam."})
    sleutel = ApplicationToken.new_key()
    with transaction.atomic():
        token = ApplicationToken(
            community=community, naam=naam, sleutel_hash=ApplicationToken.hash(sleutel), aangemaakt_door=by.user
        )
        token.full_clean()
        token.save()
        audit.record(
            "community.applicatiesleutel_aangemaakt", actor=by, obj=community, data={"sleutel": token.pk, "naam": naam}
        )
    return token, sleutel


def application_token_revoke(token: ApplicationToken, *, by: Actor) -> ApplicationToken:
    """Revoke a key for good; revoking it twice changes nothing."""
    require(by, MANAGE, token.community)
    with transaction.atomic():
        token = ApplicationToken.objects.select_for_update().select_related("community").get(pk=token.pk)
        if token.ingetrokken is None:
            token.ingetrokken = timezone.now()
            token.save(update_fields=["ingetrokken"])
            audit.record(
                "community.applicatiesleutel_ingetrokken",
                actor=by,
                obj=token.community,
                data={"sleutel": token.pk, "naam": token.naam},
            )
    return token

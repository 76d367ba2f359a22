"""Writes to the member register. Every function is atomic, checks the actor's
permission, and records an audit event in the same transaction."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from beware.common import audit
from beware.common.audit import Actor
from beware.common.permissions import require

from . import admission
from .inwoner_csv import decode, parse_inwoner_csv
from .models import Contact, Factuurkenmerk, Gemeente, Inwonertal, Member, MemberRole, Representation, StatusChange

# Object permissions on the member that each role within it brings.
MEMBER_ROLE_PERMISSIONS = {
    MemberRole.Role.ALV_VERTEGENWOORDIGER: ["view_private_member", "join_community"],
    MemberRole.Role.FINANCIEEL_CONTACT: ["view_private_member", "manage_factuurkenmerk"],
    MemberRole.Role.COMMUNITY_CONTACT: ["view_private_member", "join_community"],
    MemberRole.Role.LID_BEHEERDER: ["view_private_member", "change_member", "manage_factuurkenmerk", "join_community"],
}


def member_create(*, by: Actor, status: str = admission.AANVRAAG, **fields) -> Member:
    """Register a prospective member or an application for membership."""
    require(by, "membership.add_member")
    if status not in (admission.BELANGSTELLING, admission.AANVRAAG):
        raise ValidationError({"status": "Een nieuw lid begint als belangstellende of met een aanvraag."})
    with transaction.atomic():
        member = Member(status=status, **fields)
        member.full_clean()
        member.save()
        audit.record("lid.aangemaakt", actor=by, obj=member, data={"naam": member.naam, "status": status})
        return member


def member_update(member: Member, *, by: Actor, **fields) -> Member:
    require(by, "membership.change_member", member)
    protected = {"status", "ingangsdatum", "einddatum", "code"} & set(fields)
    if protected:
        raise ValidationError(dict.fromkeys(protected, "Dit veld wijzigt alleen via de toelatingsstappen."))
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        before = {name: str(getattr(member, name)) for name in fields}
        for name, value in fields.items():
            setattr(member, name, value)
        member.full_clean()
        member.save()
        audit.record(
            "lid.gewijzigd", actor=by, obj=member, data={"voor": before, "na": {k: str(v) for k, v in fields.items()}}
        )
        return member


def member_take_step(
    member: Member, step_code: str, *, by: Actor, datum: date | None = None, toelichting: str = ""
) -> Member:
    """Take one step of the admission lifecycle, as the role allowed to take it."""
    with transaction.atomic():
        member = Member.objects.select_for_update().get(pk=member.pk)
        step = admission.step_for(step_code, member.status)
        require(by, step.permission, member)
        if step.needs_date and datum is None:
            raise ValidationError({step.needs_date: "Vul de datum in."})
        if step.needs_date == "ingangsdatum":
            member.ingangsdatum = datum
        elif step.needs_date == "einddatum":
            if member.ingangsdatum and datum < member.ingangsdatum:
                raise ValidationError({"einddatum": "De einddatum ligt vóór de ingangsdatum."})
            member.einddatum = datum
        if step.code == "uittreden" and member.einddatum > timezone.localdate():
            raise ValidationError({"einddatum": f"Uittreden kan pas vanaf de einddatum ({member.einddatum:%d-%m-%Y})."})
        member.status = step.target
        member.save()
        if step.target == admission.ACTIEF:
            _queue_entry_fee(member)
        if step.target == admission.UITGETREDEN:
            # From the day after the einddatum the gemeenten are free for another member.
            member.representations.filter(geldig_tot__isnull=True).update(
                geldig_tot=member.einddatum + timedelta(days=1)
            )
        change = StatusChange.objects.create(
            member=member,
            step=step.code,
            source=step.source,
            target=step.target,
            datum=datum,
            toelichting=toelichting,
            door=by.user,
        )
        audit.record(
            f"lid.{step.code}",
            actor=by,
            obj=member,
            data={
                "van": step.source,
                "naar": step.target,
                "datum": datum,
                "toelichting": toelichting,
                "statuswijziging": change.pk,
            },
        )
        return member


def _queue_entry_fee(member: Member) -> None:
    """After commit, invoice the entreegeld (invoicing.services.entry_fee_bill)."""
    from invoicing.services import queue_task
    from invoicing.tasks import bill_entry_fee

    pk = member.pk
    transaction.on_commit(lambda: queue_task(bill_entry_fee, pk))


def representation_add(
    member: Member, gemeente: Gemeente, *, by: Actor, geldig_van: date, geldig_tot: date | None = None
) -> Representation:
    """A member starts representing a gemeente. A gemeente is represented by at
    most one member at a time, so its inwoners are never counted twice. Only
    staff change representations: they decide what a member pays."""
    require(by, "membership.change_representation", member)
    with transaction.atomic():
        representation = Representation(member=member, gemeente=gemeente, geldig_van=geldig_van, geldig_tot=geldig_tot)
        representation.full_clean()
        # Lock the gemeente so two concurrent adds cannot both find no overlap.
        Gemeente.objects.select_for_update().get(pk=gemeente.pk)
        overlapping = (
            Representation.objects.filter(gemeente=gemeente)
            .exclude(member__status=admission.AFGEWEZEN)
            .filter(Q(geldig_tot__isnull=True) | Q(geldig_tot__gt=geldig_van))
        )
        if geldig_tot is not None:
            overlapping = overlapping.filter(geldig_van__lt=geldig_tot)
        clash = overlapping.select_related("member").first()
        if clash is not None:
            raise ValidationError(
                {"gemeente": f"{gemeente.naam} wordt in die periode al vertegenwoordigd door {clash.member.naam}."}
            )
        representation.save()
        audit.record(
            "lid.vertegenwoordiging_toegevoegd",
            actor=by,
            obj=member,
            data={"gemeente": gemeente.code, "geldig_van": geldig_van, "geldig_tot": geldig_tot},
        )
        return representation


def representation_end(representation: Representation, *, by: Actor, geldig_tot: date) -> Representation:
    """End a representation (herindeling, a gemeente leaving a GR); history stays."""
    require(by, "membership.change_representation", representation.member)
    with transaction.atomic():
        representation = Representation.objects.select_for_update().get(pk=representation.pk)
        if representation.geldig_tot is not None:
            raise ValidationError({"geldig_tot": "Deze vertegenwoordiging is al beëindigd."})
        if geldig_tot <= representation.geldig_van:
            raise ValidationError({"geldig_tot": "De einddatum moet na de begindatum liggen."})
        representation.geldig_tot = geldig_tot
        representation.save()
        audit.record(
            "lid.vertegenwoordiging_beeindigd",
            actor=by,
            obj=representation.member,
            data={"gemeente": representation.gemeente.code, "geldig_tot": geldig_tot},
        )
        return representation


def _sync_object_permissions(user, member: Member) -> None:
    user.__dict__.pop("_object_permission_checker", None)  # see beware.common.permissions.can
    wanted = set()
    for role in MemberRole.objects.filter(user=user, member=member).values_list("role", flat=True):
        wanted.update(MEMBER_ROLE_PERMISSIONS[role])
    for perm in {p for perms in MEMBER_ROLE_PERMISSIONS.values() for p in perms}:
        if perm in wanted:
            assign_perm(f"membership.{perm}", user, member)
        else:
            remove_perm(f"membership.{perm}", user, member)


def member_role_grant(user, member: Member, role: str, *, by: Actor) -> MemberRole:
    require(by, "membership.invite_user", member)
    with transaction.atomic():
        member_role, created = MemberRole.objects.get_or_create(user=user, member=member, role=role)
        _sync_object_permissions(user, member)
        if created:
            audit.record("lid.rol_toegekend", actor=by, obj=member, data={"gebruiker": user.email, "rol": role})
        return member_role


def member_role_revoke(member_role: MemberRole, *, by: Actor) -> None:
    require(by, "membership.invite_user", member_role.member)
    with transaction.atomic():
        user, member, role = member_role.user, member_role.member, member_role.role
        member_role.delete()
        _sync_object_permissions(user, member)
        audit.record("lid.rol_ingetrokken", actor=by, obj=member, data={"gebruiker": user.email, "rol": role})


def user_invite(*, email: str, first_name: str, last_name: str, member: Member, roles: list[str], by: Actor):
    """Invite a person to act for a member: a user without a password, the
    roles, and an e-mail with a link to choose a password (sent after commit)."""
    from beware.accounts.models import User

    from .tasks import send_invitation

    require(by, "membership.invite_user", member)
    if not roles:
        raise ValidationError({"roles": "Kies ten minste één rol."})
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, first_name=first_name, last_name=last_name)
            audit.record("gebruiker.uitgenodigd", actor=by, obj=member, data={"gebruiker": user.email})
        for role in roles:
            member_role_grant(user, member, role, by=by)
        transaction.on_commit(lambda: send_invitation.delay(user.pk, member.pk))
        return user


def contact_add(member: Member, *, by: Actor, **fields) -> Contact:
    require(by, "membership.change_member", member)
    with transaction.atomic():
        contact = Contact(member=member, **fields)
        contact.full_clean()
        contact.save()
        audit.record("lid.contact_toegevoegd", actor=by, obj=member, data={"naam": contact.naam, "rol": contact.rol})
        return contact


def contact_remove(contact: Contact, *, by: Actor) -> None:
    require(by, "membership.change_member", contact.member)
    with transaction.atomic():
        audit.record(
            "lid.contact_verwijderd", actor=by, obj=contact.member, data={"naam": contact.naam, "rol": contact.rol}
        )
        contact.delete()


def factuurkenmerk_set(member: Member, *, jaar: int, kenmerk: str, by: Actor) -> Factuurkenmerk:
    require(by, "membership.manage_factuurkenmerk", member)
    kenmerk = kenmerk.strip()
    if not kenmerk:
        raise ValidationError({"kenmerk": "Vul het factuurkenmerk in."})
    with transaction.atomic():
        record, created = Factuurkenmerk.objects.select_for_update().get_or_create(
            member=member, jaar=jaar, defaults={"kenmerk": kenmerk}
        )
        old = None if created else record.kenmerk
        if not created:
            record.kenmerk = kenmerk
            record.save()
        audit.record("lid.factuurkenmerk", actor=by, obj=member, data={"jaar": jaar, "oud": old, "nieuw": kenmerk})
        return record


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int


class InwonerImportError(Exception):
    """The import was refused; `errors` names every bad row."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__(f"{len(errors)} fout(en) in het bestand; er is niets ingelezen.")


def _resolve_gemeente(text: str, by_code: dict, by_name: dict) -> Gemeente | None:
    value = text.strip()
    if value.upper().startswith("GM"):
        return by_code.get(value.upper())
    if value.isdigit():
        return by_code.get(f"GM{int(value):04d}")
    return by_name.get(value.lower())


def inwonertallen_import(
    data: bytes, *, by: Actor, bron: str = "CBS StatLine 03759ned", status: str = Inwonertal.Status.DEFINITIEF
) -> ImportReport:
    """Import inwonertallen from a CSV export: all rows or none."""
    require(by, "membership.import_inwoners")
    try:
        parsed = parse_inwoner_csv(decode(data))
    except ValueError as exc:
        raise InwonerImportError([str(exc)]) from exc
    errors = list(parsed.errors)
    gemeenten = list(Gemeente.objects.all())
    by_code = {g.code: g for g in gemeenten}
    by_name = {g.naam.lower(): g for g in gemeenten}
    resolved = []
    seen = {}
    for row in parsed.rows:
        gemeente = _resolve_gemeente(row.gemeente, by_code, by_name)
        if gemeente is None:
            errors.append(f"Regel {row.regel}: onbekende gemeentecode '{row.gemeente}'.")
        elif (gemeente.pk, row.jaar) in seen:
            first = seen[(gemeente.pk, row.jaar)]
            errors.append(f"Regel {row.regel}: {gemeente.naam} {row.jaar} staat dubbel (ook op regel {first}).")
        else:
            seen[(gemeente.pk, row.jaar)] = row.regel
            resolved.append((row, gemeente))
    if errors:
        raise InwonerImportError(sorted(errors, key=_line_number))
    created = updated = 0
    with transaction.atomic():
        existing = {
            (f.gemeente_id, f.jaar): f
            for f in Inwonertal.objects.select_for_update().filter(gemeente_id__in={g.pk for _, g in resolved})
        }
        changes = []  # [code, jaar, old, new] for every figure the import wrote: they decide what members pay
        for row, gemeente in resolved:
            values = {"aantal": row.aantal, "bron": bron, "status": row.status or status, "is_demo": False}
            figure = existing.get((gemeente.pk, row.jaar))
            if figure is None:
                Inwonertal.objects.create(gemeente=gemeente, jaar=row.jaar, **values)
                created += 1
                changes.append([gemeente.code, row.jaar, None, row.aantal])
            else:
                changes.append([gemeente.code, row.jaar, figure.aantal, row.aantal])
                for name, value in values.items():
                    setattr(figure, name, value)
                figure.save()
                updated += 1
        audit.record(
            "inwonertallen.geimporteerd",
            actor=by,
            data={"nieuw": created, "bijgewerkt": updated, "bron": bron, "wijzigingen": changes},
        )
    return ImportReport(created=created, updated=updated)


def _line_number(message: str) -> int:
    """Sort key: the row number a message names (header problems first)."""
    digits = message.removeprefix("Regel ").split(":")[0]
    return int(digits) if digits.isdigit() else 0


def member_apply(
    *, by: Actor, gemeenten, vertegenwoordigt_vanaf: date, status: str = admission.AANVRAAG, **fields
) -> Member:
    """Register an applicant together with the gemeenten it represents."""
    if not gemeenten:
        raise ValidationError({"gemeenten": "Kies ten minste één gemeente."})
    with transaction.atomic():
        member = member_create(by=by, status=status, **fields)
        for gemeente in gemeenten:
            representation_add(member, gemeente, by=by, geldig_van=vertegenwoordigt_vanaf)
        return member

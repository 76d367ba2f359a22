"""Reads of the member register, filtered by what the user may see."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from beware.common.permissions import can

from . import admission
from .models import Contact, Factuurkenmerk, Inwonertal, Member, MemberRole, Representation, StatusChange

REGISTER_STATUSES = (admission.ACTIEF, admission.OPGEZEGD, admission.UITGETREDEN)
QUEUE_STATUSES = (
    admission.BELANGSTELLING,
    admission.AANVRAAG,
    admission.RVC_GOEDGEKEURD,
    admission.TOEGELATEN,
    admission.OPGEZEGD,
)


class InwonersUnknown(Exception):
    """A member's inwoners cannot be determined: never read this as zero."""


class MissingInwonertal(InwonersUnknown):
    """A gemeente a member represents has no inwonertal for the year asked."""

    def __init__(self, gemeente, jaar: int):
        self.gemeente = gemeente
        self.jaar = jaar
        super().__init__(f"Geen inwonertal bekend voor {gemeente.naam} ({gemeente.code}) in {jaar}.")


class NoRepresentation(InwonersUnknown):
    """The member represents no gemeente on the date asked."""

    def __init__(self, on: date):
        self.on = on
        super().__init__(f"Dit lid vertegenwoordigt op {on:%d-%m-%Y} geen gemeente.")


def members_of_user(user) -> list[Member]:
    """The member organisations a user may act for."""
    return list(Member.objects.filter(user_roles__user=user).distinct().order_by("naam"))


def member_register(user, *, zoekterm: str = "", status: str = "", soort: str = "") -> QuerySet[Member]:
    """Members the user may see in the register. Staff see applications too;
    member users see the members themselves (public data)."""
    members = Member.objects.all()
    if not can(user, "membership.view_member"):
        members = members.filter(status__in=REGISTER_STATUSES)
    if zoekterm:
        members = members.filter(
            Q(naam__icontains=zoekterm) | Q(representations__gemeente__naam__icontains=zoekterm) | Q(kvk=zoekterm)
        ).distinct()
    if status:
        members = members.filter(status=status)
    if soort:
        members = members.filter(soort=soort)
    return members.order_by("naam")


def member_visible_to(user, member: Member) -> bool:
    return (
        member.status in REGISTER_STATUSES
        or can(user, "membership.view_member")
        or can(user, "membership.view_private_member", member)
    )


def representations_on(member_ids, peildatum: date) -> QuerySet[Representation]:
    return (
        Representation.objects.filter(member_id__in=member_ids, geldig_van__lte=peildatum)
        .filter(Q(geldig_tot__isnull=True) | Q(geldig_tot__gt=peildatum))
        .select_related("gemeente")
    )


def inwoners_by_member(
    member_ids, peildatum: date, *, represented_on: date | None = None
) -> dict[int, int | InwonersUnknown]:
    """Member inwoners on a peildatum: the sum of the inwonertal (1 January of
    the peildatum's year) of the gemeenten each member represents on that
    date. A missing figure or a member without gemeenten gives an
    InwonersUnknown for that member, never a zero. `represented_on` counts the
    gemeenten of another date, e.g. a mid-year joiner's ingangsdatum with the
    figures of 1 January. Two queries however many members."""
    member_ids = list(member_ids)
    represented_on = represented_on or peildatum
    representations = list(representations_on(member_ids, represented_on))
    figures = dict(
        Inwonertal.objects.filter(
            gemeente_id__in={r.gemeente_id for r in representations}, jaar=peildatum.year
        ).values_list("gemeente_id", "aantal")
    )
    result: dict[int, int | InwonersUnknown] = {member_id: NoRepresentation(represented_on) for member_id in member_ids}
    for rep in sorted(representations, key=lambda r: r.gemeente.code):
        current = result[rep.member_id]
        if isinstance(current, NoRepresentation):
            current = 0
        if isinstance(current, MissingInwonertal):
            continue
        if rep.gemeente_id not in figures:
            result[rep.member_id] = MissingInwonertal(rep.gemeente, peildatum.year)
        else:
            result[rep.member_id] = current + figures[rep.gemeente_id]
    return result


def member_inwoners(member: Member, peildatum: date, *, represented_on: date | None = None) -> int:
    """Inwoners of one member on a peildatum; raises InwonersUnknown."""
    value = inwoners_by_member([member.pk], peildatum, represented_on=represented_on)[member.pk]
    if isinstance(value, InwonersUnknown):
        raise value
    return value


@dataclass(frozen=True)
class InwonerYear:
    jaar: int
    inwoners: int | None
    ontbreekt: list[str]
    is_demo: bool


def inwoner_history(member: Member) -> list[InwonerYear]:
    """Member inwoners on 1 January of every year for which figures exist."""
    representations = list(member.representations.select_related("gemeente"))
    figures = list(Inwonertal.objects.filter(gemeente_id__in={r.gemeente_id for r in representations}))
    if not representations or not figures:
        return []
    by_key = {(f.gemeente_id, f.jaar): f for f in figures}
    history = []
    for jaar in range(min(f.jaar for f in figures), max(f.jaar for f in figures) + 1):
        peildatum = date(jaar, 1, 1)
        current = [
            r
            for r in representations
            if r.geldig_van <= peildatum and (r.geldig_tot is None or r.geldig_tot > peildatum)
        ]
        if not current:
            continue
        missing = [r.gemeente.naam for r in current if (r.gemeente_id, jaar) not in by_key]
        found = [by_key[(r.gemeente_id, jaar)] for r in current if (r.gemeente_id, jaar) in by_key]
        history.append(
            InwonerYear(
                jaar=jaar,
                inwoners=None if missing else sum(f.aantal for f in found),
                ontbreekt=missing,
                is_demo=any(f.is_demo for f in found),
            )
        )
    return history


QUEUE_PERMISSIONS = (
    "membership.add_member",
    "membership.approve_admission",
    "membership.decide_admission",
    "membership.register_agreement",
)


def may_use_admission_queue(user) -> bool:
    """Whoever takes a step in the admission lifecycle."""
    return any(can(user, perm) for perm in QUEUE_PERMISSIONS)


def admission_queue() -> QuerySet[Member]:
    return (
        Member.objects.filter(status__in=QUEUE_STATUSES)
        .prefetch_related("representations__gemeente")
        .order_by("status", "naam")
    )


@dataclass(frozen=True)
class MemberPerson:
    user: object
    roles: list[MemberRole]


def member_private_data(member: Member) -> dict:
    people: dict[int, MemberPerson] = {}
    for role in MemberRole.objects.filter(member=member).select_related("user").order_by("user__email", "role"):
        people.setdefault(role.user_id, MemberPerson(user=role.user, roles=[])).roles.append(role)
    return {
        "contacts": list(Contact.objects.filter(member=member)),
        "factuurkenmerken": list(Factuurkenmerk.objects.filter(member=member)),
        "people": list(people.values()),
    }


def member_status_history(member: Member) -> QuerySet[StatusChange]:
    return member.status_changes.select_related("door")


def gemeenten_by_member(member_ids, peildatum: date) -> dict[int, list]:
    result: dict[int, list] = {member_id: [] for member_id in member_ids}
    for rep in representations_on(list(member_ids), peildatum).order_by("gemeente__naam"):
        result[rep.member_id].append(rep.gemeente)
    return result


# The agreement exists once the directie has decided to admit the member.
AGREEMENT_STATUSES = (admission.TOEGELATEN, admission.ACTIEF, admission.OPGEZEGD)


def agreement_context(member: Member) -> dict:
    """What the lidmaatschapsovereenkomst says (DOMAIN.md §2). The contributie
    is stated as the ALV-set rate times the member's inwoners on 1 January."""
    from django.conf import settings

    ingangsdatum = member.ingangsdatum
    jaar = ingangsdatum.year if ingangsdatum else None
    try:
        # The gemeenten it joins with, counted on 1 January of the joining year.
        inwoners = member_inwoners(member, date(jaar, 1, 1), represented_on=ingangsdatum) if jaar else None
        inwoners_error = None
    except InwonersUnknown as error:
        inwoners, inwoners_error = None, str(error)
    contacts = list(Contact.objects.filter(member=member, rol=Contact.Role.ALV_VERTEGENWOORDIGER))
    return {
        "member": member,
        "cooperatie": settings.COOPERATIE,
        "gemeenten": [r.gemeente for r in representations_on([member.pk], ingangsdatum or timezone.localdate())],
        "jaar": jaar,
        "inwoners": inwoners,
        "inwoners_error": inwoners_error,
        "maanden": 13 - ingangsdatum.month if ingangsdatum else None,
        "alv_vertegenwoordigers": contacts,
        "betaaltermijn_dagen": 30,
    }


@dataclass(frozen=True)
class RegisterRow:
    member: Member
    gemeenten: list
    inwoners: int | None
    inwoners_fout: str = ""


def register_rows(members, peildatum: date) -> list[RegisterRow]:
    """One row per member for the register: represented gemeenten and inwoners
    on the peildatum. Three queries whatever the number of members."""
    members = list(members)
    ids = [m.pk for m in members]
    inwoners = inwoners_by_member(ids, peildatum)
    gemeenten = gemeenten_by_member(ids, peildatum)
    rows = []
    for member in members:
        value = inwoners[member.pk]
        missing = isinstance(value, InwonersUnknown)
        rows.append(
            RegisterRow(
                member=member,
                gemeenten=gemeenten[member.pk],
                inwoners=None if missing else value,
                inwoners_fout=str(value) if missing else "",
            )
        )
    return rows


@dataclass(frozen=True)
class ChartBar:
    jaar: int
    inwoners: int | None
    x: int
    y: int
    height: int


CHART_HEIGHT = 120
CHART_BAR_WIDTH = 28


@dataclass(frozen=True)
class Chart:
    bars: list[ChartBar]
    width: int


def inwoner_chart(history: list[InwonerYear]) -> Chart:
    """Bar geometry for the small inwonertal chart (SVG units)."""
    top = max((h.inwoners for h in history if h.inwoners), default=0)
    bars = []
    for i, year in enumerate(history):
        height = round(CHART_HEIGHT * year.inwoners / top) if top and year.inwoners else 0
        bars.append(
            ChartBar(
                jaar=year.jaar,
                inwoners=year.inwoners,
                x=i * (CHART_BAR_WIDTH + 8),
                y=CHART_HEIGHT - height,
                height=height,
            )
        )
    return Chart(bars=bars, width=len(history) * (CHART_BAR_WIDTH + 8))

"""Reads for governance: which documents a user may see (the one place that
decides it: pages, search, downloads and the API all start here), the bodies
with their warnings, the rooster van aftreden, the registers and the
compliance of the governance calendar."""

import functools
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.utils import timezone

from beware.common.permissions import can
from communities.models import Participation
from membership import admission
from membership.models import Member

from . import mandates, obligations, tally
from .models import Body, ConflictOfInterest, Contract, Decision, Document, Mandate, Meeting, SideActivity

MANAGE = "governance.manage_governance"
VIEW = "governance.view_governance"
MANAGE_DOCUMENTS = "governance.manage_documents"
VIEW_RVC_DOCUMENTS = "governance.view_rvc_documents"
VIEW_DIRECTIE_DOCUMENTS = "governance.view_directie_documents"
MANAGE_CLOSED_RVC_DOCUMENTS = "governance.manage_closed_rvc_documents"
MANAGE_CONTRACTS = "governance.manage_contracts"
APPROVE_CONTRACT = "governance.approve_contract"


# --- documents ---------------------------------------------------------------


def visible_documents(user) -> QuerySet[Document]:
    """The documents this user may list, search, open and download. Managers
    of the register see everything but the RvC's closed documents; those only
    the RvC sees. Everyone else sees what is released (shared or adopted) to
    an audience they belong to."""
    if not user.is_authenticated:
        return Document.objects.none()
    closed = Q(doelgroep=Document.Audience.RVC_BESLOTEN) if can(user, MANAGE_CLOSED_RVC_DOCUMENTS) else Q(pk__in=[])
    if can(user, MANAGE_DOCUMENTS):
        return Document.objects.filter(~Q(doelgroep=Document.Audience.RVC_BESLOTEN) | closed)
    audiences = Q(doelgroep=Document.Audience.LEDEN) if _belongs_to_members(user) else Q(pk__in=[])
    if can(user, VIEW_RVC_DOCUMENTS):
        audiences |= Q(doelgroep=Document.Audience.RVC)
    if can(user, VIEW_DIRECTIE_DOCUMENTS):
        audiences |= Q(doelgroep=Document.Audience.DIRECTIE)
    audiences |= Q(doelgroep=Document.Audience.COMMUNITY, community__in=communities_of_user(user))
    released = Q(status=Document.Status.VASTGESTELD) | Q(gedeeld_op__isnull=False)
    return Document.objects.filter((audiences & released) | closed)


def manage_permission(doelgroep: str) -> str:
    """The permission that manages documents for this audience."""
    return MANAGE_CLOSED_RVC_DOCUMENTS if doelgroep == Document.Audience.RVC_BESLOTEN else MANAGE_DOCUMENTS


def may_manage_document(user, doelgroep: str) -> bool:
    return can(user, manage_permission(doelgroep))


def _belongs_to_members(user) -> bool:
    """'Alle leden' means the users of members (also those that gave notice
    and have not left yet) and the coöperatie's own staff; not the users of
    an applicant or of a member that has left."""
    from membership.models import MemberRole

    return (
        user.is_superuser
        or user.groups.exists()
        or MemberRole.objects.filter(user=user, member__status__in=[admission.ACTIEF, admission.OPGEZEGD]).exists()
    )


def communities_of_user(user) -> QuerySet:
    """Communities whose documents the user may read: those of the members the
    user has a role in (as current participant), and those the user coordinates."""
    from communities.models import Community

    participating = Participation.objects.filter(
        status=Participation.Status.DEELNEMER, einddatum__isnull=True, member__user_roles__user=user
    ).values("community_id")
    return Community.objects.filter(Q(pk__in=participating) | Q(coordinators__user=user)).values("pk")


def audience_emails(document: Document) -> list[str]:
    """Who is told a document was shared: for the ALV the members'
    ALV-vertegenwoordigers, otherwise the body's members or the community's users."""
    from django.contrib.auth import get_user_model

    from beware.accounts.roles import StaffRole
    from membership.models import MemberRole

    users = get_user_model().objects.filter(is_active=True)
    if document.doelgroep == Document.Audience.LEDEN:
        users = users.filter(
            member_roles__role=MemberRole.Role.ALV_VERTEGENWOORDIGER, member_roles__member__status=admission.ACTIEF
        )
    elif document.doelgroep == Document.Audience.COMMUNITY:
        participating = Participation.objects.filter(
            community=document.community, status=Participation.Status.DEELNEMER, einddatum__isnull=True
        ).values("member_id")
        users = users.filter(Q(member_roles__member__in=participating) | Q(coordinates__community=document.community))
    elif document.doelgroep == Document.Audience.DIRECTIE:
        users = users.filter(groups__name=StaffRole.DIRECTIE)
    else:  # the RvC, for its open and its closed documents
        users = users.filter(groups__name=StaffRole.RVC)
    return sorted(set(users.values_list("email", flat=True)))


def document_register(user, *, zoekterm: str = "", soort: str = "", doelgroep: str = "", status: str = ""):
    documents = (
        visible_documents(user)
        .select_related("community", "besluit")
        .annotate(versie_count=Count("versions", distinct=True))
    )
    if zoekterm:
        documents = documents.filter(Q(titel__icontains=zoekterm) | Q(versions__bestandsnaam__icontains=zoekterm))
    if soort:
        documents = documents.filter(soort=soort)
    if doelgroep:
        documents = documents.filter(doelgroep=doelgroep)
    if status:
        documents = documents.filter(status=status)
    return documents.distinct().order_by("-aangemaakt_op", "-id")


def may_manage_documents(user) -> bool:
    """May manage some part of the register (a new document, a version, ...)."""
    return can(user, MANAGE_DOCUMENTS) or can(user, MANAGE_CLOSED_RVC_DOCUMENTS)


def latest_version(document: Document):
    return document.versions.order_by("-nummer").first()


@dataclass(frozen=True)
class ReadStatus:
    read: list  # ReadReceipts, with member and user
    unread: list[Member]


def read_status(document: Document) -> ReadStatus:
    """For a document sent to the ALV: which members have opened it."""
    receipts = list(document.receipts.select_related("member", "user").order_by("member__naam"))
    read_ids = {r.member_id for r in receipts}
    unread = [m for m in Member.objects.filter(status=admission.ACTIEF).order_by("naam") if m.pk not in read_ids]
    return ReadStatus(read=receipts, unread=unread)


# --- bodies and mandates -----------------------------------------------------


def current_mandates(body: Body, day: date) -> list[Mandate]:
    """Read from `body.mandates.all()`, so a prefetch (bodies_overview) serves it."""
    mandates_of_body = body.mandates.all()
    if "mandates" not in getattr(body, "_prefetched_objects_cache", {}):
        mandates_of_body = mandates_of_body.select_related("person", "besluit")
    return [m for m in mandates_of_body if m.is_current(day)]


def alv_members() -> QuerySet[Member]:
    """The ALV is every active member."""
    return Member.objects.filter(status=admission.ACTIEF).order_by("naam")


@dataclass
class BodyOverview:
    body: Body
    mandates: list[Mandate]
    size: int
    warnings: list[str] = field(default_factory=list)


def body_overview(body: Body, day: date) -> BodyOverview:
    if body.soort == Body.Kind.ALV:
        size = alv_members().count()
        return BodyOverview(body=body, mandates=[], size=size)
    current = current_mandates(body, day)
    overview = BodyOverview(body=body, mandates=current, size=len(current))
    warning = mandates.size_warning(body.naam, len(current), minimum=body.minimum, maximum=body.maximum)
    if warning:
        overview.warnings.append(warning)
    for mandate in current:
        if mandate.last_day and mandates.ending_soon(mandate.as_term(), day):
            overview.warnings.append(
                f"De termijn van {mandate.person} loopt af op {mandate.last_day:%d-%m-%Y}, binnen 6 maanden."
            )
    if body.soort == Body.Kind.DIRECTIE and not any(m.functie == Mandate.Role.ALGEMEEN_DIRECTEUR for m in current):
        overview.warnings.append("De directie heeft geen algemeen directeur.")
    if body.soort == Body.Kind.RVC and not any(m.functie == Mandate.Role.VOORZITTER for m in current):
        overview.warnings.append("De RvC heeft geen voorzitter.")
    return overview


def bodies_overview(day: date) -> list[BodyOverview]:
    bodies = Body.objects.select_related("parent", "community").prefetch_related(
        Prefetch("mandates", queryset=Mandate.objects.select_related("person", "besluit"))
    )
    return [body_overview(body, day) for body in bodies]


def earlier_terms(body: Body, person) -> int:
    """Terms served (or begun) in this body: a function change within a term
    keeps its term number, so this is the highest number, not a count."""
    return Mandate.objects.filter(body=body, person=person).aggregate(n=Max("termijn"))["n"] or 0


def mandates_overlapping(body: Body, start: date, end: date | None) -> list[Mandate]:
    """Mandates of the body that share at least one day with [start, end]
    (end None: open-ended), including those that start later."""
    found = Mandate.objects.filter(body=body).select_related("person")
    if end is not None:
        found = found.filter(ingangsdatum__lte=end)
    return [m for m in found if m.last_day is None or m.last_day >= start]


def peak_size(mandates_: list[Mandate], start: date, end: date | None) -> int:
    """The most mandates held on one day of [start, end]: the count only
    rises on a start date, so those are the days to look at."""
    days = {start} | {
        m.ingangsdatum for m in mandates_ if m.ingangsdatum > start and (end is None or m.ingangsdatum <= end)
    }
    return max(sum(1 for m in mandates_ if m.is_current(day)) for day in days)


@dataclass(frozen=True)
class RoosterRow:
    mandate: Mandate
    end: date | None
    reappointable: bool
    reason: str  # why not, in Dutch; empty when reappointable
    ending_soon: bool


def rooster_van_aftreden(body: Body, day: date) -> list[RoosterRow]:
    """The current terms by end date, each with whether the person may serve
    another term (the kernel decides)."""
    current = {m.as_term(): m for m in current_mandates(body, day) if m.last_day}
    terms_served = dict(
        Mandate.objects.filter(body=body, person__in=[m.person_id for m in current.values()])
        .values("person")
        .annotate(n=Max("termijn"))
        .values_list("person", "n")
    )
    rows = []
    for term in mandates.rooster_van_aftreden(current):
        mandate = current[term]
        reason = ""
        if mandate.person.geboortedatum is None:
            reason = "Geboortedatum onbekend."
        else:
            try:
                mandates.check_appointment(
                    person=mandate.person.naam,
                    born=mandate.person.geboortedatum,
                    start=date.fromordinal(term.end.toordinal() + 1),
                    earlier_terms=terms_served[mandate.person_id],
                )
            except mandates.TermRefused as refused:
                reason = str(refused)
        rows.append(
            RoosterRow(
                mandate=mandate,
                end=term.end,
                reappointable=not reason,
                reason=reason,
                ending_soon=mandates.ending_soon(term, day),
            )
        )
    return rows


# --- registers ---------------------------------------------------------------


def decisions(*, body: Body | None = None, zoekterm: str = "") -> QuerySet[Decision]:
    found = Decision.objects.select_related("body", "vastgelegd_door")
    if body is not None:
        found = found.filter(body=body)
    if zoekterm := zoekterm.strip():
        found = found.filter(Q(kenmerk__icontains=zoekterm) | Q(onderwerp__icontains=zoekterm))
    return found.order_by("-datum", "-id")


def side_activities() -> QuerySet[SideActivity]:
    return SideActivity.objects.select_related("person")


def conflicts(viewer) -> QuerySet[ConflictOfInterest]:
    """The register; those at a besloten RvC meeting only for the commissarissen."""
    found = ConflictOfInterest.objects.all()
    if not can(viewer, MANAGE_CLOSED_RVC_DOCUMENTS):
        found = found.exclude(meeting__besloten=True)
    return found.select_related("person", "member", "contract", "meeting", "agenda_item", "poll")


def contracts() -> QuerySet[Contract]:
    return Contract.objects.select_related("rvc_besluit")


def conflicted_people(*, contract: Contract | None = None, meeting: Meeting | None = None) -> set[int]:
    """Persons (ids) with a declared conflict of interest on this subject:
    they do not decide on it."""
    found = ConflictOfInterest.objects.all()
    if contract is not None:
        found = found.filter(contract=contract)
    if meeting is not None:
        found = found.filter(meeting=meeting)
    return set(found.exclude(person=None).values_list("person_id", flat=True))


# --- the governance calendar -------------------------------------------------


@dataclass(frozen=True)
class ObligationStatus:
    obligation: obligations.Obligation
    status: str
    met_on: date | None
    evidence: object  # the Document or Meeting that met it, or None
    progress: str = ""  # e.g. "3 van 4 vergaderingen"
    evidence_hidden: bool = False  # met by a document the viewer may not see

    @property
    def met_late(self) -> bool:
        return self.met_on is not None and self.met_on > self.obligation.deadline


def _released_on(document: Document) -> date | None:
    days = [d for d in (document.gedeeld_op and timezone.localdate(document.gedeeld_op), document.vastgesteld_op) if d]
    return min(days) if days else None


def _first_document(documents, **criteria) -> tuple[date | None, Document | None]:
    found = [
        (day, d) for d in documents if all(getattr(d, k) == v for k, v in criteria.items()) and (day := _released_on(d))
    ]
    return min(found, key=lambda pair: pair[0]) if found else (None, None)


def compliance(year: int, today: date, viewer=None) -> list[ObligationStatus]:
    """Every obligation with its deadline in `year`, met (with what met it),
    open or late on `today`. With a `viewer`, a document that met an
    obligation but that the viewer may not see is not named (`evidence`
    None, `evidence_hidden`); the status still shows. Three queries at most,
    whatever the year holds."""
    meetings = list(
        Meeting.objects.filter(datum__year=year, body__soort__in=[Body.Kind.ALV, Body.Kind.RVC])
        .select_related("body")
        .order_by("datum", "id")
    )
    documents = list(
        Document.objects.filter(
            Q(doelgroep__in=[Document.Audience.RVC, Document.Audience.RVC_BESLOTEN, Document.Audience.LEDEN])
            & (Q(status=Document.Status.VASTGESTELD) | Q(gedeeld_op__isnull=False))
            & Q(jaar__in=[year - 1, year, year + 1])
        )
    )
    # Planned meetings count once they have been held.
    held = [m for m in meetings if m.datum <= today]
    rvc_meetings = [m for m in held if m.body.soort == Body.Kind.RVC]

    @functools.cache
    def visible_ids() -> set[int]:
        return set(visible_documents(viewer).filter(pk__in=[d.pk for d in documents]).values_list("pk", flat=True))

    rows = []
    for item in obligations.obligations_for_year(year):
        evidence, met_on, progress = None, None, ""
        if item.kind == "alv":
            alv = [m for m in held if m.body.soort == Body.Kind.ALV]
            if alv:
                evidence, met_on = alv[0], alv[0].datum
        elif item.kind == "rvc-vergaderingen":
            progress = f"{len(rvc_meetings)} van {obligations.RVC_MEETINGS_PER_YEAR} vergaderingen"
            if len(rvc_meetings) >= obligations.RVC_MEETINGS_PER_YEAR:
                evidence = rvc_meetings[obligations.RVC_MEETINGS_PER_YEAR - 1]
                met_on = evidence.datum
        elif item.kind == "rvc-accountant":
            with_accountant = [m for m in rvc_meetings if m.met_accountant]
            if with_accountant:
                evidence, met_on = with_accountant[0], with_accountant[0].datum
        else:
            criteria = {"soort": item.kind, "jaar": item.year}
            if item.quarter:
                criteria["kwartaal"] = item.quarter
            met_on, evidence = _first_document(documents, **criteria)
        shown = evidence if met_on and met_on <= today else None
        hidden = isinstance(shown, Document) and viewer is not None and shown.pk not in visible_ids()
        rows.append(
            ObligationStatus(
                obligation=item,
                status=obligations.status(item.deadline, met_on, today),
                met_on=met_on if met_on and met_on <= today else None,
                evidence=None if hidden else shown,
                progress=progress,
                evidence_hidden=hidden,
            )
        )
    return rows


# --- meetings and voting -----------------------------------------------------------


def _active_member_ids(user) -> list[int]:
    from membership.models import MemberRole

    return list(
        MemberRole.objects.filter(user=user, member__status=admission.ACTIEF).values_list("member_id", flat=True)
    )


def visible_meetings(user) -> QuerySet[Meeting]:
    """The meetings a user may open, as one query (the rule of the meeting
    page): the chair its own; those who see governance every meeting but a
    besloten one, which only the commissarissen see; coordinators their
    community's; users of active members the ALV's and those of the
    communities their members take part in."""
    if user is None or not user.is_authenticated:
        return Meeting.objects.none()
    shown = Q(voorzitter=user) | Q(body__soort=Body.Kind.COMMUNITY, body__community__coordinators__user=user)
    if can(user, MANAGE_CLOSED_RVC_DOCUMENTS):
        shown |= Q(pk__isnull=False)
    elif can(user, VIEW):
        shown |= Q(besloten=False)
    members = _active_member_ids(user)
    if members:
        shown |= Q(body__soort=Body.Kind.ALV) | Q(
            body__soort=Body.Kind.COMMUNITY,
            body__community__participations__member__in=members,
            body__community__participations__status=Participation.Status.DEELNEMER,
            body__community__participations__einddatum__isnull=True,
        )
    return Meeting.objects.filter(pk__in=Meeting.objects.filter(shown).values("pk"))


def visible_polls(user):
    """The polls a user may open (the rule of the poll page): those of the
    meetings it may open; decisions outside a meeting for those who see
    governance, the ALV's for users of active members, and any it is
    entitled to vote in."""
    from .models import Poll

    if user is None or not user.is_authenticated:
        return Poll.objects.none()
    written = Q(agenda_item__isnull=True)
    shown = Q(agenda_item__meeting__in=visible_meetings(user)) | (written & Q(voters__person__user=user))
    if can(user, VIEW):
        shown |= written
    members = _active_member_ids(user)
    if members:
        shown |= written & (Q(regel=Poll.Rule.ALV_SCHRIFTELIJK) | Q(voters__member__in=members))
    return Poll.objects.filter(pk__in=Poll.objects.filter(shown).values("pk"))


def voting_roles(soort: str) -> list[str]:
    """Through whom a member takes part: in the ALV its ALV representatives;
    in a community also its community contacts."""
    from membership.models import MemberRole

    roles = [MemberRole.Role.ALV_VERTEGENWOORDIGER]
    if soort == Body.Kind.COMMUNITY:
        roles.append(MemberRole.Role.COMMUNITY_CONTACT)
    return roles


def represents(user, member, soort: str = Body.Kind.ALV) -> bool:
    """The user takes part for the member in a body of this kind (voting_roles)."""
    from membership.models import MemberRole

    return (
        user is not None
        and member is not None
        and MemberRole.objects.filter(user=user, member=member, role__in=voting_roles(soort)).exists()
    )


def may_sign_for(user, member) -> bool:
    """The member's authorised signatory in the portal is its lid-beheerder."""
    from membership.models import MemberRole

    return MemberRole.objects.filter(user=user, member=member, role=MemberRole.Role.LID_BEHEERDER).exists()


def community_participants(community) -> QuerySet[Member]:
    """The active members taking part in a community now: its electorate."""
    return Member.objects.filter(
        status=admission.ACTIEF,
        participations__community=community,
        participations__status=Participation.Status.DEELNEMER,
        participations__einddatum__isnull=True,
    ).distinct()


MEMBER_RULES = {"alv", "alv-gekwalificeerd", "alv-schriftelijk", "community"}


def electorate(poll) -> list[dict]:
    """Who may vote on this poll, frozen when it opens: for the ALV every
    active member (through its representative or its approved proxy), for a
    community its participants, for the RvC and the directie the sitting
    members; anyone with a declared conflict of interest on the item is left
    out. Each with weight 1 and whether present or represented now."""
    from .models import Attendance, ConflictOfInterest, Proxy

    item = poll.agenda_item
    meeting = item.meeting if item is not None else None
    attended = Attendance.objects.filter(meeting=meeting) if meeting is not None else Attendance.objects.none()
    declared = ConflictOfInterest.objects.filter(Q(agenda_item=item) if item is not None else Q(poll=poll))
    if poll.regel in MEMBER_RULES:
        conflicted = set(declared.exclude(member=None).values_list("member_id", flat=True))
        if poll.regel == "community":
            members = community_participants(poll.body.community)
        else:
            members = alv_members()
        present = set(attended.exclude(member=None).values_list("member_id", flat=True))
        holders = {}
        if meeting is not None:
            for proxy in Proxy.objects.filter(meeting=meeting, status=Proxy.Status.GOEDGEKEURD).prefetch_related(
                "agendapunten"
            ):
                if proxy.covers(item):
                    holders[proxy.verlener_id] = proxy.gevolmachtigde_id
        members = [m for m in members.order_by("naam") if m.pk not in conflicted]
        weights = _member_weights(meeting, members)
        return [
            {
                "member": member,
                "gewicht": weights[member.pk],
                # With a proxy, only its holder votes for the member: the holder must be there.
                "aanwezig": holders[member.pk] in present if member.pk in holders else member.pk in present,
                "gevolmachtigde_id": holders.get(member.pk),
            }
            for member in members
        ]
    conflicted = set(declared.exclude(person=None).values_list("person_id", flat=True))
    present = set(attended.exclude(person=None).values_list("person_id", flat=True))
    sitting = current_mandates(poll.body, timezone.localdate())
    return [
        {"person": m.person, "gewicht": Decimal(1), "aanwezig": m.person_id in present}
        for m in sorted(sitting, key=lambda m: m.person.naam)
        if m.person_id not in conflicted
    ]


def tie_breaker(poll):
    """The directie's chair, whose vote decides a tie: the algemeen directeur
    sitting when the poll opens and in its electorate (fixed then, like the
    electorate); None when there is none, and a tie is then rejected."""
    if poll.regel != "directie":
        return None
    voters = set(poll.voters.exclude(person=None).values_list("person_id", flat=True))
    return next(
        (
            m.person
            for m in current_mandates(poll.body, timezone.localdate())
            if m.functie == "algemeen-directeur" and m.person_id in voters  # not when conflicted
        ),
        None,
    )


def takes_part(meeting, *, member=None, person=None) -> bool:
    """Whether a member (ALV: active; community: participating) or a person
    (sitting on the day of the meeting) belongs at this meeting."""
    soort = meeting.body.soort
    if member is not None:
        if soort == Body.Kind.ALV:
            return member.status == admission.ACTIEF
        if soort == Body.Kind.COMMUNITY:
            return community_participants(meeting.body.community).filter(pk=member.pk).exists()
        return False
    if person is None or soort in (Body.Kind.ALV, Body.Kind.COMMUNITY):
        return False
    return any(m.person_id == person.pk for m in current_mandates(meeting.body, meeting.datum))


def meeting_documents(meeting) -> QuerySet[Document]:
    """The documents that can go with a meeting's agenda: those whose audience
    is the body that meets (a besloten RvC meeting: also the closed ones)."""
    audience = {
        Body.Kind.ALV: [Document.Audience.LEDEN],
        Body.Kind.RVC: [Document.Audience.RVC],
        Body.Kind.COMMISSIE: [Document.Audience.RVC],
        Body.Kind.DIRECTIE: [Document.Audience.DIRECTIE],
    }.get(meeting.body.soort, [])
    if meeting.besloten:
        audience = [*audience, Document.Audience.RVC_BESLOTEN]
    found = Q(doelgroep__in=audience)
    if meeting.body.soort == Body.Kind.COMMUNITY:
        found = Q(doelgroep=Document.Audience.COMMUNITY, community=meeting.body.community_id)
    released = Q(status=Document.Status.VASTGESTELD) | Q(gedeeld_op__isnull=False)  # never a concept's title
    return Document.objects.filter(found & released).order_by("titel")


def non_responders(poll) -> list:
    """Entitled voters who have not voted (for the minutes of a written decision)."""
    voted = poll.receipts if poll.geheim else poll.ballots
    done = set(voted.values_list("voter_id", flat=True))
    return [v for v in poll.voters.select_related("member", "person").order_by("id") if v.pk not in done]


def _member_weights(meeting, members) -> dict[int, Decimal]:
    """One vote each, or (when the meeting says so) the member's inwoners on
    1 January of the meeting's year. A missing figure refuses the poll,
    naming the member: a weight is never silently zero or one."""
    from django.core.exceptions import ValidationError

    from membership.selectors import inwoners_by_member

    if meeting is None or meeting.stemgewicht != meeting.Weighting.INWONERS:
        return {m.pk: Decimal(1) for m in members}
    peildatum = date(meeting.datum.year, 1, 1)
    found = inwoners_by_member([m.pk for m in members], peildatum, represented_on=meeting.datum)
    unknown = [f"{m}: {found[m.pk]}" for m in members if not isinstance(found[m.pk], int)]
    if unknown:
        raise ValidationError({"__all__": "Het stemgewicht is niet te bepalen. " + " ".join(unknown)})
    return {m.pk: Decimal(found[m.pk]) for m in members}


def electorate_digest(poll) -> str:
    rows = sorted((v.key, str(v.gewicht), v.aanwezig, v.gevolmachtigde_id) for v in poll.voters.all())
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def may_vote_for(actor, voter, poll) -> bool:
    """A board member votes for themself; a member votes through its ALV
    representative, or through the representative of the member holding its
    approved proxy (then only there)."""
    if actor.user is None:
        return False
    if voter.person_id:
        return voter.person.user_id == actor.user.pk
    holder_id = voter.gevolmachtigde_id or voter.member_id
    return (
        actor.member is not None
        and actor.member.pk == holder_id
        and represents(actor.user, actor.member, poll.body.soort)
    )


def _rule(poll):
    quorum = Fraction(poll.quorum) if poll.quorum else None
    return {
        "rvc": tally.Rule.rvc_meeting,
        "rvc-schriftelijk": tally.Rule.rvc_written,
        "directie": tally.Rule.directie_meeting,
        "directie-schriftelijk": tally.Rule.directie_written,
        "alv": lambda: tally.Rule.alv(quorum=quorum),
        "alv-gekwalificeerd": lambda: tally.Rule.alv(qualified=True, quorum=quorum),
        "alv-schriftelijk": tally.Rule.alv_written,
        "community": lambda: tally.Rule.community(quorum=quorum),
    }[poll.regel]()


def poll_votes(poll) -> dict[str, str]:
    """The votes per voter key. For a secret poll the choices cannot be tied
    to voters: the counted choices are handed to the voters who voted, which
    changes nothing in the outcome (equal weights; the tally does not depend
    on who is who, and secret polls never use the directie's chair rule)."""
    if not poll.geheim:
        return {b.voter.key: b.keuze for b in poll.ballots.select_related("voter")}
    # Secret polls have weight 1 for every voter (poll_create refuses them
    # with weights by inwoners), so counts are all the kernel needs.
    voted = [r.voter.key for r in poll.receipts.select_related("voter").order_by("voter_id")]
    choices = [t.keuze for t in poll.secret_tallies.order_by("keuze") for _ in range(t.aantal)]
    return dict(zip(voted, choices, strict=True))


def poll_outcome(poll) -> tuple[tally.Outcome, str]:
    """The kernel's outcome and a SHA-256 over the frozen electorate, the
    votes (for a secret poll: only the choices) and the result."""
    voters = list(poll.voters.select_related("person"))
    entitled = {v.key: v.gewicht for v in voters}
    present = {v.key for v in voters if v.aanwezig}
    votes = poll_votes(poll)
    chair = f"persoon:{poll.voorzitter_id}" if poll.voorzitter_id else None
    outcome = tally.tally(_rule(poll), entitled=entitled, present=present, votes=votes, chair=chair)
    content = {
        "stemming": poll.pk,
        "regel": poll.regel,
        "quorum": poll.quorum,
        "voorzitter": poll.voorzitter_id,
        "kiezers": sorted((k, str(w), k in present) for k, w in entitled.items()),
        "stemmen": sorted(votes.values()) if poll.geheim else sorted(votes.items()),
        "uitslag": [outcome.result, str(outcome.voor), str(outcome.tegen), str(outcome.onthouding)],
    }
    return outcome, hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def meeting_invitees(meeting) -> list[str]:
    """Who is convened: for the ALV the members' representatives, for a
    community's meeting its participants' users, otherwise the body's sitting
    members with a portal account."""
    from django.contrib.auth import get_user_model

    from membership.models import MemberRole

    users = get_user_model().objects.filter(is_active=True)
    if meeting.body.soort == Body.Kind.ALV:
        users = users.filter(
            member_roles__role=MemberRole.Role.ALV_VERTEGENWOORDIGER, member_roles__member__status=admission.ACTIEF
        )
    elif meeting.body.soort == Body.Kind.COMMUNITY:  # the participants, and the coordinators who chair
        users = users.filter(
            Q(
                member_roles__role__in=voting_roles(Body.Kind.COMMUNITY),
                member_roles__member__in=community_participants(meeting.body.community),
            )
            | Q(coordinates__community=meeting.body.community)
        )
    else:
        people = [m.person_id for m in current_mandates(meeting.body, meeting.datum)]
        users = users.filter(governance_person__in=people)
    return sorted(set(users.values_list("email", flat=True)))


def poll_voter_emails(poll) -> list[str]:
    """The entitled voters of a poll: board members themselves, members
    through their ALV representatives (or their proxy holder's)."""
    from django.contrib.auth import get_user_model

    voters = list(poll.voters.all())
    members = {v.gevolmachtigde_id or v.member_id for v in voters if v.member_id}
    people = [v.person_id for v in voters if v.person_id]
    soort = poll.body.soort  # the ALV, or a community
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(member_roles__member__in=members, member_roles__role__in=voting_roles(soort))
            | Q(governance_person__in=people)
        )
    )
    return sorted(set(users.values_list("email", flat=True)))

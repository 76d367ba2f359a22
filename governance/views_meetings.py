"""The meeting and voting pages: a meeting with its convocation, agenda,
attendance and proxies; polls with live progress for the chair, a ballot
per voter the user may vote for, and the result; written decisions; the
minutes' exports; and the audit chain's check. Views check who may see the
page, validate a form, call one service and render; the services decide."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.audit import verify_chain
from beware.common.forms import run_service
from beware.common.models import AuditEvent
from beware.common.permissions import can
from membership import admission

from . import exports_meetings, selectors, services
from .forms_meetings import (
    AgendaItemForm,
    BallotForm,
    CheckInForm,
    ConflictDeclareForm,
    ConveneForm,
    MinutesForm,
    PollForm,
    ProxyForm,
    WrittenDecisionForm,
)
from .models import (
    CHOICE_LABELS,
    WRITTEN_RULES,
    AgendaItem,
    Ballot,
    BallotReceipt,
    Body,
    Meeting,
    Person,
    Poll,
    PollVoter,
    Proxy,
)
from .views_common import service_errors_into_form

VIEW_AUDIT = "common.view_auditevent"
ALV_RULES = {Poll.Rule.ALV, Poll.Rule.ALV_GEKWALIFICEERD, Poll.Rule.ALV_SCHRIFTELIJK}
LIVE = [Proxy.Status.AANGEVRAAGD, Proxy.Status.GOEDGEKEURD]
MEETING_TEMPLATE = "governance/meetings/meeting_detail.html"
POLL_TEMPLATE = "governance/meetings/poll_detail.html"


# --- who may see and do what ---------------------------------------------------------


# The same rules as the services.
may_chair = services.may_chair
may_keep_register = services.may_keep_register
may_oversee = services.may_oversee


def _member_user(request) -> bool:
    """A user of an active member: the ALV is theirs (read from the
    middleware's list, no query)."""
    return any(m.status == admission.ACTIEF for m in getattr(request, "user_members", []))


def _represents_acting(request, soort: str = Body.Kind.ALV) -> bool:
    acting = request.acting_member
    return (
        acting is not None and acting.status == admission.ACTIEF and selectors.represents(request.user, acting, soort)
    )


def _require_meeting_view(request, meeting: Meeting) -> None:
    """The meeting page's rule is selectors.visible_meetings (the API's too).
    Another body's meeting does not exist for anyone else (404); the ALV's is
    refused (403), since every member's users know it is there."""
    if may_oversee(request.user, meeting):  # the common case first: staff and chairs
        return
    if selectors.visible_meetings(request.user).filter(pk=meeting.pk).exists():
        return
    if meeting.body.soort == Body.Kind.ALV:
        raise PermissionDenied
    raise Http404


def _require_poll_view(request, poll: Poll, meeting: Meeting | None) -> None:
    """selectors.visible_polls, after two cheap cases it includes: the ALV's
    polls for its members' users (most voters) and those who oversee."""
    if poll.body.soort == Body.Kind.ALV and _member_user(request):
        return
    if may_oversee(request.user, meeting, poll.body):
        return
    if selectors.visible_polls(request.user).filter(pk=poll.pk).exists():
        return
    if poll.regel in ALV_RULES:
        raise PermissionDenied
    raise Http404


def _meeting(pk: int) -> Meeting:
    return get_object_or_404(Meeting.objects.select_related("body", "voorzitter"), pk=pk)


def _poll(pk: int) -> Poll:
    return get_object_or_404(Poll.objects.select_related("body", "voorzitter", "agenda_item__meeting__body"), pk=pk)


def _meeting_url(meeting: Meeting, anchor: str = "") -> str:
    url = reverse("governance:meeting", args=[meeting.pk])
    return f"{url}#{anchor}" if anchor else url


# --- the meeting page ----------------------------------------------------------------


def _member_body_members(meeting: Meeting):
    """The members that take part: every active member in the ALV, the participants in a community."""
    if meeting.body.soort == Body.Kind.COMMUNITY:
        return selectors.community_participants(meeting.body.community)
    return selectors.alv_members()


def _check_in_form(meeting: Meeting, data=None) -> CheckInForm:
    """Who can still be checked in: the active members (ALV), the
    participants (community), or the sitting members of the body on the day
    of the meeting."""
    present = meeting.attendance.all()
    if meeting.body.soort in services.MEMBER_BODIES:
        members = _member_body_members(meeting).exclude(pk__in=present.exclude(member=None).values("member_id"))
        return CheckInForm(data, members=members.order_by("naam"), prefix="aanwezig")
    sitting = [m.person_id for m in selectors.current_mandates(meeting.body, meeting.datum)]
    persons = (
        Person.objects.filter(pk__in=sitting)
        .exclude(pk__in=present.exclude(person=None).values("person_id"))
        .order_by("naam")
    )
    return CheckInForm(data, persons=persons, prefix="aanwezig")


def _proxy_form(request, meeting: Meeting, data=None, files=None) -> ProxyForm:
    acting = request.acting_member
    return ProxyForm(
        data,
        files,
        meeting=meeting,
        members=selectors.alv_members(),
        own_member=acting,
        may_sign=selectors.may_sign_for(request.user, acting),
        prefix="volmacht",
    )


@dataclass(frozen=True)
class ProxyRow:
    proxy: Proxy
    scope: str
    may_decide: bool
    may_revoke: bool
    may_download: bool


def _meeting_page(request, meeting: Meeting, *, bound: dict | None = None, status: int = 200):
    """The meeting page; `bound` holds a posted form that is shown again with its errors."""
    bound = bound or {}
    user = request.user
    chair = may_chair(user, meeting)
    register = may_keep_register(user, meeting)
    decide = can(user, selectors.MANAGE_DOCUMENTS)
    staff = may_oversee(user, meeting)
    alv = meeting.body.soort == Body.Kind.ALV
    acting = request.acting_member
    represents = _represents_at(request, meeting)

    items = list(
        meeting.items.prefetch_related(
            Prefetch("polls", queryset=Poll.objects.order_by("id")),
            Prefetch("documenten", queryset=selectors.visible_documents(user).order_by("titel")),
        ).order_by("volgorde")
    )
    attendance = list(
        meeting.attendance.select_related("member", "person", "ingecheckt_door").order_by("ingecheckt_op", "id")
    )
    proxies = list(
        meeting.proxies.select_related(
            "verlener", "gevolmachtigde", "ondertekend_door", "beoordeeld_door"
        ).prefetch_related("agendapunten")
    )
    present_members = {a.member_id for a in attendance if a.member_id}
    present_persons = {a.person_id for a in attendance if a.person_id}
    mine = {acting.pk} if represents and alv else set()
    conflicts = {}
    for conflict in meeting.conflicts.exclude(agenda_item=None).select_related("member", "person"):
        conflicts.setdefault(conflict.agenda_item_id, []).append(conflict.holder)

    context = {
        "meeting": meeting,
        "alv": alv,
        "members_meet": meeting.body.soort in services.MEMBER_BODIES,
        "items": [(item, conflicts.get(item.pk, [])) for item in items],
        "attendance": attendance,
        "may_chair": chair,
        "may_register": register,
        "staff": staff,
        "acting": acting if represents and alv else None,
        "proxies": [
            ProxyRow(
                proxy=p,
                scope=exports_meetings.proxy_scope(p),
                may_decide=decide and p.status == Proxy.Status.AANGEVRAAGD,
                may_revoke=p.verlener_id in mine and p.status == Proxy.Status.AANGEVRAAGD,
                may_download=bool(p.bestand) and (staff or decide or bool({p.verlener_id, p.gevolmachtigde_id} & mine)),
            )
            for p in proxies
        ],
        "waiting_proxies": sum(1 for p in proxies if p.status == Proxy.Status.AANGEVRAAGD),
    }
    if meeting.bijeengeroepen_op is None:
        short = services.notice_shortfall(meeting, timezone.localdate())
        context["notice_short"] = short
        if chair:
            context["convene_form"] = bound.get("convene") or ConveneForm(short=bool(short), prefix="oproep")
    if register:
        context["check_in_form"] = bound.get("check_in") or _check_in_form(meeting)
    person = _sitting_person(request, meeting)
    if meeting.online:
        if represents and acting.pk not in present_members:
            context["self_check_in"] = acting
        elif person is not None and person.pk not in present_persons:
            context["self_check_in"] = person
    if register or represents or person is not None:
        context["conflict_form"] = bound.get("conflict") or _conflict_form(request, meeting)
    if represents and alv:
        given = next((p for p in proxies if p.verlener_id == acting.pk and p.status in LIVE), None)
        context["proxy_given"] = given
        if given is None:
            context["proxy_form"] = bound.get("proxy") or _proxy_form(request, meeting)
    if staff:
        context["written"] = exports_meetings.written_decisions(
            meeting, exports_meetings.previous_meeting_date(meeting)
        )
    return render(request, MEETING_TEMPLATE, context, status=status)


def _represents_at(request, meeting: Meeting) -> bool:
    """The user represents the acting member, and that member takes part (ALV, community)."""
    soort = meeting.body.soort
    return (
        soort in services.MEMBER_BODIES
        and _represents_acting(request, soort)
        and selectors.takes_part(meeting, member=request.acting_member)
    )


def _sitting_person(request, meeting: Meeting) -> Person | None:
    """The user as a sitting member of the body (RvC, directie, committee) on the meeting's day."""
    if meeting.body.soort in services.MEMBER_BODIES:
        return None
    person = Person.objects.filter(user=request.user).first()
    return person if person is not None and selectors.takes_part(meeting, person=person) else None


def _conflict_form(request, meeting: Meeting, data=None) -> ConflictDeclareForm:
    """For the agenda items whose polls have not opened: the keeper of the
    register names whose conflict it is; anyone else declares for themself
    or for the member they represent."""
    items = meeting.items.order_by("volgorde")
    if data is None:  # offered: the items still open for declarations; a late post gets the service's reason
        items = items.exclude(polls__status__in=[Poll.Status.OPEN, Poll.Status.GESLOTEN])
    holders = {}
    if may_keep_register(request.user, meeting):
        if meeting.body.soort in services.MEMBER_BODIES:
            holders["members"] = _member_body_members(meeting).order_by("naam")
        else:
            sitting = [m.person_id for m in selectors.current_mandates(meeting.body, meeting.datum)]
            holders["persons"] = Person.objects.filter(pk__in=sitting).order_by("naam")
    return ConflictDeclareForm(data, items=items, prefix="belang", **holders)


@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    return _meeting_page(request, meeting)


@login_required
@require_POST
def meeting_convene(request, pk: int):
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    if not may_chair(request.user, meeting):
        raise PermissionDenied
    short = services.notice_shortfall(meeting, timezone.localdate())
    form = ConveneForm(request.POST, short=bool(short), prefix="oproep")
    if form.is_valid():
        try:
            services.meeting_convene(by=request.actor, meeting=meeting, spoedreden=form.reason())
        except ValidationError as refused:
            service_errors_into_form(form, refused)
        else:
            messages.success(request, _("De oproep voor de vergadering is verstuurd."))
            return redirect(_meeting_url(meeting, "oproep"))
    return _meeting_page(request, meeting, bound={"convene": form}, status=400)


@login_required
@require_POST
def meeting_check_in(request, pk: int):
    """The secretary checks a member or a person in."""
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    if not may_keep_register(request.user, meeting):
        raise PermissionDenied
    form = _check_in_form(meeting, request.POST)
    if form.is_valid():
        try:
            attendance = services.attendance_check_in(by=request.actor, meeting=meeting, **form.cleaned_data)
        except ValidationError as refused:
            service_errors_into_form(form, refused)
        else:
            messages.success(request, _("%(naam)s is ingecheckt.") % {"naam": attendance.member or attendance.person})
            return redirect(_meeting_url(meeting, "aanwezigheid"))
    return _meeting_page(request, meeting, bound={"check_in": form}, status=400)


@login_required
@require_POST
def meeting_self_check_in(request, pk: int):
    """Self check-in ("Ik ben aanwezig") at an online meeting: a representative for its member,
    a board member for themself."""
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    if meeting.body.soort in services.MEMBER_BODIES:
        if not _represents_at(request, meeting):
            raise PermissionDenied
        who = {"member": request.acting_member}
    else:
        person = _sitting_person(request, meeting)
        if person is None:
            raise PermissionDenied
        who = {"person": person}
    run_service(
        request,
        lambda: services.attendance_check_in(by=request.actor, meeting=meeting, **who),
        _("U bent ingecheckt als aanwezig."),
    )
    return redirect(_meeting_url(meeting, "aanwezigheid"))


@login_required
@require_POST
def meeting_conflict(request, pk: int):
    """A conflict of interest on an agenda item, declared before its poll opens."""
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    register = may_keep_register(request.user, meeting)
    if register:
        who = {}
    elif _represents_at(request, meeting):
        who = {"member": request.acting_member}
    elif (person := _sitting_person(request, meeting)) is not None:
        who = {"person": person}
    else:
        raise PermissionDenied
    form = _conflict_form(request, meeting, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        item = data["agenda_item"]
        holder = {k: data[k] for k in ("member", "person") if k in data} or who
        try:
            conflict = services.conflict_declare(
                by=request.actor, onderwerp=item.titel, agenda_item=item, toelichting=data["toelichting"], **holder
            )
        except ValidationError as refused:
            service_errors_into_form(form, refused, {"onderwerp": "agenda_item"})
        else:
            messages.success(
                request,
                _("Het tegenstrijdig belang van %(wie)s bij agendapunt %(punt)s is vastgelegd.")
                % {"wie": conflict.holder, "punt": item.volgorde},
            )
            return redirect(_meeting_url(meeting, "agenda"))
    return _meeting_page(request, meeting, bound={"conflict": form}, status=400)


# --- agenda items ----------------------------------------------------------------------


@login_required
def agenda_item_add(request, pk: int):
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    if not may_keep_register(request.user, meeting):
        raise PermissionDenied
    form = AgendaItemForm(request.POST or None, documents=selectors.meeting_documents(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            item = services.agenda_item_add(by=request.actor, meeting=meeting, **form.cleaned_data)
        except ValidationError as refused:
            service_errors_into_form(form, refused)
        else:
            messages.success(request, _("Agendapunt %(punt)s is toegevoegd.") % {"punt": item})
            return redirect(_meeting_url(meeting, "agenda"))
    return render(
        request,
        "governance/meetings/agenda_item_form.html",
        {"meeting": meeting, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def agenda_item_minutes(request, pk: int):
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__body", "meeting__voorzitter"), pk=pk)
    _require_meeting_view(request, item.meeting)
    if not may_keep_register(request.user, item.meeting):
        raise PermissionDenied
    form = MinutesForm(request.POST)
    if form.is_valid():
        run_service(
            request,
            lambda: services.agenda_item_minute(by=request.actor, item=item, **form.cleaned_data),
            _("Het verslag van agendapunt %(punt)s is opgeslagen.") % {"punt": item.volgorde},
        )
    return redirect(_meeting_url(item.meeting, "agenda"))


# --- proxies ------------------------------------------------------------------------


@login_required
@require_POST
def proxy_grant(request, pk: int):
    """The acting member's representative grants a written proxy."""
    meeting = _meeting(pk)
    _require_meeting_view(request, meeting)
    if meeting.body.soort != Body.Kind.ALV:
        raise Http404
    if not _represents_acting(request):
        raise PermissionDenied
    form = _proxy_form(request, meeting, request.POST, request.FILES)
    if form.is_valid():
        try:
            proxy = services.proxy_grant(by=request.actor, meeting=meeting, **form.service_arguments())
        except ValidationError as refused:
            service_errors_into_form(form, refused, {"meeting": None})
        else:
            messages.success(
                request,
                _("De volmacht aan %(lid)s is aangevraagd; de secretaris beoordeelt haar.")
                % {"lid": proxy.gevolmachtigde},
            )
            return redirect(_meeting_url(meeting, "volmachten"))
    return _meeting_page(request, meeting, bound={"proxy": form}, status=400)


def _proxy(pk: int) -> Proxy:
    return get_object_or_404(
        Proxy.objects.select_related("meeting__body", "meeting__voorzitter", "verlener", "gevolmachtigde"), pk=pk
    )


@login_required
@require_POST
def proxy_decide(request, pk: int):
    proxy = _proxy(pk)
    _require_meeting_view(request, proxy.meeting)
    if not can(request.user, selectors.MANAGE_DOCUMENTS):
        raise PermissionDenied
    besluit = request.POST.get("besluit")
    if besluit not in ("goedkeuren", "afwijzen"):
        messages.error(request, _("Kies goedkeuren of afwijzen."))
    else:
        approve = besluit == "goedkeuren"
        run_service(
            request,
            lambda: services.proxy_decide(by=request.actor, proxy=proxy, approve=approve),
            (_("De volmacht van %(lid)s is goedgekeurd.") if approve else _("De volmacht van %(lid)s is afgewezen."))
            % {"lid": proxy.verlener},
        )
    return redirect(_meeting_url(proxy.meeting, "volmachten"))


@login_required
@require_POST
def proxy_revoke(request, pk: int):
    proxy = _proxy(pk)
    _require_meeting_view(request, proxy.meeting)
    run_service(
        request,
        lambda: services.proxy_revoke(by=request.actor, proxy=proxy),
        _("De volmacht aan %(lid)s is ingetrokken.") % {"lid": proxy.gevolmachtigde},
    )
    return redirect(_meeting_url(proxy.meeting, "volmachten"))


@login_required
def proxy_file(request, pk: int):
    """The signed proxy: for staff and the secretary, and for the two members it concerns."""
    proxy = _proxy(pk)
    _require_meeting_view(request, proxy.meeting)
    allowed = may_oversee(request.user, proxy.meeting) or can(request.user, selectors.MANAGE_DOCUMENTS)
    if not allowed and _represents_acting(request):
        allowed = request.acting_member.pk in (proxy.verlener_id, proxy.gevolmachtigde_id)
    if not allowed:
        raise PermissionDenied
    if not proxy.bestand:
        raise Http404
    return FileResponse(
        proxy.bestand.open("rb"),
        as_attachment=True,
        filename=f"volmacht-{proxy.verlener.code}.pdf",
        content_type="application/pdf",
    )


# --- polls --------------------------------------------------------------------------


@login_required
def poll_new(request, pk: int):
    """A poll on an agenda item, by the chair."""
    item = get_object_or_404(AgendaItem.objects.select_related("meeting__body", "meeting__voorzitter"), pk=pk)
    meeting = item.meeting
    _require_meeting_view(request, meeting)
    if not may_chair(request.user, meeting):
        raise PermissionDenied
    form = PollForm(request.POST or None, item=item)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(by=request.actor, body=meeting.body, agenda_item=item, **form.cleaned_data)
        except ValidationError as refused:
            service_errors_into_form(form, refused, {"agenda_item": None, "deadline": None})
        else:
            messages.success(request, _("De stemming is aangemaakt; open haar als de vergadering zover is."))
            return redirect("governance:poll", pk=poll.pk)
    return render(
        request,
        "governance/meetings/poll_form.html",
        {"item": item, "meeting": meeting, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def written_list(request):
    """Decisions outside a meeting: staff see all, member users the ALV's."""
    staff = may_oversee(request.user, None)
    if not staff and not _member_user(request):
        raise PermissionDenied
    polls = Poll.objects.filter(agenda_item__isnull=True).select_related("body").order_by("-id")
    if not staff:
        polls = polls.filter(regel=Poll.Rule.ALV_SCHRIFTELIJK)
    return render(
        request,
        "governance/meetings/written_list.html",
        {"polls": polls[:200], "may_chair": bool(_written_bodies(request.user))},
    )


def _written_bodies(user) -> list[Body]:
    """The bodies whose decisions outside a meeting this user may run."""
    return [b for b in Body.objects.filter(soort__in=list(WRITTEN_RULES)) if may_chair(user, None, b)]


@login_required
def written_new(request):
    """A besluit buiten vergadering, with a deadline, by the chair of its body."""
    bodies = _written_bodies(request.user)
    if not bodies:
        raise PermissionDenied
    form = WrittenDecisionForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            poll = services.poll_create(by=request.actor, **form.service_arguments())
        except ValidationError as refused:
            service_errors_into_form(form, refused, {"regel": "body", "agenda_item": None})
        else:
            messages.success(request, _("Het besluit buiten vergadering is aangemaakt; open het om te laten stemmen."))
            return redirect("governance:poll", pk=poll.pk)
    return render(
        request,
        "governance/meetings/written_form.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def _voted_ids(poll: Poll) -> set[int]:
    voted = BallotReceipt if poll.geheim else Ballot
    return set(voted.objects.filter(poll=poll).values_list("voter_id", flat=True))


def _progress(poll: Poll) -> dict:
    voted = (BallotReceipt if poll.geheim else Ballot).objects.filter(poll=poll).count()
    return {"voted": voted, "total": poll.voters.count()}


@dataclass(frozen=True)
class BallotSlot:
    """One voter the user may vote for, with its form or why there is none."""

    voter: PollVoter
    proxy: bool  # for a principal, through its approved proxy
    form: BallotForm | None
    voted: bool
    choice: str  # the vote, in an open poll, once cast
    reason: str

    @property
    def choice_label(self) -> str:
        return str(CHOICE_LABELS.get(self.choice, self.choice))


def _my_voters(request, poll: Poll) -> list[PollVoter]:
    """The entries of the electorate this user votes for: themself (a board
    member), or the acting member and every member whose approved proxy it holds."""
    mine = Q(person__user=request.user)
    if poll.regel in selectors.MEMBER_RULES and _represents_acting(request, poll.body.soort):
        acting = request.acting_member
        mine |= Q(gevolmachtigde=acting) | Q(member=acting, gevolmachtigde__isnull=True)
    voters = poll.voters.filter(mine).select_related("member", "person", "gevolmachtigde")
    return sorted(voters, key=lambda v: (v.gevolmachtigde_id is not None, str(v)))


def _ballot_form(voter: PollVoter, data=None) -> BallotForm:
    """A ballot for one voter: its own prefix, and a legend naming whom the vote is for."""
    form = BallotForm(data, prefix=f"stem-{voter.pk}")
    if voter.gevolmachtigde_id is not None:
        form.fields["keuze"].label = _("Stem namens %(wie)s (volmacht)") % {"wie": voter}
    else:
        form.fields["keuze"].label = _("Stem namens %(wie)s") % {"wie": voter}
    return form


def _ballot_slots(request, poll: Poll, voters: list[PollVoter], bound: dict) -> list[BallotSlot]:
    if not voters:
        return []
    ids = [v.pk for v in voters]
    if poll.geheim:
        voted = dict.fromkeys(BallotReceipt.objects.filter(voter__in=ids).values_list("voter_id", flat=True), "")
    else:
        voted = dict(Ballot.objects.filter(voter__in=ids).values_list("voter_id", "keuze"))
    slots = []
    for voter in voters:
        reason, form = "", None
        if voter.pk in voted:
            pass
        elif poll.status != Poll.Status.OPEN:
            reason = _("De stemming is niet open.")
        elif poll.deadline is not None and timezone.now() > poll.deadline:
            reason = _("De termijn om te stemmen is verstreken.")
        elif not poll.written and not voter.aanwezig:
            reason = _("%(wie)s was niet aanwezig of vertegenwoordigd toen de stemming opende.") % {"wie": voter}
        else:
            form = bound.get(voter.pk) or _ballot_form(voter)
        slots.append(
            BallotSlot(
                voter=voter,
                proxy=voter.gevolmachtigde_id is not None,
                form=form,
                voted=voter.pk in voted,
                choice=voted.get(voter.pk, ""),
                reason=reason,
            )
        )
    return slots


def _written_conflict_holder(request, poll: Poll) -> dict | None:
    """Who the user may declare a conflict for on a written decision that
    has not opened: the chair for anyone entitled (None: a choice in the
    form), a board member for themself, a representative for its member."""
    if may_chair(request.user, None, poll.body):
        return {}
    if poll.body.soort == Body.Kind.ALV:
        return {"member": request.acting_member} if _represents_acting(request) else None
    person = Person.objects.filter(user=request.user).first()
    sitting = person is not None and any(
        m.person_id == person.pk for m in selectors.current_mandates(poll.body, timezone.localdate())
    )
    return {"person": person} if sitting else None


def _poll_conflict_form(request, poll: Poll, data=None) -> ConflictDeclareForm:
    holders = {}
    if may_chair(request.user, None, poll.body):
        if poll.body.soort == Body.Kind.ALV:
            holders["members"] = selectors.alv_members()
        else:
            sitting = [m.person_id for m in selectors.current_mandates(poll.body, timezone.localdate())]
            holders["persons"] = Person.objects.filter(pk__in=sitting).order_by("naam")
    return ConflictDeclareForm(data, items=None, prefix="belang", **holders)


def _poll_page(request, poll: Poll, *, bound: dict | None = None, status: int = 200):
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    user = request.user
    chair = may_chair(user, meeting, poll.body)
    staff = may_oversee(user, meeting, poll.body)
    context = {
        "poll": poll,
        "meeting": meeting,
        "may_chair": chair,
        "staff": staff,
        "slots": _ballot_slots(request, poll, _my_voters(request, poll), bound or {}),
    }
    if poll.status != Poll.Status.CONCEPT and staff:
        voted = _voted_ids(poll)
        electorate = list(
            poll.voters.select_related("member", "person", "gevolmachtigde").order_by(
                "member__naam", "person__naam", "id"
            )
        )
        context["electorate"] = [(v, v.pk in voted, exports_meetings.weight(v.gewicht)) for v in electorate]
        context["progress"] = {"voted": len(voted), "total": len(electorate)}
        if poll.status == Poll.Status.GESLOTEN:
            context["non_responders"] = [v for v in electorate if v.pk not in voted]
    if poll.written:
        context["conflicts"] = [c.holder for c in poll.conflicts.select_related("member", "person")]
        if (bound or {}).get("conflict"):  # a refused declaration, shown with its reason
            context["conflict_form"] = bound["conflict"]
        elif poll.status == Poll.Status.CONCEPT and _written_conflict_holder(request, poll) is not None:
            context["conflict_form"] = _poll_conflict_form(request, poll)
    if poll.status == Poll.Status.CONCEPT and chair and meeting is not None:
        context["waiting_proxies"] = meeting.proxies.filter(status=Proxy.Status.AANGEVRAAGD).count()
    if poll.status == Poll.Status.GESLOTEN:
        context["counts"] = exports_meetings.result_counts(poll)
    return render(request, POLL_TEMPLATE, context, status=status)


@login_required
def poll_detail(request, pk: int):
    poll = _poll(pk)
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    _require_poll_view(request, poll, meeting)
    return _poll_page(request, poll)


def _require_chair_of(request, poll: Poll) -> None:
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    _require_poll_view(request, poll, meeting)
    if not may_chair(request.user, meeting, poll.body):
        raise PermissionDenied


@login_required
@require_POST
def poll_conflict(request, pk: int):
    """A conflict of interest on a written decision, declared before it opens."""
    poll = _poll(pk)
    _require_poll_view(request, poll, poll.agenda_item.meeting if poll.agenda_item_id else None)
    who = _written_conflict_holder(request, poll) if poll.written else None
    if who is None:
        raise PermissionDenied
    form = _poll_conflict_form(request, poll, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        holder = {k: data[k] for k in ("member", "person") if k in data} or who
        try:
            conflict = services.conflict_declare(
                by=request.actor, onderwerp=poll.vraag, poll=poll, toelichting=data["toelichting"], **holder
            )
        except ValidationError as refused:
            service_errors_into_form(form, refused, {"onderwerp": None})
        else:
            messages.success(
                request, _("Het tegenstrijdig belang van %(wie)s is vastgelegd.") % {"wie": conflict.holder}
            )
            return redirect("governance:poll", pk=poll.pk)
    return _poll_page(request, poll, bound={"conflict": form}, status=400)


@login_required
def poll_progress(request, pk: int):
    """The progress region alone, polled by htmx every 2 s while the poll is
    open: how many have voted, never how."""
    poll = _poll(pk)
    _require_chair_of(request, poll)
    return render(
        request,
        "governance/meetings/_poll_progress.html",
        {"poll": poll, "progress": _progress(poll), "polled": True},
    )


@login_required
@require_POST
def poll_open(request, pk: int):
    poll = _poll(pk)
    _require_chair_of(request, poll)
    run_service(
        request,
        lambda: services.poll_open(by=request.actor, poll=poll),
        lambda opened: _("De stemming is geopend. Stemgerechtigden: %(aantal)s.") % {"aantal": opened.voters.count()},
    )
    return redirect("governance:poll", pk=poll.pk)


@login_required
@require_POST
def poll_close(request, pk: int):
    poll = _poll(pk)
    _require_chair_of(request, poll)
    run_service(
        request,
        lambda: services.poll_close(by=request.actor, poll=poll),
        lambda closed: _("De stemming is gesloten: %(uitslag)s.") % {"uitslag": closed.uitslag_label},
    )
    return redirect("governance:poll", pk=poll.pk)


@login_required
@require_POST
def poll_vote(request, pk: int, voter_pk: int):
    """One ballot, for one voter of the electorate; final once cast. Voting
    for someone the user may not vote for is refused (403) by the service."""
    poll = _poll(pk)
    meeting = poll.agenda_item.meeting if poll.agenda_item_id else None
    _require_poll_view(request, poll, meeting)
    voter = get_object_or_404(PollVoter.objects.select_related("member", "person"), pk=voter_pk, poll=poll)
    form = _ballot_form(voter, request.POST)
    if not form.is_valid():
        if not selectors.may_vote_for(request.actor, voter, poll):
            raise PermissionDenied
        return _poll_page(request, poll, bound={voter.pk: form}, status=400)
    keuze = form.cleaned_data["keuze"]
    run_service(
        request,
        lambda: services.ballot_cast(by=request.actor, poll=poll, voter=voter, keuze=keuze),
        _("Uw stem namens %(wie)s is uitgebracht. Een stem is definitief.") % {"wie": voter},
    )
    return redirect("governance:poll", pk=poll.pk)


# --- exports -------------------------------------------------------------------------


def _require_export(request, meeting: Meeting) -> None:
    _require_meeting_view(request, meeting)
    if not may_oversee(request.user, meeting):
        raise PermissionDenied


@login_required
def meeting_minutes_pdf(request, pk: int):
    meeting = _meeting(pk)
    _require_export(request, meeting)
    document = exports_meetings.minutes_pdf(meeting)
    response = HttpResponse(document.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="vergadering-{meeting.pk}-{meeting.datum:%Y%m%d}.pdf"'
    return response


@login_required
def meeting_export_csv(request, pk: int):
    meeting = _meeting(pk)
    _require_export(request, meeting)
    response = HttpResponse(exports_meetings.minutes_csv(meeting), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vergadering-{meeting.pk}-{meeting.datum:%Y%m%d}.csv"'
    return response


# --- the audit chain ------------------------------------------------------------------


@login_required
def audit_verify(request):
    """Recompute the audit log's hash chain and show where it breaks, if it does."""
    if not can(request.user, VIEW_AUDIT):
        raise PermissionDenied
    broken = verify_chain()
    event = AuditEvent.objects.filter(pk=broken).first() if broken is not None else None
    return render(
        request,
        "governance/meetings/audit_verify.html",
        {"broken": broken, "event": event, "total": AuditEvent.objects.count(), "checked_at": timezone.localtime()},
    )

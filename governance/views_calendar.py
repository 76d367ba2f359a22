"""The governance calendar pages: the compliance dashboard, the meetings the
calendar counts, and the kwartaalrapportages. Views validate a form, call a
selector or one service, and render; "today" is read here, once per request."""

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beware.accounts.roles import StaffRole
from beware.common.forms import messages_from_validation_error, run_service
from beware.common.permissions import can
from invoicing.budget import FIRST_YEAR, LAST_YEAR
from membership import admission

from . import obligations, quarterly, selectors, services
from .forms_calendar import MeetingForm, QuarterlyReportForm, YearForm
from .models import Body, Document, Meeting, QuarterlyReport
from .views_common import service_errors_into_form

UPCOMING = 5  # deadlines listed under "Eerstvolgende termijnen"
ROLE_LABELS = {role.value: role.label for role in StaffRole}
STATUSES = ("voldaan", "voldaan-laat", "open", "te-laat")


def _require_view(request) -> None:
    if not can(request.user, selectors.VIEW):
        raise PermissionDenied


def _may_manage(user) -> bool:
    """The directie and the secretaris keep the calendar: meetings and the
    kwartaalrapportages (the RvC manages only its closed documents)."""
    return can(user, selectors.MANAGE_DOCUMENTS)


# --- presenting the kernel's statuses ------------------------------------------


@dataclass(frozen=True)
class Row:
    """One obligation as the dashboard shows it."""

    item: selectors.ObligationStatus
    status: str  # voldaan, voldaan-laat, open, te-laat: the badge's modifier
    label: str
    role: str
    document: Document | None
    meeting: Meeting | None
    days_left: int

    @property
    def obligation(self):
        return self.item.obligation


def _row(item: selectors.ObligationStatus, today: date) -> Row:
    if item.status == obligations.MET:
        status, label = ("voldaan-laat", _("Voldaan na de termijn")) if item.met_late else ("voldaan", _("Voldaan"))
    elif item.status == obligations.LATE:
        status, label = "te-laat", _("Te laat")
    else:
        status, label = "open", _("Open")
    evidence = item.evidence
    return Row(
        item=item,
        status=status,
        label=label,
        role=ROLE_LABELS.get(item.obligation.role, item.obligation.role),
        document=evidence if isinstance(evidence, Document) else None,
        meeting=evidence if isinstance(evidence, Meeting) else None,
        days_left=(item.obligation.deadline - today).days,
    )


def _upcoming(today: date, known: dict[int, list], viewer) -> list[Row]:
    """The next open deadlines from today, whatever year the page shows."""
    rows = []
    for year in (today.year, today.year + 1):
        if year not in known:
            known[year] = selectors.compliance(year, today, viewer)
        rows += [r for r in known[year] if r.status == obligations.OPEN and r.obligation.deadline >= today]
    rows.sort(key=lambda r: (r.obligation.deadline, r.obligation.key))
    return [_row(r, today) for r in rows[:UPCOMING]]


# --- the compliance dashboard ----------------------------------------------------


@login_required
def dashboard(request):
    _require_view(request)
    today = timezone.localdate()
    form = YearForm(request.GET)
    if not form.is_valid():
        return render(request, "governance/calendar/dashboard.html", {"form": form, "rows": None}, status=400)
    jaar = form.cleaned_data["jaar"]
    known = {jaar: selectors.compliance(jaar, today, request.user)}
    rows = [_row(item, today) for item in known[jaar]]
    counts = {key.replace("-", "_"): sum(1 for r in rows if r.status == key) for key in STATUSES}
    return render(
        request,
        "governance/calendar/dashboard.html",
        {
            "form": form,
            "jaar": jaar,
            "today": today,
            "rows": rows,
            "counts": counts,
            "upcoming": _upcoming(today, known, request.user),
            "may_manage": _may_manage(request.user),
            "previous": jaar - 1 if jaar > FIRST_YEAR else None,
            "next": jaar + 1 if jaar < LAST_YEAR else None,
        },
    )


# --- meetings ----------------------------------------------------------------------


@login_required
def meetings(request):
    """Staff see every meeting; users of active members the ALV's."""
    staff = can(request.user, selectors.VIEW)
    if not staff and not any(m.status == admission.ACTIEF for m in getattr(request, "user_members", [])):
        raise PermissionDenied
    may_manage = _may_manage(request.user)
    form = None
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = MeetingForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.meeting_record(by=request.actor, **data)
            except ValidationError as refused:
                service_errors_into_form(form, refused)
            else:
                messages.success(
                    request,
                    _("De vergadering '%(titel)s' van %(datum)s is vastgelegd.")
                    % {"titel": meeting.titel, "datum": meeting.datum.strftime("%d-%m-%Y")},
                )
                return redirect(f"{reverse('governance:meetings')}?jaar={meeting.datum.year}")
    elif may_manage:
        form = MeetingForm()
    today = timezone.localdate()
    chooser = YearForm(request.GET if request.method == "GET" else None)
    jaar = chooser.cleaned_data["jaar"] if chooser.is_valid() else today.year
    found = Meeting.objects.filter(datum__year=jaar).select_related("body").order_by("datum", "id")
    visible = selectors.visible_meetings(request.user).filter(datum__year=jaar)
    if not staff:  # the meetings they may open; staff see every meeting the calendar counts
        found = found.filter(pk__in=visible.values("pk"))
    found = list(found)
    # Staff see a besloten RvC meeting they may not open by its title only.
    closed = {m.pk for m in found if m.besloten} - set(visible.filter(besloten=True).values_list("pk", flat=True))
    notulen = [m.notulen_id for m in found if m.notulen_id]
    visible = set(selectors.visible_documents(request.user).filter(pk__in=notulen).values_list("pk", flat=True))
    held = [m for m in found if m.body.soort == Body.Kind.RVC and m.datum <= today]
    return render(
        request,
        "governance/calendar/meetings.html",
        {
            "chooser": chooser,
            "jaar": jaar,
            "meetings": found,
            "visible_notulen": visible,
            "closed": closed,
            "rvc_held": len(held),
            "rvc_planned": sum(1 for m in found if m.body.soort == Body.Kind.RVC) - len(held),
            "rvc_required": obligations.RVC_MEETINGS_PER_YEAR,
            "rvc_accountant": any(m.met_accountant for m in held),
            "form": form,
            "today": today,
            "staff": staff,
        },
        status=400 if form is not None and form.is_bound else 200,
    )


# --- kwartaalrapportages ---------------------------------------------------------


def _check_quarter(jaar: int, kwartaal: int) -> None:
    if not (FIRST_YEAR <= jaar <= LAST_YEAR and 1 <= kwartaal <= 4):
        raise Http404


def _report_status(jaar: int, kwartaal: int, known: dict[int, list], today: date, viewer) -> selectors.ObligationStatus:
    """The calendar's row for this quarter's report (its deadline year's compliance)."""
    deadline_year = obligations.report_deadline(jaar, kwartaal).year
    if deadline_year not in known:
        known[deadline_year] = selectors.compliance(deadline_year, today, viewer)
    key = f"kwartaalrapportage-{jaar}-q{kwartaal}"
    return next(r for r in known[deadline_year] if r.obligation.key == key)


@login_required
def quarterly_list(request):
    """Every quarter of last year and this year that has begun, and any other
    quarter with a report, newest first."""
    _require_view(request)
    today = timezone.localdate()
    reports = {(r.jaar, r.kwartaal): r for r in QuarterlyReport.objects.select_related("document")}
    quarters = {
        (jaar, kwartaal)
        for jaar in (today.year - 1, today.year)
        for kwartaal in (1, 2, 3, 4)
        if quarterly.quarter_start(jaar, kwartaal) <= today
    } | set(reports)
    known: dict[int, list] = {}
    rows = []
    for jaar, kwartaal in sorted(quarters, reverse=True):
        status = _report_status(jaar, kwartaal, known, today, request.user)
        rows.append(
            {
                "jaar": jaar,
                "kwartaal": kwartaal,
                "report": reports.get((jaar, kwartaal)),
                "row": _row(status, today),
                "running": obligations.quarter_end(jaar, kwartaal) >= today,
            }
        )
    return render(
        request,
        "governance/calendar/quarterly_list.html",
        {"rows": rows, "today": today, "may_manage": _may_manage(request.user)},
    )


@login_required
def quarterly_report(request, jaar: int, kwartaal: int):
    """The directie's texts and the concept PDF; the RvC reads the released
    PDF (the texts may have changed since), not the texts."""
    _require_view(request)
    _check_quarter(jaar, kwartaal)
    may_manage = _may_manage(request.user)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        form = QuarterlyReportForm(request.POST)
        if form.is_valid() and _save_and_draft(request, jaar, kwartaal, form):
            return redirect("governance:quarterly", jaar=jaar, kwartaal=kwartaal)
    report = QuarterlyReport.objects.select_related("document").filter(jaar=jaar, kwartaal=kwartaal).first()
    if request.method != "POST":
        form = QuarterlyReportForm(
            initial={name: getattr(report, name) for name in quarterly.TEXTS} if report else None
        )
    today = timezone.localdate()
    document = report.document if report else None
    document_visible = document is not None and (
        may_manage or selectors.visible_documents(request.user).filter(pk=document.pk).exists()
    )
    version = selectors.latest_version(document) if document_visible else None
    return render(
        request,
        "governance/calendar/quarterly.html",
        {
            "jaar": jaar,
            "kwartaal": kwartaal,
            "titel": quarterly.title(jaar, kwartaal),
            "report": report,
            "form": form if may_manage else None,
            "may_manage": may_manage,
            "adopted": document is not None and document.status == Document.Status.VASTGESTELD,
            "document": document,
            "document_visible": document_visible,
            "version": version,
            "row": _row(_report_status(jaar, kwartaal, {}, today, request.user), today),
            "kwartaal_van": quarterly.quarter_start(jaar, kwartaal),
            "kwartaal_tot": obligations.quarter_end(jaar, kwartaal),
        },
        status=400 if request.method == "POST" else 200,
    )


def _save_and_draft(request, jaar: int, kwartaal: int, form: QuarterlyReportForm) -> bool:
    """Save the texts and, for "Concept-PDF opstellen", draw up the PDF.
    Refusals become messages; True when everything asked for succeeded."""
    try:
        report = quarterly.quarterly_report_save(by=request.actor, jaar=jaar, kwartaal=kwartaal, **form.cleaned_data)
    except ValidationError as refused:
        messages_from_validation_error(request, refused)
        return False
    if request.POST.get("actie") != "concept":
        messages.success(request, _("De teksten van de kwartaalrapportage zijn opgeslagen."))
        return True
    document = run_service(
        request,
        lambda: quarterly.quarterly_report_draft(by=request.actor, report=report),
        lambda document: (
            _("De teksten zijn opgeslagen en de concept-PDF staat als versie %(nummer)s in het documentregister.")
            % {"nummer": selectors.latest_version(document).nummer}
        ),
    )
    return document is not None

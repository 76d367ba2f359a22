"""The kwartaalrapportage to the RvC (DOMAIN.md §6): the directie writes the
texts (liquiditeit, kosten, investeringen, risicomanagement), the portal adds
the figures (exploitatie against the begroting for the quarter and the same
quarter of earlier years, open debiteuren at the quarter's end, the product
portfolio) and files the PDF in the document register as a concept for the
RvC. Adopting it is done on the document's page.

Data first, into dataclasses (`quarterly_data`), then the PDF from them: the
figures come from the finance reports (invoicing.reports), never computed
twice."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation

from beware.common import audit
from beware.common.audit import Actor
from beware.common.models import AuditEvent
from beware.common.permissions import require
from communities.models import Community, Participation
from invoicing import reports
from invoicing.budget import FIRST_YEAR, LAST_YEAR

from . import obligations, selectors, services
from .models import Document, QuarterlyReport

MANAGE_DOCUMENTS = selectors.MANAGE_DOCUMENTS
TEXTS = ("liquiditeit", "kosten", "investeringen", "risicomanagement")
PRIOR_YEARS = 3  # the same quarter of this many earlier years
LARGEST_DEBTORS = 10  # members listed by name in the liquidity section
ZERO = Decimal("0.00")
TEMPLATE = "governance/quarterly_report_pdf.html"


def check_quarter(jaar: int, kwartaal: int) -> None:
    if not isinstance(jaar, int) or not FIRST_YEAR <= jaar <= LAST_YEAR:
        raise ValidationError({"jaar": f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}."})
    if kwartaal not in (1, 2, 3, 4):
        raise ValidationError({"kwartaal": "Een kwartaal is 1, 2, 3 of 4."})


def quarter_start(jaar: int, kwartaal: int) -> date:
    return date(jaar, 3 * kwartaal - 2, 1)


def title(jaar: int, kwartaal: int) -> str:
    return f"Kwartaalrapportage Q{kwartaal} {jaar}"


def filename(jaar: int, kwartaal: int) -> str:
    return f"kwartaalrapportage-{jaar}-q{kwartaal}.pdf"


# --- the directie's texts ------------------------------------------------------


def quarterly_report_save(
    *,
    by: Actor,
    jaar: int,
    kwartaal: int,
    liquiditeit: str,
    kosten: str,
    investeringen: str,
    risicomanagement: str,
) -> QuarterlyReport:
    """Create or change the texts of one quarter's report. Once its document
    is adopted the texts are frozen with it."""
    require(by, MANAGE_DOCUMENTS)
    check_quarter(jaar, kwartaal)
    texts = {
        "liquiditeit": liquiditeit.strip(),
        "kosten": kosten.strip(),
        "investeringen": investeringen.strip(),
        "risicomanagement": risicomanagement.strip(),
    }
    with transaction.atomic():
        report, created = _lock_or_create(jaar, kwartaal)
        if report.document is not None and report.document.status == Document.Status.VASTGESTELD:
            raise ValidationError(
                {"status": f"{title(jaar, kwartaal)} is vastgesteld; de teksten veranderen niet meer."}
            )
        changed = {name: value for name, value in texts.items() if getattr(report, name) != value}
        if not changed and not created:
            return report
        for name, value in changed.items():
            setattr(report, name, value)
        report.save()
        audit.record(
            "governance.quarterly_report_save",
            actor=by,
            obj=report,
            data={"jaar": jaar, "kwartaal": kwartaal, **changed},
        )
    return report


def _lock_or_create(jaar: int, kwartaal: int) -> tuple[QuarterlyReport, bool]:
    """The quarter's report, locked for the rest of the transaction, and
    whether it is new (a concurrent creation is taken over)."""
    found = (
        QuarterlyReport.objects.select_for_update(of=("self",))
        .select_related("document")
        .filter(jaar=jaar, kwartaal=kwartaal)
    )
    report = found.first()
    if report is not None:
        return report, False
    try:
        with transaction.atomic():
            return QuarterlyReport.objects.create(jaar=jaar, kwartaal=kwartaal), True
    except IntegrityError:
        return found.get(), False


# --- the figures -----------------------------------------------------------------


@dataclass(frozen=True)
class CategoryRow:
    """One budget category in the reported quarter and the year so far."""

    label: str
    begroot: Decimal
    gerealiseerd: Decimal
    begroot_tot: Decimal
    gerealiseerd_tot: Decimal

    @property
    def verschil(self) -> Decimal:
        return self.gerealiseerd - self.begroot

    @property
    def verschil_tot(self) -> Decimal:
        return self.gerealiseerd_tot - self.begroot_tot


@dataclass(frozen=True)
class YearQuarter:
    """The reported quarter in one year: budgeted and realised, in the quarter
    and in the year up to and including it. Without any budget or invoice
    that year, `heeft_gegevens` is False."""

    jaar: int
    heeft_gegevens: bool
    begroot: Decimal
    gerealiseerd: Decimal
    begroot_tot: Decimal
    gerealiseerd_tot: Decimal

    @property
    def verschil(self) -> Decimal:
        return self.gerealiseerd - self.begroot


@dataclass(frozen=True)
class Exploitation:
    jaar: int
    kwartaal: int
    rows: list[CategoryRow]
    totaal: CategoryRow
    heeft_begroting: bool
    jaren: list[YearQuarter]  # this year first, then the earlier years


def _year_quarter(report: reports.BudgetReport, kwartaal: int) -> YearQuarter:
    has_data = report.has_budget or any(q.gerealiseerd for q in report.kwartalen)
    upto = report.kwartalen[:kwartaal]
    return YearQuarter(
        jaar=report.jaar,
        heeft_gegevens=has_data,
        begroot=report.kwartalen[kwartaal - 1].begroot,
        gerealiseerd=report.kwartalen[kwartaal - 1].gerealiseerd,
        begroot_tot=sum((q.begroot for q in upto), ZERO),
        gerealiseerd_tot=sum((q.gerealiseerd for q in upto), ZERO),
    )


def exploitation(jaar: int, kwartaal: int, *, prior_years: int = PRIOR_YEARS) -> Exploitation:
    current = reports.budget_report(jaar)
    i = kwartaal - 1
    rows = [
        CategoryRow(
            label=row.label,
            begroot=row.begroot_kwartaal[i],
            gerealiseerd=row.gerealiseerd_kwartaal[i],
            begroot_tot=sum(row.begroot_kwartaal[:kwartaal], ZERO),
            gerealiseerd_tot=sum(row.gerealiseerd_kwartaal[:kwartaal], ZERO),
        )
        for row in current.rows
        if row.begroot or any(row.gerealiseerd_kwartaal)
    ]
    totaal = CategoryRow(
        label="Totaal",
        begroot=sum((r.begroot for r in rows), ZERO),
        gerealiseerd=sum((r.gerealiseerd for r in rows), ZERO),
        begroot_tot=sum((r.begroot_tot for r in rows), ZERO),
        gerealiseerd_tot=sum((r.gerealiseerd_tot for r in rows), ZERO),
    )
    years = [_year_quarter(current, kwartaal)]
    years += [_year_quarter(reports.budget_report(jaar - n), kwartaal) for n in range(1, prior_years + 1)]
    return Exploitation(
        jaar=jaar, kwartaal=kwartaal, rows=rows, totaal=totaal, heeft_begroting=current.has_budget, jaren=years
    )


@dataclass(frozen=True)
class Liquidity:
    peildatum: date
    debiteuren: reports.DebtorsReport
    grootste: list[reports.DebtorRow]  # the largest open amounts, by name
    overige_leden: int
    overige_bedrag: Decimal


def liquidity(peildatum: date, *, largest: int = LARGEST_DEBTORS) -> Liquidity:
    debtors = reports.debtors_report(peildatum)
    ordered = sorted(debtors.rows, key=lambda r: (-r.openstaand, r.lid))
    rest = ordered[largest:]
    return Liquidity(
        peildatum=peildatum,
        debiteuren=debtors,
        grootste=ordered[:largest],
        overige_leden=len(rest),
        overige_bedrag=sum((r.openstaand for r in rest), ZERO),
    )


@dataclass(frozen=True)
class PortfolioRow:
    community: str
    status: str  # the label, as it stood on the peildatum
    deelnemers: int


@dataclass(frozen=True)
class PortfolioChange:
    datum: date
    community: str
    omschrijving: str


@dataclass(frozen=True)
class Portfolio:
    peildatum: date
    rows: list[PortfolioRow]
    per_status: list[tuple[str, int]]  # (label, number of communities), in lifecycle order
    wijzigingen: list[PortfolioChange]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _status_label(value: str) -> str:
    try:
        return Community.Status(value).label
    except ValueError:
        return value


def portfolio(jaar: int, kwartaal: int, peildatum: date) -> Portfolio:
    """The communities as they stood on the peildatum (their status read back
    from the audit log of later changes), with their participants, and what
    changed in the quarter: communities started, status changes, members
    joining and leaving. Three queries."""
    start = quarter_start(jaar, kwartaal)
    from_dt, until_dt = _day_start(start), _day_start(peildatum + timedelta(days=1))
    events = AuditEvent.objects.filter(
        object_type=Community._meta.label,
        action__in=["community.aangemaakt", "community.gewijzigd"],
        timestamp__gte=from_dt,
    ).order_by("timestamp", "id")
    communities = {
        c.pk: c
        for c in Community.objects.filter(aangemaakt_op__lt=until_dt).annotate(
            deelnemers=Count(
                "participations",
                filter=Q(participations__status=Participation.Status.DEELNEMER, participations__datum__lte=peildatum)
                & (Q(participations__einddatum__isnull=True) | Q(participations__einddatum__gt=peildatum)),
            )
        )
    }
    status_then = {pk: c.status for pk, c in communities.items()}
    changes: list[PortfolioChange] = []
    read_back: set[int] = set()
    for event in events:
        pk = int(event.object_id) if event.object_id.isdigit() else None
        community = communities.get(pk)
        if community is None:
            continue
        voor, na = (event.data or {}).get("voor", {}), (event.data or {}).get("na", {})
        status_change = "status" in voor and "status" in na and voor["status"] != na["status"]
        if event.timestamp >= until_dt:
            # The first status change after the peildatum tells the status then.
            if status_change and pk not in read_back:
                status_then[pk] = voor["status"]
                read_back.add(pk)
            continue
        day = timezone.localdate(event.timestamp)
        if event.action == "community.aangemaakt":
            changes.append(PortfolioChange(day, community.naam, "Nieuwe community"))
        elif status_change:
            changes.append(
                PortfolioChange(
                    day,
                    community.naam,
                    f"Status van {_status_label(voor['status']).lower()} naar {_status_label(na['status']).lower()}",
                )
            )
    moves = (
        Participation.objects.filter(status=Participation.Status.DEELNEMER)
        .filter(Q(datum__range=(start, peildatum)) | Q(einddatum__range=(start, peildatum)))
        .select_related("member", "community")
        .order_by("datum", "pk")
    )
    for p in moves:
        if p.datum and start <= p.datum <= peildatum:
            phase = f" (fase {_status_label(p.fase).lower()})" if p.fase else ""
            changes.append(PortfolioChange(p.datum, p.community.naam, f"{p.member.naam} neemt deel{phase}"))
        if p.einddatum and start <= p.einddatum <= peildatum:
            changes.append(PortfolioChange(p.einddatum, p.community.naam, f"{p.member.naam} neemt niet meer deel"))
    rows = [
        PortfolioRow(community=c.naam, status=_status_label(status_then[pk]), deelnemers=c.deelnemers)
        for pk, c in sorted(communities.items(), key=lambda item: (item[1].naam, item[0]))
    ]
    counts = dict.fromkeys(Community.Status.values, 0)
    for value in status_then.values():
        counts[value] = counts.get(value, 0) + 1
    return Portfolio(
        peildatum=peildatum,
        rows=rows,
        per_status=[(_status_label(value), n) for value, n in counts.items() if n],
        wijzigingen=sorted(changes, key=lambda c: (c.datum, c.community, c.omschrijving)),
    )


@dataclass(frozen=True)
class QuarterlyData:
    report: QuarterlyReport
    titel: str
    kwartaal_van: date
    kwartaal_tot: date
    peildatum: date  # the quarter's end, or today while the quarter runs
    deadline: date
    exploitatie: Exploitation
    liquiditeit: Liquidity
    portfolio: Portfolio
    kosten_per_community: reports.CommunityReport
    opgesteld_op: datetime


def quarterly_data(report: QuarterlyReport, *, today: date | None = None) -> QuarterlyData:
    today = today or timezone.localdate()
    end = obligations.quarter_end(report.jaar, report.kwartaal)
    peildatum = min(end, today)
    return QuarterlyData(
        report=report,
        titel=title(report.jaar, report.kwartaal),
        kwartaal_van=quarter_start(report.jaar, report.kwartaal),
        kwartaal_tot=end,
        peildatum=peildatum,
        deadline=obligations.report_deadline(report.jaar, report.kwartaal),
        exploitatie=exploitation(report.jaar, report.kwartaal),
        liquiditeit=liquidity(peildatum),
        portfolio=portfolio(report.jaar, report.kwartaal, peildatum),
        kosten_per_community=reports.community_report(report.jaar),
        opgesteld_op=timezone.now(),
    )


# --- the PDF in the document register ------------------------------------------


def render(data: QuarterlyData):
    """HTML and PDF of the report, in Dutch whatever the reader's language."""
    from django.conf import settings

    from beware.common.pdf import render_pdf

    with translation.override("nl"):
        return render_pdf(TEMPLATE, {"data": data, "report": data.report, "cooperatie": settings.COOPERATIE})


def quarterly_report_draft(*, by: Actor, report: QuarterlyReport) -> Document:
    """Draw up the PDF from the saved texts and today's figures and file it:
    the first draft as a new concept document for the RvC, later drafts as
    new versions of it. Returns the document."""
    require(by, MANAGE_DOCUMENTS)
    report = QuarterlyReport.objects.select_related("document").get(pk=report.pk)
    _refuse_if_adopted(report)
    # Rendering takes a while: outside the transaction, which only files it.
    rendered = render(quarterly_data(report))
    upload = SimpleUploadedFile(filename(report.jaar, report.kwartaal), rendered.pdf, content_type="application/pdf")
    with transaction.atomic():
        report = QuarterlyReport.objects.select_for_update(of=("self",)).select_related("document").get(pk=report.pk)
        _refuse_if_adopted(report)
        if report.document is None:
            document = services.document_create(
                by=by,
                titel=title(report.jaar, report.kwartaal),
                soort=Document.Kind.KWARTAALRAPPORTAGE,
                doelgroep=Document.Audience.RVC,
                bestand=upload,
                jaar=report.jaar,
                kwartaal=report.kwartaal,
                toelichting="Concept opgesteld in het portaal",
            )
            report.document = document
            report.save(update_fields=["document"])
            nummer = 1
        else:
            document = report.document
            nummer = services.document_add_version(
                by=by, document=document, bestand=upload, toelichting="Concept opgesteld in het portaal"
            ).nummer
        audit.record(
            "governance.quarterly_report_draft",
            actor=by,
            obj=report,
            data={"jaar": report.jaar, "kwartaal": report.kwartaal, "document": document.pk, "versie": nummer},
        )
    return document


def _refuse_if_adopted(report: QuarterlyReport) -> None:
    if report.document is not None and report.document.status == Document.Status.VASTGESTELD:
        raise ValidationError(
            {"status": f"{title(report.jaar, report.kwartaal)} is al vastgesteld; een nieuw concept kan niet meer."}
        )

"""Finance reports for the directie: reads only (docs/decisions/0015).

Each report is a dataclass of rows and totals, filled by a fixed number of
queries however many members, communities or invoices there are: amounts are
summed in the database; the few sums across rows are done here with Decimal.
Only finalised invoices and credit notes count, never drafts.

Reports 1-3 follow the invoice: a credit note and a payment count with the
invoice they correct or settle, whatever their own date, so per row
invoiced − credited − paid = open. Report 4 (begroting en realisatie) is
revenue by period: a credit note lowers the revenue of the quarter of its own
date. The debtors report is "as it stood" on its peildatum."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractQuarter

from beware.common.money import round_money
from businesscases.allocation import allocate
from businesscases.models import Settlement, SettlementCredit, Share, YearlyAllocationLine
from communities.models import Community

from .models import BudgetLine, ChargeKind, Invoice, InvoiceLine, Payment

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
# On SQLite a sum of decimals is a float until Django rounds it to cents, so
# "more than nothing open" is tested as "at least half a cent".
HALF_CENT = Decimal("0.005")
QUARTERS = (1, 2, 3, 4)


def _final():
    return Invoice.objects.exclude(status=Invoice.Status.CONCEPT)


def _paid(*, until: date | None = None, ref: str = "pk"):
    """Payments on the invoice (up to a date), as a column."""
    payments = Payment.objects.filter(invoice=OuterRef(ref))
    if until is not None:
        payments = payments.filter(datum__lte=until)
    total = payments.values("invoice").annotate(s=Sum("bedrag")).values("s")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _credited(field: str = "totaal_incl", *, until: date | None = None, ref: str = "pk"):
    """Finalised credit notes against the invoice (dated up to a date), as a column."""
    notes = _final().filter(corrects=OuterRef(ref))
    if until is not None:
        notes = notes.filter(factuurdatum__lte=until)
    total = notes.values("corrects").annotate(s=Sum(field)).values("s")[:1]
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def _money(value) -> Decimal:
    # SQLite sums decimals as floats: through str() to the exact cents.
    return ZERO if value is None else round_money(Decimal(str(value)))


def _total(rows, name: str) -> Decimal:
    return sum((getattr(row, name) for row in rows), ZERO)


# --- 1. Contributie per jaar per lid ----------------------------------------


@dataclass(frozen=True)
class ContributionRow:
    member_id: int
    lid: str
    code: str
    inwoners: int
    maanden: int
    gefactureerd: Decimal
    gecrediteerd: Decimal
    betaald: Decimal
    openstaand: Decimal


@dataclass(frozen=True)
class ContributionReport:
    jaar: int
    rows: list[ContributionRow]
    inwoners: int
    gefactureerd: Decimal
    gecrediteerd: Decimal
    betaald: Decimal
    openstaand: Decimal


def contribution_report(jaar: int) -> ContributionReport:
    """The contributie invoiced for a year (the year of the ALV rate, not of
    the invoice date), per member: inwoners and months as invoiced (the
    line's aantal and period), invoiced, credited, paid and open."""
    lines = InvoiceLine.objects.filter(
        invoice=OuterRef("pk"), charge__soort=ChargeKind.CONTRIBUTIE, charge__contribution_rate__jaar=jaar
    ).order_by("pk")
    found = (
        _final()
        .filter(soort=Invoice.Kind.FACTUUR)
        .filter(Exists(lines))
        .values("member_id", "member__naam", "member__code")
        .annotate(
            # A credited and re-made invoice counts its inwoners once.
            inwoners=Max(Subquery(lines.values("charge__inwoners")[:1])),
            van=Min(Subquery(lines.values("periode_van")[:1])),
            gefactureerd=Sum("totaal_incl", output_field=MONEY),
            gecrediteerd=Sum(_credited(), output_field=MONEY),
            betaald=Sum(_paid(), output_field=MONEY),
        )
        .order_by("member__naam", "member_id")
    )
    rows = []
    for r in found:
        invoiced, credited, paid = _money(r["gefactureerd"]), _money(r["gecrediteerd"]), _money(r["betaald"])
        van = r["van"]
        rows.append(
            ContributionRow(
                member_id=r["member_id"],
                lid=r["member__naam"],
                code=r["member__code"],
                inwoners=int(r["inwoners"] or 0),
                # The charge runs from the first month billed through December.
                maanden=13 - van.month if van else 12,
                gefactureerd=invoiced,
                gecrediteerd=credited,
                betaald=paid,
                openstaand=invoiced - credited - paid,
            )
        )
    return ContributionReport(
        jaar=jaar,
        rows=rows,
        inwoners=sum(r.inwoners for r in rows),
        gefactureerd=_total(rows, "gefactureerd"),
        gecrediteerd=_total(rows, "gecrediteerd"),
        betaald=_total(rows, "betaald"),
        openstaand=_total(rows, "openstaand"),
    )


# --- 2. Debiteuren ------------------------------------------------------------

# Days after the due date: (label, first day, last day); None = unbounded.
AGEING_BUCKETS = (
    ("niet_vervallen", None, 0),
    ("dagen_1_30", 1, 30),
    ("dagen_31_60", 31, 60),
    ("dagen_61_90", 61, 90),
    ("dagen_90_plus", 91, None),
)


@dataclass(frozen=True)
class DebtorRow:
    member_id: int
    lid: str
    code: str
    facturen: int
    niet_vervallen: Decimal
    dagen_1_30: Decimal
    dagen_31_60: Decimal
    dagen_61_90: Decimal
    dagen_90_plus: Decimal
    openstaand: Decimal
    oudste_vervaldatum: date | None

    @property
    def vervallen(self) -> Decimal:
        return self.openstaand - self.niet_vervallen


@dataclass(frozen=True)
class DebtorsReport:
    peildatum: date
    rows: list[DebtorRow]
    facturen: int
    niet_vervallen: Decimal
    dagen_1_30: Decimal
    dagen_31_60: Decimal
    dagen_61_90: Decimal
    dagen_90_plus: Decimal
    openstaand: Decimal

    @property
    def vervallen(self) -> Decimal:
        return self.openstaand - self.niet_vervallen


def _bucket_condition(peildatum: date, first: int | None, last: int | None) -> Q:
    """Days overdue d = peildatum − vervaldatum, first ≤ d ≤ last."""
    condition = Q()
    if first is not None:
        condition &= Q(vervaldatum__lte=peildatum - timedelta(days=first))
    if last is not None:
        condition &= Q(vervaldatum__gte=peildatum - timedelta(days=last))
    return condition


def debtors_report(peildatum: date) -> DebtorsReport:
    """What each member owed on the peildatum, by days past the due date:
    invoices dated up to the peildatum, less the credit notes dated and the
    payments received up to it. A member owing nothing is not listed."""
    open_on = ExpressionWrapper(
        F("totaal_incl") - _credited(until=peildatum) - _paid(until=peildatum), output_field=MONEY
    )
    invoices = (
        _final()
        .filter(soort=Invoice.Kind.FACTUUR, factuurdatum__lte=peildatum)
        .annotate(open_op=open_on)
        .filter(open_op__gte=HALF_CENT)
    )
    buckets = {
        name: Sum(
            Case(
                When(_bucket_condition(peildatum, first, last), then=F("open_op")),
                default=Value(ZERO),
                output_field=MONEY,
            ),
            output_field=MONEY,
        )
        for name, first, last in AGEING_BUCKETS
    }
    found = (
        invoices.values("member_id", "member__naam", "member__code")
        .annotate(
            facturen=Count("pk"),
            openstaand=Sum("open_op", output_field=MONEY),
            oudste_vervaldatum=Min("vervaldatum"),
            **buckets,
        )
        .order_by("member__naam", "member_id")
    )
    rows = [
        DebtorRow(
            member_id=r["member_id"],
            lid=r["member__naam"],
            code=r["member__code"],
            facturen=r["facturen"],
            openstaand=_money(r["openstaand"]),
            oudste_vervaldatum=r["oudste_vervaldatum"],
            **{name: _money(r[name]) for name, _, _ in AGEING_BUCKETS},
        )
        for r in found
    ]
    return DebtorsReport(
        peildatum=peildatum,
        rows=rows,
        facturen=sum(r.facturen for r in rows),
        openstaand=_total(rows, "openstaand"),
        **{name: _total(rows, name) for name, _, _ in AGEING_BUCKETS},
    )


# --- 3. Kosten en opbrengsten per community ------------------------------------

COMMUNITY_AMOUNTS = (
    "toegerekend",
    "verrekend",
    "gefactureerd_excl",
    "gecrediteerd_excl",
    "gefactureerd",
    "gecrediteerd",
    "betaald",
)


@dataclass(frozen=True)
class CommunityRow:
    community_id: int
    community: str
    slug: str
    toegerekend: Decimal  # shares at go + late-join charges + yearly splits, excl. btw
    verrekend: Decimal  # paid back to earlier participants at late joins, excl. btw
    gefactureerd_excl: Decimal
    gecrediteerd_excl: Decimal
    gefactureerd: Decimal  # incl. btw
    gecrediteerd: Decimal  # incl. btw
    betaald: Decimal
    openstaand: Decimal

    @property
    def te_factureren(self) -> Decimal:
        """Allocated (net of late-join refunds) but not yet invoiced (net of credit notes), excl. btw."""
        return (self.toegerekend - self.verrekend) - (self.gefactureerd_excl - self.gecrediteerd_excl)


@dataclass(frozen=True)
class CommunityReport:
    jaar: int | None
    rows: list[CommunityRow]
    toegerekend: Decimal
    verrekend: Decimal
    gefactureerd_excl: Decimal
    gecrediteerd_excl: Decimal
    gefactureerd: Decimal
    gecrediteerd: Decimal
    betaald: Decimal
    openstaand: Decimal

    @property
    def te_factureren(self) -> Decimal:
        return (self.toegerekend - self.verrekend) - (self.gefactureerd_excl - self.gecrediteerd_excl)


def _by_community(qs, community: str, date_filter: dict) -> dict[int, Decimal]:
    found = qs.filter(**date_filter).values(community).annotate(s=Sum("bedrag", output_field=MONEY))
    return {r[community]: _money(r["s"]) for r in found}


def _allocated(jaar: int | None) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """What the business cases stored, per community: (allocated, refunded at late joins)."""

    def year(field):
        return {field: jaar} if jaar else {}

    allocated: dict[int, Decimal] = defaultdict(lambda: ZERO)
    parts = [
        _by_community(Share.objects.filter(bron=Share.Source.BESLUIT), "business_case__community", year("datum__year")),
        _by_community(Settlement.objects.all(), "business_case__community", year("datum__year")),
        _by_community(
            YearlyAllocationLine.objects.all(),
            "yearly_allocation__business_case__community",
            year("yearly_allocation__jaar"),
        ),
    ]
    for part in parts:
        for community_id, amount in part.items():
            allocated[community_id] += amount
    refunded = _by_community(
        SettlementCredit.objects.all(), "settlement__business_case__community", year("settlement__datum__year")
    )
    return allocated, refunded


def community_report(jaar: int | None = None) -> CommunityReport:
    """Per community: what its business cases allocated to the members and
    what was invoiced for it (shares, late joins, yearly costs, usage fees),
    credited, paid and still open. With a year: allocations of that year and
    invoices dated in it (with their credit notes and payments)."""
    allocated, refunded = _allocated(jaar)

    invoices = _final().filter(soort=Invoice.Kind.FACTUUR)
    if jaar:
        invoices = invoices.filter(factuurdatum__year=jaar)
    community_of_line = Coalesce(F("charge__business_case__community"), F("charge__usage__community"))
    # The invoice's excl. amount per community (a usage invoice may have lines of several).
    split = (
        InvoiceLine.objects.filter(invoice__in=invoices.values("pk"))
        .annotate(community_id=community_of_line)
        .filter(community_id__isnull=False)
        .values("invoice_id", "community_id")
        .annotate(s=Sum("bedrag", output_field=MONEY))
        .order_by()
    )
    weights: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for r in split:
        weights[r["invoice_id"]][r["community_id"]] = _money(r["s"])
    with_community = InvoiceLine.objects.filter(invoice=OuterRef("pk")).filter(
        Q(charge__business_case__isnull=False) | Q(charge__usage__isnull=False)
    )
    amounts = (
        invoices.filter(Exists(with_community))
        .annotate(
            gecrediteerd_excl=_credited("totaal_excl"),
            gecrediteerd=_credited("totaal_incl"),
            betaald=_paid(),
        )
        .values("pk", "totaal_excl", "totaal_incl", "gecrediteerd_excl", "gecrediteerd", "betaald")
    )
    invoiced: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in amounts:
        values = {
            "gefactureerd_excl": _money(r["totaal_excl"]),
            "gefactureerd": _money(r["totaal_incl"]),
            "gecrediteerd_excl": _money(r["gecrediteerd_excl"]),
            "gecrediteerd": _money(r["gecrediteerd"]),
            "betaald": _money(r["betaald"]),
        }
        for name, amount in values.items():
            for community_id, share in _split(amount, weights.get(r["pk"], {})).items():
                invoiced[community_id][name] += share

    ids = set(allocated) | set(refunded) | set(invoiced)
    communities = Community.objects.filter(pk__in=ids).order_by("naam", "pk").values("pk", "naam", "slug")
    rows = []
    for c in communities:
        got = invoiced.get(c["pk"], {})
        row = {
            "toegerekend": allocated.get(c["pk"], ZERO),
            "verrekend": refunded.get(c["pk"], ZERO),
            **{name: got.get(name, ZERO) for name in COMMUNITY_AMOUNTS[2:]},
        }
        rows.append(
            CommunityRow(
                community_id=c["pk"],
                community=c["naam"],
                slug=c["slug"],
                openstaand=row["gefactureerd"] - row["gecrediteerd"] - row["betaald"],
                **row,
            )
        )
    return CommunityReport(
        jaar=jaar,
        rows=rows,
        openstaand=_total(rows, "openstaand"),
        **{name: _total(rows, name) for name in COMMUNITY_AMOUNTS},
    )


def _split(amount: Decimal, weights: dict[int, Decimal]) -> dict[int, Decimal]:
    """An invoice's amount over its communities, in proportion to their lines
    (largest remainder, so the parts add up to the amount)."""
    if not weights:
        return {}
    if len(weights) == 1:
        return {next(iter(weights)): amount}
    positive = {str(key): max(w, ZERO) for key, w in weights.items()}
    if not any(positive.values()):
        positive = dict.fromkeys(positive, 1)
    return {int(key): share for key, share in allocate(amount, positive).items()}


# --- 4. Begroting en realisatie -------------------------------------------------


@dataclass(frozen=True)
class BudgetRow:
    categorie: str
    label: str
    begroot: Decimal  # the year
    begroot_kwartaal: tuple[Decimal, Decimal, Decimal, Decimal]
    gerealiseerd_kwartaal: tuple[Decimal, Decimal, Decimal, Decimal]

    @property
    def gerealiseerd(self) -> Decimal:
        return sum(self.gerealiseerd_kwartaal, ZERO)

    @property
    def verschil(self) -> Decimal:
        return self.gerealiseerd - self.begroot

    @property
    def percentage(self) -> Decimal | None:
        return _percentage(self.gerealiseerd, self.begroot)


@dataclass(frozen=True)
class QuarterRow:
    kwartaal: int
    begroot: Decimal
    gerealiseerd: Decimal

    @property
    def label(self) -> str:
        return f"Q{self.kwartaal}"

    @property
    def verschil(self) -> Decimal:
        return self.gerealiseerd - self.begroot

    @property
    def percentage(self) -> Decimal | None:
        return _percentage(self.gerealiseerd, self.begroot)


@dataclass(frozen=True)
class ChartBar:
    soort: str  # "begroting" or "realisatie"
    label: str
    value: Decimal
    x: int
    y: int
    width: int
    height: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class ChartGroup:
    label: str
    label_y: int
    bars: tuple[ChartBar, ChartBar]


@dataclass(frozen=True)
class BudgetChart:
    groups: list[ChartGroup]
    width: int
    height: int
    label_x: int


@dataclass(frozen=True)
class BudgetReport:
    jaar: int
    rows: list[BudgetRow]
    kwartalen: list[QuarterRow]
    chart: BudgetChart

    @property
    def begroot(self) -> Decimal:
        return _total(self.rows, "begroot")

    @property
    def gerealiseerd(self) -> Decimal:
        return _total(self.rows, "gerealiseerd")

    @property
    def verschil(self) -> Decimal:
        return self.gerealiseerd - self.begroot

    @property
    def percentage(self) -> Decimal | None:
        return _percentage(self.gerealiseerd, self.begroot)

    @property
    def has_budget(self) -> bool:
        return any(row.begroot for row in self.rows)


def _percentage(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def quarter_budget(bedrag: Decimal) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """A year's budget in four quarters by largest remainder (ties: Q1 first)."""
    parts = allocate(bedrag, {str(q): 1 for q in QUARTERS})
    return tuple(parts[str(q)] for q in QUARTERS)


def budget_amounts(jaar: int) -> dict[str, Decimal]:
    return dict(BudgetLine.objects.filter(jaar=jaar).values_list("categorie", "bedrag"))


def realisation(jaar: int) -> dict[tuple[str, int], Decimal]:
    """Revenue excl. btw per (category, quarter of the invoice date): lines of
    finalised invoices, less the lines of finalised credit notes. A credit
    note line without a charge of its own takes the category of the invoice
    it corrects."""
    corrected_kind = (
        InvoiceLine.objects.filter(invoice=OuterRef("invoice__corrects"), charge__isnull=False)
        .order_by("volgorde", "pk")
        .values("charge__soort")[:1]
    )
    found = (
        InvoiceLine.objects.filter(invoice__factuurdatum__year=jaar)
        .exclude(invoice__status=Invoice.Status.CONCEPT)
        .annotate(
            categorie=Coalesce(F("charge__soort"), Subquery(corrected_kind), output_field=CharField()),
            kwartaal=ExtractQuarter("invoice__factuurdatum"),
            signed=Case(
                When(invoice__soort=Invoice.Kind.CREDITNOTA, then=F("bedrag") * Value(-1)),
                default=F("bedrag"),
                output_field=MONEY,
            ),
        )
        .values("categorie", "kwartaal")
        .annotate(s=Sum("signed", output_field=MONEY))
        .order_by()
    )
    return {(r["categorie"], r["kwartaal"]): _money(r["s"]) for r in found}


def budget_report(jaar: int) -> BudgetReport:
    """The begroting per category against the realisation by quarter."""
    budget = budget_amounts(jaar)
    realised = realisation(jaar)
    rows = []
    for kind in ChargeKind:
        begroot = budget.get(kind.value, ZERO)
        rows.append(
            BudgetRow(
                categorie=kind.value,
                label=kind.label,
                begroot=begroot,
                begroot_kwartaal=quarter_budget(begroot),
                gerealiseerd_kwartaal=tuple(realised.get((kind.value, q), ZERO) for q in QUARTERS),
            )
        )
    quarters = [
        QuarterRow(
            kwartaal=q,
            begroot=sum((row.begroot_kwartaal[q - 1] for row in rows), ZERO),
            gerealiseerd=sum((row.gerealiseerd_kwartaal[q - 1] for row in rows), ZERO),
        )
        for q in QUARTERS
    ]
    return BudgetReport(jaar=jaar, rows=rows, kwartalen=quarters, chart=budget_chart(quarters))


# Chart geometry in SVG units, as in the business case cost curve.
CHART_LABEL = 48  # room left of the bars for "Q1"
CHART_LENGTH = 360  # the longest bar
CHART_VALUE = 230  # room right of the longest bar for "Realisatie: € 1.234.567,89"
CHART_BAR = 16
CHART_GAP = 4  # between the two bars of a quarter
CHART_GROUP_GAP = 14  # between quarters
CHART_TOP = 6


def budget_chart(quarters: list[QuarterRow]) -> BudgetChart:
    """Per quarter two horizontal bars, begroting and realisatie, each as long
    as its amount (a negative amount has no bar) with the amount written
    right of it."""
    top = max((max(q.begroot, q.gerealiseerd) for q in quarters), default=ZERO)
    groups = []
    y = CHART_TOP
    for quarter in quarters:
        bars = []
        for soort, label, value in (
            ("begroting", "Begroting", quarter.begroot),
            ("realisatie", "Realisatie", quarter.gerealiseerd),
        ):
            width = 0
            if top > 0 and value > 0:
                width = max(1, int((CHART_LENGTH * value / top).to_integral_value(rounding=ROUND_HALF_UP)))
            bars.append(
                ChartBar(
                    soort=soort,
                    label=label,
                    value=value,
                    x=CHART_LABEL,
                    y=y,
                    width=width,
                    height=CHART_BAR,
                    text_x=CHART_LABEL + width + 6,
                    text_y=y + CHART_BAR - 4,
                )
            )
            y += CHART_BAR + CHART_GAP
        groups.append(
            ChartGroup(label=quarter.label, label_y=bars[0].y + CHART_BAR + CHART_GAP // 2 + 4, bars=tuple(bars))
        )
        y += CHART_GROUP_GAP - CHART_GAP
    return BudgetChart(
        groups=groups,
        width=CHART_LABEL + CHART_LENGTH + CHART_VALUE,
        height=y - CHART_GROUP_GAP + CHART_GAP + CHART_TOP,
        label_x=CHART_LABEL - 10,
    )

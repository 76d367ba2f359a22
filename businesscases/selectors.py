"""Reads for business cases: costs, weights under the verdeelsleutel, stored
and previewed allocations, late-join quotes and the yearly split. The numbers
come from the kernel (allocation.py); this module fetches what it needs."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q

from beware.common.money import round_money, round_rate
from membership import admission
from membership.models import Member
from membership.selectors import InwonersUnknown, NoRepresentation, inwoners_by_member

from . import allocation
from .models import BusinessCase, CostLine, FixedPercentage, Settlement, Share

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class YearCost:
    jaar: int  # 1 .. horizon
    eenmalig: Decimal
    jaarlijks: Decimal
    personeel: Decimal

    @property
    def totaal(self) -> Decimal:
        return self.eenmalig + self.jaarlijks + self.personeel


@dataclass(frozen=True)
class CostSummary:
    one_off: Decimal  # what is allocated at go and settled at late joins
    yearly: Decimal  # per year, allocated per year
    staff_one_off: Decimal
    staff_yearly: Decimal
    years: list[YearCost]

    @property
    def tco(self) -> Decimal:
        return sum((year.totaal for year in self.years), ZERO)

    @property
    def shared_per_year(self) -> Decimal:
        """The invoiced costs (no personeelsinzet), averaged over the horizon."""
        horizon = len(self.years)
        return round_money((self.one_off + self.yearly * horizon) / horizon)


def cost_summary(business_case: BusinessCase, lines: list[CostLine] | None = None) -> CostSummary:
    """Costs per year of the horizon and in total (TCO): one-off costs in the
    first year, yearly costs every year, personeelsinzet included."""
    lines = list(business_case.cost_lines.all()) if lines is None else lines

    def total(kinds) -> Decimal:
        return sum((line.bedrag for line in lines if line.soort in kinds), ZERO)

    one_off, yearly = total(CostLine.ONE_OFF), total(CostLine.YEARLY)
    staff_once = total([CostLine.Kind.PERSONEEL_EENMALIG])
    staff_yearly = total([CostLine.Kind.PERSONEEL_JAARLIJKS])
    years = [
        YearCost(
            jaar=n,
            eenmalig=one_off if n == 1 else ZERO,
            jaarlijks=yearly,
            personeel=staff_yearly + (staff_once if n == 1 else ZERO),
        )
        for n in range(1, business_case.horizon_jaren + 1)
    ]
    return CostSummary(one_off=one_off, yearly=yearly, staff_one_off=staff_once, staff_yearly=staff_yearly, years=years)


def peildatum_for(business_case: BusinessCase, besluitdatum: date) -> date:
    return business_case.peildatum or date(besluitdatum.year, 1, 1)


@dataclass(frozen=True)
class KeyWeight:
    gewicht: Decimal | int
    inwoners: int | None = None


def member_inwoners_on(members: list[Member], peildatum: date, *, fallback_on: date | None) -> dict[int, int]:
    """Inwoners per member on the peildatum, with the figures of its year. A
    member that represented no gemeente yet on the peildatum (it joined the
    coöperatie later) counts the gemeenten it represents on `fallback_on`.
    Anything unknown is refused with the member, gemeente and year named."""
    found = inwoners_by_member([m.pk for m in members], peildatum)
    if fallback_on is not None:
        later = [pk for pk, value in found.items() if isinstance(value, NoRepresentation)]
        if later:
            found.update(inwoners_by_member(later, peildatum, represented_on=fallback_on))
    by_pk = {m.pk: m for m in members}
    errors = [f"{by_pk[pk].naam}: {value}" for pk, value in found.items() if isinstance(value, InwonersUnknown)]
    if errors:
        raise ValidationError({"peildatum": errors})
    return found


def key_weights(
    business_case: BusinessCase,
    members: list[Member],
    peildatum: date,
    *,
    fallback_on: date | None = None,
    percentages: dict[int, Decimal] | None = None,
) -> dict[int, KeyWeight]:
    """Each member's weight under the business case's verdeelsleutel."""
    key = business_case.verdeelsleutel
    if key == BusinessCase.Key.GELIJK:
        return {m.pk: KeyWeight(gewicht=1) for m in members}
    if key == BusinessCase.Key.VAST:
        percentages = fixed_percentages(business_case) if percentages is None else percentages
        missing = [m.naam for m in members if m.pk not in percentages]
        if missing:
            raise ValidationError({"vaste_percentages": f"Geen vast percentage voor: {', '.join(missing)}."})
        return {m.pk: KeyWeight(gewicht=percentages[m.pk]) for m in members}
    inwoners = member_inwoners_on(members, peildatum, fallback_on=fallback_on)
    return {m.pk: KeyWeight(gewicht=inwoners[m.pk], inwoners=inwoners[m.pk]) for m in members}


def fixed_percentages(business_case: BusinessCase) -> dict[int, Decimal]:
    return dict(FixedPercentage.objects.filter(business_case=business_case).values_list("member_id", "percentage"))


def check_percentages(percentages: dict, *, field: str = "vaste_percentages") -> None:
    """A vast key's percentages must sum to exactly 100."""
    total = sum(percentages.values(), Decimal(0))
    if total != 100:
        shown = str(total).replace(".", ",")
        raise ValidationError({field: f"De vaste percentages tellen op tot {shown}%; dat moet precies 100% zijn."})


def current_participants(community) -> list[Member]:
    from communities.models import Participation

    return [
        p.member
        for p in Participation.objects.filter(
            community=community, status=Participation.Status.DEELNEMER, einddatum__isnull=True
        )
        .select_related("member")
        .order_by("datum", "id")
    ]


@dataclass(frozen=True)
class AllocationRow:
    member: Member
    inwoners: int | None
    gewicht: Decimal
    bedrag: Decimal
    bron: str = ""
    datum: date | None = None


@dataclass(frozen=True)
class AllocationView:
    rows: list[AllocationRow]
    total: Decimal
    stored: bool  # True: the stored split at go; False: a preview
    error: str = ""


def allocation_view(business_case: BusinessCase, *, today: date) -> AllocationView:
    """After go: the stored shares, never recomputed. Before: a preview over
    the community's current participants by the key on the peildatum."""
    if business_case.is_decided:
        shares = list(business_case.shares.select_related("member").order_by("datum", "-gewicht", "member__naam"))
        rows = [AllocationRow(s.member, s.inwoners, s.gewicht, s.bedrag, s.bron, s.datum) for s in shares]
        return AllocationView(rows=rows, total=sum((s.bedrag for s in shares), ZERO), stored=True)
    one_off = cost_summary(business_case).one_off
    members = current_participants(business_case.community)
    if not members:
        return AllocationView(rows=[], total=one_off, stored=False, error="Er zijn nog geen deelnemers.")
    try:
        weights = key_weights(business_case, members, peildatum_for(business_case, today), fallback_on=today)
        # Keys are member codes: ties in the kernel go by member code (DOMAIN.md §3).
        amounts = allocation.allocate(one_off, {m.code: weights[m.pk].gewicht for m in members})
    except ValidationError as error:
        return AllocationView(rows=[], total=one_off, stored=False, error=" ".join(error.messages))
    except ValueError as error:
        return AllocationView(rows=[], total=one_off, stored=False, error=str(error))
    rows = [AllocationRow(m, weights[m.pk].inwoners, Decimal(weights[m.pk].gewicht), amounts[m.code]) for m in members]
    return AllocationView(rows=rows, total=one_off, stored=False)


@dataclass(frozen=True)
class Credit:
    member: Member
    gewicht: Decimal
    bedrag: Decimal


@dataclass(frozen=True)
class SettlementPlan:
    """A late join computed by the kernel, before or while it is stored."""

    business_case: BusinessCase
    member: Member
    datum: date
    eenmalige_kosten: Decimal
    maanden: int
    waarde: Decimal
    gewicht: Decimal
    inwoners: int | None
    bedrag: Decimal
    credits: list[Credit]


def settlement_plan(
    business_case: BusinessCase, member: Member, datum: date, *, joiner_percentage: Decimal | None = None
) -> SettlementPlan:
    """What `member` would pay joining on `datum`, and what each current
    participant that paid a share (go-participants and earlier late joiners,
    with their stored weights) gets back. Raises ValidationError with a
    Dutch message. The quote and the stored settlement both come from here."""
    if member.status != admission.ACTIEF:
        raise ValidationError({"lid": f"{member.naam} is geen actief lid ({member.get_status_display().lower()})."})
    shares = list(Share.objects.filter(business_case=business_case).select_related("member"))
    if any(s.member_id == member.pk for s in shares):
        raise ValidationError({"lid": f"{member.naam} heeft zijn aandeel in {business_case.titel} al betaald."})
    if business_case.verdeelsleutel == BusinessCase.Key.VAST:
        weight = KeyWeight(gewicht=_checked_percentage(joiner_percentage))
    else:
        weight = key_weights(business_case, [member], business_case.peildatum, fallback_on=datum)[member.pk]
    one_off = cost_summary(business_case).one_off
    months = allocation.whole_months_between(business_case.golive or business_case.besluitdatum, datum)
    try:
        result = allocation.late_join_settlement(
            one_off,
            {s.member.code: s.gewicht for s in shares},
            member.code,
            weight.gewicht,
            months=months,
            years=business_case.afschrijvingsjaren,
        )
        # The charge is as if the joiner had been there from the start (all who
        # paid a share); the credits go to the current participants among them
        # (DOMAIN.md §3.5): who has left gets nothing back.
        current = {m.pk for m in current_participants(business_case.community)}
        crediting = {s.member.code: s.gewicht for s in shares if s.member_id in current}
        credits_by_code = (
            result.credits if len(crediting) == len(shares) else allocation.allocate(result.charge, crediting)
        )
    except ValueError as error:
        raise ValidationError({"lid": f"Verrekenen lukt niet: {error}."}) from error
    by_code = {s.member.code: s for s in shares}
    credits = [Credit(by_code[code].member, by_code[code].gewicht, amount) for code, amount in credits_by_code.items()]
    return SettlementPlan(
        business_case=business_case,
        member=member,
        datum=datum,
        eenmalige_kosten=one_off,
        maanden=months,
        waarde=result.value,
        gewicht=Decimal(weight.gewicht),
        inwoners=weight.inwoners,
        bedrag=result.charge,
        credits=sorted(credits, key=lambda c: (-c.bedrag, c.member.naam)),
    )


def _checked_percentage(percentage: Decimal | None) -> Decimal:
    """A late joiner's percentage under a fixed key: more than 0, at most 100, in hundredths."""
    if percentage is None:
        raise ValidationError(
            {"percentage": "Bij vaste percentages stelt de coördinator of directie het percentage vast."}
        )
    if not 0 < percentage <= 100 or percentage != percentage.quantize(Decimal("0.01")):
        raise ValidationError(
            {"percentage": "Vul een percentage groter dan 0 en ten hoogste 100 in, op twee decimalen."}
        )
    return percentage


@dataclass(frozen=True)
class Quote:
    business_case: BusinessCase
    plan: SettlementPlan | None
    error: str = ""


def decided_business_cases(community) -> list[BusinessCase]:
    return list(
        BusinessCase.objects.filter(community=community, status=BusinessCase.Status.BESLOTEN).order_by(
            "besluitdatum", "id"
        )
    )


def join_quote(community, member: Member, datum: date) -> list[Quote]:
    """Before a member asks to join: for each decided business case, what it
    would pay and what each earlier participant would get back."""
    quotes = []
    for business_case in decided_business_cases(community):
        try:
            quotes.append(Quote(business_case, settlement_plan(business_case, member, datum)))
        except ValidationError as error:
            quotes.append(Quote(business_case, None, " ".join(error.messages)))
    return quotes


def settlements_of(business_case: BusinessCase) -> list[Settlement]:
    return list(
        business_case.settlements.select_related("member").prefetch_related("credits__member").order_by("datum", "id")
    )


@dataclass(frozen=True)
class YearLine:
    member: Member
    inwoners: int | None
    maanden: int
    gewicht: Decimal  # as shown and stored: base weight × months / 12
    bedrag: Decimal


def yearly_allocation_plan(business_case: BusinessCase, jaar: int) -> list[YearLine]:
    """The yearly costs of `jaar` over that year's participants: weight =
    inwoners on 1 January × months participating / 12 (DOMAIN.md §3.4)."""
    from communities.models import Participation

    participations = list(
        Participation.objects.filter(community=business_case.community, status=Participation.Status.DEELNEMER)
        .filter(datum__lte=date(jaar, 12, 31))
        .filter(Q(einddatum__isnull=True) | Q(einddatum__gte=date(jaar, 1, 1)))
        .select_related("member")
        .order_by("datum", "id")
    )
    periods: dict[int, list] = {}
    members: dict[int, Member] = {}
    for p in participations:
        periods.setdefault(p.member_id, []).append((p.datum, p.einddatum))
        members[p.member_id] = p.member
    months = {pk: allocation.months_in_year(spans, jaar) for pk, spans in periods.items()}
    members = {pk: m for pk, m in members.items() if months[pk] > 0}
    if not members:
        raise ValidationError({"jaar": f"De community had in {jaar} geen deelnemers."})
    latest_start = max(start for pk in members for start, _ in periods[pk])
    # Under a fixed key the stored share weights hold every participant's
    # percentage, late joiners' included.
    percentages = (
        {s.member_id: s.gewicht for s in business_case.shares.all()}
        if business_case.verdeelsleutel == BusinessCase.Key.VAST
        else None
    )
    weights = key_weights(
        business_case, list(members.values()), date(jaar, 1, 1), fallback_on=latest_start, percentages=percentages
    )
    # The kernel gets base weight × months (exact); dividing all by 12 changes
    # nothing. Keys are member codes: ties go by member code.
    exact = {m.code: weights[pk].gewicht * months[pk] for pk, m in members.items()}
    amounts = allocation.allocate(cost_summary(business_case).yearly, exact)
    return [
        YearLine(
            member=member,
            inwoners=weights[pk].inwoners,
            maanden=months[pk],
            gewicht=round_rate(Decimal(exact[member.code]) / 12),
            bedrag=amounts[member.code],
        )
        for pk, member in members.items()
    ]


@dataclass(frozen=True)
class CurvePoint:
    deelnemers: int
    per_deelnemer: Decimal
    per_inwoner: Decimal | None
    label: str  # who joins at this point


def cost_curve(business_case: BusinessCase, *, today: date, limit: int = 12) -> list[CurvePoint]:
    """ "Hoe meer leden, hoe goedkoper": the shared costs per year (one-off
    spread over the horizon plus yearly) per participant and per inwoner
    when 1, 2, … members take part: participants first, then other active
    members, largest first."""
    yearly_cost = cost_summary(business_case).shared_per_year
    participants = current_participants(business_case.community)
    others = list(Member.objects.filter(status=admission.ACTIEF).exclude(pk__in=[m.pk for m in participants]))
    candidates = participants + others
    peildatum = business_case.peildatum or date(today.year, 1, 1)
    known = inwoners_by_member([m.pk for m in candidates], peildatum, represented_on=today)
    inwoners = {pk: value for pk, value in known.items() if not isinstance(value, InwonersUnknown)}
    # Other members whose inwoners are unknown are left out rather than counted as zero.
    others = sorted((m for m in others if m.pk in inwoners), key=lambda m: (-inwoners[m.pk], m.naam))
    points = []
    total_inwoners: int | None = 0
    for count, member in enumerate((participants + others)[:limit], start=1):
        # Once a participant's inwoners are unknown, so is the cost per inwoner.
        total_inwoners = (
            None if total_inwoners is None or member.pk not in inwoners else total_inwoners + inwoners[member.pk]
        )
        points.append(
            CurvePoint(
                deelnemers=count,
                per_deelnemer=round_money(yearly_cost / count),
                per_inwoner=round_rate(yearly_cost / total_inwoners) if total_inwoners else None,
                label=member.naam,
            )
        )
    return points


# --- Pages: what the business case page shows ---------------------------------

CURVE_HEADER = 20  # room above the bars for the column headings
CURVE_ROW = 24
CURVE_BAR = 16
CURVE_LABEL = 80  # room left of the bars for the number of participants
CURVE_LENGTH = 300  # the longest bar
CURVE_VALUE = 120  # room right of the longest bar for its value


@dataclass(frozen=True)
class CurveBar:
    deelnemers: int
    label: str  # who joins at this point
    value: Decimal | None  # None: unknown (no inwoners known)
    x: int
    y: int
    width: int
    height: int
    text_x: int  # where the value is written, right of the bar
    text_y: int  # baseline of the row's texts


@dataclass(frozen=True)
class CurveChart:
    points: list[CurvePoint]
    per_deelnemer: list[CurveBar]
    per_inwoner: list[CurveBar]
    width: int
    height: int
    label_x: int  # right edge of the participant numbers (text-anchor end)
    header_y: int


def _curve_bars(points: list[CurvePoint], values: list[Decimal | None]) -> list[CurveBar]:
    top = max((v for v in values if v), default=Decimal(0))
    bars = []
    for i, (point, value) in enumerate(zip(points, values, strict=True)):
        width = 0
        if top and value:
            width = max(1, round(CURVE_LENGTH * value / top))
        y = CURVE_HEADER + i * CURVE_ROW
        bars.append(
            CurveBar(
                deelnemers=point.deelnemers,
                label=point.label,
                value=value,
                x=CURVE_LABEL,
                y=y,
                width=width,
                height=CURVE_BAR,
                text_x=CURVE_LABEL + width + 6,
                text_y=y + CURVE_BAR - 4,
            )
        )
    return bars


def cost_curve_chart(points: list[CurvePoint]) -> CurveChart:
    """Geometry (SVG units) of the two horizontal bar charts of "hoe meer
    leden, hoe goedkoper": one row per number of participants, the bar as
    long as the cost per participant (or per inwoner) per year, the value
    written right of it."""
    return CurveChart(
        points=points,
        per_deelnemer=_curve_bars(points, [p.per_deelnemer for p in points]),
        per_inwoner=_curve_bars(points, [p.per_inwoner for p in points]),
        width=CURVE_LABEL + CURVE_LENGTH + CURVE_VALUE,
        height=CURVE_HEADER + len(points) * CURVE_ROW,
        label_x=CURVE_LABEL - 8,
        header_y=CURVE_HEADER - 8,
    )


@dataclass(frozen=True)
class BusinessCasePage:
    business_case: BusinessCase
    cost_lines: list[CostLine]
    costs: CostSummary
    allocation: AllocationView | None  # None after a no-go: nothing is shared
    fixed_percentages: list[FixedPercentage]
    settlements: list[Settlement]
    yearly_allocations: list
    participants: list[Member]  # the community's current participants
    curve: CurveChart

    @property
    def has_shared_costs(self) -> bool:
        return bool(self.costs.one_off or self.costs.yearly)


def businesscase_page(business_case: BusinessCase, *, today: date) -> BusinessCasePage:
    """Everything the business case page shows, in a fixed number of queries
    however many participants, late joins and years there are."""
    from django.db.models import Prefetch

    from .models import YearlyAllocationLine

    lines = list(business_case.cost_lines.all())
    is_rejected = business_case.status == BusinessCase.Status.AFGEWEZEN
    return BusinessCasePage(
        business_case=business_case,
        cost_lines=lines,
        costs=cost_summary(business_case, lines),
        allocation=None if is_rejected else allocation_view(business_case, today=today),
        fixed_percentages=list(business_case.fixed_percentages.select_related("member"))
        if business_case.verdeelsleutel == BusinessCase.Key.VAST
        else [],
        settlements=settlements_of(business_case),
        yearly_allocations=list(
            business_case.yearly_allocations.select_related("vastgelegd_door").prefetch_related(
                Prefetch("lines", queryset=YearlyAllocationLine.objects.select_related("member"))
            )
        ),
        participants=current_participants(business_case.community),
        curve=cost_curve_chart(cost_curve(business_case, today=today)),
    )

"""The allocation kernel: how an amount is shared over members (DOMAIN.md §3).

Pure and Django-free: Decimal in, Decimal out. Every split uses largest
remainder, so the shares always sum exactly to the amount. The services fetch
weights from the database, call these functions, and store what comes out.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")
Weight = int | Decimal


def _cents(amount: Decimal) -> int:
    if not isinstance(amount, Decimal):
        raise TypeError(f"bedrag moet een Decimal zijn, niet {type(amount).__name__}")
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(f"bedrag {amount} is geen bedrag in hele centen")
    return int(amount * 100)


def _from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _weight(key: str, value: Weight) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"gewicht van {key} moet een int of Decimal zijn, niet {type(value).__name__}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"gewicht van {key} is geen getal")
    if value < 0:
        raise ValueError(f"gewicht van {key} is negatief")
    return Fraction(value)


def allocate(total: Decimal, weights: Mapping[str, Weight]) -> dict[str, Decimal]:
    """Split `total` over the keys in proportion to their weights.

    Each key gets floor(T·w/W) cents; the cents left go one each to the keys
    with the largest remainders, ties broken by larger weight, then by key.
    A negative total is split as its absolute value and negated. A zero
    weight gets nothing; without any positive weight there is nothing to
    split by, which raises ValueError."""
    cents = _cents(total)
    exact = {key: _weight(key, value) for key, value in weights.items()}
    weight_sum = sum(exact.values(), Fraction(0))
    if weight_sum <= 0:
        raise ValueError("geen deelnemer met een positief gewicht")
    sign, cents = (-1, -cents) if cents < 0 else (1, cents)
    shares = {}
    remainders = {}
    for key, w in exact.items():
        share = cents * w / weight_sum
        shares[key] = share.numerator // share.denominator
        remainders[key] = share - shares[key]
    left = cents - sum(shares.values())
    ranked = sorted(exact, key=lambda key: (-remainders[key], -exact[key], key))
    for key in ranked[:left]:
        shares[key] += 1
    return {key: _from_cents(sign * shares[key]) for key in weights}


def whole_months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (0 when end is not after start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(0, months)


def remaining_value(cost: Decimal, *, months: int, years: int | None) -> Decimal:
    """The value a late joiner settles: the one-off cost in full, or with
    `years` of afschrijving the book value after `months` from go-live,
    C × max(0, 1 − m / (12·N)), rounded half up to cents."""
    cents = _cents(cost)
    if months < 0:
        raise ValueError("het aantal maanden kan niet negatief zijn")
    if years is None:
        return cost
    if years <= 0:
        raise ValueError("het aantal afschrijvingsjaren moet positief zijn")
    exact = abs(cents) * max(Fraction(0), 1 - Fraction(months, 12 * years))
    rounded = int(exact + Fraction(1, 2))  # half up, on the exact value
    return _from_cents(-rounded if cents < 0 else rounded)


@dataclass(frozen=True)
class Settlement:
    """What a late joiner pays and what each earlier participant gets back."""

    value: Decimal  # V: the cost or remaining book value being settled
    charge: Decimal
    credits: dict[str, Decimal] = field(default_factory=dict)


def late_join_settlement(
    cost: Decimal,
    participants: Mapping[str, Weight],
    joiner: str,
    joiner_weight: Weight,
    *,
    months: int = 0,
    years: int | None = None,
) -> Settlement:
    """A late joiner's charge, as if it had been there from the start, and the
    credits to the current participants (earlier late joiners included), in
    proportion to their weights; the credits sum exactly to the charge."""
    if joiner in participants:
        raise ValueError(f"{joiner} is al deelnemer")
    if not participants:
        raise ValueError("er zijn geen eerdere deelnemers om te verrekenen")
    value = remaining_value(cost, months=months, years=years)
    charge = allocate(value, {**participants, joiner: joiner_weight})[joiner]
    return Settlement(value=value, charge=charge, credits=allocate(charge, participants))


def months_in_year(periods: Iterable[tuple[date, date | None]], year: int) -> int:
    """Months of `year` in which a member participated, over all its periods
    (start, end inclusive, None: still running): each month from the month
    it joined through the month it left counts once, as the contributie
    counts a mid-year joiner. Leaving and rejoining in one month is one month."""
    months: set[int] = set()
    for start, end in periods:
        if start.year > year or (end is not None and end.year < year):
            continue
        first = start.month if start.year == year else 1
        last = end.month if end is not None and end.year == year else 12
        months.update(range(first, last + 1))
    return len(months)

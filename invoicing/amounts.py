"""Contributie, entreegeld, usage and exit amounts (DOMAIN.md §3.1, §3.2, §3.4).
Pure: no Django import, Decimal in and out, rounding in beware.common.money."""

from datetime import date
from decimal import Decimal

from beware.common.money import round_money


def billable_months(ingangsdatum: date | None, jaar: int) -> int:
    """Whole months of contributie in a year: all 12, or from the month of the
    ingangsdatum for a member joining that year (April → 9). A member leaving
    pays its final year in full."""
    if ingangsdatum is None or ingangsdatum.year < jaar:
        return 12
    if ingangsdatum.year > jaar:
        return 0
    return 13 - ingangsdatum.month


def contribution(rate: Decimal, inwoners: int, months: int = 12) -> Decimal:
    """rate × inwoners × months / 12, rounded once to cents."""
    if not isinstance(rate, Decimal):
        raise TypeError("het tarief moet een Decimal zijn")
    if not 0 <= months <= 12:
        raise ValueError(f"maanden moet tussen 0 en 12 liggen, niet {months}")
    return round_money(rate * inwoners * months / 12)


def entry_fee(fixed: Decimal, per_inwoner: Decimal, inwoners: int) -> Decimal:
    return round_money(fixed + per_inwoner * inwoners)


def usage_fee(tariff: Decimal, count: int) -> Decimal:
    if count < 0:
        raise ValueError("een aantal transacties kan niet negatief zijn")
    return round_money(tariff * count)


def check_exit_charge(amount: Decimal, yearly_contribution: Decimal) -> None:
    """An exit charge is at most one year's contributie (DOMAIN.md §3.1)."""
    if amount <= 0:
        raise ValueError("een uittredingsvergoeding moet groter zijn dan € 0,00")
    if amount > yearly_contribution:
        raise ValueError(f"een uittredingsvergoeding is hoogstens één jaar contributie ({yearly_contribution})")

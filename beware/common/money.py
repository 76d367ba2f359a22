"""Money and rates: Decimal only, ROUND_HALF_UP in this one place (DOMAIN.md §3)."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATE_QUANTUM = Decimal("0.0001")


def round_money(amount: Decimal) -> Decimal:
    """Round an amount to whole cents, half up."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"bedrag moet een Decimal zijn, niet {type(amount).__name__}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round_rate(rate: Decimal) -> Decimal:
    """Round a rate per inwoner to four places, half up."""
    if not isinstance(rate, Decimal):
        raise TypeError(f"tarief moet een Decimal zijn, niet {type(rate).__name__}")
    return rate.quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)

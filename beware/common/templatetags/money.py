"""Amounts as users read them: "€ 18.181,82" (Dutch) or "€ 18,181.82" (English)."""

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def euro(amount: Decimal | None) -> str:
    if amount is None or amount == "":
        return "–"
    text = floatformat(amount, "2g")
    return f"− € {text[1:]}" if text.startswith("-") else f"€ {text}"


@register.filter
def decimal_plain(value: Decimal | None, places: int = 2) -> str:
    """A number with a fixed number of decimals and thousands separators."""
    if value is None or value == "":
        return "–"
    return floatformat(value, f"{int(places)}g")

"""Writes for the begroting: the directie sets one amount per year per
category (a ChargeKind); every change is in the audit log."""

from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from beware.common import audit
from beware.common.audit import Actor
from beware.common.permissions import require

from .models import BudgetLine, ChargeKind

MANAGE = "invoicing.manage_invoices"
FIRST_YEAR, LAST_YEAR = 2000, 2100
LIMIT = Decimal("10000000000")  # max_digits=12, decimal_places=2


def _check(jaar: int, categorie: str, bedrag: Decimal) -> None:
    if categorie not in ChargeKind.values:
        raise ValidationError({"categorie": f"Onbekende categorie '{categorie}'."})
    if not isinstance(jaar, int) or not FIRST_YEAR <= jaar <= LAST_YEAR:
        raise ValidationError({"jaar": f"Kies een jaar van {FIRST_YEAR} tot en met {LAST_YEAR}."})
    if not isinstance(bedrag, Decimal) or not bedrag.is_finite():
        raise ValidationError({"bedrag": "Geef een bedrag."})
    if bedrag != bedrag.quantize(Decimal("0.01")):
        raise ValidationError({"bedrag": "Geef een bedrag in hele centen."})
    if abs(bedrag) >= LIMIT:
        raise ValidationError({"bedrag": "Het bedrag is te groot."})


def budget_line_set(*, by: Actor, jaar: int, categorie: str, bedrag: Decimal) -> BudgetLine:
    """Create or change the budgeted amount of one category in one year."""
    require(by, MANAGE)
    _check(jaar, categorie, bedrag)
    with transaction.atomic():
        line = BudgetLine.objects.select_for_update().filter(jaar=jaar, categorie=categorie).first()
        old = line.bedrag if line is not None else None
        if line is None:
            try:
                with transaction.atomic():
                    line = BudgetLine.objects.create(jaar=jaar, categorie=categorie, bedrag=bedrag)
            except IntegrityError:  # created concurrently: change that one
                line = BudgetLine.objects.select_for_update().get(jaar=jaar, categorie=categorie)
                old = line.bedrag
        if old is not None:
            if old == bedrag:
                return line
            line.bedrag = bedrag
            line.save(update_fields=["bedrag"])
        audit.record(
            "begroting.regel",
            actor=by,
            obj=line,
            data={"jaar": jaar, "categorie": categorie, "oud": old, "nieuw": bedrag},
        )
    return line


def budget_set(*, by: Actor, jaar: int, bedragen: Mapping[str, Decimal]) -> list[BudgetLine]:
    """Several categories of one year at once: all or none."""
    require(by, MANAGE)
    with transaction.atomic():
        return [
            budget_line_set(by=by, jaar=jaar, categorie=categorie, bedrag=bedrag)
            for categorie, bedrag in bedragen.items()
        ]

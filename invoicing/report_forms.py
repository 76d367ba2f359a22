"""Filters of the finance reports (GET forms) and the begroting form."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .budget import FIRST_YEAR, LAST_YEAR
from .models import ChargeKind

ISO_DATE = "%Y-%m-%d"  # what <input type="date"> reads and writes


def year_field(*, required: bool = True, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Jaar"), required=required, min_value=FIRST_YEAR, max_value=LAST_YEAR, help_text=help_text
    )


class FilterForm(forms.Form):
    """A GET filter: an absent or empty field means its default."""

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.pop("formaat", None)
        for name, value in self.initial_values().items():
            if not data.get(name):
                data[name] = value
        super().__init__(data, **kwargs)

    def initial_values(self) -> dict:
        return {}


class YearFilterForm(FilterForm):
    jaar = year_field()

    def initial_values(self) -> dict:
        return {"jaar": timezone.localdate().year}


class OptionalYearFilterForm(forms.Form):
    jaar = year_field(required=False, help_text=_("Leeg: alle jaren."))


class PeildatumFilterForm(FilterForm):
    peildatum = forms.DateField(
        label=_("Peildatum"),
        input_formats=[ISO_DATE, "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        help_text=_("De stand aan het eind van deze dag."),
    )

    def initial_values(self) -> dict:
        return {"peildatum": timezone.localdate().isoformat()}


class AmountField(forms.DecimalField):
    """An amount in euro; "1234,56" is read as well as "1234.56"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("€", "").replace(" ", "")
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


class BudgetForm(forms.Form):
    """One amount per category for one year; empty means € 0,00."""

    jaar = forms.IntegerField(widget=forms.HiddenInput, min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, *args, amounts: dict[str, object] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in ChargeKind:
            self.fields[kind.value] = AmountField(
                label=_("%(categorie)s (euro)") % {"categorie": kind.label},
                required=False,
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01"}),
                initial=(amounts or {}).get(kind.value),
            )

    def amounts(self) -> dict[str, object]:
        """The categories whose amount was changed, empty read as 0."""
        return {
            kind.value: self.cleaned_data[kind.value] or Decimal("0.00")
            for kind in ChargeKind
            if kind.value in self.changed_data
        }

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beware.common.forms import LongSelect
from membership.models import Member

from . import selectors, services
from .models import Invoice


def _date_field(label, **kwargs):
    # A date input wants ISO dates, whatever the language of the page.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _money_field(label, **kwargs):
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        **kwargs,
    )


STATUS_CHOICES = [
    ("", _("Alle statussen")),
    *[(value, label) for value, label in selectors.STATUS_LABELS.items()],
]


class InvoiceFilterForm(forms.Form):
    jaar = forms.IntegerField(label=_("Jaar"), required=False, min_value=2000, max_value=2100)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    soort = forms.ChoiceField(
        label=_("Soort"), required=False, choices=[("", _("Facturen en creditnota's")), *Invoice.Kind.choices]
    )
    lid = forms.ModelChoiceField(
        label=_("Lid"),
        required=False,
        queryset=Member.objects.order_by("naam"),
        empty_label=_("Alle leden"),
        widget=LongSelect,
    )
    zoekterm = forms.CharField(label=_("Nummer of omschrijving"), required=False, max_length=100)

    def criteria(self) -> dict:
        """The filter as the keyword arguments of selectors.invoice_list."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "jaar": data["jaar"],
            "status": data["status"],
            "soort": data["soort"],
            "member_id": data["lid"].pk if data["lid"] else None,
            "zoekterm": data["zoekterm"].strip(),
        }


class PaymentForm(forms.Form):
    datum = _date_field(_("Datum ontvangst"), initial=timezone.localdate)
    bedrag = _money_field(_("Bedrag"))
    kenmerk = forms.CharField(label=_("Kenmerk bankafschrift (optioneel)"), required=False, max_length=100)


class CreditNoteForm(forms.Form):
    reden = forms.CharField(label=_("Reden van de creditnota"), max_length=300)
    omschrijving = forms.CharField(label=_("Omschrijving van de regel"), max_length=300)
    bedrag = _money_field(
        _("Bedrag excl. btw"), help_text=_("De btw-categorie en het tarief zijn die van de eerste factuurregel.")
    )

    def credit_lines(self, vat_from) -> list[services.CreditLine]:
        """One credit line with the btw category and rate of `vat_from` (a line of the invoice)."""
        return [
            services.CreditLine(
                omschrijving=self.cleaned_data["omschrijving"],
                bedrag=self.cleaned_data["bedrag"],
                btw_categorie=vat_from.btw_categorie,
                btw_percentage=vat_from.btw_percentage,
            )
        ]


class ContributionRateForm(forms.Form):
    jaar = forms.IntegerField(label=_("Jaar"), min_value=2000, max_value=2100)
    bedrag_per_inwoner = forms.DecimalField(
        label=_("Bedrag per inwoner"),
        max_digits=8,
        decimal_places=4,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.0001", "inputmode": "decimal"}),
        help_text=_("In euro, tot vier decimalen, bijvoorbeeld 0,3500."),
    )
    besluit = forms.CharField(
        label=_("ALV-besluit"), max_length=200, help_text=_("Bijvoorbeeld: ALV 12 december 2026, punt 5.")
    )
    besluitdatum = _date_field(_("Datum ALV-besluit"))


class BatchStartForm(forms.Form):
    jaar = forms.IntegerField(
        label=_("Jaar"),
        min_value=2000,
        max_value=2100,
        help_text=_("Elk lid krijgt één contributiefactuur; wie al gefactureerd is, wordt overgeslagen."),
    )

"""Forms of the registers pages: nevenfuncties, tegenstrijdige belangen and
contracts with their approval and signing."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .forms_bodies import date_field
from .models import Contract, Meeting, Person


def _person_field():
    return forms.ModelChoiceField(label=_("Persoon"), queryset=Person.objects.none())


class _ForPersonForm(forms.Form):
    """A report for someone: managers choose the person; a commissaris or
    director reports for themself and sees no choice (`for_anyone=False`)."""

    def __init__(self, *args, for_anyone: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if for_anyone:
            self.fields = {"persoon": _person_field(), **self.fields}
            self.fields["persoon"].queryset = Person.objects.order_by("naam")
        else:
            self.fields.pop("gemeld_op", None)  # one's own report is made today


class SideActivityForm(_ForPersonForm):
    functie = forms.CharField(label=_("Functie"), max_length=200)
    organisatie = forms.CharField(label=_("Organisatie"), max_length=200)
    bezoldigd = forms.BooleanField(label=_("Bezoldigd"), required=False)
    ingangsdatum = date_field(_("Ingangsdatum"))
    einddatum = date_field(_("Einddatum (optioneel)"), required=False)
    gemeld_op = date_field(
        _("Gemeld op (optioneel)"),
        required=False,
        help_text=_("Leeg: vandaag. Een melding meer dan een maand na de ingangsdatum wordt als te laat gemarkeerd."),
    )


class ConflictForm(_ForPersonForm):
    onderwerp = forms.CharField(
        label=_("Onderwerp"), max_length=300, help_text=_("Het agendapunt of de transactie waarop het belang ziet.")
    )
    contract = forms.ModelChoiceField(
        label=_("Contract (optioneel)"), queryset=Contract.objects.none(), required=False, empty_label=_("– geen –")
    )
    meeting = forms.ModelChoiceField(
        label=_("Vergadering (optioneel)"), queryset=Meeting.objects.none(), required=False, empty_label=_("– geen –")
    )
    toelichting = forms.CharField(
        label=_("Toelichting (optioneel)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what is still to be decided on, so the lists stay short.
        self.fields["contract"].queryset = Contract.objects.exclude(status=Contract.Status.GETEKEND).order_by(
            "omschrijving"
        )
        recent = timezone.localdate() - timedelta(days=90)
        self.fields["meeting"].queryset = (
            # A besloten meeting's conflicts are declared on its own page, by the RvC.
            Meeting.objects.filter(Q(datum__gte=recent), besloten=False).select_related("body").order_by("datum")
        )


class ContractForm(forms.Form):
    omschrijving = forms.CharField(label=_("Omschrijving"), max_length=300)
    wederpartij = forms.CharField(label=_("Wederpartij"), max_length=200)
    bedrag = forms.DecimalField(
        label=_("Waarde (excl. btw)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
        help_text=_("Boven € 50.000,00 is vooraf de goedkeuring van de RvC nodig."),
    )


class ContractApproveForm(forms.Form):
    kenmerk = forms.CharField(label=_("Kenmerk van het RvC-besluit"), max_length=60, help_text=_("Bijv. RvC-2026-07."))
    datum = date_field(_("Datum van het besluit"), initial=timezone.localdate, help_text=_("Vandaag of eerder."))
    toelichting = forms.CharField(
        label=_("Toelichting (optioneel)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ContractSignForm(forms.Form):
    getekend_op = date_field(_("Getekend op"), initial=timezone.localdate, help_text=_("Vandaag of eerder."))

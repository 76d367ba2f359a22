from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership.models import Member

from .models import BusinessCase, CostLine

ISO_DATE = "%Y-%m-%d"  # what <input type="date"> reads and writes


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format=ISO_DATE)


class BusinessCaseForm(forms.ModelForm):
    """The fields a manager fills in while the business case is a concept
    (services.EDITABLE_FIELDS, in reading order)."""

    class Meta:
        model = BusinessCase
        fields = [
            "titel",
            "probleem",
            "doel",
            "horizon_jaren",
            "risicos",
            "hosting",
            "beheer",
            "verantwoordelijkheid",
            "gebruikstarief",
            "verdeelsleutel",
            "peildatum",
            "afschrijvingsjaren",
        ]
        widgets = {
            "probleem": forms.Textarea(attrs={"rows": 3}),
            "doel": forms.Textarea(attrs={"rows": 3}),
            "risicos": forms.Textarea(attrs={"rows": 3}),
            "hosting": forms.Textarea(attrs={"rows": 2}),
            "beheer": forms.Textarea(attrs={"rows": 2}),
            "verantwoordelijkheid": forms.Textarea(attrs={"rows": 2}),
            "peildatum": date_input(),
        }
        labels = {
            "probleem": _("Probleem"),
            "doel": _("Doel"),
            "horizon_jaren": _("Horizon (jaren)"),
            "risicos": _("Risico's"),
            "hosting": _("Afspraken over hosting"),
            "beheer": _("Afspraken over beheer"),
            "verantwoordelijkheid": _("Verantwoordelijkheden"),
            "gebruikstarief": _("Gebruikstarief per transactie (euro)"),
            "verdeelsleutel": _("Verdeelsleutel"),
            "peildatum": _("Peildatum"),
            "afschrijvingsjaren": _("Afschrijvingsjaren"),
        }
        help_texts = {
            "horizon_jaren": _("Over hoeveel jaar de totale kosten (TCO) worden berekend: 1 tot en met 30."),
            "gebruikstarief": _("Optioneel: de gebruikersfee per transactie per jaar, per kwartaal gefactureerd."),
            "verdeelsleutel": _(
                "Naar inwoners op de peildatum, in gelijke delen, of met vaste percentages "
                "(die legt u daarna vast op de pagina van de businesscase)."
            ),
            "peildatum": _("Leeg: 1 januari van het jaar van het besluit."),
            "afschrijvingsjaren": _(
                "Leeg: late toetreders betalen hun deel van de volledige eenmalige kosten. "
                "Ingevuld: hun deel van de boekwaarde op het moment van toetreden."
            ),
        }


class CostLineForm(forms.Form):
    """A cost line; whether bedrag or uren × uurtarief is needed is the
    service's rule (personeelsinzet is uren × uurtarief)."""

    soort = forms.ChoiceField(label=_("Soort"), choices=CostLine.Kind.choices)
    omschrijving = forms.CharField(label=_("Omschrijving"), max_length=200)
    bedrag = forms.DecimalField(
        label=_("Bedrag (euro)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("Per jaar bij jaarlijkse kosten. Niet bij personeelsinzet: dat is uren × uurtarief."),
    )
    uren = forms.DecimalField(
        label=_("Uren"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=1,
        help_text=_("Alleen bij personeelsinzet (per jaar bij personeelsinzet per jaar)."),
    )
    uurtarief = forms.DecimalField(
        label=_("Uurtarief (euro)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("Alleen bij personeelsinzet."),
    )


class FixedPercentagesForm(forms.Form):
    """One percentage per current participant; together exactly 100 (the service checks)."""

    def __init__(self, *args, members: list[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        for member in members:
            self.fields[self.field_name(member)] = forms.DecimalField(
                label=member.naam, required=False, min_value=0, max_value=100, max_digits=5, decimal_places=2
            )

    @staticmethod
    def field_name(member: Member) -> str:
        return f"lid_{member.pk}"

    def percentages(self) -> dict[Member, object]:
        """The filled-in percentages by member (empty fields left out)."""
        return {
            member: self.cleaned_data[self.field_name(member)]
            for member in self.members
            if self.cleaned_data.get(self.field_name(member)) is not None
        }


class DecisionForm(forms.Form):
    GO, NO_GO = "go", "no-go"

    besluit = forms.ChoiceField(
        label=_("Besluit"),
        choices=[
            (GO, _("Go: de businesscase gaat door en de verdeling wordt vastgelegd")),
            (NO_GO, _("No-go: de businesscase gaat niet door")),
        ],
        widget=forms.RadioSelect,
    )
    datum = forms.DateField(label=_("Besluitdatum"), widget=date_input(), initial=timezone.localdate)
    golive = forms.DateField(
        label=_("Go-live"),
        required=False,
        widget=date_input(),
        help_text=_("Leeg: de besluitdatum. Bij afschrijving tellen de maanden voor late toetreders vanaf hier."),
    )
    toelichting = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        datum, golive = cleaned.get("datum"), cleaned.get("golive")
        if datum and golive and golive < datum:
            self.add_error("golive", _("De go-live ligt vóór de besluitdatum."))
        return cleaned

    @property
    def is_go(self) -> bool:
        return self.cleaned_data["besluit"] == self.GO


class YearlyAllocationForm(forms.Form):
    jaar = forms.IntegerField(
        label=_("Jaar"),
        min_value=2000,
        max_value=2100,
        initial=lambda: timezone.localdate().year,
        help_text=_("De jaarlijkse kosten van dit jaar worden verdeeld over de deelnemers van dat jaar."),
    )

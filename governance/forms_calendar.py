"""Forms of the governance calendar pages: the year filter, recording a
meeting and the directie's texts of a kwartaalrapportage. The services
decide; these only parse what the pages post."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beware.accounts.roles import StaffRole
from invoicing.budget import FIRST_YEAR, LAST_YEAR

from .models import Body, Meeting


class YearForm(forms.Form):
    """`?jaar=`: absent or empty is this year."""

    jaar = forms.IntegerField(label=_("Jaar"), min_value=FIRST_YEAR, max_value=LAST_YEAR)

    def __init__(self, data=None, **kwargs):
        data = data.copy() if data is not None else {}
        if not data.get("jaar"):
            data["jaar"] = timezone.localdate().year
        super().__init__(data, **kwargs)


class MeetingForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Orgaan"), queryset=Body.objects.none())
    datum = forms.DateField(label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    titel = forms.CharField(label=_("Titel"), max_length=200, help_text=_("Bijv. 'RvC-vergadering 12 maart'."))
    plaats = forms.CharField(
        label=_("Plaats"), max_length=200, required=False, help_text=_("Leeg bij een online vergadering.")
    )
    met_accountant = forms.BooleanField(
        label=_("Met de accountant"),
        required=False,
        help_text=_("Alleen bij een vergadering van de RvC; één per jaar is verplicht."),
    )

    online = forms.BooleanField(label=_("Online"), required=False, help_text=_("Deelnemers checken dan zelf in."))
    besloten = forms.BooleanField(
        label=_("Besloten"),
        required=False,
        help_text=_("Alleen bij de RvC: alleen de commissarissen zien de vergadering, niet de directie."),
    )
    voorzitter = forms.ModelChoiceField(
        label=_("Voorzitter"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Opent en sluit de stemmingen; de ALV wordt voorgezeten door de voorzitter van de RvC."),
    )
    max_volmachten = forms.IntegerField(
        label=_("Volmachten per gevolmachtigde"),
        min_value=1,
        max_value=10,
        initial=1,
        required=False,
        help_text=_("Alleen voor de ALV: hoeveel leden één gevolmachtigde ten hoogste vertegenwoordigt."),
    )

    stemgewicht = forms.ChoiceField(
        label=_("Stemgewicht in de ALV"),
        choices=Meeting.Weighting.choices,
        initial=Meeting.Weighting.GELIJK,
        required=False,
    )

    def clean_stemgewicht(self):
        return self.cleaned_data["stemgewicht"] or Meeting.Weighting.GELIJK

    def clean_max_volmachten(self):
        return self.cleaned_data["max_volmachten"] or 1

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.order_by("soort", "naam")
        self.fields["voorzitter"].queryset = (
            get_user_model()
            .objects.filter(is_active=True, groups__name__in=[StaffRole.RVC, StaffRole.DIRECTIE, StaffRole.SECRETARIS])
            .distinct()
            .order_by("last_name", "email")
        )
        if not self.is_bound:  # most meetings recorded here are the RvC's
            self.initial.setdefault(
                "body", Body.objects.filter(soort=Body.Kind.RVC).values_list("pk", flat=True).first()
            )


class QuarterlyReportForm(forms.Form):
    liquiditeit = forms.CharField(
        label=_("Liquiditeit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("De toelichting van de directie; de openstaande debiteuren voegt het portaal zelf toe."),
    )
    kosten = forms.CharField(
        label=_("Kosten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Toelichting op de kosten; de kosten per community voegt het portaal zelf toe."),
    )
    investeringen = forms.CharField(label=_("Investeringen"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    risicomanagement = forms.CharField(
        label=_("Risicomanagement"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

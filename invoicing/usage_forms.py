"""Forms of the usage fee pages (counts per quarter, the CSV import, billing a
quarter) and of the exit charge."""

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from membership import admission
from membership.models import Member

from .forms import _money_field
from .usage_csv import HEADERS

MAX_IMPORT_BYTES = 5 * 1024 * 1024
QUARTER_CHOICES = [(q, f"Q{q}") for q in range(1, 5)]
NEGATIVE_COUNT = _("Een aantal transacties kan niet negatief zijn.")


def _year_field():
    return forms.IntegerField(label=_("Jaar"), min_value=2000, max_value=2100)


def _quarter_field():
    return forms.TypedChoiceField(label=_("Kwartaal"), choices=QUARTER_CHOICES, coerce=int)


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.naam} ({obj.slug})"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.naam} ({obj.code})"


class LeavingMemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(naam)s (einddatum %(datum)s)") % {"naam": obj.naam, "datum": f"{obj.einddatum:%d-%m-%Y}"}


class QuarterForm(forms.Form):
    """The quarter the usage page shows (GET) or bills (POST)."""

    jaar = _year_field()
    kwartaal = _quarter_field()


class UsageCountForm(forms.Form):
    community = CommunityChoiceField(label=_("Community"), queryset=Community.objects.order_by("naam"))
    lid = MemberChoiceField(label=_("Lid"), queryset=Member.objects.filter(status=admission.ACTIEF).order_by("naam"))
    jaar = _year_field()
    kwartaal = _quarter_field()
    aantal = forms.IntegerField(
        label=_("Aantal transacties"),
        min_value=0,
        error_messages={"min_value": NEGATIVE_COUNT},
        help_text=_("Een bestaand aantal voor deze community, dit lid en dit kwartaal wordt vervangen."),
    )


class UsageImportForm(forms.Form):
    bestand = forms.FileField(
        label=_("CSV-bestand"),
        help_text=_("Kolommen %(kolommen)s, gescheiden door puntkomma's, met die kopjes op de eerste regel.")
        % {"kolommen": ";".join(HEADERS)},
        validators=[FileExtensionValidator(["csv", "txt"], _("Kies een CSV-bestand (.csv)."))],
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        if bestand.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return bestand


class ExitChargeForm(forms.Form):
    lid = LeavingMemberChoiceField(
        label=_("Lid"),
        queryset=Member.objects.filter(
            status__in=[admission.OPGEZEGD, admission.UITGETREDEN], einddatum__isnull=False
        ).order_by("naam"),
        help_text=_("Alleen leden die hebben opgezegd of zijn uitgetreden, met een einddatum."),
    )
    bedrag = _money_field(
        _("Bedrag"),
        help_text=_(
            "Hoogstens één jaar contributie over het jaar van de einddatum: "
            "het tarief van dat jaar maal het inwonertal op 1 januari."
        ),
    )
    reden = forms.CharField(
        label=_("Reden"),
        max_length=250,
        help_text=_("Komt op de factuurregel, bijvoorbeeld: afbouw van lopende verplichtingen."),
    )

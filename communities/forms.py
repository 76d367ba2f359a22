from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beware.accounts.models import User
from beware.common.forms import LongSelect
from membership import admission
from membership.models import Member

from .models import Community

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
DOCUMENT_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "ods", "pptx", "odp", "txt", "csv", "png", "jpg"]


class CatalogueFilterForm(forms.Form):
    zoekterm = forms.CharField(label=_("Zoeken op naam, omschrijving of leverancier"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Community.Status.choices]
    )
    domein = forms.ChoiceField(
        label=_("Domein"), required=False, choices=[("", _("Alle domeinen")), *Community.Domain.choices]
    )
    trekker = forms.ModelChoiceField(
        label=_("Trekker"), required=False, queryset=Member.objects.none(), empty_label=_("Alle trekkers")
    )

    def __init__(self, *args, trekkers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if trekkers is not None:
            self.fields["trekker"].queryset = trekkers


class CommunityForm(forms.ModelForm):
    class Meta:
        model = Community
        fields = [
            "naam",
            "slug",
            "samenvatting",
            "beschrijving",
            "status",
            "domein",
            "trekker",
            "platform",
            "leverancier",
            "referentiecomponent",
            "standaarden",
            "links",
        ]
        widgets = {"beschrijving": forms.Textarea(attrs={"rows": 6}), "links": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trekker"].queryset = Member.objects.exclude(
            status__in=[admission.AFGEWEZEN, admission.UITGETREDEN]
        ).order_by("naam")
        if self.instance.pk:
            del self.fields["slug"]  # part of every link to the community


def _date_field(label, **kwargs):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class JoinRequestForm(forms.Form):
    toelichting = forms.CharField(
        label=_("Toelichting (optioneel)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bijvoorbeeld: wie namens uw organisatie meedoet en vanaf wanneer."),
    )


class AcceptForm(forms.Form):
    datum = _date_field(_("Deelnemer vanaf"), initial=timezone.localdate)
    percentage = forms.DecimalField(
        label=_("Percentage (vaste verdeelsleutel)"),
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        help_text=_("Alleen nodig als een besloten businesscase vaste percentages gebruikt."),
    )


class RejectForm(forms.Form):
    toelichting = forms.CharField(label=_("Reden van afwijzing"), widget=forms.Textarea(attrs={"rows": 2}))


class EndForm(forms.Form):
    einddatum = _date_field(_("Vertrekt per"))


class AddParticipantForm(forms.Form):
    lid = forms.ModelChoiceField(label=_("Lid"), queryset=Member.objects.none(), widget=LongSelect)
    datum = _date_field(_("Deelnemer vanaf"), initial=timezone.localdate)
    percentage = AcceptForm.base_fields["percentage"]

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["lid"].queryset = members


class CoordinatorForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van de coördinator"))

    def clean_email(self):
        user = User.objects.filter(email__iexact=self.cleaned_data["email"], is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("Geen portaalgebruiker met dit e-mailadres; nodig de persoon eerst uit."))
        self.cleaned_data["user"] = user
        return user.email


class DocumentForm(forms.Form):
    titel = forms.CharField(label=_("Titel"), max_length=200)
    bestand = forms.FileField(
        label=_("Bestand"),
        validators=[FileExtensionValidator(DOCUMENT_EXTENSIONS)],
        help_text=_("PDF, Office- of OpenDocument-bestand, afbeelding of tekst; ten hoogste 20 MB."),
    )

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        if bestand.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 20 MB."))
        return bestand


class ApplicationTokenForm(forms.Form):
    naam = forms.CharField(
        label=_("Naam van de sleutel"),
        max_length=100,
        help_text=_("Voor welke applicatie of koppeling, bijvoorbeeld: productieomgeving. Alleen voor uw overzicht."),
    )

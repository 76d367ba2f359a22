from django import forms
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import admission
from .models import Contact, Gemeente, Member, MemberRole

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class RegisterFilterForm(forms.Form):
    zoekterm = forms.CharField(label=_("Zoeken op naam, gemeente of KvK"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Member.STATUS_CHOICES]
    )
    soort = forms.ChoiceField(label=_("Soort"), required=False, choices=[("", _("Alle soorten")), *Member.Kind.choices])


class MemberApplicationForm(forms.ModelForm):
    status = forms.ChoiceField(
        label=_("Fase"),
        choices=[(admission.AANVRAAG, _("Aanvraag ingediend")), (admission.BELANGSTELLING, _("Belangstellende"))],
    )
    gemeenten = forms.ModelMultipleChoiceField(
        label=_("Vertegenwoordigde gemeenten"),
        queryset=Gemeente.objects.filter(opgeheven_per__isnull=True),
        help_text=_(
            "Een gemeente vertegenwoordigt ten minste zichzelf; een gemeenschappelijke regeling haar deelnemers."
        ),
    )
    vertegenwoordigt_vanaf = forms.DateField(
        label=_("Vertegenwoordigt vanaf"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    class Meta:
        model = Member
        fields = ["naam", "code", "soort", "kvk", "oin", "adres", "postcode", "plaats", "factuur_email"]


class MemberEditForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["adres", "postcode", "plaats", "factuuradres", "factuur_email", "kvk", "oin"]
        widgets = {"factuuradres": forms.Textarea(attrs={"rows": 3})}


class StepForm(forms.Form):
    datum = forms.DateField(label=_("Datum"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    toelichting = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["naam", "functie", "email", "telefoon", "rol"]


class FactuurkenmerkForm(forms.Form):
    jaar = forms.IntegerField(
        label=_("Jaar"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    kenmerk = forms.CharField(label=_("Factuurkenmerk / inkoopnummer"), max_length=100)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    first_name = forms.CharField(label=_("Voornaam"), max_length=150)
    last_name = forms.CharField(label=_("Achternaam"), max_length=150)
    roles = forms.MultipleChoiceField(
        label=_("Rollen binnen het lid"), choices=MemberRole.Role.choices, widget=forms.CheckboxSelectMultiple
    )


class InwonerImportForm(forms.Form):
    bestand = forms.FileField(
        label=_("CSV-bestand"),
        help_text=_(
            "Export uit CBS StatLine (tabel 03759ned) of een eigen bestand "
            "met de kolommen gemeentecode, jaar en inwoners."
        ),
        validators=[FileExtensionValidator(["csv", "txt"], _("Kies een CSV-bestand (.csv)."))],
    )
    bron = forms.CharField(label=_("Bron"), initial="CBS StatLine 03759ned", max_length=200)

    def clean_bestand(self):
        bestand = self.cleaned_data["bestand"]
        if bestand.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return bestand


class RepresentationForm(forms.Form):
    gemeente = forms.ModelChoiceField(label=_("Gemeente"), queryset=Gemeente.objects.filter(opgeheven_per__isnull=True))
    geldig_van = forms.DateField(label=_("Vertegenwoordigt vanaf"), widget=forms.DateInput(attrs={"type": "date"}))


class RepresentationEndForm(forms.Form):
    geldig_tot = forms.DateField(label=_("Geldig tot"), widget=forms.DateInput(attrs={"type": "date"}))

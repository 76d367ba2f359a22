"""Forms of the bodies pages: appointing (an existing or new person, an
existing or new decision), ending a mandate and recording a decision."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beware.accounts.roles import StaffRole
from communities.models import Community

from .models import Body, Decision, Mandate, Person


def date_field(label, **kwargs):
    # A date input wants ISO dates, whatever the language of the page.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


DIRECTIE_ROLES = [Mandate.Role.ALGEMEEN_DIRECTEUR, Mandate.Role.DIRECTEUR]
BOARD_ROLES = [Mandate.Role.LID, Mandate.Role.VOORZITTER, Mandate.Role.VICEVOORZITTER, Mandate.Role.SECRETARIS]


def role_choices(body: Body) -> list[tuple[str, str]]:
    roles = DIRECTIE_ROLES if body.soort == Body.Kind.DIRECTIE else BOARD_ROLES
    return [(role.value, role.label) for role in roles]


def linkable_users():
    """Portal accounts of the coöperatie's own roles not yet linked to a person."""
    return (
        get_user_model()
        .objects.filter(groups__name__in=[StaffRole.RVC, StaffRole.DIRECTIE, StaffRole.SECRETARIS], is_active=True)
        .filter(governance_person__isnull=True)
        .distinct()
        .order_by("email")
    )


class AppointForm(forms.Form):
    """One appointment: who (chosen or new), which office from when, and the
    decision that appoints (chosen or recorded here). The view runs the
    services for person, decision and mandate in one transaction."""

    persoon = forms.ModelChoiceField(
        label=_("Bestaande persoon"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("– nieuwe persoon, vul hieronder in –"),
    )
    naam = forms.CharField(label=_("Naam van de nieuwe persoon"), max_length=150, required=False)
    geboortedatum = date_field(
        _("Geboortedatum van de nieuwe persoon"),
        required=False,
        help_text=_("Nodig voor de leeftijdsgrens van 72 jaar bij de RvC en haar commissies."),
    )
    account = forms.ModelChoiceField(
        label=_("Portaalaccount van de nieuwe persoon (optioneel)"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("– geen –"),
        help_text=_("Met een gekoppeld account meldt de persoon zelf nevenfuncties en tegenstrijdige belangen."),
    )
    functie = forms.ChoiceField(label=_("Functie"), choices=[])
    ingangsdatum = date_field(_("Ingangsdatum"))
    einddatum = date_field(
        _("Einde termijn (optioneel)"), required=False, help_text=_("Leeg bij een benoeming voor onbepaalde tijd.")
    )
    besluit = forms.ModelChoiceField(
        label=_("Benoemingsbesluit"),
        queryset=Decision.objects.none(),
        required=False,
        empty_label=_("– nieuw besluit, vul hieronder in –"),
    )
    kenmerk = forms.CharField(
        label=_("Kenmerk van het nieuwe besluit"), max_length=60, required=False, help_text=_("Bijv. ALV-2026-03.")
    )
    besluitdatum = date_field(_("Datum van het nieuwe besluit"), required=False)
    onderwerp = forms.CharField(
        label=_("Onderwerp van het nieuwe besluit (optioneel)"),
        max_length=300,
        required=False,
        help_text=_("Leeg: 'Benoeming van <naam> tot <functie>'."),
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["persoon"].queryset = Person.objects.order_by("naam")
        self.fields["account"].queryset = linkable_users()
        self.fields["functie"].choices = role_choices(body)
        self.fields["besluit"].queryset = Decision.objects.filter(body=body).order_by("-datum", "-id")
        if body.has_terms:
            # The term follows from the rules (4 years), never typed in.
            del self.fields["einddatum"]

    def clean(self):
        data = super().clean()
        if data.get("persoon") is None:
            if not data.get("naam", "").strip():
                self.add_error("naam", _("Kies een bestaande persoon of vul de naam van een nieuwe persoon in."))
        elif data.get("naam", "").strip() or data.get("geboortedatum") or data.get("account"):
            self.add_error(
                "naam", _("U koos een bestaande persoon; laat de gegevens voor een nieuwe persoon dan leeg.")
            )
        if data.get("besluit") is None:
            if not data.get("kenmerk", "").strip():
                self.add_error("kenmerk", _("Kies een bestaand besluit of vul het kenmerk van een nieuw besluit in."))
            if data.get("besluitdatum") is None and "besluitdatum" not in self.errors:
                self.add_error("besluitdatum", _("Vul de datum van het nieuwe besluit in."))
        elif data.get("kenmerk", "").strip() or data.get("besluitdatum"):
            self.add_error("kenmerk", _("U koos een bestaand besluit; laat de gegevens voor een nieuw besluit leeg."))
        return data

    def default_subject(self, person_name: str) -> str:
        functie = dict(self.fields["functie"].choices)[self.cleaned_data["functie"]]
        return _("Benoeming van %(naam)s tot %(functie)s van %(orgaan)s") % {
            "naam": person_name,
            "functie": str(functie).lower(),
            "orgaan": self.body.naam,
        }


class BodyForm(forms.Form):
    """A committee of the RvC or a community board (the statutory bodies exist
    from the start)."""

    soort = forms.ChoiceField(
        label=_("Soort"),
        choices=[
            (Body.Kind.COMMISSIE.value, Body.Kind.COMMISSIE.label),
            (Body.Kind.COMMUNITY.value, Body.Kind.COMMUNITY.label),
        ],
    )
    naam = forms.CharField(label=_("Naam"), max_length=150, help_text=_("Bijv. Auditcommissie."))
    slug = forms.SlugField(label=_("Code"), max_length=60, help_text=_("Voor in de link, bijv. auditcommissie."))
    minimum = forms.IntegerField(label=_("Minimaal aantal leden"), min_value=0, initial=0)
    maximum = forms.IntegerField(label=_("Maximaal aantal leden (optioneel)"), min_value=1, required=False)
    community = forms.ModelChoiceField(
        label=_("Community (alleen bij een communitybestuur)"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("– geen –"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Community.objects.order_by("naam")


class MandateEndForm(forms.Form):
    datum = date_field(_("Beëindigd op"), initial=timezone.localdate)
    reden = forms.CharField(label=_("Reden"), max_length=300)


class DecisionForm(forms.Form):
    orgaan = forms.ModelChoiceField(label=_("Orgaan"), queryset=Body.objects.none())
    kenmerk = forms.CharField(label=_("Kenmerk"), max_length=60, help_text=_("Bijv. RvC-2026-07."))
    datum = date_field(_("Datum"))
    onderwerp = forms.CharField(label=_("Onderwerp"), max_length=300)
    toelichting = forms.CharField(
        label=_("Toelichting (optioneel)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orgaan"].queryset = Body.objects.order_by("soort", "naam")


class DecisionFilterForm(forms.Form):
    orgaan = forms.ModelChoiceField(
        label=_("Orgaan"), queryset=Body.objects.none(), required=False, empty_label=_("Alle organen")
    )
    zoekterm = forms.CharField(label=_("Kenmerk of onderwerp"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orgaan"].queryset = Body.objects.order_by("soort", "naam")


class PersonForm(forms.Form):
    naam = forms.CharField(label=_("Naam"), max_length=150)
    geboortedatum = date_field(
        _("Geboortedatum"), required=False, help_text=_("Nodig voor de leeftijdsgrens van commissarissen.")
    )
    user = forms.ModelChoiceField(
        label=_("Portaalaccount"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Met een gekoppeld account meldt de persoon zelf nevenfuncties en tegenstrijdige belangen."),
    )

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        users = linkable_users()
        if person.user_id:
            users = (users | get_user_model().objects.filter(pk=person.user_id)).distinct()
        self.fields["user"].queryset = users

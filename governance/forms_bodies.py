"""Forms of the bodies pages: appointing (an existing or new person, an
existing or new decision), ending a mandate and recording a decision."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beware.accounts.roles import StaffRole
from communities.models import Community

from . import mandates
from .models import APPOINTED_BY, Body, Decision, Mandate, Person


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


def appointing_body(body: Body) -> Body:
    """The body whose decision appoints to `body` (APPOINTED_BY): the ALV for
    the RvC, the RvC for the directie and its committees, a community board
    for itself."""
    soort = APPOINTED_BY[body.soort]
    if soort == Body.Kind.COMMUNITY:
        return body
    return Body.objects.get(soort=soort)


NEW_DECISION_LABEL = _("– nieuw besluit, vul hieronder in –")
KENMERK_EXAMPLES = {Body.Kind.ALV: "ALV-2026-03", Body.Kind.RVC: "RvC-2026-03"}


class _AppointingDecision:
    """The decision of the appointing body: one of its recorded decisions,
    or a new one recorded here (kenmerk, date and an optional subject). The
    view records it and runs the service in one transaction."""

    DECISION_FIELDS = ("besluit", "kenmerk", "besluitdatum", "onderwerp")

    def _decision_fields(self, appointing: Body) -> None:
        self.appointing = appointing
        self.fields["besluit"] = forms.ModelChoiceField(
            label=_("Besluit van %(orgaan)s") % {"orgaan": appointing.naam},
            queryset=Decision.objects.filter(body=appointing).order_by("-datum", "-id"),
            required=False,
            empty_label=NEW_DECISION_LABEL,
        )
        self.fields["kenmerk"] = forms.CharField(
            label=_("Kenmerk van het nieuwe besluit"),
            max_length=60,
            required=False,
            help_text=_("Bijv. %(voorbeeld)s. Het besluit wordt vastgelegd als besluit van %(orgaan)s.")
            % {"voorbeeld": KENMERK_EXAMPLES.get(appointing.soort, "BESTUUR-2026-03"), "orgaan": appointing.naam},
        )
        self.fields["besluitdatum"] = date_field(_("Datum van het nieuwe besluit"), required=False)
        self.fields["onderwerp"] = forms.CharField(
            label=_("Onderwerp van het nieuwe besluit (optioneel)"),
            max_length=300,
            required=False,
            help_text=self.subject_help,
        )

    def _clean_decision(self, data: dict) -> None:
        if data.get("besluit") is None:
            if not data.get("kenmerk", "").strip():
                self.add_error("kenmerk", _("Kies een bestaand besluit of vul het kenmerk van een nieuw besluit in."))
            if data.get("besluitdatum") is None and "besluitdatum" not in self.errors:
                self.add_error("besluitdatum", _("Vul de datum van het nieuwe besluit in."))
        elif data.get("kenmerk", "").strip() or data.get("besluitdatum"):
            self.add_error("kenmerk", _("U koos een bestaand besluit; laat de gegevens voor een nieuw besluit leeg."))

    def choose_decisions(self, choices) -> None:
        """Offer these (already read) decisions: one query for many forms on a page."""
        self.fields["besluit"].choices = choices


class AppointForm(_AppointingDecision, forms.Form):
    """One appointment: who (chosen or new), which office from when, for how
    many years (RvC and committees), and the decision of the appointing body
    (chosen or recorded here). The view runs the services for person,
    decision and mandate in one transaction."""

    # Help texts are not escaped when rendered: no angle brackets.
    subject_help = _("Leeg: 'Benoeming van [naam] tot [functie] van [orgaan]'.")

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
    jaren = forms.IntegerField(
        label=_("Termijn (jaren)"),
        min_value=1,
        max_value=mandates.RVC_TERM_YEARS,
        initial=mandates.RVC_TERM_YEARS,
        required=False,
        help_text=_(
            "1 tot 4 jaar; leeg is 4. Een kortere termijn kan, als de RvC die voordraagt (bijvoorbeeld vanwege de "
            "leeftijdsgrens); het portaal kort een termijn nooit zelf in."
        ),
    )
    einddatum = date_field(
        _("Einde termijn (optioneel)"), required=False, help_text=_("Leeg bij een benoeming voor onbepaalde tijd.")
    )

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["persoon"].queryset = Person.objects.order_by("naam")
        self.fields["account"].queryset = linkable_users()
        self.fields["functie"].choices = role_choices(body)
        self._decision_fields(appointing_body(body))
        if body.has_terms:
            # The term follows from the rules and the years, never typed in.
            del self.fields["einddatum"]
            if body.soort == Body.Kind.COMMISSIE:
                self.fields["jaren"].help_text = _(
                    "1 tot 4 jaar; leeg is 4. De zetel in de commissie eindigt uiterlijk met de zetel in de RvC."
                )
        else:
            del self.fields["jaren"]

    def clean(self):
        data = super().clean()
        if data.get("persoon") is None:
            if not data.get("naam", "").strip():
                self.add_error("naam", _("Kies een bestaande persoon of vul de naam van een nieuwe persoon in."))
        elif data.get("naam", "").strip() or data.get("geboortedatum") or data.get("account"):
            self.add_error(
                "naam", _("U koos een bestaande persoon; laat de gegevens voor een nieuwe persoon dan leeg.")
            )
        if "jaren" in self.fields and data.get("jaren") is None and "jaren" not in self.errors:
            data["jaren"] = mandates.RVC_TERM_YEARS
        self._clean_decision(data)
        return data

    def default_subject(self, person_name: str) -> str:
        # Stored in the decision, so in Dutch whatever language the page is in (0009).
        functie = Mandate.Role(self.cleaned_data["functie"]).label
        return f"Benoeming van {person_name} tot {str(functie).lower()} van {self.body.naam}"


class FunctionChangeForm(_AppointingDecision, forms.Form):
    """A sitting member takes another function within the term (a lid
    becomes voorzitter), by a decision of the appointing body."""

    subject_help = _("Leeg: '[naam] wordt [functie] van [orgaan]'.")

    functie = forms.ChoiceField(label=_("Nieuwe functie"), choices=[])
    datum = date_field(
        _("Met ingang van"),
        help_text=_("Het huidige mandaat eindigt de dag ervoor; termijn en einde van de termijn blijven gelijk."),
    )

    def __init__(self, *args, mandate: Mandate, appointing: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.mandate = mandate
        self.fields["functie"].choices = [
            (value, label) for value, label in role_choices(mandate.body) if value != mandate.functie
        ]
        self._decision_fields(appointing)

    def clean(self):
        data = super().clean()
        self._clean_decision(data)
        return data

    def default_subject(self) -> str:
        # Stored in the decision, so in Dutch whatever language the page is in (0009).
        functie = Mandate.Role(self.cleaned_data["functie"]).label
        return f"{self.mandate.person.naam} wordt {str(functie).lower()} van {self.mandate.body.naam}"


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
            # Both sides distinct: Django refuses to combine a distinct query with one that is not.
            users = users | get_user_model().objects.filter(pk=person.user_id).distinct()
        self.fields["user"].queryset = users

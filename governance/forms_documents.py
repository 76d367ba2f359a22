"""Forms of the document register pages: the register's filter, a new
document, a new version and adoption (vaststellen) with an existing or a new
decision. The services decide; these only parse what the pages post."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from beware.common.permissions import can
from communities.models import Community

from . import selectors, uploads
from .models import ADOPTED_BY, Body, Decision, Document

ACCEPT = ".pdf,.odt,.docx"
CLOSED = Document.Audience.RVC_BESLOTEN


def _date_field(label, **kwargs):
    # A date input wants ISO dates, whatever the language of the page.
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _file_field() -> forms.FileField:
    return forms.FileField(
        label=_("Bestand"),
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text=_("Een PDF-, ODT- of DOCX-bestand."),
    )


def _with_limit(field: forms.Field) -> None:
    """The size limit in the help text, read when the form is made (settings may change)."""
    field.help_text = _("Een PDF-, ODT- of DOCX-bestand van ten hoogste %(limiet)s.") % {
        "limiet": filesizeformat(uploads.max_bytes())
    }


def visible_audiences(user) -> list[tuple[str, str]]:
    """The audiences to filter on: the RvC's closed one only for the RvC."""
    closed = can(user, selectors.MANAGE_CLOSED_RVC_DOCUMENTS)
    return [(value, label) for value, label in Document.Audience.choices if closed or value != CLOSED]


class DocumentFilterForm(forms.Form):
    zoekterm = forms.CharField(label=_("Zoek op titel of bestandsnaam"), required=False, max_length=100)
    soort = forms.ChoiceField(
        label=_("Soort"), required=False, choices=[("", _("Alle soorten")), *Document.Kind.choices]
    )
    doelgroep = forms.ChoiceField(label=_("Doelgroep"), required=False, choices=[])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Document.Status.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The closed audience is offered only to those who may see it.
        self.fields["doelgroep"].choices = [("", _("Alle doelgroepen")), *visible_audiences(user)]

    def criteria(self) -> dict:
        """The filter as the keyword arguments of selectors.document_register."""
        if not self.is_valid():
            return {}
        return {
            "zoekterm": self.cleaned_data["zoekterm"].strip(),
            "soort": self.cleaned_data["soort"],
            "doelgroep": self.cleaned_data["doelgroep"],
            "status": self.cleaned_data["status"],
        }


class DocumentForm(forms.Form):
    """A new document, for an audience the user manages: the directie and the
    secretaris every audience but the RvC's closed one, the RvC only that."""

    titel = forms.CharField(label=_("Titel"), max_length=200)
    soort = forms.ChoiceField(label=_("Soort"), choices=Document.Kind.choices)
    doelgroep = forms.ChoiceField(
        label=_("Doelgroep"),
        choices=[],
        help_text=_(
            "Wie het document mag zien zodra het is gedeeld of vastgesteld. Tot dan zien alleen beheerders het."
        ),
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        required=False,
        queryset=Community.objects.order_by("naam"),
        empty_label=_("Geen"),
        help_text=_("Alleen bij doelgroep 'Eén community'."),
    )
    jaar = forms.IntegerField(
        label=_("Jaar"), required=False, min_value=2000, max_value=2100, help_text=_("Het jaar waarover het gaat.")
    )
    kwartaal = forms.TypedChoiceField(
        label=_("Kwartaal"),
        required=False,
        choices=[("", _("Geen")), (1, "1"), (2, "2"), (3, "3"), (4, "4")],
        coerce=int,
        empty_value=None,
        help_text=_("Bij een kwartaalrapportage."),
    )
    bestand = _file_field()
    toelichting = forms.CharField(label=_("Toelichting bij deze versie"), required=False, max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _with_limit(self.fields["bestand"])
        audiences = manageable_audiences(user)
        self.fields["doelgroep"].choices = audiences
        if [value for value, _label in audiences] == [CLOSED]:
            # The RvC's own documents: nobody else sees them, not even as a concept.
            self.closed_only = True
            self.fields["doelgroep"].initial = CLOSED
            self.fields["doelgroep"].help_text = _(
                "Een besloten document zien alleen de leden van de RvC, ook als concept; "
                "de directie en de secretaris zien het niet."
            )
            del self.fields["community"]
        else:
            self.closed_only = False


def manageable_audiences(user) -> list[tuple[str, str]]:
    """The audiences this user may create documents for."""
    return [(value, label) for value, label in Document.Audience.choices if selectors.may_manage_document(user, value)]


class VersionForm(forms.Form):
    bestand = _file_field()
    toelichting = forms.CharField(label=_("Wat is er veranderd?"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _with_limit(self.fields["bestand"])


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, decision: Decision) -> str:
        return f"{decision.kenmerk} – {decision.onderwerp} ({decision.body.naam}, {decision.datum:%d-%m-%Y})"


class AdoptForm(forms.Form):
    """Vaststellen: choose the decision that adopted the document, or record
    that decision here (then the decision and the adoption commit together).
    Only a decision of the body that adopts this kind of document
    (ADOPTED_BY) is offered; the service refuses any other and names the
    field."""

    NEW_FIELDS = ("kenmerk", "datum", "onderwerp", "orgaan")

    besluit = DecisionChoiceField(
        label=_("Bestaand besluit"),
        required=False,
        queryset=Decision.objects.none(),
        empty_label=_("Kies een besluit"),
    )
    kenmerk = forms.CharField(label=_("Kenmerk van het nieuwe besluit"), required=False, max_length=60)
    datum = _date_field(_("Datum van het besluit"), required=False)
    onderwerp = forms.CharField(label=_("Onderwerp"), required=False, max_length=300)
    orgaan = forms.ModelChoiceField(
        label=_("Genomen door"),
        required=False,
        queryset=Body.objects.none(),
        empty_label=_("Kies het orgaan"),
    )

    def __init__(self, *args, document: Document, **kwargs):
        super().__init__(*args, **kwargs)
        decisions = Decision.objects.select_related("body").order_by("-datum", "-id")
        bodies = Body.objects.order_by("soort", "naam")
        self.adopting = ADOPTED_BY.get(document.soort)
        if self.adopting is not None:
            decisions = decisions.filter(body__soort=self.adopting)
            bodies = bodies.filter(soort=self.adopting)
            self.fields["orgaan"].empty_label = None  # the one body that adopts it, chosen already
            label = Body.Kind(self.adopting).label
            self.fields["besluit"].help_text = _("Een besluit van: %(orgaan)s.") % {"orgaan": label}
            self.fields["orgaan"].help_text = _("%(soort)s: vastgesteld bij besluit van %(orgaan)s.") % {
                "soort": document.get_soort_display(),
                "orgaan": label,
            }
        if document.doelgroep == CLOSED:
            # The RvC records only its own decisions here, for its closed documents.
            bodies = bodies.filter(soort=Body.Kind.RVC)
            self.fields["orgaan"].empty_label = None
        self.fields["besluit"].queryset = decisions
        self.fields["orgaan"].queryset = bodies

    def clean(self):
        data = super().clean()
        given = [name for name in ("kenmerk", "datum", "onderwerp") if data.get(name)]
        if data.get("besluit") and given:
            raise ValidationError(_("Kies een bestaand besluit óf leg een nieuw besluit vast, niet allebei."))
        if given:
            for name in self.NEW_FIELDS:
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Vul dit in voor het nieuwe besluit."))
        return data

    @property
    def records_new_decision(self) -> bool:
        return bool(self.cleaned_data.get("kenmerk"))

    def fields_existing(self):
        return [self["besluit"]]

    def fields_new(self):
        return [self[name] for name in self.NEW_FIELDS]

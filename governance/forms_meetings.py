"""Forms of the meeting and voting pages: the convocation, an agenda item,
checking in, a proxy, a poll, a ballot and a written decision. The services
decide; these only parse what the pages post."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import MEETING_RULES, WRITTEN_RULES, AgendaItem, Body

WHOLE_MEETING, SOME_ITEMS = "vergadering", "agendapunten"
CHOICES = [("voor", _("Voor")), ("tegen", _("Tegen")), ("onthouding", _("Onthouding"))]


class ConveneForm(forms.Form):
    """The spoedreden is asked for only when the notice period is short."""

    spoedreden = forms.CharField(
        label=_("Reden voor een kortere oproeptermijn"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Waarom de vergadering spoedeisend is; dit komt in de notulen en het auditlog."),
    )

    def __init__(self, *args, short: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not short:
            del self.fields["spoedreden"]

    def reason(self) -> str:
        return self.cleaned_data.get("spoedreden", "")


class AgendaItemForm(forms.Form):
    titel = forms.CharField(label=_("Titel"), max_length=300)
    voorstel = forms.CharField(
        label=_("Voorstel"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Het voorstel waarover kan worden gestemd; leeg bij een punt ter bespreking."),
    )
    documenten = forms.ModelMultipleChoiceField(
        label=_("Stukken"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen documenten uit het register die voor de deelnemers aan deze vergadering zijn bestemd."),
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documenten"].queryset = documents
        if not documents.exists():
            del self.fields["documenten"]


class CheckInForm(forms.Form):
    """The secretary checks in a member (ALV) or a person (RvC, directie)
    who is not checked in yet."""

    def __init__(self, *args, members=None, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["member"] = forms.ModelChoiceField(label=_("Lid"), queryset=members)
        else:
            self.fields["person"] = forms.ModelChoiceField(label=_("Persoon"), queryset=persons)


class ProxyForm(forms.Form):
    """A written proxy of the acting member to another member's representative."""

    gevolmachtigde = forms.ModelChoiceField(
        label=_("Gevolmachtigde"),
        queryset=None,
        help_text=_("Het lid waarvan de vertegenwoordiger namens uw organisatie stemt."),
    )
    omvang = forms.ChoiceField(
        label=_("Geldig voor"),
        choices=[(WHOLE_MEETING, _("De hele vergadering")), (SOME_ITEMS, _("Alleen de gekozen agendapunten"))],
        initial=WHOLE_MEETING,
        widget=forms.RadioSelect,
    )
    agendapunten = forms.ModelMultipleChoiceField(
        label=_("Agendapunten"),
        queryset=AgendaItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Alleen als de volmacht voor enkele agendapunten geldt."),
    )
    bestand = forms.FileField(
        label=_("Ondertekende volmacht (PDF)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=_("De volmacht, ondertekend door wie het lid mag vertegenwoordigen."),
    )
    ondertekenen = forms.BooleanField(
        label=_("Ondertekenen in het portaal"),
        required=False,
        help_text=_("Als lid-beheerder tekent u de volmacht hier namens het lid; een PDF is dan niet nodig."),
    )

    def __init__(self, *args, meeting, members, own_member, may_sign: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["gevolmachtigde"]
        # Every active member is accepted (the service refuses the member
        # itself, with its own message); the member itself is not offered.
        field.queryset = members
        field.widget.choices = [
            choice for choice in field.choices if not (own_member and choice[0] and choice[0].value == own_member.pk)
        ]
        self.fields["agendapunten"].queryset = meeting.items.order_by("volgorde")
        if not may_sign:
            del self.fields["ondertekenen"]

    def clean(self):
        data = super().clean()
        if data.get("omvang") == SOME_ITEMS and not data.get("agendapunten"):
            self.add_error("agendapunten", _("Kies de agendapunten waarvoor de volmacht geldt."))
        if data.get("omvang") == WHOLE_MEETING:
            data["agendapunten"] = []
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "gevolmachtigde": data["gevolmachtigde"],
            "agendapunten": list(data["agendapunten"]),
            "bestand": data.get("bestand") or None,
            "ondertekenen": bool(data.get("ondertekenen")),
        }


class PollForm(forms.Form):
    vraag = forms.CharField(label=_("Voorstel"), max_length=300, help_text=_("Waarover wordt gestemd."))
    regel = forms.ChoiceField(label=_("Besluitregel"))
    geheim = forms.BooleanField(
        label=_("Geheime stemming"),
        required=False,
        help_text=_("Wie stemde wordt los van wat er werd gestemd bewaard."),
    )
    quorum = forms.CharField(
        label=_("Quorum"),
        max_length=20,
        required=False,
        help_text=_("Een breuk van de stemgerechtigden, bijv. 1/2; leeg: de standaard van de besluitregel."),
    )

    def __init__(self, *args, item: AgendaItem, **kwargs):
        super().__init__(*args, **kwargs)
        rules = MEETING_RULES[item.meeting.body.soort]
        self.fields["regel"].choices = [(r.value, r.label) for r in rules]
        self.fields["regel"].initial = rules[0].value
        self.fields["vraag"].initial = (item.voorstel or item.titel)[:300]

    def clean_quorum(self):
        return self.cleaned_data["quorum"].strip()


class BallotForm(forms.Form):
    keuze = forms.ChoiceField(
        label=_("Uw stem"),
        choices=CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Een stem is definitief: na het uitbrengen kunt u haar niet meer wijzigen."),
        error_messages={"required": _("Kies voor, tegen of onthouding.")},
    )


class WrittenDecisionForm(forms.Form):
    """A besluit buiten vergadering: adopted only if every entitled voter votes voor."""

    body = forms.ModelChoiceField(label=_("Orgaan"), queryset=Body.objects.filter(soort__in=list(WRITTEN_RULES)))
    vraag = forms.CharField(label=_("Voorstel"), max_length=300)
    deadline = forms.DateTimeField(
        label=_("Stemmen tot"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Wie dan niet heeft gestemd, staat als niet-reageerder in de notulen."),
    )

    def __init__(self, *args, bodies: list[Body], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = Body.objects.filter(pk__in=[b.pk for b in bodies]).order_by("soort")

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline <= timezone.now():
            raise forms.ValidationError(_("De termijn moet in de toekomst liggen."))
        return deadline

    def service_arguments(self) -> dict:
        body = self.cleaned_data["body"]
        return {
            "body": body,
            "vraag": self.cleaned_data["vraag"],
            "regel": WRITTEN_RULES[body.soort].value,
            "deadline": self.cleaned_data["deadline"],
        }


class MinutesForm(forms.Form):
    verslag = forms.CharField(label=_("Verslag"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    besluit = forms.CharField(
        label=_("Besluit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Komt op de besluitenlijst."),
    )


class ConflictDeclareForm(forms.Form):
    """A conflict of interest on an agenda item (or a written decision),
    declared before the vote: by the keeper of the register for anyone who
    takes part (the field `member` or `person`), or by someone for themself
    or for the member they represent (no such field)."""

    agenda_item = forms.ModelChoiceField(label=_("Agendapunt"), queryset=AgendaItem.objects.none())
    toelichting = forms.CharField(
        label=_("Toelichting (optioneel)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Wie een tegenstrijdig belang meldt, stemt niet over dit punt en telt niet mee voor het quorum."),
    )

    def __init__(self, *args, items=None, members=None, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        if items is None:  # a written decision: the poll itself is the subject
            del self.fields["agenda_item"]
        else:
            self.fields["agenda_item"].queryset = items
        if members is not None:
            self.fields["member"] = forms.ModelChoiceField(label=_("Lid"), queryset=members)
        elif persons is not None:
            self.fields["person"] = forms.ModelChoiceField(label=_("Persoon"), queryset=persons)
        self.order_fields(["member", "person", "agenda_item", "toelichting"])  # whose conflict comes first

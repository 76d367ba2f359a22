"""Governance (DOMAIN.md §1, §5, §6): the bodies and who holds which office,
the decisions they take, the documents in force, the meetings the calendar
counts, and the registers the RvC supervises with."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

from beware.common.models import Immutable, ImmutableQuerySet

from . import mandates

CONTRACT_APPROVAL_THRESHOLD = Decimal("50000.00")
# (soort, naam, slug, minimum, maximum): DOMAIN.md §1.
STATUTORY_BODIES = [
    ("alv", "Algemene ledenvergadering", "alv", 0, None),
    ("rvc", "Raad van commissarissen", "rvc", 3, 6),
    ("directie", "Directie", "directie", 2, None),
]


class Body(models.Model):
    """An organ of the coöperatie. The ALV is every active member (derived,
    never stored as mandates); the others hold dated mandates."""

    class Kind(models.TextChoices):
        ALV = "alv", "Algemene ledenvergadering"
        RVC = "rvc", "Raad van commissarissen"
        DIRECTIE = "directie", "Directie"
        COMMISSIE = "commissie", "Commissie van de RvC"
        COMMUNITY = "community", "Communitybestuur"

    soort = models.CharField("soort", max_length=20, choices=Kind.choices)
    naam = models.CharField("naam", max_length=150, unique=True)
    slug = models.SlugField("code", max_length=60, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="onderdeel van",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="committees",
        help_text="Voor een commissie: de RvC waarvan zij deel uitmaakt.",
    )
    community = models.ForeignKey(
        "communities.Community", verbose_name="community", null=True, blank=True, on_delete=models.PROTECT
    )
    minimum = models.PositiveSmallIntegerField("minimaal aantal leden", default=0)
    maximum = models.PositiveSmallIntegerField("maximaal aantal leden", null=True, blank=True)

    class Meta:
        verbose_name = "orgaan"
        verbose_name_plural = "organen"
        ordering = ["soort", "naam"]
        constraints = [
            models.UniqueConstraint(
                fields=["soort"], condition=Q(soort__in=["alv", "rvc", "directie"]), name="one_statutory_body_per_kind"
            ),
        ]
        permissions = [
            ("manage_governance", "Mag organen, mandaten, besluiten en registers beheren"),
            ("view_governance", "Mag organen, registers en het compliance-dashboard inzien"),
        ]

    def __str__(self):
        return self.naam

    @property
    def has_terms(self) -> bool:
        """Commissarissen and their committees serve terms of office."""
        return self.soort in {self.Kind.RVC, self.Kind.COMMISSIE}


class Person(models.Model):
    """A holder of an office: a commissaris, director or board member. The
    birth date is needed for the age limit; the portal account (if any) lets
    the person see their own registers."""

    naam = models.CharField("naam", max_length=150)
    geboortedatum = models.DateField("geboortedatum", null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="portaalaccount",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="governance_person",
    )

    class Meta:
        verbose_name = "persoon"
        verbose_name_plural = "personen"
        ordering = ["naam"]

    def __str__(self):
        return self.naam


class Decision(Immutable):
    """A decision (besluit) of a body, referred to by appointments, adopted
    documents and approved contracts. Recorded once; a correction is a new
    decision."""

    body = models.ForeignKey(Body, verbose_name="orgaan", on_delete=models.PROTECT, related_name="decisions")
    kenmerk = models.CharField("kenmerk", max_length=60, unique=True, help_text="Bijv. RvC-2026-07.")
    datum = models.DateField("datum")
    onderwerp = models.CharField("onderwerp", max_length=300)
    toelichting = models.TextField("toelichting", blank=True)
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="vastgelegd door", null=True, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "besluit"
        verbose_name_plural = "besluiten"
        ordering = ["-datum", "-id"]

    def __str__(self):
        return f"{self.kenmerk}: {self.onderwerp}"


class Mandate(models.Model):
    """One term of one person in one body. A reappointment is a new mandate
    with the next term number; an early end sets `beeindigd_op`."""

    class Role(models.TextChoices):
        LID = "lid", "Lid"
        VOORZITTER = "voorzitter", "Voorzitter"
        VICEVOORZITTER = "vicevoorzitter", "Vicevoorzitter"
        SECRETARIS = "secretaris", "Secretaris"
        ALGEMEEN_DIRECTEUR = "algemeen-directeur", "Algemeen directeur"
        DIRECTEUR = "directeur", "Directeur"

    body = models.ForeignKey(Body, verbose_name="orgaan", on_delete=models.PROTECT, related_name="mandates")
    person = models.ForeignKey(Person, verbose_name="persoon", on_delete=models.PROTECT, related_name="mandates")
    functie = models.CharField("functie", max_length=30, choices=Role.choices, default=Role.LID)
    ingangsdatum = models.DateField("ingangsdatum")
    einddatum = models.DateField(
        "einde termijn", null=True, blank=True, help_text="Leeg bij een benoeming voor onbepaalde tijd."
    )
    termijn = models.PositiveSmallIntegerField("termijn", default=1)
    besluit = models.ForeignKey(
        Decision, verbose_name="benoemingsbesluit", on_delete=models.PROTECT, related_name="appointments"
    )
    beeindigd_op = models.DateField("eerder beëindigd op", null=True, blank=True)
    reden_beeindiging = models.CharField("reden beëindiging", max_length=300, blank=True)

    class Meta:
        verbose_name = "mandaat"
        verbose_name_plural = "mandaten"
        ordering = ["body", "einddatum", "person__naam"]

    def __str__(self):
        return f"{self.person} – {self.get_functie_display()} {self.body}"

    @property
    def last_day(self):
        """The day the mandate ends: the early end, else the end of the term."""
        return self.beeindigd_op or self.einddatum

    def is_current(self, day) -> bool:
        return self.ingangsdatum <= day and (self.last_day is None or day <= self.last_day)

    def as_term(self) -> mandates.Term:
        return mandates.Term(person=self.person.naam, start=self.ingangsdatum, end=self.last_day)


def document_path(version, filename: str) -> str:
    # An unguessable name: files live outside MEDIA_URL, but a leaked path
    # should not tell anything either.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"governance/{version.document_id}/{secrets.token_hex(16)}.{suffix}"


class Document(models.Model):
    class Kind(models.TextChoices):
        STATUTEN = "statuten", "Statuten"
        REGLEMENT_RVC = "reglement-rvc", "Reglement RvC"
        DIRECTIEREGLEMENT = "directiereglement", "Directiereglement"
        COMMISSIEREGLEMENT = "commissiereglement", "Commissiereglement"
        NOTULEN = "notulen", "Notulen"
        BESLUITENLIJST = "besluitenlijst", "Besluitenlijst"
        JAARREKENING = "jaarrekening", "Jaarrekening"
        JAARVERSLAG = "jaarverslag", "Jaarverslag (met verslag van de RvC)"
        BEGROTING = "begroting", "Begroting"
        MEERJARENPLAN = "meerjarenplan", "Strategisch meerjarenplan"
        KWARTAALRAPPORTAGE = "kwartaalrapportage", "Kwartaalrapportage"
        PROFIELSCHETS = "profielschets", "Profielschets"
        LIDMAATSCHAPSOVEREENKOMST = "lidmaatschapsovereenkomst", "Lidmaatschapsovereenkomst"
        EVALUATIE_DIRECTIE = "evaluatie-directie", "Evaluatie van de directie"
        ZELFEVALUATIE_RVC = "zelfevaluatie-rvc", "Zelfevaluatie RvC"
        OVERIG = "overig", "Overig"

    class Audience(models.TextChoices):
        LEDEN = "leden", "Alle leden"
        RVC = "rvc", "Raad van commissarissen"
        RVC_BESLOTEN = "rvc-besloten", "Alleen de RvC (besloten, ook niet voor de directie)"
        DIRECTIE = "directie", "Directie"
        COMMUNITY = "community", "Eén community"

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        VASTGESTELD = "vastgesteld", "Vastgesteld"

    titel = models.CharField("titel", max_length=200)
    soort = models.CharField("soort", max_length=30, choices=Kind.choices)
    doelgroep = models.CharField("doelgroep", max_length=20, choices=Audience.choices)
    community = models.ForeignKey(
        "communities.Community",
        verbose_name="community",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="Alleen bij doelgroep 'Eén community'.",
    )
    jaar = models.PositiveSmallIntegerField("jaar", null=True, blank=True, help_text="Het jaar waarover het gaat.")
    kwartaal = models.PositiveSmallIntegerField("kwartaal", null=True, blank=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.CONCEPT)
    besluit = models.ForeignKey(
        Decision,
        verbose_name="vaststellingsbesluit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    vastgesteld_op = models.DateField("vastgesteld op", null=True, blank=True)
    gedeeld_op = models.DateTimeField(
        "gedeeld met de doelgroep op",
        null=True,
        blank=True,
        help_text="Een concept is alleen voor beheerders zichtbaar tot het is gedeeld.",
    )
    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="aangemaakt door", on_delete=models.PROTECT, related_name="+"
    )
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documenten"
        ordering = ["-aangemaakt_op", "-id"]
        permissions = [
            ("manage_documents", "Mag het documentregister en de governancekalender beheren"),
            ("view_rvc_documents", "Mag documenten voor de RvC inzien"),
            ("view_directie_documents", "Mag documenten voor de directie inzien"),
            ("manage_closed_rvc_documents", "Mag besloten RvC-documenten beheren en inzien"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(doelgroep="community", community__isnull=False)
                | (~Q(doelgroep="community") & Q(community__isnull=True)),
                name="document_community_iff_audience_community",
            ),
            models.CheckConstraint(
                condition=Q(status="concept") | Q(besluit__isnull=False, vastgesteld_op__isnull=False),
                name="document_adopted_needs_decision",
            ),
        ]

    def __str__(self):
        return self.titel


# Which body adopts (stelt vast) which kind of document (DOMAIN.md §1, §6);
# None: the decision of any body will do (e.g. minutes, adopted by their body).
ADOPTED_BY = {
    Document.Kind.STATUTEN: Body.Kind.ALV,
    Document.Kind.JAARREKENING: Body.Kind.ALV,
    Document.Kind.JAARVERSLAG: Body.Kind.ALV,
    Document.Kind.BEGROTING: Body.Kind.ALV,
    Document.Kind.MEERJARENPLAN: Body.Kind.ALV,
    Document.Kind.REGLEMENT_RVC: Body.Kind.RVC,
    Document.Kind.DIRECTIEREGLEMENT: Body.Kind.RVC,
    Document.Kind.COMMISSIEREGLEMENT: Body.Kind.RVC,
    Document.Kind.PROFIELSCHETS: Body.Kind.RVC,
    Document.Kind.EVALUATIE_DIRECTIE: Body.Kind.RVC,
    Document.Kind.ZELFEVALUATIE_RVC: Body.Kind.RVC,
    Document.Kind.KWARTAALRAPPORTAGE: Body.Kind.DIRECTIE,
    Document.Kind.LIDMAATSCHAPSOVEREENKOMST: Body.Kind.DIRECTIE,
}

# Who appoints to which body: the ALV the commissarissen, the RvC the
# directors and its committees; a community board by its own decision.
APPOINTED_BY = {
    Body.Kind.RVC: Body.Kind.ALV,
    Body.Kind.DIRECTIE: Body.Kind.RVC,
    Body.Kind.COMMISSIE: Body.Kind.RVC,
    Body.Kind.COMMUNITY: Body.Kind.COMMUNITY,
}


class DocumentVersion(Immutable):
    """One uploaded file of a document; a new upload is a new version."""

    document = models.ForeignKey(Document, verbose_name="document", on_delete=models.PROTECT, related_name="versions")
    nummer = models.PositiveSmallIntegerField("versie")
    bestand = models.FileField("bestand", upload_to=document_path, max_length=200)
    bestandsnaam = models.CharField("oorspronkelijke bestandsnaam", max_length=200)
    content_type = models.CharField("bestandstype", max_length=100)
    grootte = models.PositiveIntegerField("grootte (bytes)")
    sha256 = models.CharField("SHA-256", max_length=64)
    toelichting = models.CharField("toelichting", max_length=300, blank=True)
    geupload_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="geüpload door", on_delete=models.PROTECT, related_name="+"
    )
    geupload_op = models.DateTimeField("geüpload op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "documentversie"
        verbose_name_plural = "documentversies"
        ordering = ["document", "-nummer"]
        constraints = [models.UniqueConstraint(fields=["document", "nummer"], name="one_version_number_per_document")]

    def __str__(self):
        return f"{self.document} v{self.nummer}"


class ReadReceipt(Immutable):
    """The first time a member's user opened a document sent to the ALV."""

    document = models.ForeignKey(Document, verbose_name="document", on_delete=models.PROTECT, related_name="receipts")
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gelezen door", on_delete=models.PROTECT, related_name="+"
    )
    gelezen_op = models.DateTimeField("gelezen op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "leesbevestiging"
        verbose_name_plural = "leesbevestigingen"
        constraints = [models.UniqueConstraint(fields=["document", "member"], name="one_receipt_per_member")]


class Notice(Immutable):
    """One e-mail about one thing (a shared document, a convocation, a written
    decision) to one address, recorded before it is sent: a re-run of the
    task finds it and does not send again."""

    sleutel = models.CharField("onderwerp", max_length=60, help_text="Bijv. document:12, oproep:3, stemming:7.")
    email = models.EmailField("e-mailadres")
    verstuurd_op = models.DateTimeField("verstuurd op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "verstuurd bericht"
        verbose_name_plural = "verstuurde berichten"
        constraints = [models.UniqueConstraint(fields=["sleutel", "email"], name="one_notice_per_recipient")]

    def __str__(self):
        return f"{self.sleutel} → {self.email}"


class Meeting(models.Model):
    """A meeting of a body, as far as the governance calendar counts it
    (the meetings-and-voting issue adds agenda, attendance and polls)."""

    body = models.ForeignKey(Body, verbose_name="orgaan", on_delete=models.PROTECT, related_name="meetings")
    datum = models.DateField("datum")
    titel = models.CharField("titel", max_length=200)
    plaats = models.CharField("plaats", max_length=200, blank=True, help_text="Leeg bij een online vergadering.")
    met_accountant = models.BooleanField("met de accountant", default=False)
    notulen = models.ForeignKey(
        Document, verbose_name="notulen", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    online = models.BooleanField("online", default=False, help_text="Deelnemers checken zelf in.")
    voorzitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="voorzitter",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    bijeengeroepen_op = models.DateTimeField("bijeengeroepen op", null=True, blank=True)
    spoedreden = models.TextField(
        "reden voor een kortere oproeptermijn", blank=True, help_text="Alleen bij een spoedeisende vergadering."
    )

    class Weighting(models.TextChoices):
        GELIJK = "gelijk", "Ieder lid één stem"
        INWONERS = "inwoners", "Naar inwoners op 1 januari"

    stemgewicht = models.CharField(
        "stemgewicht in de ALV",
        max_length=20,
        choices=Weighting.choices,
        default=Weighting.GELIJK,
        help_text="Vastgelegd per stemming op het moment dat die opent.",
    )
    besloten = models.BooleanField(
        "besloten",
        default=False,
        help_text="Een besloten vergadering van de RvC: alleen de commissarissen zien haar, niet de directie.",
    )
    max_volmachten = models.PositiveSmallIntegerField(
        "volmachten per gevolmachtigde",
        default=1,
        help_text="Hoeveel leden één gevolmachtigde ten hoogste vertegenwoordigt.",
    )

    class Meta:
        verbose_name = "vergadering"
        verbose_name_plural = "vergaderingen"
        ordering = ["-datum"]

    def __str__(self):
        return f"{self.titel} ({self.datum:%d-%m-%Y})"


class ObligationReminder(models.Model):
    """A reminder sent for one obligation at one threshold, so beat never
    sends it twice. Removed again only when the mail could not be sent."""

    sleutel = models.CharField("sleutel", max_length=120, unique=True)
    ontvangers = models.TextField("ontvangers")
    verstuurd_op = models.DateTimeField("verstuurd op", auto_now_add=True)

    class Meta:
        verbose_name = "herinnering governancekalender"
        verbose_name_plural = "herinneringen governancekalender"

    def __str__(self):
        return self.sleutel


class QuarterlyReport(models.Model):
    """The directie's texts for a kwartaalrapportage; the figures come from
    the invoicing reports when the PDF is drawn up."""

    jaar = models.PositiveSmallIntegerField("jaar")
    kwartaal = models.PositiveSmallIntegerField("kwartaal")
    liquiditeit = models.TextField("liquiditeit", blank=True)
    kosten = models.TextField("toelichting op de kosten", blank=True)
    investeringen = models.TextField("investeringen", blank=True)
    risicomanagement = models.TextField("risicomanagement", blank=True)
    document = models.OneToOneField(
        Document, verbose_name="document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "kwartaalrapportage"
        verbose_name_plural = "kwartaalrapportages"
        constraints = [models.UniqueConstraint(fields=["jaar", "kwartaal"], name="one_report_per_quarter")]

    def __str__(self):
        return f"Kwartaalrapportage {self.jaar} Q{self.kwartaal}"


class SideActivity(models.Model):
    """A nevenfunctie of a commissaris or director, to be reported within a
    month of its start."""

    person = models.ForeignKey(Person, verbose_name="persoon", on_delete=models.PROTECT, related_name="side_activities")
    functie = models.CharField("functie", max_length=200)
    organisatie = models.CharField("organisatie", max_length=200)
    bezoldigd = models.BooleanField("bezoldigd", default=False)
    ingangsdatum = models.DateField("ingangsdatum")
    einddatum = models.DateField("einddatum", null=True, blank=True)
    gemeld_op = models.DateField("gemeld op")

    class Meta:
        verbose_name = "nevenfunctie"
        verbose_name_plural = "nevenfuncties"
        ordering = ["person__naam", "-ingangsdatum"]

    def __str__(self):
        return f"{self.person}: {self.functie} bij {self.organisatie}"

    @property
    def reported_late(self) -> bool:
        return self.gemeld_op > mandates.add_months(self.ingangsdatum, 1)


class Contract(models.Model):
    """A contract the directie enters into. Above EUR 50.000 (excl. btw) it
    needs the RvC's prior approval before it may be marked signed."""

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        GOEDGEKEURD = "goedgekeurd", "Goedgekeurd door de RvC"
        GETEKEND = "getekend", "Getekend"

    omschrijving = models.CharField("omschrijving", max_length=300)
    wederpartij = models.CharField("wederpartij", max_length=200)
    bedrag = models.DecimalField("waarde (excl. btw)", max_digits=12, decimal_places=2)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.CONCEPT)
    rvc_besluit = models.ForeignKey(
        Decision, verbose_name="goedkeuring RvC", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    getekend_op = models.DateField("getekend op", null=True, blank=True)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "contract"
        verbose_name_plural = "contracten"
        ordering = ["-aangemaakt_op"]
        permissions = [
            ("manage_contracts", "Mag contracten vastleggen en als getekend markeren"),
            ("approve_contract", "Mag contracten goedkeuren namens de RvC"),
        ]
        constraints = [
            # The approval rule holds in the database too, whatever writes the row.
            models.CheckConstraint(
                condition=~Q(status="getekend")
                | Q(bedrag__lte=CONTRACT_APPROVAL_THRESHOLD)
                | Q(rvc_besluit__isnull=False),
                name="large_contract_signed_only_after_approval",
            ),
        ]

    def __str__(self):
        return f"{self.omschrijving} ({self.wederpartij})"

    @property
    def needs_approval(self) -> bool:
        return self.bedrag > CONTRACT_APPROVAL_THRESHOLD


class ConflictOfInterest(models.Model):
    """A declared conflict of interest of a person (a commissaris, director)
    or of a member (in the ALV or a community), on a subject: an agenda item,
    a whole meeting, a written decision, a contract or another transaction.
    Whoever declared it does not vote on it and does not count for its quorum."""

    person = models.ForeignKey(
        Person, verbose_name="persoon", null=True, blank=True, on_delete=models.PROTECT, related_name="conflicts"
    )
    member = models.ForeignKey(
        "membership.Member",
        verbose_name="lid",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conflicts",
        help_text="In de ALV of een community: het lid dat een belang meldt.",
    )
    onderwerp = models.CharField("onderwerp", max_length=300, help_text="Het agendapunt of de transactie.")
    contract = models.ForeignKey(
        Contract, verbose_name="contract", null=True, blank=True, on_delete=models.PROTECT, related_name="conflicts"
    )
    meeting = models.ForeignKey(
        Meeting, verbose_name="vergadering", null=True, blank=True, on_delete=models.PROTECT, related_name="conflicts"
    )
    agenda_item = models.ForeignKey(
        "AgendaItem",
        verbose_name="agendapunt",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conflicts",
        help_text="Wie een belang meldt bij een agendapunt, stemt daarover niet.",
    )
    poll = models.ForeignKey(
        "Poll",
        verbose_name="besluit buiten vergadering",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="conflicts",
    )
    toelichting = models.TextField("toelichting", blank=True)
    gemeld_op = models.DateField("gemeld op")

    class Meta:
        verbose_name = "tegenstrijdig belang"
        verbose_name_plural = "tegenstrijdige belangen"
        ordering = ["-gemeld_op"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
                name="conflict_member_or_person",
            ),
        ]

    def __str__(self):
        return f"{self.person or self.member}: {self.onderwerp}"

    @property
    def holder(self):
        return self.person or self.member


# --- meetings and voting (DOMAIN.md §5) ---------------------------------------------


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name="vergadering", on_delete=models.PROTECT, related_name="items")
    volgorde = models.PositiveSmallIntegerField("volgorde")
    titel = models.CharField("titel", max_length=300)
    voorstel = models.TextField("voorstel", blank=True, help_text="Het voorstel waarover kan worden gestemd.")
    documenten = models.ManyToManyField(Document, verbose_name="documenten", blank=True, related_name="+")
    verslag = models.TextField("verslag", blank=True, help_text="Wat er over dit punt is besproken (de notulen).")
    besluit = models.TextField("besluit", blank=True, help_text="Het besluit voor de besluitenlijst.")

    class Meta:
        verbose_name = "agendapunt"
        verbose_name_plural = "agendapunten"
        ordering = ["meeting", "volgorde"]
        constraints = [models.UniqueConstraint(fields=["meeting", "volgorde"], name="one_item_per_position")]

    def __str__(self):
        return f"{self.volgorde}. {self.titel}"


class Attendance(Immutable):
    """Who is present: a member (ALV, through its representative) or a person
    (RvC, directie), checked in by the secretary or by themselves online."""

    meeting = models.ForeignKey(
        Meeting, verbose_name="vergadering", on_delete=models.PROTECT, related_name="attendance"
    )
    member = models.ForeignKey(
        "membership.Member", verbose_name="lid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(Person, verbose_name="persoon", null=True, blank=True, on_delete=models.PROTECT)
    ingecheckt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ingecheckt door", on_delete=models.PROTECT, related_name="+"
    )
    zelf = models.BooleanField("zelf ingecheckt", default=False)
    ingecheckt_op = models.DateTimeField("ingecheckt op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "aanwezigheid"
        verbose_name_plural = "presentielijst"
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
                name="attendance_member_or_person",
            ),
            models.UniqueConstraint(fields=["meeting", "member"], name="member_present_once"),
            models.UniqueConstraint(fields=["meeting", "person"], name="person_present_once"),
        ]


def proxy_path(proxy, filename: str) -> str:
    return f"volmachten/{proxy.meeting_id}/{secrets.token_hex(16)}.pdf"


class Proxy(models.Model):
    """A written volmacht: one member's representative lets another member's
    representative vote for it, for the whole meeting or some items."""

    class Status(models.TextChoices):
        AANGEVRAAGD = "aangevraagd", "Wacht op goedkeuring"
        GOEDGEKEURD = "goedgekeurd", "Goedgekeurd"
        AFGEWEZEN = "afgewezen", "Afgewezen"
        INGETROKKEN = "ingetrokken", "Ingetrokken"

    meeting = models.ForeignKey(Meeting, verbose_name="vergadering", on_delete=models.PROTECT, related_name="proxies")
    verlener = models.ForeignKey(
        "membership.Member", verbose_name="volmachtgever", on_delete=models.PROTECT, related_name="+"
    )
    gevolmachtigde = models.ForeignKey(
        "membership.Member", verbose_name="gevolmachtigde", on_delete=models.PROTECT, related_name="+"
    )
    agendapunten = models.ManyToManyField(
        AgendaItem, verbose_name="agendapunten", blank=True, help_text="Leeg: de hele vergadering."
    )
    bestand = models.FileField("ondertekende volmacht", upload_to=proxy_path, blank=True, max_length=200)
    ondertekend_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="in het portaal ondertekend door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.AANGEVRAAGD)
    aangevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="aangevraagd door", on_delete=models.PROTECT, related_name="+"
    )
    aangevraagd_op = models.DateTimeField("aangevraagd op", auto_now_add=True)
    beoordeeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beoordeeld door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beoordeeld_op = models.DateTimeField("beoordeeld op", null=True, blank=True)

    class Meta:
        verbose_name = "volmacht"
        verbose_name_plural = "volmachten"
        ordering = ["meeting", "verlener__naam"]
        constraints = [
            models.CheckConstraint(condition=~Q(verlener=models.F("gevolmachtigde")), name="no_proxy_to_oneself"),
            models.UniqueConstraint(
                fields=["meeting", "verlener"],
                condition=Q(status__in=["aangevraagd", "goedgekeurd"]),
                name="one_live_proxy_per_principal",
            ),
        ]

    def __str__(self):
        return f"{self.verlener} → {self.gevolmachtigde}"

    def covers(self, item: AgendaItem) -> bool:
        items = list(self.agendapunten.all())
        return not items or item in items


class Poll(models.Model):
    """A vote on a proposal: in a meeting (on an agenda item) or in writing
    (buiten vergadering, with a deadline). Open polls store who voted what;
    secret polls store who voted apart from what was voted. The electorate and
    weights are frozen when the poll opens; the outcome is the kernel's."""

    class Rule(models.TextChoices):
        RVC = "rvc", "RvC in vergadering"
        RVC_SCHRIFTELIJK = "rvc-schriftelijk", "RvC buiten vergadering"
        DIRECTIE = "directie", "Directie in vergadering"
        DIRECTIE_SCHRIFTELIJK = "directie-schriftelijk", "Directie buiten vergadering"
        ALV = "alv", "ALV, gewone meerderheid"
        ALV_GEKWALIFICEERD = "alv-gekwalificeerd", "ALV, gekwalificeerde meerderheid"
        ALV_SCHRIFTELIJK = "alv-schriftelijk", "ALV buiten vergadering"
        COMMUNITY = "community", "Community"

    class Status(models.TextChoices):
        CONCEPT = "concept", "Nog niet geopend"
        OPEN = "open", "Open"
        GESLOTEN = "gesloten", "Gesloten"

    body = models.ForeignKey(Body, verbose_name="orgaan", on_delete=models.PROTECT, related_name="polls")
    agenda_item = models.ForeignKey(
        AgendaItem, verbose_name="agendapunt", null=True, blank=True, on_delete=models.PROTECT, related_name="polls"
    )
    vraag = models.CharField("voorstel", max_length=300)
    geheim = models.BooleanField("geheime stemming", default=False)
    regel = models.CharField("besluitregel", max_length=30, choices=Rule.choices)
    quorum = models.CharField(
        "quorum", max_length=20, blank=True, help_text="Een breuk, bijv. 1/2; leeg: de standaard van de regel."
    )
    deadline = models.DateTimeField("stemmen tot", null=True, blank=True, help_text="Alleen buiten vergadering.")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.CONCEPT)
    geopend_op = models.DateTimeField("geopend op", null=True, blank=True)
    gesloten_op = models.DateTimeField("gesloten op", null=True, blank=True)
    # The outcome, stored once when the poll closes.
    uitslag = models.CharField("uitslag", max_length=20, blank=True)
    voor = models.DecimalField("voor", max_digits=12, decimal_places=4, null=True, blank=True)
    tegen = models.DecimalField("tegen", max_digits=12, decimal_places=4, null=True, blank=True)
    onthouding = models.DecimalField("onthouding", max_digits=12, decimal_places=4, null=True, blank=True)
    uitgebracht = models.DecimalField("uitgebrachte stemmen", max_digits=12, decimal_places=4, null=True, blank=True)
    aanwezig = models.DecimalField(
        "aanwezig of vertegenwoordigd", max_digits=12, decimal_places=4, null=True, blank=True
    )
    stemgerechtigd = models.DecimalField("stemgerechtigd", max_digits=12, decimal_places=4, null=True, blank=True)
    # The directie's chair (algemeen directeur) breaks a tie: fixed when the poll opens.
    voorzitter = models.ForeignKey(
        Person,
        verbose_name="voorzitter bij staking van stemmen",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    beslist_door_voorzitter = models.BooleanField("bij staking beslist door de voorzitter", default=False)
    controlegetal = models.CharField("controlegetal (SHA-256)", max_length=64, blank=True)

    class Meta:
        verbose_name = "stemming"
        verbose_name_plural = "stemmingen"
        ordering = ["-id"]
        permissions = [("chair_polls", "Mag stemmingen openen en sluiten als voorzitter of secretaris")]

    def __str__(self):
        return self.vraag

    @property
    def written(self) -> bool:
        return self.regel.endswith("-schriftelijk")

    @property
    def uitslag_label(self) -> str:
        """The stored outcome (Dutch, as the kernel names it) as users read it."""
        return str(OUTCOME_LABELS.get(self.uitslag, self.uitslag))


# The rule a body decides by in a meeting, and in writing (DOMAIN.md §5).
MEETING_RULES = {
    Body.Kind.ALV: [Poll.Rule.ALV, Poll.Rule.ALV_GEKWALIFICEERD],
    Body.Kind.RVC: [Poll.Rule.RVC],
    Body.Kind.COMMISSIE: [Poll.Rule.RVC],
    Body.Kind.DIRECTIE: [Poll.Rule.DIRECTIE],
    Body.Kind.COMMUNITY: [Poll.Rule.COMMUNITY],
}
WRITTEN_RULES = {
    Body.Kind.ALV: Poll.Rule.ALV_SCHRIFTELIJK,
    Body.Kind.RVC: Poll.Rule.RVC_SCHRIFTELIJK,
    Body.Kind.DIRECTIE: Poll.Rule.DIRECTIE_SCHRIFTELIJK,
}

OUTCOME_LABELS = {
    "aangenomen": gettext_lazy("aangenomen"),
    "verworpen": gettext_lazy("verworpen"),
    "geen quorum": gettext_lazy("geen quorum"),
}
CHOICE_LABELS = {"voor": gettext_lazy("voor"), "tegen": gettext_lazy("tegen"), "onthouding": gettext_lazy("onthouding")}


class PollVoter(Immutable):
    """One entry of a poll's frozen electorate: a member (ALV, communities)
    or a person (RvC, directie), its weight, whether it was present or
    represented when the poll opened, and the member holding its proxy."""

    poll = models.ForeignKey(Poll, verbose_name="stemming", on_delete=models.PROTECT, related_name="voters")
    member = models.ForeignKey(
        "membership.Member", verbose_name="lid", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(Person, verbose_name="persoon", null=True, blank=True, on_delete=models.PROTECT)
    gewicht = models.DecimalField("stemgewicht", max_digits=12, decimal_places=4, default=1)
    aanwezig = models.BooleanField("aanwezig of vertegenwoordigd", default=False)
    gevolmachtigde = models.ForeignKey(
        "membership.Member", verbose_name="stemt via", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "stemgerechtigde"
        verbose_name_plural = "stemgerechtigden"
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, person__isnull=True) | Q(member__isnull=True, person__isnull=False),
                name="voter_member_or_person",
            ),
            models.UniqueConstraint(fields=["poll", "member"], name="member_in_electorate_once"),
            models.UniqueConstraint(fields=["poll", "person"], name="person_in_electorate_once"),
        ]

    def __str__(self):
        return str(self.member or self.person)

    @property
    def key(self) -> str:
        return f"lid:{self.member_id}" if self.member_id else f"persoon:{self.person_id}"


class Ballot(Immutable):
    """A vote in an open poll: final once cast, one per voter."""

    poll = models.ForeignKey(Poll, verbose_name="stemming", on_delete=models.PROTECT, related_name="ballots")
    voter = models.OneToOneField(
        PollVoter, verbose_name="stemgerechtigde", on_delete=models.PROTECT, related_name="ballot"
    )
    keuze = models.CharField("keuze", max_length=12)
    uitgebracht_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="uitgebracht door", on_delete=models.PROTECT, related_name="+"
    )
    uitgebracht_op = models.DateTimeField("uitgebracht op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "stem"
        verbose_name_plural = "stemmen"


class BallotReceipt(Immutable):
    """In a secret poll: that this voter voted, never what."""

    poll = models.ForeignKey(Poll, verbose_name="stemming", on_delete=models.PROTECT, related_name="receipts")
    voter = models.OneToOneField(
        PollVoter, verbose_name="stemgerechtigde", on_delete=models.PROTECT, related_name="receipt"
    )
    uitgebracht_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="uitgebracht door", on_delete=models.PROTECT, related_name="+"
    )
    uitgebracht_op = models.DateTimeField("uitgebracht op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "stembewijs"
        verbose_name_plural = "stembewijzen"


class SecretTally(models.Model):
    """In a secret poll: only the running totals per choice. Every ballot
    updates all three rows (adding nothing to two of them), so neither the
    rows, their order nor their transaction ids tell which choice a voter's
    ballot added to. Who voted is in BallotReceipt."""

    poll = models.ForeignKey(Poll, verbose_name="stemming", on_delete=models.PROTECT, related_name="secret_tallies")
    keuze = models.CharField("keuze", max_length=12)
    aantal = models.PositiveIntegerField("aantal stemmen", default=0)
    gewicht = models.DecimalField("gewogen stemmen", max_digits=14, decimal_places=4, default=0)

    class Meta:
        verbose_name = "geheime telling"
        verbose_name_plural = "geheime tellingen"
        constraints = [models.UniqueConstraint(fields=["poll", "keuze"], name="one_tally_per_choice")]

    def __str__(self):
        return f"{self.poll}: {self.keuze}"

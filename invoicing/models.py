from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from beware.common.models import Immutable, ImmutableQuerySet

from . import data


class ChargeKind(models.TextChoices):
    CONTRIBUTIE = "contributie", "Contributie"
    ENTREEGELD = "entreegeld", "Entreegeld"
    AANDEEL = "aandeel", "Aandeel eenmalige kosten businesscase"
    TOETREDING = "toetreding", "Toetreding: aandeel eenmalige kosten"
    VERREKENING = "verrekening", "Verrekening toetreding (terugbetaling)"
    JAARKOSTEN = "jaarkosten", "Jaarlijkse kosten businesscase"
    GEBRUIK = "gebruik", "Gebruiksvergoeding"
    UITTREDING = "uittreding", "Uittredingsvergoeding"


VAT_CATEGORIES = [
    (data.STANDARD, "S: standaardtarief"),
    (data.NOT_SUBJECT, "O: niet onderworpen aan btw"),
    (data.EXEMPT, "E: vrijgesteld"),
    (data.ZERO, "Z: nultarief"),
]

# DOMAIN.md §3.6: contributie and entreegeld not subject (pending tax advice),
# everything else 21%. The directie changes these in VatRule; lines keep the
# category and rate they were made with.
DEFAULT_VAT = {
    ChargeKind.CONTRIBUTIE: (data.NOT_SUBJECT, Decimal("0")),
    ChargeKind.ENTREEGELD: (data.NOT_SUBJECT, Decimal("0")),
    ChargeKind.UITTREDING: (data.NOT_SUBJECT, Decimal("0")),
}
STANDARD_RATE = (data.STANDARD, Decimal("21.00"))


class VatRule(models.Model):
    soort = models.CharField("soort bedrag", max_length=20, choices=ChargeKind.choices, unique=True)
    categorie = models.CharField("btw-categorie", max_length=1, choices=VAT_CATEGORIES)
    percentage = models.DecimalField("btw-percentage", max_digits=5, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "btw-regel"
        verbose_name_plural = "btw-regels"
        ordering = ["soort"]

    def __str__(self):
        return f"{self.get_soort_display()}: {self.categorie} {self.percentage}%"


class ContributionRate(models.Model):
    """The ALV sets one rate per inwoner per year (DOMAIN.md §3.1)."""

    jaar = models.PositiveSmallIntegerField("jaar", unique=True)
    bedrag_per_inwoner = models.DecimalField(
        "bedrag per inwoner", max_digits=8, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )
    besluit = models.CharField("ALV-besluit", max_length=200, help_text="Bijvoorbeeld: ALV 12 december 2026, punt 5.")
    besluitdatum = models.DateField("datum ALV-besluit")
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "contributietarief"
        verbose_name_plural = "contributietarieven"
        ordering = ["-jaar"]

    def __str__(self):
        return f"{self.jaar}: € {self.bedrag_per_inwoner} per inwoner"


class EntryFee(models.Model):
    """Entreegeld as the ALV set it: fixed, per inwoner, or both."""

    geldig_vanaf = models.DateField("geldig vanaf", unique=True)
    vast_bedrag = models.DecimalField("vast bedrag", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    bedrag_per_inwoner = models.DecimalField("bedrag per inwoner", max_digits=8, decimal_places=4, default=Decimal("0"))
    besluit = models.CharField("ALV-besluit", max_length=200)

    class Meta:
        verbose_name = "entreegeld"
        verbose_name_plural = "entreegeld"
        ordering = ["-geldig_vanaf"]

    def __str__(self):
        return f"Entreegeld vanaf {self.geldig_vanaf:%d-%m-%Y}"


class UsageCount(models.Model):
    """Transactions of one member in one community's application in one quarter."""

    community = models.ForeignKey(
        "communities.Community", verbose_name="community", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    jaar = models.PositiveSmallIntegerField("jaar")
    kwartaal = models.PositiveSmallIntegerField("kwartaal", choices=[(q, f"Q{q}") for q in range(1, 5)])
    aantal = models.PositiveIntegerField("aantal transacties")
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now=True)

    class Meta:
        verbose_name = "gebruiksopgave"
        verbose_name_plural = "gebruiksopgaven"
        ordering = ["-jaar", "-kwartaal"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "member", "jaar", "kwartaal"], name="uniek_gebruik_per_kwartaal"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.periode}: {self.aantal}"

    @property
    def periode(self) -> str:
        return f"{self.jaar}-Q{self.kwartaal}"


class Charge(models.Model):
    """One amount owed by (or, for verrekening, owed to) a member, linked to
    its origin. `bron` is a unique key per origin, so no origin is ever
    charged twice, whatever retries or concurrent runs do."""

    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    soort = models.CharField("soort", max_length=20, choices=ChargeKind.choices)
    bron = models.CharField("herkomst", max_length=100, unique=True)
    omschrijving = models.CharField("omschrijving", max_length=300)
    periode_van = models.DateField("periode van", null=True, blank=True)
    periode_tot = models.DateField("periode tot en met", null=True, blank=True)
    aantal = models.DecimalField("aantal", max_digits=14, decimal_places=2, default=Decimal("1"))
    eenheidsprijs = models.DecimalField("prijs per eenheid", max_digits=14, decimal_places=4, null=True, blank=True)
    bedrag = models.DecimalField("bedrag excl. btw", max_digits=12, decimal_places=2)
    btw_categorie = models.CharField("btw-categorie", max_length=1, choices=VAT_CATEGORIES)
    btw_percentage = models.DecimalField("btw-percentage", max_digits=5, decimal_places=2)
    inwoners = models.PositiveIntegerField("inwoners", null=True, blank=True, help_text="Waarop het bedrag berust.")
    # Origins; exactly the one that applies is set.
    contribution_rate = models.ForeignKey(
        ContributionRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    entry_fee = models.ForeignKey(EntryFee, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    share = models.ForeignKey("businesscases.Share", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    settlement = models.ForeignKey(
        "businesscases.Settlement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settlement_credit = models.ForeignKey(
        "businesscases.SettlementCredit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    yearly_line = models.ForeignKey(
        "businesscases.YearlyAllocationLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    usage = models.ForeignKey(UsageCount, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    business_case = models.ForeignKey(
        "businesscases.BusinessCase", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "post"
        verbose_name_plural = "posten"
        ordering = ["-aangemaakt_op"]

    def __str__(self):
        return f"{self.member}: {self.omschrijving}"


class NumberSeries(models.Model):
    """The last number given in a year's series; locked while finalising."""

    jaar = models.PositiveSmallIntegerField("jaar")
    soort = models.CharField("soort", max_length=12)
    laatste = models.PositiveIntegerField("laatste nummer", default=0)

    class Meta:
        verbose_name = "nummerreeks"
        verbose_name_plural = "nummerreeksen"
        constraints = [models.UniqueConstraint(fields=["jaar", "soort"], name="uniek_nummerreeks")]

    def __str__(self):
        return f"{self.jaar}-{self.soort}: {self.laatste}"


class InvoiceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Payments and documents change a finalised invoice through save(),
        # which checks each field; a bulk update would bypass that.
        if self.exclude(status=Invoice.Status.CONCEPT).exists() and set(kwargs) - Invoice.MUTABLE_WHEN_FINAL:
            raise PermissionError("Een definitieve factuur kan niet worden gewijzigd.")
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=Invoice.Status.CONCEPT).exists():
            raise PermissionError("Een definitieve factuur of creditnota kan niet worden verwijderd.")
        return super().delete()


class InvoiceLineQuerySet(models.QuerySet):
    def _refuse_if_final(self):
        if self.exclude(invoice__status=Invoice.Status.CONCEPT).exists():
            raise PermissionError("De regels van een definitieve factuur kunnen niet worden gewijzigd.")

    def update(self, **kwargs):
        self._refuse_if_final()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_if_final()
        return super().delete()


class Invoice(models.Model):
    class Kind(models.TextChoices):
        FACTUUR = data.FACTUUR, "Factuur"
        CREDITNOTA = data.CREDITNOTA, "Creditnota"

    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        OPEN = "open", "Open"
        BETAALD = "betaald", "Betaald"
        VERWERKT = "verwerkt", "Verwerkt"  # a finalised credit note

    # What may still change once finalised: the payment status and the
    # documents rendered right after finalising (each written once).
    MUTABLE_WHEN_FINAL = frozenset({"status", "pdf", "pdf_sha256", "ubl", "ubl_sha256", "verzonden_op"})

    soort = models.CharField("soort", max_length=12, choices=Kind.choices, default=Kind.FACTUUR)
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.CONCEPT)
    omschrijving = models.CharField("omschrijving", max_length=300)
    corrects = models.ForeignKey(
        "self",
        verbose_name="corrigeert factuur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    reden = models.CharField("reden", max_length=300, blank=True, help_text="Bij een creditnota: waarom.")
    # Set when finalised.
    nummer = models.CharField("nummer", max_length=20, null=True, blank=True, unique=True)
    jaar = models.PositiveSmallIntegerField("jaar van de reeks", null=True, blank=True)
    volgnummer = models.PositiveIntegerField("volgnummer", null=True, blank=True)
    factuurdatum = models.DateField("factuurdatum", null=True, blank=True)
    vervaldatum = models.DateField("vervaldatum", null=True, blank=True)
    betalingskenmerk = models.CharField("betalingskenmerk", max_length=40, blank=True)
    koper = models.JSONField("gegevens afnemer", default=dict, blank=True)
    totaal_excl = models.DecimalField("totaal excl. btw", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    totaal_btw = models.DecimalField("btw", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    totaal_incl = models.DecimalField("totaal incl. btw", max_digits=12, decimal_places=2, default=Decimal("0.00"))
    definitief_op = models.DateTimeField("definitief op", null=True, blank=True)
    definitief_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pdf = models.FileField("PDF", upload_to="facturen/", blank=True)
    pdf_sha256 = models.CharField("SHA-256 van de PDF", max_length=64, blank=True)
    ubl = models.FileField("UBL", upload_to="facturen/", blank=True)
    ubl_sha256 = models.CharField("SHA-256 van de UBL", max_length=64, blank=True)
    verzonden_op = models.DateTimeField("verzonden op", null=True, blank=True)
    batch = models.ForeignKey(
        "invoicing.Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    objects = InvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = "factuur"
        verbose_name_plural = "facturen"
        ordering = ["-jaar", "-volgnummer", "-aangemaakt_op"]
        permissions = [("manage_invoices", "Facturen, creditnota's, betalingen en financiële rapportages beheren")]
        constraints = [
            models.UniqueConstraint(fields=["jaar", "soort", "volgnummer"], name="uniek_volgnummer_per_reeks"),
            models.CheckConstraint(
                condition=Q(status="concept", nummer__isnull=True) | (~Q(status="concept") & Q(nummer__isnull=False)),
                name="nummer_alleen_definitief",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | Q(soort="creditnota"), name="alleen_creditnota_corrigeert"
            ),
        ]

    def __str__(self):
        return self.nummer or f"Concept {self.get_soort_display().lower()} {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] != self.Status.CONCEPT:
                changed = {
                    f.attname
                    for f in self._meta.concrete_fields
                    if stored[f.attname] != f.pre_save(self, False) and f.attname not in ("aangemaakt_op",)
                }
                documents_rewritten = {
                    name for name in ("pdf", "ubl", "pdf_sha256", "ubl_sha256") if name in changed and stored[name]
                }
                back_to_draft = self.status == self.Status.CONCEPT
                if changed - self.MUTABLE_WHEN_FINAL or documents_rewritten or back_to_draft:
                    raise PermissionError(
                        f"Factuur {stored['nummer']} is definitief en kan niet worden gewijzigd; "
                        "corrigeer met een creditnota."
                    )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_final:
            raise PermissionError(f"{self} is definitief en kan niet worden verwijderd.")
        return super().delete(*args, **kwargs)

    @property
    def is_final(self) -> bool:
        return self.status != self.Status.CONCEPT

    @property
    def is_credit_note(self) -> bool:
        return self.soort == self.Kind.CREDITNOTA


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, verbose_name="factuur", on_delete=models.CASCADE, related_name="lines")
    charge = models.OneToOneField(
        Charge, verbose_name="post", on_delete=models.PROTECT, null=True, blank=True, related_name="invoice_line"
    )
    omschrijving = models.CharField("omschrijving", max_length=300)
    periode_van = models.DateField("periode van", null=True, blank=True)
    periode_tot = models.DateField("periode tot en met", null=True, blank=True)
    aantal = models.DecimalField("aantal", max_digits=14, decimal_places=2, default=Decimal("1"))
    eenheidsprijs = models.DecimalField("prijs per eenheid", max_digits=14, decimal_places=4, null=True, blank=True)
    bedrag = models.DecimalField("bedrag excl. btw", max_digits=12, decimal_places=2)
    btw_categorie = models.CharField("btw-categorie", max_length=1, choices=VAT_CATEGORIES)
    btw_percentage = models.DecimalField("btw-percentage", max_digits=5, decimal_places=2)
    volgorde = models.PositiveSmallIntegerField("volgorde", default=0)

    objects = InvoiceLineQuerySet.as_manager()

    class Meta:
        verbose_name = "factuurregel"
        verbose_name_plural = "factuurregels"
        ordering = ["volgorde", "pk"]

    def __str__(self):
        return self.omschrijving

    def save(self, *args, **kwargs):
        self._refuse_if_final()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_if_final()
        return super().delete(*args, **kwargs)

    def _refuse_if_final(self):
        if Invoice.objects.filter(pk=self.invoice_id).exclude(status=Invoice.Status.CONCEPT).exists():
            raise PermissionError("De regels van een definitieve factuur kunnen niet worden gewijzigd.")


class Payment(Immutable):
    invoice = models.ForeignKey(Invoice, verbose_name="factuur", on_delete=models.PROTECT, related_name="payments")
    datum = models.DateField("datum ontvangst")
    bedrag = models.DecimalField(
        "bedrag", max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    kenmerk = models.CharField("kenmerk bankafschrift", max_length=100, blank=True)
    geregistreerd_door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    geregistreerd_op = models.DateTimeField("geregistreerd op", auto_now_add=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "betaling"
        verbose_name_plural = "betalingen"
        ordering = ["datum", "pk"]

    def __str__(self):
        return f"{self.bedrag} op {self.datum:%d-%m-%Y}"


class Reminder(Immutable):
    invoice = models.ForeignKey(Invoice, verbose_name="factuur", on_delete=models.PROTECT, related_name="reminders")
    volgnummer = models.PositiveSmallIntegerField("herinnering nr.")
    datum = models.DateField("datum")
    verzonden_op = models.DateTimeField("verzonden op", auto_now_add=True)
    email = models.EmailField("verzonden aan")
    openstaand = models.DecimalField("openstaand bedrag", max_digits=12, decimal_places=2)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = "betalingsherinnering"
        verbose_name_plural = "betalingsherinneringen"
        ordering = ["invoice", "volgnummer"]
        constraints = [models.UniqueConstraint(fields=["invoice", "volgnummer"], name="uniek_herinneringnummer")]

    def __str__(self):
        return f"Herinnering {self.volgnummer} voor {self.invoice}"


class Batch(models.Model):
    class Kind(models.TextChoices):
        CONTRIBUTIE = "contributie", "Contributie"

    class Status(models.TextChoices):
        WACHTRIJ = "wachtrij", "In de wachtrij"
        BEZIG = "bezig", "Bezig"
        KLAAR = "klaar", "Klaar"

    soort = models.CharField("soort", max_length=20, choices=Kind.choices)
    jaar = models.PositiveSmallIntegerField("jaar")
    status = models.CharField("status", max_length=10, choices=Status.choices, default=Status.WACHTRIJ)
    totaal = models.PositiveIntegerField("aantal leden", default=0)
    gestart_door = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    gestart_op = models.DateTimeField("gestart op", auto_now_add=True)
    klaar_op = models.DateTimeField("klaar op", null=True, blank=True)

    class Meta:
        verbose_name = "factuurrun"
        verbose_name_plural = "factuurruns"
        ordering = ["-gestart_op"]

    def __str__(self):
        return f"{self.get_soort_display()} {self.jaar}"


class BatchItem(models.Model):
    class Outcome(models.TextChoices):
        AANGEMAAKT = "aangemaakt", "Aangemaakt"
        OVERGESLAGEN = "overgeslagen", "Overgeslagen"
        MISLUKT = "mislukt", "Mislukt"

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    uitkomst = models.CharField("uitkomst", max_length=12, choices=Outcome.choices)
    reden = models.CharField("reden", max_length=300, blank=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "regel van een factuurrun"
        verbose_name_plural = "regels van een factuurrun"
        ordering = ["member__naam"]
        constraints = [models.UniqueConstraint(fields=["batch", "member"], name="uniek_lid_per_run")]

    def __str__(self):
        return f"{self.member}: {self.get_uitkomst_display()}"


class BudgetLine(models.Model):
    """The begroting: one amount per year per category (a kind of revenue)."""

    jaar = models.PositiveSmallIntegerField("jaar")
    categorie = models.CharField("categorie", max_length=20, choices=ChargeKind.choices)
    bedrag = models.DecimalField("begroot bedrag", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "begrotingsregel"
        verbose_name_plural = "begrotingsregels"
        ordering = ["jaar", "categorie"]
        constraints = [models.UniqueConstraint(fields=["jaar", "categorie"], name="uniek_begrotingsregel")]

    def __str__(self):
        return f"{self.jaar} {self.get_categorie_display()}: {self.bedrag}"

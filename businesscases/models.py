from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from beware.common.models import Immutable


class BusinessCase(models.Model):
    class Status(models.TextChoices):
        CONCEPT = "concept", "Concept"
        TER_BESLUITVORMING = "ter_besluitvorming", "Ter besluitvorming"
        BESLOTEN = "besloten", "Besloten (go)"
        AFGEWEZEN = "afgewezen", "Afgewezen (no-go)"

    class Key(models.TextChoices):
        INWONERS = "inwoners", "Naar inwoners"
        GELIJK = "gelijk", "Gelijke delen"
        VAST = "vast", "Vaste percentages"

    community = models.ForeignKey(
        "communities.Community", verbose_name="community", on_delete=models.PROTECT, related_name="business_cases"
    )
    titel = models.CharField("titel", max_length=200)
    probleem = models.TextField("probleem", blank=True)
    doel = models.TextField("doel", blank=True)
    horizon_jaren = models.PositiveSmallIntegerField(
        "horizon (jaren)", default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    risicos = models.TextField("risico's", blank=True)
    hosting = models.TextField("hosting", blank=True)
    beheer = models.TextField("beheer", blank=True)
    verantwoordelijkheid = models.TextField("verantwoordelijkheden", blank=True)
    gebruikstarief = models.DecimalField(
        "gebruikstarief per transactie",
        max_digits=10,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    verdeelsleutel = models.CharField("verdeelsleutel", max_length=10, choices=Key.choices, default=Key.INWONERS)
    peildatum = models.DateField(
        "peildatum", null=True, blank=True, help_text="Leeg: 1 januari van het jaar van het besluit."
    )
    afschrijvingsjaren = models.PositiveSmallIntegerField(
        "afschrijvingsjaren",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text="Leeg: late toetreders betalen hun deel van de volledige eenmalige kosten.",
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.CONCEPT)
    besluitdatum = models.DateField("besluitdatum", null=True, blank=True)
    golive = models.DateField("go-live", null=True, blank=True)
    besloten_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="besluit vastgelegd door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    besluit_toelichting = models.TextField("toelichting bij het besluit", blank=True)
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "businesscase"
        verbose_name_plural = "businesscases"
        ordering = ["-aangemaakt_op", "-id"]
        permissions = [("decide_businesscase", "Go/no-go-besluit over een businesscase vastleggen")]

    def __str__(self):
        return self.titel

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.CONCEPT

    @property
    def is_decided(self) -> bool:
        return self.status == self.Status.BESLOTEN


class CostLine(models.Model):
    class Kind(models.TextChoices):
        ONTWIKKELING = "ontwikkeling", "Ontwikkeling (eenmalig)"
        AANSCHAF = "aanschaf", "Aanschaf (eenmalig)"
        IMPLEMENTATIE = "implementatie", "Implementatie (eenmalig)"
        BEHEER = "beheer", "Beheer (per jaar)"
        HOSTING = "hosting", "Hosting (per jaar)"
        LICENTIES = "licenties", "Licenties (per jaar)"
        DOORONTWIKKELING = "doorontwikkeling", "Doorontwikkeling (per jaar)"
        PERSONEEL_EENMALIG = "personeel_eenmalig", "Personeelsinzet (eenmalig)"
        PERSONEEL_JAARLIJKS = "personeel_jaarlijks", "Personeelsinzet (per jaar)"

    ONE_OFF = (Kind.ONTWIKKELING, Kind.AANSCHAF, Kind.IMPLEMENTATIE)
    YEARLY = (Kind.BEHEER, Kind.HOSTING, Kind.LICENTIES, Kind.DOORONTWIKKELING)
    STAFF = (Kind.PERSONEEL_EENMALIG, Kind.PERSONEEL_JAARLIJKS)

    business_case = models.ForeignKey(
        BusinessCase, verbose_name="businesscase", on_delete=models.CASCADE, related_name="cost_lines"
    )
    soort = models.CharField("soort", max_length=30, choices=Kind.choices)
    omschrijving = models.CharField("omschrijving", max_length=200)
    bedrag = models.DecimalField(
        "bedrag",
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text="Per jaar bij jaarlijkse kosten.",
    )
    uren = models.DecimalField("uren", max_digits=8, decimal_places=1, null=True, blank=True)
    uurtarief = models.DecimalField("uurtarief", max_digits=8, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "kostenregel"
        verbose_name_plural = "kostenregels"
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_soort_display()}: {self.omschrijving}"

    @property
    def is_one_off(self) -> bool:
        return self.soort in self.ONE_OFF

    @property
    def is_yearly(self) -> bool:
        return self.soort in self.YEARLY

    @property
    def is_staff(self) -> bool:
        return self.soort in self.STAFF


class FixedPercentage(models.Model):
    """A member's percentage under the `vast` key; together exactly 100."""

    business_case = models.ForeignKey(
        BusinessCase, verbose_name="businesscase", on_delete=models.CASCADE, related_name="fixed_percentages"
    )
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    percentage = models.DecimalField(
        "percentage", max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        verbose_name = "vast percentage"
        verbose_name_plural = "vaste percentages"
        ordering = ["-percentage", "member__naam"]
        constraints = [models.UniqueConstraint(fields=["business_case", "member"], name="uniek_percentage_per_lid")]

    def __str__(self):
        return f"{self.member}: {self.percentage}%"


class Share(Immutable):
    """A participant's stored share of the one-off costs: at the go-decision
    for the participants then, at a late join for the joiner. Weights as used."""

    class Source(models.TextChoices):
        BESLUIT = "besluit", "Go-besluit"
        TOETREDING = "toetreding", "Late toetreding"

    business_case = models.ForeignKey(
        BusinessCase, verbose_name="businesscase", on_delete=models.PROTECT, related_name="shares"
    )
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    bron = models.CharField("bron", max_length=12, choices=Source.choices)
    inwoners = models.PositiveIntegerField("inwoners op de peildatum", null=True, blank=True)
    gewicht = models.DecimalField("gewicht", max_digits=16, decimal_places=4)
    bedrag = models.DecimalField("bedrag", max_digits=12, decimal_places=2)
    datum = models.DateField("datum")
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "aandeel"
        verbose_name_plural = "aandelen"
        ordering = ["datum", "id"]
        constraints = [models.UniqueConstraint(fields=["business_case", "member"], name="uniek_aandeel_per_lid")]

    def __str__(self):
        return f"{self.member}: {self.bedrag}"


class Settlement(Immutable):
    """A late join: what the joiner pays (DOMAIN.md §3.5). Its credits go to
    the earlier participants; the invoicing app bills both."""

    business_case = models.ForeignKey(
        BusinessCase, verbose_name="businesscase", on_delete=models.PROTECT, related_name="settlements"
    )
    member = models.ForeignKey(
        "membership.Member", verbose_name="toetreder", on_delete=models.PROTECT, related_name="+"
    )
    participation = models.ForeignKey(
        "communities.Participation", verbose_name="deelname", on_delete=models.PROTECT, related_name="settlements"
    )
    datum = models.DateField("toetredingsdatum")
    maanden = models.PositiveIntegerField("maanden sinds go-live")
    eenmalige_kosten = models.DecimalField("eenmalige kosten", max_digits=12, decimal_places=2)
    waarde = models.DecimalField("te verrekenen waarde", max_digits=12, decimal_places=2)
    gewicht = models.DecimalField("gewicht toetreder", max_digits=16, decimal_places=4)
    bedrag = models.DecimalField("bedrag toetreder", max_digits=12, decimal_places=2)
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="vastgelegd door", null=True, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "verrekening late toetreding"
        verbose_name_plural = "verrekeningen late toetreding"
        ordering = ["datum", "id"]
        constraints = [models.UniqueConstraint(fields=["business_case", "member"], name="een_verrekening_per_lid")]

    def __str__(self):
        return f"{self.member} treedt toe tot {self.business_case}: {self.bedrag}"


class SettlementCredit(Immutable):
    settlement = models.ForeignKey(
        Settlement, verbose_name="verrekening", on_delete=models.PROTECT, related_name="credits"
    )
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    gewicht = models.DecimalField("gewicht", max_digits=16, decimal_places=4)
    bedrag = models.DecimalField("terug te ontvangen", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "terugbetaling aan eerdere deelnemer"
        verbose_name_plural = "terugbetalingen aan eerdere deelnemers"
        ordering = ["-bedrag", "id"]
        constraints = [models.UniqueConstraint(fields=["settlement", "member"], name="een_credit_per_lid")]

    def __str__(self):
        return f"{self.member} krijgt {self.bedrag} terug"


class YearlyAllocation(Immutable):
    """The yearly costs of one year split over that year's participants:
    weight = inwoners on 1 January × months participating / 12."""

    business_case = models.ForeignKey(
        BusinessCase, verbose_name="businesscase", on_delete=models.PROTECT, related_name="yearly_allocations"
    )
    jaar = models.PositiveSmallIntegerField("jaar")
    totaal = models.DecimalField("jaarlijkse kosten", max_digits=12, decimal_places=2)
    vastgelegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="vastgelegd door", null=True, on_delete=models.PROTECT, related_name="+"
    )
    vastgelegd_op = models.DateTimeField("vastgelegd op", auto_now_add=True)

    class Meta:
        verbose_name = "jaarverdeling"
        verbose_name_plural = "jaarverdelingen"
        ordering = ["-jaar"]
        constraints = [models.UniqueConstraint(fields=["business_case", "jaar"], name="een_jaarverdeling_per_jaar")]

    def __str__(self):
        return f"{self.business_case} {self.jaar}"


class YearlyAllocationLine(Immutable):
    yearly_allocation = models.ForeignKey(
        YearlyAllocation, verbose_name="jaarverdeling", on_delete=models.PROTECT, related_name="lines"
    )
    member = models.ForeignKey("membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="+")
    inwoners = models.PositiveIntegerField("inwoners op 1 januari", null=True, blank=True)
    maanden = models.PositiveSmallIntegerField("maanden deelname")
    gewicht = models.DecimalField("gewicht", max_digits=16, decimal_places=4)
    bedrag = models.DecimalField("bedrag", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "regel van een jaarverdeling"
        verbose_name_plural = "regels van een jaarverdeling"
        ordering = ["-bedrag", "id"]
        constraints = [models.UniqueConstraint(fields=["yearly_allocation", "member"], name="een_jaarregel_per_lid")]

    def __str__(self):
        return f"{self.member}: {self.bedrag}"

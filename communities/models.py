from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q

from beware.common.audit import Actor
from beware.common.models import HashedKey


class Community(models.Model):
    """One community per software package (DOMAIN.md §4)."""

    class Status(models.TextChoices):
        IDEE = "idee", "Idee"
        VERKENNING = "verkenning", "Verkenning"
        ONTWIKKELING = "ontwikkeling", "Ontwikkeling"
        PRODUCTIE = "productie", "Productie"
        BEHEER = "beheer", "Beheer"
        UITGEFASEERD = "uitgefaseerd", "Uitgefaseerd"

    class Domain(models.TextChoices):
        DIENSTVERLENING = "dienstverlening", "Dienstverlening"
        SOCIAAL_DOMEIN = "sociaal_domein", "Sociaal domein"
        BURGERZAKEN = "burgerzaken", "Burgerzaken"
        VEILIGHEID = "veiligheid", "Veiligheid"
        RUIMTE = "ruimte", "Ruimte en omgeving"
        BEDRIJFSVOERING = "bedrijfsvoering", "Bedrijfsvoering"
        FINANCIEN = "financien", "Financiën en subsidies"

    slug = models.SlugField("code", max_length=60, unique=True, help_text="Deel van het webadres, bijv. 'corv'.")
    naam = models.CharField("naam", max_length=150)
    samenvatting = models.CharField("samenvatting", max_length=300, help_text="Eén zin voor de catalogus.")
    beschrijving = models.TextField("beschrijving", blank=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.IDEE)
    domein = models.CharField("domein", max_length=30, choices=Domain.choices)
    trekker = models.ForeignKey(
        "membership.Member",
        verbose_name="trekker",
        on_delete=models.PROTECT,
        related_name="led_communities",
        help_text="Het lid dat het initiatief nam.",
    )
    platform = models.CharField("platform", max_length=200, blank=True)
    leverancier = models.CharField("leverancier", max_length=200, blank=True)
    referentiecomponent = models.CharField("GEMMA-referentiecomponent", max_length=200, blank=True)
    standaarden = models.CharField("standaarden", max_length=300, blank=True)
    links = models.TextField("links", blank=True, help_text="Eén webadres per regel.")
    aangemaakt_op = models.DateTimeField("aangemaakt op", auto_now_add=True)

    class Meta:
        verbose_name = "community"
        verbose_name_plural = "communities"
        ordering = ["naam"]
        permissions = [("manage_participation", "Deelname aan een community beheren")]

    def __str__(self):
        return self.naam

    @property
    def link_list(self) -> list[str]:
        return [line.strip() for line in self.links.splitlines() if line.strip()]


class Coordinator(models.Model):
    """A person who coordinates a community; the service grants the matching
    object permissions on the community."""

    community = models.ForeignKey(
        Community, verbose_name="community", on_delete=models.CASCADE, related_name="coordinators"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.PROTECT, related_name="coordinates"
    )

    class Meta:
        verbose_name = "coördinator"
        verbose_name_plural = "coördinatoren"
        ordering = ["user__last_name", "user__email"]
        constraints = [models.UniqueConstraint(fields=["community", "user"], name="uniek_coordinator")]

    def __str__(self):
        return f"{self.user} coördineert {self.community}"


class Participation(models.Model):
    """A member's request to join a community, and its participation once
    accepted: the date and the community's phase at joining, and when it left."""

    class Status(models.TextChoices):
        AANGEVRAAGD = "aangevraagd", "Aangevraagd"
        DEELNEMER = "deelnemer", "Deelnemer"
        AFGEWEZEN = "afgewezen", "Afgewezen"

    community = models.ForeignKey(
        Community, verbose_name="community", on_delete=models.PROTECT, related_name="participations"
    )
    member = models.ForeignKey(
        "membership.Member", verbose_name="lid", on_delete=models.PROTECT, related_name="participations"
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.AANGEVRAAGD)
    aangevraagd_op = models.DateTimeField("aangevraagd op", auto_now_add=True)
    aangevraagd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="aangevraagd door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    datum = models.DateField("deelnemer sinds", null=True, blank=True)
    fase = models.CharField("fase bij deelname", max_length=20, choices=Community.Status.choices, blank=True)
    beoordeeld_door = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="beoordeeld door",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    einddatum = models.DateField("vertrokken per", null=True, blank=True)
    toelichting = models.TextField("toelichting", blank=True)

    class Meta:
        verbose_name = "deelname"
        verbose_name_plural = "deelnames"
        ordering = ["datum", "aangevraagd_op", "id"]
        constraints = [
            # One open request or participation per member per community: a
            # second concurrent join fails here even if a check was raced.
            models.UniqueConstraint(
                fields=["community", "member"],
                condition=Q(einddatum__isnull=True) & ~Q(status="afgewezen"),
                name="een_lopende_deelname_per_lid",
            ),
            models.CheckConstraint(
                condition=Q(einddatum__isnull=True) | Q(datum__isnull=False, einddatum__gte=models.F("datum")),
                name="deelname_einde_na_begin",
            ),
        ]

    def __str__(self):
        return f"{self.member} in {self.community} ({self.get_status_display()})"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.DEELNEMER and self.einddatum is None


def document_path(document, filename: str) -> str:
    return f"communities/{document.community.slug}/{filename}"


class CommunityDocument(models.Model):
    community = models.ForeignKey(
        Community, verbose_name="community", on_delete=models.PROTECT, related_name="documents"
    )
    titel = models.CharField("titel", max_length=200)
    bestand = models.FileField("bestand", upload_to=document_path)
    toegevoegd_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="toegevoegd door", on_delete=models.PROTECT, related_name="+"
    )
    toegevoegd_op = models.DateTimeField("toegevoegd op", auto_now_add=True)

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documenten"
        ordering = ["-toegevoegd_op"]

    def __str__(self):
        return self.titel


class ApplicationToken(HashedKey):
    """A key with which a community's application reports its usage counts
    through the API (/api/v1/gebruik/, for this community only, nothing
    else). Only the key's SHA-256 is stored: the key itself is shown once,
    when it is made (docs/decisions/0024)."""

    PREFIX = "app_"  # tells a community's key from a user's API key without a query

    community = models.ForeignKey(
        Community, verbose_name="community", on_delete=models.PROTECT, related_name="application_tokens"
    )
    naam = models.CharField("naam", max_length=100, help_text="Welke applicatie of koppeling de sleutel gebruikt.")
    aangemaakt_door = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="aangemaakt door", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "applicatiesleutel"
        verbose_name_plural = "applicatiesleutels"
        ordering = ["-aangemaakt", "-id"]

    def __str__(self):
        return f"{self.naam} ({self.community})"

    @property
    def actor(self) -> "ApplicationActor":
        return ApplicationActor(token=self)


@dataclass(frozen=True)
class ApplicationActor(Actor):
    """A community's application acting through its key: no user, no member.
    The audit trail names the key; what it may do is decided by the one
    service that accepts it (invoicing.services.usage_counts_report)."""

    token: ApplicationToken | None = None

    @property
    def label(self) -> str:
        return f"applicatie {self.token.naam} ({self.token.community.slug})"

from django.conf import settings
from django.db import models
from django.db.models import Q

from . import admission
from .validators import validate_gemeentecode, validate_kvk, validate_oin


class Gemeente(models.Model):
    code = models.CharField("CBS-code", max_length=6, unique=True, validators=[validate_gemeentecode])
    naam = models.CharField("naam", max_length=100)
    opgeheven_per = models.DateField("opgeheven per", null=True, blank=True, help_text="Bij herindeling: 1 januari.")
    opgegaan_in = models.ForeignKey(
        "self", verbose_name="opgegaan in", null=True, blank=True, on_delete=models.PROTECT, related_name="voorgangers"
    )

    class Meta:
        verbose_name = "gemeente"
        verbose_name_plural = "gemeenten"
        ordering = ["naam"]

    def __str__(self):
        return f"{self.naam} ({self.code})"


class Inwonertal(models.Model):
    class Status(models.TextChoices):
        VOORLOPIG = "voorlopig", "Voorlopig"
        DEFINITIEF = "definitief", "Definitief"

    gemeente = models.ForeignKey(
        Gemeente, verbose_name="gemeente", on_delete=models.PROTECT, related_name="inwonertallen"
    )
    jaar = models.PositiveSmallIntegerField("jaar", help_text="Peildatum 1 januari van dit jaar.")
    aantal = models.PositiveIntegerField("aantal inwoners")
    bron = models.CharField("bron", max_length=200, default="CBS StatLine 03759ned")
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.DEFINITIEF)
    is_demo = models.BooleanField("demo-cijfer", default=False, help_text="Fictief cijfer uit de demodata.")
    bijgewerkt_op = models.DateTimeField("bijgewerkt op", auto_now=True)

    class Meta:
        verbose_name = "inwonertal"
        verbose_name_plural = "inwonertallen"
        ordering = ["gemeente__naam", "jaar"]
        constraints = [models.UniqueConstraint(fields=["gemeente", "jaar"], name="uniek_inwonertal_per_jaar")]
        permissions = [("import_inwoners", "Inwonertallen importeren")]

    def __str__(self):
        return f"{self.gemeente.naam} {self.jaar}: {self.aantal}"


class Member(models.Model):
    class Kind(models.TextChoices):
        GEMEENTE = "gemeente", "Gemeente"
        GEMEENSCHAPPELIJKE_REGELING = "gemeenschappelijke_regeling", "Gemeenschappelijke regeling"
        OVERIGE_OVERHEID = "overige_overheid", "Overige overheid"

    STATUS_CHOICES = list(admission.STATUS_LABELS.items())

    code = models.SlugField("code", max_length=50, unique=True, help_text="Korte vaste sleutel, bijv. 'eindhoven'.")
    naam = models.CharField("naam", max_length=200)
    soort = models.CharField("soort", max_length=40, choices=Kind.choices)
    kvk = models.CharField("KvK-nummer", max_length=8, blank=True, validators=[validate_kvk])
    oin = models.CharField("OIN", max_length=20, blank=True, validators=[validate_oin])
    adres = models.CharField("adres", max_length=200, blank=True)
    postcode = models.CharField("postcode", max_length=7, blank=True)
    plaats = models.CharField("plaats", max_length=100, blank=True)
    factuuradres = models.TextField("factuuradres", blank=True, help_text="Leeg: gelijk aan het adres.")
    factuur_email = models.EmailField("e-mailadres voor facturen", blank=True)
    status = models.CharField("status", max_length=20, choices=STATUS_CHOICES, default=admission.BELANGSTELLING)
    ingangsdatum = models.DateField("ingangsdatum", null=True, blank=True)
    einddatum = models.DateField("einddatum", null=True, blank=True)
    evaluatiedatum = models.DateField("evaluatiedatum", null=True, blank=True)

    class Meta:
        verbose_name = "lid"
        verbose_name_plural = "leden"
        ordering = ["naam"]
        permissions = [
            ("view_private_member", "Vertrouwelijke gegevens van een lid inzien"),
            ("approve_admission", "Aanvraag goedkeuren of afwijzen (RvC)"),
            ("decide_admission", "Besluiten over toelating (directie)"),
            ("register_agreement", "Overeenkomst, opzegging en uittreding verwerken"),
            ("manage_factuurkenmerk", "Factuurkenmerk vastleggen"),
            ("invite_user", "Gebruikers uitnodigen voor een lid"),
            ("join_community", "Namens een lid deelname aan een community aanvragen"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["kvk"], condition=~Q(kvk=""), name="uniek_kvk"),
            models.UniqueConstraint(fields=["oin"], condition=~Q(oin=""), name="uniek_oin"),
            models.CheckConstraint(
                condition=Q(einddatum__isnull=True)
                | Q(ingangsdatum__isnull=True)
                | Q(einddatum__gte=models.F("ingangsdatum")),
                name="einddatum_na_ingangsdatum",
            ),
        ]

    def __str__(self):
        return self.naam


class Representation(models.Model):
    """A member represents a gemeente from geldig_van until geldig_tot (exclusive)."""

    member = models.ForeignKey(Member, verbose_name="lid", on_delete=models.PROTECT, related_name="representations")
    gemeente = models.ForeignKey(
        Gemeente, verbose_name="gemeente", on_delete=models.PROTECT, related_name="representations"
    )
    geldig_van = models.DateField("geldig van")
    geldig_tot = models.DateField("geldig tot", null=True, blank=True, help_text="Leeg: nog geldig.")

    class Meta:
        verbose_name = "vertegenwoordiging van een gemeente"
        verbose_name_plural = "vertegenwoordigde gemeenten"
        ordering = ["gemeente__naam", "geldig_van"]
        constraints = [
            models.CheckConstraint(
                condition=Q(geldig_tot__isnull=True) | Q(geldig_tot__gt=models.F("geldig_van")),
                name="vertegenwoordiging_tot_na_van",
            )
        ]

    def __str__(self):
        return f"{self.member} vertegenwoordigt {self.gemeente}"


class Contact(models.Model):
    class Role(models.TextChoices):
        ALV_VERTEGENWOORDIGER = "alv_vertegenwoordiger", "ALV-vertegenwoordiger"
        FINANCIEEL = "financieel", "Financieel contact"
        COMMUNITY = "community", "Communitycontact"
        BESTUURLIJK = "bestuurlijk", "Bestuurlijk contact"
        OVERIG = "overig", "Overig"

    member = models.ForeignKey(Member, verbose_name="lid", on_delete=models.CASCADE, related_name="contacts")
    naam = models.CharField("naam", max_length=200)
    functie = models.CharField("functie", max_length=200, blank=True)
    email = models.EmailField("e-mailadres")
    telefoon = models.CharField("telefoon", max_length=30, blank=True)
    rol = models.CharField("rol", max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = "contactpersoon"
        verbose_name_plural = "contactpersonen"
        ordering = ["rol", "naam"]

    def __str__(self):
        return f"{self.naam} ({self.get_rol_display()})"


class Factuurkenmerk(models.Model):
    member = models.ForeignKey(Member, verbose_name="lid", on_delete=models.CASCADE, related_name="factuurkenmerken")
    jaar = models.PositiveSmallIntegerField("jaar")
    kenmerk = models.CharField("factuurkenmerk / inkoopnummer", max_length=100)

    class Meta:
        verbose_name = "factuurkenmerk"
        verbose_name_plural = "factuurkenmerken"
        ordering = ["-jaar"]
        constraints = [models.UniqueConstraint(fields=["member", "jaar"], name="uniek_factuurkenmerk_per_jaar")]

    def __str__(self):
        return f"{self.jaar}: {self.kenmerk}"


class MemberRole(models.Model):
    """A user's role within one member organisation; the service grants the
    matching guardian object permissions on the member."""

    class Role(models.TextChoices):
        ALV_VERTEGENWOORDIGER = "alv_vertegenwoordiger", "ALV-vertegenwoordiger"
        FINANCIEEL_CONTACT = "financieel_contact", "Financieel contact"
        COMMUNITY_CONTACT = "community_contact", "Communitycontact"
        LID_BEHEERDER = "lid_beheerder", "Lid-beheerder"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", on_delete=models.CASCADE, related_name="member_roles"
    )
    member = models.ForeignKey(Member, verbose_name="lid", on_delete=models.CASCADE, related_name="user_roles")
    role = models.CharField("rol", max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = "rol binnen een lid"
        verbose_name_plural = "rollen binnen leden"
        ordering = ["member__naam", "user__email", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "member", "role"], name="uniek_rol_per_lid")]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()} bij {self.member}"


class StatusChange(models.Model):
    """One step of the membership lifecycle, with who took it and when."""

    member = models.ForeignKey(Member, verbose_name="lid", on_delete=models.PROTECT, related_name="status_changes")
    step = models.CharField("stap", max_length=40)
    source = models.CharField("van", max_length=20, choices=Member.STATUS_CHOICES)
    target = models.CharField("naar", max_length=20, choices=Member.STATUS_CHOICES)
    datum = models.DateField(
        "datum", null=True, blank=True, help_text="De datum die de stap vastlegt (ingangs- of einddatum)."
    )
    toelichting = models.TextField("toelichting", blank=True)
    door = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="door", on_delete=models.PROTECT)
    tijdstip = models.DateTimeField("tijdstip", auto_now_add=True)

    class Meta:
        verbose_name = "statuswijziging"
        verbose_name_plural = "statuswijzigingen"
        ordering = ["tijdstip", "id"]

    def __str__(self):
        return f"{self.member}: {self.source} → {self.target}"

    @property
    def step_label(self) -> str:
        return admission.STEPS[self.step].label if self.step in admission.STEPS else self.step

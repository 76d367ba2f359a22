import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone


class Immutable(models.Model):
    """Stored money records (splits, payments, reminders) are never edited or
    deleted: corrections are new records. Bulk changes are refused by the
    queryset where one is set (ImmutableQuerySet)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # _state.adding, not pk: a UUID key is set before the first save.
        if not self._state.adding:
            raise PermissionError(f"Een vastgelegde {self._meta.verbose_name} kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"Een vastgelegde {self._meta.verbose_name} kan niet worden verwijderd.")


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(f"Vastgelegde {self.model._meta.verbose_name_plural} kunnen niet worden gewijzigd.")

    def delete(self):
        raise PermissionError(f"Vastgelegde {self.model._meta.verbose_name_plural} kunnen niet worden verwijderd.")


class AuditEvent(models.Model):
    """One write that matters, append-only and hash-chained: each event's hash
    covers its content and the previous event's hash, so a changed or deleted
    row breaks the chain (see audit.verify_chain)."""

    timestamp = models.DateTimeField("tijdstip", db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gebruiker", null=True, blank=True, on_delete=models.PROTECT
    )
    actor_label = models.CharField("gebruiker (vastgelegd)", max_length=254)
    member = models.ForeignKey(
        "membership.Member", verbose_name="namens lid", null=True, blank=True, on_delete=models.PROTECT
    )
    member_label = models.CharField("namens lid (vastgelegd)", max_length=200, blank=True)
    action = models.CharField("actie", max_length=100, db_index=True)
    object_type = models.CharField("soort object", max_length=100, blank=True)
    object_id = models.CharField("object-id", max_length=64, blank=True, db_index=True)
    data = models.JSONField("gegevens", default=dict, blank=True)
    prev_hash = models.CharField("vorige hash", max_length=64)
    hash = models.CharField("hash", max_length=64, unique=True)

    class Meta:
        verbose_name = "auditregel"
        verbose_name_plural = "auditlog"
        ordering = ["id"]

    def __str__(self):
        return f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_label}: {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Een auditregel kan niet worden gewijzigd.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Een auditregel kan niet worden verwijderd.")


class HashedKey(models.Model):
    """A secret key for the API (a user's, a community application's): only
    its SHA-256 is stored, so the key is shown once, when it is made, and can
    never be looked up. A prefix tells the kinds apart and lets secret
    scanners recognise them."""

    PREFIX = ""
    LAST_USED_PRECISION = timedelta(minutes=1)  # one write a minute, not one per request

    sleutel_hash = models.CharField("SHA-256 van de sleutel", max_length=64, unique=True, editable=False)
    aangemaakt = models.DateTimeField("aangemaakt", default=timezone.now, editable=False)
    laatst_gebruikt = models.DateTimeField("laatst gebruikt", null=True, blank=True, editable=False)
    ingetrokken = models.DateTimeField("ingetrokken", null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @staticmethod
    def hash(sleutel: str) -> str:
        return hashlib.sha256(sleutel.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        """A fresh key: the prefix and 256 random bits."""
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.ingetrokken is None

    def note_use(self) -> None:
        """Note that the key was used now. Not audited: bookkeeping for its
        owners, not a change anyone made."""
        now = timezone.now()
        if self.laatst_gebruikt is None or now - self.laatst_gebruikt >= self.LAST_USED_PRECISION:
            type(self).objects.filter(pk=self.pk).update(laatst_gebruikt=now)
            self.laatst_gebruikt = now

"""Writes for the account area: API keys. Making and revoking a key is
audited; the key itself never is, nor stored (only its SHA-256)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor

from .models import ApiToken


# "Laatst gebruikt" is kept to the minute: a busy client must not write a
# row on every request.
def _require_owner(by: Actor, user) -> None:
    """Keys are personal: only their user (or a management command, or a
    superuser in the admin) makes or revokes them."""
    if by.is_system or (by.user is not None and (by.user.pk == user.pk or by.user.is_superuser)):
        return
    raise PermissionDenied("Alleen de gebruiker zelf beheert zijn API-sleutels.")


def api_token_create(*, by: Actor, user, naam: str) -> tuple[ApiToken, str]:
    """A new key for `user`. Returns the key with its value; the value is not
    kept, so the caller shows it once."""
    _require_owner(by, user)
    naam = naam.strip()
    if not naam:
        raise ValidationError({"naam": "Geef de sleutel een naam."})
    if not user.is_active:
        raise ValidationError("Een gebruiker die niet actief is, krijgt geen API-sleutel.")
    sleutel = ApiToken.new_key()
    with transaction.atomic():
        token = ApiToken(user=user, naam=naam, sleutel_hash=ApiToken.hash(sleutel))
        token.full_clean()
        token.save()
        audit.record("api_sleutel.aangemaakt", actor=by, obj=token, data={"naam": naam, "gebruiker": user.email})
    return token, sleutel


def api_token_revoke(*, by: Actor, token: ApiToken) -> ApiToken:
    """Revoke a key for good; revoking it twice changes nothing."""
    _require_owner(by, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.ingetrokken is None:
            token.ingetrokken = timezone.now()
            token.save(update_fields=["ingetrokken"])
            audit.record(
                "api_sleutel.ingetrokken", actor=by, obj=token, data={"naam": token.naam, "gebruiker": token.user.email}
            )
    return token

"""Reads for the account area and the API's authentication."""

from django.db.models import QuerySet

from .models import ApiToken


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own API keys, newest first, revoked ones included: nobody
    else's, whatever their role."""
    return ApiToken.objects.filter(user=user)


def api_token_for_key(sleutel: str) -> ApiToken | None:
    """The active key with this value, with its user, in one query."""
    return (
        ApiToken.objects.select_related("user")
        .filter(sleutel_hash=ApiToken.hash(sleutel), ingetrokken__isnull=True)
        .first()
    )

"""Reads for the account area and the API's authentication."""

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from .models import ApiToken


def api_tokens_of(user) -> QuerySet[ApiToken]:
    """The user's own API keys, newest first, revoked ones included: nobody
    else's, whatever their role."""
    return ApiToken.objects.filter(user=user)


def api_token_for_key(sleutel: str) -> ApiToken | None:
    """The active key with this value, with its user, in one query, and
    whether that user lacks the MFA its role requires (`lacks_mfa`): such a
    user's key does not work, as its pages do not (decision 0007)."""
    from allauth.mfa.models import Authenticator
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef, Q

    memberships = get_user_model().groups.through.objects
    board = Q(user__is_superuser=True) | Exists(
        memberships.filter(user_id=OuterRef("user_id"), group__name__in=settings.MFA_REQUIRED_GROUPS)
    )
    mfa = Exists(Authenticator.objects.filter(user_id=OuterRef("user_id")))
    return (
        ApiToken.objects.select_related("user")
        .filter(sleutel_hash=ApiToken.hash(sleutel), ingetrokken__isnull=True)
        .annotate(lacks_mfa=ExpressionWrapper(board & ~mfa, output_field=BooleanField()))
        .first()
    )

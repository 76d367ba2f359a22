"""Rate limiting per API key (`request.auth`), or per user for the portal's
own session calls; anonymous calls are refused before throttling anyway.
Over the limit: 429 problem+json with Retry-After (problems.py)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from beware.accounts.models import ApiToken


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read per request, not at import as DRF's THROTTLE_RATES is, so the
        # setting can change (tests, override_settings) without a restart.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            # The hash, not the id: ids come back after a rollback, and each key has its own budget.
            ident = f"sleutel-{request.auth.sleutel_hash}"
        elif request.user.is_authenticated:
            ident = f"gebruiker-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}

"""Rate limiting per user: all of a user's API keys and its session calls
share one budget, so more keys do not buy more requests (an application key,
which has no user, has its own: api/community_tokens.py). Anonymous calls are
refused before throttling anyway. Over the limit: 429 problem+json with
Retry-After (problems.py)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self):
        # Read per request, not at import as DRF's THROTTLE_RATES is, so the
        # setting can change (tests, override_settings) without a restart.
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"gebruiker-{request.user.pk}"}

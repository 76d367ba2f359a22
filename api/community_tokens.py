"""A community's application key (communities.ApplicationToken) on the API:
the same header as a user's key, `Authorization: Token <sleutel>`, but only
on the endpoints that list ApplicationTokenAuthentication (gebruik), first,
before the user-key class: it answers None for any other key, so that class
gets its chance (docs/decisions/0024). Elsewhere an application key is
refused like any unknown key (401)."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, permissions

from communities import selectors
from communities.models import ApplicationToken

from .throttling import ApiKeyRateThrottle


class ApplicationTokenAuthentication(authentication.BaseAuthentication):
    """`request.auth` is the ApplicationToken; `request.user` is anonymous:
    an application is nobody in the portal."""

    keyword = "Token"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            return None
        try:
            sleutel = parts[1].decode()
        except UnicodeError:
            return None
        if not sleutel.startswith(ApplicationToken.PREFIX):
            return None
        token = selectors.application_token_for_key(sleutel)
        if token is None:
            return None  # revoked or unknown: the user-key class refuses it with the usual 401
        token.note_use()
        return AnonymousUser(), token

    def authenticate_header(self, request):
        return self.keyword


def application_of(request) -> ApplicationToken | None:
    return request.auth if isinstance(request.auth, ApplicationToken) else None


class IsUserOrApplication(permissions.BasePermission):
    """A logged-in user or a community's application; what either may do is
    the view's and the services' business."""

    def has_permission(self, request, view):
        return request.user.is_authenticated or application_of(request) is not None


class ApplicationKeyRateThrottle(ApiKeyRateThrottle):
    """The same limit per key for an application's key as for a user's."""

    def get_cache_key(self, request, view):
        token = application_of(request)
        if token is None:
            return super().get_cache_key(request, view)
        return self.cache_format % {"scope": self.scope, "ident": f"applicatie-{token.sleutel_hash}"}


class ApplicationTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApplicationTokenAuthentication
    name = "applicatiesleutel"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "De applicatiesleutel van een community, met het voorvoegsel Token: `Authorization: Token "
                "<sleutel>`. Alleen voor het gebruik van die community; coördinatoren en de directie maken en "
                "trekken sleutels in op de pagina van de community."
            ),
        }

"""Token authentication with the portal's own API keys
(beware.accounts.models.ApiToken): the header stays DRF's
`Authorization: Token <sleutel>`, and so does the 401 with
`WWW-Authenticate: Token`; only the lookup differs (by SHA-256, active keys
only). `request.auth` is the ApiToken."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from beware.accounts import selectors


class ApiTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        token = selectors.api_token_for_key(key)
        # A board member's key works only while their MFA is set up, as their pages do (decision 0007).
        if token is None or not token.user.is_active or token.lacks_mfa:
            # problems.py words every AuthenticationFailed the same: no hint which part was wrong.
            raise exceptions.AuthenticationFailed()
        token.note_use()
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "Een API-sleutel met het voorvoegsel Token: `Authorization: Token <sleutel>`. Maak een sleutel "
                "in het portaal onder API-sleutels, of met `python manage.py api_token E-MAILADRES`."
            ),
        }

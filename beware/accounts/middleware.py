from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from beware.common.audit import Actor

ACTING_MEMBER_SESSION_KEY = "acting_member_id"


class ActingMemberMiddleware:
    """Puts the member organisation the user acts for on the request
    (`request.acting_member`) and the matching audit Actor (`request.actor`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.acting_member = None
        if request.user.is_authenticated:
            from membership.selectors import members_of_user

            members = members_of_user(request.user)
            chosen = request.session.get(ACTING_MEMBER_SESSION_KEY)
            request.acting_member = next((m for m in members if m.pk == chosen), members[0] if members else None)
            request.user_members = members
        request.actor = Actor(
            user=request.user if request.user.is_authenticated else None, member=request.acting_member
        )
        return self.get_response(request)


def lacks_required_mfa(user) -> bool:
    """A board role (or superuser) without an authenticator set up: such a
    user reaches no page but the MFA setup, and no API key of theirs works."""
    required = user.is_superuser or user.groups.filter(name__in=settings.MFA_REQUIRED_GROUPS).exists()
    return required and not is_mfa_enabled(user)


class RequireMFAMiddleware:
    """Users in the directie and RvC roles (and superusers) must set up TOTP before anything else."""

    # Only what is needed to set up MFA (and to leave) stays reachable; not
    # e.g. password or e-mail changes.
    ALLOWED_URL_NAMES = frozenset(
        {"mfa_activate_totp", "account_reauthenticate", "account_logout", "account_login", "mfa_authenticate"}
    )
    ALLOWED_PREFIXES = ("/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and self._url_name(request) not in self.ALLOWED_URL_NAMES
            and lacks_required_mfa(user)
        ):
            messages.warning(
                request,
                _("Voor uw rol is tweestapsverificatie verplicht. Stel eerst een authenticator-app in."),
            )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _url_name(request) -> str | None:
        try:
            return resolve(request.path_info).url_name
        except Resolver404:
            return None

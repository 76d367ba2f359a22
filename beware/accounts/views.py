from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from beware.common.audit import Actor
from beware.common.permissions import can
from membership.selectors import may_use_admission_queue

from . import selectors, services
from .forms import ApiTokenForm
from .middleware import ACTING_MEMBER_SESSION_KEY


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {
            "can_queue": may_use_admission_queue(request.user),
            "can_import": can(request.user, "membership.import_inwoners"),
        },
    )


@login_required
@require_POST
def switch_member(request):
    """Choose which of the user's member organisations they act for."""
    wanted = request.POST.get("lid", "")
    member = next((m for m in request.user_members if str(m.pk) == wanted), None)
    if member is None:
        messages.error(request, _("U kunt niet namens deze organisatie optreden."))
    else:
        request.session[ACTING_MEMBER_SESSION_KEY] = member.pk
        messages.success(request, _("U handelt nu namens %(lid)s.") % {"lid": member.naam})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


def not_available(request):
    raise Http404


@login_required
@never_cache
def api_tokens(request):
    """The user's own API keys, and a form for a new one. A new key is shown
    in this response only, never put in the session or a redirect: only its
    hash is kept."""
    form = ApiTokenForm(request.POST if request.method == "POST" else None)
    new_token = sleutel = None
    if form.is_valid():
        try:
            # The key is the user's own, for all its roles: made on behalf of no member.
            new_token, sleutel = services.api_token_create(
                by=Actor(user=request.user), user=request.user, naam=form.cleaned_data["naam"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form = ApiTokenForm()
    context = {
        "form": form,
        "tokens": selectors.api_tokens_of(request.user),
        "new_token": new_token,
        "sleutel": sleutel,
    }
    return render(request, "account/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)  # someone else's key: 404
    services.api_token_revoke(by=Actor(user=request.user), token=token)
    messages.success(request, _("De API-sleutel „%(naam)s” is ingetrokken en werkt niet meer.") % {"naam": token.naam})
    return redirect("api_tokens")

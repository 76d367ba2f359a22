from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from beware.common.permissions import can
from membership.selectors import may_use_admission_queue

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

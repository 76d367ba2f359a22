from django.conf import settings

from membership.selectors import may_use_admission_queue

from .roles import user_staff_roles


def portal(request):
    return {
        "cooperatie": settings.COOPERATIE,
        "acting_member": getattr(request, "acting_member", None),
        "user_members": getattr(request, "user_members", []),
        "staff_roles": user_staff_roles(request.user) if hasattr(request, "user") else set(),
        "can_use_admission_queue": hasattr(request, "user") and may_use_admission_queue(request.user),
    }

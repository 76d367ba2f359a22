from guardian.core import ObjectPermissionChecker


def can(user, perm: str, obj=None) -> bool:
    """True when the user holds `perm` globally (through a role group) or on `obj`
    (a guardian object permission). Django's ModelBackend ignores global
    permissions once an object is passed, hence both checks.

    Object permissions are read once per object and cached on the user object,
    which lives as long as the request: a page asking several questions about
    one member costs one lookup, not one per question."""
    if not user.is_authenticated:
        return False
    if user.has_perm(perm):
        return True
    if obj is None:
        return False
    checker = getattr(user, "_object_permission_checker", None)
    if checker is None:
        checker = user._object_permission_checker = ObjectPermissionChecker(user)
    return checker.has_perm(perm, obj)


def require(actor, perm: str, obj=None) -> None:
    """Refuse unless the actor may do this (services call it first). A
    permission held through a role within a member counts only while acting
    for that member, so the audit log's "on behalf of" is always the member
    whose data changed."""
    from django.core.exceptions import PermissionDenied

    if actor.is_system:
        return
    if actor.user is None or not can(actor.user, perm, obj):
        raise PermissionDenied("U heeft geen recht op deze handeling.")
    is_member = obj is not None and obj._meta.label == "membership.Member"
    if is_member and not actor.user.has_perm(perm) and actor.member != obj:
        raise PermissionDenied(f"U handelt nu namens {actor.member}; wissel eerst naar {obj.naam}.")

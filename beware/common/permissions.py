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

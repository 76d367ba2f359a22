def can(user, perm: str, obj=None) -> bool:
    """True when the user holds `perm` globally (through a role group) or on `obj`
    (a guardian object permission). Django's ModelBackend ignores global
    permissions once an object is passed, hence both checks."""
    if not user.is_authenticated:
        return False
    if user.has_perm(perm):
        return True
    return obj is not None and user.has_perm(perm, obj)

"""Helpers the governance pages share: the permission checks, and a
service's refusal shown on the form that is rendered again, or as messages
on a page that redirects."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from beware.common.forms import SERVICE_FIELD_LABELS
from beware.common.permissions import can

from . import selectors

# A service field that the pages' forms call by another name.
FIELD_ALIASES = {"besluitkenmerk": "kenmerk"}
# Service fields that are about the whole form, not about one of its fields.
WHOLE_FORM = {NON_FIELD_ERRORS, "body"}


def require_view(request) -> None:
    if not can(request.user, selectors.VIEW):
        raise PermissionDenied


def require_perm(request, perm: str) -> None:
    if not can(request.user, perm):
        raise PermissionDenied


def may_manage(user) -> bool:
    return can(user, selectors.MANAGE)


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}


def _form_field(form, field: str) -> str | None:
    """The form's field a service's field is about, if the form has it."""
    for name in (field, FIELD_ALIASES.get(field)):
        if name in form.fields:
            return name
    return None


def _label(field: str, form=None) -> str:
    name = _form_field(form, field) if form is not None else None
    if name is not None:
        return str(form.fields[name].label)
    return str(SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize()))


def service_errors_into_form(form, error: ValidationError, fields: dict[str, str | None] | None = None) -> None:
    """A service's refusal shown on the form that is rendered again: at the
    field it names (`fields` maps a service field to a form field, or to None
    for the form as a whole), otherwise above the form with the field's name."""
    fields = fields or {}
    for field, problems in _problems(error).items():
        target = fields[field] if field in fields else _form_field(form, field)
        for problem in problems:
            if target is None and field not in WHOLE_FORM:
                problem = f"{_label(field)}: {problem}"
            form.add_error(target, problem)


def run_form_service(request, form, call, success):
    """Run a write from a page that redirects afterwards: a refusal becomes
    error messages naming the field as the form calls it, success a message.
    Returns the result, or None when refused (PermissionDenied passes: 403)."""
    try:
        result = call()
    except ValidationError as error:
        for field, problems in _problems(error).items():
            for problem in problems:
                messages.error(request, problem if field == NON_FIELD_ERRORS else f"{_label(field, form)}: {problem}")
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result

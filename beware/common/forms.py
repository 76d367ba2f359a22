from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Renders every form (ours and allauth's) as NL Design System form fields."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


def messages_from_validation_error(request, error: ValidationError) -> None:
    """A service's refusal as error messages (each names the field it is about)."""
    for field, problems in error.message_dict.items():
        for problem in problems:
            messages.error(request, problem if field == "__all__" else f"{field}: {problem}")


def messages_from_invalid_form(request, form) -> None:
    """A form posted from a page that redirects: its errors as messages, by field label."""
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy


class PortalFormRenderer(TemplatesSetting):
    """Renders every form (ours and allauth's) as NL Design System form fields."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"


class LongSelect(forms.Select):
    """A select with one option per member (300 at national scale): the
    options written in one loop instead of one template each, which made the
    invoice list 2.5x slower at national scale (docs/performance.md)."""

    template_name = "widgets/long_select.html"


# The services name the field a refusal is about; users read its Dutch name.
SERVICE_FIELD_LABELS = {
    "status": gettext_lazy("Status"),
    "kosten": gettext_lazy("Kosten"),
    "soort": gettext_lazy("Soort"),
    "omschrijving": gettext_lazy("Omschrijving"),
    "bedrag": gettext_lazy("Bedrag"),
    "uren": gettext_lazy("Uren en uurtarief"),
    "uurtarief": gettext_lazy("Uurtarief"),
    "vaste_percentages": gettext_lazy("Vaste percentages"),
    "deelnemers": gettext_lazy("Deelnemers"),
    "peildatum": gettext_lazy("Peildatum"),
    "jaar": gettext_lazy("Jaar"),
    "lid": gettext_lazy("Lid"),
    "datum": gettext_lazy("Datum"),
    "einddatum": gettext_lazy("Einddatum"),
    "percentage": gettext_lazy("Percentage"),
    "golive": gettext_lazy("Go-live"),
    "verdeelsleutel": gettext_lazy("Verdeelsleutel"),
    "toelichting": gettext_lazy("Toelichting"),
    "gemeente": gettext_lazy("Gemeente"),
    "geldig_tot": gettext_lazy("Geldig tot"),
    "kenmerk": gettext_lazy("Factuurkenmerk"),
    "roles": gettext_lazy("Rollen"),
    "oin": gettext_lazy("OIN of KvK-nummer"),
    "regels": gettext_lazy("Factuurregels"),
    "factuurkenmerk": gettext_lazy("Factuurkenmerk"),
    "reden": gettext_lazy("Reden"),
    "factuur": gettext_lazy("Factuur"),
    "bedrag_per_inwoner": gettext_lazy("Bedrag per inwoner"),
    "kwartaal": gettext_lazy("Kwartaal"),
    "aantal": gettext_lazy("Aantal"),
    "body": gettext_lazy("Orgaan"),
    "functie": gettext_lazy("Functie"),
    "ingangsdatum": gettext_lazy("Ingangsdatum"),
    "geboortedatum": gettext_lazy("Geboortedatum"),
    "besluit": gettext_lazy("Besluit"),
    "besluitkenmerk": gettext_lazy("Kenmerk van het besluit"),
    "bestand": gettext_lazy("Bestand"),
    "community": gettext_lazy("Community"),
    "met_accountant": gettext_lazy("Met de accountant"),
    "gemeld_op": gettext_lazy("Gemeld op"),
    "onderwerp": gettext_lazy("Onderwerp"),
    "getekend_op": gettext_lazy("Getekend op"),
    "parent": gettext_lazy("Onderdeel van"),
    "maximum": gettext_lazy("Maximaal aantal leden"),
    "naam": gettext_lazy("Naam"),
}


def messages_from_validation_error(request, error: ValidationError) -> None:
    """A service's refusal as error messages, each naming the field it is about."""
    problems_by_field = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for field, problems in problems_by_field.items():
        label = SERVICE_FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        for problem in problems:
            messages.error(request, problem if field == "__all__" else f"{label}: {problem}")


def messages_from_invalid_form(request, form) -> None:
    """A form posted from a page that redirects: its errors as messages, by field label."""
    for field, problems in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(problems)}" if label else " ".join(problems))


def run_service(request, call, success):
    """Run a write from a view: the service's refusal becomes error messages
    naming the field, success a message (`success` is a text, or a function
    of the service's result). Returns the result, or None when refused."""
    try:
        result = call()
    except ValidationError as error:
        messages_from_validation_error(request, error)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result

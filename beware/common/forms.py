from django.forms.renderers import TemplatesSetting


class PortalFormRenderer(TemplatesSetting):
    """Renders every form (ours and allauth's) as NL Design System form fields."""

    form_template_name = "includes/form.html"
    field_template_name = "includes/field.html"

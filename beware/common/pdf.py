"""Render a template to HTML and PDF. WeasyPrint is imported lazily: it is
heavy and only the processes that make documents need it."""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    pdf: bytes


def render_pdf(template_name: str, context: dict) -> RenderedDocument:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    return RenderedDocument(html=html, pdf=pdf)

"""Render a template to HTML and PDF. WeasyPrint is imported lazily: it is
heavy and only the processes that make documents need it."""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string

_local = threading.local()


@dataclass(frozen=True)
class RenderedDocument:
    html: str
    pdf: bytes


def _font_config():
    """Fonts are looked up once per thread, not once per document: a batch of
    invoices renders about a fifth faster. Per thread, because fontconfig
    state is not shared safely between threads."""
    from weasyprint.text.fonts import FontConfiguration

    if not hasattr(_local, "font_config"):
        _local.font_config = FontConfiguration()
    return _local.font_config


def render_pdf(template_name: str, context: dict) -> RenderedDocument:
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=_font_config())
    return RenderedDocument(html=html, pdf=pdf)

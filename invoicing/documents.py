"""The invoice or credit note as PDF (WeasyPrint), from the same InvoiceData as
the e-invoice, so both show the same figures. No database access."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import translation

from beware.common.money import round_money
from beware.common.pdf import RenderedDocument, render_pdf
from invoicing.data import CREDITNOTA, EXEMPT, NOT_SUBJECT, InvoiceData

TEMPLATE = "invoicing/invoice_pdf.html"


@dataclass(frozen=True)
class LineRow:
    omschrijving: str
    van: date | None
    tot: date | None
    aantal: Decimal
    prijs: Decimal
    prijs_decimalen: int  # 2, or 4 for a unit price in fractions of cents (100/3)
    btw: str
    bedrag: Decimal


@dataclass(frozen=True)
class VatRow:
    btw: str
    grondslag: Decimal
    bedrag: Decimal


def render_invoice_pdf(data: InvoiceData) -> RenderedDocument:
    # Always Dutch, whatever language the user who triggers it has chosen.
    with translation.override("nl"):
        return render_pdf(TEMPLATE, invoice_pdf_context(data))


def invoice_pdf_context(data: InvoiceData) -> dict:
    is_creditnota = data.soort == CREDITNOTA
    return {
        "factuur": data,
        "titel": "Creditnota" if is_creditnota else "Factuur",
        "is_creditnota": is_creditnota,
        "verkoper": data.verkoper,
        "koper": data.koper,
        "regels": [
            LineRow(
                omschrijving=regel.omschrijving,
                van=regel.periode_van,
                tot=regel.periode_tot,
                aantal=regel.aantal,
                prijs=regel.prijs,
                prijs_decimalen=2 if regel.prijs == round_money(regel.prijs) else 4,
                btw=vat_label(regel.btw_categorie, regel.btw_percentage),
                bedrag=regel.bedrag,
            )
            for regel in data.regels
        ],
        "btw_regels": [
            VatRow(vat_label(subtotal.categorie, subtotal.percentage), subtotal.grondslag, subtotal.btw)
            for subtotal in data.btw
        ],
    }


def vat_label(categorie: str, percentage: Decimal) -> str:
    """The rate as printed: "21%", or what the category means when it has no rate."""
    if categorie == NOT_SUBJECT:
        return "btw: niet onderworpen"
    if categorie == EXEMPT:
        return "btw: vrijgesteld"
    return f"{percentage.normalize():f}".replace(".", ",") + "%"

"""The invoice PDF shows every field the Dutch invoice rules require (DOMAIN.md
§3.6), in Dutch, from plain InvoiceData. No database."""

import html
from decimal import Decimal

import pytest
from django.utils import translation

from invoicing.documents import render_invoice_pdf, vat_label

from .test_einvoice import contributie, credit_note, kvk_only_buyer, two_standard_lines


@pytest.fixture(scope="module")
def rendered():
    """Rendering takes WeasyPrint a moment: each sample once per module."""
    return {
        "invoice": render_invoice_pdf(two_standard_lines()),
        "contributie": render_invoice_pdf(contributie()),
        "credit-note": render_invoice_pdf(credit_note()),
        "kvk-only-buyer": render_invoice_pdf(kvk_only_buyer()),
    }


def page_text(document) -> str:
    """The HTML with entities decoded, so "Coöperatie" matches however it is escaped."""
    return html.unescape(document.html)


def test_pdf_bytes(rendered):
    for document in rendered.values():
        assert document.pdf.startswith(b"%PDF")


def test_invoice_shows_every_required_field(rendered):
    text = page_text(rendered["invoice"])
    for required in (
        "Factuur",
        # seller: name, address, KvK, btw-id, IBAN
        "Coöperatie Beware U.A.",
        "Stadhuisplein 10",
        "5611 EM Eindhoven",
        "KvK 68750110",
        "Btw-id NL857587973B01",
        "IBAN NL91ABNA0417164300",
        # buyer: name, address, OIN
        "Gemeente Oosterhout",
        "Slotjesveld 1",
        "4902 HA Oosterhout",
        "OIN 00000001002564440000",
        # number, dates (Dutch), factuurkenmerk, payment reference
        "2027-F-00042",
        "1 maart 2027",
        "31 maart 2027",
        "INK-2027-0815",
        "betalingskenmerk 2027F00042",
        # description and period per line
        "Aandeel business case Zaakgericht werken",
        "Periode: 1 januari 2027 t/m 31 december 2027",
        "Gebruik koppelingen (250 berichten à € 5,00)",
        # amount excl. btw per line and per rate, the rate, the btw, the total
        "€ 18.181,82",
        "€ 1.250,00",
        "21%",
        "€ 19.431,82",
        "€ 4.080,68",
        "€ 23.512,50",
    ):
        assert required in text, required


def test_vat_breakdown_per_rate(rendered):
    text = page_text(rendered["invoice"])
    assert '<tr><td>21%</td><td class="bedrag">€ 19.431,82</td><td class="bedrag">€ 4.080,68</td></tr>' in text


def test_not_subject_prints_no_percentage(rendered):
    text = page_text(rendered["contributie"])
    assert "btw: niet onderworpen" in text
    assert "%" not in text.split("<body>")[1]
    assert "€ 52.345,00" in text
    assert "€ 0,00" in text


def test_credit_note_names_the_corrected_invoice(rendered):
    text = page_text(rendered["credit-note"])
    assert "Creditnota bij factuur 2027-F-00042 van 1 maart 2027" in text
    assert "2027-C-00003" in text
    assert "2 april 2027" in text
    assert "€ 1.512,50" in text
    assert "Te betalen" not in text


def test_buyer_with_kvk_only(rendered):
    text = page_text(rendered["kvk-only-buyer"])
    assert "KvK 41103961" in text
    assert "OIN" not in text
    # A unit price in fractions of cents is shown as such, not rounded to 33,33.
    assert "€ 33,3333" in text


def test_rendered_in_dutch_whatever_the_active_language():
    with translation.override("en"):
        document = render_invoice_pdf(two_standard_lines())
    text = page_text(document)
    assert "1 maart 2027" in text
    assert "€ 23.512,50" in text


def test_vat_labels():
    assert vat_label("S", Decimal("21")) == "21%"
    assert vat_label("S", Decimal("5.50")) == "5,5%"
    assert vat_label("Z", Decimal("0")) == "0%"
    assert vat_label("O", Decimal("0")) == "btw: niet onderworpen"
    assert vat_label("E", Decimal("0")) == "btw: vrijgesteld"

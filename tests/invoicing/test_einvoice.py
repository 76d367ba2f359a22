"""The UBL e-invoice: valid against the UBL 2.1 XSD, the official EN 16931 and
Peppol BIS 3.0 schematrons and the NLCIUS rules, with the right content; and
the validators are shown to reject broken documents. No database.

The sample invoices here are also used by test_invoice_pdf.py."""

import base64
import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from invoicing.data import (
    CREDITNOTA,
    FACTUUR,
    NOT_SUBJECT,
    STANDARD,
    InvoiceData,
    Line,
    Party,
    vat_subtotals,
)
from invoicing.einvoice import render_ubl

from .einvoice_validation import NS, nlcius_failures, schematron_failures, xsd_errors

# --- sample invoices ---------------------------------------------------------

COOPERATIE = Party(
    naam="Coöperatie Beware U.A.",
    adres="Stadhuisplein 10",
    postcode="5611 EM",
    plaats="Eindhoven",
    kvk="68750110",
    btw_id="NL857587973B01",
    email="info@beware.example",
)
GEMEENTE = Party(
    naam="Gemeente Oosterhout",
    adres="Slotjesveld 1",
    postcode="4902 HA",
    plaats="Oosterhout",
    oin="00000001002564440000",
    kvk="20166256",
)
STICHTING = Party(
    naam="Stichting ICT Samenwerking West-Brabant",
    adres="Markt 1",
    postcode="4611 AA",
    plaats="Bergen op Zoom",
    kvk="41103961",
)
IBAN = "NL91ABNA0417164300"
PDF_BYTES = b"%PDF-1.7\n% stands in for the rendered invoice\n%%EOF\n"


def invoice(*, regels, **overrides) -> InvoiceData:
    """An InvoiceData whose VAT breakdown and totals follow from its lines."""
    btw = vat_subtotals(regels)
    totaal_excl = sum((regel.bedrag for regel in regels), Decimal("0.00"))
    totaal_btw = sum((subtotal.btw for subtotal in btw), Decimal("0.00"))
    fields = {
        "soort": FACTUUR,
        "nummer": "2027-F-00042",
        "datum": date(2027, 3, 1),
        "vervaldatum": date(2027, 3, 31),
        "betalingskenmerk": "2027F00042",
        "kenmerk_koper": "INK-2027-0815",
        "omschrijving": "Kosten community Zaakgericht werken 2027",
        "verkoper": COOPERATIE,
        "koper": GEMEENTE,
        "iban": IBAN,
        "regels": tuple(regels),
        "btw": btw,
        "totaal_excl": totaal_excl,
        "totaal_btw": totaal_btw,
        "totaal_incl": totaal_excl + totaal_btw,
        "pdf": PDF_BYTES,
    }
    return InvoiceData(**(fields | overrides))


def two_standard_lines() -> InvoiceData:
    """(a) Two 21% lines, one over a period; the buyer has an OIN."""
    return invoice(
        regels=[
            Line(
                omschrijving="Aandeel business case Zaakgericht werken",
                bedrag=Decimal("18181.82"),
                btw_categorie=STANDARD,
                btw_percentage=Decimal("21"),
                periode_van=date(2027, 1, 1),
                periode_tot=date(2027, 12, 31),
            ),
            Line(
                omschrijving="Gebruik koppelingen (250 berichten à € 5,00)",
                bedrag=Decimal("1250.00"),
                btw_categorie=STANDARD,
                btw_percentage=Decimal("21"),
                aantal=Decimal("250"),
                eenheidsprijs=Decimal("5.00"),
            ),
        ]
    )


def contributie() -> InvoiceData:
    """(b) Contributie: one line not subject to VAT (category O)."""
    return invoice(
        nummer="2027-F-00007",
        betalingskenmerk="2027F00007",
        omschrijving="Contributie 2027",
        regels=[
            Line(
                omschrijving="Contributie 2027: 52.345 inwoners à € 1,0000",
                bedrag=Decimal("52345.00"),
                btw_categorie=NOT_SUBJECT,
                btw_percentage=Decimal("0"),
                periode_van=date(2027, 1, 1),
                periode_tot=date(2027, 12, 31),
            )
        ],
    )


def credit_note() -> InvoiceData:
    """(c) A credit note for part of invoice 2027-F-00042 (positive amounts)."""
    return invoice(
        soort=CREDITNOTA,
        nummer="2027-C-00003",
        datum=date(2027, 4, 2),
        vervaldatum=date(2027, 5, 2),
        betalingskenmerk="2027C00003",
        omschrijving="Correctie gebruik koppelingen maart 2027",
        gecorrigeerd_nummer="2027-F-00042",
        gecorrigeerd_datum=date(2027, 3, 1),
        regels=[
            Line(
                omschrijving="Gebruik koppelingen: 250 berichten te veel berekend",
                bedrag=Decimal("1250.00"),
                btw_categorie=STANDARD,
                btw_percentage=Decimal("21"),
            )
        ],
    )


def kvk_only_buyer() -> InvoiceData:
    """(d) A buyer without an OIN, addressed by KvK; a unit price of 100/3."""
    return invoice(
        koper=STICHTING,
        nummer="2027-F-00043",
        betalingskenmerk="2027F00043",
        omschrijving="Hosting 2027",
        regels=[
            Line(
                omschrijving="Hosting, drie omgevingen",
                bedrag=Decimal("100.00"),
                btw_categorie=STANDARD,
                btw_percentage=Decimal("21"),
                aantal=Decimal("3"),
            )
        ],
    )


SAMPLES = {
    "two-standard-lines": two_standard_lines,
    "contributie": contributie,
    "credit-note": credit_note,
    "kvk-only-buyer": kvk_only_buyer,
}
PROFILES = ("si-ubl-2.0", "peppol-bis-3")


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml)


def text(document: etree._Element, path: str) -> str:
    """The text of the one element (or attribute) at path; fails when there is none or more."""
    (found,) = document.xpath(path, namespaces=NS)
    return found if isinstance(found, str) else found.text


def count(document: etree._Element, path: str) -> int:
    return len(document.xpath(path, namespaces=NS))


def mutate(xml: bytes, change) -> bytes:
    """The document after change(root): to show the validators bite."""
    document = parse(xml)
    change(document)
    return etree.tostring(document, xml_declaration=True, encoding="UTF-8")


def rule_ids(failures: list[str]) -> list[str]:
    """The rule ids of "ID: text" failures."""
    return [failure.split(":")[0] for failure in failures]


def remove(document: etree._Element, path: str) -> None:
    for element in document.xpath(path, namespaces=NS):
        element.getparent().remove(element)


def set_text(document: etree._Element, path: str, value: str) -> None:
    for element in document.xpath(path, namespaces=NS):
        element.text = value


def set_scheme(document: etree._Element, path: str, scheme: str) -> None:
    for element in document.xpath(path, namespaces=NS):
        element.set("schemeID", scheme)


# --- valid by every official check -------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("profile", PROFILES)
def test_valid_against_xsd_and_en16931(sample, profile):
    xml = render_ubl(SAMPLES[sample](), profile=profile)
    assert xsd_errors(xml) == []
    assert schematron_failures(xml, "en16931") == []


@pytest.mark.parametrize("sample", SAMPLES)
def test_si_ubl_profile_passes_nlcius(sample):
    assert nlcius_failures(render_ubl(SAMPLES[sample]())) == []


@pytest.mark.parametrize("sample", SAMPLES)
def test_peppol_profile_passes_peppol_bis_with_dutch_rules(sample):
    assert schematron_failures(render_ubl(SAMPLES[sample](), profile="peppol-bis-3"), "peppol") == []


# --- content -----------------------------------------------------------------


def test_profile_identifiers():
    si_ubl = parse(render_ubl(two_standard_lines()))
    peppol = parse(render_ubl(two_standard_lines(), profile="peppol-bis-3"))
    assert text(si_ubl, "cbc:CustomizationID") == "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    assert (
        text(peppol, "cbc:CustomizationID")
        == "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    for document in (si_ubl, peppol):
        assert text(document, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def test_unknown_profile_is_refused():
    with pytest.raises(ValueError, match="e-factuurprofiel"):
        render_ubl(two_standard_lines(), profile="xrechnung")


def test_invoice_header_and_parties():
    document = parse(render_ubl(two_standard_lines()))
    assert etree.QName(document).localname == "Invoice"
    assert text(document, "cbc:ID") == "2027-F-00042"
    assert text(document, "cbc:IssueDate") == "2027-03-01"
    assert text(document, "cbc:DueDate") == "2027-03-31"
    assert text(document, "cbc:InvoiceTypeCode") == "380"
    assert text(document, "cbc:Note") == "Kosten community Zaakgericht werken 2027"
    assert text(document, "cbc:DocumentCurrencyCode") == "EUR"
    assert text(document, "cbc:BuyerReference") == "INK-2027-0815"

    supplier = "cac:AccountingSupplierParty/cac:Party"
    assert text(document, f"{supplier}/cbc:EndpointID[@schemeID='0106']") == "68750110"
    assert text(document, f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0106']") == "68750110"
    assert text(document, f"{supplier}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID") == (
        "NL857587973B01"
    )
    assert text(document, f"{supplier}/cac:PostalAddress/cbc:PostalZone") == "5611 EM"
    assert text(document, f"{supplier}/cac:Contact/cbc:ElectronicMail") == "info@beware.example"

    customer = "cac:AccountingCustomerParty/cac:Party"
    assert text(document, f"{customer}/cbc:EndpointID[@schemeID='0190']") == "00000001002564440000"
    assert text(document, f"{customer}/cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0190']") == (
        "00000001002564440000"
    )
    assert text(document, f"{customer}/cac:PostalAddress/cbc:StreetName") == "Slotjesveld 1"
    assert text(document, f"{customer}/cac:PostalAddress/cbc:CityName") == "Oosterhout"


def test_buyer_without_oin_is_addressed_by_kvk():
    document = parse(render_ubl(kvk_only_buyer()))
    customer = "cac:AccountingCustomerParty/cac:Party"
    assert text(document, f"{customer}/cbc:EndpointID[@schemeID='0106']") == "41103961"
    assert text(document, f"{customer}/cac:PartyLegalEntity/cbc:CompanyID[@schemeID='0106']") == "41103961"


def test_buyer_without_oin_or_kvk_is_refused():
    nameless = dataclasses.replace(GEMEENTE, oin="", kvk="")
    with pytest.raises(ValueError, match="geen OIN en geen KvK"):
        render_ubl(dataclasses.replace(two_standard_lines(), koper=nameless))


def test_vat_breakdown_totals_and_lines_are_exact():
    document = parse(render_ubl(two_standard_lines()))
    assert text(document, "cac:TaxTotal/cbc:TaxAmount") == "4080.68"
    assert text(document, "cac:TaxTotal/cbc:TaxAmount/@currencyID") == "EUR"
    subtotal = "cac:TaxTotal/cac:TaxSubtotal"
    assert count(document, subtotal) == 1
    assert text(document, f"{subtotal}/cbc:TaxableAmount") == "19431.82"
    assert text(document, f"{subtotal}/cbc:TaxAmount") == "4080.68"
    assert text(document, f"{subtotal}/cac:TaxCategory/cbc:ID") == "S"
    assert text(document, f"{subtotal}/cac:TaxCategory/cbc:Percent") == "21"

    totals = "cac:LegalMonetaryTotal"
    assert text(document, f"{totals}/cbc:LineExtensionAmount") == "19431.82"
    assert text(document, f"{totals}/cbc:TaxExclusiveAmount") == "19431.82"
    assert text(document, f"{totals}/cbc:TaxInclusiveAmount") == "23512.50"
    assert text(document, f"{totals}/cbc:PayableAmount") == "23512.50"

    first, second = document.xpath("cac:InvoiceLine", namespaces=NS)
    assert text(first, "cbc:ID") == "1"
    assert text(first, "cbc:InvoicedQuantity") == "1"
    assert text(first, "cbc:InvoicedQuantity/@unitCode") == "C62"
    assert text(first, "cbc:LineExtensionAmount") == "18181.82"
    assert text(first, "cac:InvoicePeriod/cbc:StartDate") == "2027-01-01"
    assert text(first, "cac:InvoicePeriod/cbc:EndDate") == "2027-12-31"
    assert text(first, "cac:Item/cbc:Name") == "Aandeel business case Zaakgericht werken"
    assert text(first, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent") == "21"
    assert text(first, "cac:Price/cbc:PriceAmount") == "18181.82"
    assert count(second, "cac:InvoicePeriod") == 0
    assert text(second, "cbc:InvoicedQuantity") == "250"
    assert text(second, "cac:Price/cbc:PriceAmount") == "5.00"


def test_unit_price_that_is_not_whole_cents_gets_four_decimals():
    document = parse(render_ubl(kvk_only_buyer()))
    assert text(document, "cac:InvoiceLine/cbc:InvoicedQuantity") == "3"
    assert text(document, "cac:InvoiceLine/cac:Price/cbc:PriceAmount") == "33.3333"
    assert text(document, "cac:InvoiceLine/cbc:LineExtensionAmount") == "100.00"


def test_payment_means_and_terms():
    document = parse(render_ubl(two_standard_lines()))
    assert text(document, "cac:PaymentMeans/cbc:PaymentMeansCode") == "58"
    assert text(document, "cac:PaymentMeans/cbc:PaymentID") == "2027F00042"
    assert text(document, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    assert text(document, "cac:PaymentTerms/cbc:Note") == "Betaling binnen 30 dagen o.v.v. 2027F00042"


def test_embedded_pdf_decodes_to_the_given_bytes():
    document = parse(render_ubl(two_standard_lines()))
    attachment = "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject"
    assert text(document, f"{attachment}/@mimeCode") == "application/pdf"
    assert text(document, f"{attachment}/@filename") == "2027-F-00042.pdf"
    assert base64.b64decode(text(document, attachment)) == PDF_BYTES


def test_without_pdf_there_is_no_attachment():
    document = parse(render_ubl(dataclasses.replace(two_standard_lines(), pdf=None)))
    assert count(document, "cac:AdditionalDocumentReference") == 0


def test_not_subject_invoice_has_no_seller_vat_id_and_no_rate():
    document = parse(render_ubl(contributie()))
    assert count(document, "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme") == 0
    assert count(document, "//cbc:Percent") == 0
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert text(document, f"{category}/cbc:ID") == "O"
    assert text(document, f"{category}/cbc:TaxExemptionReason") == "Niet onderworpen aan btw"
    assert text(document, "cac:TaxTotal/cbc:TaxAmount") == "0.00"
    assert text(document, "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount") == "52345.00"
    assert text(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "52345.00"
    assert text(document, "cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID") == "O"


def test_credit_note_references_the_invoice():
    document = parse(render_ubl(credit_note()))
    assert etree.QName(document).localname == "CreditNote"
    assert text(document, "cbc:CreditNoteTypeCode") == "381"
    assert text(document, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "2027-F-00042"
    # NLCIUS BR-NL-24 advises against the corrected invoice's date.
    assert count(document, "cac:BillingReference//cbc:IssueDate") == 0
    assert count(document, "cbc:DueDate") == 0
    assert text(document, "cac:PaymentMeans/cbc:PaymentDueDate") == "2027-05-02"
    assert text(document, "cac:PaymentTerms/cbc:Note") == "Creditnota bij factuur 2027-F-00042"
    assert text(document, "cac:CreditNoteLine/cbc:CreditedQuantity") == "1"
    assert text(document, "cac:CreditNoteLine/cbc:LineExtensionAmount") == "1250.00"
    assert text(document, "cac:LegalMonetaryTotal/cbc:PayableAmount") == "1512.50"
    assert count(document, "cac:InvoiceLine") == 0


def test_xml_is_utf8_with_declaration():
    xml = render_ubl(two_standard_lines())
    assert xml.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    assert "Coöperatie Beware U.A.".encode() in xml


# --- the validators bite -----------------------------------------------------


def test_xsd_rejects_elements_out_of_order():
    def due_date_after_type_code(document):
        due_date = document.find("cbc:DueDate", NS)
        document.find("cbc:InvoiceTypeCode", NS).addnext(due_date)

    broken = mutate(render_ubl(two_standard_lines()), due_date_after_type_code)
    assert any("DueDate" in error for error in xsd_errors(broken))


def test_xsd_rejects_an_unknown_element():
    broken = mutate(
        render_ubl(credit_note()),
        lambda d: d.find("cbc:CreditNoteTypeCode", NS).addnext(etree.Element(f"{{{NS['cbc']}}}DueDate")),
    )
    assert xsd_errors(broken) != []


def test_en16931_rejects_totals_that_do_not_add_up():
    data = two_standard_lines()
    broken = render_ubl(dataclasses.replace(data, totaal_incl=data.totaal_incl + Decimal("0.01")))
    assert xsd_errors(broken) == []
    failures = schematron_failures(broken, "en16931")
    assert rule_ids(failures) == ["BR-CO-15"]


def test_en16931_rejects_a_wrong_vat_amount():
    # BR-S-09 tolerates up to € 1 per category; exact cents are asserted above.
    data = two_standard_lines()
    (subtotal,) = data.btw
    wrong = dataclasses.replace(subtotal, btw=subtotal.btw + Decimal("5.00"))
    broken = render_ubl(
        dataclasses.replace(data, btw=(wrong,), totaal_btw=wrong.btw, totaal_incl=data.totaal_excl + wrong.btw)
    )
    assert "BR-S-09" in rule_ids(schematron_failures(broken, "en16931"))


def test_en16931_rejects_seller_vat_id_on_a_not_subject_invoice():
    def add_vat_id(document):
        party = document.find("cac:AccountingSupplierParty/cac:Party", NS)
        tax_scheme = etree.fromstring(
            f'<cac:PartyTaxScheme xmlns:cac="{NS["cac"]}" xmlns:cbc="{NS["cbc"]}">'
            "<cbc:CompanyID>NL857587973B01</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
            "</cac:PartyTaxScheme>"
        )
        party.find("cac:PostalAddress", NS).addnext(tax_scheme)

    broken = mutate(render_ubl(contributie()), add_vat_id)
    assert xsd_errors(broken) == []
    assert "BR-O-02" in rule_ids(schematron_failures(broken, "en16931"))


def test_missing_buyer_reference_is_rejected_by_nlcius_and_peppol():
    data = dataclasses.replace(two_standard_lines(), kenmerk_koper="")
    assert nlcius_failures(render_ubl(data)) == ["BR-NL-2: /Invoice"]
    peppol = schematron_failures(render_ubl(data, profile="peppol-bis-3"), "peppol")
    assert rule_ids(peppol) == ["PEPPOL-EN16931-R003"]


def test_peppol_applies_the_dutch_rules():
    # NL-R-001: a Dutch supplier's credit note must reference the invoice.
    data = dataclasses.replace(credit_note(), gecorrigeerd_nummer="")
    peppol = schematron_failures(render_ubl(data, profile="peppol-bis-3"), "peppol")
    assert "NL-R-001" in rule_ids(peppol)


def test_peppol_rejects_the_si_ubl_customization():
    peppol = schematron_failures(render_ubl(two_standard_lines()), "peppol")
    assert "PEPPOL-EN16931-R004" in rule_ids(peppol)


SUPPLIER = "/*/cac:AccountingSupplierParty/cac:Party"
CUSTOMER = "/*/cac:AccountingCustomerParty/cac:Party"


@pytest.mark.parametrize(
    ("rule", "sample", "change"),
    [
        (
            "BR-NL-1",
            two_standard_lines,
            lambda d: set_scheme(d, f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID", "0088"),
        ),
        ("BR-NL-1", two_standard_lines, lambda d: remove(d, f"{SUPPLIER}/cac:PartyLegalEntity/cbc:CompanyID")),
        ("BR-NL-2", two_standard_lines, lambda d: remove(d, "/*/cbc:BuyerReference")),
        ("BR-NL-3", two_standard_lines, lambda d: remove(d, f"{SUPPLIER}/cac:PostalAddress/cbc:StreetName")),
        ("BR-NL-4", kvk_only_buyer, lambda d: remove(d, f"{CUSTOMER}/cac:PostalAddress/cbc:PostalZone")),
        ("BR-NL-7", two_standard_lines, lambda d: set_text(d, "/*/cbc:InvoiceTypeCode", "326")),
        ("BR-NL-8", two_standard_lines, lambda d: set_text(d, "/*/cbc:InvoiceTypeCode", "381")),
        ("BR-NL-8", credit_note, lambda d: set_text(d, "/*/cbc:CreditNoteTypeCode", "380")),
        ("BR-NL-9", two_standard_lines, lambda d: set_text(d, "/*/cbc:InvoiceTypeCode", "384")),
        ("BR-NL-10", kvk_only_buyer, lambda d: set_scheme(d, f"{CUSTOMER}/cac:PartyLegalEntity/cbc:CompanyID", "0088")),
        ("BR-NL-11", credit_note, lambda d: remove(d, "/*/cac:PaymentMeans")),
        ("BR-NL-12", contributie, lambda d: set_text(d, "/*/cac:PaymentMeans/cbc:PaymentMeansCode", "1")),
    ],
)
def test_nlcius_checks_bite(rule, sample, change):
    broken = mutate(render_ubl(sample()), change)
    assert rule in rule_ids(nlcius_failures(broken))


def test_nlcius_order_line_reference_needs_an_order_reference():
    def add_order_line_reference(document):
        line = document.find("cac:InvoiceLine", NS)
        reference = etree.SubElement(line, f"{{{NS['cac']}}}OrderLineReference")
        etree.SubElement(reference, f"{{{NS['cbc']}}}LineID").text = "1"

    broken = mutate(render_ubl(two_standard_lines()), add_order_line_reference)
    assert rule_ids(nlcius_failures(broken)) == ["BR-NL-13"]


def test_nlcius_checks_only_si_ubl_documents():
    data = dataclasses.replace(two_standard_lines(), kenmerk_koper="")
    assert nlcius_failures(render_ubl(data, profile="peppol-bis-3")) == []


def test_an_unknown_buyer_address_is_named_by_the_rules_not_written_empty():
    data = dataclasses.replace(two_standard_lines(), koper=dataclasses.replace(GEMEENTE, adres=""))
    xml = render_ubl(data)
    assert count(parse(xml), "//cac:AccountingCustomerParty//cbc:StreetName") == 0
    assert rule_ids(nlcius_failures(xml)) == ["BR-NL-4"]

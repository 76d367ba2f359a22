"""A finalised invoice or credit note as plain data: what the PDF and the UBL
e-invoice are rendered from. Built once from the stored, immutable rows
(selectors.invoice_data), so both documents show exactly the same figures.

Pure: no Django import. Amounts are Decimals with 2 places; a credit note
carries positive amounts (the document type says it is a credit)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from beware.common.money import round_money

FACTUUR = "factuur"
CREDITNOTA = "creditnota"

# VAT categories of EN 16931 (UNCL5305) that the coöperatie uses.
STANDARD = "S"  # standaardtarief
NOT_SUBJECT = "O"  # niet onderworpen aan btw
EXEMPT = "E"  # vrijgesteld
ZERO = "Z"  # nultarief


@dataclass(frozen=True)
class Party:
    naam: str
    adres: str  # street and number, one line
    postcode: str
    plaats: str
    land: str = "NL"
    kvk: str = ""
    oin: str = ""
    btw_id: str = ""
    email: str = ""


@dataclass(frozen=True)
class Line:
    omschrijving: str
    bedrag: Decimal  # excl. btw
    btw_categorie: str
    btw_percentage: Decimal  # 0 for O/E/Z
    aantal: Decimal = Decimal("1")
    eenheidsprijs: Decimal | None = None  # None: bedrag / aantal
    periode_van: date | None = None
    periode_tot: date | None = None

    @property
    def prijs(self) -> Decimal:
        return self.eenheidsprijs if self.eenheidsprijs is not None else self.bedrag / self.aantal


@dataclass(frozen=True)
class VatSubtotal:
    categorie: str
    percentage: Decimal
    grondslag: Decimal
    btw: Decimal


@dataclass(frozen=True)
class InvoiceData:
    soort: str  # FACTUUR or CREDITNOTA
    nummer: str
    datum: date
    vervaldatum: date | None
    betalingskenmerk: str
    kenmerk_koper: str  # the member's factuurkenmerk for the year (BuyerReference)
    omschrijving: str
    verkoper: Party
    koper: Party
    iban: str
    regels: tuple[Line, ...]
    btw: tuple[VatSubtotal, ...]
    totaal_excl: Decimal
    totaal_btw: Decimal
    totaal_incl: Decimal
    # A credit note: the invoice it corrects (BillingReference, BT-25).
    gecorrigeerd_nummer: str = ""
    gecorrigeerd_datum: date | None = None
    # The PDF, embedded in the UBL as an additional document reference.
    pdf: bytes | None = field(default=None, repr=False)
    bic: str = ""


def vat_subtotals(regels) -> tuple[VatSubtotal, ...]:
    """VAT per (category, rate): the base is the sum of the lines, the VAT is
    computed once on that base and rounded half up (EN 16931 BR-CO-17), never
    per line."""
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for regel in regels:
        key = (regel.btw_categorie, regel.btw_percentage)
        bases[key] = bases.get(key, Decimal("0.00")) + regel.bedrag
    return tuple(
        VatSubtotal(categorie, percentage, grondslag, round_money(grondslag * percentage / 100))
        for (categorie, percentage), grondslag in sorted(bases.items())
    )

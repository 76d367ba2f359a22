"""What the API shows, field by field, with Dutch descriptions for the
OpenAPI schema. Read-only: no serializer here saves anything."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from invoicing import selectors
from invoicing.models import Invoice

STATUSES = [
    ("open", "Open: nog (deels) te betalen, vervaldatum niet verstreken"),
    ("betaald", "Betaald"),
    ("vervallen", "Vervallen: open en de vervaldatum is verstreken"),
    ("verwerkt", "Verwerkt: een definitieve creditnota"),
]
ORDERINGS = [
    ("nummer", "Op nummer, oplopend"),
    ("-nummer", "Op nummer, aflopend"),
    ("datum", "Op factuurdatum, oudste eerst"),
    ("-datum", "Op factuurdatum, nieuwste eerst"),
]


# The largest id a filter takes: beyond it SQLite overflows (a 500) rather than finding nothing.
MAX_ID = 2**31 - 1


def amount(help_text: str, source: str | None = None) -> serializers.DecimalField:
    """An amount in euro as a string with two decimals ("18181.82"), never a float."""
    return serializers.DecimalField(
        source=source, max_digits=12, decimal_places=2, coerce_to_string=True, read_only=True, help_text=help_text
    )


class FactuurSerializer(serializers.Serializer):
    """Een definitieve factuur of creditnota."""

    nummer = serializers.CharField(
        read_only=True,
        help_text="Factuurnummer: jaar, reeks (F factuur, C creditnota) en volgnummer, bijv. 2026-F-00001.",
    )
    lid = serializers.IntegerField(
        source="member_id", read_only=True, help_text="Id van het lid dat de factuur krijgt."
    )
    soort = serializers.ChoiceField(choices=Invoice.Kind.choices, read_only=True, help_text="factuur of creditnota.")
    datum = serializers.DateField(source="factuurdatum", read_only=True, help_text="Factuurdatum.")
    vervaldatum = serializers.DateField(
        read_only=True, allow_null=True, help_text="Uiterste betaaldatum; leeg bij een creditnota."
    )
    totaal = amount("Totaalbedrag inclusief btw in euro, als tekst met twee decimalen.", source="totaal_incl")
    btw = amount("Btw-bedrag in euro, als tekst met twee decimalen.", source="totaal_btw")
    status = serializers.SerializerMethodField(
        help_text="open, betaald, vervallen (open en na de vervaldatum) of verwerkt (creditnota)."
    )
    pdf = serializers.SerializerMethodField(
        help_text="URL van de PDF van de factuur; leeg zolang de PDF nog niet is gemaakt."
    )
    ubl = serializers.SerializerMethodField(
        help_text="URL van de e-factuur (UBL-XML, met de PDF erin); leeg zolang die nog niet is gemaakt."
    )

    @extend_schema_field(serializers.ChoiceField(choices=STATUSES))
    def get_status(self, invoice: Invoice) -> str:
        return selectors.display_status(invoice, self.context["today"])

    def _document_url(self, invoice: Invoice, field: str) -> str | None:
        if not getattr(invoice, field):
            return None
        return reverse(f"api:factuur-{field}", kwargs={"nummer": invoice.nummer}, request=self.context["request"])

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_pdf(self, invoice: Invoice) -> str | None:
        return self._document_url(invoice, "pdf")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_ubl(self, invoice: Invoice) -> str | None:
        return self._document_url(invoice, "ubl")


class FactuurFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    jaar = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text="Alleen facturen met een factuurdatum in dit jaar."
    )
    lid = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Alleen facturen van dit lid (id)."
    )
    status = serializers.ChoiceField(
        choices=STATUSES, required=False, help_text="Alleen facturen met deze status (zoals in het veld status)."
    )
    soort = serializers.ChoiceField(
        choices=Invoice.Kind.choices, required=False, help_text="Alleen facturen of alleen creditnota's."
    )
    ordering = serializers.ChoiceField(
        choices=ORDERINGS,
        required=False,
        help_text="Sortering: nummer of datum, met een minteken voor aflopend. Standaard: nieuwste nummer eerst.",
    )


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Naam van de parameter of het veld.")
    code = serializers.CharField(help_text="Foutcode, bijv. invalid, required, invalid_choice.")
    reason = serializers.CharField(help_text="Wat er mis is, in het Nederlands.")


class ProblemSerializer(serializers.Serializer):
    """Een fout als application/problem+json (RFC 9457)."""

    type = serializers.CharField(help_text="URI van het soort fout.")
    title = serializers.CharField(help_text="Korte omschrijving van het soort fout.")
    status = serializers.IntegerField(help_text="De HTTP-statuscode.")
    detail = serializers.CharField(help_text="Uitleg bij deze fout.")
    code = serializers.CharField(required=False, help_text="Foutcode voor programma's.")
    instance = serializers.CharField(required=False, help_text="Het pad van het verzoek.")
    invalidParams = InvalidParamSerializer(  # camelCase, as the NL API Design Rules name it
        many=True, required=False, help_text="Bij een 400: de ongeldige parameters of velden."
    )

"""REST API v1 (ARCHITECTURE.md "REST API v1", docs/api.md). This first slice
serves the facturen: read-only, with their PDF and UBL. Nothing here writes;
every write method is answered with 405, and the models refuse changes to a
final invoice anyway."""

from datetime import date

from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.utils import timezone, translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer

from beware.common.permissions import can
from invoicing import selectors
from invoicing.models import Invoice

from .problems import PROBLEM_JSON
from .serializers import FactuurFilterSerializer, FactuurSerializer, ProblemSerializer

READ_ONLY = (
    "Facturen zijn via de API alleen te lezen. Een definitieve factuur kan niet worden gewijzigd of "
    "verwijderd; corrigeer met een creditnota."
)
NOT_VISIBLE = "Deze factuur bestaat niet of u heeft er geen toegang toe."
ORDER_BY = {
    "nummer": ["nummer"],
    "-nummer": ["-nummer"],
    "datum": ["factuurdatum", "nummer"],
    "-datum": ["-factuurdatum", "-nummer"],
}


# --- reads ---------------------------------------------------------------------


def facturen_for(user) -> QuerySet[Invoice]:
    """The finalised invoices and credit notes the user may see (the rule of
    selectors.may_view_invoice, as one query); drafts never appear."""
    invoices = Invoice.objects.exclude(status=Invoice.Status.CONCEPT)
    if selectors.may_manage(user) or can(user, selectors.VIEW_MEMBER):
        return invoices
    return invoices.filter(member__in=selectors.members_with_visible_invoices(user))


def facturen_filter(
    invoices: QuerySet[Invoice],
    *,
    today: date,
    jaar: int | None = None,
    lid: int | None = None,
    status: str = "",
    soort: str = "",
    ordering: str = "",
) -> QuerySet[Invoice]:
    """Filter as the list's query parameters ask. `status` is the status as
    shown (selectors.display_status): open excludes what is past due."""
    if jaar:
        invoices = invoices.filter(jaar=jaar)
    if lid:
        invoices = invoices.filter(member_id=lid)
    if soort:
        invoices = invoices.filter(soort=soort)
    past_due = Q(status=Invoice.Status.OPEN, vervaldatum__lt=today)
    if status == "vervallen":
        invoices = invoices.filter(past_due)
    elif status == Invoice.Status.OPEN:
        invoices = invoices.filter(status=Invoice.Status.OPEN).exclude(past_due)
    elif status:
        invoices = invoices.filter(status=status)
    if ordering:
        invoices = invoices.order_by(*ORDER_BY[ordering])
    return invoices


# --- the view ------------------------------------------------------------------


class DocumentRenderer(BaseRenderer):
    """Lets a client ask for the document's own type (Accept: application/pdf)
    without a 406. The document itself is a FileResponse and never reaches a
    renderer; only a problem does, and that is rendered as JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, renderer_context=renderer_context)


class PDFRenderer(DocumentRenderer):
    media_type = "application/pdf"
    format = "pdf"


class XMLRenderer(DocumentRenderer):
    media_type = "application/xml"
    format = "xml"


class DutchAPIView:
    """The API speaks Dutch (NL API Design Rules), whatever Accept-Language
    says; a method a resource does not take is a 405 saying why (`read_only`)."""

    read_only = ""

    def dispatch(self, request, *args, **kwargs):
        with translation.override("nl"):
            response = super().dispatch(request, *args, **kwargs)
        response.headers.setdefault("Content-Language", "nl")
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method, detail=self.read_only or None)


def problems(*statuses: int) -> dict:
    return {(code, PROBLEM_JSON): ProblemSerializer for code in statuses}


FACTUUR_NOT_FOUND = {
    (404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="Niet gevonden, of geen toegang."),
}


def document_schema(media_type: str, naam: str):
    return extend_schema(
        summary=f"{naam} van een factuur",
        description=(
            f"Het opgeslagen bestand, zoals het bij het definitief maken is vastgelegd. 404 als de "
            f"factuur niet bestaat, u er geen toegang toe heeft, of de {naam} nog niet is gemaakt."
        ),
        # The ?format= override DRF accepts because of the second renderer is no part of the contract.
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={(200, media_type): OpenApiTypes.BINARY, **problems(401, 403), **FACTUUR_NOT_FOUND},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Facturen en creditnota's",
        description=(
            "De definitieve facturen en creditnota's die u mag zien: de directie alle, een lid die van de "
            "leden waarvoor u een rol heeft. Concepten staan hier nooit in. Alleen lezen."
        ),
        parameters=[FactuurFilterSerializer],
        responses={200: FactuurSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén factuur of creditnota",
        description="Op nummer. 404 als de factuur niet bestaat of u er geen toegang toe heeft.",
        responses={200: FactuurSerializer, **problems(401, 403), **FACTUUR_NOT_FOUND},
    ),
    pdf=document_schema(PDFRenderer.media_type, "PDF"),
    ubl=document_schema(XMLRenderer.media_type, "e-factuur (UBL)"),
)
@extend_schema(tags=["facturen"])
class FactuurViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Facturen en creditnota's van de coöperatie aan haar leden (alleen lezen)."""

    serializer_class = FactuurSerializer
    lookup_field = "nummer"
    lookup_value_regex = r"[^/]+"
    read_only = READ_ONLY

    def get_queryset(self):
        return facturen_for(self.request.user)

    def list(self, request, *args, **kwargs):
        params = FactuurFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        invoices = facturen_filter(self.get_queryset(), today=self.today, **params.validated_data)
        page = self.paginate_queryset(invoices)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Invoice:
        invoice = self.get_queryset().filter(nummer=self.kwargs["nummer"]).first()
        if invoice is None:
            raise exceptions.NotFound(NOT_VISIBLE)
        return invoice

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    @property
    def today(self) -> date:
        if not hasattr(self, "_today"):
            self._today = timezone.localdate()
        return self._today

    def _document(self, field: str, extension: str, content_type: str) -> FileResponse:
        invoice = self.get_object()
        document = getattr(invoice, field)
        if not document:
            raise exceptions.NotFound(f"Het bestand ({extension}) van factuur {invoice.nummer} is nog niet gemaakt.")
        return FileResponse(
            document.open("rb"), as_attachment=True, filename=f"{invoice.nummer}.{extension}", content_type=content_type
        )

    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PDFRenderer])
    def pdf(self, request, nummer=None):
        return self._document("pdf", "pdf", PDFRenderer.media_type)

    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XMLRenderer])
    def ubl(self, request, nummer=None):
        return self._document("ubl", "xml", XMLRenderer.media_type)

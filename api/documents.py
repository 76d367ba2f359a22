"""REST API v1, documenten: the governance document register, read-only,
with downloads of each version. Visibility is governance.selectors'
visible_documents, as on the pages: a document the caller may not see is a
404, on the list, the detail and the download alike."""

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.reverse import reverse

from governance import selectors, uploads
from governance.models import Document, DocumentVersion

from .problems import PROBLEM_JSON
from .serializers import ProblemSerializer
from .views import DocumentRenderer, DutchAPIView, PDFRenderer, problems

READ_ONLY = "Documenten zijn via de API alleen te lezen; beheer het register in het portaal."
NOT_VISIBLE = "Dit document bestaat niet of u heeft er geen toegang toe."


# --- serializers -------------------------------------------------------------------


class DocumentVersieSerializer(serializers.Serializer):
    """Eén geüploade versie van een document."""

    nummer = serializers.IntegerField(read_only=True, help_text="Versienummer, vanaf 1.")
    bestandsnaam = serializers.CharField(read_only=True, help_text="De oorspronkelijke bestandsnaam.")
    content_type = serializers.CharField(
        read_only=True, help_text="Het bestandstype zoals de inhoud het toont: PDF, ODT of DOCX (MIME-type)."
    )
    grootte = serializers.IntegerField(read_only=True, help_text="Grootte van het bestand in bytes.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 van het bestand (hexadecimaal).")
    download = serializers.SerializerMethodField(help_text="Absolute URL om deze versie te downloaden.")

    @extend_schema_field(serializers.URLField())
    def get_download(self, version: DocumentVersion) -> str:
        return reverse(
            "api:document-versie",
            kwargs={"pk": version.document_id, "nummer": version.nummer},
            request=self.context["request"],
        )


class DocumentSerializer(serializers.Serializer):
    """Een document uit het documentregister."""

    id = serializers.IntegerField(read_only=True, help_text="Id van het document.")
    titel = serializers.CharField(read_only=True, help_text="Titel van het document.")
    soort = serializers.ChoiceField(
        choices=Document.Kind.choices, read_only=True, help_text="Soort document, bijv. statuten of jaarrekening."
    )
    doelgroep = serializers.ChoiceField(
        choices=Document.Audience.choices,
        read_only=True,
        help_text="Voor wie het document is: leden, rvc, directie of community.",
    )
    community = serializers.CharField(
        source="community.slug",
        read_only=True,
        allow_null=True,
        help_text="Code (slug) van de community bij doelgroep community; anders leeg.",
    )
    jaar = serializers.IntegerField(read_only=True, allow_null=True, help_text="Het jaar waarover het gaat.")
    kwartaal = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Het kwartaal (1 tot en met 4), bij een kwartaalrapportage."
    )
    status = serializers.ChoiceField(
        choices=Document.Status.choices, read_only=True, help_text="concept of vastgesteld."
    )
    vastgesteld_op = serializers.DateField(
        read_only=True, allow_null=True, help_text="Datum van het vaststellingsbesluit; leeg bij een concept."
    )
    besluit = serializers.CharField(
        source="besluit.kenmerk",
        read_only=True,
        allow_null=True,
        help_text="Kenmerk van het besluit dat het document vaststelde; leeg bij een concept.",
    )
    versies = DocumentVersieSerializer(
        source="versions", many=True, read_only=True, help_text="De versies van het document, oudste eerst."
    )


class DocumentFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    soort = serializers.ChoiceField(
        choices=Document.Kind.choices, required=False, help_text="Alleen documenten van deze soort."
    )
    status = serializers.ChoiceField(
        choices=Document.Status.choices, required=False, help_text="Alleen concepten of alleen vastgestelde documenten."
    )
    zoekterm = serializers.CharField(
        required=False, max_length=100, help_text="Zoek in de titel en in de bestandsnamen van de versies."
    )


# --- renderers for the downloads ----------------------------------------------------


class ODTRenderer(DocumentRenderer):
    media_type = uploads.ODT
    format = "odt"


class DOCXRenderer(DocumentRenderer):
    media_type = uploads.DOCX
    format = "docx"


# --- the view ------------------------------------------------------------------------

DOCUMENT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id van het document.")
DOCUMENT_NOT_FOUND = {
    (404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="Niet gevonden, of geen toegang."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Documenten",
        description=(
            "De documenten uit het documentregister die u mag zien: beheerders alle, anderen wat gedeeld of "
            "vastgesteld is voor een doelgroep waartoe zij behoren (alle leden, de RvC, de directie, of de "
            "deelnemers van een community). Nieuwste eerst. Alleen lezen."
        ),
        parameters=[DocumentFilterSerializer],
        responses={200: DocumentSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén document",
        description="Op id, met zijn versies. 404 als het document niet bestaat of u het niet mag zien.",
        parameters=[DOCUMENT_ID],
        responses={200: DocumentSerializer, **problems(401, 403), **DOCUMENT_NOT_FOUND},
    ),
    versie=extend_schema(
        summary="Een versie van een document downloaden",
        description=(
            "Het opgeslagen bestand (PDF, ODT of DOCX) met de oorspronkelijke bestandsnaam. 404 als het document "
            "of de versie niet bestaat of u het document niet mag zien."
        ),
        parameters=[
            DOCUMENT_ID,
            OpenApiParameter("nummer", OpenApiTypes.INT, OpenApiParameter.PATH, description="Versienummer."),
            OpenApiParameter("format", exclude=True),
        ],
        responses={
            (200, PDFRenderer.media_type): OpenApiTypes.BINARY,
            (200, ODTRenderer.media_type): OpenApiTypes.BINARY,
            (200, DOCXRenderer.media_type): OpenApiTypes.BINARY,
            **problems(401, 403),
            **DOCUMENT_NOT_FOUND,
        },
    ),
)
@extend_schema(tags=["documenten"])
class DocumentViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Het documentregister van de coöperatie (alleen lezen)."""

    serializer_class = DocumentSerializer
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"[0-9]+"
    read_only = READ_ONLY

    def get_queryset(self):
        return (
            selectors.visible_documents(self.request.user)
            .select_related("community", "besluit")
            .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("nummer")))
            .order_by("-aangemaakt_op", "-id")
        )

    def list(self, request, *args, **kwargs):
        params = DocumentFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        documents = (
            selectors.document_register(request.user, **params.validated_data)
            .select_related("community", "besluit")
            .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("nummer")))
        )
        page = self.paginate_queryset(documents)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Document:
        document = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if document is None:
            raise exceptions.NotFound(NOT_VISIBLE)
        return document

    @action(
        detail=True,
        methods=["get"],
        url_path=r"versies/(?P<nummer>[0-9]+)",
        renderer_classes=[JSONRenderer, PDFRenderer, ODTRenderer, DOCXRenderer],
    )
    def versie(self, request, pk=None, nummer=None):
        document = self.get_object()
        version = next((v for v in document.versions.all() if v.nummer == int(nummer)), None)
        if version is None:
            raise exceptions.NotFound(f"Versie {nummer} van dit document bestaat niet.")
        return FileResponse(
            version.bestand.open("rb"),
            as_attachment=True,
            filename=version.bestandsnaam,
            content_type=version.content_type,
        )

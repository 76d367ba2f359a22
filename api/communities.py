"""REST API v1: the communities catalogue and each community's current
participants, read-only. Every logged-in user sees them, as in the portal
(docs/decisions/0013); joining and leaving go through the portal."""

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, viewsets

from communities import selectors
from communities.models import Community, Participation

from .problems import PROBLEM_JSON
from .serializers import MAX_ID, ProblemSerializer
from .views import DutchAPIView, problems

READ_ONLY = (
    "Communities en hun deelnemers zijn via de API alleen te lezen; deelname vraagt u aan en beheert u in het portaal."
)
NOT_FOUND = "Deze community bestaat niet."
COMMUNITY_ORDER = {"naam": ["naam"], "-naam": ["-naam"], "slug": ["slug"], "-slug": ["-slug"]}
DEELNEMER_ORDER = {"datum": ["datum", "member__naam", "id"], "-datum": ["-datum", "member__naam", "id"]}


class CommunitySerializer(serializers.Serializer):
    """Een community: één softwarepakket met de leden die het samen ontwikkelen en beheren."""

    slug = serializers.SlugField(read_only=True, help_text="Vaste code van de community, bijv. corv.")
    naam = serializers.CharField(read_only=True, help_text="Naam van de community.")
    status = serializers.ChoiceField(
        choices=Community.Status.choices,
        read_only=True,
        help_text="Fase: idee, verkenning, ontwikkeling, productie, beheer of uitgefaseerd.",
    )
    trekker = serializers.IntegerField(
        source="trekker_id", read_only=True, help_text="Id van het lid dat het initiatief nam (de trekker)."
    )


class CommunityFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    zoekterm = serializers.CharField(
        required=False, max_length=100, help_text="Zoek in naam, samenvatting, beschrijving en leverancier."
    )
    status = serializers.ChoiceField(
        choices=Community.Status.choices, required=False, help_text="Alleen communities in deze fase."
    )
    trekker = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Alleen communities met dit lid (id) als trekker."
    )
    ordering = serializers.ChoiceField(
        choices=[(key, key) for key in COMMUNITY_ORDER],
        required=False,
        help_text="Sortering: naam of slug, met een minteken voor aflopend. Standaard: naam.",
    )


class CommunityDeelnemerSerializer(serializers.Serializer):
    """Een lid dat nu deelneemt aan de community."""

    lid = serializers.IntegerField(source="member_id", read_only=True, help_text="Id van het deelnemende lid.")
    datum = serializers.DateField(read_only=True, help_text="Datum waarop het lid deelnemer werd.")
    # Text, not a second enum of the same choices: the schema would name that set twice.
    fase = serializers.CharField(
        read_only=True,
        help_text=(
            "De fase van de community toen het lid deelnemer werd, met dezelfde waarden als status van de "
            "community (idee, verkenning, ontwikkeling, productie, beheer of uitgefaseerd)."
        ),
    )


class CommunityDeelnemerFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    ordering = serializers.ChoiceField(
        choices=[(key, key) for key in DEELNEMER_ORDER],
        required=False,
        help_text="Sortering op datum van deelname, met een minteken voor nieuwste eerst. Standaard: datum.",
    )


def communities_filter(
    *, zoekterm: str = "", status: str = "", trekker: int | None = None, ordering: str = ""
) -> QuerySet[Community]:
    communities = selectors.catalogue(zoekterm=zoekterm, status=status)
    if trekker:
        communities = communities.filter(trekker_id=trekker)
    return communities.order_by(*COMMUNITY_ORDER[ordering or "naam"])


def deelnemers(community: Community, *, ordering: str = "") -> QuerySet[Participation]:
    """The current participants, as on the community page: accepted and not left."""
    return community.participations.filter(status=Participation.Status.DEELNEMER, einddatum__isnull=True).order_by(
        *DEELNEMER_ORDER[ordering or "datum"]
    )


def community_or_404(slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise exceptions.NotFound(NOT_FOUND)
    return community


SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Code (slug) van de community.")
COMMUNITY_404 = {(404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=NOT_FOUND)}


@extend_schema_view(
    list=extend_schema(
        summary="Communities",
        description="De catalogus: alle communities, voor iedere ingelogde gebruiker. Alleen lezen.",
        parameters=[CommunityFilterSerializer],
        responses={200: CommunitySerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén community",
        description="Op slug.",
        parameters=[SLUG],
        responses={200: CommunitySerializer, **problems(401, 403), **COMMUNITY_404},
    ),
)
@extend_schema(tags=["communities"])
class CommunityViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """De communities van de coöperatie (alleen lezen)."""

    serializer_class = CommunitySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[^/]+"
    read_only = READ_ONLY

    def list(self, request, *args, **kwargs):
        params = CommunityFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(communities_filter(**params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Community:
        return community_or_404(self.kwargs["slug"])


@extend_schema_view(
    list=extend_schema(
        summary="Deelnemers van een community",
        description=(
            "De leden die nu deelnemen, met de datum en de fase van de community bij hun deelname; vertrokken "
            "leden en openstaande aanvragen staan er niet in. 404 als de community niet bestaat. Alleen lezen."
        ),
        parameters=[SLUG, CommunityDeelnemerFilterSerializer],
        responses={200: CommunityDeelnemerSerializer(many=True), **problems(400, 401, 403), **COMMUNITY_404},
    ),
)
@extend_schema(tags=["communities"])
class CommunityDeelnemerViewSet(DutchAPIView, viewsets.GenericViewSet):
    """De huidige deelnemers van één community (alleen lezen)."""

    serializer_class = CommunityDeelnemerSerializer
    read_only = READ_ONLY

    def list(self, request, slug=None):
        community = community_or_404(slug)
        params = CommunityDeelnemerFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(deelnemers(community, **params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

"""REST API v1, vergaderingen en stemmingen: meetings with their agenda, and
polls with their stored outcome, read-only. Who sees what is the meeting and
poll pages' rule (governance.selectors.visible_meetings / visible_polls);
anything else is a 404. Votes are cast in the portal, never here: a vote
needs the portal's session, its MFA and its audit trail of who voted for whom."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, viewsets

from governance import selectors
from governance.models import AgendaItem, Body, Poll

from .problems import PROBLEM_JSON
from .serializers import MAX_ID, ProblemSerializer
from .views import DutchAPIView, problems

READ_ONLY = "Vergaderingen en stemmingen zijn via de API alleen te lezen; stemmen doet u in het portaal."
MEETING_NOT_VISIBLE = "Deze vergadering bestaat niet of u heeft er geen toegang toe."
POLL_NOT_VISIBLE = "Deze stemming bestaat niet of u heeft er geen toegang toe."
NOT_FOUND = {(404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="Niet gevonden, of geen toegang.")}
MEETING_ORDER = {"datum": ["datum", "id"], "-datum": ["-datum", "-id"]}


def _count(help_text: str) -> serializers.DecimalField:
    # Weights are 1 per voter, or inwoners: exact, as a string like the amounts.
    return serializers.DecimalField(
        max_digits=12, decimal_places=4, read_only=True, allow_null=True, coerce_to_string=True, help_text=help_text
    )


# --- serializers -------------------------------------------------------------------


class AgendapuntSerializer(serializers.Serializer):
    volgorde = serializers.IntegerField(read_only=True, help_text="Nummer van het agendapunt, vanaf 1.")
    titel = serializers.CharField(read_only=True, help_text="Titel van het agendapunt.")
    voorstel = serializers.CharField(
        read_only=True, help_text="Het voorstel waarover kan worden gestemd; kan leeg zijn."
    )
    besluit = serializers.CharField(
        read_only=True, help_text="Het besluit voor de besluitenlijst; leeg tot het is genomen."
    )
    stemmingen = serializers.SerializerMethodField(help_text="Id's van de stemmingen over dit agendapunt.")

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_stemmingen(self, item: AgendaItem) -> list[int]:
        return [poll.pk for poll in item.polls.all()]


class VergaderingSerializer(serializers.Serializer):
    """Een vergadering van de ALV, de RvC, de directie of een community."""

    id = serializers.IntegerField(read_only=True, help_text="Id van de vergadering.")
    orgaan = serializers.CharField(
        source="body.slug", read_only=True, help_text="Code van het orgaan, bijv. alv of rvc."
    )
    titel = serializers.CharField(read_only=True, help_text="Titel van de vergadering.")
    datum = serializers.DateField(read_only=True, help_text="Datum van de vergadering.")
    plaats = serializers.CharField(read_only=True, help_text="Plaats; leeg bij een online vergadering.")
    online = serializers.BooleanField(read_only=True, help_text="Online: deelnemers checken zelf in.")
    bijeengeroepen_op = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Wanneer de oproep is verstuurd; leeg zolang dat niet is gebeurd."
    )
    agenda = AgendapuntSerializer(source="items", many=True, read_only=True, help_text="De agenda, in volgorde.")


class StemmingSerializer(serializers.Serializer):
    """Een stemming in een vergadering, of een besluit buiten vergadering, met de vastgelegde uitslag."""

    id = serializers.IntegerField(read_only=True, help_text="Id van de stemming.")
    orgaan = serializers.CharField(source="body.slug", read_only=True, help_text="Code van het orgaan dat besluit.")
    vergadering = serializers.IntegerField(
        source="agenda_item.meeting_id",
        read_only=True,
        allow_null=True,
        help_text="Id van de vergadering; leeg bij een besluit buiten vergadering.",
    )
    agendapunt = serializers.IntegerField(
        source="agenda_item.volgorde", read_only=True, allow_null=True, help_text="Nummer van het agendapunt."
    )
    vraag = serializers.CharField(read_only=True, help_text="Het voorstel waarover wordt gestemd.")
    regel = serializers.ChoiceField(
        choices=Poll.Rule.choices, read_only=True, help_text="De besluitregel van het orgaan die de uitslag bepaalt."
    )
    quorum = serializers.CharField(
        read_only=True, help_text="Een eigen quorum als breuk, bijv. 1/2; leeg: die van de regel."
    )
    geheim = serializers.BooleanField(
        read_only=True, help_text="Geheim: wie stemde is los van wat werd gestemd bewaard."
    )
    status = serializers.ChoiceField(
        choices=Poll.Status.choices, read_only=True, help_text="concept (nog niet geopend), open of gesloten."
    )
    deadline = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Stemmen kan tot dit moment; alleen buiten vergadering."
    )
    geopend_op = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Wanneer de stemming opende.")
    gesloten_op = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Wanneer de stemming sloot.")
    uitslag = serializers.CharField(
        read_only=True, help_text="aangenomen, verworpen of geen quorum; leeg zolang de stemming niet is gesloten."
    )
    voor = _count("Gewogen stemmen voor; leeg tot de stemming is gesloten.")
    tegen = _count("Gewogen stemmen tegen.")
    onthouding = _count("Gewogen onthoudingen; die tellen niet als uitgebrachte stem.")
    uitgebracht = _count("Uitgebrachte stemmen: voor en tegen.")
    aanwezig = _count("Gewicht van wie aanwezig of vertegenwoordigd was toen de stemming opende.")
    stemgerechtigd = _count("Gewicht van alle stemgerechtigden.")
    beslist_door_voorzitter = serializers.BooleanField(
        read_only=True, help_text="Bij staking van stemmen in de directie besliste de stem van de voorzitter."
    )
    controlegetal = serializers.CharField(
        read_only=True, help_text="SHA-256 over de stemgerechtigden, de stemmen en de uitslag; leeg tot gesloten."
    )


class VergaderingFilterSerializer(serializers.Serializer):
    jaar = serializers.IntegerField(required=False, min_value=2000, max_value=2100, help_text="Alleen dit jaar.")
    orgaan = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Body.objects.all(),
        required=False,
        help_text="Alleen vergaderingen van dit orgaan (code, bijv. alv).",
    )
    ordering = serializers.ChoiceField(
        choices=list(MEETING_ORDER), required=False, help_text="Sortering: datum of -datum (standaard: nieuwste eerst)."
    )


class StemmingFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Poll.Status.choices, required=False, help_text="Alleen deze status.")
    vergadering = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Alleen stemmingen van deze vergadering."
    )


# --- views ---------------------------------------------------------------------------

ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id.")


class ReadOnly(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"[0-9]+"
    not_visible = ""
    read_only = READ_ONLY

    def get_object(self):
        found = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise exceptions.NotFound(self.not_visible)
        return found


@extend_schema_view(
    list=extend_schema(
        summary="Vergaderingen",
        description=(
            "De vergaderingen die u mag zien, met hun agenda: leden die van de ALV en van de communities waaraan "
            "zij deelnemen; de RvC, de directie en de secretaris alle, behalve besloten RvC-vergaderingen "
            "(alleen voor de RvC). Nieuwste eerst. Alleen lezen."
        ),
        parameters=[VergaderingFilterSerializer],
        responses={200: VergaderingSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén vergadering",
        parameters=[ID],
        responses={200: VergaderingSerializer, **problems(401, 403), **NOT_FOUND},
    ),
)
@extend_schema(tags=["vergaderingen"])
class VergaderingViewSet(ReadOnly):
    """Vergaderingen met hun agenda (alleen lezen)."""

    serializer_class = VergaderingSerializer
    not_visible = MEETING_NOT_VISIBLE

    def get_queryset(self):
        items = AgendaItem.objects.order_by("volgorde").prefetch_related(
            Prefetch("polls", queryset=Poll.objects.order_by("id").only("id", "agenda_item_id"))
        )
        return (
            selectors.visible_meetings(self.request.user)
            .select_related("body")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-datum", "-id")
        )

    def list(self, request, *args, **kwargs):
        params = VergaderingFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        meetings = self.get_queryset()
        if "jaar" in params.validated_data:
            meetings = meetings.filter(datum__year=params.validated_data["jaar"])
        if "orgaan" in params.validated_data:
            meetings = meetings.filter(body=params.validated_data["orgaan"])
        meetings = meetings.order_by(*MEETING_ORDER[params.validated_data.get("ordering", "-datum")])
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Stemmingen",
        description=(
            "De stemmingen en besluiten buiten vergadering die u mag zien, met de uitslag zodra zij zijn gesloten: "
            "de tellingen, de toegepaste regel en het controlegetal. Hoe iemand stemde staat hier nooit in. "
            "Nieuwste eerst. Alleen lezen; stemmen doet u in het portaal."
        ),
        parameters=[StemmingFilterSerializer],
        responses={200: StemmingSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén stemming",
        parameters=[ID],
        responses={200: StemmingSerializer, **problems(401, 403), **NOT_FOUND},
    ),
)
@extend_schema(tags=["stemmingen"])
class StemmingViewSet(ReadOnly):
    """Stemmingen met hun uitslag (alleen lezen)."""

    serializer_class = StemmingSerializer
    not_visible = POLL_NOT_VISIBLE

    def get_queryset(self):
        return selectors.visible_polls(self.request.user).select_related("body", "agenda_item").order_by("-id")

    def list(self, request, *args, **kwargs):
        params = StemmingFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        polls = self.get_queryset()
        if "status" in params.validated_data:
            polls = polls.filter(status=params.validated_data["status"])
        if "vergadering" in params.validated_data:
            polls = polls.filter(agenda_item__meeting=params.validated_data["vergadering"])
        page = self.paginate_queryset(polls)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

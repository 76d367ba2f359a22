"""REST API v1, businesscases: read by every logged-in user, as in the portal
(docs/decisions/0013); the directie records the go/no-go decision through
businesscases.services, as on the page; the split of the one-off costs and a
late joiner's quote come from businesscases.selectors (the kernel), never
computed here. Amounts are strings with two decimals."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from beware.common.audit import Actor
from beware.common.permissions import can
from businesscases import selectors, services
from businesscases.models import BusinessCase, CostLine, FixedPercentage
from communities import selectors as community_selectors
from membership.models import Member

from .problems import PROBLEM_JSON, validation_error
from .serializers import MAX_ID, ProblemSerializer, amount
from .views import DutchAPIView, problems

READ_ONLY = (
    "Een businesscase stelt u op in het portaal; via de API legt de directie alleen het go/no-go-besluit vast "
    "(POST /api/v1/businesscases/{id}/besluit/)."
)
NOT_FOUND = "Deze businesscase bestaat niet."
MAY_NOT_DECIDE = "Alleen de directie legt het go/no-go-besluit over een businesscase vast."
MAY_NOT_QUOTE = (
    "Een toetreding berekent u voor een lid waarvoor u deelname mag aanvragen, of als coördinator of directie "
    "van de community."
)
NOT_DECIDED = "Een late toetreding wordt pas na een go-besluit verrekend; deze businesscase is {status}."
ORDER_BY = {
    "titel": ["titel", "id"],
    "-titel": ["-titel", "-id"],
    "besluitdatum": [F("besluitdatum").asc(nulls_last=True), "id"],
    "-besluitdatum": [F("besluitdatum").desc(nulls_last=True), "-id"],
}
LID_ERRORS = {
    "does_not_exist": "Lid {pk_value} bestaat niet.",
    "incorrect_type": "Geef het id van een lid (een getal).",
}


class Conflict(exceptions.APIException):
    """The business case is not in the state the call needs (no split yet, not decided)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


# --- serializers -------------------------------------------------------------------


class KostenregelSerializer(serializers.Serializer):
    """Een kostenregel van de businesscase."""

    soort = serializers.ChoiceField(
        choices=CostLine.Kind.choices,
        read_only=True,
        help_text=(
            "Eenmalig (ontwikkeling, aanschaf, implementatie), per jaar (beheer, hosting, licenties, "
            "doorontwikkeling) of personeelsinzet (eenmalig of per jaar; telt mee in de TCO, wordt niet gefactureerd)."
        ),
    )
    omschrijving = serializers.CharField(read_only=True, help_text="Omschrijving van de kosten.")
    bedrag = amount("Bedrag in euro, per jaar bij jaarlijkse kosten, als tekst met twee decimalen.")


class VastPercentageSerializer(serializers.Serializer):
    """Het vaste percentage van een lid onder de verdeelsleutel vast."""

    lid = serializers.IntegerField(source="member_id", read_only=True, help_text="Id van het lid.")
    percentage = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        coerce_to_string=True,
        read_only=True,
        help_text="Percentage van de eenmalige kosten, als tekst met twee decimalen; samen precies 100.",
    )


class BusinessCaseSerializer(serializers.Serializer):
    """Een businesscase van een community: kosten, verdeelsleutel en status."""

    id = serializers.IntegerField(read_only=True, help_text="Id van de businesscase.")
    community = serializers.CharField(
        source="community.slug",
        read_only=True,
        help_text="Code (slug) van de community waar de businesscase bij hoort.",
    )
    titel = serializers.CharField(read_only=True, help_text="Titel van de businesscase.")
    verdeelsleutel = serializers.ChoiceField(
        choices=BusinessCase.Key.choices,
        read_only=True,
        help_text="Hoe de kosten worden verdeeld: naar inwoners op de peildatum, in gelijke delen, of vast.",
    )
    vaste_percentages = VastPercentageSerializer(
        source="fixed_percentages",
        many=True,
        read_only=True,
        help_text="Bij verdeelsleutel vast: het percentage per lid; anders leeg.",
    )
    peildatum = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="Datum waarop de inwoners tellen; leeg: 1 januari van het jaar van het besluit.",
    )
    afschrijvingsjaren = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=(
            "Leeg: een late toetreder betaalt zijn deel van de volledige eenmalige kosten. Ingevuld: zijn deel "
            "van de boekwaarde na zoveel jaar afschrijving vanaf de go-live."
        ),
    )
    kosten = KostenregelSerializer(
        source="cost_lines", many=True, read_only=True, help_text="De kostenregels, in de volgorde van invoeren."
    )
    status = serializers.ChoiceField(
        choices=BusinessCase.Status.choices,
        read_only=True,
        help_text="concept, ter_besluitvorming, besloten (go) of afgewezen (no-go).",
    )


class BusinessCaseFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    community = serializers.SlugField(required=False, help_text="Alleen businesscases van deze community (slug).")
    status = serializers.ChoiceField(
        choices=BusinessCase.Status.choices, required=False, help_text="Alleen businesscases met deze status."
    )
    jaar = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text="Alleen businesscases met een besluit in dit jaar."
    )
    lid = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Alleen businesscases waarin dit lid (id) een vastgelegd aandeel in de eenmalige kosten heeft.",
    )
    ordering = serializers.ChoiceField(
        choices=[(key, key) for key in ORDER_BY],
        required=False,
        help_text="Sortering: titel of besluitdatum, met een minteken voor aflopend. Standaard: nieuwste eerst.",
    )


class BesluitSerializer(serializers.Serializer):
    """Het go/no-go-besluit over een businesscase ter besluitvorming."""

    besluit = serializers.ChoiceField(
        choices=[("go", "Go: de businesscase gaat door"), ("no-go", "No-go: de businesscase gaat niet door")],
        help_text="go: de deelnemers en hun aandelen in de eenmalige kosten worden vastgelegd; no-go: afgewezen.",
    )
    datum = serializers.DateField(help_text="Besluitdatum.")
    deelnemers = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Member.objects.all(),
        error_messages=LID_ERRORS,
        help_text=(
            "Bij go: de ids van de leden die deelnemen; alle huidige deelnemers van de community horen erbij, "
            "andere actieve leden worden deelnemer op de besluitdatum. Weggelaten: de huidige deelnemers."
        ),
    )
    golive = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Go-live, niet vóór de besluitdatum; leeg: de besluitdatum. Vanaf hier telt de afschrijving.",
    )
    toelichting = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Toelichting bij het besluit (optioneel)."
    )


class VerdelingSerializer(serializers.Serializer):
    """Het aandeel van één deelnemer in de eenmalige kosten."""

    lid = serializers.IntegerField(source="member.pk", read_only=True, help_text="Id van het lid.")
    gewicht = serializers.DecimalField(
        max_digits=16,
        decimal_places=4,
        coerce_to_string=True,
        read_only=True,
        help_text="Gewicht onder de verdeelsleutel: inwoners op de peildatum, 1 bij gelijke delen, of het percentage.",
    )
    bedrag = amount("Aandeel in euro, als tekst met twee decimalen; samen precies de eenmalige kosten.")


class VerrekeningSerializer(serializers.Serializer):
    """Wat een eerdere deelnemer terugkrijgt als het lid toetreedt."""

    lid = serializers.IntegerField(source="member.pk", read_only=True, help_text="Id van de eerdere deelnemer.")
    bedrag = amount("Terug te ontvangen in euro, als tekst met twee decimalen.")


class ToetredingSerializer(serializers.Serializer):
    """Wat een lid betaalt als het na het go-besluit toetreedt, en wie dat terugkrijgt."""

    lid = serializers.IntegerField(source="member.pk", read_only=True, help_text="Id van het toetredende lid.")
    bedrag = amount(
        "Wat het lid betaalt, in euro als tekst met twee decimalen: zijn deel alsof het er vanaf het begin bij was.",
    )
    verrekening = VerrekeningSerializer(
        source="credits",
        many=True,
        read_only=True,
        help_text="Per huidige deelnemer wat die terugkrijgt, grootste eerst; samen precies bedrag.",
    )


class ToetredingParamsSerializer(serializers.Serializer):
    """The quote's query parameters; a wrong value is a 400 with invalidParams."""

    # An id, looked up after the permission check: an unknown id and another member's answer alike.
    lid = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="Id van het lid dat wil toetreden.")
    datum = serializers.DateField(required=False, help_text="Datum van toetreden; standaard vandaag.")
    percentage = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text="Alleen bij verdeelsleutel vast: het percentage van het toetredende lid.",
    )


# --- reads ---------------------------------------------------------------------------


def businesscases(
    *, community: str = "", status: str = "", jaar: int | None = None, lid: int | None = None, ordering: str = ""
) -> QuerySet[BusinessCase]:
    """Every business case, as the pages show them to every logged-in user,
    with their costs and fixed percentages in a fixed number of queries."""
    cases = BusinessCase.objects.select_related("community").prefetch_related(
        Prefetch("cost_lines", queryset=CostLine.objects.order_by("id")),
        Prefetch("fixed_percentages", queryset=FixedPercentage.objects.select_related("member")),
    )
    if community:
        cases = cases.filter(community__slug=community)
    if status:
        cases = cases.filter(status=status)
    if jaar:
        cases = cases.filter(besluitdatum__year=jaar)
    if lid:
        cases = cases.filter(shares__member_id=lid)
    return cases.order_by(*ORDER_BY[ordering]) if ordering else cases


def may_quote(user, business_case: BusinessCase, member: Member) -> bool:
    """As in the portal: the join page shows the quote to whoever may ask to
    join for the member; who manages the community's participants sees it
    in the settlement anyway."""
    return community_selectors.may_manage_participation(user, business_case.community) or can(
        user, "membership.join_community", member
    )


# --- the view ------------------------------------------------------------------------

BUSINESSCASE_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id van de businesscase.")
BUSINESSCASE_404 = {(404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=NOT_FOUND)}
CONFLICT = {(409, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="De businesscase is nog niet zover.")}


@extend_schema_view(
    list=extend_schema(
        summary="Businesscases",
        description=(
            "Alle businesscases, voor iedere ingelogde gebruiker, zoals in het portaal: met de kosten, de "
            "verdeelsleutel en de status. Nieuwste eerst."
        ),
        parameters=[BusinessCaseFilterSerializer],
        responses={200: BusinessCaseSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén businesscase",
        description="Op id. 404 als de businesscase niet bestaat.",
        parameters=[BUSINESSCASE_ID],
        responses={200: BusinessCaseSerializer, **problems(401, 403), **BUSINESSCASE_404},
    ),
    besluit=extend_schema(
        summary="Go/no-go-besluit vastleggen",
        description=(
            "Alleen de directie, over een businesscase ter besluitvorming. Bij go worden de deelnemers, hun "
            "gewichten en hun aandelen in de eenmalige kosten vastgelegd en nooit herberekend; daarna volgen de "
            "facturen. Alles of niets: een geweigerd besluit legt niets vast. Antwoordt met de businesscase."
        ),
        parameters=[BUSINESSCASE_ID],
        request=BesluitSerializer,
        responses={200: BusinessCaseSerializer, **problems(400, 401, 403), **BUSINESSCASE_404},
    ),
    verdeling=extend_schema(
        summary="Verdeling van de eenmalige kosten",
        description=(
            "Na het go-besluit: de vastgelegde aandelen (ook die van late toetreders), nooit herberekend. Daarvoor: "
            "een voorproefje over de huidige deelnemers met de verdeelsleutel op de peildatum; 409 als dat nog "
            "niet kan (geen deelnemers, een inwonertal ontbreekt). Na een no-go: leeg. Eén lijst, niet in "
            "pagina's: de bedragen tellen samen precies op tot de eenmalige kosten."
        ),
        parameters=[BUSINESSCASE_ID],
        responses={200: VerdelingSerializer(many=True), **problems(401, 403), **BUSINESSCASE_404, **CONFLICT},
    ),
    toetreding=extend_schema(
        summary="Wat een lid betaalt als het nu toetreedt",
        description=(
            "Na het go-besluit: het bedrag dat het lid betaalt alsof het er vanaf het begin bij was, en wat elke "
            "huidige deelnemer daarvan terugkrijgt (DOMAIN.md §3.5), zoals de deelnamepagina het vooraf toont. "
            "Voor een lid waarvoor u deelname mag aanvragen, of als coördinator of directie van de community. "
            "409 voor een businesscase zonder go-besluit."
        ),
        parameters=[BUSINESSCASE_ID, ToetredingParamsSerializer],
        responses={200: ToetredingSerializer, **problems(400, 401, 403), **BUSINESSCASE_404, **CONFLICT},
    ),
)
@extend_schema(tags=["businesscases"])
class BusinessCaseViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Businesscases: lezen voor iedereen, het besluit door de directie."""

    serializer_class = BusinessCaseSerializer
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"[0-9]+"
    read_only = READ_ONLY

    def list(self, request, *args, **kwargs):
        params = BusinessCaseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(businesscases(**params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> BusinessCase:
        business_case = businesscases().filter(pk=self.kwargs["pk"]).first()
        if business_case is None:
            raise exceptions.NotFound(NOT_FOUND)
        return business_case

    @action(detail=True, methods=["post"])
    def besluit(self, request, pk=None):
        business_case = self.get_object()
        # As the portal's page: who may not decide learns nothing from validation.
        if not can(request.user, services.DECIDE):
            raise exceptions.PermissionDenied(MAY_NOT_DECIDE)
        given = BesluitSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            # The directie acts for the coöperatie itself, not for a member (docs/decisions/0004).
            services.businesscase_decide(
                business_case,
                by=Actor(user=request.user),
                go=data["besluit"] == "go",
                datum=data["datum"],
                golive=data.get("golive"),
                deelnemers=data.get("deelnemers"),
                toelichting=data["toelichting"],
            )
        except DjangoValidationError as error:
            raise validation_error(error) from error
        return Response(self.get_serializer(self.get_object()).data)

    @action(detail=True, methods=["get"], pagination_class=None)
    def verdeling(self, request, pk=None):
        business_case = self.get_object()
        if business_case.status == BusinessCase.Status.AFGEWEZEN:
            return Response([])  # after a no-go nothing is shared, as on the page
        split = selectors.allocation_view(business_case, today=timezone.localdate())
        if split.error:
            raise Conflict(f"De verdeling kan nog niet worden berekend: {split.error}")
        return Response(VerdelingSerializer(split.rows, many=True).data)

    @action(detail=True, methods=["get"])
    def toetreding(self, request, pk=None):
        business_case = self.get_object()
        params = ToetredingParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        lid = params.validated_data["lid"]
        member = Member.objects.filter(pk=lid).first()
        if member is None and community_selectors.may_manage_participation(request.user, business_case.community):
            raise exceptions.ValidationError({"lid": [LID_ERRORS["does_not_exist"].format(pk_value=lid)]})
        if member is None or not may_quote(request.user, business_case, member):
            raise exceptions.PermissionDenied(MAY_NOT_QUOTE)
        if not business_case.is_decided:
            raise Conflict(NOT_DECIDED.format(status=business_case.get_status_display().lower()))
        datum: date = params.validated_data.get("datum") or timezone.localdate()
        try:
            plan = selectors.settlement_plan(
                business_case, member, datum, joiner_percentage=params.validated_data.get("percentage")
            )
        except DjangoValidationError as error:
            raise validation_error(error) from error
        return Response(ToetredingSerializer(plan).data)

"""REST API v1: gemeenten with their inwonertallen, the leden register with
inwoners per year, the contributietarieven and the contributie per lid.

Visibility is the portal's own: gemeenten, inwonertallen, the register's
public data and the tarieven are for every logged-in user; applications only
for whom membership.selectors shows them; the contributie per lid only for
whoever may read that member's invoices. The one write, a tarief, goes
through invoicing.services and is audited (docs/decisions/0023)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from beware.common.audit import Actor
from invoicing import reports, services
from invoicing import selectors as invoicing_selectors
from invoicing.models import ContributionRate
from membership import selectors
from membership.models import Gemeente, Inwonertal, Member

from .problems import PROBLEM_JSON, validation_error
from .serializers import MAX_ID, ProblemSerializer, amount
from .views import DutchAPIView, problems

GEMEENTE_READ_ONLY = (
    "Gemeenten en inwonertallen zijn via de API alleen te lezen; inwonertallen worden in het portaal ingelezen."
)
LID_READ_ONLY = "Leden zijn via de API alleen te lezen; het ledenregister wordt in het portaal bijgehouden."
TARIEF_READ_ONLY = (
    "Een contributietarief legt u vast met POST /api/v1/contributietarieven/, ook om het te wijzigen; "
    "verwijderen kan niet."
)
CONTRIBUTIE_READ_ONLY = "De contributie is via de API alleen te lezen; zij volgt uit de contributiefacturen."
GEMEENTE_NOT_FOUND = "Deze gemeente bestaat niet."
LID_NOT_VISIBLE = "Dit lid bestaat niet of u heeft er geen toegang toe."
TARIEF_NOT_FOUND = "Voor dit jaar is geen contributietarief vastgelegd."
MAY_NOT_SET_RATE = "Alleen de directie legt contributietarieven vast."

GEMEENTE_ORDER = {"naam": ["naam", "code"], "-naam": ["-naam", "-code"], "code": ["code"], "-code": ["-code"]}
INWONERTAL_ORDER = {"jaar": ["jaar"], "-jaar": ["-jaar"]}
# Applications without an ingangsdatum come last either way, on SQLite and PostgreSQL alike.
LID_ORDER = {
    "naam": ["naam", "id"],
    "-naam": ["-naam", "-id"],
    "ingangsdatum": [F("ingangsdatum").asc(nulls_last=True), "naam", "id"],
    "-ingangsdatum": [F("ingangsdatum").desc(nulls_last=True), "naam", "id"],
}
TARIEF_ORDER = {"jaar": ["jaar"], "-jaar": ["-jaar"]}
CONTRIBUTIE_ORDERINGS = [
    ("naam", "Op naam van het lid, A-Z"),
    ("-naam", "Op naam van het lid, Z-A"),
    ("bedrag", "Op bedrag, laagste eerst"),
    ("-bedrag", "Op bedrag, hoogste eerst"),
]


def ordering_field(choices: list[tuple[str, str]], default: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=choices, required=False, help_text=f"Sortering, met een minteken voor aflopend. Standaard: {default}."
    )


class OptionalCharField(serializers.CharField):
    """An empty text in the register means 'not known': null, not ""."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(value) or None


# --- gemeenten and inwonertallen ---------------------------------------------------


class GemeenteSerializer(serializers.Serializer):
    """Een gemeente met haar CBS-code."""

    code = serializers.CharField(read_only=True, help_text="CBS-gemeentecode: GM en vier cijfers, bijv. GM0772.")
    naam = serializers.CharField(read_only=True, help_text="Naam van de gemeente.")


class GemeenteFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    zoekterm = serializers.CharField(
        required=False, max_length=100, help_text="Zoek in de naam, of precies op de CBS-code."
    )
    ordering = ordering_field([(key, key) for key in GEMEENTE_ORDER], "naam")


class InwonertalSerializer(serializers.Serializer):
    """Het inwonertal van een gemeente op 1 januari van een jaar."""

    jaar = serializers.IntegerField(read_only=True, help_text="Het jaar; peildatum is 1 januari van dat jaar.")
    aantal = serializers.IntegerField(read_only=True, help_text="Aantal inwoners op 1 januari.")
    bron = serializers.CharField(read_only=True, help_text="Herkomst van het cijfer, bijv. CBS StatLine 03759ned.")
    status = serializers.ChoiceField(
        choices=Inwonertal.Status.choices, read_only=True, help_text="voorlopig of definitief."
    )


class InwonertalFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    jaar = serializers.IntegerField(
        required=False, min_value=1900, max_value=9999, help_text="Alleen het inwonertal van dit jaar."
    )
    status = serializers.ChoiceField(
        choices=Inwonertal.Status.choices, required=False, help_text="Alleen voorlopige of alleen definitieve cijfers."
    )
    ordering = ordering_field([(key, key) for key in INWONERTAL_ORDER], "jaar (oudste eerst)")


def gemeenten_filter(*, zoekterm: str = "", ordering: str = "") -> QuerySet[Gemeente]:
    gemeenten = Gemeente.objects.all()
    if zoekterm:
        gemeenten = gemeenten.filter(Q(naam__icontains=zoekterm) | Q(code__iexact=zoekterm))
    return gemeenten.order_by(*GEMEENTE_ORDER[ordering or "naam"])


def inwonertallen_filter(
    gemeente: Gemeente, *, jaar: int | None = None, status: str = "", ordering: str = ""
) -> QuerySet[Inwonertal]:
    figures = Inwonertal.objects.filter(gemeente=gemeente)
    if jaar:
        figures = figures.filter(jaar=jaar)
    if status:
        figures = figures.filter(status=status)
    return figures.order_by(*INWONERTAL_ORDER[ordering or "jaar"])


def gemeente_or_404(code: str) -> Gemeente:
    gemeente = Gemeente.objects.filter(code=code).first()
    if gemeente is None:
        raise exceptions.NotFound(GEMEENTE_NOT_FOUND)
    return gemeente


GEMEENTE_CODE = OpenApiParameter(
    "code", OpenApiTypes.STR, OpenApiParameter.PATH, description="CBS-gemeentecode, bijv. GM0772."
)
GEMEENTE_404 = {
    (404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="Deze gemeente bestaat niet."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Gemeenten",
        description="Alle gemeenten met hun CBS-code, ook opgeheven gemeenten (voor de geschiedenis). Alleen lezen.",
        parameters=[GemeenteFilterSerializer],
        responses={200: GemeenteSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén gemeente",
        description="Op CBS-code.",
        parameters=[GEMEENTE_CODE],
        responses={200: GemeenteSerializer, **problems(401, 403), **GEMEENTE_404},
    ),
)
@extend_schema(tags=["gemeenten"])
class GemeenteViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Gemeenten en hun CBS-codes (alleen lezen; openbaar voor iedere ingelogde gebruiker)."""

    serializer_class = GemeenteSerializer
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    read_only = GEMEENTE_READ_ONLY

    def list(self, request, *args, **kwargs):
        params = GemeenteFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(gemeenten_filter(**params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Gemeente:
        return gemeente_or_404(self.kwargs["code"])


@extend_schema_view(
    list=extend_schema(
        summary="Inwonertallen van een gemeente",
        description=(
            "Het inwonertal per jaar (peildatum 1 januari), met bron en status. 404 als de gemeente niet bestaat. "
            "Alleen lezen."
        ),
        parameters=[GEMEENTE_CODE, InwonertalFilterSerializer],
        responses={200: InwonertalSerializer(many=True), **problems(400, 401, 403), **GEMEENTE_404},
    ),
)
@extend_schema(tags=["gemeenten"])
class InwonertalViewSet(DutchAPIView, viewsets.GenericViewSet):
    """De inwonertallen van één gemeente (alleen lezen)."""

    serializer_class = InwonertalSerializer
    read_only = GEMEENTE_READ_ONLY

    def list(self, request, code=None):
        gemeente = gemeente_or_404(code)
        params = InwonertalFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(inwonertallen_filter(gemeente, **params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- leden ---------------------------------------------------------------------------


class LidSerializer(serializers.Serializer):
    """Een lid van de coöperatie: de openbare gegevens uit het ledenregister."""

    id = serializers.IntegerField(read_only=True, help_text="Id van het lid.")
    naam = serializers.CharField(read_only=True, help_text="Naam van het lid.")
    soort = serializers.ChoiceField(
        choices=Member.Kind.choices,
        read_only=True,
        help_text="gemeente, gemeenschappelijke_regeling of overige_overheid.",
    )
    gemeenten = serializers.SerializerMethodField(
        help_text="CBS-codes van de gemeenten die het lid vandaag vertegenwoordigt, op naam gesorteerd."
    )
    kvk = OptionalCharField(help_text="KvK-nummer (8 cijfers); leeg als het niet bekend is.")
    oin = OptionalCharField(help_text="OIN (20 cijfers); leeg als het niet bekend is.")
    status = serializers.ChoiceField(
        choices=Member.STATUS_CHOICES,
        read_only=True,
        help_text="Status in de levenscyclus, bijv. actief, opgezegd of uitgetreden.",
    )
    ingangsdatum = serializers.DateField(
        read_only=True, allow_null=True, help_text="Datum waarop het lidmaatschap ingaat; leeg tot de toelating."
    )
    einddatum = serializers.DateField(
        read_only=True, allow_null=True, help_text="Datum waarop het lidmaatschap eindigt; leeg als het doorloopt."
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_gemeenten(self, member: Member) -> list[str]:
        return [gemeente.code for gemeente in self.context["gemeenten"][member.pk]]


class LidFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    zoekterm = serializers.CharField(
        required=False,
        max_length=100,
        help_text="Zoek in de naam van het lid of van een gemeente die het vertegenwoordigt, of precies op KvK-nummer.",
    )
    status = serializers.ChoiceField(
        choices=Member.STATUS_CHOICES,
        required=False,
        help_text="Alleen leden met deze status. Aanvragen ziet alleen wie ze in het portaal mag zien.",
    )
    soort = serializers.ChoiceField(
        choices=Member.Kind.choices, required=False, help_text="Alleen leden van deze soort."
    )
    ordering = ordering_field([(key, key) for key in LID_ORDER], "naam")


class LidInwonersSerializer(serializers.Serializer):
    """De inwoners van een lid op 1 januari van een jaar."""

    jaar = serializers.IntegerField(read_only=True, help_text="Het jaar; peildatum is 1 januari van dat jaar.")
    inwoners = serializers.IntegerField(
        read_only=True,
        help_text="De som van de inwonertallen van de gemeenten die het lid op 1 januari vertegenwoordigt.",
    )


class LidInwonersFilterSerializer(serializers.Serializer):
    """The query parameter of /leden/{id}/inwoners/."""

    jaar = serializers.IntegerField(
        required=False, min_value=1900, max_value=9999, help_text="Het jaar. Standaard: het huidige jaar."
    )


LID_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Id van het lid.")
LID_404 = {
    (404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description="Niet gevonden, of geen toegang."),
}


@extend_schema_view(
    list=extend_schema(
        summary="Leden",
        description=(
            "Het ledenregister: actieve, opgezegde en uitgetreden leden met hun openbare gegevens. De directie, "
            "de operationeel manager, de RvC en de secretaris zien ook aanvragen en belangstellenden. Alleen lezen."
        ),
        parameters=[LidFilterSerializer],
        responses={200: LidSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Eén lid",
        description="Op id. 404 als het lid niet bestaat of u het niet mag zien (bijv. de aanvraag van een ander).",
        parameters=[LID_ID],
        responses={200: LidSerializer, **problems(401, 403), **LID_404},
    ),
    inwoners=extend_schema(
        summary="Inwoners van een lid in een jaar",
        description=(
            "De som van de inwonertallen op 1 januari van de gemeenten die het lid op die dag vertegenwoordigt. "
            "404 als het lid niet bestaat of u het niet mag zien, en ook als het aantal niet bekend is (een "
            "ontbrekend inwonertal, of geen vertegenwoordigde gemeente op 1 januari): nooit een stille nul."
        ),
        parameters=[LID_ID, LidInwonersFilterSerializer],
        responses={200: LidInwonersSerializer, **problems(400, 401, 403), **LID_404},
    ),
)
@extend_schema(tags=["leden"])
class LidViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Het ledenregister (alleen lezen), met dezelfde zichtbaarheid als in het portaal."""

    serializer_class = LidSerializer
    lookup_url_kwarg = "pk"
    lookup_value_regex = r"[0-9]+"
    read_only = LID_READ_ONLY

    def list(self, request, *args, **kwargs):
        params = LidFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        ordering = params.validated_data.pop("ordering", "")
        members = selectors.member_register(request.user, **params.validated_data)
        if ordering:
            members = members.order_by(*LID_ORDER[ordering])
        page = self.paginate_queryset(members)
        return self.get_paginated_response(self._serialize(page))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._serialize([self.get_object()])[0])

    def _serialize(self, members):
        """The members with the gemeenten they represent today: one query for a whole page."""
        gemeenten = selectors.gemeenten_by_member([m.pk for m in members], timezone.localdate())
        context = {**self.get_serializer_context(), "gemeenten": gemeenten}
        return LidSerializer(members, many=True, context=context).data

    def get_object(self) -> Member:
        member = Member.objects.filter(pk=self.kwargs["pk"]).first()
        if member is None or not selectors.member_visible_to(self.request.user, member):
            raise exceptions.NotFound(LID_NOT_VISIBLE)
        return member

    @action(detail=True, methods=["get"])
    def inwoners(self, request, pk=None):
        member = self.get_object()
        params = LidInwonersFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        jaar = params.validated_data.get("jaar", timezone.localdate().year)
        try:
            inwoners = selectors.member_inwoners(member, date(jaar, 1, 1))
        except selectors.InwonersUnknown as error:
            raise exceptions.NotFound(str(error), code="inwoners_onbekend") from error
        return Response(LidInwonersSerializer({"jaar": jaar, "inwoners": inwoners}).data)


# --- contributietarieven ------------------------------------------------------------


class ContributietariefSerializer(serializers.Serializer):
    """Het contributietarief per inwoner dat de ALV voor een jaar vaststelde."""

    jaar = serializers.IntegerField(min_value=2000, max_value=2100, help_text="Het contributiejaar.")
    bedrag_per_inwoner = serializers.DecimalField(
        max_digits=8,
        decimal_places=4,
        coerce_to_string=True,
        help_text='Bedrag per inwoner in euro, als tekst met vier decimalen ("0.3500").',
    )
    besluit = serializers.CharField(max_length=200, help_text="Het ALV-besluit, bijv. ALV 12 december 2026, punt 5.")
    besluitdatum = serializers.DateField(help_text="Datum van het ALV-besluit.")


class ContributietariefFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    ordering = ordering_field([(key, key) for key in TARIEF_ORDER], "-jaar (nieuwste eerst)")


TARIEF_JAAR = OpenApiParameter("jaar", OpenApiTypes.INT, OpenApiParameter.PATH, description="Het contributiejaar.")


@extend_schema_view(
    list=extend_schema(
        summary="Contributietarieven",
        description="Het tarief per inwoner per jaar, zoals de ALV het vaststelde; voor iedere ingelogde gebruiker.",
        parameters=[ContributietariefFilterSerializer],
        responses={200: ContributietariefSerializer(many=True), **problems(400, 401, 403)},
    ),
    retrieve=extend_schema(
        summary="Het contributietarief van één jaar",
        parameters=[TARIEF_JAAR],
        responses={
            200: ContributietariefSerializer,
            **problems(401, 403),
            (404, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=TARIEF_NOT_FOUND),
        },
    ),
    create=extend_schema(
        summary="Een contributietarief vastleggen",
        description=(
            "Legt het ALV-besluit over het tarief van een jaar vast, of wijzigt het tarief van dat jaar (200 in "
            "plaats van 201). Alleen de directie. Geweigerd (400) zolang er over dat jaar contributie is "
            "gefactureerd die niet volledig is gecrediteerd. Wordt vastgelegd in het auditlog."
        ),
        request=ContributietariefSerializer,
        responses={
            201: ContributietariefSerializer,
            200: ContributietariefSerializer,
            **problems(400, 401, 403),
        },
    ),
)
@extend_schema(tags=["contributie"])
class ContributietariefViewSet(DutchAPIView, viewsets.ReadOnlyModelViewSet):
    """Contributietarieven: lezen voor iedereen, vastleggen door de directie."""

    serializer_class = ContributietariefSerializer
    lookup_field = "jaar"
    lookup_value_regex = r"[0-9]+"
    read_only = TARIEF_READ_ONLY

    def list(self, request, *args, **kwargs):
        params = ContributietariefFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rates = ContributionRate.objects.order_by(*TARIEF_ORDER[params.validated_data.get("ordering", "-jaar")])
        page = self.paginate_queryset(rates)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> ContributionRate:
        rate = ContributionRate.objects.filter(jaar=self.kwargs["jaar"]).first()
        if rate is None:
            raise exceptions.NotFound(TARIEF_NOT_FOUND)
        return rate

    def create(self, request, *args, **kwargs):
        # As the portal's page: who may not set a rate learns nothing from validation.
        if not invoicing_selectors.may_manage(request.user):
            raise exceptions.PermissionDenied(MAY_NOT_SET_RATE)
        given = self.get_serializer(data=request.data)
        given.is_valid(raise_exception=True)
        new = not ContributionRate.objects.filter(jaar=given.validated_data["jaar"]).exists()
        try:
            # The directie acts for the coöperatie itself, not for a member (docs/decisions/0004).
            rate = services.contribution_rate_set(by=Actor(user=request.user), **given.validated_data)
        except DjangoValidationError as error:
            raise validation_error(error) from error
        if not new:
            return Response(self.get_serializer(rate).data)
        location = reverse("api:contributietarief-detail", kwargs={"jaar": rate.jaar}, request=request)
        return Response(self.get_serializer(rate).data, status=status.HTTP_201_CREATED, headers={"Location": location})


# --- contributie per lid -----------------------------------------------------------


class ContributieSerializer(serializers.Serializer):
    """De contributie van één lid over één jaar, zoals gefactureerd."""

    lid = serializers.IntegerField(read_only=True, help_text="Id van het lid.")
    inwoners = serializers.IntegerField(
        read_only=True, help_text="Inwoners op 1 januari van het contributiejaar, zoals gefactureerd."
    )
    maanden = serializers.IntegerField(
        read_only=True, help_text="Gefactureerde maanden: 12, of minder voor een lid dat in dat jaar toetrad."
    )
    bedrag = amount(
        "Gefactureerd min gecrediteerd, in euro (incl. btw; contributie is standaard niet belast), "
        "als tekst met twee decimalen."
    )


class ContributieFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    jaar = serializers.IntegerField(
        min_value=2000, max_value=9999, help_text="Het contributiejaar (het jaar van het ALV-tarief). Verplicht."
    )
    lid = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Alleen de contributie van dit lid (id)."
    )
    ordering = ordering_field(CONTRIBUTIE_ORDERINGS, "naam")


@dataclass(frozen=True)
class Contributie:
    lid: int
    inwoners: int
    maanden: int
    bedrag: Decimal


def contributie_for(user, *, jaar: int, lid: int | None = None, ordering: str = "") -> list[Contributie]:
    """The finance report's rows (the directie's page "Contributie per jaar per
    lid"), limited to the members whose invoices the user may read: the same
    amounts as on the invoices, never recomputed."""
    visible = set(invoicing_selectors.members_with_visible_invoices(user).values_list("pk", flat=True))
    rows = [
        Contributie(r.member_id, r.inwoners, r.maanden, r.gefactureerd - r.gecrediteerd)
        for r in reports.contribution_report(jaar).rows
        if r.member_id in visible and (lid is None or r.member_id == lid)
    ]
    if ordering.endswith("bedrag"):
        rows.sort(key=lambda row: row.bedrag, reverse=ordering.startswith("-"))
    elif ordering == "-naam":
        rows.reverse()  # the report lists by name
    return rows


@extend_schema_view(
    list=extend_schema(
        summary="Contributie per lid",
        description=(
            "De contributie over een jaar per lid, zoals gefactureerd (alleen definitieve facturen): inwoners, "
            "maanden en bedrag. Wie alle facturen mag zien (de directie) ziet alle leden, een gebruiker van een lid "
            "de leden waarvoor hij een rol heeft; anderen een lege lijst. Alleen lezen."
        ),
        parameters=[ContributieFilterSerializer],
        responses={200: ContributieSerializer(many=True), **problems(400, 401, 403)},
    ),
)
@extend_schema(tags=["contributie"])
class ContributieViewSet(DutchAPIView, viewsets.GenericViewSet):
    """De gefactureerde contributie per lid per jaar (alleen lezen)."""

    serializer_class = ContributieSerializer
    read_only = CONTRIBUTIE_READ_ONLY

    def list(self, request):
        params = ContributieFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        page = self.paginate_queryset(contributie_for(request.user, **params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

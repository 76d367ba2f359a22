"""REST API v1, gebruik: how many transactions each member made in a
community's application per quarter (DOMAIN.md §3.4, the gebruikersfee).

Who reads what: the directie and staff who see every member's private data
read all counts, a member user those of the members it holds a role in (as
their invoices), and a community's application, with its own key, those of
its community. Reporting (POST) is for the directie, as on the portal's
usage page, and for the community's application, for its own community
only. Every count goes through invoicing.services, as the CSV import's do,
and is audited (docs/decisions/0024)."""

import re

from django.db.models import Q, QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings

from beware.common.audit import Actor
from communities.models import Community
from invoicing import selectors, services
from invoicing.models import UsageCount
from membership.models import Member

from .businesscases import LID_ERRORS
from .community_tokens import (
    ApplicationKeyRateThrottle,
    ApplicationTokenAuthentication,
    IsUserOrApplication,
    application_of,
)
from .serializers import MAX_ID
from .views import DutchAPIView, problems

PERIODE = re.compile(r"([0-9]{4})-Q([1-4])", re.ASCII)
PERIODE_INVALID = (
    "Geef het kwartaal als jaar-Q-kwartaal, bijv. 2026-Q1: een jaar van 2000 tot en met 2100, kwartaal 1 tot en met 4."
)
READ_ONLY = "Gebruik wordt via de API gelezen (GET) en doorgegeven (POST); een opgave wijzigt u met een nieuwe POST."
MAY_NOT_REPORT = "Gebruik geven de directie en de applicatie van de community door."
OTHER_COMMUNITY = "Deze applicatiesleutel hoort bij community {own}; het gebruik van community {other} leest hij niet."
ORDER_BY = {
    "periode": ["jaar", "kwartaal", "community__slug", "member__naam", "member_id"],
    "-periode": ["-jaar", "-kwartaal", "community__slug", "member__naam", "member_id"],
}
MAX_AANTAL = 2_147_483_647  # what the database column holds


@extend_schema_field({"type": "string", "pattern": f"^{PERIODE.pattern}$", "example": "2026-Q1"})
class PeriodeField(serializers.CharField):
    """A quarter as the portal writes it (UsageCount.periode), 2026-Q1; read
    in as (jaar, kwartaal), with the CSV import's years 2000 to 2100."""

    default_error_messages = {"invalid": PERIODE_INVALID}

    def to_internal_value(self, data):
        match = PERIODE.fullmatch(super().to_internal_value(data))
        if match is None or not 2000 <= int(match[1]) <= 2100:
            self.fail("invalid")
        return int(match[1]), int(match[2])


class GebruikSerializer(serializers.Serializer):
    """Het aantal transacties van één lid in de applicatie van één community in één kwartaal."""

    community = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Community.objects.all(),
        error_messages={
            "does_not_exist": "Community {value} bestaat niet.",
            "invalid": "Geef de code van een community.",
        },
        help_text="Code (slug) van de community waarvan de applicatie is gebruikt.",
    )
    lid = serializers.PrimaryKeyRelatedField(
        source="member", queryset=Member.objects.all(), error_messages=LID_ERRORS, help_text="Id van het lid."
    )
    periode = PeriodeField(help_text="Het kwartaal: jaar, Q en kwartaal, bijv. 2026-Q1.")
    aantal = serializers.IntegerField(
        max_value=MAX_AANTAL,
        help_text=(
            "Aantal transacties in dat kwartaal, 0 of meer. Een eerder doorgegeven aantal voor dezelfde "
            "community, hetzelfde lid en kwartaal wordt vervangen, tenzij het al is gefactureerd."
        ),
    )


class GebruikFilterSerializer(serializers.Serializer):
    """The list's query parameters; a wrong value is a 400 with invalidParams."""

    community = serializers.SlugField(required=False, help_text="Alleen het gebruik van deze community (slug).")
    lid = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Alleen het gebruik van dit lid (id)."
    )
    jaar = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text="Alleen het gebruik in dit jaar."
    )
    periode = PeriodeField(required=False, help_text="Alleen het gebruik in dit kwartaal, bijv. 2026-Q1.")
    ordering = serializers.ChoiceField(
        choices=[(key, key) for key in ORDER_BY],
        required=False,
        help_text="Sortering op kwartaal, met een minteken voor nieuwste eerst. Standaard: nieuwste eerst.",
    )


MAX_COUNTS = 1000  # per request; a quarter of all members' counts for a few communities

GEBRUIK_IN = PolymorphicProxySerializer(
    component_name="GebruikOpgave",
    serializers=[GebruikSerializer, GebruikSerializer(many=True)],
    resource_type_field_name=None,
    many=False,  # one count, or a list of them
)


# --- reads ---------------------------------------------------------------------------


def gebruik_for(request) -> QuerySet[UsageCount]:
    """The counts the caller may read: a community's application those of
    its community; a user those of the members whose invoices it may read."""
    counts = UsageCount.objects.select_related("community")
    token = application_of(request)
    if token is not None:
        return counts.filter(community_id=token.community_id)
    return counts.filter(member__in=selectors.members_with_visible_invoices(request.user))


def gebruik_filter(
    counts: QuerySet[UsageCount],
    *,
    community: str = "",
    lid: int | None = None,
    jaar: int | None = None,
    periode: tuple[int, int] | None = None,
    ordering: str = "",
) -> QuerySet[UsageCount]:
    if community:
        counts = counts.filter(community__slug=community)
    if lid:
        counts = counts.filter(member_id=lid)
    if jaar:
        counts = counts.filter(jaar=jaar)
    if periode:
        counts = counts.filter(jaar=periode[0], kwartaal=periode[1])
    return counts.order_by(*ORDER_BY[ordering or "-periode"])


def stored_already(reports: list[services.UsageReport]) -> set[tuple]:
    """Which of the reported keys are stored already (one query): a report of
    only those replaces counts (200), any other adds one (201)."""
    wanted = Q()
    for r in reports:
        wanted |= Q(community=r.community, member=r.member, jaar=r.jaar, kwartaal=r.kwartaal)
    return set(UsageCount.objects.filter(wanted).values_list("community_id", "member_id", "jaar", "kwartaal"))


# --- the view ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Gebruik per kwartaal",
        description=(
            "Het aantal transacties per community, lid en kwartaal dat u mag lezen: de directie alles, een lid "
            "zijn eigen gebruik, de applicatie van een community (met haar applicatiesleutel) het gebruik van die "
            "community. Nieuwste kwartaal eerst."
        ),
        parameters=[GebruikFilterSerializer],
        responses={200: GebruikSerializer(many=True), **problems(400, 401, 403)},
    ),
    create=extend_schema(
        summary="Gebruik doorgeven",
        description=(
            "Eén opgave, of een lijst ervan: alles of niets, zoals de CSV-import. Door de directie, of door de "
            "applicatie van een community met haar applicatiesleutel, alleen voor die community (anders 403). "
            "Een eerder doorgegeven aantal voor hetzelfde kwartaal wordt vervangen, tenzij het al is "
            "gefactureerd (400); twee keer hetzelfde kwartaal in één lijst is een 400. 201 als er een aantal "
            "bij komt, 200 als alleen bestaande aantallen zijn vervangen; het antwoord is wat is vastgelegd."
        ),
        request=GEBRUIK_IN,
        responses={
            (201, "application/json"): OpenApiResponse(GEBRUIK_IN, description="Vastgelegd, met nieuwe aantallen."),
            (200, "application/json"): OpenApiResponse(GEBRUIK_IN, description="Vastgelegd; alleen vervangen."),
            **problems(400, 401, 403),
        },
    ),
)
@extend_schema(tags=["gebruik"])
class GebruikViewSet(DutchAPIView, viewsets.GenericViewSet):
    """Gebruik van de applicaties van de communities, per lid en per kwartaal."""

    serializer_class = GebruikSerializer
    # A community's application key first: it answers None for any other key (api/community_tokens.py).
    authentication_classes = [ApplicationTokenAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    permission_classes = [IsUserOrApplication]
    throttle_classes = [ApplicationKeyRateThrottle]
    read_only = READ_ONLY

    def list(self, request, *args, **kwargs):
        params = GebruikFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        token = application_of(request)
        other = params.validated_data.get("community")
        if token is not None and other and other != token.community.slug:
            raise exceptions.PermissionDenied(OTHER_COMMUNITY.format(own=token.community.slug, other=other))
        page = self.paginate_queryset(gebruik_filter(gebruik_for(request), **params.validated_data))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def create(self, request, *args, **kwargs):
        token = application_of(request)
        # As the portal's usage page: who may not report learns nothing from validation.
        if token is None and not selectors.may_manage(request.user):
            raise exceptions.PermissionDenied(MAY_NOT_REPORT)
        many = isinstance(request.data, list)
        # One request holds its counts' row locks in one transaction: keep it bounded.
        limits = {"allow_empty": False, "max_length": MAX_COUNTS} if many else {}
        given = self.get_serializer(data=request.data, many=many, **limits)
        given.is_valid(raise_exception=True)
        reports = [
            services.UsageReport(
                community=row["community"],
                member=row["member"],
                jaar=row["periode"][0],
                kwartaal=row["periode"][1],
                aantal=row["aantal"],
            )
            for row in (given.validated_data if many else [given.validated_data])
        ]
        known = stored_already(reports)
        # The directie acts for the coöperatie itself, not for a member (docs/decisions/0004).
        by = token.actor if token is not None else Actor(user=request.user)
        try:
            stored = services.usage_counts_report(reports, by=by)
        except services.UsageReportError as error:
            details = {str(index): get_error_detail(refusal) for index, refusal in error.errors.items()}
            raise exceptions.ValidationError(details if many else details["0"]) from error
        added = any((r.community.pk, r.member.pk, r.jaar, r.kwartaal) not in known for r in reports)
        body = self.get_serializer(stored if many else stored[0], many=many).data
        return Response(body, status=status.HTTP_201_CREATED if added else status.HTTP_200_OK)

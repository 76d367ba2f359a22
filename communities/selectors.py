"""Reads for communities. Every logged-in user of the portal may browse the
catalogue and community pages; what they may change is asked with `can`."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from beware.common.permissions import can
from businesscases.models import BusinessCase
from membership import admission
from membership.models import Member

from .models import ApplicationToken, Community, Participation

CURRENT = Q(participations__status=Participation.Status.DEELNEMER, participations__einddatum__isnull=True)


def catalogue(*, zoekterm: str = "", status: str = "", domein: str = "", trekker: Member | None = None) -> QuerySet:
    """Communities with their trekker and number of current participants:
    one query however many communities."""
    communities = Community.objects.select_related("trekker").annotate(
        aantal_deelnemers=Count("participations", filter=CURRENT, distinct=True)
    )
    if zoekterm:
        communities = communities.filter(
            Q(naam__icontains=zoekterm)
            | Q(samenvatting__icontains=zoekterm)
            | Q(beschrijving__icontains=zoekterm)
            | Q(leverancier__icontains=zoekterm)
        )
    if status:
        communities = communities.filter(status=status)
    if domein:
        communities = communities.filter(domein=domein)
    if trekker is not None:
        communities = communities.filter(trekker=trekker)
    return communities.order_by("naam")


def trekkers() -> QuerySet[Member]:
    return Member.objects.filter(led_communities__isnull=False).distinct().order_by("naam")


def may_manage(user, community: Community) -> bool:
    return can(user, "communities.change_community", community)


def may_manage_participation(user, community: Community) -> bool:
    return can(user, "communities.manage_participation", community)


@dataclass(frozen=True)
class CommunityPage:
    community: Community
    coordinators: list
    participants: list[Participation]  # current
    former: list[Participation]  # left
    requests: list[Participation]  # waiting for a coordinator
    documents: list
    business_cases: list[BusinessCase]
    decisions: list[BusinessCase]


def community_page(community: Community) -> CommunityPage:
    """Everything the community page shows, in a fixed number of queries."""
    participations = list(
        community.participations.exclude(status=Participation.Status.AFGEWEZEN)
        .select_related("member", "aangevraagd_door")
        .order_by("datum", "aangevraagd_op", "id")
    )
    business_cases = list(community.business_cases.order_by("-aangemaakt_op", "-id"))
    return CommunityPage(
        community=community,
        coordinators=list(community.coordinators.select_related("user")),
        participants=[p for p in participations if p.is_current],
        former=[p for p in participations if p.einddatum is not None],
        requests=[p for p in participations if p.status == Participation.Status.AANGEVRAAGD],
        documents=list(community.documents.select_related("toegevoegd_door")),
        business_cases=business_cases,
        decisions=sorted(
            (bc for bc in business_cases if bc.besluitdatum is not None), key=lambda bc: bc.besluitdatum, reverse=True
        ),
    )


def open_participation(community: Community, member: Member | None) -> Participation | None:
    """The member's request or current participation in the community, if any."""
    if member is None:
        return None
    return (
        Participation.objects.filter(community=community, member=member, einddatum__isnull=True)
        .exclude(status=Participation.Status.AFGEWEZEN)
        .first()
    )


def may_request_join(user, member: Member | None) -> bool:
    return member is not None and member.status == admission.ACTIEF and can(user, "membership.join_community", member)


def members_to_add(community: Community) -> QuerySet[Member]:
    """Active members without an open request or participation in the community."""
    open_ones = community.participations.filter(einddatum__isnull=True).exclude(status=Participation.Status.AFGEWEZEN)
    return Member.objects.filter(status=admission.ACTIEF).exclude(pk__in=open_ones.values("member_id")).order_by("naam")


def asks_joiner_percentage(business_cases) -> bool:
    """A late joiner's weight under a fixed key is set when accepting it."""
    return any(bc.is_decided and bc.verdeelsleutel == bc.Key.VAST for bc in business_cases)


def application_tokens(community: Community) -> list[ApplicationToken]:
    """The community's application keys, newest first, revoked ones included."""
    return list(community.application_tokens.select_related("aangemaakt_door"))


def application_token_for_key(sleutel: str) -> ApplicationToken | None:
    """The active application key with this value, with its community, in one query."""
    return (
        ApplicationToken.objects.select_related("community")
        .filter(sleutel_hash=ApplicationToken.hash(sleutel), ingetrokken__isnull=True)
        .first()
    )

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from beware.common.audit import verify_chain
from beware.common.models import AuditEvent
from businesscases.models import BusinessCase, CostLine, Settlement, Share, YearlyAllocation
from communities.models import Community, Coordinator, Participation

FOUNDING_APPLICATIONS = {
    "corv": "eindhoven",
    "inwonercloud": "woerden",
    "subsidiesysteem": "eindhoven",
    "zaaksysteem": "mijngemeentedichtbij",
    "burgerzakenmodules": "eindhoven",
    "werk-en-inkomen": "waadhoeke",
}
MODELS = [
    Community,
    Coordinator,
    Participation,
    BusinessCase,
    CostLine,
    Share,
    Settlement,
    YearlyAllocation,
    AuditEvent,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def current_participants(slug: str) -> set[str]:
    return set(
        Participation.objects.filter(
            community__slug=slug, status=Participation.Status.DEELNEMER, einddatum__isnull=True
        ).values_list("member__code", flat=True)
    )


@pytest.mark.django_db
def test_seed_demo_builds_communities_and_business_cases(settings):
    settings.DEBUG = True
    call_command("seed_demo")

    trekkers = dict(Community.objects.filter(slug__in=FOUNDING_APPLICATIONS).values_list("slug", "trekker__code"))
    assert trekkers == FOUNDING_APPLICATIONS

    corv = BusinessCase.objects.get(community__slug="corv")
    assert corv.status == BusinessCase.Status.BESLOTEN
    one_off = CostLine.objects.filter(business_case=corv, soort__in=CostLine.ONE_OFF).aggregate(s=Sum("bedrag"))["s"]
    assert one_off == Decimal("25000.00")
    shares = Share.objects.filter(business_case=corv)
    assert shares.count() == 2
    assert sum(share.bedrag for share in shares) == Decimal("25000.00")
    assert current_participants("corv") == {"eindhoven", "mijngemeentedichtbij"}
    assert corv.yearly_allocations.filter(jaar=2019).exists()

    # The browser journey shows Woerden a late-join quote for CORV.
    assert "woerden" not in current_participants("corv")
    assert not Participation.objects.filter(community__slug="corv", member__code="woerden").exists()
    assert not Settlement.objects.exists()

    assert BusinessCase.objects.get(community__slug="inwonercloud").status == BusinessCase.Status.BESLOTEN
    assert BusinessCase.objects.get(community__slug="subsidiesysteem").status == BusinessCase.Status.CONCEPT
    assert (
        BusinessCase.objects.get(community__slug="burgerzakenmodules").status == BusinessCase.Status.TER_BESLUITVORMING
    )
    assert current_participants("burgerzakenmodules") == {"eindhoven", "mijngemeentedichtbij", "woerden"}
    assert not current_participants("werk-en-inkomen")
    assert Participation.objects.filter(status=Participation.Status.AANGEVRAAGD, member__code="woerden").exists()

    before = counts()
    call_command("seed_demo")
    assert counts() == before
    assert verify_chain() is None

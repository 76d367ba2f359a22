"""The national-scale demo (`seed_demo --scale national`), at a reduced size:
it builds on the founding demo through the real services, keeps the domain's
invariants, and gives the same result twice (fresh database each time)."""

import io
from collections import defaultdict
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Sum
from django.utils import timezone

from beware.common import demo_national
from beware.common.audit import verify_chain
from beware.common.models import AuditEvent
from businesscases.models import BusinessCase, Settlement, Share, YearlyAllocation
from businesscases.selectors import cost_summary
from communities.models import Community, Participation
from governance.models import Ballot, Poll
from invoicing.models import BatchItem, Charge, Invoice, Payment
from membership.models import Gemeente, Inwonertal, Member, Representation
from membership.selectors import inwoners_by_member

MODELS = [Gemeente, Inwonertal, Member, Community, Participation, BusinessCase, Share]
MODELS += [Settlement, YearlyAllocation, Charge, Invoice, Payment, Ballot]
SMALL = {"gemeenten": 28, "members": 20, "communities": 15, "years": 2, "corv_late_joiners": 2}


def seed(settings) -> dict:
    settings.DEBUG = True  # seed_demo refuses to run without it
    # The founding demo as `make run` makes it, its invoice documents deferred
    # like the national part's (rendering is not what is tested here).
    with demo_national.documents_deferred():
        call_command("seed_demo", stdout=io.StringIO())
    summary = demo_national.seed_national(**SMALL)
    assert summary is not None
    return summary


def fingerprint() -> dict:
    """What must come out the same on every run: counts, amounts, numbers."""
    invoices = sorted(
        (i.nummer or "", i.member.code, i.soort, i.status, str(i.totaal_excl), str(i.totaal_incl))
        for i in Invoice.objects.select_related("member")
    )
    return {
        "counts": {model.__name__: model.objects.count() for model in MODELS},
        "members": sorted(Member.objects.values_list("code", "naam", "status", "ingangsdatum")),
        "inwoners": Inwonertal.objects.aggregate(s=Sum("aantal"))["s"],
        "shares": sorted(Share.objects.values_list("business_case__community__slug", "member__code", "bedrag")),
        "invoices": invoices,
        "paid": str(Payment.objects.aggregate(s=Sum("bedrag"))["s"]),
        "polls": sorted(Poll.objects.values_list("vraag", "status", "voor", "tegen", "onthouding")),
    }


def check_invariants() -> None:
    today = timezone.localdate()
    # Every member has inwoners: the gemeenten it represents, with their figures.
    members = list(Member.objects.all())
    found = inwoners_by_member([m.pk for m in members], date(today.year, 1, 1), represented_on=today)
    assert all(isinstance(value, int) and value > 0 for value in found.values()), found
    assert Member.objects.filter(soort=Member.Kind.GEMEENSCHAPPELIJKE_REGELING).exists()
    several = Representation.objects.values("member").annotate(n=Sum(1)).filter(n__gt=1)
    assert several.exists(), "some member represents several gemeenten"

    # Decided business cases: participants, and shares summing exactly to the one-off cost.
    decided = BusinessCase.objects.filter(status=BusinessCase.Status.BESLOTEN)
    assert decided.count() >= 2
    assert BusinessCase.objects.exclude(status=BusinessCase.Status.BESLOTEN).exists()
    for business_case in decided:
        shares = Share.objects.filter(business_case=business_case, bron=Share.Source.BESLUIT)
        assert shares.exists()
        assert sum(s.bedrag for s in shares) == cost_summary(business_case).one_off
    # Late joins: the credits sum exactly to the charge.
    assert Settlement.objects.filter(business_case__community__slug="corv").count() >= 1
    for settlement in Settlement.objects.prefetch_related("credits"):
        assert sum(c.bedrag for c in settlement.credits.all()) == settlement.bedrag
    for yearly in YearlyAllocation.objects.prefetch_related("lines"):
        assert sum(line.bedrag for line in yearly.lines.all()) == yearly.totaal

    # Invoice numbers: consecutive per year and series, no gaps, unique.
    series = defaultdict(list)
    for jaar, soort, volgnummer in Invoice.objects.exclude(nummer="").values_list("jaar", "soort", "volgnummer"):
        series[(jaar, soort)].append(volgnummer)
    assert series
    for numbers in series.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert Invoice.objects.filter(soort=Invoice.Kind.CREDITNOTA).exists()
    # Contributie for every closed year of the scale, nobody failed.
    years = set(Charge.objects.filter(soort="contributie").values_list("contribution_rate__jaar", flat=True))
    assert set(range(today.year - SMALL["years"], today.year)) <= years
    assert not BatchItem.objects.filter(uitkomst=BatchItem.Outcome.MISLUKT).exists()
    # Payments never exceed an invoice; some invoices are paid, some open.
    assert Invoice.objects.filter(status=Invoice.Status.BETAALD).exists()
    for invoice in Invoice.objects.filter(payments__isnull=False).distinct():
        assert invoice.payments.aggregate(s=Sum("bedrag"))["s"] <= invoice.totaal_incl
    # The ALV: one poll closed with every ballot counted, one open.
    closed = Poll.objects.get(vraag__startswith="Vaststelling jaarrekening", status=Poll.Status.GESLOTEN)
    assert closed.voor + closed.tegen + closed.onthouding == Ballot.objects.filter(poll=closed).count()
    assert Poll.objects.filter(status=Poll.Status.OPEN, vraag__contains="begroting").exists()
    # Everything went through the services: the audit chain is whole.
    assert AuditEvent.objects.filter(action="businesscase.late_toetreding").exists()
    assert verify_chain() is None


@pytest.mark.django_db(transaction=True)
def test_national_seed_keeps_invariants_and_is_deterministic(settings):
    first_summary = seed(settings)
    check_invariants()
    first = fingerprint()
    # Once there, a second call changes nothing.
    assert demo_national.seed_national(**SMALL) is None
    assert fingerprint() == first

    call_command("flush", interactive=False, verbosity=0)  # a fresh database
    assert not Member.objects.exists()
    second_summary = seed(settings)
    assert second_summary == first_summary
    assert fingerprint() == first


def test_scale_defaults_are_national():
    scale = demo_national.Scale()
    assert (scale.gemeenten, scale.members, scale.communities, scale.years) == (342, 300, 100, 3)

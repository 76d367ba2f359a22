"""Demo invoicing, through the real services: the ALV's contributie rates,
the members' factuurkenmerken, and last year's contributie run with some of
it paid. This year's run is left for the directie to start in the portal;
Woerden has no factuurkenmerk for it yet, so the run shows a skipped member."""

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from beware.common.audit import Actor
from membership import demo as membership_demo
from membership import services as membership_services
from membership.models import Member

from . import services
from .models import Batch, ContributionRate, Invoice

RATE = Decimal("0.3500")


def _directie() -> Actor:
    return Actor(user=get_user_model().objects.get(email="directeur@beware.demo"))


def seed_rates_and_references() -> bool:
    """Rates and factuurkenmerken; run before the communities so their
    business-case invoices can be finalised. False when already there."""
    if ContributionRate.objects.exists():
        return False
    directie = _directie()
    this_year = timezone.localdate().year
    for jaar in membership_demo.DEMO_YEARS:
        services.contribution_rate_set(
            by=directie,
            jaar=jaar,
            bedrag_per_inwoner=RATE,
            besluit=f"ALV {jaar - 1}, besluit over de begroting {jaar}",
            besluitdatum=date(jaar - 1, 12, 10),
        )
    members = {m.code: m for m in Member.objects.filter(code__in=["eindhoven", "mijngemeentedichtbij", "woerden"])}
    membership_services.member_update(members["mijngemeentedichtbij"], by=directie, kvk="17279589")
    membership_services.member_update(members["woerden"], by=directie, oin="00000001001632000000")
    prefixes = {"eindhoven": "INK-{jaar}-0772", "mijngemeentedichtbij": "MGD/{jaar}/118", "woerden": "WRD-{jaar}"}
    for code, pattern in prefixes.items():
        for jaar in range(2017, this_year + 1):
            if code == "woerden" and jaar == this_year:
                continue  # the run of this year shows a member it had to skip
            membership_services.factuurkenmerk_set(
                members[code], jaar=jaar, kenmerk=pattern.format(jaar=jaar), by=directie
            )
    return True


def seed_last_years_run() -> bool:
    """Last year's contributie, invoiced and mostly paid."""
    jaar = timezone.localdate().year - 1
    if Batch.objects.filter(jaar=jaar).exists():
        return False
    directie = _directie()
    batch = Batch.objects.create(soort=Batch.Kind.CONTRIBUTIE, jaar=jaar, gestart_door=directie.user)
    services.contribution_batch_run(batch)
    for invoice in Invoice.objects.filter(batch=batch).exclude(member__code="woerden"):
        paid_on = min(invoice.vervaldatum - timedelta(days=5), timezone.localdate())
        services.payment_register(invoice, by=directie, datum=paid_on, bedrag=invoice.totaal_incl, kenmerk="Demo")
    return True

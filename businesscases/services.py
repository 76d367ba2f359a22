"""Writes for business cases. Every function is atomic, checks the actor's
permission, and records an audit event in the same transaction. Amounts come
from the kernel (allocation.py) through the selectors and are stored with
the weights used; nothing stored is ever recomputed."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beware.common import audit
from beware.common.audit import Actor
from beware.common.money import round_money
from beware.common.permissions import require
from communities.models import Community, Participation
from membership import admission
from membership.models import Member

from . import allocation, selectors
from .models import (
    BusinessCase,
    CostLine,
    FixedPercentage,
    Settlement,
    SettlementCredit,
    Share,
    YearlyAllocation,
    YearlyAllocationLine,
)

MANAGE = "communities.change_community"  # directie, operationeel manager, or a coordinator of the community
DECIDE = "businesscases.decide_businesscase"
EDITABLE_FIELDS = {
    "titel",
    "probleem",
    "doel",
    "horizon_jaren",
    "risicos",
    "hosting",
    "beheer",
    "verantwoordelijkheid",
    "gebruikstarief",
    "verdeelsleutel",
    "peildatum",
    "afschrijvingsjaren",
}


def _lock(business_case: BusinessCase) -> BusinessCase:
    return BusinessCase.objects.select_for_update().select_related("community").get(pk=business_case.pk)


def _require_concept(business_case: BusinessCase) -> None:
    if not business_case.is_editable:
        raise ValidationError(
            {
                "status": "Alleen een concept kan worden gewijzigd; deze businesscase is "
                f"{business_case.get_status_display().lower()}."
            }
        )


def businesscase_create(community: Community, *, by: Actor, **fields) -> BusinessCase:
    require(by, MANAGE, community)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Dit veld kan hier niet worden ingevuld."))
    with transaction.atomic():
        business_case = BusinessCase(community=community, **fields)
        business_case.full_clean()
        business_case.save()
        audit.record("businesscase.aangemaakt", actor=by, obj=business_case, data={"titel": business_case.titel})
        return business_case


def businesscase_update(business_case: BusinessCase, *, by: Actor, **fields) -> BusinessCase:
    require(by, MANAGE, business_case.community)
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "Dit veld wijzigt niet via bewerken."))
    with transaction.atomic():
        business_case = _lock(business_case)
        _require_concept(business_case)
        before = {name: str(getattr(business_case, name)) for name in fields}
        for name, value in fields.items():
            setattr(business_case, name, value)
        business_case.full_clean()
        business_case.save()
        audit.record(
            "businesscase.gewijzigd",
            actor=by,
            obj=business_case,
            data={"voor": before, "na": {k: str(v) for k, v in fields.items()}},
        )
        return business_case


def cost_line_add(
    business_case: BusinessCase,
    *,
    by: Actor,
    soort: str,
    omschrijving: str,
    bedrag: Decimal | None = None,
    uren: Decimal | None = None,
    uurtarief: Decimal | None = None,
) -> CostLine:
    """Add a cost line; personeelsinzet is hours × tariff."""
    require(by, MANAGE, business_case.community)
    if soort in CostLine.STAFF:
        if uren is None or uurtarief is None:
            raise ValidationError({"uren": "Vul bij personeelsinzet de uren en het uurtarief in."})
        bedrag = round_money(uren * uurtarief)
    elif bedrag is None:
        raise ValidationError({"bedrag": "Vul het bedrag in."})
    else:
        uren = uurtarief = None
    with transaction.atomic():
        business_case = _lock(business_case)
        _require_concept(business_case)
        line = CostLine(
            business_case=business_case,
            soort=soort,
            omschrijving=omschrijving,
            bedrag=bedrag,
            uren=uren,
            uurtarief=uurtarief,
        )
        line.full_clean()
        line.save()
        audit.record(
            "businesscase.kosten_toegevoegd",
            actor=by,
            obj=business_case,
            data={"soort": soort, "omschrijving": omschrijving, "bedrag": bedrag},
        )
        return line


def cost_line_remove(line: CostLine, *, by: Actor) -> None:
    require(by, MANAGE, line.business_case.community)
    with transaction.atomic():
        business_case = _lock(line.business_case)
        _require_concept(business_case)
        audit.record(
            "businesscase.kosten_verwijderd",
            actor=by,
            obj=business_case,
            data={"soort": line.soort, "omschrijving": line.omschrijving, "bedrag": line.bedrag},
        )
        line.delete()


def fixed_percentages_set(business_case: BusinessCase, percentages: dict[Member, Decimal], *, by: Actor) -> None:
    """Replace the percentages of a `vast` key; they must sum to exactly 100."""
    require(by, MANAGE, business_case.community)
    if business_case.verdeelsleutel != BusinessCase.Key.VAST:
        raise ValidationError({"verdeelsleutel": "Vaste percentages horen alleen bij de verdeelsleutel 'vast'."})
    percentages = {member: value for member, value in percentages.items() if value}
    selectors.check_percentages(percentages)
    with transaction.atomic():
        business_case = _lock(business_case)
        _require_concept(business_case)
        business_case.fixed_percentages.all().delete()
        FixedPercentage.objects.bulk_create(
            FixedPercentage(business_case=business_case, member=member, percentage=value)
            for member, value in percentages.items()
        )
        audit.record(
            "businesscase.percentages",
            actor=by,
            obj=business_case,
            data={"percentages": {member.code: value for member, value in percentages.items()}},
        )


def businesscase_submit(business_case: BusinessCase, *, by: Actor) -> BusinessCase:
    """Concept → ter besluitvorming: the case is complete enough to decide on."""
    require(by, MANAGE, business_case.community)
    with transaction.atomic():
        business_case = _lock(business_case)
        _require_concept(business_case)
        if not business_case.cost_lines.exists():
            raise ValidationError({"kosten": "Voeg eerst de kosten toe."})
        if business_case.verdeelsleutel == BusinessCase.Key.VAST:
            selectors.check_percentages(selectors.fixed_percentages(business_case))
        business_case.status = BusinessCase.Status.TER_BESLUITVORMING
        business_case.save()
        audit.record("businesscase.ter_besluitvorming", actor=by, obj=business_case)
        return business_case


def businesscase_reopen(business_case: BusinessCase, *, by: Actor) -> BusinessCase:
    """Ter besluitvorming → concept, to change it before the decision."""
    require(by, MANAGE, business_case.community)
    with transaction.atomic():
        business_case = _lock(business_case)
        if business_case.status != BusinessCase.Status.TER_BESLUITVORMING:
            raise ValidationError({"status": "Alleen een businesscase ter besluitvorming gaat terug naar concept."})
        business_case.status = BusinessCase.Status.CONCEPT
        business_case.save()
        audit.record("businesscase.terug_naar_concept", actor=by, obj=business_case)
        return business_case


def _decision_participants(community: Community, deelnemers, datum: date, by: Actor) -> list[Member]:
    """The fixed participant list: the community's current participants, or
    the given members (who become participants on the decision date)."""
    current = selectors.current_participants(community)
    if deelnemers is None:
        return current
    wanted = list(dict.fromkeys(deelnemers))
    left_out = [m.naam for m in current if m not in wanted]
    if left_out:
        raise ValidationError(
            {"deelnemers": f"Deelnemers van de community ontbreken in het besluit: {', '.join(left_out)}."}
        )
    for member in wanted:
        if member in current:
            continue
        if member.status != admission.ACTIEF:
            raise ValidationError(
                {"deelnemers": f"{member.naam} is geen actief lid ({member.get_status_display().lower()})."}
            )
        # An open request is answered by the decision: it becomes the participation.
        participation = Participation.objects.filter(
            community=community, member=member, status=Participation.Status.AANGEVRAAGD
        ).first() or Participation(community=community, member=member, toelichting="Deelnemer bij het go-besluit.")
        participation.status = Participation.Status.DEELNEMER
        participation.datum = datum
        participation.fase = community.status
        participation.beoordeeld_door = by.user
        participation.save()
        audit.record(
            "community.deelnemer",
            actor=by,
            obj=community,
            data={"lid": member.code, "datum": datum, "fase": community.status, "deelname": participation.pk},
        )
    return wanted


def businesscase_decide(
    business_case: BusinessCase,
    *,
    by: Actor,
    go: bool,
    datum: date,
    golive: date | None = None,
    deelnemers: list[Member] | None = None,
    toelichting: str = "",
) -> BusinessCase:
    """Record the go/no-go decision. At go the participants, their weights
    and their shares of the one-off costs are stored and never recomputed."""
    require(by, DECIDE)
    if golive is not None and golive < datum:
        raise ValidationError({"golive": "De go-live ligt vóór de besluitdatum."})
    with transaction.atomic():
        # The community first, as every participation change locks it.
        community = Community.objects.select_for_update().get(pk=business_case.community_id)
        business_case = _lock(business_case)
        if business_case.status != BusinessCase.Status.TER_BESLUITVORMING:
            raise ValidationError(
                {
                    "status": "Besluiten kan alleen over een businesscase ter besluitvorming, niet over een "
                    f"{business_case.get_status_display().lower()}."
                }
            )
        business_case.besluitdatum = datum
        business_case.besloten_door = by.user
        business_case.besluit_toelichting = toelichting
        if not go:
            business_case.status = BusinessCase.Status.AFGEWEZEN
            business_case.save()
            audit.record(
                "businesscase.no_go", actor=by, obj=business_case, data={"datum": datum, "toelichting": toelichting}
            )
            return business_case
        members = _decision_participants(community, deelnemers, datum, by)
        if not members:
            raise ValidationError({"deelnemers": "Een go-besluit vraagt ten minste één deelnemer."})
        business_case.peildatum = selectors.peildatum_for(business_case, datum)
        business_case.golive = golive or datum
        weights = selectors.key_weights(business_case, members, business_case.peildatum, fallback_on=datum)
        if business_case.verdeelsleutel == BusinessCase.Key.VAST:
            percentages = selectors.fixed_percentages(business_case)
            selectors.check_percentages(percentages)
            strangers = set(percentages) - {m.pk for m in members}
            if strangers:
                names = Member.objects.filter(pk__in=strangers).values_list("naam", flat=True)
                raise ValidationError(
                    {"vaste_percentages": f"Een percentage voor een niet-deelnemer: {', '.join(names)}."}
                )
        one_off = selectors.cost_summary(business_case).one_off
        try:
            # Keys are member codes: ties in the kernel go by member code (DOMAIN.md §3).
            amounts = allocation.allocate(one_off, {m.code: weights[m.pk].gewicht for m in members})
        except ValueError as error:
            raise ValidationError({"deelnemers": f"Verdelen lukt niet: {error}."}) from error
        Share.objects.bulk_create(
            Share(
                business_case=business_case,
                member=m,
                bron=Share.Source.BESLUIT,
                inwoners=weights[m.pk].inwoners,
                gewicht=weights[m.pk].gewicht,
                bedrag=amounts[m.code],
                datum=datum,
            )
            for m in members
        )
        business_case.status = BusinessCase.Status.BESLOTEN
        business_case.save()
        _queue_billing(business_case)
        audit.record(
            "businesscase.go",
            actor=by,
            obj=business_case,
            data={
                "datum": datum,
                "golive": business_case.golive,
                "peildatum": business_case.peildatum,
                "verdeelsleutel": business_case.verdeelsleutel,
                "eenmalige_kosten": one_off,
                "verdeling": [[m.code, weights[m.pk].gewicht, amounts[m.code]] for m in members],
            },
        )
        return business_case


def late_join_settle(
    business_case: BusinessCase,
    participation: Participation,
    *,
    by: Actor,
    joiner_percentage: Decimal | None = None,
) -> Settlement | None:
    """Store a late joiner's settlement: its charge, as if it had been there
    from the start, and the credits of every earlier participant (earlier late
    joiners included). Called inside the participation service's transaction,
    which holds the community lock. None when the member already paid its
    share (it left and came back: nothing was refunded)."""
    business_case = _lock(business_case)
    member = participation.member
    if Share.objects.filter(business_case=business_case, member=member).exists():
        return None
    plan = selectors.settlement_plan(business_case, member, participation.datum, joiner_percentage=joiner_percentage)
    settlement = Settlement.objects.create(
        business_case=business_case,
        member=member,
        participation=participation,
        datum=plan.datum,
        maanden=plan.maanden,
        eenmalige_kosten=plan.eenmalige_kosten,
        waarde=plan.waarde,
        gewicht=plan.gewicht,
        bedrag=plan.bedrag,
        vastgelegd_door=by.user,
    )
    SettlementCredit.objects.bulk_create(
        SettlementCredit(settlement=settlement, member=c.member, gewicht=c.gewicht, bedrag=c.bedrag)
        for c in plan.credits
    )
    _queue_billing(business_case)
    Share.objects.create(
        business_case=business_case,
        member=member,
        bron=Share.Source.TOETREDING,
        inwoners=plan.inwoners,
        gewicht=plan.gewicht,
        bedrag=plan.bedrag,
        datum=plan.datum,
    )
    audit.record(
        "businesscase.late_toetreding",
        actor=by,
        obj=business_case,
        data={
            "lid": member.code,
            "datum": plan.datum,
            "maanden": plan.maanden,
            "waarde": plan.waarde,
            "gewicht": plan.gewicht,
            "bedrag": plan.bedrag,
            "verrekening": [[c.member.code, c.gewicht, c.bedrag] for c in plan.credits],
        },
    )
    return settlement


def _queue_billing(business_case: BusinessCase) -> None:
    """After commit, invoice what was just stored (invoicing.services.businesscase_bill)."""
    from invoicing.services import queue_task
    from invoicing.tasks import bill_business_case

    pk = business_case.pk
    transaction.on_commit(lambda: queue_task(bill_business_case, pk))


def yearly_allocation_store(business_case: BusinessCase, jaar: int, *, by: Actor) -> YearlyAllocation:
    """Store the split of one year's yearly costs; once per year, never recomputed."""
    require(by, MANAGE, business_case.community)
    with transaction.atomic():
        business_case = _lock(business_case)
        if not business_case.is_decided:
            raise ValidationError({"status": "Jaarlijkse kosten worden pas na een go-besluit verdeeld."})
        first, today = (business_case.golive or business_case.besluitdatum).year, timezone.localdate()
        if not first <= jaar < today.year:
            raise ValidationError(
                {"jaar": f"Verdeel een afgesloten jaar vanaf het jaar van de go-live: {first} t/m {today.year - 1}."}
            )
        if business_case.yearly_allocations.filter(jaar=jaar).exists():
            raise ValidationError({"jaar": f"De jaarlijkse kosten van {jaar} zijn al verdeeld."})
        lines = selectors.yearly_allocation_plan(business_case, jaar)
        yearly = YearlyAllocation.objects.create(
            business_case=business_case,
            jaar=jaar,
            totaal=sum((line.bedrag for line in lines), Decimal("0.00")),
            vastgelegd_door=by.user,
        )
        YearlyAllocationLine.objects.bulk_create(
            YearlyAllocationLine(
                yearly_allocation=yearly,
                member=line.member,
                inwoners=line.inwoners,
                maanden=line.maanden,
                gewicht=line.gewicht,
                bedrag=line.bedrag,
            )
            for line in lines
        )
        audit.record(
            "businesscase.jaarverdeling",
            actor=by,
            obj=business_case,
            data={
                "jaar": jaar,
                "totaal": yearly.totaal,
                "regels": [[line.member.code, line.maanden, line.bedrag] for line in lines],
            },
        )
        _queue_billing(business_case)
        return yearly

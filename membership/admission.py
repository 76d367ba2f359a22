"""The membership lifecycle as a pure state machine (DOMAIN.md §2): which step
leads from which status to which, and which permission takes it."""

from dataclasses import dataclass

BELANGSTELLING = "belangstelling"
AANVRAAG = "aanvraag"
RVC_GOEDGEKEURD = "rvc_goedgekeurd"
TOEGELATEN = "toegelaten"
ACTIEF = "actief"
OPGEZEGD = "opgezegd"
UITGETREDEN = "uitgetreden"
AFGEWEZEN = "afgewezen"

STATUS_LABELS = {
    BELANGSTELLING: "Belangstellende",
    AANVRAAG: "Aanvraag ingediend",
    RVC_GOEDGEKEURD: "Goedgekeurd door RvC",
    TOEGELATEN: "Toegelaten door directie",
    ACTIEF: "Actief lid",
    OPGEZEGD: "Opgezegd",
    UITGETREDEN: "Uitgetreden",
    AFGEWEZEN: "Afgewezen",
}


@dataclass(frozen=True)
class Step:
    code: str
    label: str
    source: str
    target: str
    permission: str
    needs_date: str | None = None  # which date the step records, if any


STEPS = {
    step.code: step
    for step in [
        Step("indienen", "Aanvraag indienen", BELANGSTELLING, AANVRAAG, "membership.add_member"),
        Step("rvc_goedkeuren", "Goedkeuren (RvC)", AANVRAAG, RVC_GOEDGEKEURD, "membership.approve_admission"),
        Step("rvc_afwijzen", "Afwijzen (RvC)", AANVRAAG, AFGEWEZEN, "membership.approve_admission"),
        Step(
            "toelaten",
            "Besluit tot toelating (directie)",
            RVC_GOEDGEKEURD,
            TOEGELATEN,
            "membership.decide_admission",
            needs_date="ingangsdatum",
        ),
        Step("directie_afwijzen", "Afwijzen (directie)", RVC_GOEDGEKEURD, AFGEWEZEN, "membership.decide_admission"),
        Step(
            "overeenkomst_ondertekend",
            "Ondertekende overeenkomst verwerken",
            TOEGELATEN,
            ACTIEF,
            "membership.register_agreement",
            needs_date="ingangsdatum",
        ),
        Step("opzeggen", "Opzegging verwerken", ACTIEF, OPGEZEGD, "membership.register_agreement", "einddatum"),
        Step("uittreden", "Uittreding verwerken", OPGEZEGD, UITGETREDEN, "membership.register_agreement"),
    ]
}


class StepNotAllowed(Exception):
    """A step that does not apply to the member's current status."""


def step_for(code: str, current_status: str) -> Step:
    step = STEPS.get(code)
    if step is None:
        raise StepNotAllowed(f"Onbekende stap '{code}'.")
    if step.source != current_status:
        raise StepNotAllowed(
            f"De stap '{step.label}' kan niet bij status '{STATUS_LABELS.get(current_status, current_status)}'."
        )
    return step


def steps_from(status: str) -> list[Step]:
    return [step for step in STEPS.values() if step.source == status]

import pytest

from membership import admission


def test_the_happy_path_runs_from_prospect_to_former_member():
    status = admission.BELANGSTELLING
    for code in ["indienen", "rvc_goedkeuren", "toelaten", "overeenkomst_ondertekend", "opzeggen", "uittreden"]:
        status = admission.step_for(code, status).target
    assert status == admission.UITGETREDEN


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("toelaten", admission.AANVRAAG),  # the directie cannot decide before the RvC approved
        ("rvc_goedkeuren", admission.RVC_GOEDGEKEURD),  # approving twice
        ("overeenkomst_ondertekend", admission.RVC_GOEDGEKEURD),
        ("opzeggen", admission.TOEGELATEN),
        ("uittreden", admission.ACTIEF),
        ("indienen", admission.AFGEWEZEN),
    ],
)
def test_a_step_out_of_order_is_refused_with_a_dutch_message(code, status):
    with pytest.raises(admission.StepNotAllowed, match="kan niet bij status"):
        admission.step_for(code, status)


def test_an_unknown_step_is_refused():
    with pytest.raises(admission.StepNotAllowed, match="Onbekende stap"):
        admission.step_for("toveren", admission.AANVRAAG)


def test_each_step_belongs_to_the_role_the_statuten_give_it():
    assert admission.STEPS["rvc_goedkeuren"].permission == "membership.approve_admission"
    assert admission.STEPS["rvc_afwijzen"].permission == "membership.approve_admission"
    assert admission.STEPS["toelaten"].permission == "membership.decide_admission"
    assert admission.STEPS["directie_afwijzen"].permission == "membership.decide_admission"


def test_a_refused_application_ends_as_afgewezen_from_either_body():
    assert admission.step_for("rvc_afwijzen", admission.AANVRAAG).target == admission.AFGEWEZEN
    assert admission.step_for("directie_afwijzen", admission.RVC_GOEDGEKEURD).target == admission.AFGEWEZEN
    assert admission.steps_from(admission.AFGEWEZEN) == []

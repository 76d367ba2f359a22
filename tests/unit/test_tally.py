"""The decision engine (governance/tally.py): DOMAIN.md §5's cases, and
properties that hold for any electorate."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.tally import Rule, tally

FIVE = dict.fromkeys("abcde", 1)


def test_rvc_meeting_domain_example():
    outcome = tally(
        Rule.rvc_meeting(), entitled=FIVE, present={"a", "b", "c"}, votes={"a": "voor", "b": "voor", "c": "tegen"}
    )
    assert (outcome.quorum_met, outcome.adopted, outcome.voor, outcome.tegen, outcome.cast) == (True, True, 2, 1, 3)
    assert outcome.result == "aangenomen"
    no_quorum = tally(Rule.rvc_meeting(), entitled=FIVE, present={"a", "b"}, votes={"a": "voor", "b": "voor"})
    assert (no_quorum.quorum_met, no_quorum.adopted, no_quorum.result) == (False, False, "geen quorum")


def test_abstentions_are_not_votes_cast_and_a_tie_is_rejected():
    outcome = tally(
        Rule.rvc_meeting(),
        entitled=FIVE,
        present=set(FIVE),
        votes={"a": "voor", "b": "tegen", "c": "onthouding", "d": "onthouding"},
    )
    assert (outcome.cast, outcome.onthouding, outcome.adopted, outcome.result) == (2, 2, False, "verworpen")
    one_for = tally(Rule.rvc_meeting(), entitled=FIVE, present=set(FIVE), votes={"a": "voor", "b": "onthouding"})
    assert one_for.adopted  # 1 voor of 1 cast


def test_rvc_in_writing_needs_every_commissaris_in_favour():
    all_for = dict.fromkeys(FIVE, "voor")
    assert tally(Rule.rvc_written(), entitled=FIVE, present=(), votes=all_for).adopted
    one_missing = dict(list(all_for.items())[:4])
    outcome = tally(Rule.rvc_written(), entitled=FIVE, present=(), votes=one_missing)
    assert (outcome.adopted, outcome.quorum_met) == (False, False)
    one_abstains = {**all_for, "e": "onthouding"}
    assert not tally(Rule.rvc_written(), entitled=FIVE, present=(), votes=one_abstains).adopted


def test_directie_tie_is_decided_by_the_chair():
    four = {"ad": 1, "b": 1, "c": 1, "d": 1}
    votes = {"ad": "voor", "b": "voor", "c": "tegen", "d": "tegen"}
    outcome = tally(Rule.directie_meeting(), entitled=four, present=set(four), votes=votes, chair="ad")
    assert (outcome.adopted, outcome.decided_by_chair) == (True, True)
    votes = {"ad": "tegen", "b": "voor", "c": "tegen", "d": "voor"}
    assert not tally(Rule.directie_meeting(), entitled=four, present=set(four), votes=votes, chair="ad").adopted
    two = {"ad": 1, "b": 1}
    assert not tally(Rule.directie_written(), entitled=two, present=(), votes={"ad": "voor", "b": "tegen"}).adopted


def test_a_tie_without_the_chairs_vote_is_rejected_and_not_the_chairs_decision():
    """The chair abstained, did not vote, or there is none: the tie is simply rejected."""
    four = {"ad": 1, "b": 1, "c": 1, "d": 1}
    for votes, chair in (
        ({"ad": "onthouding", "b": "voor", "c": "tegen"}, "ad"),
        ({"b": "voor", "c": "tegen"}, "ad"),
        ({"b": "voor", "c": "tegen"}, None),
    ):
        outcome = tally(Rule.directie_meeting(), entitled=four, present=set(four), votes=votes, chair=chair)
        assert (outcome.adopted, outcome.decided_by_chair) == (False, False)


def test_alv_ordinary_has_no_quorum_and_weights_count():
    weights = {"eindhoven": 3, "boxtel": 1, "woerden": 1}
    outcome = tally(
        Rule.alv(), entitled=weights, present={"eindhoven", "boxtel"}, votes={"eindhoven": "voor", "boxtel": "tegen"}
    )
    assert (outcome.quorum_met, outcome.adopted, outcome.voor, outcome.cast, outcome.entitled) == (True, True, 3, 4, 5)
    lonely = tally(Rule.alv(), entitled=weights, present={"woerden"}, votes={"woerden": "voor"})
    assert lonely.adopted


def test_alv_qualified_needs_two_thirds_cast_and_two_thirds_present():
    six = dict.fromkeys("abcdef", 1)
    present = set("abcd")  # exactly 2/3 of the entitled weight: enough ("at least")
    votes = {"a": "voor", "b": "voor", "c": "tegen", "d": "onthouding"}  # 2 of 3 cast: exactly 2/3
    outcome = tally(Rule.alv(qualified=True), entitled=six, present=present, votes=votes)
    assert (outcome.quorum_met, outcome.adopted) == (True, True)
    too_few = tally(Rule.alv(qualified=True), entitled=six, present=set("abc"), votes={"a": "voor"})
    assert (too_few.quorum_met, too_few.adopted) == (False, False)
    other_quorum = tally(
        Rule.alv(qualified=True, quorum=Fraction(1, 2)), entitled=six, present=set("abc"), votes={"a": "voor"}
    )
    assert other_quorum.adopted
    short = tally(
        Rule.alv(qualified=True),
        entitled=six,
        present=present,
        votes={"a": "voor", "b": "tegen", "c": "voor", "d": "tegen"},
    )
    assert not short.adopted


def test_decimal_weights_sum_exactly():
    weights = {"a": Decimal("0.1"), "b": Decimal("0.2"), "c": Decimal("0.3")}
    outcome = tally(Rule.alv(), entitled=weights, present=set(weights), votes={"a": "voor", "b": "voor", "c": "tegen"})
    assert (outcome.voor, outcome.tegen, outcome.adopted) == (Decimal("0.3"), Decimal("0.3"), False)


def test_votes_from_outside_the_electorate_or_absent_are_refused():
    with pytest.raises(ValueError, match="niet stemgerechtigd"):
        tally(Rule.alv(), entitled=FIVE, present={"x"}, votes={"x": "voor"})
    with pytest.raises(ValueError, match="niet aanwezig"):
        tally(Rule.rvc_meeting(), entitled=FIVE, present={"a"}, votes={"b": "voor"})
    with pytest.raises(ValueError, match="Ongeldige stem"):
        tally(Rule.alv(), entitled=FIVE, present={"a"}, votes={"a": "ja"})


def test_no_votes_cast_is_not_adopted():
    assert not tally(Rule.alv(), entitled=FIVE, present=set(FIVE), votes={"a": "onthouding"}).adopted


# --- properties ------------------------------------------------------------------

RULES = st.sampled_from(
    [
        Rule.rvc_meeting(),
        Rule.rvc_written(),
        Rule.directie_meeting(),
        Rule.directie_written(),
        Rule.alv(),
        Rule.alv(qualified=True),
        Rule.alv(quorum=Fraction(1, 2)),
        Rule.community(majority=Fraction(3, 5)),
    ]
)


@st.composite
def meetings(draw):
    """An electorate with weights, who is present, and how those present voted."""
    voters = draw(st.lists(st.text("abcdefghij", min_size=1, max_size=3), min_size=1, max_size=12, unique=True))
    entitled = {v: draw(st.integers(min_value=0, max_value=20)) for v in voters}
    present = {v for v in voters if draw(st.booleans())}
    votes = {v: draw(st.sampled_from(["voor", "tegen", "onthouding"])) for v in present if draw(st.booleans())}
    chair = draw(st.sampled_from(voters))
    return entitled, present, votes, chair


@given(RULES, meetings(), st.data())
def test_adding_a_voor_vote_never_turns_adopted_into_rejected(rule, meeting, data):
    entitled, present, votes, chair = meeting
    not_voted = [v for v in entitled if v not in votes]
    if not not_voted:
        return
    before = tally(rule, entitled=entitled, present=present, votes=votes, chair=chair)
    newcomer = data.draw(st.sampled_from(not_voted))
    after = tally(rule, entitled=entitled, present=present | {newcomer}, votes={**votes, newcomer: "voor"}, chair=chair)
    assert not (before.adopted and not after.adopted)


@given(RULES, meetings(), st.randoms())
def test_permuting_voters_changes_nothing(rule, meeting, random):
    entitled, present, votes, chair = meeting
    names = list(entitled)
    shuffled = names[:]
    random.shuffle(shuffled)
    rename = dict(zip(names, [f"x{n}" for n in shuffled], strict=True))
    outcome = tally(rule, entitled=entitled, present=present, votes=votes, chair=chair)
    renamed = tally(
        rule,
        entitled={rename[v]: w for v, w in entitled.items()},
        present={rename[v] for v in present},
        votes={rename[v]: c for v, c in votes.items()},
        chair=rename[chair],
    )
    assert (renamed.adopted, renamed.quorum_met, renamed.voor, renamed.tegen, renamed.cast) == (
        outcome.adopted,
        outcome.quorum_met,
        outcome.voor,
        outcome.tegen,
        outcome.cast,
    )


@given(RULES, meetings(), st.integers(min_value=1, max_value=1000))
def test_weights_are_scale_invariant(rule, meeting, factor):
    entitled, present, votes, chair = meeting
    outcome = tally(rule, entitled=entitled, present=present, votes=votes, chair=chair)
    scaled = tally(
        rule, entitled={v: w * factor for v, w in entitled.items()}, present=present, votes=votes, chair=chair
    )
    assert (scaled.adopted, scaled.quorum_met) == (outcome.adopted, outcome.quorum_met)
    assert scaled.voor == outcome.voor * factor

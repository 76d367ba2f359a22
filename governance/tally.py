"""The decision engine (DOMAIN.md §5): one tally for every body, each body
with its rule. Pure: no Django import; weights in, an Outcome out.

Options are `voor`, `tegen` and `onthouding`. Abstentions are not votes
cast. Quorum counts the weight present or represented (a member represented
by proxy is present); in writing, every entitled voter must have voted."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

VOOR, TEGEN, ONTHOUDING = "voor", "tegen", "onthouding"
OPTIONS = (VOOR, TEGEN, ONTHOUDING)
HALF = Fraction(1, 2)
TWO_THIRDS = Fraction(2, 3)


@dataclass(frozen=True)
class Rule:
    name: str
    # Quorum: the share of the entitled weight present or represented; None: no quorum.
    quorum: Fraction | None = None
    quorum_strict: bool = True  # "more than" (True) or "at least" (False)
    majority: Fraction = HALF
    majority_strict: bool = True  # voor > majority × cast, or voor ≥ majority × cast
    written: bool = False  # outside a meeting: adopted only if every entitled voter votes voor
    chair_breaks_tie: bool = False

    @classmethod
    def rvc_meeting(cls) -> "Rule":
        return cls("RvC in vergadering", quorum=HALF)

    @classmethod
    def rvc_written(cls) -> "Rule":
        return cls("RvC buiten vergadering", written=True)

    @classmethod
    def directie_meeting(cls) -> "Rule":
        return cls("directie in vergadering", quorum=HALF, chair_breaks_tie=True)

    @classmethod
    def directie_written(cls) -> "Rule":
        return cls("directie buiten vergadering", written=True)

    @classmethod
    def alv(cls, qualified: bool = False, quorum: Fraction | None = None) -> "Rule":
        """Ordinary: no quorum, more than half of the votes cast. Qualified
        (statutenwijziging, fusie, ontbinding): at least 2/3 of the votes cast
        and, unless another quorum is given, at least 2/3 of the entitled
        weight present or represented."""
        if qualified:
            return cls(
                "ALV, gekwalificeerde meerderheid",
                quorum=TWO_THIRDS if quorum is None else Fraction(quorum),
                quorum_strict=False,
                majority=TWO_THIRDS,
                majority_strict=False,
            )
        return cls("ALV, gewone meerderheid", quorum=None if quorum is None else Fraction(quorum), quorum_strict=False)

    @classmethod
    def alv_written(cls) -> "Rule":
        return cls("ALV buiten vergadering", written=True)

    @classmethod
    def community(
        cls, *, majority: Fraction = HALF, majority_strict: bool = True, quorum: Fraction | None = None
    ) -> "Rule":
        """A community's own rule: by default as the ALV's ordinary rule."""
        return cls(
            "community",
            quorum=None if quorum is None else Fraction(quorum),
            quorum_strict=False,
            majority=Fraction(majority),
            majority_strict=majority_strict,
        )


@dataclass(frozen=True)
class Outcome:
    rule: str
    quorum_met: bool
    adopted: bool
    voor: int | Decimal
    tegen: int | Decimal
    onthouding: int | Decimal
    cast: int | Decimal  # voor + tegen: abstentions are not votes cast
    present: int | Decimal
    entitled: int | Decimal
    decided_by_chair: bool = False

    @property
    def result(self) -> str:
        if not self.quorum_met:
            return "geen quorum"
        return "aangenomen" if self.adopted else "verworpen"


def _exceeds(part, whole, share: Fraction, strict: bool) -> bool:
    """part > share × whole (strict) or part ≥ share × whole, exactly."""
    left, right = Fraction(part), share * Fraction(whole)
    return left > right if strict else left >= right


def tally(
    rule: Rule,
    *,
    entitled: Mapping[str, int | Decimal],
    present: Collection[str],
    votes: Mapping[str, str],
    chair: str | None = None,
) -> Outcome:
    for voter, choice in votes.items():
        if voter not in entitled:
            raise ValueError(f"{voter} is niet stemgerechtigd.")
        if choice not in OPTIONS:
            raise ValueError(f"Ongeldige stem van {voter}: {choice!r}.")
        if not rule.written and voter not in present:
            raise ValueError(f"{voter} stemt maar is niet aanwezig of vertegenwoordigd.")
    for voter, weight in entitled.items():
        if weight < 0:
            raise ValueError(f"Het stemgewicht van {voter} is negatief.")

    zero = sum((w for w in entitled.values()), start=0) * 0  # 0, or Decimal 0 for Decimal weights

    def weight_of(choice: str):
        return sum((entitled[v] for v, c in votes.items() if c == choice), start=zero)

    voor, tegen, onthouding = weight_of(VOOR), weight_of(TEGEN), weight_of(ONTHOUDING)
    cast = voor + tegen
    total = sum(entitled.values(), start=zero)
    if rule.written:
        present_weight = sum((entitled[v] for v in votes), start=zero)
    else:
        present_weight = sum((entitled[v] for v in set(present) if v in entitled), start=zero)

    if rule.written:
        # Every entitled voter must take part, and all must be in favour.
        quorum_met = all(v in votes for v in entitled)
        adopted = quorum_met and bool(entitled) and all(votes[v] == VOOR for v in entitled)
        return Outcome(rule.name, quorum_met, adopted, voor, tegen, onthouding, cast, present_weight, total)

    quorum_met = rule.quorum is None or (total > 0 and _exceeds(present_weight, total, rule.quorum, rule.quorum_strict))
    decided_by_chair = False
    if not quorum_met or cast == 0:
        adopted = False
    elif rule.chair_breaks_tie and voor == tegen:
        # Only the chair's own voor or tegen decides; without it the tie is rejected.
        decided_by_chair = chair is not None and votes.get(chair) in (VOOR, TEGEN)
        adopted = decided_by_chair and votes[chair] == VOOR
    else:
        adopted = _exceeds(voor, cast, rule.majority, rule.majority_strict)
    return Outcome(
        rule.name, quorum_met, adopted, voor, tegen, onthouding, cast, present_weight, total, decided_by_chair
    )

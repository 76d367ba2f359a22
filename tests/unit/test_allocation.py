"""The allocation kernel: DOMAIN.md's worked examples and its properties.
No database: the kernel is pure."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from businesscases.allocation import allocate, late_join_settlement, remaining_value, whole_months_between

D = Decimal

# Amounts in whole cents, positive and negative, up to ten million euro.
amounts = st.integers(min_value=-1_000_000_000, max_value=1_000_000_000).map(lambda c: D(c) / 100)
positive_amounts = st.integers(min_value=0, max_value=1_000_000_000).map(lambda c: D(c) / 100)
int_weights = st.integers(min_value=0, max_value=2_000_000)
decimal_weights = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
weight_values = st.one_of(int_weights, decimal_weights)
keys = st.text(alphabet="abcdefghij", min_size=1, max_size=4)


def has_positive(weights) -> bool:
    return any(w > 0 for w in weights.values())


weight_maps = st.dictionaries(keys, weight_values, min_size=1, max_size=12).filter(has_positive)


class TestWorkedExamples:
    def test_one_off_cost_over_three_participants(self):
        shares = allocate(D("120000.00"), {"A": 200_000, "B": 50_000, "C": 30_000})
        assert shares == {"A": D("85714.29"), "B": D("21428.57"), "C": D("12857.14")}
        assert sum(shares.values()) == D("120000.00")

    def test_late_joiner_d_pays_and_earlier_participants_are_credited(self):
        settlement = late_join_settlement(D("120000.00"), {"A": 200_000, "B": 50_000, "C": 30_000}, "D", 50_000)
        assert settlement.value == D("120000.00")
        assert settlement.charge == D("18181.82")
        assert settlement.credits == {"A": D("12987.02"), "B": D("3246.75"), "C": D("1948.05")}
        assert sum(settlement.credits.values()) == settlement.charge

    def test_fixed_key_50_25_25(self):
        shares = allocate(D("92500.00"), {"eindhoven": D("50"), "boxtel": D("25"), "woerden": D("25")})
        assert shares == {"eindhoven": D("46250.00"), "boxtel": D("23125.00"), "woerden": D("23125.00")}

    def test_second_late_joiner_credits_the_first_late_joiner_too(self):
        participants = {"A": 200_000, "B": 50_000, "C": 30_000, "D": 50_000}
        settlement = late_join_settlement(D("120000.00"), participants, "E", 70_000)
        # E pays 70/400 of 120.000 = 21.000,00; D is credited as an earlier participant.
        assert settlement.charge == D("21000.00")
        assert settlement.credits == {"A": D("12727.27"), "B": D("3181.82"), "C": D("1909.09"), "D": D("3181.82")}
        assert sum(settlement.credits.values()) == settlement.charge


class TestAllocate:
    def test_ties_go_to_the_larger_weight_then_the_key(self):
        assert allocate(D("0.01"), {"b": 1, "a": 1}) == {"b": D("0.00"), "a": D("0.01")}
        assert allocate(D("0.01"), {"a": 1, "b": 2, "c": 1}) == {"a": D("0.00"), "b": D("0.01"), "c": D("0.00")}
        assert allocate(D("1.00"), {"x": 1, "y": 1, "z": 1}) == {"x": D("0.34"), "y": D("0.33"), "z": D("0.33")}

    def test_negative_total_is_split_as_its_absolute_value_and_negated(self):
        assert allocate(D("-1.00"), {"x": 1, "y": 1, "z": 1}) == {"x": D("-0.34"), "y": D("-0.33"), "z": D("-0.33")}

    def test_zero_weight_gets_nothing(self):
        assert allocate(D("10.00"), {"a": 0, "b": 3}) == {"a": D("0.00"), "b": D("10.00")}

    @pytest.mark.parametrize("weights", [{}, {"a": 0}, {"a": 0, "b": D("0")}])
    def test_no_positive_weight_is_an_error(self, weights):
        with pytest.raises(ValueError, match="positief gewicht"):
            allocate(D("10.00"), weights)

    def test_negative_weight_is_an_error(self):
        with pytest.raises(ValueError, match="negatief"):
            allocate(D("10.00"), {"a": -1, "b": 3})

    @pytest.mark.parametrize("total", [10.0, 10, "10.00"])
    def test_total_must_be_a_decimal(self, total):
        with pytest.raises(TypeError):
            allocate(total, {"a": 1})

    def test_total_must_be_whole_cents(self):
        with pytest.raises(ValueError, match="hele centen"):
            allocate(D("10.005"), {"a": 1})

    def test_float_weight_is_refused(self):
        with pytest.raises(TypeError):
            allocate(D("10.00"), {"a": 0.5})

    def test_keys_keep_their_order(self):
        assert list(allocate(D("3.00"), {"z": 1, "a": 1, "m": 1})) == ["z", "a", "m"]


class TestRemainingValue:
    def test_without_afschrijving_the_full_cost(self):
        assert remaining_value(D("120000.00"), months=40, years=None) == D("120000.00")

    def test_book_value_after_months(self):
        # 5 years, 18 months after go-live: 1 - 18/60 = 0.7
        assert remaining_value(D("120000.00"), months=18, years=5) == D("84000.00")

    def test_rounded_half_up_to_cents(self):
        # 100.01 × (1 − 1/24) = 95.842083… → 95.84; 0.06 × 1/2 = 0.03; 0.03 × 11/12 = 0.0275 → 0.03
        assert remaining_value(D("100.01"), months=1, years=2) == D("95.84")
        assert remaining_value(D("0.03"), months=1, years=1) == D("0.03")
        assert remaining_value(D("0.01"), months=6, years=1) == D("0.01")  # 0.005 → 0.01

    def test_fully_written_off_is_zero_not_negative(self):
        assert remaining_value(D("120000.00"), months=61, years=5) == D("0.00")

    def test_bad_arguments(self):
        with pytest.raises(ValueError):
            remaining_value(D("1.00"), months=-1, years=5)
        with pytest.raises(ValueError):
            remaining_value(D("1.00"), months=1, years=0)

    def test_settlement_uses_the_book_value(self):
        settlement = late_join_settlement(
            D("120000.00"), {"A": 200_000, "B": 50_000, "C": 30_000}, "D", 50_000, months=30, years=5
        )
        assert settlement.value == D("60000.00")
        assert settlement.charge == D("9090.91")
        assert sum(settlement.credits.values()) == D("9090.91")


class TestLateJoinRefusals:
    def test_joiner_already_a_participant(self):
        with pytest.raises(ValueError, match="al deelnemer"):
            late_join_settlement(D("1.00"), {"A": 1}, "A", 1)

    def test_nobody_to_credit(self):
        with pytest.raises(ValueError, match="geen eerdere deelnemers"):
            late_join_settlement(D("1.00"), {}, "A", 1)


class TestWholeMonths:
    @pytest.mark.parametrize(
        ("start", "end", "months"),
        [
            (date(2027, 1, 1), date(2027, 1, 31), 0),
            (date(2027, 1, 15), date(2027, 2, 15), 1),
            (date(2027, 1, 15), date(2027, 2, 14), 0),
            (date(2026, 11, 30), date(2028, 5, 30), 18),
            (date(2027, 5, 1), date(2027, 1, 1), 0),
        ],
    )
    def test_whole_months(self, start, end, months):
        assert whole_months_between(start, end) == months


class TestProperties:
    @given(total=amounts, weights=weight_maps)
    def test_shares_sum_exactly_to_the_total(self, total, weights):
        assert sum(allocate(total, weights).values()) == total

    @given(total=positive_amounts, weights=weight_maps)
    def test_no_share_is_negative_for_a_positive_total(self, total, weights):
        assert all(share >= 0 for share in allocate(total, weights).values())

    @given(total=amounts, n=st.integers(min_value=1, max_value=40), weight=st.integers(min_value=1, max_value=10**6))
    def test_equal_weights_differ_by_at_most_one_cent(self, total, n, weight):
        shares = allocate(total, {f"lid{i}": weight for i in range(n)}).values()
        assert max(shares) - min(shares) <= D("0.01")

    @given(total=amounts, weights=weight_maps, zero_key=keys)
    def test_a_zero_weight_gets_nothing(self, total, weights, zero_key):
        weights = {k: v for k, v in weights.items() if k != zero_key}
        if not has_positive(weights):
            return
        assert allocate(total, {**weights, zero_key: 0})[zero_key] == 0

    @given(total=amounts, weights=weight_maps)
    def test_relabelling_keys_keeps_the_amounts(self, total, weights):
        # A relabelling that keeps the order of the keys (ties are broken by key).
        relabel = {key: f"lid-{key}" for key in weights}
        original = allocate(total, weights)
        relabelled = allocate(total, {relabel[k]: w for k, w in weights.items()})
        assert {relabel[k]: v for k, v in original.items()} == relabelled

    @given(total=amounts, weights=weight_maps)
    def test_reordering_the_mapping_keeps_the_amounts(self, total, weights):
        reversed_weights = dict(reversed(list(weights.items())))
        assert allocate(total, weights) == allocate(total, reversed_weights)

    @given(
        cost=positive_amounts,
        weights=weight_maps,
        joiner_weight=weight_values,
        months=st.integers(min_value=0, max_value=200),
        years=st.one_of(st.none(), st.integers(min_value=1, max_value=15)),
    )
    def test_settlement_credits_sum_exactly_to_the_charge(self, cost, weights, joiner_weight, months, years):
        settlement = late_join_settlement(cost, weights, "nieuw-lid", joiner_weight, months=months, years=years)
        assert sum(settlement.credits.values()) == settlement.charge
        assert D(0) <= settlement.charge <= settlement.value <= cost

    @given(total=positive_amounts, weights=weight_maps, new_weight=weight_values)
    def test_adding_a_participant_raises_no_share_by_more_than_a_cent(self, total, weights, new_weight):
        before = allocate(total, weights)
        after = allocate(total, {**weights, "nieuw-lid": new_weight})
        assert all(after[key] <= before[key] + D("0.01") for key in weights)


def test_the_kernel_imports_no_django():
    import subprocess
    import sys

    code = "import sys, businesscases.allocation; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


@pytest.mark.parametrize(
    ("start", "end", "year", "months"),
    [
        (date(2027, 4, 15), None, 2027, 9),  # joining in April: 9/12, as the contributie
        (date(2026, 4, 15), None, 2027, 12),
        (date(2028, 1, 1), None, 2027, 0),
        (date(2026, 1, 1), date(2027, 3, 31), 2027, 3),  # leaving in March pays through March
        (date(2027, 2, 1), date(2027, 2, 20), 2027, 1),
        (date(2025, 1, 1), date(2026, 12, 31), 2027, 0),
    ],
)
def test_months_in_year(start, end, year, months):
    from businesscases.allocation import months_in_year

    assert months_in_year([(start, end)], year) == months


def test_leaving_and_rejoining_in_one_month_counts_that_month_once():
    from businesscases.allocation import months_in_year

    periods = [(date(2024, 2, 1), date(2024, 4, 1)), (date(2024, 4, 20), None)]
    assert months_in_year(periods, 2024) == 11

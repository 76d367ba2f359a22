from decimal import Decimal

import pytest

from beware.common.money import round_money, round_rate


def test_half_a_cent_rounds_up_not_to_even():
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("0.135")) == Decimal("0.14")
    assert round_money(Decimal("-0.125")) == Decimal("-0.13")


def test_rates_keep_four_places():
    assert round_rate(Decimal("0.35")) == Decimal("0.3500")
    assert round_rate(Decimal("0.123450")) == Decimal("0.1235")


def test_floats_are_refused():
    with pytest.raises(TypeError, match="Decimal"):
        round_money(0.1)

"""The pure invoicing arithmetic: contributie, pro rata months, fees, the
exit-charge cap and VAT per category. No database."""

import ast
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing import amounts, data

D = Decimal


def test_the_founding_example():
    # DOMAIN.md §3.1: € 0,35 × 286.000 inwoners = € 100.100 a year.
    assert amounts.contribution(D("0.35"), 286_000) == D("100100.00")


@pytest.mark.parametrize(
    ("ingangsdatum", "months"),
    [(None, 12), (date(2019, 1, 1), 12), (date(2026, 1, 1), 12), (date(2026, 4, 30), 9), (date(2026, 12, 1), 1)],
)
def test_billable_months(ingangsdatum, months):
    assert amounts.billable_months(ingangsdatum, 2026) == months


def test_a_member_joining_next_year_pays_nothing_this_year():
    assert amounts.billable_months(date(2027, 1, 1), 2026) == 0


def test_pro_rata_rounds_once_half_up():
    assert amounts.contribution(D("0.35"), 31_001, 9) == D("8137.76")  # 8137.7625


def test_a_float_rate_is_refused():
    with pytest.raises(TypeError):
        amounts.contribution(0.35, 1000)


def test_the_exit_charge_cap():
    amounts.check_exit_charge(D("100.00"), D("100.00"))
    with pytest.raises(ValueError, match="hoogstens één jaar contributie"):
        amounts.check_exit_charge(D("100.01"), D("100.00"))


def test_a_negative_usage_count_is_refused():
    with pytest.raises(ValueError, match="negatief"):
        amounts.usage_fee(D("0.01"), -1)


def test_vat_per_category_on_the_summed_base():
    lines = [data.Line(f"r{i}", D("0.05"), "S", D("21")) for i in range(3)] + [data.Line("c", D("10"), "O", D("0"))]
    assert data.vat_subtotals(lines) == (
        data.VatSubtotal("O", D("0"), D("10"), D("0.00")),
        data.VatSubtotal("S", D("21"), D("0.15"), D("0.03")),
    )


@given(st.lists(st.integers(min_value=1, max_value=10_000_000), min_size=1, max_size=30))
def test_vat_never_differs_more_than_half_a_cent_per_line_from_exact(cents):
    lines = [data.Line("r", D(c) / 100, "S", D("21")) for c in cents]
    (subtotal,) = data.vat_subtotals(lines)
    exact = sum(D(c) for c in cents) / 100 * D("0.21")
    assert abs(subtotal.btw - exact) <= D("0.005")
    assert subtotal.grondslag == sum(D(c) for c in cents) / 100


@pytest.mark.parametrize("module", ["amounts.py", "data.py"])
def test_the_kernels_import_no_django(module):
    tree = ast.parse((Path(__file__).parents[2] / "invoicing" / module).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name and name.startswith("django") for name in imported)

"""The terms-of-office kernel (DOMAIN.md §1), without a database."""

import ast
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import mandates
from governance.mandates import Term, TermRefused


def test_a_term_runs_four_years_to_the_day_before():
    assert mandates.term_end(date(2026, 7, 1)) == date(2030, 6, 30)
    assert mandates.term_end(date(2024, 2, 29)) == date(2028, 2, 28)  # 2028 has a 29 February
    assert mandates.term_end(date(2024, 2, 29), years=1) == date(2025, 2, 27)  # 2025 has none


def test_a_first_appointment_and_two_reappointments_are_allowed():
    for earlier in (0, 1, 2):
        term = mandates.check_appointment(
            person="A", born=date(1970, 1, 1), start=date(2026, 1, 1), earlier_terms=earlier
        )
        assert term == Term("A", date(2026, 1, 1), date(2029, 12, 31))


def test_a_fourth_term_is_refused():
    with pytest.raises(TermRefused, match="na 2 herbenoemingen"):
        mandates.check_appointment(person="A", born=date(1970, 1, 1), start=date(2026, 1, 1), earlier_terms=3)


def test_no_term_runs_past_age_72():
    # Born 15 March 1958: 72 on 15 March 2030.
    with pytest.raises(TermRefused, match="voorbij de 72e verjaardag \\(15-03-2030\\)"):
        mandates.check_appointment(person="B", born=date(1958, 3, 15), start=date(2026, 3, 16), earlier_terms=0)
    term = mandates.check_appointment(
        person="B", born=date(1958, 3, 15), start=date(2026, 3, 15), earlier_terms=0, years=4
    )
    assert term.end == date(2030, 3, 14)  # the day before the birthday still fits


def test_body_sizes():
    assert mandates.size_warning("De RvC", 2, minimum=3, maximum=6) == "De RvC heeft 2 leden; het minimum is 3."
    assert mandates.size_warning("De RvC", 7, minimum=3, maximum=6) == "De RvC heeft 7 leden; het maximum is 6."
    assert mandates.size_warning("De directie", 2, minimum=2) is None
    with pytest.raises(TermRefused, match="7 leden; het maximum is 6"):
        mandates.check_size_after_appointment("de RvC", 6, maximum=6)


def test_ending_within_six_months():
    term = Term("C", date(2022, 7, 1), date(2026, 6, 30))
    assert mandates.ending_soon(term, date(2026, 1, 1))
    assert not mandates.ending_soon(term, date(2025, 12, 29))
    assert not mandates.ending_soon(term, date(2026, 7, 1))


def test_rooster_van_aftreden_by_end_then_name():
    terms = [Term("Z", date(2024, 1, 1), date(2027, 12, 31)), Term("A", date(2024, 1, 1), date(2027, 12, 31))]
    terms.append(Term("M", date(2023, 1, 1), date(2026, 12, 31)))
    assert [t.person for t in mandates.rooster_van_aftreden(terms)] == ["M", "A", "Z"]


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2080, 12, 31)), st.integers(min_value=1, max_value=8))
def test_a_term_is_whole_years_less_a_day(start, years):
    end = mandates.term_end(start, years)
    assert mandates.add_years(start, years).toordinal() - end.toordinal() == 1


@given(
    st.dates(min_value=date(1930, 1, 1), max_value=date(2000, 12, 31)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2200, 12, 31)),  # a calendar, not year 9999
)
def test_an_allowed_term_always_ends_before_the_72nd_birthday(born, start):
    try:
        term = mandates.check_appointment(person="X", born=born, start=start, earlier_terms=0)
    except TermRefused:
        return
    assert term.end < mandates.add_years(born, 72)


def test_the_kernel_imports_no_django():
    tree = ast.parse((Path(__file__).parents[2] / "governance" / "mandates.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name and name.startswith("django") for name in imported)

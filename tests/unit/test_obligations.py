"""The governance calendar kernel (DOMAIN.md §6), without a database:
deadlines, met/open/late and the reminder thresholds."""

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import obligations
from governance.obligations import LATE, MET, OPEN

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("year", "quarter", "deadline"),
    [
        (2026, 1, date(2026, 6, 30)),
        (2026, 2, date(2026, 9, 30)),
        (2026, 3, date(2026, 12, 31)),
        (2026, 4, date(2027, 3, 31)),
        # Leap years change nothing: the quarters end on the same days.
        (2028, 1, date(2028, 6, 30)),
        (2027, 4, date(2028, 3, 31)),
        (2028, 4, date(2029, 3, 31)),
    ],
)
def test_a_kwartaalrapportage_is_due_three_months_after_its_quarter(year, quarter, deadline):
    assert obligations.report_deadline(year, quarter) == deadline


def test_quarter_ends():
    assert [obligations.quarter_end(2028, q) for q in (1, 2, 3, 4)] == [
        date(2028, 3, 31),
        date(2028, 6, 30),
        date(2028, 9, 30),
        date(2028, 12, 31),
    ]


def test_a_year_holds_every_obligation_due_in_it_in_deadline_order():
    items = obligations.obligations_for_year(2026)
    by_key = {item.key: item for item in items}
    assert [item.deadline for item in items] == sorted(item.deadline for item in items)
    assert set(by_key) == {
        "alv-2026",
        "kwartaalrapportage-2025-q4",
        "kwartaalrapportage-2026-q1",
        "kwartaalrapportage-2026-q2",
        "kwartaalrapportage-2026-q3",
        "begroting-2027",
        "meerjarenplan-2027",
        "rvc-vergaderingen-2026",
        "rvc-accountant-2026",
        "evaluatie-directie-2026",
        "zelfevaluatie-rvc-2026",
    }
    assert by_key["alv-2026"].deadline == date(2026, 3, 31)
    # Q4 of the year before is due in this year; Q4 of this year in the next.
    q4 = by_key["kwartaalrapportage-2025-q4"]
    assert (q4.deadline, q4.year, q4.quarter, q4.role) == (date(2026, 3, 31), 2025, 4, "directie")
    assert "kwartaalrapportage-2026-q4" in {item.key for item in obligations.obligations_for_year(2027)}
    # Begroting and meerjarenplan reach the RvC before 1 December.
    assert by_key["begroting-2027"].deadline == date(2026, 11, 30)
    assert by_key["meerjarenplan-2027"].deadline == date(2026, 11, 30)
    assert by_key["rvc-vergaderingen-2026"].deadline == date(2026, 12, 31)
    assert by_key["rvc-vergaderingen-2026"].role == "secretaris"


def test_open_up_to_and_including_the_deadline_day_late_from_the_day_after():
    deadline = date(2026, 6, 30)
    assert obligations.status(deadline, None, date(2026, 1, 1)) == OPEN
    assert obligations.status(deadline, None, deadline) == OPEN
    assert obligations.status(deadline, None, date(2026, 7, 1)) == LATE


def test_met_stays_met_also_when_met_after_the_deadline():
    deadline = date(2026, 6, 30)
    assert obligations.status(deadline, date(2026, 6, 30), date(2026, 6, 30)) == MET
    assert obligations.status(deadline, date(2026, 8, 15), date(2026, 8, 15)) == MET
    assert obligations.status(deadline, date(2026, 8, 15), date(2027, 12, 31)) == MET


def test_evidence_dated_after_today_does_not_count_yet():
    deadline = date(2026, 12, 31)
    assert obligations.status(deadline, date(2026, 11, 1), date(2026, 10, 1)) == OPEN
    assert obligations.status(deadline, date(2027, 1, 5), date(2027, 1, 2)) == LATE


def test_reminders_30_and_7_days_before():
    deadline = date(2026, 6, 30)
    assert obligations.reminder_due(deadline, deadline - 31 * DAY) is None
    assert obligations.reminder_due(deadline, deadline - 30 * DAY) == 30  # 31 May
    assert obligations.reminder_due(deadline, date(2026, 5, 31)) == 30
    assert obligations.reminder_due(deadline, deadline - 8 * DAY) == 30
    assert obligations.reminder_due(deadline, deadline - 7 * DAY) == 7  # 23 June
    assert obligations.reminder_due(deadline, deadline) == 7
    assert obligations.reminder_due(deadline, deadline + DAY) is None  # late: no "before" reminder


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)))
def test_every_deadline_is_open_on_the_day_and_late_the_day_after(deadline):
    assert obligations.status(deadline, None, deadline) == OPEN
    assert obligations.status(deadline, None, deadline + DAY) == LATE
    assert obligations.status(deadline, deadline + DAY, deadline + DAY) == MET


@given(st.integers(min_value=2000, max_value=2098), st.integers(min_value=1, max_value=4))
def test_every_report_is_due_within_three_months_of_its_quarter_end(year, quarter):
    end = obligations.quarter_end(year, quarter)
    deadline = obligations.report_deadline(year, quarter)
    assert 90 <= (deadline - end).days <= 92
    assert deadline == obligations.quarter_end(*((year, quarter + 1) if quarter < 4 else (year + 1, 1)))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)), st.integers(min_value=0, max_value=400))
def test_a_reminder_threshold_is_reached_only_within_30_days(deadline, days_before):
    due = obligations.reminder_due(deadline, deadline - timedelta(days=days_before))
    if days_before > 30:
        assert due is None
    elif days_before > 7:
        assert due == 30
    else:
        assert due == 7


def test_the_kernel_imports_no_django():
    tree = ast.parse((Path(__file__).parents[2] / "governance" / "obligations.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(name and name.startswith("django") for name in imported)

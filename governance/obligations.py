"""The governance calendar (DOMAIN.md §6): the recurring obligations of a
year with their deadlines, whether each is met, open or late on a given
day, and when a reminder is due. Pure: no Django import; dates in, dates out."""

import calendar
from dataclasses import dataclass
from datetime import date

MET = "voldaan"
OPEN = "open"
LATE = "te-laat"

REMINDER_DAYS = (30, 7)  # reminders this many days before a deadline
RVC_MEETINGS_PER_YEAR = 4


@dataclass(frozen=True)
class Obligation:
    key: str  # stable, e.g. "kwartaalrapportage-2026-q1"
    kind: str
    title: str
    deadline: date
    role: str  # the responsible role (a StaffRole value)
    year: int  # the year the obligation is about
    quarter: int | None = None


def quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, calendar.monthrange(year, month)[1])


def report_deadline(year: int, quarter: int) -> date:
    """A kwartaalrapportage is due within 3 months after its quarter: Q1 by
    30 June, Q4 by 31 March of the next year."""
    if quarter == 4:
        return quarter_end(year + 1, 1)
    return quarter_end(year, quarter + 1)


def obligations_for_year(year: int) -> list[Obligation]:
    """Every obligation whose deadline falls in `year`, by deadline."""
    items = [
        Obligation(
            f"alv-{year}",
            "alv",
            f"ALV in het eerste kwartaal van {year}: jaarrekening en jaarverslag {year - 1}, begroting, meerjarenplan",
            date(year, 3, 31),
            "secretaris",
            year,
        ),
        Obligation(
            f"kwartaalrapportage-{year - 1}-q4",
            "kwartaalrapportage",
            f"Kwartaalrapportage Q4 {year - 1} aan de RvC",
            report_deadline(year - 1, 4),
            "directie",
            year - 1,
            4,
        ),
        *(
            Obligation(
                f"kwartaalrapportage-{year}-q{quarter}",
                "kwartaalrapportage",
                f"Kwartaalrapportage Q{quarter} {year} aan de RvC",
                report_deadline(year, quarter),
                "directie",
                year,
                quarter,
            )
            for quarter in (1, 2, 3)
        ),
        Obligation(
            f"begroting-{year + 1}",
            "begroting",
            f"Begroting {year + 1} aan de RvC (vóór 1 december)",
            date(year, 11, 30),
            "directie",
            year + 1,
        ),
        Obligation(
            f"meerjarenplan-{year + 1}",
            "meerjarenplan",
            f"Strategisch meerjarenplan vanaf {year + 1} aan de RvC (vóór 1 december)",
            date(year, 11, 30),
            "directie",
            year + 1,
        ),
        Obligation(
            f"rvc-vergaderingen-{year}",
            "rvc-vergaderingen",
            f"Ten minste {RVC_MEETINGS_PER_YEAR} vergaderingen van de RvC in {year}",
            date(year, 12, 31),
            "secretaris",
            year,
        ),
        Obligation(
            f"rvc-accountant-{year}",
            "rvc-accountant",
            f"Vergadering van de RvC met de accountant in {year}",
            date(year, 12, 31),
            "secretaris",
            year,
        ),
        Obligation(
            f"evaluatie-directie-{year}",
            "evaluatie-directie",
            f"Evaluatie van de directie door de RvC over {year}",
            date(year, 12, 31),
            "rvc",
            year,
        ),
        Obligation(
            f"zelfevaluatie-rvc-{year}",
            "zelfevaluatie-rvc",
            f"Zelfevaluatie van de RvC over {year}",
            date(year, 12, 31),
            "rvc",
            year,
        ),
    ]
    return sorted(items, key=lambda o: (o.deadline, o.key))


def status(deadline: date, met_on: date | None, today: date) -> str:
    """Met once the evidence exists (even after the deadline); otherwise open
    up to and including the deadline day, late from the day after."""
    if met_on is not None and met_on <= today:
        return MET
    return LATE if today > deadline else OPEN


def reminder_due(deadline: date, today: date, days: tuple[int, ...] = REMINDER_DAYS) -> int | None:
    """The nearest reminder threshold reached for an open obligation, or
    None: 30 days before the deadline gives 30, a week before gives 7."""
    left = (deadline - today).days
    if left < 0:
        return None
    reached = [d for d in days if left <= d]
    return min(reached) if reached else None

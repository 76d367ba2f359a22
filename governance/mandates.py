"""Terms of office (DOMAIN.md §1): RvC terms of 4 years, at most 2
reappointments, no term running past age 72, bodies within their size, and
the rooster van aftreden. Pure: no Django import; dates in, dates out."""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

RVC_TERM_YEARS = 4
RVC_MAX_REAPPOINTMENTS = 2
AGE_LIMIT = 72
WARN_MONTHS = 6


class TermRefused(ValueError):
    """An appointment the rules do not allow; the message says why, in Dutch."""


@dataclass(frozen=True)
class Term:
    person: str
    start: date
    end: date  # the last day of the term


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_end(start: date, years: int = RVC_TERM_YEARS) -> date:
    """A term starting on 1 July 2026 runs until 30 June 2030 inclusive."""
    return date.fromordinal(add_years(start, years).toordinal() - 1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_appointment(
    *,
    person: str,
    born: date,
    start: date,
    earlier_terms: int,
    years: int = RVC_TERM_YEARS,
    max_reappointments: int = RVC_MAX_REAPPOINTMENTS,
    until: date | None = None,
) -> Term:
    """The term of an (re)appointment, or TermRefused: a fourth term, or a
    term that would run past the person's 72nd birthday. `until` caps the
    term (a committee seat ends with the RvC seat it rests on)."""
    if not 1 <= years <= RVC_TERM_YEARS:
        raise TermRefused(f"Een termijn duurt 1 tot {RVC_TERM_YEARS} jaar.")
    if earlier_terms > max_reappointments:
        raise TermRefused(
            f"{person} had al {earlier_terms} termijnen; na {max_reappointments} herbenoemingen "
            "is een nieuwe benoeming niet toegestaan."
        )
    end = term_end(start, years)
    if until is not None and until < end:
        end = until
    limit = add_years(born, AGE_LIMIT)
    if end >= limit:
        raise TermRefused(
            f"De termijn van {person} zou lopen tot {end:%d-%m-%Y}, voorbij de {AGE_LIMIT}e verjaardag "
            f"({limit:%d-%m-%Y}). Benoem voor een kortere termijn of een andere kandidaat."
        )
    return Term(person=person, start=start, end=end)


def size_warning(body: str, members: int, *, minimum: int, maximum: int | None = None) -> str | None:
    """A Dutch warning when a body falls below its minimum or above its maximum."""
    if members < minimum:
        return f"{body} heeft {members} leden; het minimum is {minimum}."
    if maximum is not None and members > maximum:
        return f"{body} heeft {members} leden; het maximum is {maximum}."
    return None


def check_size_after_appointment(body: str, members_now: int, *, maximum: int) -> None:
    """Refuse an appointment that would take a body over its maximum."""
    if members_now + 1 > maximum:
        raise TermRefused(f"Met deze benoeming heeft {body} {members_now + 1} leden; het maximum is {maximum}.")


def ending_soon(term: Term, today: date, months: int = WARN_MONTHS) -> bool:
    """The term ends within `months` from today (and has not ended yet)."""
    return today <= term.end <= add_months(today, months)


def rooster_van_aftreden(terms: Iterable[Term]) -> list[Term]:
    """The schedule of retirement: current terms by end date, then name."""
    return sorted(terms, key=lambda t: (t.end, t.person))


def working_days_between(first: date, last: date) -> int:
    """Working days (Monday to Friday) after `first` and before `last`: the
    full days of notice between a convocation and its meeting."""
    from datetime import timedelta

    days = 0
    day = first + timedelta(days=1)
    while day < last:
        days += day.weekday() < 5
        day += timedelta(days=1)
    return days

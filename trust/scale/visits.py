"""A year of visit dates from a support level's entitlements, and the trust-wide events of the year.

The same cadences as the planning engine (interventions.services.planning), worked out in memory for the
whole academic year at once: weekly visits in every teaching week, half-termly ones in each half-term's
middle week, termly ones in each term's middle week and yearly ones in their term (Spring unless named),
on a Tuesday to Thursday spread by the school so one owner's visits do not all fall on one day.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from interventions.services.visits import TRUST_EVENT_SLOTS, EventSlot
from trust.models import SupportLevel

DAY = datetime.timedelta(days=1)
TERMS = {"Autumn": (1, 2), "Spring": (3, 4), "Summer": (5, 6)}
HalfTerms = dict[int, tuple[datetime.date, datetime.date]]


def _weeks(half_terms: HalfTerms, numbers: tuple[int, ...]) -> list[tuple[datetime.date, datetime.date, datetime.date]]:
    """(Monday, first day, last day) of each teaching week of the half-terms, in order."""
    weeks = []
    for number in numbers:
        start, end = half_terms[number]
        monday = start - start.weekday() * DAY
        while monday <= end:
            weeks.append((monday, max(start, monday), min(end, monday + 4 * DAY)))
            monday += 7 * DAY
    return weeks


def _day(week: tuple[datetime.date, datetime.date, datetime.date], spread: int) -> datetime.date:
    monday, first, last = week
    day = monday + (1 + spread % 3) * DAY  # Tuesday, Wednesday or Thursday
    return min(max(day, first), last)


def level_visits(
    level: SupportLevel, half_terms: HalfTerms, *, spread: int
) -> Iterator[tuple[dict[str, Any], datetime.date]]:
    """(activity spec, day) for each visit the level entitles a school to over the year."""
    for position, spec in enumerate(level.activities or []):
        cadence = spec.get("cadence")
        shift = spread + position
        if cadence == "weekly":
            periods = [[week] for week in _weeks(half_terms, tuple(half_terms))]
        elif cadence == "half_termly":
            periods = [_weeks(half_terms, (number,)) for number in half_terms]
        elif cadence == "termly":
            periods = [_weeks(half_terms, numbers) for numbers in TERMS.values()]
        elif cadence == "yearly":
            periods = [_weeks(half_terms, TERMS.get(spec.get("term") or "Spring", TERMS["Spring"]))]
        else:
            continue
        for weeks in periods:
            if weeks:
                yield spec, _day(weeks[len(weeks) // 2], shift)


def _slot_day(half_terms: HalfTerms, slot: EventSlot) -> datetime.date:
    start, end = half_terms[slot.half_term]
    weeks = _weeks(half_terms, (slot.half_term,))
    week = weeks[min(slot.week, len(weeks) - 1)]
    return min(max(week[0] + 2 * DAY, start), end)  # the Wednesday of that teaching week


def trust_events(half_terms: HalfTerms) -> list[tuple[EventSlot, datetime.date]]:
    """The year's trust calendar (seed 003's), as interventions.services.visits.trust_events_create makes it."""
    return [(slot, _slot_day(half_terms, slot)) for slot in TRUST_EVENT_SLOTS]

"""How many of a register person's days are already committed in a term, and how many are left.

Proration rule: a lead row of D days on an intervention running from `starts_on` to `ends_on`
counts, in a term, D x (calendar days of the intervention inside the term) / (calendar days of
the intervention), both counts inclusive of their first and last day. So a 10-day lead on an
intervention half inside the term counts 5. Only interventions that still hold the person's time
count: proposed, commissioned, active and in impact review; closed and cancelled ones do not.
Each person's shares are summed exactly and the total is rounded once, half up, to 0.1 of a day.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet

from core.academic import term_bounds
from interventions.models import Expert, InterventionLead, InterventionStatus

Term = tuple[str, datetime.date, datetime.date]

COMMITTING_STATUSES = (
    InterventionStatus.PROPOSED,
    InterventionStatus.COMMISSIONED,
    InterventionStatus.ACTIVE,
    InterventionStatus.IMPACT_REVIEW,
)
TENTH = Decimal("0.1")
ZERO = Decimal("0.0")


def round_days(value: Decimal) -> Decimal:
    """Days to one decimal place, halves rounded up (2.25 -> 2.3)."""
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def inclusive_days(start: datetime.date, end: datetime.date) -> int:
    """Calendar days from start to end, both included; 0 when end is before start."""
    return max((end - start).days + 1, 0)


def prorated_days(
    days: Decimal,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    term_start: datetime.date,
    term_end: datetime.date,
) -> Decimal:
    """The unrounded share of `days` spread evenly over [starts_on, ends_on] that falls inside the term."""
    length = inclusive_days(starts_on, ends_on)
    if length == 0 or not days:
        return Decimal(0)
    inside = inclusive_days(max(starts_on, term_start), min(ends_on, term_end))
    return Decimal(days) * inside / length


def as_term(term: Term | datetime.date) -> Term:
    """Accept a (name, start, end) tuple from `core.academic.term_bounds`, or any date inside the term."""
    if isinstance(term, datetime.date):
        return term_bounds(term)
    return term


def committed_days(
    experts: Iterable[Expert] | QuerySet[Expert], term_start: datetime.date, term_end: datetime.date
) -> dict[int, Decimal]:
    """Days each person has committed inside the term, keyed by expert id (every id present): one query."""
    ids = [e.pk for e in experts]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    leads = InterventionLead.objects.filter(
        expert_id__in=ids,
        intervention__status__in=COMMITTING_STATUSES,
        intervention__starts_on__lte=term_end,
        intervention__ends_on__gte=term_start,
    ).values_list("expert_id", "days", "intervention__starts_on", "intervention__ends_on")
    for expert_id, days, starts_on, ends_on in leads:
        totals[expert_id] += prorated_days(
            days, starts_on=starts_on, ends_on=ends_on, term_start=term_start, term_end=term_end
        )
    return {pk: round_days(totals.get(pk, ZERO)) for pk in ids}


def days_left_from(expert: Expert, committed: Decimal) -> Decimal:
    """Days per term less what is committed (negative when over-committed); no query."""
    return round_days(Decimal(expert.days_per_term) - committed)


def days_left(expert: Expert, term: Term | datetime.date) -> Decimal:
    """The person's days per term less the days already committed in that term (may be negative)."""
    _, start, end = as_term(term)
    return days_left_from(expert, committed_days([expert], start, end)[expert.pk])


def over_commitment(expert: Expert, term: Term | datetime.date, extra_days: Decimal) -> Decimal:
    """By how many days the person would be over-committed in the term if given `extra_days` more; 0 if it fits.

    `extra_days` are on top of every commitment already recorded, so when re-checking an
    intervention the person already leads, pass only the change in days.
    """
    over = Decimal(extra_days) - days_left(expert, term)
    return round_days(over) if over > 0 else ZERO

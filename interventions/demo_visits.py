"""Demo visits: a year of visits per school, planned from each school's current level, the past ones recorded.

The planning engine (interventions.services.planning) plans the whole academic year, from its first
day, so the past half is consistent with the level too; the trust-wide events come from the trust
calendar service. Both skip what already exists, and past visits are only saved when their demo
outcome differs, so running the demo twice writes nothing.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django_scopes import scope

from core.academic import academic_year_for
from interventions.models import Activity, ActivitySource, ActivityStatus
from interventions.services.planning import visits_plan
from interventions.services.visits import trust_events_create
from schools.models import School
from trust.calendar.selectors import half_terms_of_year
from trust.models import Role, Trust, User

NOTES = [
    "Learning walk with the deputy head: reading lessons consistently well structured; "
    "questioning in maths less secure in Year 4.",
    "Met the SENCo: provision map up to date; next step is sharper targets for pupils on SEN support.",
    "Attendance review: persistent absence down on last term; the family liaison work is paying off.",
    "Work scrutiny in writing: good progress in Key Stage 2, handwriting inconsistent in Year 2.",
]
CANCELLED_REASON = "School closed for the day (heating failure); moved to the next half-term."


def _by_role(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, User]:
    if isinstance(people, Mapping):
        return {str(role): user for role, user in people.items()}
    found: dict[str, User] = {}
    for user, role in people:
        found.setdefault(str(role), user)
    return found


def _outcome(n: int, total: int, activity: Activity) -> dict[str, Any]:
    """The demo outcome of the n-th past visit (oldest first): mostly done, one cancelled, one missed,
    and (given enough) the latest left unrecorded so the Monday digest flags it as overdue."""
    blank = {"notes": "", "notes_shared_with_school": False, "cancelled_reason": "", "recorded_at": None}
    if n == total // 3:
        return {**blank, "status": ActivityStatus.CANCELLED, "cancelled_reason": CANCELLED_REASON, "recorded_by": None}
    if n == 2 * total // 3:
        return {**blank, "status": ActivityStatus.MISSED, "recorded_by": None}
    if n == total - 1 and total >= 5:
        return {**blank, "status": ActivityStatus.PLANNED, "recorded_by": None}
    recorded_at = datetime.datetime.combine(
        activity.planned_on, datetime.time(16, 0), tzinfo=timezone.get_current_timezone()
    )
    return {
        **blank,
        "status": ActivityStatus.DONE,
        "notes": NOTES[n % len(NOTES)],
        "notes_shared_with_school": n % 2 == 0,
        "recorded_by": activity.owner,
        "recorded_at": recorded_at,
    }


def seed_visits(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, str]],
    today: datetime.date,
) -> dict[str, int]:
    """A year of visits per school plus trust-wide events; returns the trust's activity count and rows written."""
    executive = _by_role(people).get(Role.EXECUTIVE)
    written = 0
    with scope(trust=trust.pk):
        year = academic_year_for(today)
        year_start = half_terms_of_year(trust, year)[0].starts_on
        for school in schools:
            # Planning from the year's first day fills the past half-year by the same rules as the future.
            written += len(visits_plan(school=school, today=year_start))
        if executive is not None:
            written += len(trust_events_create(trust=trust, actor=executive, academic_year=year))

        past = list(
            Activity.objects.filter(
                trust=trust,
                school__in=schools,
                source=ActivitySource.LEVEL,
                planned_on__gte=year_start,
                planned_on__lt=today,
            ).order_by("planned_on", "pk")
        )
        for n, activity in enumerate(past):
            values = _outcome(n, len(past), activity)
            changed = [name for name, value in values.items() if getattr(activity, name) != value]
            if changed:
                for name in changed:
                    setattr(activity, name, values[name])
                activity.full_clean()
                activity.save(update_fields=[*changed, "updated_at"])
                written += 1
        # Trust-wide events already past took place.
        written += Activity.objects.filter(
            trust=trust, source=ActivitySource.TRUST_EVENT, status=ActivityStatus.PLANNED, planned_on__lt=today
        ).update(status=ActivityStatus.DONE, updated_at=timezone.now())
        total = Activity.objects.filter(trust=trust).count()
    return {"activities": total, "written": written}

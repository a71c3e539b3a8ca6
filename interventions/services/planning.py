"""Planning a school's visits from its support level's calendar entitlements (`SupportLevel.activities`).

Rules (decisions recorded here, see also docs/architecture.md):
- A school's level is its latest rating's. An unrated school gets no plan: its level, and so its
  entitlement, is decided by its first rating (which plans it).
- Only the REST of the current academic year is planned, inside half-terms (never in holidays), on days
  from `today` on. The year is the trust's own, else the default England year.
- Cadences: "weekly" one per remaining working week; "half_termly" one per remaining half-term, in its
  middle working week; "termly" one per remaining term, in the term's middle working week; "yearly" one
  in its `term` (Spring when none is named), in that term's middle working week.
- An entitlement already met in its period (any activity of the same type for the school in that week,
  half-term or term, whatever its source or status) is not planned again: so planning twice creates
  nothing, and a visit done, cancelled, missed or added by hand is never duplicated.
- Visits fall on a Tuesday, Wednesday or Thursday (Mondays are often bank holidays, Fridays end half-terms),
  the day and (for termly and yearly ones) the week shifted by the school's place in the trust's list, so
  one owner's visits to different schools spread out rather than pile on one day.
- The owner is the trust's first improvement lead, else its first executive (by when they joined).
- Re-planning (after a rating) deletes only the school's future activities that are planned and came from
  its level, then plans again.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.academic import academic_year_for
from core.audit import audit_record
from interventions.models import Activity, ActivitySource, ActivityStatus, ActivityType
from reviews.selectors.ratings import current_ratings
from schools.models import School
from trust.calendar.selectors import half_terms_of_year, working_weeks
from trust.models import HalfTerm, Membership, Role, SupportLevel, User
from trust.permissions import Action, can

CADENCES = ("yearly", "termly", "half_termly", "weekly")
TERMS = ("Autumn", "Spring", "Summer")
VISIT_WEEKDAYS = (1, 2, 3)  # Tuesday, Wednesday, Thursday


@dataclass(frozen=True)
class Period:
    """A stretch of teaching time one activity of a cadence covers: a week, a half-term or a term."""

    starts_on: datetime.date
    ends_on: datetime.date
    weeks: tuple[datetime.date, ...]  # the Mondays of its working weeks
    half_terms: tuple[HalfTerm, ...]

    def contains(self, day: datetime.date) -> bool:
        return any(ht.starts_on <= day <= ht.ends_on for ht in self.half_terms) and (
            self.starts_on <= day <= self.ends_on
        )


def _periods(cadence: str, half_terms: list[HalfTerm], term: str) -> list[Period]:
    def period(hts: list[HalfTerm], weeks: list[datetime.date] | None = None) -> Period:
        weeks = weeks if weeks is not None else [week for ht in hts for week in working_weeks(ht)]
        return Period(hts[0].starts_on, hts[-1].ends_on, tuple(weeks), tuple(hts))

    if cadence == "weekly":
        return [
            Period(max(week, ht.starts_on), min(week + datetime.timedelta(days=6), ht.ends_on), (week,), (ht,))
            for ht in half_terms
            for week in working_weeks(ht)
        ]
    if cadence == "half_termly":
        return [period([ht]) for ht in half_terms]
    by_term = {name: [ht for ht in half_terms if ht.term == name] for name in TERMS}
    if cadence == "termly":
        return [period(hts) for hts in by_term.values() if hts]
    if cadence == "yearly":
        hts = by_term.get(term or "Spring", [])
        return [period(hts)] if hts else []
    return []


def _visit_day(period: Period, *, today: datetime.date, spread: int, week_shift: bool) -> datetime.date | None:
    """A Tuesday-Thursday inside the period and from `today` on, near its middle week; None if none is left."""
    weeks = list(period.weeks)
    middle = len(weeks) // 2
    if week_shift and len(weeks) >= 3:
        middle += (spread // len(VISIT_WEEKDAYS)) % 3 - 1  # one week earlier, the middle week or one later
    # Try the middle week first, then later weeks, then earlier ones: the plan is never in the past.
    order = weeks[middle:] + weeks[:middle][::-1]
    for preferred_days in (
        [VISIT_WEEKDAYS[(spread + i) % len(VISIT_WEEKDAYS)] for i in range(len(VISIT_WEEKDAYS))],
        [0, 4],  # a short week: a Monday or Friday rather than nothing
    ):
        for monday in order:
            for weekday in preferred_days:
                day = monday + datetime.timedelta(days=weekday)
                if day >= today and period.contains(day):
                    return day
    return None


def plan_owner(trust_id: int) -> User | None:
    """Who planned visits belong to: the trust's first improvement lead, else its first executive."""
    for role in (Role.IMPROVEMENT_LEAD, Role.EXECUTIVE):
        membership = (
            Membership.objects.filter(trust_id=trust_id, role=role)
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        if membership is not None:
            return membership.user
    return None


def _school_index(school: School) -> int:
    ids = list(School.objects.filter(trust_id=school.trust_id).order_by("name", "pk").values_list("pk", flat=True))
    return ids.index(school.pk) if school.pk in ids else 0


def _require_planner(school: School, actor: User | None) -> None:
    if actor is None:  # a job or the rating service, which checked its own permission
        return
    membership = Membership.objects.filter(trust_id=school.trust_id, user=actor).first()
    if not can(membership, Action.PLAN_VISITS):
        raise PermissionDenied


def _valid_specs(level: SupportLevel) -> Iterable[dict]:
    types = set(ActivityType.values)
    for spec in level.activities or []:
        if isinstance(spec, dict) and spec.get("type") in types and spec.get("cadence") in CADENCES:
            yield spec


def _audit_plan(school: School, actor: User | None, action: str, planned: list[Activity], removed: list[str]) -> None:
    if not planned and not removed:
        return
    changes: dict[str, list[str]] = {"planned": [f"{a.title} on {a.planned_on:%d %b %Y}" for a in planned]}
    if removed:
        changes["removed"] = removed
    audit_record(
        trust=school.trust_id,
        actor=actor,
        action=action,
        obj=school,
        label=f"{school.name}: planned visits",
        changes=changes,
    )


def visits_plan(*, school: School, actor: User | None = None, today: datetime.date | None = None) -> list[Activity]:
    """Create the activities the school's current level entitles it to for the rest of the academic year."""
    _require_planner(school, actor)
    with transaction.atomic():
        planned = _plan(school, today or timezone.localdate())
        _audit_plan(school, actor, "visits.planned", planned, [])
    return planned


def _plan(school: School, today: datetime.date) -> list[Activity]:
    """Plan and save the school's entitled visits from `today`; the callers check permission and audit."""
    rating = current_ratings([school]).get(school.pk)
    level = rating.level if rating is not None else None
    if level is None:
        return []
    half_terms = half_terms_of_year(school.trust, academic_year_for(today))
    specs = [
        (spec, [p for p in _periods(spec["cadence"], half_terms, spec.get("term", "")) if p.ends_on >= today])
        for spec in _valid_specs(level)
    ]
    periods = [period for _, spec_periods in specs for period in spec_periods]
    if not periods:
        return []
    # Whole periods, including their past part: a termly visit done in Autumn 1 meets Autumn's entitlement.
    existing = list(
        Activity.objects.filter(
            school=school,
            planned_on__gte=min(p.starts_on for p in periods),
            planned_on__lte=max(p.ends_on for p in periods),
        ).values_list("activity_type", "planned_on")
    )
    owner = plan_owner(school.trust_id)
    index = _school_index(school)
    planned: list[Activity] = []
    for position, (spec, spec_periods) in enumerate(specs):
        cadence = spec["cadence"]
        for period in spec_periods:
            if any(kind == spec["type"] and period.contains(day) for kind, day in existing):
                continue
            day = _visit_day(period, today=today, spread=index + position, week_shift=cadence in ("termly", "yearly"))
            if day is None:
                continue
            activity = Activity(
                trust_id=school.trust_id,
                school=school,
                activity_type=spec["type"],
                title=str(spec.get("title") or ActivityType(spec["type"]).label)[:200],
                owner=owner,
                planned_on=day,
                status=ActivityStatus.PLANNED,
                source=ActivitySource.LEVEL,
                level=level,
            )
            # The keys were just read from the database: skip full_clean's one query per foreign key.
            activity.full_clean(exclude=["trust", "school", "owner", "level"], validate_constraints=False)
            planned.append(activity)
            existing.append((spec["type"], day))
    with transaction.atomic():
        Activity.objects.bulk_create(planned)
    return planned


def visits_replan(*, school: School, actor: User | None = None, today: datetime.date | None = None) -> list[Activity]:
    """Replace the school's future planned level activities with those of its current level."""
    _require_planner(school, actor)
    today = today or timezone.localdate()
    with transaction.atomic():
        future = Activity.objects.filter(
            school=school, status=ActivityStatus.PLANNED, source=ActivitySource.LEVEL, planned_on__gte=today
        )
        removed = [f"{a.title} on {a.planned_on:%d %b %Y}" for a in future]
        future.delete()
        planned = _plan(school, today)
        _audit_plan(school, actor, "visits.replanned", planned, removed)
        return planned

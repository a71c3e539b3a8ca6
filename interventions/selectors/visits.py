"""Reads for visits and the calendar: who sees what, month and week grids, my visits, load and
clashes, planned against done; each a fixed number of queries however many schools a trust has."""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from interventions.models import Activity, ActivitySource, ActivityStatus
from interventions.services.visits import OWNER_ROLES, TRUST_WIDE_ROLES, half_terms_of, term_windows
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.models import Membership, Role, User


def activities_visible_to(membership: Membership, today: datetime.date | None = None) -> QuerySet[Activity]:
    """Leads: every activity of the trust; headteachers and governors: their school's visits and trust-wide
    events; specialists: what they own and trust-wide events. Annotated with `not_recorded`."""
    items = Activity.objects.filter(trust=membership.trust)
    if membership.role in TRUST_WIDE_ROLES:
        pass
    elif membership.role == Role.SPECIALIST:
        items = items.filter(Q(owner=membership.user) | Q(school__isnull=True))
    elif membership.is_school_level and membership.school_id:
        items = items.filter(Q(school_id=membership.school_id) | Q(school__isnull=True))
    else:
        items = items.none()
    today = today or timezone.localdate()
    return items.select_related("school", "owner").annotate(
        not_recorded=Case(
            When(status=ActivityStatus.PLANNED, planned_on__lt=today, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def may_read_notes(membership: Membership, activity: Activity) -> bool:
    """Schools read a visit's notes only when they are shared with the school."""
    if membership.role in TRUST_WIDE_ROLES:
        return True
    if membership.role == Role.SPECIALIST:
        return activity.owner_id == membership.user_id or activity.school_id is None
    return activity.notes_shared_with_school


def activity_list(
    membership: Membership,
    *,
    owner: User | None = None,
    school: School | None = None,
    activity_type: str = "",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    status: str = "",
    today: datetime.date | None = None,
) -> QuerySet[Activity]:
    """The activities a member may see, filtered by person, school, type, status and dates."""
    items = activities_visible_to(membership, today)
    if owner is not None:
        items = items.filter(owner=owner)
    if school is not None:
        items = items.filter(school=school)
    if activity_type:
        items = items.filter(activity_type=activity_type)
    if status:
        items = items.filter(status=status)
    if start is not None:
        items = items.filter(planned_on__gte=start)
    if end is not None:
        items = items.filter(planned_on__lte=end)
    return items.order_by("planned_on", "school__name", "id")


def activity_evidence(membership: Membership, activity: Activity) -> list[Any]:
    """The visit's evidence this member may see (schools: only what is shared with them)."""
    from reviews.selectors.evidence import evidence_visible_to

    return list(evidence_visible_to(membership).filter(visits=activity))


@dataclass
class Day:
    date: datetime.date
    in_month: bool
    is_today: bool
    items: list[Activity] = field(default_factory=list)


def _by_day(items: QuerySet[Activity]) -> dict[datetime.date, list[Activity]]:
    found: dict[datetime.date, list[Activity]] = defaultdict(list)
    for item in items:
        found[item.planned_on].append(item)
    return found


def month_grid(membership: Membership, year: int, month: int, today: datetime.date, **filters: Any) -> list[list[Day]]:
    """Weeks (Monday first) by days of the month, each day with its activities; one query."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    items = _by_day(activity_list(membership, start=weeks[0][0], end=weeks[-1][-1], today=today, **filters))
    return [[Day(d, d.month == month, d == today, items.get(d, [])) for d in week] for week in weeks]


def week_days(membership: Membership, day: datetime.date, today: datetime.date, **filters: Any) -> list[Day]:
    """The seven days (Monday to Sunday) of the week containing `day`, each with its activities."""
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=i) for i in range(7)]
    items = _by_day(activity_list(membership, start=days[0], end=days[-1], today=today, **filters))
    return [Day(d, True, d == today, items.get(d, [])) for d in days]


@dataclass
class MyVisits:
    to_record: list[Activity]
    upcoming: list[Activity]


def my_visits(membership: Membership, today: datetime.date, upcoming_days: int = 90) -> MyVisits:
    """The member's own visits: past ones not yet recorded, and those coming up."""
    items = list(
        activity_list(membership, owner=membership.user, today=today).filter(
            Q(status=ActivityStatus.PLANNED, planned_on__lt=today)
            | Q(planned_on__gte=today, planned_on__lte=today + datetime.timedelta(days=upcoming_days))
        )
    )
    return MyVisits(
        to_record=[a for a in items if a.planned_on < today],
        upcoming=[a for a in items if a.planned_on >= today and a.status == ActivityStatus.PLANNED],
    )


@dataclass
class OwnerWeek:
    monday: datetime.date
    count: int
    clash_days: list[datetime.date]


@dataclass
class OwnerLoad:
    owner: User
    weeks: list[OwnerWeek]
    total: int


@dataclass
class Clash:
    owner: User
    day: datetime.date
    items: list[Activity]


def owner_load(
    membership: Membership, start: datetime.date, weeks: int
) -> tuple[list[datetime.date], list[OwnerLoad], list[Clash]]:
    """Planned school visits per owner per week from `start`'s Monday, and clashes (one owner, one day,
    two or more visits); for the trust's leads. One query."""
    monday = start - datetime.timedelta(days=start.weekday())
    mondays = [monday + datetime.timedelta(weeks=i) for i in range(weeks)]
    end = mondays[-1] + datetime.timedelta(days=6)
    items = list(
        activity_list(membership, start=monday, end=end)
        .filter(owner__isnull=False, school__isnull=False)
        .exclude(status=ActivityStatus.CANCELLED)
    )
    per_owner: dict[int, list[Activity]] = defaultdict(list)
    for item in items:
        per_owner[item.owner_id].append(item)
    loads: list[OwnerLoad] = []
    clashes: list[Clash] = []
    for owner_items in per_owner.values():
        owner = owner_items[0].owner
        per_day = _by_day(owner_items)
        clash_days = sorted(d for d, day_items in per_day.items() if len(day_items) > 1)
        clashes += [Clash(owner, d, per_day[d]) for d in clash_days]
        week_rows = []
        for m in mondays:
            in_week = [a for a in owner_items if m <= a.planned_on <= m + datetime.timedelta(days=6)]
            week_rows.append(
                OwnerWeek(m, len(in_week), [d for d in clash_days if m <= d <= m + datetime.timedelta(days=6)])
            )
        loads.append(OwnerLoad(owner, week_rows, len(owner_items)))
    loads.sort(key=lambda load: (load.owner.full_name or load.owner.email).lower())
    clashes.sort(key=lambda c: (c.day, (c.owner.full_name or c.owner.email).lower()))
    return mondays, loads, clashes


def clashes_for(membership: Membership, start: datetime.date, end: datetime.date) -> list[Clash]:
    """Clashes between two dates (same owner, same day, two or more school visits)."""
    weeks = (end - start).days // 7 + 1
    return [c for c in owner_load(membership, start, weeks)[2] if start <= c.day <= end]


@dataclass
class SchoolTermRow:
    school: School
    terms: dict[str, dict[str, int]]


STATUSES = [s.value for s in ActivityStatus]


def planned_vs_done(membership: Membership, start_year: int) -> tuple[list[str], list[SchoolTermRow]]:
    """Per school and term of the year, activities by status; two queries however many schools."""
    windows = term_windows(half_terms_of(membership.trust, start_year))
    term_case = Case(
        *[When(planned_on__range=(start, end), then=Value(name)) for name, start, end in windows],
        default=Value(""),
        output_field=CharField(),
    )
    counts = (
        activities_visible_to(membership)
        .filter(school__isnull=False, planned_on__range=(windows[0][1], windows[-1][2]))
        .annotate(term=term_case)
        .order_by()
        .values("school_id", "term", "status")
        .annotate(n=Count("id"))
    )
    table: dict[int, dict[str, dict[str, int]]] = defaultdict(
        lambda: {name: dict.fromkeys(STATUSES, 0) for name, _, _ in windows}
    )
    for row in counts:
        if row["term"]:
            table[row["school_id"]][row["term"]][row["status"]] += row["n"]
    terms = [name for name, _, _ in windows]
    rows = [SchoolTermRow(school, table[school.pk]) for school in schools_visible_to(membership)]
    return terms, rows


def owner_choices(membership: Membership) -> QuerySet[User]:
    """People who may own a visit: the trust's executives, improvement leads and specialists."""
    return (
        User.objects.filter(memberships__trust=membership.trust, memberships__role__in=OWNER_ROLES)
        .distinct()
        .order_by("full_name", "email")
    )


def source_label(activity: Activity) -> str:
    return ActivitySource(activity.source).label

"""Visits and the trust calendar: add, change and record visits; create the year's trust-wide events.

Trust-wide events come from seed 003's School Improvement Calendar. Decision: the annual review is
per member school (seed 003: "each member school will engage in an annual review"), placed in the
Spring term where the calendar puts it; every other event is trust-wide (no school). Events are
created with `source=trust_event` and no owner; they are ordinary activities afterwards, changed with
`visit_update` and recorded with `visit_record`.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.academic import term_bounds
from core.audit import audit_record, diff, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from interventions.models import Activity, ActivitySource, ActivityStatus, ActivityType
from reviews.models import Evidence, EvidenceType
from reviews.services.evidence import evidence_record
from schools.models import School
from trust.models import Membership, Role, Trust, User
from trust.permissions import Action, can
from trust.selectors import membership_for

# People who may own a visit: the trust's leads and specialists.
OWNER_ROLES = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD, Role.SPECIALIST})
TRUST_WIDE_ROLES = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD})
RECORDED_STATUSES = (ActivityStatus.DONE, ActivityStatus.CANCELLED, ActivityStatus.MISSED)
RECORD_FIELDS = ["status", "notes", "notes_shared_with_school", "cancelled_reason"]


def _label(activity: Activity) -> str:
    return f"{activity.school or 'Trust-wide'}: {activity}"


def _membership(actor: User, trust: Trust) -> Membership:
    membership = membership_for(actor, trust)
    if membership is None:
        raise ApplicationError("You are not a member of this trust.")
    return membership


def _planner(actor: User, trust: Trust) -> Membership:
    membership = _membership(actor, trust)
    if not can(membership, Action.PLAN_VISITS):
        raise ApplicationError("Only an executive or an improvement lead can plan visits.")
    return membership


def _check_owner(trust: Trust, owner: User | None) -> None:
    if owner is None:
        return
    if not Membership.objects.filter(trust=trust, user=owner, role__in=OWNER_ROLES).exists():
        raise ApplicationError(
            "Choose an executive, improvement lead or specialist of this trust as the owner.", {"field": "owner"}
        )


def _check_school(trust: Trust, school: School | None) -> None:
    if school is not None and school.trust_id != trust.pk:
        raise ApplicationError("Choose one of this trust's schools.", {"field": "school"})


@transaction.atomic
def visit_add(
    *,
    trust: Trust,
    actor: User,
    school: School | None,
    activity_type: str,
    title: str,
    planned_on: datetime.date,
    owner: User | None = None,
    notes: str = "",
) -> Activity:
    """Add a visit (or, without a school, a trust-wide event) by hand."""
    _planner(actor, trust)
    _check_school(trust, school)
    _check_owner(trust, owner)
    if activity_type not in ActivityType.values:
        raise ApplicationError("Choose a type from the list.", {"field": "activity_type"})
    title = title.strip() or ActivityType(activity_type).label
    refuse_repeat(
        Activity.objects.filter(trust=trust),
        what="visit",
        school=school,
        activity_type=activity_type,
        title=title,
        owner=owner,
        planned_on=planned_on,
    )
    activity = Activity(
        trust=trust,
        school=school,
        activity_type=activity_type,
        title=title,
        owner=owner,
        planned_on=planned_on,
        source=ActivitySource.MANUAL,
        notes=notes.strip(),
    )
    activity.full_clean()
    activity.save()
    audit_record(
        trust=trust,
        actor=actor,
        action="visit.added",
        obj=activity,
        label=_label(activity),
        changes=snapshot_fields(activity, ["activity_type", "title", "owner", "planned_on", "notes"]),
    )
    return activity


def visit_update(
    *, activity: Activity, actor: User, owner: User | None, planned_on: datetime.date, title: str
) -> Activity:
    """Change a visit's or event's owner, date and title (its school and type stay)."""
    _planner(actor, activity.trust)
    _check_owner(activity.trust, owner)
    title = title.strip()
    if not title:
        raise ApplicationError("Give the visit a title.", {"field": "title"})
    before = snapshot_fields(activity, ["owner", "planned_on", "title"])
    activity.owner = owner
    activity.planned_on = planned_on
    activity.title = title
    activity.full_clean()
    with transaction.atomic():
        activity.save(update_fields=["owner", "planned_on", "title", "updated_at"])
        audit_record(
            trust=activity.trust_id,
            actor=actor,
            action="visit.updated",
            obj=activity,
            label=_label(activity),
            changes=diff(before, snapshot_fields(activity, ["owner", "planned_on", "title"])),
        )
    return activity


def may_record(membership: Membership | None, activity: Activity) -> bool:
    """The owner (with a recording role) or an executive or improvement lead may record a visit."""
    if membership is None or not can(membership, Action.RECORD_VISITS):
        return False
    return membership.role in TRUST_WIDE_ROLES or activity.owner_id == membership.user_id


def _evidence_from(activity: Activity, actor: User, evidence: dict[str, Any]) -> Evidence:
    if activity.school is None:
        raise ApplicationError("A trust-wide event has no school to hold evidence.", {"field": "evidence_type"})
    evidence_type = evidence.get("evidence_type") or evidence.get("type") or ""
    if evidence_type not in EvidenceType.values:
        raise ApplicationError("Choose a type of evidence from the list.", {"field": "evidence_type"})
    summary = (evidence.get("summary") or "").strip()
    if not summary:
        raise ApplicationError("Summarise the evidence.", {"field": "summary"})
    return evidence_record(
        school=activity.school,
        actor=actor,
        evidence_type=evidence_type,
        observed_on=activity.planned_on,
        summary=summary,
        strengths=evidence.get("strengths") or "",
        areas_for_development=evidence.get("areas_for_development") or "",
        shared_with_school=bool(evidence.get("shared_with_school")),
        upload=evidence.get("upload"),
    )


@transaction.atomic
def visit_record(
    *,
    activity: Activity,
    actor: User,
    status: str,
    notes: str = "",
    notes_shared_with_school: bool = False,
    cancelled_reason: str = "",
    evidence: dict[str, Any] | None = None,
) -> Activity:
    """Record what happened: done, cancelled (with a reason) or missed; optional evidence for the school."""
    if not may_record(membership_for(actor, activity.trust), activity):
        raise ApplicationError("Only the visit's owner, an executive or an improvement lead can record it.")
    if status not in RECORDED_STATUSES:
        raise ApplicationError("Choose done, cancelled or missed.", {"field": "status"})
    today = timezone.localdate()
    # A visit that has not happened yet cannot have been done, nor missed.
    if status in (ActivityStatus.DONE, ActivityStatus.MISSED) and activity.planned_on > today:
        word = "done" if status == ActivityStatus.DONE else "missed"
        raise ApplicationError(
            f"This visit is planned for {activity.planned_on:%d %b %Y}; it cannot be recorded as {word} yet.",
            {"field": "status"},
        )
    cancelled_reason = cancelled_reason.strip()
    if status == ActivityStatus.CANCELLED and not cancelled_reason:
        raise ApplicationError("Say why the visit was cancelled.", {"field": "cancelled_reason"})
    if evidence and status != ActivityStatus.DONE:
        raise ApplicationError("Evidence can be added only to a visit that was done.", {"field": "evidence_type"})
    before = snapshot_fields(activity, RECORD_FIELDS)
    activity.status = status
    activity.notes = notes.strip()
    activity.notes_shared_with_school = notes_shared_with_school
    activity.cancelled_reason = cancelled_reason if status == ActivityStatus.CANCELLED else ""
    activity.recorded_by = actor
    activity.recorded_at = timezone.now()
    activity.full_clean()
    activity.save(
        update_fields=[
            "status",
            "notes",
            "notes_shared_with_school",
            "cancelled_reason",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]
    )
    changes = diff(before, snapshot_fields(activity, RECORD_FIELDS))
    if evidence:
        item = _evidence_from(activity, actor, evidence)
        activity.evidence.add(item)
        changes["evidence_added"] = str(item)
    audit_record(
        trust=activity.trust_id,
        actor=actor,
        action="visit.recorded",
        obj=activity,
        label=_label(activity),
        changes=changes,
    )
    return activity


# -- Trust-wide events from seed 003's School Improvement Calendar ---------------------------------


@dataclass(frozen=True)
class HalfTermDates:
    number: int
    starts_on: datetime.date
    ends_on: datetime.date


def _monday_on_or_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7)


def _fallback_half_terms(start_year: int) -> list[HalfTermDates]:
    """Typical English half-terms, used only when the trust has no calendar and no generator is available."""
    y, n = start_year, start_year + 1
    starts = [
        datetime.date(y, 9, 2),
        datetime.date(y, 11, 1),
        datetime.date(n, 1, 5),
        datetime.date(n, 2, 22),
        datetime.date(n, 4, 19),
        datetime.date(n, 6, 1),
    ]
    ends = [
        datetime.date(y, 10, 23),
        datetime.date(y, 12, 18),
        datetime.date(n, 2, 12),
        datetime.date(n, 3, 31),
        datetime.date(n, 5, 21),
        datetime.date(n, 7, 21),
    ]
    return [HalfTermDates(i + 1, _monday_on_or_after(s), e) for i, (s, e) in enumerate(zip(starts, ends, strict=True))]


def half_terms_of(
    trust: Trust, start_year: int, *, create: bool = False, actor: User | None = None
) -> list[HalfTermDates]:
    """The trust's six half-terms for a year: its own calendar, else the default England year."""
    from trust.models import AcademicYear

    year = AcademicYear.objects.filter(trust=trust, start_year=start_year).first()
    if year is None and create:
        try:  # The default-year generator lives with the trust calendar; use it when it is there.
            from trust.calendar.services import academic_year_default
        except ImportError:
            academic_year_default = None
        if academic_year_default is not None:
            try:
                made = academic_year_default(trust, start_year, actor=actor)
            except TypeError:  # a signature other than (trust, start_year): fall back to the default dates
                made = None
            year = (
                made
                if isinstance(made, AcademicYear)
                else AcademicYear.objects.filter(trust=trust, start_year=start_year).first()
            )
    if year is not None:
        rows = [HalfTermDates(h.number, h.starts_on, h.ends_on) for h in year.half_terms.order_by("number")]
        if len(rows) == 6:
            return rows
    try:  # The trust calendar's default England dates, when that module is there.
        from trust.calendar.services import default_half_terms

        return [HalfTermDates(n, s, e) for n, (s, e) in sorted(default_half_terms(start_year).items())]
    except (ImportError, AttributeError, TypeError, ValueError):
        return _fallback_half_terms(start_year)


def term_windows(half_terms: list[HalfTermDates]) -> list[tuple[str, datetime.date, datetime.date]]:
    """Autumn, Spring and Summer as date windows that run up to the next term (holidays included)."""
    h = {t.number: t for t in half_terms}
    year_end = datetime.date(h[6].ends_on.year, 8, 31)
    return [
        ("Autumn", h[1].starts_on, h[3].starts_on - datetime.timedelta(days=1)),
        ("Spring", h[3].starts_on, h[5].starts_on - datetime.timedelta(days=1)),
        ("Summer", h[5].starts_on, max(year_end, h[6].ends_on)),
    ]


def term_of(day: datetime.date, windows: list[tuple[str, datetime.date, datetime.date]]) -> str:
    for name, start, end in windows:
        if start <= day <= end:
            return name
    return term_bounds(day)[0]


@dataclass(frozen=True)
class EventSlot:
    activity_type: str
    title: str
    half_term: int  # the half-term it falls in
    week: int  # teaching week within that half-term, from 0
    per_school: bool = False
    window: str = "term"  # "term" or "half_term": where an existing event counts as this one


# (type, title, half-term, week): autumn 1-2, spring 3-4, summer 5-6; seed 003's calendar.
T = ActivityType
TRUST_EVENT_SLOTS: list[EventSlot] = [
    EventSlot(T.HT_PERFORMANCE_MANAGEMENT, "Headteacher performance management set", 1, 4),
    EventSlot(T.HT_PM_REVIEW, "Headteacher performance management reviewed", 4, 2),
    EventSlot(T.PLAN_AGREED, "Academy improvement plan agreed", 1, 3),
    EventSlot(T.PLAN_REVIEWED, "Academy improvement plan reviewed and written", 6, 4),
    EventSlot(T.EVALUATION_OF_IMPACT, "Evaluation of impact of support", 6, 3),
    EventSlot(T.ANNUAL_REVIEW, "Annual review", 3, 3, per_school=True),
    *[
        EventSlot(T.MODERATION, f"Moderation ({term})", ht, 3)
        for term, ht in (("Autumn", 2), ("Spring", 4), ("Summer", 6))
    ],
    *[
        EventSlot(T.MIDDLE_LEADERS_SYMPOSIUM, f"Middle leaders' symposium ({term})", ht, 2)
        for term, ht in (("Autumn", 2), ("Spring", 3), ("Summer", 5))
    ],
    *[
        EventSlot(T.REPORT_TO_DIRECTORS, f"Report to directors ({term})", ht, 5)
        for term, ht in (("Autumn", 2), ("Spring", 4), ("Summer", 6))
    ],
    *[
        EventSlot(T.HEADTEACHERS_NETWORK, f"Headteachers' network meeting ({label})", ht, 1, window="half_term")
        for ht, label in (
            (1, "Autumn 1"),
            (2, "Autumn 2"),
            (3, "Spring 1"),
            (4, "Spring 2"),
            (5, "Summer 1"),
            (6, "Summer 2"),
        )
    ],
]


def _slot_date(half_term: HalfTermDates, week: int) -> datetime.date:
    # Wednesday of the given teaching week, kept inside the half-term.
    day = half_term.starts_on + datetime.timedelta(weeks=week, days=2 - half_term.starts_on.weekday() % 7)
    day = max(day, half_term.starts_on)
    while day > half_term.ends_on or day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


@transaction.atomic
def trust_events_create(*, trust: Trust, actor: User, academic_year: int) -> list[Activity]:
    """Create the year's trust-wide events from seed 003's calendar; running it again creates nothing new.

    An event already counts when one of the same type (and school) from the trust calendar lies in
    the same term (network meetings: half-term), so moved or renamed events are not re-created.
    """
    membership = _membership(actor, trust)
    if not can(membership, Action.MANAGE_CALENDAR):
        raise ApplicationError("Only an executive can create the trust's calendar events.")
    if not 2000 <= academic_year <= 2100:
        raise ApplicationError("Choose an academic year such as 2026 for 2026/27.", {"field": "year"})
    # Lock the trust's row so two clicks cannot both create the year's events.
    Trust.objects.select_for_update().filter(pk=trust.pk).first()
    half_terms = half_terms_of(trust, academic_year, create=True, actor=actor)
    by_number = {h.number: h for h in half_terms}
    windows = {name: (start, end) for name, start, end in term_windows(half_terms)}
    half_windows = {
        h.number: (
            h.starts_on,
            (by_number[h.number + 1].starts_on - datetime.timedelta(days=1)) if h.number < 6 else windows["Summer"][1],
        )
        for h in half_terms
    }
    year_start, year_end = windows["Autumn"][0], windows["Summer"][1]
    existing = list(
        Activity.objects.filter(
            trust=trust, source=ActivitySource.TRUST_EVENT, planned_on__range=(year_start, year_end)
        ).values_list("activity_type", "school_id", "planned_on")
    )
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    created: list[Activity] = []
    for slot in TRUST_EVENT_SLOTS:
        if slot.window == "half_term":
            start, end = half_windows[slot.half_term]
        else:
            term_name = ("Autumn", "Spring", "Summer")[(slot.half_term - 1) // 2]
            start, end = windows[term_name]
        for school in schools if slot.per_school else [None]:
            school_id = school.pk if school else None
            if any(t == slot.activity_type and s == school_id and start <= d <= end for t, s, d in existing):
                continue
            title = f"{slot.title}: {school.name}" if school else slot.title
            activity = Activity(
                trust=trust,
                school=school,
                activity_type=slot.activity_type,
                title=title[:200],
                planned_on=_slot_date(by_number[slot.half_term], slot.week),
                source=ActivitySource.TRUST_EVENT,
            )
            activity.full_clean()
            activity.save()
            existing.append((slot.activity_type, school_id, activity.planned_on))
            created.append(activity)
    if created:
        audit_record(
            trust=trust,
            actor=actor,
            action="trust_events.created",
            obj=trust,
            label=f"Trust calendar events for {academic_year}/{(academic_year + 1) % 100:02d}",
            changes={"events": [f"{a.title} on {a.planned_on:%d %b %Y}" for a in created]},
        )
    return created

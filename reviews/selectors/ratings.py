"""Reading ratings: each school's current level, its history of decisions, time in level and overstays.

Time in level counts from the first of the latest unbroken run of decisions at the school's current
level (a re-confirmation does not restart the clock). A school overstays when that time passes the
level's expected duration (e.g. Stabilise: two terms, stored as 8 months). Evidence cited by a rating
is "stale" when it was observed more than the trust's `evidence_stale_months` before the decision
(stale when cited) or before today (stale now).
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from reviews.models import Evidence, Rating
from schools.models import MembershipStatus, School
from trust.models import Membership, SupportLevel, Trust
from trust.permissions import Action, can

RATING_ORDER = ("-effective_on", "-created_at", "-pk")


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from start to end (0 if end is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(months, 0)


def is_stale(observed_on: datetime.date, *, on: datetime.date, stale_months: int) -> bool:
    """True when evidence observed on `observed_on` is older than `stale_months` at the date `on`."""
    return observed_on < add_months(on, -stale_months)


def current_ratings(schools: Iterable[School] | QuerySet[School]) -> dict[int, Rating]:
    """Each school's latest decision (level and decider loaded), keyed by school id: one query."""
    school_ids = schools.values("pk") if isinstance(schools, QuerySet) else [s.pk for s in schools]
    latest = Rating.objects.filter(school=OuterRef("school")).order_by(*RATING_ORDER).values("pk")[:1]
    ratings = Rating.objects.filter(school__in=school_ids, pk=Subquery(latest)).select_related("level", "decided_by")
    return {r.school_id: r for r in ratings}


@dataclass
class LevelStay:
    """How long a school has been at its current level, against the level's expected duration."""

    rating: Rating
    level: SupportLevel
    since: datetime.date
    months: int
    expected_months: int | None
    expected_until: datetime.date | None
    is_overstay: bool

    @property
    def school(self) -> School:
        return self.rating.school


def _stay(history: list[Rating], today: datetime.date) -> LevelStay | None:
    """From a school's ratings newest first."""
    if not history:
        return None
    current = history[0]
    since = current.effective_on
    for rating in history[1:]:
        if rating.level_id != current.level_id:
            break
        since = rating.effective_on
    expected = current.level.expected_duration_months
    until = add_months(since, expected) if expected else None
    return LevelStay(
        rating=current,
        level=current.level,
        since=since,
        months=months_between(since, today),
        expected_months=expected,
        expected_until=until,
        is_overstay=until is not None and today > until,
    )


def level_stays(schools: Iterable[School] | QuerySet[School], today: datetime.date) -> dict[int, LevelStay]:
    """Each rated school's time in its level as of `today`, keyed by school id: one query.

    Decisions dated after `today` are left out, so a past day (a snapshot of last half-term) reads as it stood.
    """
    school_ids = schools.values("pk") if isinstance(schools, QuerySet) else [s.pk for s in schools]
    by_school: dict[int, list[Rating]] = defaultdict(list)
    ratings = (
        Rating.objects.filter(school__in=school_ids, effective_on__lte=today)
        .select_related("level", "school", "decided_by")
        .order_by("school_id", *RATING_ORDER)
    )
    for rating in ratings:
        by_school[rating.school_id].append(rating)
    stays = {school_id: _stay(history, today) for school_id, history in by_school.items()}
    return {school_id: stay for school_id, stay in stays.items() if stay is not None}


def overstays(trust: Trust, today: datetime.date) -> list[LevelStay]:
    """The trust's member schools that have stayed at a level longer than it expects, longest over first."""
    schools = School.objects.filter(trust=trust).exclude(status=MembershipStatus.LEFT)
    found = [stay for stay in level_stays(schools, today).values() if stay.is_overstay]
    return sorted(found, key=lambda s: (s.expected_until, s.school.name))


@dataclass
class CitedEvidence:
    evidence: Evidence
    stale_when_cited: bool
    stale_now: bool


@dataclass
class HistoryRow:
    """One decision as the history table shows it; `evidence` holds only what the reader may see."""

    rating: Rating
    evidence: list[CitedEvidence] = field(default_factory=list)
    hidden_evidence: int = 0


def evidence_visible_to(membership: Membership | None) -> Any:
    """A predicate: may this member see this evidence item? Schools see only what is shared with them."""
    if not can(membership, Action.VIEW_EVIDENCE):
        return lambda item: False
    if membership is not None and membership.is_school_level:
        return lambda item: item.shared_with_school and item.school_id == membership.school_id
    return lambda item: True


def rating_history(school: School, *, membership: Membership | None, today: datetime.date) -> list[HistoryRow]:
    """The school's decisions newest first, with the cited evidence the member may see and its stale flags.

    Two queries: the ratings (level, decider) and their evidence.
    """
    stale_months = school.trust.evidence_stale_months
    visible = evidence_visible_to(membership)
    ratings = (
        Rating.objects.filter(school=school)
        .select_related("level", "decided_by", "suggested_level")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("-observed_on", "pk")))
        .order_by(*RATING_ORDER)
    )
    rows = []
    for rating in ratings:
        row = HistoryRow(rating=rating)
        for item in rating.evidence.all():
            if not visible(item):
                row.hidden_evidence += 1
                continue
            row.evidence.append(
                CitedEvidence(
                    evidence=item,
                    stale_when_cited=is_stale(item.observed_on, on=rating.effective_on, stale_months=stale_months),
                    stale_now=is_stale(item.observed_on, on=today, stale_months=stale_months),
                )
            )
        rows.append(row)
    return rows


def stay_from_history(history: list[HistoryRow], today: datetime.date) -> LevelStay | None:
    """Time in the current level from an already-read history (no query)."""
    return _stay([row.rating for row in history], today)


def evidence_for_rating(school: School, *, today: datetime.date) -> list[CitedEvidence]:
    """The school's evidence to choose from when rating it, newest first, each flagged if stale (1 query)."""
    stale_months = school.trust.evidence_stale_months
    return [
        CitedEvidence(
            evidence=item,
            stale_when_cited=is_stale(item.observed_on, on=today, stale_months=stale_months),
            stale_now=is_stale(item.observed_on, on=today, stale_months=stale_months),
        )
        for item in Evidence.objects.filter(school=school).order_by("-observed_on", "-created_at")
    ]

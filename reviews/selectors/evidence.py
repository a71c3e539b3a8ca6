"""Reads for evidence: who sees which items, the list's filters and staleness; a fixed number of queries."""

import calendar
import datetime

from django.db.models import QuerySet

from reviews.models import Evidence, JudgementArea
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.models import Membership, Role, Trust

# The trust's leads see every item; everyone else sees a slice (see evidence_visible_to).
TRUST_WIDE_ROLES = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD})


def evidence_visible_to(membership: Membership, school: School | None = None) -> QuerySet[Evidence]:
    """Executives and improvement leads: all the trust's evidence; specialists: what they wrote;
    headteachers and governors: their own school's items that are shared with the school."""
    items = Evidence.objects.filter(school__trust=membership.trust)
    if membership.role in TRUST_WIDE_ROLES:
        pass
    elif membership.role == Role.SPECIALIST:
        items = items.filter(author=membership.user)
    elif membership.is_school_level:
        items = items.filter(school_id=membership.school_id, shared_with_school=True)
    else:
        items = items.none()
    if school is not None:
        items = items.filter(school=school)
    return items.select_related("school", "author").prefetch_related("areas")


def evidence_list(
    membership: Membership,
    *,
    school: School | None = None,
    evidence_type: str = "",
    area: JudgementArea | None = None,
) -> QuerySet[Evidence]:
    """The evidence the member may see, filtered as the list page and the API ask, newest first."""
    items = evidence_visible_to(membership, school)
    if evidence_type:
        items = items.filter(evidence_type=evidence_type)
    if area is not None:
        items = items.filter(areas=area)
    return items.order_by("-observed_on", "-created_at")


def evidence_schools(membership: Membership) -> QuerySet[School]:
    """The schools a member may pick when recording or filtering evidence."""
    return schools_visible_to(membership)


def trust_areas(trust: Trust) -> QuerySet[JudgementArea]:
    return JudgementArea.objects.filter(trust=trust, is_active=True).order_by("position", "label")


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the 31st becomes the month's last day)."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    month = month_index + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def stale_before(trust: Trust, today: datetime.date) -> datetime.date:
    """Evidence observed before this day is older than the trust's staleness window."""
    return months_before(today, trust.evidence_stale_months)


def is_stale(evidence: Evidence, trust: Trust, today: datetime.date) -> bool:
    """True when the evidence is older than the trust's `evidence_stale_months` (12 by default)."""
    return evidence.observed_on < stale_before(trust, today)


def may_change_evidence(membership: Membership | None, evidence: Evidence) -> bool:
    """The author, an executive or an improvement lead may edit or delete an item."""
    if membership is None or membership.trust_id != evidence.school.trust_id:
        return False
    if membership.role in TRUST_WIDE_ROLES:
        return True
    return membership.role == Role.SPECIALIST and evidence.author_id == membership.user_id

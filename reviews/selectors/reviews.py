"""Reading reviews: who may see which, each school's latest, and when trust inspections are due.

When a trust inspection is due (seed 004: "annual for Ofsted 'Good' or 'Outstanding' schools and
bi-annual for schools designated as 'Requiring Improvement'"), from the school's latest *graded*
Ofsted outcome:

- legacy Outstanding or Good, a report card with no area below expected standard, or no graded
  inspection on record: every 12 months;
- legacy Requires improvement, or a report card with an area that needs attention: every 6 months;
- legacy Inadequate, a report card with urgent improvement, or safeguarding not met: every 6 months,
  and the school is flagged for the trust's closer attention.

The clock runs from the school's latest trust inspection; a school never trust-inspected is due one
interval after it joined the trust (or at once when that date is unknown).
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from reviews.models import Evidence, Review, ReviewJudgement, ReviewType
from schools.models import Inspection, InspectionEra, LegacyGrade, MembershipStatus, ReportCardGrade, School
from schools.selectors.inspections import latest_inspections, outcome_words
from trust.models import Membership, Trust, User
from trust.permissions import Action, can

ANNUAL, TWICE_A_YEAR = 12, 6
FREQUENCY_WORDS = {ANNUAL: "Annual", TWICE_A_YEAR: "Twice a year"}


def _with_details(reviews: QuerySet[Review], *, shared_evidence_only: bool) -> QuerySet[Review]:
    evidence = Evidence.objects.order_by("-observed_on", "-created_at")
    if shared_evidence_only:
        evidence = evidence.filter(shared_with_school=True)
    return reviews.select_related("school", "author").prefetch_related(
        "reviewers",
        Prefetch("judgements", queryset=ReviewJudgement.objects.select_related("area")),
        Prefetch("evidence", queryset=evidence),
    )


def reviews_visible_to(membership: Membership) -> QuerySet[Review]:
    """The trust's reviews for trust roles; for a school's headteacher or governor only their school's shared ones.

    A school reads only the evidence shared with it, even when a shared review cites more.
    """
    reviews = Review.objects.filter(school__trust=membership.trust)
    if not can(membership, Action.VIEW_REVIEWS):
        return reviews.none()
    if membership.is_school_level:
        reviews = reviews.filter(school_id=membership.school_id, shared_with_school=True)
    return _with_details(reviews, shared_evidence_only=membership.is_school_level).order_by(
        "-reviewed_on", "-created_at"
    )


def review_list(membership: Membership, *, school: School | None = None, review_type: str = "") -> QuerySet[Review]:
    """The reviews the member may see, optionally of one school or one type, newest first."""
    reviews = reviews_visible_to(membership)
    if school is not None:
        reviews = reviews.filter(school=school)
    if review_type in ReviewType.values:
        reviews = reviews.filter(review_type=review_type)
    return reviews


def _ids(schools: Iterable[School] | QuerySet[School]) -> object:
    return schools.values("pk") if isinstance(schools, QuerySet) else [s.pk for s in schools]


def latest_reviews(
    schools: Iterable[School] | QuerySet[School], *, review_type: str | None = None, shared_only: bool = False
) -> dict[int, Review]:
    """Each school's most recent review (optionally of one type, or shared with the school): one query."""
    candidates = Review.objects.filter(school=OuterRef("school"))
    if review_type:
        candidates = candidates.filter(review_type=review_type)
    if shared_only:
        candidates = candidates.filter(shared_with_school=True)
    latest = candidates.order_by("-reviewed_on", "-created_at", "-pk").values("pk")[:1]
    reviews = Review.objects.filter(school__in=_ids(schools), pk=Subquery(latest)).select_related("author")
    return {r.school_id: r for r in reviews}


def latest_review_judgements(schools: Iterable[School] | QuerySet[School]) -> dict[tuple[int, int], ReviewJudgement]:
    """The trust's latest judgement per (school id, area id), from whichever review last judged that area: one query."""
    latest = (
        ReviewJudgement.objects.filter(review__school=OuterRef("review__school"), area=OuterRef("area"))
        .order_by("-review__reviewed_on", "-review__created_at", "-pk")
        .values("pk")[:1]
    )
    judgements = ReviewJudgement.objects.filter(review__school__in=_ids(schools), pk=Subquery(latest)).select_related(
        "review"
    )
    return {(j.review.school_id, j.area_id): j for j in judgements}


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def inspection_frequency(inspection: Inspection | None) -> tuple[int, bool, str]:
    """(months between trust inspections, flagged, why) from the latest graded Ofsted inspection."""
    if inspection is None:
        return ANNUAL, False, "No graded Ofsted inspection on record: a trust inspection every year"
    grades = {j.area: j.grade for j in inspection.judgements.all()}
    if inspection.era == InspectionEra.LEGACY:
        overall = grades.get("overall_effectiveness")
        if overall is None:
            return ANNUAL, False, "No overall grade on the last inspection: a trust inspection every year"
        words = LegacyGrade(overall).label
        if overall >= LegacyGrade.INADEQUATE:
            return TWICE_A_YEAR, True, f"Ofsted: {words}. Trust inspection twice a year, and flagged"
        if overall == LegacyGrade.REQUIRES_IMPROVEMENT:
            return TWICE_A_YEAR, False, f"Ofsted: {words}. Trust inspection twice a year"
        return ANNUAL, False, f"Ofsted: {words}. Trust inspection every year"
    worst = max(grades.values(), default=ReportCardGrade.EXPECTED)
    if worst >= ReportCardGrade.URGENT_IMPROVEMENT or inspection.safeguarding_met is False:
        why = "urgent improvement" if worst >= ReportCardGrade.URGENT_IMPROVEMENT else "safeguarding not met"
        return TWICE_A_YEAR, True, f"Ofsted report card: {why}. Trust inspection twice a year, and flagged"
    if worst == ReportCardGrade.NEEDS_ATTENTION:
        return TWICE_A_YEAR, False, "Ofsted report card: an area needs attention. Trust inspection twice a year"
    return ANNUAL, False, "Ofsted report card: expected standard or better. Trust inspection every year"


@dataclass(frozen=True)
class InspectionDue:
    school: School
    ofsted_outcome: str
    ofsted_inspected_on: datetime.date | None
    months: int
    flagged: bool
    last_trust_inspection: Review | None
    due_on: datetime.date
    overdue: bool
    reason: str

    @property
    def frequency(self) -> str:
        return FREQUENCY_WORDS[self.months]


def trust_inspections_due(trust: Trust, today: datetime.date) -> list[InspectionDue]:
    """Every open member school with the date its next trust inspection is due, soonest (most overdue) first.

    Four queries whatever the number of schools.
    """
    schools = list(
        School.objects.filter(trust=trust, status=MembershipStatus.MEMBER, is_open=True).order_by("name", "pk")
    )
    graded = latest_inspections(schools, graded=True)
    last_visits = latest_reviews(schools, review_type=ReviewType.TRUST_INSPECTION)
    rows = []
    for school in schools:
        inspection = graded.get(school.pk)
        months, flagged, reason = inspection_frequency(inspection)
        last = last_visits.get(school.pk)
        if last is not None:
            due_on = add_months(last.reviewed_on, months)
            reason += f"; last trust inspection {last.reviewed_on:%d %b %Y}"
        elif school.joined_trust_on is not None:
            due_on = add_months(school.joined_trust_on, months)
            reason += f"; no trust inspection since joining on {school.joined_trust_on:%d %b %Y}"
        else:
            due_on = today
            reason += "; no trust inspection and no joining date on record: due now"
        overdue = due_on < today
        if overdue:
            reason += f"; overdue since {due_on:%d %b %Y}"
        rows.append(
            InspectionDue(
                school=school,
                ofsted_outcome=outcome_words(inspection) if inspection else "No graded inspection",
                ofsted_inspected_on=inspection.inspected_on if inspection else None,
                months=months,
                flagged=flagged,
                last_trust_inspection=last,
                due_on=due_on,
                overdue=overdue,
                reason=reason + ".",
            )
        )
    rows.sort(key=lambda row: (row.due_on, row.school.name))
    return rows


def possible_reviewers(trust: Trust) -> QuerySet[User]:
    """The trust's members, by name, each annotated with their role in this trust."""
    return (
        User.objects.filter(memberships__trust=trust, is_active=True)
        .annotate(trust_role=F("memberships__role"))
        .order_by("full_name", "email")
    )

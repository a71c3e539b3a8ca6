"""Recording and correcting the trust's reviews of a school (annual reviews, trust inspections, visits)."""

import datetime
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, diff, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from reviews.models import Evidence, Grade, JudgementArea, Review, ReviewJudgement
from schools.models import School
from trust.models import Membership, User

# One message per kind of reference: another trust's or school's record reads exactly like an unknown one.
UNKNOWN_REVIEWER = "Choose reviewers from the trust's members."
UNKNOWN_AREA = "Choose judgement areas from the trust's list of areas."
UNKNOWN_EVIDENCE = "Choose evidence recorded for this school."
AUDITED_FIELDS = [
    "review_type",
    "reviewed_on",
    "capacity",
    "strengths",
    "areas_for_development",
    "agreed_actions",
    "shared_with_school",
    "reviewers",
    "evidence",
]
FUTURE_DATE = "A review date cannot be in the future."


def _check_references(
    *,
    school: School,
    reviewed_on: datetime.date,
    reviewers: list[User],
    judgements: Mapping[JudgementArea, int],
    evidence: list[Evidence],
) -> dict[JudgementArea, int]:
    if reviewed_on > timezone.localdate():
        raise ApplicationError(FUTURE_DATE, {"field": "reviewed_on"})
    reviewer_ids = {user.pk for user in reviewers}
    members = set(
        Membership.objects.filter(trust_id=school.trust_id, user_id__in=reviewer_ids).values_list("user_id", flat=True)
    )
    if reviewer_ids - members:
        raise ApplicationError(UNKNOWN_REVIEWER, {"field": "reviewers"})
    grades: dict[JudgementArea, int] = {}
    for area, grade in judgements.items():
        if area.trust_id != school.trust_id:
            raise ApplicationError(UNKNOWN_AREA, {"field": "judgements"})
        if grade not in Grade.values:
            raise ApplicationError(
                f"The grade for {area.label} must be from 1 ({Grade(1).label}) to 5 ({Grade(5).label}).",
                {"field": "judgements"},
            )
        grades[area] = int(grade)
    if any(item.school_id != school.pk for item in evidence):
        raise ApplicationError(UNKNOWN_EVIDENCE, {"field": "evidence"})
    return grades


def _write(
    review: Review,
    *,
    reviewers: list[User],
    judgements: dict[JudgementArea, int],
    evidence: list[Evidence],
) -> None:
    review.full_clean()
    review.save()
    review.reviewers.set(reviewers)
    review.evidence.set(evidence)
    current = {j.area_id: j for j in review.judgements.all()}
    wanted = {area.pk: grade for area, grade in judgements.items()}
    ReviewJudgement.objects.filter(review=review).exclude(area_id__in=wanted).delete()
    for area_id, grade in wanted.items():
        existing = current.get(area_id)
        if existing is None:
            judgement = ReviewJudgement(review=review, area_id=area_id, grade=grade)
        elif existing.grade != grade:
            judgement, judgement.grade = existing, grade
        else:
            continue
        judgement.full_clean()
        judgement.save()


def _audited(review: Review) -> dict[str, object]:
    values = snapshot_fields(review, AUDITED_FIELDS) if review.pk else {}
    if review.pk:
        values["judgements"] = {str(j.area): j.get_grade_display() for j in review.judgements.select_related("area")}
    return values


def review_record(
    *,
    school: School,
    actor: User,
    review_type: str,
    reviewed_on: datetime.date,
    reviewers: Iterable[User] = (),
    judgements: Mapping[JudgementArea, int] | None = None,
    capacity: str = "",
    strengths: str = "",
    areas_for_development: str = "",
    agreed_actions: str = "",
    evidence: Iterable[Evidence] = (),
    shared_with_school: bool = True,
) -> Review:
    """Record a review of the school with a judgement per area; every reference must be the school's trust's."""
    reviewers, evidence = list(reviewers), list(evidence)
    grades = _check_references(
        school=school, reviewed_on=reviewed_on, reviewers=reviewers, judgements=judgements or {}, evidence=evidence
    )
    refuse_repeat(
        Review.objects.filter(school=school, author=actor),
        what="review",
        review_type=review_type,
        reviewed_on=reviewed_on,
        strengths=strengths.strip(),
        areas_for_development=areas_for_development.strip(),
    )
    review = Review(
        school=school,
        review_type=review_type,
        reviewed_on=reviewed_on,
        author=actor,
        capacity=capacity,
        strengths=strengths.strip(),
        areas_for_development=areas_for_development.strip(),
        agreed_actions=agreed_actions.strip(),
        shared_with_school=shared_with_school,
    )
    with transaction.atomic():
        _write(review, reviewers=reviewers, judgements=grades, evidence=evidence)
        audit_record(trust=school.trust_id, actor=actor, action="review.recorded", obj=review, changes=_audited(review))
    return review


def review_update(
    *,
    review: Review,
    actor: User,
    review_type: str,
    reviewed_on: datetime.date,
    reviewers: Iterable[User] = (),
    judgements: Mapping[JudgementArea, int] | None = None,
    capacity: str = "",
    strengths: str = "",
    areas_for_development: str = "",
    agreed_actions: str = "",
    evidence: Iterable[Evidence] = (),
    shared_with_school: bool = True,
) -> Review:
    """Correct a review: its fields, reviewers, evidence and judgements are replaced by the ones given."""
    reviewers, evidence = list(reviewers), list(evidence)
    grades = _check_references(
        school=review.school,
        reviewed_on=reviewed_on,
        reviewers=reviewers,
        judgements=judgements or {},
        evidence=evidence,
    )
    before = _audited(review)
    review.review_type = review_type
    review.reviewed_on = reviewed_on
    review.capacity = capacity
    review.strengths = strengths.strip()
    review.areas_for_development = areas_for_development.strip()
    review.agreed_actions = agreed_actions.strip()
    review.shared_with_school = shared_with_school
    with transaction.atomic():
        _write(review, reviewers=reviewers, judgements=grades, evidence=evidence)
        audit_record(
            trust=review.school.trust_id,
            actor=actor,
            action="review.updated",
            obj=review,
            changes=diff(before, _audited(review)),
        )
    return review

"""Demo reviews: an annual review and a trust inspection per school, one moderation, one school overdue.

Idempotent: rows are found by their natural keys (school, type, date; review and area; school, area and
year) and created only when missing; an existing row is never saved again. Dates are fixed days of the
year (the latest such day on or before `today`), so a rerun in the same season finds the same rows.
"""

import datetime
import random
from collections.abc import Iterable, Mapping

from django.db import transaction
from django_scopes import scope

from core.academic import academic_year_for
from reviews.models import (
    Capacity,
    Evidence,
    JudgementArea,
    Moderation,
    Review,
    ReviewJudgement,
    ReviewType,
    SelfEvaluation,
)
from reviews.selectors.grid import SEF_COUNTED, current_grades
from reviews.services.areas import judgement_areas_ensure
from schools.models import Inspection, InspectionEra, School
from schools.selectors.inspections import latest_inspections
from trust.models import Role, Trust, User

CAPACITY = {1: Capacity.STRONG, 2: Capacity.STRONG, 3: Capacity.GOOD, 4: Capacity.NOT_YET_GOOD, 5: Capacity.WEAK}
FINDINGS = {
    # base grade band -> (strengths, areas for development, agreed actions)
    "strong": (
        "Leaders have an accurate view of the school. The curriculum is well sequenced and consistently taught; "
        "pupils talk confidently about their learning. Behaviour in lessons and at social times is calm.",
        "Extend the best practice in reading to writing at greater depth. Sharpen subject leaders' monitoring of "
        "foundation subjects.",
        "Subject leaders to lead a trust network session on curriculum sequencing (spring term). "
        "Headteacher to share the reading approach with two partner schools.",
    ),
    "expected": (
        "Phonics is taught systematically from Reception. Relationships between staff and pupils are positive and "
        "attendance has improved this year.",
        "Teaching does not yet check pupils' understanding consistently in mathematics. Disadvantaged pupils' "
        "outcomes lag their peers'.",
        "Lead practitioner for maths to coach Year 3 and Year 5 teachers for six weeks. "
        "Improvement lead to review disadvantaged pupils' progress at the spring data drop.",
    ),
    "concern": (
        "The headteacher has secured the confidence of staff and governors. Safeguarding procedures are now robust.",
        "Too much teaching does not meet pupils' needs, particularly in writing. Leaders' checks on the quality of "
        "education are not yet sharp enough. Persistent absence remains high.",
        "Trust to broker school-to-school support in writing from a strong partner school. "
        "Half-termly monitoring visits by the improvement lead; attendance plan agreed with governors by half-term.",
    ),
}


def _latest(today: datetime.date, month: int, day: int) -> datetime.date:
    """The latest `day` of `month` on or before today."""
    candidate = datetime.date(today.year, month, day)
    return candidate if candidate <= today else candidate.replace(year=today.year - 1)


def _band(base: int) -> str:
    return "strong" if base <= 2 else "expected" if base == 3 else "concern"


def _base_grade(inspection: Inspection | None) -> int:
    # A starting point for plausible demo judgements only; nothing displays Ofsted grades on another scale.
    if inspection is None:
        return 3
    grades = [j.grade for j in inspection.judgements.all()]
    if inspection.era == InspectionEra.LEGACY:
        overall = next((j.grade for j in inspection.judgements.all() if j.area == "overall_effectiveness"), 2)
        return min(overall + 1, 5)
    return round(sum(grades) / len(grades)) if grades else 3


def _areas_for(school: School, areas: list[JudgementArea]) -> list[JudgementArea]:
    secondary = (school.phase or "").lower().startswith("secondary")
    skip = "early_years" if secondary else "post_16"
    return [a for a in areas if a.code != skip]


def _self_grades(school: School, today: datetime.date) -> dict[int, int]:
    # The same self-evaluation the grid shows: the latest submitted one of this or last year.
    year = academic_year_for(today)
    sef = (
        SelfEvaluation.objects.filter(school=school, academic_year__in=(year, year - 1), status__in=SEF_COUNTED)
        .order_by("-academic_year")
        .first()
    )
    if sef is None:
        return {}
    return {e.area_id: e.self_grade for e in sef.entries.all() if e.self_grade}


def _trust_grades(
    areas: list[JudgementArea], base: int, self_grades: dict[int, int], rng: random.Random
) -> dict[JudgementArea, int]:
    grades = {area: min(max(base + rng.choice((-1, 0, 0, 0, 1)), 1), 5) for area in areas}
    judged_by_school = [area for area in areas if area.pk in self_grades]
    if judged_by_school and all(grades[a] == self_grades[a.pk] for a in judged_by_school):
        # Schools often judge themselves a step more kindly than the trust does: show at least one such area.
        area = judged_by_school[0]
        own = self_grades[area.pk]
        grades[area] = own + 1 if own < 5 else own - 1
    return grades


def _people(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, list[User]]:
    pairs = [(u, r) for r, u in people.items()] if isinstance(people, Mapping) else list(people)
    by_role: dict[str, list[User]] = {}
    for user, role in pairs:
        by_role.setdefault(str(role), []).append(user)
    return by_role


def _review(
    *,
    school: School,
    review_type: str,
    reviewed_on: datetime.date,
    author: User | None,
    reviewers: list[User],
    grades: dict[JudgementArea, int],
    base: int,
    shared: bool,
    evidence: list[Evidence],
) -> Review:
    strengths, development, actions = FINDINGS[_band(base)]
    review, _ = Review.objects.get_or_create(
        school=school,
        review_type=review_type,
        reviewed_on=reviewed_on,
        defaults={
            "author": author,
            "capacity": CAPACITY[base],
            "strengths": strengths,
            "areas_for_development": development,
            "agreed_actions": actions,
            "shared_with_school": shared,
        },
    )
    # add() inserts only the missing links, so a rerun writes nothing.
    review.reviewers.add(*reviewers)
    review.evidence.add(*evidence)
    for area, grade in grades.items():
        ReviewJudgement.objects.get_or_create(review=review, area=area, defaults={"grade": grade})
    return review


@transaction.atomic
def seed_reviews(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, str]],
    today: datetime.date,
) -> dict[str, int]:
    """Reviews, trust inspections and a moderation for the demo schools; returns how many of each exist."""
    with scope(trust=trust.pk):
        by_role = _people(people)
        executive = (by_role.get(Role.EXECUTIVE) or [None])[0]
        lead = (by_role.get(Role.IMPROVEMENT_LEAD) or [executive])[0]
        adviser = (by_role.get(Role.SPECIALIST) or [None])[-1]
        heads = by_role.get(Role.HEADTEACHER, [])
        areas = judgement_areas_ensure(trust=trust)
        graded = latest_inspections(schools, graded=True)
        moderated = Moderation.objects.filter(school__in=schools).exists()
        for index, school in enumerate(schools):
            rng = random.Random(school.urn)  # noqa: S311 -- demo data, not security
            base = _base_grade(graded.get(school.pk))
            self_grades = _self_grades(school, today)
            grades = _trust_grades(_areas_for(school, areas), base, self_grades, rng)
            evidence = list(Evidence.objects.filter(school=school).order_by("-observed_on")[:3])
            team = [p for p in (executive, lead) if p is not None]
            team += [h for h in heads if index == 0]  # the demo headteacher leads the first school
            annual = _review(
                school=school,
                review_type=ReviewType.ANNUAL_REVIEW,
                reviewed_on=_latest(today, 10, 6 + index),
                author=lead,
                reviewers=team + ([adviser] if adviser and index % 2 == 0 else []),
                grades=grades,
                base=base,
                shared=True,
                evidence=evidence,
            )
            # The last school's trust inspection is more than a year old: overdue whatever its Ofsted outcome.
            inspected_on = _latest(today, 2, 10 + index)
            if index == len(schools) - 1:
                inspected_on = _latest(today, 5, 20) - datetime.timedelta(days=400)
            # One area was a step weaker at the trust inspection than it is now.
            first = next(iter(grades), None)
            _review(
                school=school,
                review_type=ReviewType.TRUST_INSPECTION,
                reviewed_on=inspected_on,
                author=lead,
                reviewers=[p for p in (lead,) if p is not None],
                grades={area: min(grade + (area == first), 5) for area, grade in grades.items()},
                base=base,
                shared=True,
                evidence=evidence[:1],
            )
            if index == 0:
                # A visit whose notes stay with the trust: the school does not see it.
                _review(
                    school=school,
                    review_type=ReviewType.MONITORING_VISIT,
                    reviewed_on=_latest(today, 11, 3),
                    author=lead,
                    reviewers=[p for p in (lead,) if p is not None],
                    grades={area: grade for area, grade in grades.items() if area == first},
                    base=base,
                    shared=False,
                    evidence=[],
                )
            disagreement = next((a for a, g in grades.items() if self_grades.get(a.pk) not in (None, g)), None)
            if not moderated and (disagreement is not None or index == len(schools) - 1):
                area = disagreement or next(iter(grades))
                school_grade, trust_grade = current_grades(school=school, area=area, today=today)
                Moderation.objects.get_or_create(
                    school=school,
                    area=area,
                    academic_year=academic_year_for(annual.reviewed_on),
                    defaults={
                        "school_grade": school_grade,
                        "trust_grade": trust_grade,
                        "agreed_grade": trust_grade or grades[area],
                        "discussion": (
                            "The headteacher and the improvement lead looked at pupils' books, the latest "
                            "assessment information and the learning-walk notes together, compared the school's "
                            "self-evaluation with the review's findings and agreed this judgement. To be revisited "
                            "at the summer review."
                        ),
                        "moderated_by": lead,
                        "moderated_on": annual.reviewed_on,
                    },
                )
                moderated = True
        return {
            "reviews": Review.objects.filter(school__in=schools).count(),
            "moderations": Moderation.objects.filter(school__in=schools).count(),
        }

"""A trust with years of history, built with bulk inserts, for the benchmarks.

`build_trust_history(name=..., slug=..., schools=N, years=5, today=..., seed=...)` makes N primary and
secondary schools, the four-phase scale, five years of ratings, reviews, measures with national
figures and inspections, this year's self-evaluations and plans (three priorities of four actions),
two interventions per school with checkpoints, and a year of visits. Deterministic for a seed.
Call it inside no scope (it disables scopes while writing).
"""

import datetime
import random
from decimal import Decimal

from django_scopes import scopes_disabled

from core.academic import academic_year_for
from interventions.models import (
    ActionStatus,
    Activity,
    ActivityStatus,
    ActivityType,
    Checkpoint,
    DeliveryModel,
    ImprovementPlan,
    Intervention,
    InterventionStatus,
    PlanAction,
    PlanPriority,
)
from reviews.models import Rating, Review, ReviewJudgement, ReviewType, SelfEvaluation
from reviews.services.areas import judgement_areas_ensure
from schools.measures import MEASURES
from schools.models import ComparatorValue, Inspection, InspectionJudgement, InYearPrediction, MeasureValue, School
from trust.models import Membership, Role, Trust, User
from trust.scales.services import scale_create_from_template

WORDS = (
    "reading",
    "writing",
    "phonics",
    "curriculum",
    "leadership",
    "attendance",
    "behaviour",
    "assessment",
    "governance",
    "safeguarding",
    "maths",
    "science",
    "disadvantaged",
    "pupils",
    "teaching",
    "sequencing",
    "vocabulary",
    "feedback",
    "coaching",
    "moderation",
)


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def national_figures(years: list[int]) -> None:
    """National figures for every measure and year (shared by all trusts; created once)."""
    existing = set(ComparatorValue.objects.filter(level="national").values_list("measure", "academic_year"))
    ComparatorValue.objects.bulk_create(
        ComparatorValue(level="national", measure=m.code, academic_year=year, value=Decimal("50.0"))
        for m in MEASURES
        for year in years
        if (m.code, year) not in existing
    )


def build_trust_history(
    *, name: str, slug: str, schools: int, today: datetime.date, years: int = 5, seed: int = 1, urn_base: int = 500000
) -> Trust:
    rng = random.Random(seed)
    this_year = academic_year_for(today)
    past = list(range(this_year - years, this_year))
    with scopes_disabled():
        trust = Trust.objects.create(name=name, slug=slug)
        executive = User.objects.create_user(email=f"executive@{slug}.example", password="bench-password-2026")
        Membership.objects.create(user=executive, trust=trust, role=Role.EXECUTIVE)
        scale = scale_create_from_template(trust=trust, actor=executive, template_key="four_phases")
        levels = list(scale.levels.order_by("position"))
        areas = judgement_areas_ensure(trust=trust)
        national_figures(past)

        made = School.objects.bulk_create(
            School(
                trust=trust,
                name=f"{name} {'Primary' if i % 3 else 'Secondary'} School {i:03d}",
                urn=urn_base + i,
                phase="Primary" if i % 3 else "Secondary",
                number_of_pupils=rng.randint(120, 1400),
                la_code="850",
                opened_on=datetime.date(2012, 9, 1),
            )
            for i in range(schools)
        )
        made = list(School.objects.filter(trust=trust).order_by("urn"))

        ratings, reviews, inspections, values, predictions = [], [], [], [], []
        for school in made:
            position = rng.randint(1, 4)
            for half_year in range(years * 2):
                on = datetime.date(this_year - years, 10, 1) + datetime.timedelta(days=182 * half_year)
                if on > today:
                    break
                position = min(4, max(1, position + rng.choice((-1, 0, 0, 1))))
                level = levels[position - 1]
                ratings.append(
                    Rating(
                        school=school,
                        level=level,
                        level_name=level.name,
                        level_position=level.position,
                        effective_on=on,
                        decided_by=executive,
                        rationale=_text(rng, 40),
                    )
                )
            for year in past:
                reviews.append(
                    Review(
                        school=school,
                        review_type=ReviewType.ANNUAL_REVIEW,
                        reviewed_on=datetime.date(year + 1, 3, 10),
                        author=executive,
                        strengths=_text(rng, 60),
                        areas_for_development=_text(rng, 60),
                    )
                )
                for m in MEASURES:
                    if m.phase in ("all", "primary" if school.phase == "Primary" else "secondary"):
                        values.append(
                            MeasureValue(
                                school=school,
                                measure=m.code,
                                academic_year=year,
                                value=Decimal(rng.randint(20, 80)) / (1 if m.unit != "progress" else 20),
                            )
                        )
            inspections.append(
                Inspection(school=school, inspected_on=datetime.date(2022, rng.randint(1, 12), 10), era="legacy")
            )
            for half_term in (1, 2, 3):
                for subject in ("Reading", "Writing", "Maths"):
                    predictions.append(
                        InYearPrediction(
                            school=school,
                            academic_year=this_year,
                            half_term=half_term,
                            year_group="Year 6" if school.phase == "Primary" else "Year 11",
                            subject=subject,
                            percent_on_track=Decimal(rng.randint(40, 95)),
                        )
                    )
        Rating.objects.bulk_create(ratings, batch_size=2000)
        Review.objects.bulk_create(reviews, batch_size=2000)
        MeasureValue.objects.bulk_create(values, batch_size=5000)
        InYearPrediction.objects.bulk_create(predictions, batch_size=5000)
        Inspection.objects.bulk_create(inspections)
        InspectionJudgement.objects.bulk_create(
            InspectionJudgement(inspection=i, area="overall_effectiveness", grade=rng.randint(1, 4))
            for i in Inspection.objects.filter(school__trust=trust)
        )
        ReviewJudgement.objects.bulk_create(
            (
                ReviewJudgement(review=review, area=area, grade=rng.randint(1, 4))
                for review in Review.objects.filter(school__trust=trust)
                for area in areas
            ),
            batch_size=5000,
        )
        SelfEvaluation.objects.bulk_create(
            SelfEvaluation(school=s, academic_year=this_year, status=rng.choice(["draft", "submitted", "accepted"]))
            for s in made
        )

        plans = ImprovementPlan.objects.bulk_create(
            ImprovementPlan(school=s, academic_year=this_year, summary=_text(rng, 50)) for s in made
        )
        plans = list(ImprovementPlan.objects.filter(school__trust=trust, academic_year=this_year))
        PlanPriority.objects.bulk_create(
            PlanPriority(plan=plan, title=_text(rng, 8), position=p) for plan in plans for p in range(3)
        )
        PlanAction.objects.bulk_create(
            (
                PlanAction(
                    priority=priority,
                    description=_text(rng, 25),
                    owner="Deputy headteacher",
                    due_on=today + datetime.timedelta(days=rng.randint(-60, 200)),
                    status=rng.choice(ActionStatus.values),
                )
                for priority in PlanPriority.objects.filter(plan__school__trust=trust)
                for _ in range(4)
            ),
            batch_size=5000,
        )

        interventions = []
        for school in made:
            for n in range(2):
                starts = today - datetime.timedelta(days=rng.randint(30, 400))
                interventions.append(
                    Intervention(
                        school=school,
                        title=f"{_text(rng, 4)[:-1]} support",
                        area_of_need="reading",
                        description=_text(rng, 60),
                        delivery_model=rng.choice(DeliveryModel.values),
                        success_criteria=_text(rng, 30),
                        starts_on=starts,
                        ends_on=starts + datetime.timedelta(days=rng.randint(60, 300)),
                        status=rng.choice(
                            [InterventionStatus.ACTIVE, InterventionStatus.CLOSED, InterventionStatus.PROPOSED]
                        ),
                        impact_outcomes=_text(rng, 30) if n else "",
                    )
                )
        Intervention.objects.bulk_create(interventions)
        Checkpoint.objects.bulk_create(
            Checkpoint(intervention=i, due_on=i.starts_on + datetime.timedelta(days=42 * k), title=f"Checkpoint {k}")
            for i in Intervention.objects.filter(school__trust=trust)
            for k in (1, 2, 3)
        )

        year_start = datetime.date(this_year, 9, 1)
        Activity.objects.bulk_create(
            (
                Activity(
                    trust=trust,
                    school=school,
                    activity_type=ActivityType.MONITORING_VISIT,
                    title="Monitoring visit",
                    owner=executive,
                    planned_on=year_start + datetime.timedelta(days=21 * k + rng.randint(0, 6)),
                    status=ActivityStatus.DONE
                    if year_start + datetime.timedelta(days=21 * k) < today and rng.random() < 0.8
                    else ActivityStatus.PLANNED,
                    notes=_text(rng, 40),
                )
                for school in made
                for k in range(15)
            ),
            batch_size=5000,
        )
    return trust

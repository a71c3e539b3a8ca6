"""The dashboard document equals figures worked out by hand on a constructed trust.

Today is Wednesday 25 November 2026: Autumn 2 of 2026/27 on the default calendar (Autumn 1 ended on
Friday 23 October; the autumn term runs from 2 September to 18 December).
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from interventions.models import (
    ActionStatus,
    Activity,
    ActivityStatus,
    ActivityType,
    Checkpoint,
    ImprovementPlan,
    Intervention,
    PlanAction,
    PlanPriority,
)
from reporting.selectors.metrics import trust_metrics
from reviews.models import Rating, SelfEvaluation
from schools.models import ComparatorValue, MeasureValue, School
from tests.factories import SchoolFactory, TrustFactory
from trust.models import SupportLevel
from trust.scales.services import scale_create_from_template

TODAY = datetime.date(2026, 11, 25)
D = datetime.date


def _rate(world, school, position, on):
    level = SupportLevel.objects.get(scale__trust=world.trust, position=position)
    return Rating.objects.create(
        school=school,
        level=level,
        level_name=level.name,
        level_position=level.position,
        effective_on=on,
        decided_by=world.people["executive"],
        rationale=f"{school.name} is at {level.name}.",
    )


def _intervention(school, status, model, **extra):
    return Intervention.objects.create(
        school=school,
        title=f"{status} support",
        area_of_need="reading",
        delivery_model=model,
        success_criteria="Pupils read fluently.",
        starts_on=extra.pop("starts_on", D(2026, 9, 7)),
        ends_on=extra.pop("ends_on", D(2027, 3, 1)),
        status=status,
        **extra,
    )


def _visit(world, school, on, status):
    return Activity.objects.create(
        trust=world.trust,
        school=school,
        activity_type=ActivityType.MONITORING_VISIT,
        title="Monitoring visit",
        planned_on=on,
        status=status,
    )


@pytest.fixture
def constructed(trust_a):
    """Four primary schools: one moved up, one down, one newly rated, one overstaying at Stabilise."""
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people["executive"], template_key="four_phases")
        one, two = trust_a.schools
        three = SchoolFactory(trust=trust_a.trust, urn=910003)
        four = SchoolFactory(trust=trust_a.trust, urn=910004)
        for school, name in zip((one, two, three, four), ("Ash", "Beech", "Cedar", "Damson"), strict=True):
            school.name, school.phase = f"{name} Primary", "Primary"
            school.save()

        _rate(trust_a, one, 2, D(2026, 9, 10))  # Repair ...
        _rate(trust_a, one, 3, D(2026, 11, 10))  # ... then Improve: up
        _rate(trust_a, two, 3, D(2026, 9, 10))  # Improve ...
        _rate(trust_a, two, 2, D(2026, 11, 10))  # ... then Repair: down
        _rate(trust_a, three, 4, D(2026, 11, 1))  # Sustain, first rated this half-term: new
        _rate(trust_a, four, 1, D(2025, 1, 10))  # Stabilise since January 2025: overstays 8 months

        active = _intervention(one, "active", "direct_trust", ends_on=D(2026, 12, 10))
        Checkpoint.objects.create(intervention=active, due_on=D(2026, 11, 1))  # overdue
        Checkpoint.objects.create(intervention=active, due_on=D(2026, 12, 20))
        _intervention(two, "closed", "school_to_school", impact_outcomes="Reading at the expected standard up 9 points")
        _intervention(three, "cancelled", "external")
        _intervention(four, "proposed", "external")

        plan = ImprovementPlan.objects.create(school=one, academic_year=2026)
        priority = PlanPriority.objects.create(plan=plan, title="Writing")
        for status, due in (
            (ActionStatus.COMPLETE, D(2026, 10, 1)),
            (ActionStatus.OFF_TRACK, D(2027, 1, 1)),
            (ActionStatus.NOT_STARTED, D(2026, 11, 1)),
        ):
            PlanAction.objects.create(priority=priority, description="x", owner="y", due_on=due, status=status)
        steady = ImprovementPlan.objects.create(school=two, academic_year=2026)
        PlanAction.objects.create(
            priority=PlanPriority.objects.create(plan=steady, title="Maths"),
            description="x",
            owner="y",
            due_on=D(2027, 2, 1),
            status=ActionStatus.ON_TRACK,
        )

        _visit(trust_a, one, D(2026, 10, 1), ActivityStatus.DONE)
        _visit(trust_a, one, D(2026, 11, 20), ActivityStatus.PLANNED)  # past and not done: missed
        _visit(trust_a, one, D(2026, 12, 5), ActivityStatus.PLANNED)
        _visit(trust_a, one, D(2026, 10, 10), ActivityStatus.CANCELLED)  # not counted
        _visit(trust_a, two, D(2026, 9, 20), ActivityStatus.MISSED)
        _visit(trust_a, two, D(2027, 1, 12), ActivityStatus.PLANNED)  # spring term: not counted

        SelfEvaluation.objects.create(school=one, academic_year=2026, status="submitted")
        SelfEvaluation.objects.create(school=two, academic_year=2026, status="draft")
        SelfEvaluation.objects.create(school=three, academic_year=2025, status="accepted")  # last year's

        for school, year, value in ((one, 2023, "60"), (one, 2024, "70"), (two, 2024, "50")):
            MeasureValue.objects.create(school=school, measure="ks2_rwm_expected", academic_year=year, value=value)
        for year, value in ((2023, "59"), (2024, "61")):
            ComparatorValue.objects.create(
                level="national", measure="ks2_rwm_expected", academic_year=year, value=value
            )
    return trust_a


@pytest.mark.django_db
def test_the_headline_figures_are_those_worked_out_by_hand(constructed):
    with scope(trust=constructed.trust.pk):
        metrics = trust_metrics(constructed.trust, today=TODAY)
    assert metrics["half_term_label"] == "Autumn 2 2026/27"
    assert metrics["previous_half_term_end"] == "2026-10-23"
    assert metrics["headline"] == {
        "schools": 4,
        "rated": 4,
        "most_support": 1,
        "moved_up": 1,
        "moved_down": 1,
        "overstays": 1,
        "inspections_likely_soon": 4,  # none has an inspection on record: all treated as due
        "active_interventions": 1,
        "overdue_checkpoints": 1,
        "plans_behind": 1,
        "visits_planned": 4,
        "visits_done": 1,
        "visits_missed": 2,
        "sef_submitted": 1,
    }


@pytest.mark.django_db
def test_each_level_counts_its_schools_and_how_they_arrived(constructed):
    with scope(trust=constructed.trust.pk):
        metrics = trust_metrics(constructed.trust, today=TODAY)
    assert [(c["level"]["name"], c["schools"], c["up"], c["down"], c["new"]) for c in metrics["levels"]] == [
        ("Stabilise", 1, 0, 0, 0),
        ("Repair", 1, 0, 1, 0),
        ("Improve", 1, 1, 0, 0),
        ("Sustain", 1, 0, 0, 1),
    ]
    movement = {row["name"]: row["movement"] for row in metrics["schools"]}
    assert movement == {
        "Ash Primary": "up",
        "Beech Primary": "down",
        "Cedar Primary": "new",
        "Damson Primary": "same",
    }
    four = metrics["schools"][3]
    assert four["overstay"] == {"months": 22, "expected_months": 8}
    assert four["level_since"] == "2025-01-10"
    assert four["rationale"] == "Damson Primary is at Stabilise."


@pytest.mark.django_db
def test_interventions_plans_visits_and_self_evaluations_per_school(constructed):
    with scope(trust=constructed.trust.pk):
        metrics = trust_metrics(constructed.trust, today=TODAY)
    one, two, three, four = metrics["schools"]
    assert [(i["status"], i["overdue_checkpoints"], i["ending_soon"]) for i in one["interventions"]] == [
        ("active", 1, True)
    ]
    assert two["interventions"][0]["has_impact"] is True
    assert three["interventions"] == []  # cancelled ones are not shown
    assert metrics["interventions_by_status"] == {
        "proposed": 1,
        "commissioned": 0,
        "active": 1,
        "impact_review": 0,
        "closed": 1,
        "cancelled": 1,
    }
    by_model = {
        m["delivery_model"]: (m["total"], m["active"], m["closed"], m["with_impact"])
        for m in metrics["interventions_by_model"]
    }
    assert by_model == {
        "in_school": (0, 0, 0, 0),
        "school_to_school": (1, 0, 1, 1),
        "direct_trust": (1, 1, 0, 0),
        "external": (1, 0, 0, 0),
    }
    assert one["plan"] | {} == {
        "academic_year": 2026,
        "status": "draft",
        "status_label": "Draft",
        "actions": 3,
        "completed": 1,
        "off_track": 1,
        "overdue": 1,
        "behind": True,
    }
    assert two["plan"]["behind"] is False
    assert four["plan"] is None
    assert one["visits"] == {"term_label": "Autumn 2026", "planned": 3, "done": 1, "missed": 1}
    assert two["visits"] == {"term_label": "Autumn 2026", "planned": 1, "done": 0, "missed": 1}
    assert [s["sef_status"] for s in metrics["schools"]] == ["submitted", "draft", "not_started", "not_started"]
    assert metrics["sef_by_status"] == {"not_started": 2, "draft": 1, "submitted": 1, "returned": 0, "accepted": 0}


@pytest.mark.django_db
def test_key_measures_stand_against_national_with_their_trend(constructed):
    with scope(trust=constructed.trust.pk):
        metrics = trust_metrics(constructed.trust, today=TODAY)
    rwm = metrics["measures"][0]
    assert (rwm["code"], rwm["academic_year"], rwm["trust_average"], rwm["national"]) == (
        "ks2_rwm_expected",
        2024,
        60.0,
        61.0,
    )
    assert rwm["trend"] == [[2023, 60.0, 59.0], [2024, 60.0, 61.0]]
    school_one = metrics["schools"][0]["measures"][0]
    assert (school_one["display"], school_one["national_display"], school_one["versus_national"]) == (
        "70%",
        "61%",
        "better",
    )
    assert metrics["schools"][1]["measures"][0]["versus_national"] == "worse"


@pytest.mark.django_db
def test_the_document_is_plain_json_and_can_be_narrowed_to_one_school(constructed):
    with scope(trust=constructed.trust.pk):
        metrics = trust_metrics(constructed.trust, today=TODAY)
        one = trust_metrics(constructed.trust, today=TODAY, school_ids=[constructed.schools[0].pk])
    assert json.loads(json.dumps(metrics)) == metrics
    assert [row["name"] for row in one["schools"]] == ["Ash Primary"]
    assert one["schools"][0] == metrics["schools"][0]


@pytest.mark.django_db
def test_a_trust_with_no_scale_and_no_schools_still_has_a_document():
    empty = TrustFactory()
    with scope(trust=empty.pk):
        metrics = trust_metrics(empty, today=TODAY)
    assert metrics["schools"] == [] and metrics["levels"] == [] and metrics["headline"]["schools"] == 0


def _queries_for(world, count: int) -> int:
    with scope(trust=world.trust.pk):
        for n in range(count - len(School.objects.filter(trust=world.trust))):
            school = SchoolFactory(trust=world.trust, phase="Primary")
            _rate(world, school, 1 + n % 4, D(2026, 9, 1))
            _intervention(school, "active", "in_school")
            _visit(world, school, D(2026, 11, 3), ActivityStatus.DONE)
            MeasureValue.objects.create(
                school=school, measure="ks2_rwm_expected", academic_year=2024, value=Decimal(55)
            )
        with CaptureQueriesContext(connection) as queries:
            trust_metrics(world.trust, today=TODAY)
    return len(queries)


@pytest.mark.django_db
def test_the_document_takes_the_same_number_of_queries_for_5_and_50_schools(constructed, trust_b):
    with scope(trust=trust_b.trust.pk):
        scale_create_from_template(trust=trust_b.trust, actor=trust_b.people["executive"], template_key="four_phases")
    assert _queries_for(constructed, 5) == _queries_for(trust_b, 50)

"""The suggestion rules: each indicator read from a constructed school, firing with its reason."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from core.exceptions import ApplicationError
from reviews.models import (
    Capacity,
    Grade,
    Review,
    ReviewJudgement,
    ReviewType,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from reviews.services.areas import judgement_areas_ensure
from reviews.suggestions import parse_rule_lines, suggest_for_school, suggest_for_schools, validate_rules
from schools.models import ComparatorLevel, ComparatorValue, InspectionSource, MeasureValue
from schools.services.inspections import inspection_record
from tests.factories import SchoolFactory
from tests.matrix.common import E
from trust.models import SupportLevel, SupportScale
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db
D = datetime.date

# A scale whose most intensive level has one rule per indicator, so each can be seen firing alone.
INTENSIVE_RULES = [
    {"indicator": "ofsted_grade", "op": ">=", "value": 4},
    {"indicator": "attainment_gap", "op": "<=", "value": -10},
    {"indicator": "decline_years", "op": ">=", "value": 2},
    {"indicator": "attendance_gap", "op": ">=", "value": 1},
    {"indicator": "capacity", "op": "==", "value": "weak"},
    {"indicator": "sef_accuracy", "op": ">=", "value": 2},
]


@pytest.fixture
def world(trust_a):
    with scope(trust=trust_a.trust.pk):
        scale = SupportScale.objects.create(trust=trust_a.trust, name="Test scale")
        SupportLevel.objects.create(scale=scale, position=1, name="Intensive", rules=INTENSIVE_RULES)
        SupportLevel.objects.create(
            scale=scale, position=2, name="Some", rules=[{"indicator": "ofsted_grade", "op": "in", "value": [3]}]
        )
        SupportLevel.objects.create(scale=scale, position=3, name="Light", rules=[])
        yield trust_a


def school(world, phase="Primary"):
    return SchoolFactory(trust=world.trust, phase=phase)


def national(measure, year, value):
    ComparatorValue.objects.create(
        level=ComparatorLevel.NATIONAL, measure=measure, academic_year=year, value=Decimal(value)
    )


def result(a_school, measure, year, value):
    MeasureValue.objects.create(school=a_school, measure=measure, academic_year=year, value=Decimal(value))


def fired_indicators(suggestion):
    return [f.rule["indicator"] for f in suggestion.fired]


def test_a_school_with_no_data_gets_the_least_intensive_level_and_every_indicator_says_why(world):
    suggestion = suggest_for_school(school(world))
    assert suggestion.level.name == "Light"
    assert suggestion.fired == []
    assert {code: value.value for code, value in suggestion.indicators.items()} == dict.fromkeys(
        ["ofsted_grade", "attainment_gap", "decline_years", "attendance_gap", "capacity", "sef_accuracy"]
    )
    assert suggestion.indicators["ofsted_grade"].reason == "No graded inspection on record."
    assert suggestion.indicators["capacity"].reason == "No trust review has recorded capacity for improvement."


def test_inadequate_overall_effectiveness_fires_the_ofsted_rule(world):
    s = school(world)
    inspection_record(
        school=s, inspected_on=D(2023, 10, 4), judgements={"overall_effectiveness": 4}, source=InspectionSource.FORM
    )
    suggestion = suggest_for_school(s)
    assert suggestion.level.name == "Intensive"
    assert fired_indicators(suggestion) == ["ofsted_grade"]
    assert suggestion.fired[0].reason == (
        "Ofsted grade is at least 4: Inadequate for overall effectiveness, inspected 4 October 2023."
    )
    assert suggestion.inspection.inspected_on == D(2023, 10, 4)


def test_an_ungraded_inspection_after_a_graded_one_does_not_hide_the_grade(world):
    s = school(world)
    inspection_record(
        school=s, inspected_on=D(2022, 1, 1), judgements={"overall_effectiveness": 3}, source=InspectionSource.FORM
    )
    inspection_record(school=s, inspected_on=D(2024, 1, 1), judgements={}, source=InspectionSource.FORM)
    assert suggest_for_school(s).indicators["ofsted_grade"].value == 3


@pytest.mark.parametrize(
    ("areas", "safeguarding", "grade", "words"),
    [
        ({"achievement": 5, "inclusion": 3}, True, 4, "worst area urgent improvement (Achievement)"),
        (
            {"achievement": 4, "curriculum_and_teaching": 4},
            True,
            3,
            "needs attention (Achievement, Curriculum and teaching)",
        ),
        ({"achievement": 3, "inclusion": 2}, True, 2, "worst area expected standard (Achievement)"),
        ({"achievement": 2, "inclusion": 1}, True, 1, "worst area strong standard (Achievement)"),
        ({"achievement": 1}, None, 1, "worst area exceptional (Achievement)"),
        ({"achievement": 2}, False, 4, "safeguarding not met"),
    ],
)
def test_a_report_card_reads_as_its_worst_area_on_the_four_point_scale(world, areas, safeguarding, grade, words):
    s = school(world)
    inspection_record(
        school=s,
        inspected_on=D(2025, 12, 3),
        judgements=areas,
        safeguarding_met=safeguarding,
        source=InspectionSource.FORM,
    )
    indicator = suggest_for_school(s).indicators["ofsted_grade"]
    assert indicator.value == grade
    assert words in indicator.reason


def test_attainment_below_national_fires_using_the_latest_year_with_both_figures(world):
    s = school(world)
    result(s, "ks2_rwm_expected", 2022, "50")
    result(s, "ks2_rwm_expected", 2023, "48")  # no England figure for 2023 yet
    national("ks2_rwm_expected", 2022, "61")
    suggestion = suggest_for_school(s)
    assert suggestion.indicators["attainment_gap"].value == Decimal("-11")
    assert "attainment_gap" in fired_indicators(suggestion)
    assert suggestion.indicators["attainment_gap"].reason == (
        "Reading, writing and maths: % meeting the expected standard: 50% against England's 61% in 2022/23 "
        "(-11 percentage points)."
    )


def test_a_secondary_school_is_measured_on_attainment_8(world):
    s = school(world, phase="Secondary")
    result(s, "ks2_rwm_expected", 2023, "10")  # not its phase's measure
    result(s, "ks4_attainment8", 2023, "40.2")
    national("ks2_rwm_expected", 2023, "60")
    national("ks4_attainment8", 2023, "45.9")
    indicator = suggest_for_school(s).indicators["attainment_gap"]
    assert indicator.value == Decimal("-5.7")
    assert indicator.reason.startswith("Attainment 8 score: 40.2 against England's 45.9 in 2023/24")


def test_results_falling_two_years_running_fire_the_decline_rule(world):
    s = school(world)
    for year, value in ((2019, "58"), (2021, "70"), (2022, "65"), (2023, "60")):
        result(s, "ks2_rwm_expected", year, value)
    suggestion = suggest_for_school(s)
    assert suggestion.indicators["decline_years"].value == 2
    assert fired_indicators(suggestion) == ["decline_years"]
    assert "fell 2 years running (2021/22 70%, 2022/23 65%, 2023/24 60%" in suggestion.fired[0].reason


def test_a_rise_in_the_latest_year_means_no_decline(world):
    s = school(world)
    for year, value in ((2021, "70"), (2022, "60"), (2023, "62")):
        result(s, "ks2_rwm_expected", year, value)
    indicator = suggest_for_school(s).indicators["decline_years"]
    assert indicator.value == 0
    assert "did not fall in the latest year" in indicator.reason


def test_more_absence_than_national_fires_the_attendance_rule(world):
    s = school(world)
    result(s, "overall_absence", 2023, "8.0")
    national("overall_absence", 2023, "6.4")
    suggestion = suggest_for_school(s)
    assert suggestion.indicators["attendance_gap"].value == Decimal("1.6")
    assert fired_indicators(suggestion) == ["attendance_gap"]
    assert "Overall absence 8% against England's 6.4% in 2023/24 (+1.6 points: more absence" in (
        suggestion.fired[0].reason
    )


def test_weak_capacity_in_the_latest_review_that_judged_it_fires(world):
    s = school(world)
    Review.objects.create(school=s, review_type=ReviewType.ANNUAL_REVIEW, reviewed_on=D(2023, 6, 1), capacity="strong")
    Review.objects.create(
        school=s, review_type=ReviewType.TRUST_INSPECTION, reviewed_on=D(2024, 3, 5), capacity=Capacity.WEAK
    )
    Review.objects.create(school=s, review_type=ReviewType.HEALTH_CHECK, reviewed_on=D(2024, 5, 1))  # no capacity
    suggestion = suggest_for_school(s)
    assert suggestion.indicators["capacity"].value == "weak"
    assert fired_indicators(suggestion) == ["capacity"]
    assert suggestion.fired[0].reason == (
        "Capacity for improvement is Weak: Capacity for improvement judged weak in the trust inspection of "
        "5 March 2024."
    )
    assert suggestion.review.reviewed_on == D(2024, 3, 5)


def _sef(s, year, status, grades):
    sef = SelfEvaluation.objects.create(school=s, academic_year=year, status=status)
    for area, grade in grades.items():
        SelfEvaluationEntry.objects.create(self_evaluation=sef, area=area, self_grade=grade)
    return sef


def test_a_self_evaluation_two_grades_kinder_than_the_trust_fires_the_accuracy_rule(world):
    s = school(world)
    areas = {a.code: a for a in judgement_areas_ensure(trust=world.trust)}
    curriculum, inclusion = areas["curriculum_and_teaching"], areas["inclusion"]
    review = Review.objects.create(school=s, review_type=ReviewType.ANNUAL_REVIEW, reviewed_on=D(2024, 2, 1))
    ReviewJudgement.objects.create(review=review, area=curriculum, grade=Grade.NEEDS_ATTENTION)
    ReviewJudgement.objects.create(review=review, area=inclusion, grade=Grade.EXPECTED)
    _sef(s, 2023, SelfEvaluationStatus.SUBMITTED, {curriculum: Grade.STRONG, inclusion: Grade.EXPECTED})
    _sef(s, 2024, SelfEvaluationStatus.DRAFT, {curriculum: Grade.NEEDS_ATTENTION})  # a draft is not yet its view
    suggestion = suggest_for_school(s)
    assert suggestion.indicators["sef_accuracy"].value == 2
    assert fired_indicators(suggestion) == ["sef_accuracy"]
    assert "Curriculum and teaching: the school's 2023/24 self-evaluation says strong standard, the trust's " in (
        suggestion.fired[0].reason
    )
    assert "says needs attention (2 grades apart)" in suggestion.fired[0].reason


def test_the_most_intensive_level_with_a_rule_firing_wins(world):
    s = school(world)
    inspection_record(
        school=s, inspected_on=D(2023, 1, 1), judgements={"overall_effectiveness": 3}, source=InspectionSource.FORM
    )
    assert suggest_for_school(s).level.name == "Some"
    result(s, "overall_absence", 2023, "9")
    national("overall_absence", 2023, "6")
    suggestion = suggest_for_school(s)
    assert suggestion.level.name == "Intensive"
    assert fired_indicators(suggestion) == ["attendance_gap"]
    intensive, some = (SupportLevel.objects.get(name=n) for n in ("Intensive", "Some"))
    assert [f.rule["indicator"] for f in suggestion.fired_by_level[some.pk]] == ["ofsted_grade"]
    assert intensive.pk in suggestion.fired_by_level


def test_the_four_phases_template_suggests_stabilise_for_an_inadequate_school(trust_a):
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="four_phases")
        s = trust_a.schools[0]
        assert suggest_for_school(s).level.name == "Sustain"
        inspection_record(
            school=s, inspected_on=D(2024, 1, 1), judgements={"overall_effectiveness": 4}, source=InspectionSource.FORM
        )
        suggestion = suggest_for_school(s)
    assert suggestion.level.name == "Stabilise"
    assert "(seed: Ofsted Grade 4)" in suggestion.fired[0].reason


def test_without_a_scale_there_is_no_suggested_level_but_the_indicators_are_read(trust_a):
    with scope(trust=trust_a.trust.pk):
        suggestion = suggest_for_school(trust_a.schools[0])
    assert suggestion.level is None and len(suggestion.indicators) == 6


def _full_record(world, s, areas):
    inspection_record(
        school=s, inspected_on=D(2023, 1, 1), judgements={"overall_effectiveness": 2}, source=InspectionSource.FORM
    )
    for year in (2021, 2022, 2023):
        result(s, "ks2_rwm_expected", year, "60")
        result(s, "overall_absence", year, "6")
    review = Review.objects.create(
        school=s, review_type=ReviewType.ANNUAL_REVIEW, reviewed_on=D(2024, 1, 1), capacity=Capacity.GOOD
    )
    ReviewJudgement.objects.create(review=review, area=areas[0], grade=Grade.EXPECTED)
    _sef(s, 2023, SelfEvaluationStatus.ACCEPTED, {areas[0]: Grade.STRONG})


def test_suggestions_for_many_schools_take_the_same_number_of_queries_as_for_one(world):
    areas = judgement_areas_ensure(trust=world.trust)
    for year in (2021, 2022, 2023):
        national("ks2_rwm_expected", year, "61")
        national("overall_absence", year, "6.4")
    schools = [school(world) for _ in range(5)]
    for s in schools:
        _full_record(world, s, areas)
    with CaptureQueriesContext(connection) as one:
        suggest_for_schools(schools[:1])
    with CaptureQueriesContext(connection) as five:
        by_school = suggest_for_schools(schools)
    assert len(one) == len(five) <= 10
    assert {s.level.name for s in by_school.values()} == {"Light"}
    assert all(s.indicators["sef_accuracy"].value == 1 for s in by_school.values())


def test_rules_are_validated_and_typed_one_per_line():
    assert parse_rule_lines(
        "ofsted_grade >= 4  # grade 4\n\ncapacity in weak, not_yet_good\nattainment_gap <= -2.5"
    ) == [
        {"indicator": "ofsted_grade", "op": ">=", "value": 4, "note": "grade 4"},
        {"indicator": "capacity", "op": "in", "value": ["weak", "not_yet_good"]},
        {"indicator": "attainment_gap", "op": "<=", "value": -2.5},
    ]
    for bad, words in [
        ([{"indicator": "capacity", "op": ">=", "value": "weak"}], "only be compared"),
        ([{"indicator": "capacity", "op": "==", "value": "poor"}], "capacity is one of"),
        ([{"indicator": "ofsted_grade", "op": "==", "value": "four"}], "needs a number"),
        ([{"indicator": "ofsted_grade", "op": "in", "value": 4}], "needs a list"),
        ("not a list", "must be a list"),
    ]:
        with pytest.raises(ApplicationError, match=words):
            validate_rules(bad)

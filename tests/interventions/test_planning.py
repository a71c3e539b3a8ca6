"""Planning a school's visits from its level: seed 003's calendar, seed 000's universal offer, seed 002's phases."""

import datetime
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scope

from interventions.models import Activity, ActivitySource, ActivityStatus, ActivityType
from interventions.services.planning import visits_plan, visits_replan
from reviews.models import Evidence, EvidenceType
from reviews.services.ratings import rating_decide
from tests.matrix.common import HT, IL, E
from trust.calendar.selectors import half_terms_of_year, working_weeks
from trust.calendar.services import academic_year_default, academic_year_update, default_half_terms
from trust.models import HalfTerm, SupportLevel
from trust.scales.services import scale_create_from_template
from trust.scales.templates import TEMPLATES

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 25)  # a Wednesday in Autumn 2 of 2026/27
YEAR_START = D(2026, 9, 1)


@pytest.fixture(autouse=True)
def _clock(monkeypatch):
    # The clock is the one edge mocked: ratings refuse future dates and planning starts from today.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def make_world(trust_a, template_key):
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key=template_key)
    return trust_a


@pytest.fixture
def rag(trust_a):
    world = make_world(trust_a, "rag")
    with scope(trust=world.trust.pk):
        yield world


def rate(world, level_name, school=None):
    school = school or world.schools[0]
    item = Evidence.objects.create(
        school=school,
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=TODAY - datetime.timedelta(days=10),
        summary="Learning walk",
    )
    return rating_decide(
        school=school,
        actor=world.people[E],
        level=SupportLevel.objects.get(scale__trust=world.trust, name=level_name),
        effective_on=TODAY,
        rationale="From the trust's review.",
        evidence=[item],
        override_reason="The review's findings.",
    )


def counts(school, **filters):
    return Counter(Activity.objects.filter(school=school, **filters).values_list("activity_type", flat=True))


def in_a_half_term(day, trust):
    return any(ht.starts_on <= day <= ht.ends_on for ht in half_terms_of_year(trust, 2026))


def teaching_weeks(year=2026):
    """Weeks with at least one day inside a half-term of the default year."""
    return sum(
        len(working_weeks(HalfTerm(number=n, starts_on=start, ends_on=end)))
        for n, (start, end) in default_half_terms(year).items()
    )


# --- seed 003's School Improvement Calendar, cumulative ----------------------------------------------------


@pytest.mark.parametrize(
    ("level_name", "expected"),
    [
        ("Green", {ActivityType.ANNUAL_REVIEW: 1, ActivityType.HEALTH_CHECK: 3}),
        ("Amber", {ActivityType.ANNUAL_REVIEW: 1, ActivityType.HEALTH_CHECK: 3, ActivityType.EVALUATION_MEETING: 6}),
        (
            "Red",
            {
                ActivityType.ANNUAL_REVIEW: 1,
                ActivityType.HEALTH_CHECK: 3,
                ActivityType.EVALUATION_MEETING: 6,
                ActivityType.WEEKLY_MONITORING: "every teaching week",
            },
        ),
    ],
)
def test_a_whole_year_follows_seed_003s_calendar_cumulatively(rag, level_name, expected):
    school = rag.schools[0]
    rate(rag, level_name)
    visits_replan(school=school, actor=rag.people[IL], today=YEAR_START)
    expected = {kind: teaching_weeks() if n == "every teaching week" else n for kind, n in expected.items()}
    assert counts(school) == expected
    level = SupportLevel.objects.get(scale__trust=rag.trust, name=level_name)
    activities = Activity.objects.filter(school=school)
    assert {(a.source, a.level_id, a.status, a.owner_id) for a in activities} == {
        (ActivitySource.LEVEL, level.pk, ActivityStatus.PLANNED, rag.people[IL].pk)
    }
    # The annual review falls in the spring term, as in the seed's table.
    review = activities.get(activity_type=ActivityType.ANNUAL_REVIEW)
    assert D(2027, 1, 4) <= review.planned_on <= D(2027, 3, 19)


def test_a_red_school_gets_one_weekly_visit_a_teaching_week_and_none_in_holidays(rag):
    school = rag.schools[0]
    rate(rag, "Red")
    visits_replan(school=school, today=YEAR_START)
    days = list(Activity.objects.filter(school=school).values_list("planned_on", flat=True))
    assert days and all(in_a_half_term(day, rag.trust) and day.weekday() < 5 for day in days)
    weekly = Activity.objects.filter(school=school, activity_type=ActivityType.WEEKLY_MONITORING)
    weeks = [day - datetime.timedelta(days=day.weekday()) for day in weekly.values_list("planned_on", flat=True)]
    assert len(weeks) == len(set(weeks))
    # Half-termly meetings: one in each half-term.
    meetings = Activity.objects.filter(school=school, activity_type=ActivityType.EVALUATION_MEETING)
    numbers = sorted(
        ht.number
        for day in meetings.values_list("planned_on", flat=True)
        for ht in half_terms_of_year(rag.trust, 2026)
        if ht.starts_on <= day <= ht.ends_on
    )
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_only_the_rest_of_the_year_is_planned_from_today(rag):
    school = rag.schools[0]
    rate(rag, "Amber")  # plans from TODAY, in Autumn 2
    planned = Activity.objects.filter(school=school)
    assert all(a.planned_on >= TODAY for a in planned)
    # Autumn 1 is over; Autumn 2, Spring 1 and 2, Summer 1 and 2 remain; Autumn's termly visit still fits.
    assert counts(school) == {
        ActivityType.EVALUATION_MEETING: 5,
        ActivityType.HEALTH_CHECK: 3,
        ActivityType.ANNUAL_REVIEW: 1,
    }


def test_visits_follow_the_trusts_own_half_terms(rag):
    year = academic_year_default(rag.trust, 2026)
    # The trust's Spring 1 starts a week late and ends a week early.
    dates = default_half_terms(2026) | {3: (D(2027, 1, 11), D(2027, 2, 5))}
    academic_year_update(year=year, actor=rag.people[E], half_terms=dates)
    rate(rag, "Red")
    days = set(Activity.objects.filter(school=rag.schools[0]).values_list("planned_on", flat=True))
    assert not any(D(2027, 1, 4) <= day <= D(2027, 1, 8) or D(2027, 2, 8) <= day <= D(2027, 2, 12) for day in days)
    assert any(D(2027, 1, 11) <= day <= D(2027, 2, 5) for day in days)


def test_schools_visits_are_spread_over_different_days(rag):
    first, second = rag.schools
    rate(rag, "Amber", school=first)
    rate(rag, "Amber", school=second)
    for kind in (ActivityType.HEALTH_CHECK, ActivityType.EVALUATION_MEETING):
        first_days = set(Activity.objects.filter(school=first, activity_type=kind).values_list("planned_on", flat=True))
        second_days = set(
            Activity.objects.filter(school=second, activity_type=kind).values_list("planned_on", flat=True)
        )
        assert first_days.isdisjoint(second_days), kind


# --- every template ----------------------------------------------------------------------------------------

PER_YEAR = {"yearly": 1, "termly": 3, "half_termly": 6}


@pytest.mark.parametrize(
    ("template_key", "level_name"),
    [(key, level.name) for key, template in TEMPLATES.items() for level in template.levels],
)
def test_every_levels_activities_are_planned_at_their_cadence(trust_a, template_key, level_name):
    world = make_world(trust_a, template_key)
    with scope(trust=world.trust.pk):
        school = world.schools[0]
        rate(world, level_name)
        visits_replan(school=school, today=YEAR_START)
        level = SupportLevel.objects.get(scale__trust=world.trust, name=level_name)
        assert level.activities, "every template level entitles some activities"
        expected: Counter = Counter()
        for spec in level.activities:
            expected[spec["type"]] += teaching_weeks() if spec["cadence"] == "weekly" else PER_YEAR[spec["cadence"]]
        assert counts(school) == expected


def test_seed_000_every_category_has_the_universal_termly_health_check(trust_a):
    world = make_world(trust_a, "three_categories")
    with scope(trust=world.trust.pk):
        levels = {level.name: level for level in SupportLevel.objects.filter(scale__trust=world.trust)}
        for level in levels.values():
            assert {"type": "health_check", "cadence": "termly"}.items() <= level.activities[0].items()
        concern = levels["Significant cause for concern"].activities
        assert {(a["type"], a["cadence"]) for a in concern} >= {("monitoring_visit", "half_termly")}
        improving = levels["Improving, some areas of concern"].activities
        assert {(a["type"], a["cadence"]) for a in improving} >= {("monitoring_visit", "termly")}


# --- re-planning -------------------------------------------------------------------------------------------


def test_rerating_replaces_future_planned_visits_and_keeps_the_rest(rag):
    school = rag.schools[0]
    rate(rag, "Red")
    weekly = Activity.objects.filter(school=school, activity_type=ActivityType.WEEKLY_MONITORING).order_by("planned_on")
    done, cancelled, missed = weekly[0], weekly[1], weekly[2]
    Activity.objects.filter(pk=done.pk).update(status=ActivityStatus.DONE, notes="Seen Year 6 maths.")
    Activity.objects.filter(pk=cancelled.pk).update(status=ActivityStatus.CANCELLED, cancelled_reason="Snow day")
    Activity.objects.filter(pk=missed.pk).update(status=ActivityStatus.MISSED)
    manual = Activity.objects.create(
        trust=rag.trust,
        school=school,
        activity_type=ActivityType.WEEKLY_MONITORING,
        title="Extra safeguarding visit",
        planned_on=D(2027, 3, 3),
        source=ActivitySource.MANUAL,
    )
    # A past visit that was planned but not yet recorded is history, not future.
    past = Activity.objects.create(
        trust=rag.trust,
        school=school,
        activity_type=ActivityType.HEALTH_CHECK,
        title="Autumn health check",
        planned_on=D(2026, 11, 18),
        source=ActivitySource.LEVEL,
        level=SupportLevel.objects.get(scale__trust=rag.trust, name="Red"),
    )
    kept = {
        a.pk: (a.status, a.planned_on, a.source)
        for a in Activity.objects.filter(pk__in=[done.pk, cancelled.pk, missed.pk, manual.pk, past.pk])
    }
    assert len(kept) == 5

    rate(rag, "Green")

    for pk, values in kept.items():
        activity = Activity.objects.get(pk=pk)
        assert (activity.status, activity.planned_on, activity.source) == values
    green = SupportLevel.objects.get(scale__trust=rag.trust, name="Green")
    future_planned = Activity.objects.filter(
        school=school, source=ActivitySource.LEVEL, status=ActivityStatus.PLANNED, planned_on__gte=TODAY
    )
    assert set(future_planned.values_list("level", flat=True)) == {green.pk}
    # Green: the annual review and a termly health check; Autumn's is already met by last week's visit.
    assert Counter(future_planned.values_list("activity_type", flat=True)) == {
        ActivityType.ANNUAL_REVIEW: 1,
        ActivityType.HEALTH_CHECK: 2,
    }


def test_planning_twice_creates_nothing_new(rag):
    school = rag.schools[0]
    rate(rag, "Red")
    before = set(Activity.objects.filter(school=school).values_list("pk", flat=True))
    assert before
    assert visits_plan(school=school, today=TODAY) == []
    assert visits_plan(school=school, actor=rag.people[E], today=TODAY) == []
    assert set(Activity.objects.filter(school=school).values_list("pk", flat=True)) == before


def test_replanning_twice_gives_the_same_plan(rag):
    school = rag.schools[0]
    rate(rag, "Amber")
    first = sorted(Activity.objects.filter(school=school).values_list("activity_type", "planned_on"))
    visits_replan(school=school, today=TODAY)
    assert sorted(Activity.objects.filter(school=school).values_list("activity_type", "planned_on")) == first


def test_an_unrated_school_gets_no_plan(rag):
    assert visits_plan(school=rag.schools[1], today=YEAR_START) == []


def test_planning_is_for_the_trusts_leads(rag):
    with pytest.raises(PermissionDenied):
        visits_plan(school=rag.schools[0], actor=rag.people[HT], today=TODAY)


def test_the_owner_falls_back_to_an_executive_without_an_improvement_lead(rag):
    rag.memberships[IL].delete()
    rate(rag, "Green")
    assert set(Activity.objects.filter(school=rag.schools[0]).values_list("owner", flat=True)) == {rag.people[E].pk}

"""The inspection radar and each school's latest inspection, with constructed dates and a fixed today."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from schools.models import InspectionSource, MembershipStatus, School
from schools.selectors.inspections import (
    LATER,
    NEXT_YEAR,
    THIS_YEAR,
    RadarRow,
    inspection_radar,
    latest_inspections,
    outcome_words,
)
from schools.services.inspections import inspection_record
from tests.factories import SchoolFactory, TrustFactory
from trust.models import Trust

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 15)  # academic year 2025/26, which ends on 31 August 2026
D = datetime.date
GOOD = {"overall_effectiveness": 2}
OUTSTANDING = {"overall_effectiveness": 1}
RI = {"overall_effectiveness": 3}
INADEQUATE = {"overall_effectiveness": 4}
EXPECTED_CARD = {"inclusion": 3, "curriculum_and_teaching": 2, "achievement": 3, "leadership_and_governance": 3}


@pytest.fixture
def trust() -> Trust:
    with scopes_disabled():
        return TrustFactory(slug="radar")


def school(trust: Trust, name: str, *inspections: tuple[datetime.date, dict], **fields) -> School:
    with scopes_disabled():
        made = SchoolFactory(trust=trust, name=name, **fields)
    with scope(trust=trust.pk):
        for inspected_on, judgements in inspections:
            safeguarding = judgements.pop("safeguarding", None)
            inspection_record(
                school=made,
                inspected_on=inspected_on,
                judgements=judgements,
                source=InspectionSource.FORM,
                safeguarding_met=safeguarding,
            )
    return made


def radar(trust: Trust, today: datetime.date = TODAY) -> dict[str, RadarRow]:
    with scope(trust=trust.pk):
        return {row.school.name: row for row in inspection_radar(trust, today)}


def test_good_and_outstanding_schools_are_due_within_about_four_years(trust):
    school(trust, "Recent", (D(2024, 10, 1), dict(GOOD)))
    school(trust, "Next year", (D(2023, 11, 1), dict(OUTSTANDING)))
    school(trust, "Overdue", (D(2022, 1, 20), dict(GOOD)))
    rows = radar(trust)
    assert (rows["Recent"].window_from, rows["Recent"].window_to) == (D(2027, 10, 1), D(2028, 10, 1))
    assert rows["Recent"].likelihood == LATER
    assert rows["Next year"].likelihood == NEXT_YEAR
    assert rows["Next year"].last_outcome == "Outstanding"
    assert rows["Overdue"].likelihood == THIS_YEAR
    assert "overdue since 20 Jan 2026" in rows["Overdue"].reason
    assert rows["Overdue"].last_inspected_on == D(2022, 1, 20)


def test_requires_improvement_is_due_within_about_30_months_and_inadequate_within_months(trust):
    school(trust, "RI", (D(2024, 3, 1), dict(RI)))
    school(trust, "Inadequate", (D(2025, 10, 1), dict(INADEQUATE)))
    rows = radar(trust)
    assert (rows["RI"].window_from, rows["RI"].window_to) == (D(2025, 9, 1), D(2026, 9, 1))
    assert rows["RI"].likelihood == THIS_YEAR
    assert rows["RI"].last_outcome == "Requires improvement"
    assert (rows["Inadequate"].window_from, rows["Inadequate"].window_to) == (D(2026, 1, 1), D(2026, 10, 1))
    assert "monitoring" in rows["Inadequate"].reason


def test_report_cards_with_areas_of_concern_bring_the_next_inspection_forward(trust):
    needs_attention = dict(EXPECTED_CARD, attendance_and_behaviour=4)
    urgent = dict(EXPECTED_CARD, inclusion=5)
    school(trust, "Expected", (D(2025, 12, 1), dict(EXPECTED_CARD, safeguarding=True)))
    school(trust, "Needs attention", (D(2025, 12, 1), dict(needs_attention, safeguarding=True)))
    school(trust, "Urgent", (D(2025, 12, 1), dict(urgent, safeguarding=True)))
    school(trust, "Safeguarding not met", (D(2025, 12, 1), dict(EXPECTED_CARD, safeguarding=False)))
    rows = radar(trust)
    assert rows["Expected"].window_to == D(2029, 12, 1)
    assert rows["Expected"].likelihood == LATER
    assert rows["Needs attention"].window_to == D(2028, 6, 1)
    assert rows["Needs attention"].likelihood == NEXT_YEAR
    assert rows["Needs attention"].last_outcome == (
        "Strong standard in 1 area; Expected standard in 3 areas; Needs attention: Attendance and behaviour; "
        "safeguarding met"
    )
    assert rows["Urgent"].window_to == D(2026, 12, 1)
    assert rows["Urgent"].likelihood == THIS_YEAR
    assert rows["Safeguarding not met"].window_to == D(2026, 12, 1)
    assert rows["Safeguarding not met"].last_outcome.endswith("safeguarding not met")


def test_a_new_academy_is_expected_within_about_three_years_of_opening(trust):
    school(trust, "Opened 2024", opened_on=D(2024, 9, 1))
    school(trust, "Opened 2023", opened_on=D(2023, 4, 1))
    school(trust, "Joined 2025", joined_trust_on=D(2025, 1, 1))
    school(trust, "No dates")
    # Its only inspection is older than the school: it was the predecessor's.
    school(trust, "Converted", (D(2019, 1, 10), dict(GOOD)), opened_on=D(2024, 9, 1))
    rows = radar(trust)
    assert (rows["Opened 2024"].window_from, rows["Opened 2024"].window_to) == (D(2026, 9, 1), D(2027, 9, 1))
    assert rows["Opened 2024"].likelihood == NEXT_YEAR
    assert rows["Opened 2024"].last_outcome == "Not yet inspected"
    assert rows["Opened 2023"].likelihood == THIS_YEAR
    assert rows["Joined 2025"].window_to == D(2028, 1, 1)
    assert rows["No dates"].likelihood == THIS_YEAR
    assert "treated as due" in rows["No dates"].reason
    assert rows["Converted"].window_to == D(2027, 9, 1)
    assert "opened or joined on 01 Sep 2024" in rows["Converted"].reason


def test_an_ungraded_inspection_restarts_a_good_schools_clock_but_not_a_requires_improvement_one(trust):
    school(trust, "Good then ungraded", (D(2019, 5, 1), dict(GOOD)), (D(2023, 5, 10), {}))
    school(trust, "RI then monitoring", (D(2024, 3, 1), dict(RI)), (D(2025, 1, 10), {}))
    rows = radar(trust)
    good = rows["Good then ungraded"]
    assert (good.last_inspected_on, good.last_outcome, good.window_to) == (D(2023, 5, 10), "Good", D(2027, 5, 10))
    assert "restarted by the ungraded inspection of 10 May 2023" in good.reason
    ri = rows["RI then monitoring"]
    assert (ri.last_inspected_on, ri.window_to) == (D(2025, 1, 10), D(2026, 9, 1))


def test_the_academic_year_turns_on_1_september(trust):
    school(trust, "Opens 1 Sep", (D(2023, 9, 1), dict(GOOD)))  # window opens 1 Sep 2026
    assert radar(trust, D(2026, 8, 31))["Opens 1 Sep"].likelihood == NEXT_YEAR
    assert radar(trust, D(2026, 9, 1))["Opens 1 Sep"].likelihood == THIS_YEAR


def test_the_radar_lists_open_member_schools_of_this_trust_soonest_first(trust):
    school(trust, "Later", (D(2024, 10, 1), dict(GOOD)))
    school(trust, "Sooner", (D(2024, 3, 1), dict(RI)))
    school(trust, "Left", (D(2024, 3, 1), dict(RI)), status=MembershipStatus.LEFT)
    school(trust, "Closed", is_open=False)
    with scopes_disabled():
        other = TrustFactory()
    school(other, "Other trust's school", (D(2020, 3, 1), dict(RI)))
    with scope(trust=trust.pk):
        names = [row.school.name for row in inspection_radar(trust, TODAY)]
    assert names == ["Sooner", "Later"]


def test_latest_inspections_take_two_queries_however_many_schools(trust, django_assert_num_queries):
    for n in range(6):
        school(
            trust, f"School {n}", (D(2018, 1, 1 + n), dict(RI)), (D(2022, 1, 1 + n), dict(GOOD)), (D(2024, 1, 1), {})
        )
    school(trust, "Never inspected")
    with scope(trust=trust.pk):
        schools = list(School.objects.filter(trust=trust))
        with django_assert_num_queries(2):
            latest = {pk: (i.inspected_on, outcome_words(i)) for pk, i in latest_inspections(schools).items()}
        with django_assert_num_queries(2):
            graded = latest_inspections(School.objects.filter(trust=trust), graded=True)
            graded_words = {pk: (i.inspected_on, outcome_words(i)) for pk, i in graded.items()}
        with django_assert_num_queries(3):
            radar = inspection_radar(trust, TODAY)
        with django_assert_num_queries(2):
            radar_of_schools_given = inspection_radar(trust, TODAY, schools=schools)
    # Given the trust's schools, the radar reads no school again and finds the same windows.
    assert [(r.school.pk, r.last_outcome, r.window_to, r.reason) for r in radar_of_schools_given] == [
        (r.school.pk, r.last_outcome, r.window_to, r.reason) for r in radar
    ]
    assert len(latest) == len(graded_words) == 6
    assert set(latest.values()) == {(D(2024, 1, 1), "Not graded")}
    assert sorted(graded_words.values()) == [(D(2022, 1, 1 + n), "Good") for n in range(6)]


def test_outcome_words_say_not_graded_for_an_ungraded_inspection(trust):
    made = school(trust, "Ungraded", (D(2023, 5, 10), {}))
    with scope(trust=trust.pk):
        assert outcome_words(latest_inspections([made])[made.pk]) == "Not graded"

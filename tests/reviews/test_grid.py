"""Judgements side by side: school, trust and Ofsted per area; moderation; the trust-wide heat map."""

import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from core.academic import academic_year_for
from reviews.models import Moderation, ReviewType, SelfEvaluation, SelfEvaluationEntry
from reviews.selectors.grid import heat_map, school_grid
from reviews.services.areas import judgement_areas_ensure
from reviews.services.moderation import moderation_record
from reviews.services.reviews import review_record
from schools.models import InspectionSource
from schools.services.inspections import inspection_record
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

# Areas (a savepoint around the exists check, and the list), schools, latest judgements, latest moderations.
HEAT_MAP_QUERIES = 7


def _areas(world):
    with scope(trust=world.trust.pk):
        return {a.code: a for a in judgement_areas_ensure(trust=world.trust)}


def _self_grades(school, grades, *, status="submitted", year=None):
    year = year or academic_year_for(timezone.localdate())
    with scopes_disabled():
        sef = SelfEvaluation.objects.create(school=school, academic_year=year, status=status)
        for area, grade in grades.items():
            SelfEvaluationEntry.objects.create(self_evaluation=sef, area=area, self_grade=grade)
    return sef


def _judged(world, school, grades, *, on=datetime.date(2026, 2, 3), review_type=ReviewType.ANNUAL_REVIEW):
    with scope(trust=world.trust.pk):
        return review_record(
            school=school,
            actor=world.people["improvement_lead"],
            review_type=review_type,
            reviewed_on=on,
            judgements=grades,
        )


def _inspected(world, school, inspected_on, judgements, safeguarding_met=None):
    with scope(trust=world.trust.pk):
        inspection_record(
            school=school,
            inspected_on=inspected_on,
            judgements=judgements,
            safeguarding_met=safeguarding_met,
            source=InspectionSource.FORM,
        )


def _grid(world, school):
    with scope(trust=world.trust.pk):
        return {row.area.code: row for row in school_grid(school, today=timezone.localdate()).rows}


def _row_html(page: str, code: str) -> str:
    start = page.rindex("<tr", 0, page.index(f'data-area="{code}"'))
    return page[start : page.index("</tr>", start)]


def _cell(row_html: str, source: str) -> str:
    start = row_html.index(f'data-source="{source}"')
    return row_html[start : row_html.index("</td>", start)]


def test_the_grid_shows_the_school_the_trust_and_ofsted_per_area(trust_a):
    school, areas = trust_a.schools[0], _areas(trust_a)
    _self_grades(school, {areas["curriculum_and_teaching"]: 2})
    _judged(trust_a, school, {areas["curriculum_and_teaching"]: 3})
    _inspected(trust_a, school, datetime.date(2025, 12, 1), {"curriculum_and_teaching": 4}, True)

    row = _grid(trust_a, school)["curriculum_and_teaching"]
    assert (row.school_grade, row.trust_grade, row.ofsted_grade) == (2, 3, 4)

    page = trust_a.client_for("improvement_lead").get(f"/t/alder/schools/{school.uuid}/judgements/").content.decode()
    html = _row_html(page, "curriculum_and_teaching")
    assert "Strong standard" in _cell(html, "school")
    assert "Expected standard" in _cell(html, "trust")
    assert "Needs attention" in _cell(html, "ofsted")
    assert "safeguarding met" in page


def test_a_draft_self_evaluation_is_not_the_schools_judgement_yet(trust_a):
    school, areas = trust_a.schools[0], _areas(trust_a)
    year = academic_year_for(timezone.localdate())
    _self_grades(school, {areas["achievement"]: 4}, status="accepted", year=year - 1)
    _self_grades(school, {areas["achievement"]: 1}, status="draft", year=year)
    assert _grid(trust_a, school)["achievement"].school_grade == 4


def test_legacy_grades_never_appear_in_the_five_point_column(trust_a):
    school = trust_a.schools[0]
    # "early_years" is an area code of both eras: the legacy Outstanding must not read as a report-card grade.
    _inspected(
        trust_a,
        school,
        datetime.date(2023, 5, 10),
        {"overall_effectiveness": 4, "quality_of_education": 4, "early_years": 1},
    )
    grid = _grid(trust_a, school)
    assert all(row.ofsted_grade is None for row in grid.values())

    page = trust_a.client_for("executive").get(f"/t/alder/schools/{school.uuid}/judgements/").content.decode()
    table, history = page.split('id="history-h"')
    for code in grid:
        assert "No report-card grade" in _cell(_row_html(table, code), "ofsted")
    assert "Outstanding" not in table and "Inadequate" not in table
    assert "Early years provision" in history and "Outstanding" in history and "Inadequate" in history


def test_the_latest_report_card_is_shown_beside_the_legacy_history(trust_a):
    school = trust_a.schools[0]
    _inspected(trust_a, school, datetime.date(2022, 1, 12), {"overall_effectiveness": 2, "early_years": 2})
    _inspected(trust_a, school, datetime.date(2025, 11, 20), {"early_years": 3, "inclusion": 2}, True)
    grid = _grid(trust_a, school)
    assert (grid["early_years"].ofsted_grade, grid["inclusion"].ofsted_grade) == (3, 2)


def test_a_disagreement_between_school_and_trust_is_flagged_in_words(trust_a):
    school, areas = trust_a.schools[0], _areas(trust_a)
    _self_grades(school, {areas["achievement"]: 2, areas["inclusion"]: 3})
    _judged(trust_a, school, {areas["achievement"]: 4, areas["inclusion"]: 3})
    grid = _grid(trust_a, school)
    assert grid["achievement"].disagreement and not grid["inclusion"].disagreement

    page = trust_a.client_for("trustee").get(f"/t/alder/schools/{school.uuid}/judgements/").content.decode()
    assert 'class="disagree"' in _row_html(page, "achievement")
    assert "Disagree" in _cell(_row_html(page, "achievement"), "agreement")
    assert "more favourably than the trust, by 2 steps" in page
    assert "Agree" in _cell(_row_html(page, "inclusion"), "agreement")
    assert "1 area where the school and the trust disagree" in page
    assert "Record moderation" not in page  # trustees read; they do not moderate


def test_a_moderation_is_recorded_with_the_grades_it_settled_and_shown_in_the_grid(trust_a):
    school, areas = trust_a.schools[0], _areas(trust_a)
    _self_grades(school, {areas["achievement"]: 2})
    _judged(trust_a, school, {areas["achievement"]: 4})
    client = trust_a.client_for("improvement_lead")
    url = f"/t/alder/schools/{school.uuid}/judgements/{areas['achievement'].uuid}/moderate/"
    assert "School and trust" in client.get(url).content.decode()

    year = academic_year_for(timezone.localdate())
    response = client.post(
        url,
        {"academic_year": year, "agreed_grade": "3", "discussion": "Books show progress; outcomes still lag."},
        follow=True,
    )
    page = response.content.decode()
    assert "Moderation of Achievement recorded" in page
    with scopes_disabled():
        moderation = Moderation.objects.get()
    assert (moderation.school_grade, moderation.trust_grade, moderation.agreed_grade) == (2, 4, 3)
    assert moderation.moderated_by == trust_a.people["improvement_lead"]
    assert "Expected standard" in _cell(_row_html(page, "achievement"), "moderation")


def test_a_moderation_needs_a_discussion(trust_a):
    areas = _areas(trust_a)
    url = f"/t/alder/schools/{trust_a.schools[0].uuid}/judgements/{areas['inclusion'].uuid}/moderate/"
    page = trust_a.client_for("executive").post(url, {"agreed_grade": "3", "discussion": ""}).content.decode()
    assert "Nothing was saved" in page
    with scopes_disabled():
        assert not Moderation.objects.exists()


def test_another_trusts_area_cannot_be_moderated(trust_a, trust_b):
    foreign = _areas(trust_b)["inclusion"]
    url = f"/t/alder/schools/{trust_a.schools[0].uuid}/judgements/{foreign.uuid}/moderate/"
    assert trust_a.client_for("executive").get(url).status_code == 404
    with scope(trust=trust_a.trust.pk), pytest.raises(Exception, match="trust's list of areas"):
        moderation_record(
            school=trust_a.schools[0],
            area=foreign,
            actor=trust_a.people["executive"],
            academic_year=academic_year_for(timezone.localdate()),
            agreed_grade=3,
            discussion="x",
        )


def test_the_grid_is_the_trusts_view(trust_a, trust_b):
    url = f"/t/alder/schools/{trust_a.schools[0].uuid}/judgements/"
    assert trust_a.client_for("headteacher").get(url).status_code == 403
    assert trust_b.client_for("executive").get(url).status_code == 404
    foreign = f"/t/alder/schools/{trust_b.schools[0].uuid}/judgements/"
    assert trust_a.client_for("executive").get(foreign).status_code == 404


# The heat map.


def test_the_heat_map_uses_the_agreed_moderation_where_it_is_newer(trust_a):
    a, b = trust_a.schools
    areas = _areas(trust_a)
    _judged(trust_a, a, {areas["achievement"]: 4}, on=datetime.date(2026, 1, 10))
    _judged(trust_a, b, {areas["achievement"]: 4}, on=datetime.date(2026, 1, 10))
    year = academic_year_for(timezone.localdate())
    with scope(trust=trust_a.trust.pk):
        for school in (a, b):
            moderation_record(
                school=school,
                area=areas["achievement"],
                actor=trust_a.people["executive"],
                academic_year=year,
                agreed_grade=3,
                discussion="Agreed after looking at books together.",
                moderated_on=datetime.date(2026, 2, 1),
            )
    _judged(trust_a, b, {areas["achievement"]: 5}, on=datetime.date(2026, 3, 1))
    with scope(trust=trust_a.trust.pk):
        cells = {row.school: {c.area.code: c for c in row.cells} for row in heat_map(trust_a.trust).rows}
    assert (cells[a]["achievement"].grade, cells[a]["achievement"].source) == (3, "moderation")
    assert (cells[b]["achievement"].grade, cells[b]["achievement"].source) == (5, "review")
    assert cells[a]["inclusion"].grade is None


def test_the_heat_map_is_an_accessible_table_with_a_legend(trust_a):
    _judged(trust_a, trust_a.schools[0], {_areas(trust_a)["achievement"]: 2})
    page = trust_a.client_for("trustee").get("/t/alder/judgements/heat-map/").content.decode()
    assert "<caption>Trust judgements by school (rows) and area (columns)</caption>" in page
    assert '<th scope="col">Achievement</th>' in page and '<th scope="row"' in page
    assert re.search(r'class="heat-cell grade-2">Strong standard', page)
    assert "Key" in page and "5 Urgent improvement" in page and "Not judged" in page


def test_the_heat_map_exports_the_same_data(trust_a):
    _judged(trust_a, trust_a.schools[0], {_areas(trust_a)["achievement"]: 2}, on=datetime.date(2026, 2, 3))
    client = trust_a.client_for("executive")
    csv_text = b"".join(client.get("/t/alder/judgements/heat-map/?format=csv").streaming_content).decode()
    assert "Alder Trust School 1,700001,Achievement,2,Strong standard,Trust review,2026-02-03" in csv_text
    workbook = load_workbook(io.BytesIO(client.get("/t/alder/judgements/heat-map/?format=xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("School", "URN", "Area", "Grade", "Judgement", "Source", "Date")
    assert len(rows) == 1 + 2 * 8  # two schools, eight areas


def test_the_heat_map_is_for_the_trusts_roles_only(trust_a, trust_b):
    assert trust_a.client_for("governor").get("/t/alder/judgements/heat-map/").status_code == 403
    assert trust_b.client_for("trustee").get("/t/alder/judgements/heat-map/").status_code == 404


def _more_schools(world, count):
    areas = _areas(world)
    with scopes_disabled():
        schools = [SchoolFactory(trust=world.trust, name=f"Extra School {i}") for i in range(count)]
    year = academic_year_for(timezone.localdate())
    for school in [*world.schools, *schools]:
        _judged(world, school, {areas["achievement"]: 3, areas["inclusion"]: 2})
        with scope(trust=world.trust.pk):
            moderation_record(
                school=school,
                area=areas["inclusion"],
                actor=world.people["executive"],
                academic_year=year,
                agreed_grade=3,
                discussion="Agreed.",
            )


def test_the_heat_map_takes_the_same_number_of_queries_for_two_schools_and_for_six(trust_a, django_assert_num_queries):
    _more_schools(trust_a, 0)
    with scope(trust=trust_a.trust.pk), django_assert_num_queries(HEAT_MAP_QUERIES):
        assert len(heat_map(trust_a.trust).rows) == 2
    _more_schools(trust_a, 4)
    with scope(trust=trust_a.trust.pk), django_assert_num_queries(HEAT_MAP_QUERIES):
        assert len(heat_map(trust_a.trust).rows) == 6


def test_the_heat_map_page_takes_the_same_number_of_queries_for_two_schools_and_for_six(trust_a):
    client = trust_a.client_for("executive")
    client.get("/t/alder/judgements/heat-map/")  # sessions and areas settle on the first visit
    _more_schools(trust_a, 0)
    with CaptureQueriesContext(connection) as two:
        assert client.get("/t/alder/judgements/heat-map/").status_code == 200
    _more_schools(trust_a, 4)
    with CaptureQueriesContext(connection) as six:
        page = client.get("/t/alder/judgements/heat-map/").content.decode()
    assert "Extra School 3" in page
    assert len(six) == len(two)


def test_the_school_grid_takes_a_fixed_number_of_queries(trust_a, django_assert_max_num_queries):
    school, areas = trust_a.schools[0], _areas(trust_a)
    _self_grades(school, {areas["achievement"]: 2})
    _judged(trust_a, school, {areas["achievement"]: 4})
    _inspected(trust_a, school, datetime.date(2025, 12, 1), {"achievement": 4}, True)
    with scope(trust=trust_a.trust.pk), django_assert_max_num_queries(9):
        school_grid(school, today=timezone.localdate())

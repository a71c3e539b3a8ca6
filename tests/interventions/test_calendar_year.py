"""The academic calendar: the default England year, editing a year's half-terms, the half-term selectors."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope

from core.exceptions import ApplicationError
from tests.matrix.common import IL, E
from trust.calendar.selectors import current_half_term, half_term_for, half_terms_of_year, working_weeks
from trust.calendar.services import academic_year_default, academic_year_update, default_half_terms, easter_sunday
from trust.models import AcademicYear, HalfTerm

D = datetime.date


@pytest.mark.parametrize("start_year", range(2024, 2036))
def test_default_year_has_six_ordered_weekday_half_terms_without_overlap(start_year):
    half_terms = default_half_terms(start_year)
    assert sorted(half_terms) == [1, 2, 3, 4, 5, 6]
    previous_end = D(start_year, 8, 31)
    for number in range(1, 7):
        starts_on, ends_on = half_terms[number]
        assert starts_on.weekday() < 5 and ends_on.weekday() < 5, number
        assert previous_end < starts_on <= ends_on, number
        # Each holiday between half-terms is a full week or more; each half-term at least three weeks.
        if number > 1:
            assert (starts_on - previous_end).days >= 10, number
        assert (ends_on - starts_on).days >= 18, number
        previous_end = ends_on
    assert half_terms[6][1] <= D(start_year + 1, 7, 22)


@pytest.mark.parametrize(("year", "easter"), [(2024, D(2024, 3, 31)), (2027, D(2027, 3, 28)), (2028, D(2028, 4, 16))])
def test_easter_is_computed_with_the_gregorian_algorithm(year, easter):
    assert easter_sunday(year) == easter


def test_default_2026_27_dates():
    assert default_half_terms(2026) == {
        1: (D(2026, 9, 2), D(2026, 10, 23)),  # October half-term: 26-30 October
        2: (D(2026, 11, 2), D(2026, 12, 18)),
        3: (D(2027, 1, 4), D(2027, 2, 12)),  # February half-term: week of Monday 15 February
        4: (D(2027, 2, 22), D(2027, 3, 19)),  # Good Friday 26 March: Easter break 22 March - 2 April
        5: (D(2027, 4, 5), D(2027, 5, 28)),  # Spring bank holiday: Monday 31 May
        6: (D(2027, 6, 7), D(2027, 7, 22)),
    }


def test_default_2027_28_dates_follow_a_late_easter_and_a_weekend_new_year():
    half_terms = default_half_terms(2027)
    # 1 January 2028 is a Saturday: Monday 3 January is the substitute bank holiday.
    assert half_terms[3][0] == D(2028, 1, 4)
    # Easter Sunday 16 April 2028: Good Friday 14 April; the break is 10-21 April.
    assert half_terms[4][1] == D(2028, 4, 7)
    assert half_terms[5][0] == D(2028, 4, 24)
    assert half_terms[5][1] == D(2028, 5, 26) and half_terms[6][0] == D(2028, 6, 5)


@pytest.mark.django_db
def test_creating_the_default_year_is_idempotent_and_keeps_edits(trust_a):
    with scope(trust=trust_a.trust.pk):
        year = academic_year_default(trust_a.trust, 2026, actor=trust_a.people[E])
        HalfTerm.objects.filter(academic_year=year, number=1).update(starts_on=D(2026, 9, 3))
        again = academic_year_default(trust_a.trust, 2026, actor=trust_a.people[E])
        assert again.pk == year.pk
        assert AcademicYear.objects.filter(trust=trust_a.trust).count() == 1
        assert HalfTerm.objects.filter(academic_year=year).count() == 6
        assert HalfTerm.objects.get(academic_year=year, number=1).starts_on == D(2026, 9, 3)


@pytest.mark.django_db
def test_only_executives_manage_the_calendar(trust_a):
    with scope(trust=trust_a.trust.pk), pytest.raises(PermissionDenied):
        academic_year_default(trust_a.trust, 2026, actor=trust_a.people[IL])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({2: (D(2026, 10, 20), D(2026, 12, 18))}, "must start after half-term 1 ends"),
        ({1: (D(2026, 10, 23), D(2026, 9, 2))}, "ends before it starts"),
        ({1: (D(2026, 8, 28), D(2026, 10, 23))}, "between 1 September 2026 and 31 August 2027"),
        ({6: (D(2027, 6, 7), D(2027, 9, 3))}, "between 1 September 2026 and 31 August 2027"),
        ({3: (D(2027, 1, 2), D(2027, 2, 12))}, "weekday"),
    ],
)
def test_editing_a_year_refuses_disordered_overlapping_or_outside_dates(trust_a, change, message):
    with scope(trust=trust_a.trust.pk):
        year = academic_year_default(trust_a.trust, 2026)
        dates = default_half_terms(2026) | change
        with pytest.raises(ApplicationError, match=message):
            academic_year_update(year=year, actor=trust_a.people[E], half_terms=dates)
        assert HalfTerm.objects.get(academic_year=year, number=1).starts_on == D(2026, 9, 2)


@pytest.mark.django_db
def test_editing_a_year_saves_all_six_half_terms(trust_a):
    with scope(trust=trust_a.trust.pk):
        year = academic_year_default(trust_a.trust, 2026)
        dates = default_half_terms(2026) | {1: (D(2026, 9, 7), D(2026, 10, 16)), 2: (D(2026, 11, 2), D(2026, 12, 22))}
        academic_year_update(year=year, actor=trust_a.people[E], half_terms=dates)
        saved = {ht.number: (ht.starts_on, ht.ends_on) for ht in HalfTerm.objects.filter(academic_year=year)}
        assert saved == dates
        # The selectors read the trust's own dates once it has a year.
        assert half_term_for(trust_a.trust, D(2026, 10, 21)) is None
        assert half_term_for(trust_a.trust, D(2026, 12, 22)).number == 2


@pytest.mark.django_db
def test_selectors_fall_back_to_the_default_year(trust_a):
    with scope(trust=trust_a.trust.pk):
        assert not AcademicYear.objects.filter(trust=trust_a.trust).exists()
        assert half_term_for(trust_a.trust, D(2026, 11, 25)).number == 2
        assert half_term_for(trust_a.trust, D(2026, 10, 28)) is None  # October half-term
        # In a holiday the current half-term is the next to start, across the summer into the next year.
        assert current_half_term(trust_a.trust, D(2026, 10, 28)).number == 2
        upcoming = current_half_term(trust_a.trust, D(2027, 8, 10))
        assert (upcoming.number, upcoming.academic_year.start_year) == (1, 2027)
        assert [ht.pk for ht in half_terms_of_year(trust_a.trust, 2026)] == [None] * 6


def test_working_weeks_are_the_mondays_of_weeks_inside_a_half_term():
    autumn_1 = HalfTerm(number=1, starts_on=D(2026, 9, 2), ends_on=D(2026, 10, 23))
    weeks = working_weeks(autumn_1)
    assert weeks[0] == D(2026, 8, 31) and weeks[-1] == D(2026, 10, 19)
    assert len(weeks) == 8 and all(week.weekday() == 0 for week in weeks)


@pytest.mark.django_db
def test_executive_creates_the_default_year_in_one_click_and_edits_it(trust_a):
    client = trust_a.client_for(E)
    slug = trust_a.trust.slug
    response = client.post(reverse("calendar-year-create-default", args=[slug]), {"start_year": 2026})
    assert response.status_code == 302
    with scope(trust=trust_a.trust.pk):
        year = AcademicYear.objects.get(trust=trust_a.trust, start_year=2026)
    page = client.get(reverse("calendar-year-list", args=[slug]))
    assert "2026/27" in page.content.decode() and "2 Sep 2026" in page.content.decode()

    data = {
        f"half_term_{n}_{edge}": day.isoformat()
        for n, dates in default_half_terms(2026).items()
        for edge, day in zip(("starts_on", "ends_on"), dates, strict=True)
    }
    data["half_term_2_starts_on"] = "2026-10-20"  # overlaps Autumn 1
    response = client.post(reverse("calendar-year-edit", args=[slug, year.uuid]), data)
    assert response.status_code == 200 and "must start after half-term 1 ends" in response.content.decode()
    data["half_term_2_starts_on"] = "2026-11-03"
    response = client.post(reverse("calendar-year-edit", args=[slug, year.uuid]), data)
    assert response.status_code == 302
    with scope(trust=trust_a.trust.pk):
        assert HalfTerm.objects.get(academic_year=year, number=2).starts_on == D(2026, 11, 3)


@pytest.mark.django_db
def test_api_creates_lists_and_updates_years(trust_a, trust_b):
    client = trust_a.client_for(E)
    slug = trust_a.trust.slug
    created = client.post(
        reverse("api-calendar-year-create-default", args=[slug]), {"start_year": 2027}, content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["label"] == "2027/28" and len(body["half_terms"]) == 6
    assert body["half_terms"][4]["starts_on"] == "2028-04-24"
    listed = client.get(reverse("api-calendar-year-list", args=[slug])).json()
    assert [y["start_year"] for y in listed] == [2027]

    url = reverse("api-calendar-year-detail", args=[slug, body["uuid"]])
    half_terms = body["half_terms"]
    half_terms[0]["starts_on"] = "2027-09-06"
    assert client.put(url, {"half_terms": half_terms}, content_type="application/json").status_code == 200
    assert client.get(url).json()["half_terms"][0]["starts_on"] == "2027-09-06"
    half_terms[0]["starts_on"] = "2027-11-01"
    refused = client.put(url, {"half_terms": half_terms}, content_type="application/json")
    assert refused.status_code == 400 and "ends before it starts" in refused.json()["message"]
    # Another trust's people cannot see it; a headteacher cannot change it.
    assert trust_b.client_for(E).get(url).status_code == 404
    assert (
        trust_a.client_for("headteacher")
        .put(url, {"half_terms": half_terms}, content_type="application/json")
        .status_code
        == 403
    )

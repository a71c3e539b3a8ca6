"""Capacity: days committed in a term, prorated by the part of each intervention inside it."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from core.academic import term_bounds
from interventions.selectors.capacity import committed_days, days_left, inclusive_days, over_commitment
from tests.interventions import make_expert, make_intervention

pytestmark = pytest.mark.django_db

D = datetime.date
SPRING = term_bounds(D(2026, 2, 1))  # 1 January to 15 April 2026


def test_spring_term_bounds_are_what_the_tests_assume():
    assert ("Spring", D(2026, 1, 1), D(2026, 4, 15)) == SPRING
    assert inclusive_days(D(2026, 1, 1), D(2026, 1, 1)) == 1
    assert inclusive_days(D(2026, 1, 2), D(2026, 1, 1)) == 0


def test_a_ten_day_lead_half_inside_the_term_counts_five(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Priya Raman")
        # 1 Dec to 31 Jan: 62 days, 31 of them (January) in the spring term.
        make_intervention(trust_a.schools[0], starts_on=D(2025, 12, 1), ends_on=D(2026, 1, 31), leads={expert: "10"})
        assert committed_days([expert], SPRING[1], SPRING[2]) == {expert.pk: Decimal("5.0")}
        autumn = term_bounds(D(2025, 12, 1))
        assert committed_days([expert], autumn[1], autumn[2]) == {expert.pk: Decimal("5.0")}


def test_an_intervention_wholly_inside_counts_in_full_and_one_outside_not_at_all(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Tom Whitfield")
        make_intervention(trust_a.schools[0], starts_on=D(2026, 2, 2), ends_on=D(2026, 3, 27), leads={expert: "4.5"})
        make_intervention(trust_a.schools[1], starts_on=D(2026, 5, 1), ends_on=D(2026, 6, 30), leads={expert: "8"})
        assert committed_days([expert], SPRING[1], SPRING[2])[expert.pk] == Decimal("4.5")


def test_cancelled_and_closed_interventions_hold_no_days(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Grace Okafor")
        school = trust_a.schools[0]
        for status, days in (
            ("proposed", "1"),
            ("commissioned", "2"),
            ("active", "3"),
            ("impact_review", "4"),
            ("closed", "50"),
            ("cancelled", "70"),
        ):
            make_intervention(
                school, starts_on=D(2026, 1, 5), ends_on=D(2026, 3, 1), status=status, leads={expert: days}
            )
        assert committed_days([expert], SPRING[1], SPRING[2])[expert.pk] == Decimal("10.0")


def test_shares_are_summed_exactly_and_rounded_once_to_a_tenth(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "David Chen")
        # 31 Dec to 2 Jan: 3 days, 2 inside spring. 10 x 2/3 = 6.666..., twice = 13.333... -> 13.3
        # (rounding each share first would give 6.7 + 6.7 = 13.4).
        for school in trust_a.schools:
            make_intervention(school, starts_on=D(2025, 12, 31), ends_on=D(2026, 1, 2), leads={expert: "10"})
        assert committed_days([expert], SPRING[1], SPRING[2])[expert.pk] == Decimal("13.3")


def test_every_expert_is_in_the_answer_and_others_leads_do_not_leak(trust_a):
    with scope(trust=trust_a.trust.pk):
        busy = make_expert(trust_a.trust, "Busy")
        free = make_expert(trust_a.trust, "Free")
        make_intervention(trust_a.schools[0], starts_on=D(2026, 1, 5), ends_on=D(2026, 1, 9), leads={busy: "3"})
        assert committed_days([busy, free], SPRING[1], SPRING[2]) == {busy.pk: Decimal("3.0"), free.pk: Decimal("0.0")}


def test_one_query_however_many_experts(trust_a, django_assert_num_queries):
    with scope(trust=trust_a.trust.pk):
        experts = [make_expert(trust_a.trust, f"Person {i}") for i in range(25)]
        for expert in experts:
            make_intervention(trust_a.schools[0], starts_on=D(2026, 1, 5), ends_on=D(2026, 2, 5), leads={expert: "2"})
        with django_assert_num_queries(1):
            committed = committed_days(experts, SPRING[1], SPRING[2])
        assert set(committed.values()) == {Decimal("2.0")}
        with django_assert_num_queries(1):
            committed_days(experts[:1], SPRING[1], SPRING[2])


def test_days_left_and_over_commitment(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Helen Marsh", days_per_term=Decimal("10"))
        make_intervention(trust_a.schools[0], starts_on=D(2026, 1, 5), ends_on=D(2026, 3, 1), leads={expert: "7.5"})
        assert days_left(expert, SPRING) == Decimal("2.5")
        assert days_left(expert, D(2026, 3, 1)) == Decimal("2.5")  # any date inside the term will do
        assert over_commitment(expert, SPRING, Decimal("2")) == Decimal("0.0")
        assert over_commitment(expert, SPRING, Decimal("2.5")) == Decimal("0.0")
        assert over_commitment(expert, SPRING, Decimal("5")) == Decimal("2.5")
        # The summer term is untouched.
        assert days_left(expert, term_bounds(D(2026, 5, 1))) == Decimal("10.0")

"""Brokering: who could support a school's need, ranked as seed 004 says, with reasons."""

import datetime
from decimal import Decimal

import pytest
from django_scopes import scope

from core.exceptions import ApplicationError
from interventions.selectors.brokering import broker, over_commitment
from reviews.models import Review, ReviewJudgement
from reviews.services.areas import judgement_areas_ensure
from tests.factories import SchoolFactory
from tests.interventions import make_expert, make_intervention, rag_levels, rate

pytestmark = pytest.mark.django_db

D = datetime.date
STARTS, ENDS = D(2026, 2, 2), D(2026, 3, 27)  # inside the spring term of 2026


@pytest.fixture
def world(trust_a, trust_b):
    """Trust A: school 1 needs maths support; a Green school, a Red school and an unrated school could help."""
    with scope(trust=trust_a.trust.pk):
        trust = trust_a.trust
        needing = trust_a.schools[0]
        green = SchoolFactory(trust=trust, name="Hazelwood Primary", urn=700010)
        red = SchoolFactory(trust=trust, name="Ashgrove Primary", urn=700011)
        unrated = trust_a.schools[1]
        levels = rag_levels(trust)
        executive = trust_a.people["executive"]
        rate(green, levels["Amber"], executive, D(2025, 1, 10))
        rate(green, levels["Green"], executive, D(2025, 9, 10))  # the latest decision counts
        rate(red, levels["Red"], executive, D(2025, 9, 10))
        rate(needing, levels["Amber"], executive, D(2025, 9, 10))
        people = {
            "own": make_expert(trust, "Olive Own", home_school=needing),
            "strong": make_expert(trust, "Sam Strong", home_school=green),
            "weak": make_expert(trust, "Wendy Weak", home_school=red),
            "unrated": make_expert(trust, "Uma Unrated", home_school=unrated),
            "busy": make_expert(trust, "Bob Busy", home_school=green, days_per_term=Decimal("5")),
            "trust": make_expert(trust, "Tina Trust", role="trust_staff", days_per_term=Decimal("20")),
            "external": make_expert(trust, "Ed External", role="external", organisation="Maths Hub North"),
            "english": make_expert(trust, "Eve English", home_school=green, areas=["english"]),
            "inactive": make_expert(trust, "Ian Inactive", home_school=green, is_active=False),
        }
        make_intervention(red, starts_on=D(2026, 1, 5), ends_on=D(2026, 3, 1), leads={people["busy"]: "4"})
    with scope(trust=trust_b.trust.pk):
        make_expert(trust_b.trust, "Other Trust Person", role="trust_staff", days_per_term=Decimal("50"))
    return trust_a, people, needing


def _broker(world, days="3", area="maths"):
    trust_a, _, needing = world
    with scope(trust=trust_a.trust.pk):
        return broker(school=needing, area=area, starts_on=STARTS, ends_on=ENDS, days_needed=Decimal(days))


def test_tiers_in_seed_order_strong_school_first_over_committed_last_in_its_tier(world):
    names = [s.expert.name for s in _broker(world)]
    assert names == ["Sam Strong", "Wendy Weak", "Uma Unrated", "Bob Busy", "Tina Trust", "Ed External"]


def test_the_needing_schools_own_staff_other_trusts_non_matching_and_inactive_people_are_never_suggested(world):
    names = {s.expert.name for s in _broker(world)}
    assert not names & {"Olive Own", "Other Trust Person", "Eve English", "Ian Inactive"}


def test_each_suggestion_carries_tier_level_days_and_flags(world):
    by_name = {s.expert.name: s for s in _broker(world)}
    strong, busy, trust, external = (by_name[n] for n in ("Sam Strong", "Bob Busy", "Tina Trust", "Ed External"))
    assert (strong.tier, strong.tier_label, strong.rank) == (1, "School-to-school", 1)
    assert strong.home_school_level == "Green" and strong.days_left == Decimal("10.0")
    assert not strong.over_committed
    assert busy.over_committed and busy.days_left == Decimal("1.0") and busy.over_by == Decimal("2.0")
    assert (trust.tier, external.tier) == (2, 3)
    assert trust.home_school_level is None


def test_reasons_explain_the_rank_in_plain_sentences(world):
    by_name = {s.expert.name: s for s in _broker(world)}
    assert by_name["Sam Strong"].reasons == [
        "School-to-school: Hazelwood Primary is rated Green.",
        "Lists Maths among their areas of expertise.",
        "10 of 10 days left this spring term.",
    ]
    assert "Would be over-committed by 2 days." in by_name["Bob Busy"].reasons
    assert "1 of 5 days left this spring term." in by_name["Bob Busy"].reasons
    assert by_name["Uma Unrated"].reasons[0].endswith("has no rating yet.")
    assert by_name["Ed External"].reasons[0].startswith("External provider (Maths Hub North)")
    assert by_name["Tina Trust"].reasons[0] == "Trust specialist: Trust staff with no home school."


def test_nobody_is_over_committed_when_no_days_are_needed(world):
    assert not any(s.over_committed for s in _broker(world, days="0"))


def test_the_latest_review_judgement_in_the_related_area_breaks_a_tie_between_equally_rated_schools(world):
    trust_a, people, _ = world
    with scope(trust=trust_a.trust.pk):
        trust = trust_a.trust
        green = people["strong"].home_school
        other_green = SchoolFactory(trust=trust, name="Beech Primary", urn=700012)
        rate(
            other_green, people["strong"].home_school.ratings.first().level, trust_a.people["executive"], D(2025, 9, 1)
        )
        make_expert(trust, "Bea Beech", home_school=other_green)
        area = next(a for a in judgement_areas_ensure(trust=trust) if a.code == "curriculum_and_teaching")
        for school, grade in ((green, 3), (other_green, 1)):
            review = Review.objects.create(school=school, review_type="annual_review", reviewed_on=D(2025, 11, 4))
            ReviewJudgement.objects.create(review=review, area=area, grade=grade)
    suggestions = _broker(world)
    assert [s.expert.name for s in suggestions][:2] == ["Bea Beech", "Sam Strong"]
    assert suggestions[0].area_grade == 1
    assert (
        "The trust's latest review judged Beech Primary exceptional in curriculum and teaching (4 Nov 2025)."
        in suggestions[0].reasons
    )


def test_more_days_left_ranks_higher_within_a_tier(world):
    trust_a, _, _ = world
    with scope(trust=trust_a.trust.pk):
        make_expert(trust_a.trust, "Amy Ample", role="trust_staff", days_per_term=Decimal("30"))
    names = [s.expert.name for s in _broker(world) if s.tier == 2]
    assert names == ["Amy Ample", "Tina Trust"]


def test_a_constant_number_of_queries_whatever_the_size_of_the_register(world, django_assert_max_num_queries):
    trust_a, _, needing = world
    with scope(trust=trust_a.trust.pk):
        trust = trust_a.trust
        with django_assert_max_num_queries(6) as small:
            broker(school=needing, area="maths", starts_on=STARTS, ends_on=ENDS, days_needed=Decimal("3"))
        for i in range(30):
            school = SchoolFactory(trust=trust, name=f"Extra School {i}", urn=720000 + i)
            make_expert(trust, f"Extra {i}", home_school=school)
        with django_assert_max_num_queries(len(small.captured_queries)):
            found = broker(school=needing, area="maths", starts_on=STARTS, ends_on=ENDS, days_needed=Decimal("3"))
        assert len(found) == 36


def test_bad_requests_are_refused(world):
    trust_a, _, needing = world
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError, match="area of expertise"):
            broker(school=needing, area="astrology", starts_on=STARTS, ends_on=ENDS, days_needed=Decimal(1))
        with pytest.raises(ApplicationError, match="end date"):
            broker(school=needing, area="maths", starts_on=ENDS, ends_on=STARTS, days_needed=Decimal(1))


def test_over_commitment_for_the_commission_form(world):
    trust_a, people, _ = world
    with scope(trust=trust_a.trust.pk):
        assert over_commitment(people["busy"], STARTS, Decimal("3")) == Decimal("2.0")
        assert over_commitment(people["strong"], STARTS, Decimal("3")) == Decimal("0.0")

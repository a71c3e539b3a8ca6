"""Rating decisions: the rules of a decision, append-only history, time in level, pages and the demo."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from reviews.demo_ratings import seed_ratings
from reviews.models import Evidence, EvidenceType, Rating
from reviews.selectors.ratings import add_months, current_ratings, level_stays, overstays, rating_history
from reviews.services.ratings import (
    NEEDS_EVIDENCE,
    NEEDS_RATIONALE,
    NO_FUTURE,
    UNKNOWN_EVIDENCE,
    UNKNOWN_LEVEL,
    rating_decide,
)
from schools.models import InspectionSource
from schools.services.inspections import inspection_record
from tests.factories import SchoolFactory
from tests.matrix.common import GV, HT, IL, TR, E
from trust.models import SupportLevel
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def months_ago(months: int) -> datetime.date:
    return add_months(TODAY, -months)


def evidence(school, *, summary="Learning walk in Year 4", shared=False, observed_on=None, author=None):
    return Evidence.objects.create(
        school=school,
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=observed_on or TODAY - datetime.timedelta(days=20),
        author=author,
        summary=summary,
        shared_with_school=shared,
    )


@pytest.fixture
def world(trust_a):
    """Trust A on the four-phase scale; school 1 Inadequate at inspection, so Stabilise is suggested."""
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="four_phases")
        inspection_record(
            school=trust_a.schools[0],
            inspected_on=datetime.date(2024, 1, 10),
            judgements={"overall_effectiveness": 4},
            source=InspectionSource.FORM,
        )
        yield trust_a


def level(world, name):
    return SupportLevel.objects.get(scale__trust=world.trust, name=name)


def decide(world, name="Stabilise", *, school=None, items=None, **kwargs):
    school = school or world.schools[0]
    values = {
        "school": school,
        "actor": world.people[E],
        "level": level(world, name),
        "effective_on": TODAY,
        "rationale": "Inadequate; the trust directs improvement.",
        "evidence": items if items is not None else [evidence(school)],
    }
    values.update(kwargs)
    return rating_decide(**values)


# --- the rules of a decision ------------------------------------------------------------------------------


def test_a_decision_stores_the_suggestion_and_snapshots_of_the_level(world):
    rating = decide(world)
    assert (rating.level_name, rating.level_position) == ("Stabilise", 1)
    assert rating.suggested_level_name == "Stabilise" and not rating.overrode_suggestion
    assert rating.suggestion_reasons[0]["indicator"] == "ofsted_grade"
    assert "Inadequate for overall effectiveness" in rating.suggestion_reasons[0]["reason"]
    assert rating.inspection.inspected_on == datetime.date(2024, 1, 10)
    assert rating.decided_by == world.people[E]


def test_choosing_another_level_than_suggested_without_a_reason_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        decide(world, "Repair")
    assert refused.value.message == "Choosing Repair instead of the suggested Stabilise needs a reason."
    assert refused.value.extra == {"field": "override_reason"}
    rating = decide(world, "Repair", override_reason="A new head since the inspection; the review found capacity.")
    assert rating.overrode_suggestion and rating.suggested_level_name == "Stabilise"
    assert rating.override_reason.startswith("A new head")


def test_an_override_reason_is_not_kept_when_the_suggestion_is_followed(world):
    rating = decide(world, override_reason="Not needed.")
    assert not rating.overrode_suggestion and rating.override_reason == ""


def test_a_rating_without_evidence_is_refused(world):
    with pytest.raises(ApplicationError, match=NEEDS_EVIDENCE):
        decide(world, items=[])


def test_a_rating_without_a_rationale_is_refused(world):
    with pytest.raises(ApplicationError, match=NEEDS_RATIONALE):
        decide(world, rationale="   ")


def test_a_rating_cannot_take_effect_in_the_future(world):
    with pytest.raises(ApplicationError, match=NO_FUTURE):
        decide(world, effective_on=TODAY + datetime.timedelta(days=1))


def test_another_schools_or_trusts_evidence_reads_as_unknown(world, trust_b):
    with pytest.raises(ApplicationError) as other_school:
        decide(world, items=[evidence(world.schools[1])])
    with scopes_disabled():
        foreign = evidence(trust_b.schools[0])
    with pytest.raises(ApplicationError) as other_trust:
        decide(world, items=[foreign])
    assert other_school.value.message == other_trust.value.message == UNKNOWN_EVIDENCE


def test_another_trusts_level_reads_as_unknown(world, trust_b):
    with scope(trust=trust_b.trust.pk):
        scale = scale_create_from_template(trust=trust_b.trust, actor=trust_b.people[E], template_key="four_phases")
        foreign = scale.levels.get(position=1)
    with pytest.raises(ApplicationError) as unknown:
        decide(world, level=None)
    with pytest.raises(ApplicationError) as other_trust:
        decide(world, level=foreign)
    assert unknown.value.message == other_trust.value.message == UNKNOWN_LEVEL


@pytest.mark.parametrize("role", [HT, GV, TR])
def test_only_executives_and_improvement_leads_decide(world, role):
    with pytest.raises(PermissionDenied):
        decide(world, actor=world.people[role])
    assert decide(world, actor=world.people[IL]).decided_by == world.people[IL]


# --- append-only ------------------------------------------------------------------------------------------


def test_a_rating_cannot_be_saved_again_updated_or_deleted(world):
    rating = decide(world)
    rating.rationale = "Rewritten."
    with pytest.raises(ApplicationError, match="cannot be changed"):
        rating.save()
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        rating.delete()
    with pytest.raises(ApplicationError, match="cannot be changed"):
        Rating.objects.filter(pk=rating.pk).update(rationale="Rewritten.")
    with pytest.raises(ApplicationError, match="cannot be deleted"):
        Rating.objects.filter(pk=rating.pk).delete()
    assert Rating.objects.get(pk=rating.pk).rationale == "Inadequate; the trust directs improvement."


def test_ratings_are_not_in_the_admin():
    assert Rating not in admin.site._registry


def test_a_correction_is_a_new_decision_and_the_history_keeps_both(world):
    first = decide(world, effective_on=months_ago(2))
    second = decide(world, "Repair", override_reason="Corrected: the inspection predates the new head.")
    history = rating_history(world.schools[0], membership=world.memberships[E], today=TODAY)
    assert [row.rating for row in history] == [second, first]


# --- reading: current level, time in level, stale evidence --------------------------------------------------


def test_current_ratings_for_many_schools_take_one_query(world):
    schools = [world.schools[0], world.schools[1], *(SchoolFactory(trust=world.trust) for _ in range(3))]
    for s in schools:
        decide(world, "Repair", school=s, effective_on=months_ago(3), override_reason="Earlier view.")
        decide(world, school=s, override_reason="Now.")
    with CaptureQueriesContext(connection) as queries:
        current = current_ratings(schools)
    assert len(queries) == 1
    assert {r.level_name for r in current.values()} == {"Stabilise"} and len(current) == 5


def test_a_school_in_stabilise_beyond_two_terms_is_an_overstay(world):
    decide(world, effective_on=months_ago(10))
    decide(world, effective_on=months_ago(3))  # re-confirmed: the clock does not restart
    stay = level_stays([world.schools[0]], TODAY)[world.schools[0].pk]
    assert stay.since == months_ago(10) and stay.months == 10
    assert stay.expected_months == 8 and stay.is_overstay
    assert [s.school for s in overstays(world.trust, TODAY)] == [world.schools[0]]


def test_moving_level_restarts_the_clock_and_a_level_without_duration_never_overstays(world):
    decide(world, effective_on=months_ago(10))
    decide(world, "Repair", effective_on=months_ago(3), override_reason="Improving.")
    decide(world, "Sustain", school=world.schools[1], effective_on=months_ago(40), items=[evidence(world.schools[1])])
    stays = level_stays(world.schools, TODAY)
    assert stays[world.schools[0].pk].since == months_ago(3) and not stays[world.schools[0].pk].is_overstay
    assert not stays[world.schools[1].pk].is_overstay
    assert overstays(world.trust, TODAY) == []


def test_evidence_older_than_the_trusts_window_is_flagged_stale_when_cited(world):
    old = evidence(world.schools[0], summary="Old walk", observed_on=months_ago(13))
    fresh = evidence(world.schools[0], summary="Fresh walk", observed_on=months_ago(1))
    decide(world, items=[old, fresh])
    row = rating_history(world.schools[0], membership=world.memberships[E], today=TODAY)[0]
    flags = {c.evidence.summary: (c.stale_when_cited, c.stale_now) for c in row.evidence}
    assert flags == {"Old walk": (True, True), "Fresh walk": (False, False)}


# --- pages ---------------------------------------------------------------------------------------------------


def url(world, school=None):
    return reverse("rating-school", args=[world.trust.slug, (school or world.schools[0]).uuid])


def test_rating_page_shows_the_suggestion_its_reasons_and_every_indicator(world):
    with scope(trust=world.trust.pk):
        evidence(world.schools[0], summary="Old walk", observed_on=months_ago(14))
    page = world.client_for(IL).get(url(world)).content.decode()
    assert "Suggested level" in page and "Stabilise" in page
    assert "Ofsted grade is at least 4 (seed: Ofsted Grade 4): Inadequate for overall effectiveness" in page
    for label in ("Attainment against national", "Years of decline", "Absence against national", "Capacity"):
        assert label in page
    assert "<legend" in page and "(suggested)" in page
    assert "Stale" in page and "older than 12 months" in page
    assert "Only needed if you choose a level other than the suggested one (Stabilise)" in page


def test_deciding_on_the_page_records_the_rating_and_an_override_needs_its_reason(world):
    with scope(trust=world.trust.pk):
        item = evidence(world.schools[0])
        repair = level(world, "Repair")
    client = world.client_for(E)
    form = {
        "level": str(repair.uuid),
        "effective_on": TODAY.isoformat(),
        "rationale": "The new head has stabilised the school.",
        "evidence": [str(item.uuid)],
    }
    refused = client.post(url(world), form)
    assert refused.status_code == 200
    assert "Choosing Repair instead of the suggested Stabilise needs a reason." in refused.content.decode()
    done = client.post(url(world), {**form, "override_reason": "Leadership has changed since the inspection."})
    assert done.status_code == 302
    page = client.get(url(world)).content.decode()
    assert "Leadership has changed since the inspection." in page and "Yes:" in page


def test_a_foreign_level_on_the_page_reads_as_unknown(world, trust_b):
    with scope(trust=trust_b.trust.pk):
        scale = scale_create_from_template(trust=trust_b.trust, actor=trust_b.people[E], template_key="rag")
        foreign = scale.levels.first()
    response = world.client_for(E).post(url(world), {"level": str(foreign.uuid), "effective_on": TODAY.isoformat()})
    assert UNKNOWN_LEVEL.replace("'", "&#x27;") in response.content.decode()


def test_headteacher_cannot_open_another_schools_rating_page(world):
    assert world.client_for(HT).get(url(world, world.schools[1])).status_code == 404
    assert world.client_for(GV).get(url(world, world.schools[0])).status_code == 404


def test_headteacher_sees_our_judgement_without_trust_only_evidence(world):
    with scope(trust=world.trust.pk):
        shared = evidence(world.schools[0], summary="Shared work scrutiny", shared=True)
        private = evidence(world.schools[0], summary="Private governance concern")
        decide(world, items=[shared, private], rationale="Inadequate: the trust directs improvement.")
    response = world.client_for(HT).get(url(world))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Our judgement" in page and "Inadequate: the trust directs improvement." in page
    assert "Shared work scrutiny" in page
    assert "Private governance concern" not in page
    # The support offer the level brings, and nothing of the trust's deliberation.
    assert "The Central MAT Improvement Team, directs all improvement activity" in page
    assert "Suggested level" not in page and "<form" not in page.split("<main")[1]
    assert world.client_for(HT).post(url(world), {}).status_code == 403


def test_trustees_read_the_rating_page_without_evidence_or_a_form(world):
    with scope(trust=world.trust.pk):
        decide(world, items=[evidence(world.schools[0], summary="Trust only walk")])
    page = world.client_for(TR).get(url(world)).content.decode()
    assert "History of decisions" in page and "Trust only walk" not in page
    assert "1 item not shown to your role" in page and "Record the decision" not in page


def test_overstay_is_flagged_on_the_rating_page_and_the_overstays_page(world):
    with scope(trust=world.trust.pk):
        decide(world, effective_on=months_ago(11))
    page = world.client_for(E).get(url(world)).content.decode()
    assert "Overstay:" in page
    listing = world.client_for(TR).get(reverse("rating-overstays", args=[world.trust.slug])).content.decode()
    assert world.schools[0].name in listing and "up to 8 months" in listing
    assert world.client_for(HT).get(reverse("rating-overstays", args=[world.trust.slug])).status_code == 403


def test_empty_states_explain_what_is_missing(trust_a):
    page = trust_a.client_for(E).get(url(trust_a)).content.decode()
    assert "has not chosen a support scale yet" in page
    assert reverse("scale-choose", args=[trust_a.trust.slug]) in page
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="rag")
    page = trust_a.client_for(E).get(url(trust_a)).content.decode()
    assert "A rating needs at least one piece of evidence about the school" in page
    assert "Not rated yet." in page


# --- the demo ------------------------------------------------------------------------------------------------


def test_demo_ratings_pick_a_scale_give_histories_with_an_override_and_an_overstay_and_rerun_idempotently(trust_a):
    with scopes_disabled():
        trust_a.trust.slug = "oakfield"  # the demo trust that starts on the four-phase scale
        trust_a.trust.save()
    with scope(trust=trust_a.trust.pk):
        schools = [trust_a.schools[0], trust_a.schools[1]]
        for s, urn in zip(schools, (990106, 990102), strict=True):
            s.urn = urn
            s.save()
        inspection_record(
            school=schools[0],
            inspected_on=datetime.date(2023, 10, 4),
            judgements={"overall_effectiveness": 4},
            source=InspectionSource.FORM,
        )
        made = seed_ratings(trust=trust_a.trust, schools=schools, people=trust_a.people, today=TODAY)
        assert len(made) == 4
        assert Rating.objects.filter(overrode_suggestion=True).exclude(override_reason="").exists()
        assert [stay.level.name for stay in overstays(trust_a.trust, TODAY)] == ["Stabilise"]
        assert seed_ratings(trust=trust_a.trust, schools=schools, people=trust_a.people, today=TODAY) == []
        assert Rating.objects.count() == 4 and Evidence.objects.count() == 4
        assert level_stays(schools, TODAY)[schools[1].pk].level.name == "Repair"
        assert SupportLevel.objects.filter(scale__trust=trust_a.trust).count() == 4


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_rating_and_overstay_pages_cost_the_same_queries_however_long_the_history(world):
    client = world.client_for(E)
    overstays_url = reverse("rating-overstays", args=[world.trust.slug])
    with scope(trust=world.trust.pk):
        decide(world, effective_on=months_ago(12))
    few = (_queries(client, url(world)), _queries(client, overstays_url))
    with scope(trust=world.trust.pk):
        for n in range(4):
            decide(
                world, effective_on=months_ago(11 - n), items=[evidence(world.schools[0]), evidence(world.schools[0])]
            )
            extra = SchoolFactory(trust=world.trust)
            decide(world, school=extra, effective_on=months_ago(10), items=[evidence(extra)], override_reason="Test.")
    assert (_queries(client, url(world)), _queries(client, overstays_url)) == few

"""Reviews: recording and correcting them, who may read them, and when trust inspections are due."""

import datetime

import pytest
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from reviews.demo_reviews import seed_reviews
from reviews.models import (
    Evidence,
    Moderation,
    Review,
    ReviewJudgement,
    ReviewType,
    SelfEvaluation,
    SelfEvaluationEntry,
)
from reviews.selectors.grid import school_grid
from reviews.selectors.reviews import trust_inspections_due
from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import (
    FUTURE_DATE,
    UNKNOWN_AREA,
    UNKNOWN_EVIDENCE,
    UNKNOWN_REVIEWER,
    review_record,
    review_update,
)
from schools.models import InspectionSource, School
from schools.services.inspections import inspection_record

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


def _areas(world):
    with scope(trust=world.trust.pk):
        return {a.code: a for a in judgement_areas_ensure(trust=world.trust)}


def _evidence(school, summary="Learning walk, Year 4 maths"):
    with scopes_disabled():
        return Evidence.objects.create(
            school=school, evidence_type="learning_walk", observed_on=datetime.date(2026, 1, 20), summary=summary
        )


def _review(
    world, school=None, *, shared=True, review_type=ReviewType.ANNUAL_REVIEW, on=datetime.date(2026, 2, 3), **kw
):
    with scope(trust=world.trust.pk):
        return review_record(
            school=school or world.schools[0],
            actor=world.people["improvement_lead"],
            review_type=review_type,
            reviewed_on=on,
            shared_with_school=shared,
            **kw,
        )


def test_an_improvement_lead_records_a_review_with_a_judgement_per_area(trust_a):
    areas = _areas(trust_a)
    evidence = _evidence(trust_a.schools[0])
    client = trust_a.client_for("improvement_lead")
    url = f"/t/alder/reviews/new/?school={trust_a.schools[0].uuid}"
    page = client.get(url).content.decode()
    assert "Curriculum and teaching" in page and "4 – Needs attention" in page and "Learning walk, Year 4 maths" in page

    response = client.post(
        url,
        {
            "review_type": "annual_review",
            "reviewed_on": "2026-02-03",
            "reviewers": [trust_a.people["executive"].pk, trust_a.people["headteacher"].pk],
            "grade_curriculum_and_teaching": "3",
            "grade_achievement": "4",
            "capacity": "good",
            "strengths": "Calm, purposeful classrooms.",
            "areas_for_development": "Writing at greater depth.",
            "agreed_actions": "Moderate writing with a partner school by Easter.",
            "evidence": [evidence.pk],
            "shared_with_school": "on",
        },
        follow=True,
    )
    assert "Annual review of Alder Trust School 1 recorded." in response.content.decode()
    with scopes_disabled():
        review = Review.objects.get()
        assert {j.area.code: j.grade for j in review.judgements.select_related("area")} == {
            "curriculum_and_teaching": 3,
            "achievement": 4,
        }
        assert set(review.reviewers.all()) == {trust_a.people["executive"], trust_a.people["headteacher"]}
        assert list(review.evidence.all()) == [evidence]
        assert review.author == trust_a.people["improvement_lead"] and review.shared_with_school
        assert review.capacity == "good"
    assert len(areas) == 8


def test_a_review_dated_in_the_future_is_refused(trust_a):
    with pytest.raises(ApplicationError, match=FUTURE_DATE):
        _review(trust_a, on=datetime.date.today() + datetime.timedelta(days=1))
    page = trust_a.client_for("executive").post(
        f"/t/alder/reviews/new/?school={trust_a.schools[0].uuid}",
        {"review_type": "annual_review", "reviewed_on": "2099-01-01"},
    )
    assert page.status_code == 200 and FUTURE_DATE in page.content.decode()
    with scopes_disabled():
        assert not Review.objects.exists()


def test_another_trusts_area_is_refused_like_an_unknown_area(trust_a, trust_b):
    foreign = _areas(trust_b)["achievement"]
    with pytest.raises(ApplicationError) as refused:
        _review(trust_a, judgements={foreign: 3})
    assert refused.value.message == UNKNOWN_AREA


def test_another_schools_evidence_is_refused_like_unknown_evidence(trust_a, trust_b):
    for item in (_evidence(trust_a.schools[1]), _evidence(trust_b.schools[0])):
        with pytest.raises(ApplicationError) as refused:
            _review(trust_a, evidence=[item])
        assert refused.value.message == UNKNOWN_EVIDENCE


def test_a_reviewer_from_another_trust_is_refused_like_an_unknown_person(trust_a, trust_b):
    with pytest.raises(ApplicationError) as refused:
        _review(trust_a, reviewers=[trust_b.people["executive"]])
    assert refused.value.message == UNKNOWN_REVIEWER


def test_a_grade_off_the_five_point_scale_is_refused(trust_a):
    with pytest.raises(ApplicationError, match="must be from 1"):
        _review(trust_a, judgements={_areas(trust_a)["achievement"]: 6})


def test_editing_a_review_replaces_its_judgements(trust_a):
    areas = _areas(trust_a)
    review = _review(trust_a, judgements={areas["achievement"]: 4, areas["inclusion"]: 2})
    with scope(trust=trust_a.trust.pk):
        review_update(
            review=review,
            actor=trust_a.people["executive"],
            review_type=ReviewType.TRUST_INSPECTION,
            reviewed_on=datetime.date(2026, 2, 4),
            judgements={areas["achievement"]: 3},
            shared_with_school=False,
        )
        review.refresh_from_db()
        assert {j.area.code: j.grade for j in review.judgements.select_related("area")} == {"achievement": 3}
    assert review.review_type == ReviewType.TRUST_INSPECTION and not review.shared_with_school


def test_the_edit_page_saves_and_says_so(trust_a):
    areas = _areas(trust_a)
    review = _review(trust_a, judgements={areas["achievement"]: 4})
    client = trust_a.client_for("executive")
    page = client.get(f"/t/alder/reviews/{review.uuid}/edit/").content.decode()
    assert 'value="4" selected' in page
    response = client.post(
        f"/t/alder/reviews/{review.uuid}/edit/",
        {"review_type": "annual_review", "reviewed_on": "2026-02-03", "grade_achievement": "2"},
        follow=True,
    )
    assert "Review saved." in response.content.decode()
    with scopes_disabled():
        assert [j.grade for j in review.judgements.all()] == [2]


def test_a_trust_inspection_can_be_started_from_the_due_list(trust_a):
    page = trust_a.client_for("executive").get("/t/alder/reviews/trust-inspections-due/").content.decode()
    link = f"/t/alder/reviews/new/?school={trust_a.schools[0].uuid}&amp;review_type=trust_inspection"
    assert link in page
    form = trust_a.client_for("executive").get(link.replace("&amp;", "&")).content.decode()
    assert '<option value="trust_inspection" selected>' in form


def test_the_record_page_first_asks_which_school(trust_a):
    page = trust_a.client_for("executive").get("/t/alder/reviews/new/").content.decode()
    assert "School reviewed" in page and "Alder Trust School 2" in page


def test_another_trusts_school_cannot_be_reviewed(trust_a, trust_b):
    page = trust_a.client_for("executive").get(f"/t/alder/reviews/new/?school={trust_b.schools[0].uuid}")
    assert "Select a valid choice" in page.content.decode()


# Who may read which review.


def test_headteacher_cannot_see_another_schools_review(trust_a):
    review = _review(trust_a, trust_a.schools[1])
    assert trust_a.client_for("headteacher").get(f"/t/alder/reviews/{review.uuid}/").status_code == 404
    assert trust_a.client_for("governor").get(f"/t/alder/reviews/{review.uuid}/").status_code == 200


def test_headteacher_cannot_see_an_unshared_review_of_their_own_school(trust_a):
    unshared = _review(trust_a, shared=False, strengths="Notes for the trust only")
    shared = _review(trust_a, shared=True, strengths="Shared with the school", on=datetime.date(2026, 1, 5))
    client = trust_a.client_for("headteacher")
    assert client.get(f"/t/alder/reviews/{unshared.uuid}/").status_code == 404
    assert client.get(f"/t/alder/reviews/{shared.uuid}/").status_code == 200
    listed = client.get("/t/alder/reviews/").content.decode()
    assert f"/reviews/{shared.uuid}/" in listed and f"/reviews/{unshared.uuid}/" not in listed


def test_a_shared_review_shows_the_school_only_the_evidence_shared_with_it(trust_a):
    shared, private = _evidence(trust_a.schools[0], "Pupil voice, Year 6"), _evidence(trust_a.schools[0], "Staff notes")
    with scopes_disabled():
        Evidence.objects.filter(pk=shared.pk).update(shared_with_school=True)
    review = _review(trust_a, evidence=[shared, private])
    page = trust_a.client_for("headteacher").get(f"/t/alder/reviews/{review.uuid}/").content.decode()
    assert "Pupil voice, Year 6" in page and "Staff notes" not in page
    api = trust_a.client_for("headteacher").get(f"/api/v1/t/alder/reviews/{review.uuid}/").json()
    assert api["evidence"] == [str(shared.uuid)]
    page = trust_a.client_for("improvement_lead").get(f"/t/alder/reviews/{review.uuid}/").content.decode()
    assert "Pupil voice, Year 6" in page and "Staff notes" in page


def test_the_school_sees_its_shared_reviews_on_its_reviews_page(trust_a):
    shared = _review(trust_a, shared=True)
    unshared = _review(trust_a, shared=False, on=datetime.date(2026, 3, 3))
    page = trust_a.client_for("headteacher").get(f"/t/alder/schools/{trust_a.schools[0].uuid}/reviews/")
    text = page.content.decode()
    assert f"/reviews/{shared.uuid}/" in text and f"/reviews/{unshared.uuid}/" not in text
    assert (
        trust_a.client_for("executive").get(f"/t/alder/schools/{trust_a.schools[0].uuid}/reviews/").status_code == 200
    )
    assert trust_a.client_for("governor").get(f"/t/alder/schools/{trust_a.schools[0].uuid}/reviews/").status_code == 404


def test_the_school_profile_fragment_shows_only_shared_reviews(trust_a):
    shared = _review(trust_a, shared=True)
    unshared = _review(trust_a, shared=False, on=datetime.date(2026, 3, 3))
    url = f"/t/alder/schools/{trust_a.schools[0].uuid}/reviews/"
    fragment = trust_a.client_for("headteacher").get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Latest reviews of the school" in fragment
    assert f"/reviews/{shared.uuid}/" in fragment and f"/reviews/{unshared.uuid}/" not in fragment


def test_the_trust_sees_every_review_and_whether_it_is_shared(trust_a):
    _review(trust_a, shared=False)
    _review(trust_a, trust_a.schools[1], shared=True)
    page = trust_a.client_for("trustee").get("/t/alder/reviews/").content.decode()
    assert "Not shared" in page and "Alder Trust School 2" in page


def test_a_specialist_may_not_read_reviews(trust_a):
    review = _review(trust_a)
    assert trust_a.client_for("specialist").get(f"/t/alder/reviews/{review.uuid}/").status_code == 403


def test_another_trusts_review_is_not_found(trust_a, trust_b):
    review = _review(trust_a)
    assert trust_b.client_for("executive").get(f"/t/birch/reviews/{review.uuid}/").status_code == 404


def test_the_review_list_exports_what_it_shows(trust_a):
    _review(trust_a, judgements={_areas(trust_a)["achievement"]: 4})
    response = trust_a.client_for("executive").get("/t/alder/reviews/?format=csv")
    text = b"".join(response.streaming_content).decode()
    assert "Achievement: Needs attention" in text and "Alder Trust School 1" in text


def test_no_reviews_yet_says_so(trust_a):
    assert "No reviews recorded yet." in trust_a.client_for("executive").get("/t/alder/reviews/").content.decode()
    page = trust_a.client_for("governor").get("/t/alder/reviews/").content.decode()
    assert "No reviews have been shared with your school yet." in page


# When trust inspections are due (seed 004), on a fixed date.


def _inspected(world, inspected_on, judgements, safeguarding_met=None):
    with scope(trust=world.trust.pk):
        inspection_record(
            school=world.schools[0],
            inspected_on=inspected_on,
            judgements=judgements,
            safeguarding_met=safeguarding_met,
            source=InspectionSource.FORM,
        )


def _due_for_school_1(world):
    with scope(trust=world.trust.pk):
        return next(r for r in trust_inspections_due(world.trust, TODAY) if r.school == world.schools[0])


LEGACY = datetime.date(2024, 3, 6)
REPORT_CARD = datetime.date(2025, 12, 2)


@pytest.mark.parametrize(
    ("inspected_on", "judgements", "safeguarding_met", "months", "flagged"),
    [
        (LEGACY, {"overall_effectiveness": 1}, None, 12, False),
        (LEGACY, {"overall_effectiveness": 2}, None, 12, False),
        (LEGACY, {"overall_effectiveness": 3}, None, 6, False),
        (LEGACY, {"overall_effectiveness": 4}, None, 6, True),
        (REPORT_CARD, {"inclusion": 2, "achievement": 3}, True, 12, False),
        (REPORT_CARD, {"inclusion": 3, "achievement": 4}, True, 6, False),
        (REPORT_CARD, {"inclusion": 3, "achievement": 5}, True, 6, True),
        (REPORT_CARD, {"inclusion": 2, "achievement": 2}, False, 6, True),
    ],
    ids=[
        "outstanding-annual",
        "good-annual",
        "requires-improvement-twice-a-year",
        "inadequate-twice-a-year-flagged",
        "report-card-expected-or-better-annual",
        "report-card-needs-attention-twice-a-year",
        "report-card-urgent-improvement-flagged",
        "report-card-safeguarding-not-met-flagged",
    ],
)
def test_trust_inspections_are_due_by_the_latest_ofsted_outcome(
    trust_a, inspected_on, judgements, safeguarding_met, months, flagged
):
    _inspected(trust_a, inspected_on, judgements, safeguarding_met)
    _review(trust_a, review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2025, 10, 15))
    row = _due_for_school_1(trust_a)
    assert (row.months, row.flagged) == (months, flagged)
    assert row.due_on == (datetime.date(2026, 10, 15) if months == 12 else datetime.date(2026, 4, 15))
    assert row.overdue is (months == 6)


def test_a_school_never_graded_by_ofsted_has_an_annual_trust_inspection(trust_a):
    _review(trust_a, review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2025, 10, 15))
    row = _due_for_school_1(trust_a)
    assert (row.months, row.due_on, row.overdue) == (12, datetime.date(2026, 10, 15), False)


def test_only_trust_inspections_restart_the_clock(trust_a):
    _inspected(trust_a, LEGACY, {"overall_effectiveness": 2})
    _review(trust_a, review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2025, 3, 1))
    _review(trust_a, review_type=ReviewType.ANNUAL_REVIEW, on=datetime.date(2026, 1, 10))
    row = _due_for_school_1(trust_a)
    assert row.due_on == datetime.date(2026, 3, 1) and row.overdue


def test_a_school_never_trust_inspected_is_due_one_interval_after_joining(trust_a):
    with scopes_disabled():
        School.objects.filter(pk=trust_a.schools[0].pk).update(joined_trust_on=datetime.date(2026, 1, 1))
    _inspected(trust_a, LEGACY, {"overall_effectiveness": 3})
    row = _due_for_school_1(trust_a)
    assert (row.due_on, row.overdue, row.last_trust_inspection) == (datetime.date(2026, 7, 1), False, None)


def test_the_due_list_puts_the_most_overdue_first(trust_a):
    _review(trust_a, trust_a.schools[0], review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2025, 11, 1))
    _review(trust_a, trust_a.schools[1], review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2025, 2, 1))
    with scope(trust=trust_a.trust.pk):
        rows = trust_inspections_due(trust_a.trust, TODAY)
    assert [r.school for r in rows] == [trust_a.schools[1], trust_a.schools[0]]
    assert [r.overdue for r in rows] == [True, False]


def test_the_due_page_says_overdue_in_words(trust_a):
    _review(trust_a, trust_a.schools[1], review_type=ReviewType.TRUST_INSPECTION, on=datetime.date(2024, 2, 1))
    page = trust_a.client_for("trustee").get("/t/alder/reviews/trust-inspections-due/").content.decode()
    assert "<strong>Overdue</strong>: was due 1 Feb 2025" in page
    assert page.index("Alder Trust School 2") < page.index("Alder Trust School 1")
    assert trust_a.client_for("headteacher").get("/t/alder/reviews/trust-inspections-due/").status_code == 403


# The demo.


def test_the_demo_reviews_are_realistic_and_a_rerun_changes_nothing(trust_a):
    areas = _areas(trust_a)
    with scopes_disabled():
        sef = SelfEvaluation.objects.create(school=trust_a.schools[0], academic_year=2025, status="submitted")
        SelfEvaluationEntry.objects.create(self_evaluation=sef, area=areas["achievement"], self_grade=2)
        SelfEvaluationEntry.objects.create(self_evaluation=sef, area=areas["inclusion"], self_grade=2)
    people = {role: trust_a.people[role] for role in ("executive", "improvement_lead", "headteacher", "specialist")}

    def seed():
        counts = seed_reviews(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY)
        with scopes_disabled():
            stamps = sorted(Review.objects.values_list("pk", "updated_at"))
            stamps += sorted(Moderation.objects.values_list("pk", "updated_at"))
            return counts, stamps, ReviewJudgement.objects.count()

    assert seed() == seed()
    with scope(trust=trust_a.trust.pk):
        types = set(Review.objects.filter(school=trust_a.schools[1]).values_list("review_type", flat=True))
        assert {ReviewType.ANNUAL_REVIEW, ReviewType.TRUST_INSPECTION} <= types
        assert any(row.overdue for row in trust_inspections_due(trust_a.trust, TODAY))
        grid = {r.area.code: r for r in school_grid(trust_a.schools[0], today=TODAY).rows}
        assert any(row.disagreement for row in grid.values())
        assert Moderation.objects.count() == 1
        assert Review.objects.filter(shared_with_school=False).exists()

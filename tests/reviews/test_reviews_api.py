"""The reviews API: reviews, the side-by-side grid, moderations, the heat map and trust inspections due."""

import datetime
import uuid

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_for
from reviews.models import Evidence, Moderation, Review, SelfEvaluation, SelfEvaluationEntry
from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import UNKNOWN_AREA, UNKNOWN_EVIDENCE, UNKNOWN_REVIEWER, review_record
from schools.models import InspectionSource
from schools.services.inspections import inspection_record

pytestmark = pytest.mark.django_db

API = "/api/v1/t/alder"


def _areas(world):
    with scope(trust=world.trust.pk):
        return {a.code: a for a in judgement_areas_ensure(trust=world.trust)}


def _review(world, school, *, shared=True, grades=None):
    areas = _areas(world)
    with scope(trust=world.trust.pk):
        return review_record(
            school=school,
            actor=world.people["executive"],
            review_type="trust_inspection",
            reviewed_on=datetime.date(2026, 3, 4),
            judgements={areas[code]: g for code, g in (grades or {"achievement": 3}).items()},
            shared_with_school=shared,
        )


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def _new_review(world, **overrides):
    return {
        "school": str(world.schools[0].uuid),
        "review_type": "annual_review",
        "reviewed_on": "2026-02-10",
        "reviewers": [str(world.people["improvement_lead"].uuid)],
        "judgements": {"curriculum_and_teaching": 2, "achievement": 4},
        "capacity": "good",
        "strengths": "Strong phonics.",
        "shared_with_school": True,
        **overrides,
    }


def test_a_review_is_recorded_and_read_back_through_the_api(trust_a):
    client = trust_a.client_for("improvement_lead")
    created = _post(client, f"{API}/reviews/", _new_review(trust_a))
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {j["area"]["code"]: (j["grade"], j["words"]) for j in body["judgements"]} == {
        "curriculum_and_teaching": (2, "Strong standard"),
        "achievement": (4, "Needs attention"),
    }
    assert [r["uuid"] for r in body["reviewers"]] == [str(trust_a.people["improvement_lead"].uuid)]
    read = client.get(f"{API}/reviews/{body['uuid']}/").json()
    assert read["capacity"] == "good" and read["school"]["uuid"] == str(trust_a.schools[0].uuid)


def test_a_review_is_corrected_through_the_api(trust_a):
    review = _review(trust_a, trust_a.schools[0], grades={"achievement": 4, "inclusion": 2})
    response = trust_a.client_for("executive").put(
        f"{API}/reviews/{review.uuid}/",
        {"review_type": "trust_inspection", "reviewed_on": "2026-03-04", "judgements": {"achievement": 3}},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert [(j["area"]["code"], j["grade"]) for j in response.json()["judgements"]] == [("achievement", 3)]


def test_a_future_review_date_is_a_clear_400(trust_a):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = _post(trust_a.client_for("executive"), f"{API}/reviews/", _new_review(trust_a, reviewed_on=tomorrow))
    assert response.status_code == 400 and response.json()["message"] == "A review date cannot be in the future."


def _refused(world, **overrides):
    response = _post(world.client_for("executive"), f"{API}/reviews/", _new_review(world, **overrides))
    assert response.status_code == 400
    return response.json()["message"]


def test_another_trusts_reviewer_is_refused_like_an_unknown_one(trust_a, trust_b):
    foreign = _refused(trust_a, reviewers=[str(trust_b.people["executive"].uuid)])
    unknown = _refused(trust_a, reviewers=[str(uuid.uuid4())])
    assert foreign == unknown == UNKNOWN_REVIEWER


def test_another_schools_or_trusts_evidence_is_refused_like_unknown_evidence(trust_a, trust_b):
    with scopes_disabled():
        other_school = Evidence.objects.create(
            school=trust_a.schools[1], evidence_type="pupil_voice", observed_on=datetime.date(2026, 1, 5), summary="x"
        )
        other_trust = Evidence.objects.create(
            school=trust_b.schools[0], evidence_type="pupil_voice", observed_on=datetime.date(2026, 1, 5), summary="x"
        )
    messages = {_refused(trust_a, evidence=[str(item)]) for item in (other_school.uuid, other_trust.uuid, uuid.uuid4())}
    assert messages == {UNKNOWN_EVIDENCE}


def test_an_unknown_area_is_refused(trust_a):
    assert _refused(trust_a, judgements={"astrology": 3}) == UNKNOWN_AREA


def test_another_trusts_school_cannot_be_reviewed_through_the_api(trust_a, trust_b):
    response = _post(
        trust_a.client_for("executive"), f"{API}/reviews/", _new_review(trust_a, school=str(trust_b.schools[0].uuid))
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not Review.objects.exists()


def test_headteacher_sees_only_their_schools_shared_reviews_through_the_api(trust_a):
    shared = _review(trust_a, trust_a.schools[0], shared=True)
    unshared = _review(trust_a, trust_a.schools[0], shared=False)
    other_school = _review(trust_a, trust_a.schools[1], shared=True)
    client = trust_a.client_for("headteacher")
    assert [r["uuid"] for r in client.get(f"{API}/reviews/").json()["results"]] == [str(shared.uuid)]
    assert client.get(f"{API}/reviews/{unshared.uuid}/").status_code == 404
    assert client.get(f"{API}/reviews/{other_school.uuid}/").status_code == 404


def test_the_review_list_filters_by_school(trust_a):
    _review(trust_a, trust_a.schools[0])
    second = _review(trust_a, trust_a.schools[1])
    data = trust_a.client_for("trustee").get(f"{API}/reviews/?school={trust_a.schools[1].uuid}").json()
    assert [r["uuid"] for r in data["results"]] == [str(second.uuid)]


def test_a_trustee_reads_but_may_not_record_reviews(trust_a):
    assert _post(trust_a.client_for("trustee"), f"{API}/reviews/", _new_review(trust_a)).status_code == 403


def test_another_trust_gets_404_through_the_api(trust_a, trust_b):
    review = _review(trust_a, trust_a.schools[0])
    client = trust_b.client_for("executive")
    assert client.get(f"/api/v1/t/birch/reviews/{review.uuid}/").status_code == 404
    assert client.get(f"/api/v1/t/birch/schools/{trust_a.schools[0].uuid}/judgements/").status_code == 404
    assert client.get(f"{API}/judgements/heat-map/").status_code == 404


def test_the_grid_api_keeps_legacy_grades_out_of_the_five_point_scale(trust_a):
    school, areas = trust_a.schools[0], _areas(trust_a)
    with scope(trust=trust_a.trust.pk):
        inspection_record(
            school=school,
            inspected_on=datetime.date(2023, 5, 10),
            judgements={"overall_effectiveness": 3, "early_years": 2},
            source=InspectionSource.FORM,
        )
    with scopes_disabled():
        sef = SelfEvaluation.objects.create(
            school=school, academic_year=academic_year_for(timezone.localdate()), status="submitted"
        )
        SelfEvaluationEntry.objects.create(self_evaluation=sef, area=areas["early_years"], self_grade=2)
    _review(trust_a, school, grades={"early_years": 3})

    data = trust_a.client_for("improvement_lead").get(f"{API}/schools/{school.uuid}/judgements/").json()
    rows = {r["area"]["code"]: r for r in data["rows"]}
    assert {r["ofsted_grade"] for r in rows.values()} == {None}
    early = rows["early_years"]
    assert (early["school_grade"], early["trust_grade"], early["gap"], early["disagreement"]) == (2, 3, -1, True)
    assert data["legacy_judgements"] == [
        {"area": "Overall effectiveness", "words": "Requires improvement"},
        {"area": "Early years provision", "words": "Good"},
    ]
    assert data["report_card"] is None and data["self_evaluation"]["status"] == "submitted"


def test_a_moderation_is_recorded_and_listed_through_the_api(trust_a):
    school = trust_a.schools[0]
    _review(trust_a, school, grades={"achievement": 4})
    client = trust_a.client_for("executive")
    url = f"{API}/schools/{school.uuid}/moderations/"
    year = academic_year_for(timezone.localdate())
    created = _post(client, url, {"area": "achievement", "academic_year": year, "agreed_grade": 3, "discussion": "ok"})
    assert created.status_code == 201, created.json()
    assert (created.json()["trust_grade"], created.json()["agreed_words"]) == (4, "Expected standard")
    assert [m["uuid"] for m in client.get(url).json()["results"]] == [created.json()["uuid"]]
    grid = client.get(f"{API}/schools/{school.uuid}/judgements/").json()
    row = next(r for r in grid["rows"] if r["area"]["code"] == "achievement")
    assert row["moderation"]["agreed_grade"] == 3 and row["moderation_is_current"] is True


def test_an_unknown_area_or_past_year_is_refused_for_moderation(trust_a):
    client = trust_a.client_for("improvement_lead")
    url = f"{API}/schools/{trust_a.schools[0].uuid}/moderations/"
    year = academic_year_for(timezone.localdate())
    unknown = _post(client, url, {"area": "astrology", "academic_year": year, "agreed_grade": 3, "discussion": "x"})
    assert unknown.status_code == 400 and unknown.json()["message"] == UNKNOWN_AREA
    old = _post(client, url, {"area": "achievement", "academic_year": year - 5, "agreed_grade": 3, "discussion": "x"})
    assert old.status_code == 400 and "current or the previous academic year" in old.json()["message"]
    with scopes_disabled():
        assert not Moderation.objects.exists()


def test_a_trustee_may_not_moderate_through_the_api(trust_a):
    url = f"{API}/schools/{trust_a.schools[0].uuid}/moderations/"
    payload = {"area": "achievement", "academic_year": 2025, "agreed_grade": 3, "discussion": "x"}
    assert _post(trust_a.client_for("trustee"), url, payload).status_code == 403


def test_the_heat_map_api_gives_every_school_and_area(trust_a):
    _review(trust_a, trust_a.schools[1], grades={"inclusion": 1})
    data = trust_a.client_for("trustee").get(f"{API}/judgements/heat-map/").json()
    assert len(data["areas"]) == 8 and [r["school"]["name"] for r in data["rows"]] == [
        "Alder Trust School 1",
        "Alder Trust School 2",
    ]
    cell = next(c for c in data["rows"][1]["cells"] if c["area"] == "inclusion")
    assert cell == {"area": "inclusion", "grade": 1, "words": "Exceptional", "source": "review", "on": "2026-03-04"}


def test_the_due_api_lists_each_member_school(trust_a):
    _review(trust_a, trust_a.schools[1])
    data = trust_a.client_for("executive").get(f"{API}/reviews/trust-inspections-due/").json()
    by_school = {row["school"]["name"]: row for row in data}
    assert by_school["Alder Trust School 2"]["due_on"] == "2027-03-04"
    assert by_school["Alder Trust School 2"]["frequency"] == "Annual"
    assert by_school["Alder Trust School 1"]["last_trust_inspection"] is None

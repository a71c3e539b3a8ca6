"""The self-evaluation API: read by year, save entries, submit, return and accept."""

import datetime

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reviews.models import SelfEvaluation
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_record
from reviews.services.sef import current_academic_year

pytestmark = pytest.mark.django_db

YEAR = current_academic_year()


def url(world, suffix: str = "", school: int = 0) -> str:
    return f"/api/v1/t/{world.trust.slug}/sef/{world.schools[school].uuid}/{suffix}"


def area_codes(world) -> list[str]:
    with scope(trust=world.trust.pk):
        return [a.code for a in judgement_areas_ensure(trust=world.trust)]


def put_entries(world, grades: dict[str, int | None], **extra):
    entries = [{"area": code, "self_grade": grade, "strengths": f"Strong {code}."} for code, grade in grades.items()]
    return world.client_for("headteacher").put(
        url(world), {"summary": "Our view.", "entries": entries, **extra}, content_type="application/json"
    )


def test_a_school_without_a_sef_reads_as_not_started(trust_a):
    data = trust_a.client_for("executive").get(url(trust_a)).json()
    assert data["status"] == "none" and data["academic_year"] == YEAR
    assert data["missing_areas"] == area_codes(trust_a)
    assert [e["self_grade"] for e in data["entries"]] == [None] * len(area_codes(trust_a))


def test_the_headteacher_saves_submits_and_the_lead_returns_then_accepts(trust_a):
    codes = area_codes(trust_a)
    response = put_entries(trust_a, {codes[0]: 2})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "draft" and response.json()["missing_areas"] == codes[1:]

    head = trust_a.client_for("headteacher")
    refused = head.post(url(trust_a, "submit/"))
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("Give a self-grade for every area before submitting.")
    assert refused.json()["extra"]["missing_areas"] == codes[1:]

    put_entries(trust_a, dict.fromkeys(codes, 3))
    assert head.post(url(trust_a, "submit/")).json()["status"] == "submitted"
    # Submitting twice is harmless.
    again = head.post(url(trust_a, "submit/"))
    assert again.status_code == 200 and again.json()["status"] == "submitted"

    lead = trust_a.client_for("improvement_lead")
    no_comments = lead.post(url(trust_a, "return/"), {}, content_type="application/json")
    assert no_comments.status_code == 400 and "comments are required" in no_comments.json()["message"]
    returned = lead.post(url(trust_a, "return/"), {"comments": "Link your evidence."}, content_type="application/json")
    assert returned.json()["status"] == "returned" and returned.json()["review_comments"] == "Link your evidence."

    assert put_entries(trust_a, {codes[0]: 1}).json()["status"] == "returned"
    assert head.post(url(trust_a, "submit/")).json()["status"] == "submitted"
    accepted = trust_a.client_for("executive").post(url(trust_a, "accept/"), {}, content_type="application/json")
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["reviewed_by"] == trust_a.people["executive"].full_name


def test_accepting_a_draft_is_refused(trust_a):
    put_entries(trust_a, {})
    response = trust_a.client_for("executive").post(url(trust_a, "accept/"), {}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == "A self-evaluation that is draft cannot be accepted."


def test_an_unknown_area_or_evidence_is_a_clear_400(trust_a):
    assert "not one of the trust's judgement areas" in put_entries(trust_a, {"made_up": 2}).json()["message"]
    with scope(trust=trust_a.trust.pk):
        hidden = evidence_record(
            school=trust_a.schools[0],
            actor=trust_a.people["executive"],
            evidence_type="learning_walk",
            observed_on=timezone.localdate() - datetime.timedelta(days=1),
            summary="Trust-only.",
        )
    code = area_codes(trust_a)[0]
    response = trust_a.client_for("headteacher").put(
        url(trust_a),
        {"entries": [{"area": code, "self_grade": 2, "evidence": [str(hidden.uuid)]}]},
        content_type="application/json",
    )
    assert response.status_code == 400 and str(hidden.uuid) in response.json()["message"]


def test_earlier_years_are_read_by_year(trust_a):
    with scopes_disabled():
        SelfEvaluation.objects.create(
            school=trust_a.schools[0], academic_year=YEAR - 2, status="accepted", summary="Two years ago."
        )
    data = trust_a.client_for("trustee").get(url(trust_a) + f"?year={YEAR - 2}").json()
    assert data["status"] == "accepted" and data["summary"] == "Two years ago."


def test_the_status_list_covers_each_visible_school(trust_a):
    put_entries(trust_a, {})
    rows = trust_a.client_for("trustee").get("/api/v1/t/alder/sef/").json()
    assert {(r["school"]["name"], r["status"]) for r in rows} == {
        ("Alder Trust School 1", "draft"),
        ("Alder Trust School 2", "none"),
    }
    own = trust_a.client_for("governor").get("/api/v1/t/alder/sef/").json()
    assert [r["school"]["name"] for r in own] == ["Alder Trust School 2"]


def test_other_schools_and_trusts_are_not_found(trust_a, trust_b):
    assert (
        trust_a.client_for("headteacher").put(url(trust_a, school=1), {}, content_type="application/json").status_code
        == 404
    )
    assert trust_a.client_for("governor").get(url(trust_a)).status_code == 404
    assert trust_b.client_for("executive").get(url(trust_a)).status_code == 404
    assert trust_a.client_for("executive").get(url(trust_b).replace("birch", "alder")).status_code == 404


def test_only_the_headteacher_writes_and_only_leads_review(trust_a):
    assert trust_a.client_for("executive").put(url(trust_a), {}, content_type="application/json").status_code == 403
    assert trust_a.client_for("headteacher").post(url(trust_a, "accept/")).status_code == 403
    assert trust_a.client_for("trustee").post(url(trust_a, "return/")).status_code == 403

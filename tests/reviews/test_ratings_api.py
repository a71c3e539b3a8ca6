"""The ratings API: list, create (the server computes the suggestion), suggestion; nothing rewrites a rating."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reviews.models import Evidence, EvidenceType, Rating
from reviews.services.ratings import NEEDS_EVIDENCE, NO_FUTURE, UNKNOWN_EVIDENCE, UNKNOWN_LEVEL, rating_decide
from schools.models import InspectionSource
from schools.services.inspections import inspection_record
from tests.matrix.common import GV, HT, TR, E
from trust.models import SupportLevel
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
JSON = "application/json"


def evidence(school, summary="Learning walk", shared=False):
    return Evidence.objects.create(
        school=school,
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=TODAY - datetime.timedelta(days=15),
        summary=summary,
        shared_with_school=shared,
    )


@pytest.fixture
def world(trust_a):
    """Trust A on RAG levels; school 1 requires improvement, so Amber is suggested."""
    with scope(trust=trust_a.trust.pk):
        scale = scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="rag")
        trust_a.levels = {level.name: level for level in scale.levels.all()}
        inspection_record(
            school=trust_a.schools[0],
            inspected_on=datetime.date(2024, 6, 19),
            judgements={"overall_effectiveness": 3},
            source=InspectionSource.FORM,
        )
        trust_a.shared = evidence(trust_a.schools[0], "Shared pupil voice", shared=True)
        trust_a.private = evidence(trust_a.schools[0], "Trust-only governance note")
        yield trust_a


def list_url(world, school=None):
    return reverse("api-rating-list", args=[world.trust.slug, (school or world.schools[0]).uuid])


def body(world, level_name="Amber", **extra):
    data = {
        "level": str(world.levels[level_name].uuid),
        "rationale": "Requires improvement; half-termly visits.",
        "evidence": [str(world.shared.uuid), str(world.private.uuid)],
    }
    data.update(extra)
    return data


def test_an_improvement_lead_records_a_rating_and_the_server_computes_the_suggestion(world):
    response = world.client_for("improvement_lead").post(
        list_url(world),
        # A client's claim about the suggestion is not an input: it is ignored.
        body(world, suggested_level="Green", overrode_suggestion=False),
        content_type=JSON,
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["level_name"] == "Amber" and data["suggested_level"] == "Amber"
    assert data["overrode_suggestion"] is False
    assert data["suggestion_reasons"][0]["indicator"] == "ofsted_grade"
    assert data["effective_on"] == TODAY.isoformat()
    assert {e["summary"] for e in data["evidence"]} == {"Shared pupil voice", "Trust-only governance note"}


def test_choosing_another_level_needs_an_override_reason(world):
    client = world.client_for(E)
    refused = client.post(list_url(world), body(world, "Green"), content_type=JSON)
    assert refused.status_code == 400
    assert refused.json() == {
        "message": "Choosing Green instead of the suggested Amber needs a reason.",
        "extra": {"field": "override_reason"},
    }
    done = client.post(list_url(world), body(world, "Green", override_reason="Strong new head."), content_type=JSON)
    assert done.status_code == 201 and done.json()["overrode_suggestion"] is True


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"evidence": []}, NEEDS_EVIDENCE),
        ({"effective_on": (TODAY + datetime.timedelta(days=3)).isoformat()}, NO_FUTURE),
        ({"level": "00000000-0000-4000-8000-000000000000"}, UNKNOWN_LEVEL),
        ({"evidence": ["00000000-0000-4000-8000-000000000000"]}, UNKNOWN_EVIDENCE),
    ],
)
def test_invalid_ratings_are_refused_with_the_services_words(world, change, message):
    response = world.client_for(E).post(list_url(world), body(world, **change), content_type=JSON)
    assert response.status_code == 400
    assert response.json()["message"] == message


def test_another_trusts_level_and_another_schools_evidence_read_as_unknown(world, trust_b):
    with scope(trust=trust_b.trust.pk):
        foreign = scale_create_from_template(trust=trust_b.trust, actor=trust_b.people[E], template_key="rag")
        foreign_level = foreign.levels.get(name="Amber")
    with scope(trust=world.trust.pk):
        school_2 = evidence(world.schools[1], "School 2's walk")
    client = world.client_for(E)
    level = client.post(list_url(world), body(world, level=str(foreign_level.uuid)), JSON)
    assert level.json()["message"] == UNKNOWN_LEVEL
    item = client.post(list_url(world), body(world, evidence=[str(school_2.uuid)]), content_type=JSON)
    assert item.json()["message"] == UNKNOWN_EVIDENCE
    with scopes_disabled():
        assert Rating.objects.count() == 0


def test_only_executives_and_improvement_leads_create(world):
    for role in (HT, TR):
        assert world.client_for(role).post(list_url(world), body(world), content_type=JSON).status_code == 403


def _rated(world):
    with scope(trust=world.trust.pk):
        return rating_decide(
            school=world.schools[0],
            actor=world.people[E],
            level=world.levels["Green"],
            effective_on=TODAY,
            rationale="Good leadership.",
            evidence=[world.shared, world.private],
            override_reason="The review found strong capacity.",
        )


def test_a_headteacher_lists_their_schools_ratings_without_the_trusts_deliberation(world):
    _rated(world)
    response = world.client_for(HT).get(list_url(world))
    assert response.status_code == 200
    [rating] = response.json()
    assert rating["level_name"] == "Green" and rating["rationale"] == "Good leadership."
    assert [e["summary"] for e in rating["evidence"]] == ["Shared pupil voice"]
    assert rating["hidden_evidence"] == 1
    assert not {"suggested_level", "override_reason", "overrode_suggestion", "suggestion_reasons"} & set(rating)
    executive_view = world.client_for(E).get(list_url(world)).json()[0]
    assert executive_view["override_reason"] == "The review found strong capacity."


def test_school_level_roles_cannot_read_another_schools_ratings(world):
    _rated(world)
    assert world.client_for(GV).get(list_url(world)).status_code == 404
    assert world.client_for(HT).get(list_url(world, world.schools[1])).status_code == 404


def test_another_trust_gets_404(world, trust_b):
    rating = _rated(world)
    client = trust_b.client_for(E)
    assert client.get(list_url(world)).status_code == 404
    detail = reverse("api-rating-detail", args=[world.trust.slug, world.schools[0].uuid, rating.uuid])
    assert client.get(detail).status_code == 404


def test_there_is_no_put_patch_or_delete_for_a_rating(world):
    rating = _rated(world)
    detail = reverse("api-rating-detail", args=[world.trust.slug, world.schools[0].uuid, rating.uuid])
    client = world.client_for(E)
    assert client.get(detail).json()["uuid"] == str(rating.uuid)
    for method in (client.put, client.patch, client.delete):
        assert method(detail, {"rationale": "Rewritten."}, content_type=JSON).status_code == 405
        assert method(list_url(world), {"rationale": "Rewritten."}, content_type=JSON).status_code == 405
    with scopes_disabled():
        assert Rating.objects.get(pk=rating.pk).rationale == "Good leadership."


def test_the_suggestion_explains_itself(world):
    url = reverse("api-rating-suggestion", args=[world.trust.slug, world.schools[0].uuid])
    data = world.client_for(TR).get(url).json()
    assert data["level"]["name"] == "Amber"
    assert data["fired"][0]["reason"].startswith("Ofsted grade is at least 3")
    assert data["indicators"]["ofsted_grade"] == {
        "value": 3,
        "reason": "Requires improvement for overall effectiveness, inspected 19 June 2024.",
    }
    assert set(data["indicators"]) == {
        "ofsted_grade",
        "attainment_gap",
        "decline_years",
        "attendance_gap",
        "capacity",
        "sef_accuracy",
    }
    assert world.client_for(HT).get(url).status_code == 403


def test_the_openapi_schema_documents_the_rating_and_scale_endpoints(db):
    paths = set(Client().get("/api/schema/?format=json").json()["paths"])
    assert {
        "/api/v1/t/{trust_slug}/schools/{school_uuid}/ratings/",
        "/api/v1/t/{trust_slug}/schools/{school_uuid}/ratings/{rating_uuid}/",
        "/api/v1/t/{trust_slug}/schools/{school_uuid}/ratings/suggestion/",
        "/api/v1/t/{trust_slug}/scale/",
        "/api/v1/t/{trust_slug}/scale/choose/",
        "/api/v1/t/{trust_slug}/scale/levels/{level_uuid}/",
    } <= paths


def test_a_level_edited_after_a_rating_keeps_the_ratings_level_name_in_the_api(world):
    _rated(world)
    url = reverse("api-scale-level-detail", args=[world.trust.slug, world.levels["Green"].uuid])
    assert world.client_for(E).patch(url, {"name": "Level 1"}, content_type=JSON).status_code == 200
    [rating] = world.client_for(E).get(list_url(world)).json()
    assert rating["level_name"] == "Green" and rating["level"]["name"] == "Level 1"
    with scopes_disabled():
        assert SupportLevel.objects.get(pk=world.levels["Green"].pk).name == "Level 1"

"""The interventions API: the same rules as the pages, through JSON."""

import uuid

import pytest
from django_scopes import scopes_disabled

from interventions.models import Intervention, InterventionStatus
from tests.interventions.test_interventions import (
    DAY,
    FORBIDDEN,
    IMPACT,
    TERM_START,
    TODAY,
    make_evidence,
    make_expert,
    make_intervention,
)

pytestmark = pytest.mark.django_db
S = InterventionStatus
API = "/api/v1/t/alder/interventions/"


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_list_create_and_retrieve(trust_a):
    expert = make_expert(trust_a, user_role="specialist", home_school=trust_a.schools[1])
    client = trust_a.client_for("executive")
    response = post(
        client,
        API,
        {
            "school": str(trust_a.schools[0].uuid),
            "title": "Phonics catch-up",
            "area_of_need": "ks1",
            "delivery_model": "school_to_school",
            "providing_school": str(trust_a.schools[1].uuid),
            "leads": [{"expert": str(expert.uuid), "days": "2"}],
            "targets": ["Year 1 phonics screening at 85%"],
            "success_criteria": "85% pass the screening check.",
            "starts_on": str(TODAY),
            "ends_on": str(TODAY + 60 * DAY),
            "checkpoints": [str(TODAY + 30 * DAY)],
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "proposed" and data["leads"][0]["expert"]["uuid"] == str(expert.uuid)
    assert data["targets"] == [{"position": 0, "description": "Year 1 phonics screening at 85%"}]
    assert client.get(API).json()["count"] == 1
    assert client.get(f"{API}{data['uuid']}/").json()["transitions"][0]["to_status"] == "proposed"


def test_over_commitment_is_a_400_until_confirmed(trust_a):
    expert = make_expert(trust_a, user_role="specialist", home_school=trust_a.schools[1], days=1)
    body = {
        "school": str(trust_a.schools[0].uuid),
        "title": "Phonics",
        "area_of_need": "ks1",
        "delivery_model": "direct_trust",
        "leads": [{"expert": str(expert.uuid), "days": "4"}],
        "targets": ["A target"],
        "success_criteria": "Met.",
        "starts_on": str(TERM_START),
        "ends_on": str(TERM_START + 20 * DAY),
    }
    client = trust_a.client_for("improvement_lead")
    refused = post(client, API, body)
    assert refused.status_code == 400
    assert "over-committed by 3 days; confirm to go ahead" in refused.json()["message"]
    assert post(client, API, {**body, "confirm_over_commitment": True}).status_code == 201


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_every_forbidden_transition_is_a_400_with_the_message(trust_a, from_status, to_status):
    intervention = make_intervention(trust_a, status=from_status)
    response = post(
        trust_a.client_for("executive"),
        f"{API}{intervention.uuid}/transition/",
        {"to_status": to_status, "reason": "Because."},
    )
    assert response.status_code == 400
    message = response.json()["message"]
    assert "cannot move" in message or "impact judgement" in message
    with scopes_disabled():
        assert Intervention.objects.get(pk=intervention.pk).status == from_status


def test_an_allowed_transition_and_a_cancel_without_reason(trust_a):
    intervention = make_intervention(trust_a)
    client = trust_a.client_for("executive")
    moved = post(client, f"{API}{intervention.uuid}/transition/", {"to_status": "commissioned"})
    assert moved.status_code == 200 and moved.json()["status"] == "commissioned"
    refused = post(client, f"{API}{intervention.uuid}/transition/", {"to_status": "cancelled"})
    assert refused.status_code == 400 and "reason" in refused.json()["message"]


def test_headteachers_cannot_move_interventions(trust_a):
    intervention = make_intervention(trust_a)
    response = post(
        trust_a.client_for("headteacher"), f"{API}{intervention.uuid}/transition/", {"to_status": "commissioned"}
    )
    assert response.status_code == 403


def test_close_needs_impact_and_evidence(trust_a):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    evidence = make_evidence(trust_a)
    client = trust_a.client_for("executive")
    path = f"{API}{intervention.uuid}/close/"
    no_evidence = post(client, path, {**IMPACT, "evidence": []})
    assert no_evidence.status_code == 400 and "evidence" in no_evidence.json()["message"]
    no_impact = post(client, path, {**IMPACT, "impact_systems": "", "evidence": [str(evidence.uuid)]})
    assert no_impact.status_code == 400 and "Judge the impact" in no_impact.json()["message"]
    closed = post(client, path, {**IMPACT, "evidence": [str(evidence.uuid)]})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert closed.json()["impact_evidence"] == [str(evidence.uuid)]


def test_another_trusts_evidence_or_expert_in_a_list_is_refused_like_an_unknown_uuid(trust_a, trust_b):
    # The lists of UUIDs are looked up in one query (core/api.py RowsByUuidField): still only within the trust.
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    own, theirs = make_evidence(trust_a), make_evidence(trust_b)
    their_expert = make_expert(trust_b, user_role="specialist")
    client = trust_a.client_for("executive")
    close = f"{API}{intervention.uuid}/close/"
    for unknown in (theirs.uuid, uuid.uuid4()):
        refused = post(client, close, {**IMPACT, "evidence": [str(own.uuid), str(unknown)]})
        assert refused.status_code == 400
        assert refused.json()["extra"]["fields"] == {"evidence": {"1": [f"Object with uuid={unknown} does not exist."]}}
    body = {
        "school": str(trust_a.schools[0].uuid),
        "title": "Phonics",
        "area_of_need": "ks1",
        "delivery_model": "school_to_school",
        "providing_school": str(trust_a.schools[1].uuid),
        "targets": ["Year 1 phonics screening at 85%"],
        "success_criteria": "85% pass.",
        "starts_on": str(TODAY),
        "ends_on": str(TODAY + 60 * DAY),
    }
    for unknown in (their_expert.uuid, uuid.uuid4()):
        refused = post(client, API, {**body, "leads": [{"expert": str(unknown), "days": "1"}]})
        assert refused.status_code == 400 and "does not exist" in str(refused.json()["extra"])
    with scopes_disabled():
        assert Intervention.objects.get(pk=intervention.pk).status == S.IMPACT_REVIEW
        assert Intervention.objects.filter(school__trust=trust_a.trust).count() == 1


def test_the_leading_specialist_records_a_checkpoint(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE)
    with scopes_disabled():
        checkpoint = intervention.checkpoints.first()
    response = post(
        trust_a.client_for("specialist"),
        f"{API}{intervention.uuid}/checkpoints/{checkpoint.uuid}/",
        {"notes": "Good progress.", "progress": [{"target": 0, "progress": "good"}, {"target": 1, "progress": "met"}]},
    )
    assert response.status_code == 200, response.json()
    recorded = next(c for c in response.json()["checkpoints"] if c["uuid"] == str(checkpoint.uuid))
    assert [p["progress"] for p in recorded["progress"]] == ["good", "met"]


def test_visibility_matches_the_pages(trust_a, trust_b):
    theirs = make_intervention(trust_a, lead_role="improvement_lead", school=1)
    assert trust_a.client_for("specialist").get(f"{API}{theirs.uuid}/").status_code == 404
    assert trust_a.client_for("specialist").get(API).json()["count"] == 0
    assert trust_a.client_for("headteacher").get(f"{API}{theirs.uuid}/").status_code == 404
    assert trust_a.client_for("governor").get(f"{API}{theirs.uuid}/").status_code == 200
    assert trust_b.client_for("executive").get(f"{API}{theirs.uuid}/").status_code == 404

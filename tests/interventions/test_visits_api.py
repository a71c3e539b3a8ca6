"""The visits API: list with filters, add, read, change, record, and the year's trust events."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scopes_disabled

from interventions.models import Activity
from reviews.models import Evidence
from tests.interventions.test_visits import add
from tests.reviews.test_evidence import PDF

pytestmark = pytest.mark.django_db
API = "/api/v1/t/alder/visits/"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def uuids(response):
    data = response.json()
    return {item["uuid"] for item in (data["results"] if isinstance(data, dict) else data)}


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_create_read_and_change_a_visit(trust_a):
    client = trust_a.client_for("improvement_lead")
    response = post(
        client,
        API,
        {
            "school": str(trust_a.schools[0].uuid),
            "activity_type": "monitoring_visit",
            "title": "Autumn monitoring",
            "owner": str(trust_a.people["specialist"].uuid),
            "planned_on": str(TODAY + 7 * DAY),
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "planned" and data["owner"]["uuid"] == str(trust_a.people["specialist"].uuid)
    detail = f"{API}{data['uuid']}/"
    assert client.get(detail).json()["title"] == "Autumn monitoring"
    changed = client.patch(detail, {"planned_on": str(TODAY + 9 * DAY), "owner": None}, content_type="application/json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["owner"] is None and changed.json()["title"] == "Autumn monitoring"
    assert changed.json()["planned_on"] == str(TODAY + 9 * DAY)


def test_headteacher_cannot_add_or_change(trust_a):
    visit = add(trust_a)
    head = trust_a.client_for("headteacher")
    assert post(head, API, {"activity_type": "other", "planned_on": str(TODAY)}).status_code == 403
    patch = head.patch(f"{API}{visit.uuid}/", {"title": "x"}, content_type="application/json")
    assert patch.status_code == 403


def test_another_schools_owner_from_another_trust_is_refused(trust_a, trust_b):
    response = post(
        trust_a.client_for("executive"),
        API,
        {"activity_type": "health_check", "planned_on": str(TODAY), "owner": str(trust_b.people["specialist"].uuid)},
    )
    assert response.status_code == 400


def test_list_filters_and_visibility(trust_a, trust_b):
    one = add(trust_a, school=0, owner="specialist", on=TODAY + DAY, title="One")
    two = add(trust_a, school=1, owner="improvement_lead", on=TODAY + 20 * DAY, title="Two")
    event = add(trust_a, school=None, owner=None, activity_type="moderation", title="Moderation")
    lead = trust_a.client_for("executive")
    assert uuids(lead.get(API)) == {str(one.uuid), str(two.uuid), str(event.uuid)}
    assert uuids(lead.get(API, {"school": str(trust_a.schools[1].uuid)})) == {str(two.uuid)}
    assert uuids(lead.get(API, {"owner": str(trust_a.people["specialist"].uuid)})) == {str(one.uuid)}
    assert uuids(lead.get(API, {"type": "moderation"})) == {str(event.uuid)}
    assert uuids(lead.get(API, {"start": str(TODAY + 10 * DAY)})) == {str(two.uuid)}
    assert lead.get(API, {"start": "soon"}).status_code == 400
    assert uuids(trust_a.client_for("headteacher").get(API)) == {str(one.uuid), str(event.uuid)}
    assert uuids(trust_a.client_for("governor").get(API)) == {str(two.uuid), str(event.uuid)}
    assert uuids(trust_a.client_for("specialist").get(API)) == {str(one.uuid), str(event.uuid)}
    assert trust_a.client_for("headteacher").get(f"{API}{two.uuid}/").status_code == 404
    assert trust_a.client_for("specialist").get(f"{API}{two.uuid}/").status_code == 404
    assert trust_a.client_for("trustee").get(API).status_code == 403
    for role in ("executive", "headteacher"):
        assert trust_b.client_for(role).get(API).status_code == 404
        assert trust_b.client_for(role).get(f"{API}{one.uuid}/").status_code == 404


def test_record_through_the_api_with_shared_notes_and_evidence(trust_a):
    visit = add(trust_a, owner="specialist")
    response = trust_a.client_for("specialist").post(
        f"{API}{visit.uuid}/record/",
        {
            "status": "done",
            "notes": "PRIVATE",
            "evidence_type": "lesson_observation",
            "summary": "Year 5 maths.",
            "shared_with_school": "true",
            "file": SimpleUploadedFile("obs.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done" and len(response.json()["evidence"]) == 1
    with scopes_disabled():
        evidence = Evidence.objects.get()
    assert evidence.school == trust_a.schools[0] and evidence.file_type == "pdf"
    head = trust_a.client_for("headteacher").get(f"{API}{visit.uuid}/").json()
    assert head["notes"] == "" and head["evidence"] == [str(evidence.uuid)]


def test_record_refusals(trust_a):
    future = add(trust_a, on=TODAY + 2 * DAY)
    lead = trust_a.client_for("improvement_lead")
    done = post(lead, f"{API}{future.uuid}/record/", {"status": "done"})
    assert done.status_code == 400 and "cannot be recorded as done" in done.json()["message"]
    no_reason = post(lead, f"{API}{future.uuid}/record/", {"status": "cancelled"})
    assert no_reason.status_code == 400 and "why" in no_reason.json()["message"]
    shared = post(lead, f"{API}{future.uuid}/record/", {"status": "cancelled", "cancelled_reason": "Ofsted in school"})
    assert shared.status_code == 200 and shared.json()["cancelled_reason"] == "Ofsted in school"
    # A specialist may record only their own visits; another's is not visible at all.
    assert (
        post(trust_a.client_for("specialist"), f"{API}{future.uuid}/record/", {"status": "missed"}).status_code == 404
    )
    assert (
        post(trust_a.client_for("headteacher"), f"{API}{future.uuid}/record/", {"status": "missed"}).status_code == 403
    )


def test_trust_events_from_the_api_are_created_once(trust_a):
    client = trust_a.client_for("executive")
    first = post(client, "/api/v1/t/alder/activities/trust-events/", {"year": 2026})
    assert first.status_code == 201 and first.json()["created"] > 10
    again = post(client, "/api/v1/t/alder/activities/trust-events/", {"year": 2026})
    assert again.json()["created"] == 0
    with scopes_disabled():
        assert Activity.objects.count() == first.json()["created"]
    assert (
        post(
            trust_a.client_for("improvement_lead"), "/api/v1/t/alder/activities/trust-events/", {"year": 2026}
        ).status_code
        == 403
    )

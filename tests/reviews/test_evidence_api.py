"""The evidence API: the same rules as the pages, through JSON and multipart."""

import datetime
import os

import pytest
from django.core.files.base import ContentFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reviews.models import Evidence
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_record

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TODAY = timezone.localdate()
API = "/api/v1/t/alder/evidence/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def record(world, *, school=0, author="improvement_lead", shared=False, days_ago=5, **fields):
    with scope(trust=world.trust.pk):
        return evidence_record(
            school=world.schools[school],
            actor=world.people[author],
            evidence_type=fields.pop("evidence_type", "lesson_observation"),
            observed_on=TODAY - datetime.timedelta(days=days_ago),
            summary=fields.pop("summary", "Year 4 science: planning a fair test."),
            shared_with_school=shared,
            **fields,
        )


def test_a_specialist_records_evidence_with_a_file_and_areas(trust_a):
    with scope(trust=trust_a.trust.pk):
        areas = judgement_areas_ensure(trust=trust_a.trust)
    response = trust_a.client_for("specialist").post(
        API,
        {
            "school": str(trust_a.schools[0].uuid),
            "evidence_type": "wilo",
            "observed_on": str(TODAY - datetime.timedelta(days=1)),
            "areas": [str(areas[0].uuid), str(areas[2].uuid)],
            "summary": "A week in the life of Year 6: transition readiness.",
            "shared_with_school": "true",
            "file": ContentFile(PDF, name="WILO Year 6.pdf"),
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["school"]["uuid"] == str(trust_a.schools[0].uuid)
    assert [a["code"] for a in data["areas"]] == [areas[0].code, areas[2].code]
    assert data["file"]["name"] == "WILO Year 6.pdf" and data["file"]["type"] == "pdf"
    assert data["file"]["download_url"].endswith(f"/evidence/{data['uuid']}/download/")
    assert data["author"]["full_name"] == trust_a.people["specialist"].full_name
    assert data["shared_with_school"] is True and data["is_stale"] is False
    download = trust_a.client_for("headteacher").get(data["file"]["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_json_without_a_file_is_fine(trust_a):
    response = trust_a.client_for("executive").post(
        API,
        {
            "school": str(trust_a.schools[1].uuid),
            "evidence_type": "governance_audit",
            "observed_on": str(TODAY),
            "summary": "Governance audit: minutes show strong challenge on attendance.",
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["file"] is None


def test_a_future_date_is_a_clear_400(trust_a):
    response = trust_a.client_for("executive").post(
        API,
        {
            "school": str(trust_a.schools[1].uuid),
            "evidence_type": "learning_walk",
            "observed_on": str(TODAY + datetime.timedelta(days=3)),
            "summary": "Not yet.",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "cannot be in the future" in response.json()["message"]


def test_another_trusts_school_is_an_invalid_choice(trust_a, trust_b):
    response = trust_a.client_for("executive").post(
        API,
        {"school": str(trust_b.schools[0].uuid), "evidence_type": "other", "observed_on": "2025-01-01", "summary": "x"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "school" in response.json()["extra"]["fields"]


def test_the_list_filters_by_school_type_and_area(trust_a):
    with scope(trust=trust_a.trust.pk):
        area = judgement_areas_ensure(trust=trust_a.trust)[1]
    first = record(trust_a, school=0, evidence_type="pupil_voice", areas=[area])
    second = record(trust_a, school=1, evidence_type="pupil_voice")
    record(trust_a, school=1, evidence_type="data_analysis")
    client = trust_a.client_for("improvement_lead")

    def uuids(query: str) -> list[str]:
        return [e["uuid"] for e in client.get(API + query).json()["results"]]

    assert uuids(f"?school={trust_a.schools[1].uuid}&evidence_type=pupil_voice") == [str(second.uuid)]
    assert uuids(f"?area={area.uuid}") == [str(first.uuid)]
    assert uuids("?school=not-a-uuid") == []


def test_stale_items_say_so(trust_a):
    record(trust_a, days_ago=500)
    assert trust_a.client_for("executive").get(API).json()["results"][0]["is_stale"] is True


def test_the_author_changes_an_item_and_fields_left_out_stay(trust_a):
    item = record(trust_a, author="specialist", summary="First draft of the observation.")
    response = trust_a.client_for("specialist").patch(
        f"{API}{item.uuid}/", {"shared_with_school": True}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["shared_with_school"] is True
    assert response.json()["summary"] == "First draft of the observation."


def test_a_patch_with_a_file_replaces_it_and_a_bad_file_changes_nothing(trust_a, media):
    item = record(trust_a, upload=ContentFile(PDF, name="notes.pdf"))
    client = trust_a.client_for("improvement_lead")
    bad = client.patch(
        f"{API}{item.uuid}/",
        encode_multipart(BOUNDARY, {"summary": "Changed", "file": ContentFile(b"MZ\x90\x00", name="new.pdf")}),
        content_type=MULTIPART_CONTENT,
    )
    assert bad.status_code == 400 and '"new.pdf" was refused' in bad.json()["message"]
    with scopes_disabled():
        item.refresh_from_db()
    assert item.summary != "Changed" and item.file_name == "notes.pdf"
    assert sum(len(f) for _, _, f in os.walk(media)) == 1


def test_deleting_through_the_api(trust_a, django_capture_on_commit_callbacks, media):
    item = record(trust_a, author="specialist", upload=ContentFile(PDF, name="notes.pdf"))
    with django_capture_on_commit_callbacks(execute=True):
        assert trust_a.client_for("specialist").delete(f"{API}{item.uuid}/").status_code == 204
    with scopes_disabled():
        assert not Evidence.objects.exists()
    assert sum(len(f) for _, _, f in os.walk(media)) == 0


def test_school_roles_cannot_write_and_cannot_see_trust_only_items(trust_a):
    shared = record(trust_a, school=0, shared=True)
    hidden = record(trust_a, school=0, shared=False)
    client = trust_a.client_for("headteacher")
    assert client.patch(f"{API}{shared.uuid}/", {}, content_type="application/json").status_code == 403
    assert client.delete(f"{API}{shared.uuid}/").status_code == 403
    assert client.get(f"{API}{hidden.uuid}/").status_code == 404
    assert [e["uuid"] for e in client.get(API).json()["results"]] == [str(shared.uuid)]


def test_a_specialist_cannot_touch_another_authors_item(trust_a):
    other = record(trust_a, author="executive", shared=True)
    client = trust_a.client_for("specialist")
    assert client.get(f"{API}{other.uuid}/").status_code == 404
    assert client.delete(f"{API}{other.uuid}/").status_code == 404


def test_another_trusts_evidence_is_404_through_the_api(trust_a, trust_b):
    theirs = record(trust_b, shared=True, upload=ContentFile(PDF, name="theirs.pdf"))
    client = trust_a.client_for("executive")
    assert client.get(f"{API}{theirs.uuid}/").status_code == 404
    assert client.get(f"{API}{theirs.uuid}/download/").status_code == 404
    assert client.delete(f"{API}{theirs.uuid}/").status_code == 404
    assert trust_b.client_for("executive").get(API).status_code == 404

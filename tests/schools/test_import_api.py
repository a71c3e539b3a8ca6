"""Import API: upload with preview, choose the group, confirm, status and report; roles and other trusts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_scopes import scope, scopes_disabled

from schools.models import ImportRun, ImportStatus, School
from tests.schools.test_import_gias import GROUP_LINKS, LINKS, PRIMARY_2022, SURREY_2021
from tests.schools.test_import_views import stored_files, upload
from trust import services

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/{slug}/imports/"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def api(world, role="executive") -> Client:
    with scope(trust=world.trust.pk):
        _, raw = services.api_token_create(user=world.people[role], trust=world.trust, name="imports")
    return Client(headers={"Authorization": f"Token {raw}"})


def imports_url(world, *parts: str) -> str:
    return BASE.format(slug=world.trust.slug) + "".join(f"{p}/" for p in parts)


def test_upload_preview_confirm_and_report_through_the_api(trust_a, django_capture_on_commit_callbacks):
    client = api(trust_a)
    response = client.post(
        imports_url(trust_a),
        {"kind": "gias", "group_uid": "3805", "files": upload(GROUP_LINKS, PRIMARY_2022, SURREY_2021, LINKS)},
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["status"] == "preview" and created["previewed"] is True
    assert created["preview"]["created"] == 5 and created["preview"]["group"]["name"] == "LUMEN LEARNING TRUST"
    assert {f["detected"] for f in created["files"]} == {"gias_group_links", "gias_establishments", "gias_links"}
    with scope(trust=trust_a.trust.pk):
        assert not School.objects.filter(gias_group_uid="3805").exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(imports_url(trust_a, created["uuid"], "confirm"))
    assert response.status_code == 202
    detail = client.get(imports_url(trust_a, created["uuid"])).json()
    assert detail["status"] == "done" and detail["progress"]["percent"] == 100
    assert detail["report"]["created"] == 5 and detail["report"]["skipped"] == []
    with scope(trust=trust_a.trust.pk):
        assert School.objects.filter(gias_group_uid="3805").count() == 5

    listed = client.get(imports_url(trust_a)).json()
    assert listed["count"] == 1
    assert listed["results"][0]["counts"] == {"created": 5, "updated": 0, "unchanged": 0, "skipped": 0}
    assert "report" not in listed["results"][0]


def test_a_confirmed_import_cannot_be_confirmed_again(trust_a, django_capture_on_commit_callbacks):
    client = api(trust_a)
    run = client.post(imports_url(trust_a), {"kind": "gias", "group_uid": "3805", "files": upload(GROUP_LINKS)}).json()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(imports_url(trust_a, run["uuid"], "confirm"))
    again = client.post(imports_url(trust_a, run["uuid"], "confirm"))
    assert again.status_code == 400 and "cannot be confirmed" in again.json()["message"]


def test_without_a_group_the_preview_lists_the_trusts_and_the_group_endpoint_previews(trust_a):
    client = api(trust_a)
    run = client.post(imports_url(trust_a), {"kind": "gias", "files": upload(GROUP_LINKS, PRIMARY_2022)}).json()
    assert run["previewed"] is False and run["preview"]["needs_group"] is True
    assert {
        "uid": "17444",
        "name": "UNIVERSITY OF WINCHESTER ACADEMY TRUST",
        "type": "Multi-academy trust",
        "schools": 5,
    } in run["preview"]["groups"]
    refused = client.post(
        imports_url(trust_a, run["uuid"], "confirm"), {"group_uid": ""}, content_type="application/json"
    )
    assert refused.status_code == 400

    chosen = client.post(
        imports_url(trust_a, run["uuid"], "group"), {"group_uid": "17444"}, content_type="application/json"
    )
    assert chosen.status_code == 200
    assert chosen.json()["previewed"] is True and chosen.json()["preview"]["created"] == 5


def test_a_bad_file_is_a_400_naming_it_and_nothing_is_stored(trust_a, private_media):
    bad = SimpleUploadedFile("links.csv", GROUP_LINKS.read_bytes()[:5000], content_type="text/csv")
    response = api(trust_a).post(imports_url(trust_a), {"kind": "gias", "group_uid": "3201", "files": [bad]})
    assert response.status_code == 400
    assert response.json()["message"].startswith("links.csv ")
    assert stored_files(private_media) == []
    with scope(trust=trust_a.trust.pk):
        assert not ImportRun.objects.exists()


def test_an_upload_without_files_is_a_validation_error(trust_a):
    response = api(trust_a).post(imports_url(trust_a), {"kind": "gias"})
    assert response.status_code == 400 and "files" in response.json()["extra"]["fields"]


def test_cancel_through_the_api(trust_a, private_media, django_capture_on_commit_callbacks):
    client = api(trust_a)
    run = client.post(imports_url(trust_a), {"kind": "gias", "group_uid": "3201", "files": upload(GROUP_LINKS)}).json()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(imports_url(trust_a, run["uuid"], "cancel"))
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert stored_files(private_media) == []


@pytest.mark.parametrize("role", ["improvement_lead", "headteacher", "specialist", "trustee", "governor"])
def test_only_executives_may_use_the_import_api(trust_a, role):
    client = api(trust_a, role)
    assert client.get(imports_url(trust_a)).status_code == 403
    response = client.post(imports_url(trust_a), {"kind": "gias", "group_uid": "3201", "files": upload(GROUP_LINKS)})
    assert response.status_code == 403


def test_another_trusts_import_is_not_found(trust_a, trust_b, django_capture_on_commit_callbacks):
    run = (
        api(trust_a)
        .post(imports_url(trust_a), {"kind": "gias", "group_uid": "5481", "files": upload(GROUP_LINKS)})
        .json()
    )
    other = api(trust_b)
    assert other.get(imports_url(trust_a)).status_code == 404  # a token speaks for its own trust only
    assert other.get(imports_url(trust_b, run["uuid"])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert other.post(imports_url(trust_b, run["uuid"], "confirm")).status_code == 404
        assert other.post(imports_url(trust_b, run["uuid"], "cancel")).status_code == 404
    assert other.get(imports_url(trust_b)).json()["count"] == 0
    with scopes_disabled():
        assert ImportRun.objects.get(uuid=run["uuid"]).status == ImportStatus.PREVIEW


def test_the_openapi_schema_documents_the_import_endpoints(db):
    schema = Client().get("/api/schema/?format=json").json()
    assert {
        "/api/v1/t/{trust_slug}/imports/",
        "/api/v1/t/{trust_slug}/imports/{import_run_uuid}/",
        "/api/v1/t/{trust_slug}/imports/{import_run_uuid}/group/",
        "/api/v1/t/{trust_slug}/imports/{import_run_uuid}/confirm/",
        "/api/v1/t/{trust_slug}/imports/{import_run_uuid}/cancel/",
    } <= set(schema["paths"])
    upload_body = schema["paths"]["/api/v1/t/{trust_slug}/imports/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload_body


def test_an_import_waits_while_another_for_the_trust_is_running(trust_a):
    client = api(trust_a)
    run = client.post(imports_url(trust_a), {"kind": "gias", "group_uid": "3805", "files": upload(GROUP_LINKS)}).json()
    with scope(trust=trust_a.trust.pk):
        ImportRun.objects.create(trust=trust_a.trust, kind="ofsted", status=ImportStatus.RUNNING)
    refused = client.post(imports_url(trust_a, run["uuid"], "confirm"))
    assert refused.status_code == 400 and "still running" in refused.json()["message"]
    assert client.get(imports_url(trust_a, run["uuid"])).json()["status"] == "preview"

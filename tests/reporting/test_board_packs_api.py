"""Board packs API: list, request (202), follow, download and retry; other trusts get 404, headteachers 403."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from reporting.models import BoardPack, BoardPackStatus
from reporting.services.snapshots import snapshot_take

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api(name, world, pack=None):
    kwargs = {"trust_slug": world.trust.slug}
    if pack is not None:
        kwargs["pack_uuid"] = pack.uuid
    return reverse(name, kwargs=kwargs)


def _pack(world, status=BoardPackStatus.DONE, **extra) -> BoardPack:
    with scope(trust=world.trust.pk):
        snapshot = snapshot_take(trust=world.trust, actor=None, today=TODAY)
        pack = BoardPack(
            trust=world.trust,
            snapshot=snapshot,
            academic_year=snapshot.academic_year,
            half_term=snapshot.half_term,
            version=1,
            status=status,
            **extra,
        )
        if status == BoardPackStatus.DONE:
            pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 board pack"), save=False)
        pack.save()
    return pack


@pytest.mark.django_db
def test_an_executive_requests_a_pack_and_follows_it_to_the_pdf(trust_a, media, django_capture_on_commit_callbacks):
    client = trust_a.client_for("executive")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(api("api-board-pack-list", trust_a), {}, content_type="application/json")
    assert response.status_code == 202
    uuid = response.json()["uuid"]
    with scope(trust=trust_a.trust.pk):
        pack = BoardPack.objects.get(uuid=uuid)
    detail = client.get(api("api-board-pack-detail", trust_a, pack)).json()
    assert detail["status"] == "done" and detail["progress"] == 100 and detail["error"] == ""
    assert detail["version"] == 1 and len(detail["checksum"]) == 64
    assert detail["download_url"].endswith(api("api-board-pack-download", trust_a, pack))
    download = client.get(api("api-board-pack-download", trust_a, pack))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages)
    assert all(school.name in text for school in trust_a.schools)


@pytest.mark.django_db
def test_a_request_while_a_pack_is_in_preparation_returns_that_pack(trust_a, media):
    client = trust_a.client_for("executive")
    first = client.post(api("api-board-pack-list", trust_a), {}, content_type="application/json").json()
    second = client.post(api("api-board-pack-list", trust_a), {}, content_type="application/json")
    assert second.status_code == 202 and second.json()["uuid"] == first["uuid"]
    assert first["status"] == "queued" and first["download_url"] is None


@pytest.mark.django_db
def test_a_pack_is_built_from_a_chosen_snapshot_of_the_trust_only(trust_a, trust_b, media):
    theirs = _pack(trust_b).snapshot
    response = trust_a.client_for("executive").post(
        api("api-board-pack-list", trust_a), {"snapshot": str(theirs.uuid)}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["snapshot"] == ["No snapshot of this trust has that UUID."]


@pytest.mark.django_db
def test_trustees_list_and_download_packs(trust_a, media):
    pack = _pack(trust_a)
    client = trust_a.client_for("trustee")
    listed = client.get(api("api-board-pack-list", trust_a)).json()
    assert [p["uuid"] for p in listed["results"]] == [str(pack.uuid)]
    assert client.get(api("api-board-pack-download", trust_a, pack)).status_code == 200
    assert client.post(api("api-board-pack-list", trust_a), {}, content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_the_pdf_is_not_there_until_the_pack_is_done(trust_a, media):
    queued = _pack(trust_a, status=BoardPackStatus.QUEUED)
    assert trust_a.client_for("trustee").get(api("api-board-pack-download", trust_a, queued)).status_code == 404


@pytest.mark.django_db
def test_a_headteacher_cannot_download_the_board_pack(trust_a, media):
    pack = _pack(trust_a)
    assert trust_a.client_for("headteacher").get(api("api-board-pack-download", trust_a, pack)).status_code == 403


@pytest.mark.django_db
def test_trustees_cannot_reach_another_trusts_packs_or_download_urls(trust_a, trust_b, media):
    pack = _pack(trust_a)
    client = trust_b.client_for("trustee")
    for name in ("api-board-pack-detail", "api-board-pack-download"):
        assert client.get(api(name, trust_a, pack)).status_code == 404
        assert client.get(api(name, trust_b, pack)).status_code == 404
    assert client.get(api("api-board-pack-list", trust_b)).json()["results"] == []


@pytest.mark.django_db
def test_retry_requeues_a_failed_pack_and_refuses_any_other(trust_a, media):
    failed = _pack(trust_a, status=BoardPackStatus.FAILED, error="It failed.", attempts=1)
    client = trust_a.client_for("executive")
    response = client.post(api("api-board-pack-retry", trust_a, failed), content_type="application/json")
    assert response.status_code == 202
    assert (response.json()["status"], response.json()["attempts"], response.json()["error"]) == ("queued", 2, "")
    again = client.post(api("api-board-pack-retry", trust_a, failed), content_type="application/json")
    assert again.status_code == 400
    assert again.json()["message"] == "Only a failed board pack can be retried; this one is queued."

"""Board pack pages: the list and its export, preparing a pack, following it, downloading and retrying it."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from reporting.models import BoardPack, BoardPackStatus, Snapshot
from reporting.services.snapshots import snapshot_take

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _snapshot(world) -> Snapshot:
    with scope(trust=world.trust.pk):
        return snapshot_take(trust=world.trust, actor=None, today=TODAY)


def _pack(world, status=BoardPackStatus.DONE, version=1, snapshot=None, **extra) -> BoardPack:
    snapshot = snapshot or _snapshot(world)
    with scope(trust=world.trust.pk):
        pack = BoardPack(
            trust=world.trust,
            snapshot=snapshot,
            academic_year=snapshot.academic_year,
            half_term=snapshot.half_term,
            version=version,
            status=status,
            **extra,
        )
        if status == BoardPackStatus.DONE:
            pack.progress, pack.checksum, pack.size = 100, "ab" * 32, 19
            pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 board pack"), save=False)
        pack.save()
    return pack


def url(name, world, pack=None):
    kwargs = {"trust_slug": world.trust.slug}
    if pack is not None:
        kwargs["pack_uuid"] = pack.uuid
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
def test_trustees_see_the_list_of_packs_with_download_links(trust_a, media):
    pack = _pack(trust_a)
    response = trust_a.client_for("trustee").get(url("board-pack-list", trust_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert pack.half_term_label in html
    assert url("board-pack-download", trust_a, pack) in html
    assert "Prepare a board pack" not in html  # only executives prepare packs


@pytest.mark.django_db
def test_the_list_has_an_empty_state_and_pages(trust_a, media):
    client = trust_a.client_for("executive")
    assert "No board pack has been prepared yet" in client.get(url("board-pack-list", trust_a)).content.decode()
    snapshot = _snapshot(trust_a)
    for version in range(1, 28):
        _pack(trust_a, status=BoardPackStatus.FAILED, version=version, snapshot=snapshot)
    first = client.get(url("board-pack-list", trust_a)).content.decode()
    assert "Page 1 of 2" in first and "27 board packs" in first
    assert first.count("<tr>") == 1 + 25
    second = client.get(url("board-pack-list", trust_a) + "?page=2")
    assert second.content.decode().count("<tr>") == 1 + 2  # the header and the last two packs


@pytest.mark.django_db
def test_the_list_exports_to_csv_and_xlsx(trust_a, media):
    pack = _pack(trust_a)
    client = trust_a.client_for("trustee")
    response = client.get(url("board-pack-list", trust_a) + "?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Half-term,Version,Status")
    assert f"{pack.half_term_label},1,Ready" in text and pack.checksum in text
    xlsx = client.get(url("board-pack-list", trust_a) + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_an_executive_prepares_a_pack_and_downloads_the_pdf(trust_a, media, django_capture_on_commit_callbacks):
    client = trust_a.client_for("executive")
    form = client.get(url("board-pack-generate", trust_a)).content.decode()
    assert "A fresh snapshot of today&#x27;s figures" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("board-pack-generate", trust_a), {"snapshot": ""})
    with scope(trust=trust_a.trust.pk):
        pack = BoardPack.objects.get()
    assert response.status_code == 302 and response["Location"] == url("board-pack-detail", trust_a, pack)
    assert pack.status == BoardPackStatus.DONE and pack.requested_by == trust_a.people["executive"]
    detail = client.get(response["Location"]).content.decode()
    assert "The pack is ready" in detail and 'hx-trigger="every 2s"' not in detail
    download = client.get(url("board-pack-download", trust_a, pack))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    data = b"".join(download.streaming_content)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert all(school.name in text for school in trust_a.schools)


@pytest.mark.django_db
def test_a_pack_can_be_built_from_a_chosen_snapshot(trust_a, media, django_capture_on_commit_callbacks):
    snapshot = _snapshot(trust_a)
    client = trust_a.client_for("executive")
    assert (
        str(snapshot.uuid)
        in client.get(url("board-pack-generate", trust_a) + f"?snapshot={snapshot.uuid}").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("board-pack-generate", trust_a), {"snapshot": str(snapshot.uuid)})
    with scope(trust=trust_a.trust.pk):
        assert BoardPack.objects.get().snapshot == snapshot


@pytest.mark.django_db
def test_a_second_post_joins_the_pack_in_preparation(trust_a, media):
    client = trust_a.client_for("executive")
    first = client.post(url("board-pack-generate", trust_a), {"snapshot": ""})  # the job waits for the commit
    second = client.post(url("board-pack-generate", trust_a), {"snapshot": ""}, follow=True)
    with scope(trust=trust_a.trust.pk):
        assert BoardPack.objects.count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "A board pack is already being prepared" in second.content.decode()


@pytest.mark.django_db
def test_the_progress_panel_polls_until_the_pack_is_finished(trust_a, media):
    running = _pack(trust_a, status=BoardPackStatus.RUNNING, progress=40, stage="Laying out the pages")
    client = trust_a.client_for("trustee")
    panel = client.get(url("board-pack-progress", trust_a, running), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in panel.content.decode()
    assert "Laying out the pages (40% done)" in panel.content.decode()
    assert "HX-Refresh" not in panel
    with scope(trust=trust_a.trust.pk):
        BoardPack.objects.filter(pk=running.pk).update(status=BoardPackStatus.DONE, progress=100)
    done = client.get(url("board-pack-progress", trust_a, running), HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' not in done.content.decode()
    assert done["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_pack_that_is_not_ready_cannot_be_downloaded(trust_a, media):
    queued = _pack(trust_a, status=BoardPackStatus.QUEUED)
    assert trust_a.client_for("trustee").get(url("board-pack-download", trust_a, queued)).status_code == 404


@pytest.mark.django_db
def test_a_headteacher_cannot_download_the_board_pack(trust_a, media):
    pack = _pack(trust_a)
    assert trust_a.client_for("headteacher").get(url("board-pack-download", trust_a, pack)).status_code == 403


@pytest.mark.django_db
def test_trustees_cannot_reach_another_trusts_packs(trust_a, trust_b, media):
    pack = _pack(trust_a)
    # Trust B's trustee, at trust A's address and at their own trust's address with trust A's pack.
    client = trust_b.client_for("trustee")
    for name in ("board-pack-detail", "board-pack-progress", "board-pack-download"):
        assert client.get(url(name, trust_a, pack)).status_code == 404
        assert client.get(url(name, trust_b, pack)).status_code == 404
    assert pack.half_term_label not in client.get(url("board-pack-list", trust_b)).content.decode()


@pytest.mark.django_db
def test_a_failed_pack_shows_its_error_and_executives_can_retry_it(trust_a, media, django_capture_on_commit_callbacks):
    failed = _pack(trust_a, status=BoardPackStatus.FAILED, error="The board pack could not be prepared because X.")
    trustee_view = trust_a.client_for("trustee").get(url("board-pack-detail", trust_a, failed)).content.decode()
    assert "could not be prepared because X." in trustee_view and "Try again" not in trustee_view
    client = trust_a.client_for("executive")
    assert "Try again" in client.get(url("board-pack-detail", trust_a, failed)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("board-pack-retry", trust_a, failed))
    assert response.status_code == 302 and response["Location"] == url("board-pack-detail", trust_a, failed)
    with scope(trust=trust_a.trust.pk):
        failed.refresh_from_db()
    assert failed.status == BoardPackStatus.DONE and failed.error == "" and failed.pages > 0


@pytest.mark.django_db
def test_retrying_a_pack_that_has_not_failed_says_so(trust_a, media):
    pack = _pack(trust_a)
    response = trust_a.client_for("executive").post(url("board-pack-retry", trust_a, pack), follow=True)
    assert response.redirect_chain[0] == (url("board-pack-detail", trust_a, pack), 302)
    assert "Only a failed board pack can be retried" in response.content.decode()
    assert trust_a.client_for("trustee").post(url("board-pack-retry", trust_a, pack)).status_code == 403

"""Import pages: upload, choose the group, preview, confirm, progress and report; who may, and other trusts."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from schools.models import ImportKind, ImportRun, ImportStatus, MembershipStatus, School
from tests.schools.test_import_gias import GROUP_LINKS, GROUPS, LINKS, PRIMARY_2022, SURREY_2021

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media: Path) -> list[Path]:
    """Files, and run folders, left in private storage."""
    return [p for p in media.rglob("*") if p.is_file() or p.parent.name == "imports"] if media.exists() else []


def upload(*paths: Path) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in paths]


def url(name: str, world, **kwargs) -> str:
    return reverse(name, kwargs={"trust_slug": world.trust.slug, **kwargs})


def only_run(world) -> ImportRun:
    with scope(trust=world.trust.pk):
        return ImportRun.objects.get()


def gias_schools(world) -> dict[int, School]:
    with scope(trust=world.trust.pk):
        return {s.urn: s for s in School.objects.filter(trust=world.trust).exclude(gias_group_uid="")}


def test_an_executive_uploads_previews_and_confirms_a_gias_import(
    trust_a, private_media, django_capture_on_commit_callbacks
):
    client = trust_a.client_for("executive")
    assert "No imports yet" in client.get(url("import-list", trust_a)).content.decode()

    response = client.post(
        url("import-new", trust_a, import_kind="gias"),
        {"files": upload(GROUP_LINKS, PRIMARY_2022, SURREY_2021, LINKS), "group_uid": "5481"},
    )
    run = only_run(trust_a)
    assert response.status_code == 302 and response["Location"] == url(
        "import-detail", trust_a, import_run_uuid=run.uuid
    )
    assert run.status == ImportStatus.PREVIEW and run.preview["created"] == 4
    assert gias_schools(trust_a) == {}  # the preview changed nothing
    assert len([p for p in stored_files(private_media) if p.is_file()]) == 4

    page = client.get(response["Location"]).content.decode()
    assert "Nothing has changed yet" in page and "South Farnham School" in page and "Confirm and import" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("import-confirm", trust_a, import_run_uuid=run.uuid))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE and run.report["created"] == 4 and run.rows_done == run.rows_total > 0
    assert set(gias_schools(trust_a)) == {136888, 137014, 141667, 143001}

    page = client.get(url("import-detail", trust_a, import_run_uuid=run.uuid)).content.decode()
    assert "Report" in page and "Wallace Fields Infant School and Nursery" in page
    assert "hx-trigger" not in page  # finished: no polling
    history = client.get(url("import-list", trust_a)).content.decode()
    assert "Done" in history and "group 5481" in history


def test_without_a_group_the_trusts_in_the_file_are_listed_to_choose_from(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS, PRIMARY_2022)})
    run = only_run(trust_a)
    assert response["Location"] == url("import-group", trust_a, import_run_uuid=run.uuid)
    page = client.get(response["Location"]).content.decode()
    assert "THE GOOD SHEPHERD TRUST" in page and "FIERTÉ MULTI-ACADEMY TRUST" in page
    assert "The Good Shepherd Trust" not in page  # its School sponsor group is not offered
    searched = client.get(response["Location"], {"q": "kite"}).content.decode()
    assert "THE KITE ACADEMY TRUST" in searched and "THE GOOD SHEPHERD TRUST" not in searched

    response = client.post(url("import-group", trust_a, import_run_uuid=run.uuid), {"group_uid": "15864"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.group_uid, run.preview["created"]) == ("15864", 10)


def test_a_sponsor_group_is_refused_on_the_group_page(trust_a):
    client = trust_a.client_for("executive")
    client.post(url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS)})
    run = only_run(trust_a)
    response = client.post(url("import-group", trust_a, import_run_uuid=run.uuid), {"group_uid_typed": "4574"})
    assert response.status_code == 200
    assert "is a School sponsor, not a trust" in response.content.decode()
    run.refresh_from_db()
    assert run.group_uid == "" and not run.preview.get("created")


def _cut_after_a_value() -> bytes:
    """The real 2022 file cut off after row 11's fifteenth value."""
    lines = PRIMARY_2022.read_bytes().split(b"\r\n")
    return b"\r\n".join(lines[:10]) + b"\r\n" + lines[10][: lines[10].index(b',"No boarders"')]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty.csv: The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "empty.csv: This is not a CSV file"),
        (GROUPS.read_bytes(), "looks like the GIAS groups file"),
        (PRIMARY_2022.read_bytes()[:80_000], "empty.csv could not be read past row 68 (unexpected end of data)"),
        (_cut_after_a_value(), "empty.csv looks cut off: row 11 has 15 of 111 columns"),
    ],
    ids=["empty", "binary", "wrong columns", "cut in a quoted value", "cut between values"],
)
def test_a_bad_file_is_refused_by_name_and_nothing_is_stored(trust_a, private_media, content, message):
    client = trust_a.client_for("executive")
    bad = SimpleUploadedFile("empty.csv", content, content_type="text/csv")
    response = client.post(
        url("import-new", trust_a, import_kind="gias"), {"files": [*upload(GROUP_LINKS), bad], "group_uid": "3201"}
    )
    assert response.status_code == 200
    assert message.replace("empty.csv", "") in response.content.decode()
    assert "empty.csv" in response.content.decode()
    with scope(trust=trust_a.trust.pk):
        assert not ImportRun.objects.exists()
    assert stored_files(private_media) == []
    assert gias_schools(trust_a) == {}


def test_a_file_over_the_size_limit_is_refused(trust_a, settings, private_media):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10_000
    response = trust_a.client_for("executive").post(
        url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS), "group_uid": "3201"}
    )
    assert "files up to 0 MB can be imported" in response.content.decode()
    assert stored_files(private_media) == []


def test_cancelling_deletes_the_files_and_changes_nothing(trust_a, private_media, django_capture_on_commit_callbacks):
    client = trust_a.client_for("executive")
    client.post(url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS), "group_uid": "3201"})
    run = only_run(trust_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("import-cancel", trust_a, import_run_uuid=run.uuid))
    assert response["Location"] == url("import-list", trust_a)
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED
    assert stored_files(private_media) == []
    assert gias_schools(trust_a) == {}
    # A cancelled run cannot be confirmed afterwards.
    client.post(url("import-confirm", trust_a, import_run_uuid=run.uuid))
    run.refresh_from_db()
    assert run.status == ImportStatus.CANCELLED


def test_progress_is_polled_while_running_and_the_page_reloads_when_done(trust_a):
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(
            trust=trust_a.trust, kind=ImportKind.GIAS, status=ImportStatus.RUNNING, rows_total=50_000, rows_done=12_000
        )
    client = trust_a.client_for("executive")
    page = client.get(url("import-detail", trust_a, import_run_uuid=run.uuid)).content.decode()
    assert 'aria-live="polite"' in page and 'hx-trigger="every 2s"' in page
    assert "12000 of about 50000 rows read (24%)" in page and 'aria-valuenow="24"' in page

    partial = client.get(url("import-progress", trust_a, import_run_uuid=run.uuid), headers={"HX-Request": "true"})
    assert "HX-Refresh" not in partial and "hx-trigger" in partial.content.decode()
    with scope(trust=trust_a.trust.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.DONE, rows_done=50_000)
    partial = client.get(url("import-progress", trust_a, import_run_uuid=run.uuid), headers={"HX-Request": "true"})
    assert partial["HX-Refresh"] == "true" and "hx-trigger" not in partial.content.decode()


def test_a_failed_import_shows_its_error(trust_a):
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(
            trust=trust_a.trust, kind=ImportKind.GIAS, status=ImportStatus.FAILED, error="x.csv looks cut off."
        )
    page = trust_a.client_for("executive").get(url("import-detail", trust_a, import_run_uuid=run.uuid))
    assert 'role="alert"' in page.content.decode() and "x.csv looks cut off." in page.content.decode()


@pytest.mark.parametrize("role", ["improvement_lead", "headteacher", "specialist", "trustee", "governor"])
def test_only_executives_may_import(trust_a, role):
    client = trust_a.client_for(role)
    assert client.get(url("import-list", trust_a)).status_code == 403
    response = client.post(
        url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS), "group_uid": "3201"}
    )
    assert response.status_code == 403
    with scope(trust=trust_a.trust.pk):
        assert not ImportRun.objects.exists()


def test_the_navigation_shows_imports_to_executives_only(trust_a):
    link = url("import-list", trust_a)
    assert link in trust_a.client_for("executive").get(url("trust-home", trust_a)).content.decode()
    assert link not in trust_a.client_for("improvement_lead").get(url("trust-home", trust_a)).content.decode()


def test_another_trusts_import_is_not_found(trust_a, trust_b, django_capture_on_commit_callbacks):
    client = trust_a.client_for("executive")
    client.post(url("import-new", trust_a, import_kind="gias"), {"files": upload(GROUP_LINKS), "group_uid": "5481"})
    run = only_run(trust_a)
    other = trust_b.client_for("executive")
    # Trust A's pages for trust B's executive, and trust A's run under trust B's own address.
    assert other.get(url("import-list", trust_a)).status_code == 404
    for name in ("import-detail", "import-group", "import-progress"):
        assert other.get(url(name, trust_b, import_run_uuid=run.uuid)).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("import-confirm", "import-cancel"):
            assert other.post(url(name, trust_b, import_run_uuid=run.uuid)).status_code == 404
            assert other.post(url(name, trust_a, import_run_uuid=run.uuid)).status_code == 404
    run.refresh_from_db()
    assert run.status == ImportStatus.PREVIEW
    with scopes_disabled():
        assert not School.objects.filter(trust=trust_b.trust, urn=136888).exists()


def test_an_unknown_kind_of_import_is_not_found(trust_a):
    assert trust_a.client_for("executive").get(url("import-new", trust_a, import_kind="edubase")).status_code == 404


def test_a_left_school_shows_as_left_in_the_report(trust_a, tmp_path, django_capture_on_commit_callbacks):
    from tests.schools.test_import_gias import edited_group_links

    client = trust_a.client_for("executive")
    for files in ([GROUP_LINKS], [edited_group_links(tmp_path, lambda r: None if r["URN"] == "137014" else r)]):
        client.post(url("import-new", trust_a, import_kind="gias"), {"files": upload(*files), "group_uid": "5481"})
        with scope(trust=trust_a.trust.pk):
            run = ImportRun.objects.filter(status=ImportStatus.PREVIEW).get()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url("import-confirm", trust_a, import_run_uuid=run.uuid))
    page = client.get(url("import-detail", trust_a, import_run_uuid=run.uuid)).content.decode()
    assert "Marked as left the trust" in page and "The Raleigh School" in page
    assert gias_schools(trust_a)[137014].status == MembershipStatus.LEFT


def test_a_performance_file_without_the_year_in_its_name_takes_the_year_chosen_on_the_page(
    trust_a, django_capture_on_commit_callbacks
):
    from schools.models import MeasureValue
    from tests.schools.test_import_gias import PRIMARY_2022

    real = PRIMARY_2022.parent.parent / "performance" / "2018-2019_936_ks2final.csv"
    with scopes_disabled():
        School.objects.create(trust=trust_a.trust, urn=137014, name="Surrey academy")
    client = trust_a.client_for("executive")
    renamed = SimpleUploadedFile("surrey-ks2.csv", real.read_bytes(), content_type="text/csv")
    refused = client.post(url("import-new", trust_a, import_kind="performance"), {"files": [renamed]})
    assert "academic year" in refused.content.decode().lower()

    renamed.seek(0)
    client.post(url("import-new", trust_a, import_kind="performance"), {"files": [renamed], "academic_year": "2018"})
    run = only_run(trust_a)
    assert run.options == {"academic_year": 2018}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("import-confirm", trust_a, import_run_uuid=run.uuid))
    with scopes_disabled():
        years = set(MeasureValue.objects.filter(school__urn=137014).values_list("academic_year", flat=True))
    assert years == {2018}

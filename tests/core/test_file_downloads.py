"""Stored files leave the app only through permission-checked views, as attachments nobody sniffs.

Every view that sends a file is listed here (a new one fails the inventory test until it is),
and each is requested as someone allowed to read it: the answer is an attachment with
`X-Content-Type-Options: nosniff`. The private media folder has no URL at all.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.static import serve
from django_scopes import scope

from reporting.models import BoardPack, BoardPackStatus
from reporting.services.snapshots import snapshot_take
from reviews.services.evidence import evidence_record
from schools.services.joining import prospective_school_add
from tests.core.test_uploads import real_pdf

pytestmark = pytest.mark.django_db

# The modules whose views send a stored or generated file, and the URL names that do it.
FILE_SENDING_MODULES = {
    "reviews/views/evidence.py",
    "reviews/api/evidence.py",
    "reporting/views/board_packs.py",
    "reporting/api/board_packs.py",
    "schools/views/joining.py",
}
SENDS_A_FILE = re.compile(r"FileResponse\(|download_response\(|as_attachment|application/pdf")


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _view_modules() -> list[Path]:
    root = Path(settings.BASE_DIR)
    found = []
    for app in ("core", "trust", "schools", "reviews", "interventions", "reporting"):
        for pattern in ("views.py", "views/*.py", "api.py", "api/*.py", "**/views*.py", "**/feed_views.py"):
            found += (root / app).glob(pattern)
    return sorted(set(found))


def test_every_module_that_sends_a_file_is_checked_here():
    root = Path(settings.BASE_DIR)
    sending = {
        str(path.relative_to(root)) for path in _view_modules() if SENDS_A_FILE.search(path.read_text(encoding="utf-8"))
    }
    assert sending == FILE_SENDING_MODULES, "a view sends files: add its download to the tests below"


@pytest.fixture
def stored(trust_a, media) -> dict[str, str]:
    """One file of each kind the app serves, and the URLs that serve it."""
    slug = trust_a.trust.slug
    with scope(trust=trust_a.trust.pk):
        evidence = evidence_record(
            school=trust_a.schools[0],
            actor=trust_a.people["executive"],
            evidence_type="work_scrutiny",
            observed_on=datetime.date(2025, 2, 3),
            summary="Scrutiny of Year 5 writing books.",
            upload=ContentFile(real_pdf(), name="Year 5 writing.pdf"),
        )
        snapshot = snapshot_take(trust=trust_a.trust, actor=None, today=datetime.date(2026, 11, 25))
        pack = BoardPack(
            trust=trust_a.trust,
            snapshot=snapshot,
            academic_year=snapshot.academic_year,
            half_term=snapshot.half_term,
            version=1,
            status=BoardPackStatus.DONE,
            progress=100,
            checksum="ab" * 32,
            size=19,
        )
        pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 board pack"), save=False)
        pack.save()
        joining = prospective_school_add(
            trust=trust_a.trust, actor=trust_a.people["executive"], urn=731234, name="Rowan Primary"
        )
    return {
        "evidence": reverse("evidence-download", args=[slug, evidence.uuid]),
        "evidence (API)": reverse("api-evidence-download", args=[slug, evidence.uuid]),
        "board pack": reverse("board-pack-download", args=[slug, pack.uuid]),
        "board pack (API)": reverse("api-board-pack-download", args=[slug, pack.uuid]),
        "due-diligence PDF": reverse("joining-report-pdf", args=[slug, joining.due_diligence.uuid]),
        "stored evidence path": evidence.file.name,
    }


DOWNLOADS = ["evidence", "evidence (API)", "board pack", "board pack (API)", "due-diligence PDF"]


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_file_is_sent_as_an_attachment_that_is_never_sniffed(stored, trust_a, download):
    response = trust_a.client_for("executive").get(stored[download])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("download", DOWNLOADS)
def test_a_file_is_sent_only_after_the_permission_check(stored, trust_a, trust_b, client, download):
    # Another trust's executive gets 404; nobody signed in gets no file.
    assert trust_b.client_for("executive").get(stored[download]).status_code == 404
    assert client.get(stored[download]).status_code in (302, 401, 403)


def test_a_governor_of_another_school_cannot_read_the_evidence_file(stored, trust_a):
    # Evidence of school 1, not shared with the school: the governor of school 2 gets nothing.
    assert trust_a.client_for("governor").get(stored["evidence"]).status_code in (403, 404)


def test_the_media_folder_has_no_url(stored, trust_a, media):
    stored_path = stored["stored evidence path"]
    assert (media / stored_path).is_file()
    client = trust_a.client_for("executive")
    for url in (
        f"/media/{stored_path}",
        f"/{stored_path}",
        f"/private-media/{stored_path}",
        f"/static/../private-media/{stored_path}",
    ):
        assert client.get(url).status_code == 404, url


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _patterns(entry, prefix + str(entry.pattern))
        else:
            found.append((prefix + str(entry.pattern), entry))
    return found


def test_no_url_pattern_serves_files_from_disk():
    media_url = (settings.MEDIA_URL or "").lstrip("/")
    for route, pattern in _patterns(get_resolver()):
        assert pattern.callback is not serve, route
        assert getattr(pattern.callback, "__module__", "") != "django.views.static", route
        if media_url:
            assert not route.startswith(media_url), route


def test_media_root_is_outside_the_static_files():
    media = Path(settings.MEDIA_ROOT).resolve()
    static_dirs = [Path(settings.STATIC_ROOT).resolve(), *(Path(d).resolve() for d in settings.STATICFILES_DIRS)]
    for static in static_dirs:
        assert not media.is_relative_to(static) and not static.is_relative_to(media)

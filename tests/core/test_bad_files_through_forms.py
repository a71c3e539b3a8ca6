"""Every bad file the security issue lists, posted through the real upload forms, is refused.

The corpus is tests/core/test_uploads.py's (built there, checked there against the upload check,
the evidence service, form and API). Here each case the issue names is posted, byte for byte as
crafted, to the evidence upload page and to the GIAS import upload page: each is refused with a
readable message, writes no row and leaves nothing under MEDIA_ROOT.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from reviews.models import Evidence
from schools.models import ImportFile, ImportRun
from tests.core.test_uploads import BAD_FILES, Bad, handmade_pdf, real_pdf
from tests.schools.test_import_gias import GROUP_LINKS

pytestmark = pytest.mark.django_db

# The cases the issue lists, by the name of their file in the corpus.
ISSUE_CASES = {
    "an executable renamed to .pdf": "invoice.pdf",
    "HTML as .pdf": "report.pdf",
    "SVG with script": "logo.png",
    "a PDF/HTML polyglot": "polyglot.pdf",
    "a zip-bomb DOCX": "bomb.docx",
    "an XLSX with an external link": "budget.xlsx",
    "empty": "empty.pdf",
    "../../etc/passwd.pdf": "../../etc/passwd.pdf",
    "a NUL in the name": "invoice.pdf\x00.exe",
    "an RTL override in the name": "holiday\u202egnp.exe",
    "a 300-character name": "a" * 296 + ".pdf",
    "a PNG pixel bomb": "huge.png",
    "a PNG claiming to be JPEG": "photo.jpg",
}
CORPUS = {bad.name: bad for bad in BAD_FILES}
CASES = [pytest.param(CORPUS[name], id=case) for case, name in ISSUE_CASES.items()]
BOUNDARY = "----TrustwideBadFileBoundary"


def test_the_corpus_holds_every_case_the_issue_lists():
    assert set(ISSUE_CASES.values()) <= CORPUS.keys()
    assert len(BAD_FILES) >= 20


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_in(root: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def rows() -> tuple[int, int, int]:
    with scopes_disabled():
        return Evidence.objects.count(), ImportRun.objects.count(), ImportFile.objects.count()


def multipart(fields: dict[str, str], field: str, files: list[tuple[str, bytes]]) -> bytes:
    """A multipart body built by hand, so each file name arrives exactly as crafted."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    for name, content in files:
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_evidence(world, files: list[tuple[str, bytes]]):
    fields = {
        "school": str(world.schools[0].uuid),
        "evidence_type": "lesson_observation",
        "observed_on": "2025-01-20",
        "summary": "Year 3 maths lesson: fluency with number bonds.",
    }
    body = multipart(fields, "file", files)
    url = reverse("evidence-create", args=[world.trust.slug])
    return world.client_for("improvement_lead").post(
        url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def post_gias(world, files: list[tuple[str, bytes]]):
    body = multipart({"group_uid": "3201"}, "files", files)
    url = reverse("import-new", args=[world.trust.slug, "gias"])
    return world.client_for("executive").post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def refusal_shown(response) -> str:
    """The form's error text, which must name what is wrong in words."""
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    assert 'class="invalid-feedback' in page or "alert-danger" in page or "errorlist" in page
    return page


@pytest.mark.parametrize("bad", CASES)
def test_the_evidence_upload_page_refuses_the_file_and_stores_nothing(bad: Bad, trust_a, media):
    before = (files_in(media), rows())
    page = refusal_shown(post_evidence(trust_a, [(bad.name, bad.content())]))
    assert "was refused:" in page
    assert (files_in(media), rows()) == before


@pytest.mark.parametrize("bad", CASES)
def test_the_gias_import_upload_page_refuses_the_file_and_stores_nothing(bad: Bad, trust_a, media):
    before = (files_in(media), rows())
    page = refusal_shown(post_gias(trust_a, [(bad.name, bad.content())]))
    # The import reads CSVs only: each of these is named and said not to be one (or its name is refused first).
    assert any(words in page for words in ("not a CSV file", "no header row", "is empty", "longer than")), page
    assert (files_in(media), rows()) == before


def test_one_byte_over_the_limit_is_refused_by_both_pages_and_nothing_is_stored(trust_a, media, settings):
    settings.EVIDENCE_MAX_BYTES = 2000
    pdf = handmade_pdf(b"")
    pdf += b" " * (2001 - len(pdf))
    settings.IMPORT_MAX_UPLOAD_BYTES = len(GROUP_LINKS.read_bytes()) - 1
    before = (files_in(media), rows())
    assert "larger than the 2,000 bytes limit" in refusal_shown(post_evidence(trust_a, [("big.pdf", pdf)]))
    gias = refusal_shown(post_gias(trust_a, [(GROUP_LINKS.name, GROUP_LINKS.read_bytes())]))
    assert "can be imported" in gias
    assert (files_in(media), rows()) == before


@pytest.mark.parametrize("post", [post_evidence, post_gias], ids=["evidence", "GIAS import"])
def test_too_many_files_in_one_post_are_refused_before_any_is_stored(post, trust_a, media, settings):
    files = [(f"notes {i}.pdf", real_pdf()) for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    before = (files_in(media), rows())
    response = post(trust_a, files)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This request was refused" in page and "more files than a form takes" in page
    assert (files_in(media), rows()) == before


def test_a_real_gias_file_with_a_300_character_name_is_refused(trust_a, media):
    before = (files_in(media), rows())
    page = refusal_shown(post_gias(trust_a, [("a" * 296 + ".csv", GROUP_LINKS.read_bytes())]))
    assert "longer than" in page
    assert (files_in(media), rows()) == before


def test_two_files_posted_as_one_piece_of_evidence_are_refused_and_nothing_is_stored(trust_a, media):
    before = (files_in(media), rows())
    pdf = handmade_pdf(b"")
    page = refusal_shown(post_evidence(trust_a, [("first.pdf", pdf), ("second.pdf", pdf)]))
    assert "Upload one file per piece of evidence" in page
    assert (files_in(media), rows()) == before

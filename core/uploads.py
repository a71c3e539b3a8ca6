"""Checking an uploaded file before anything is stored: by its content, never by its name alone.

`validate_upload` reads the file's bytes (magic numbers, the ZIP directory of Office files,
image headers) and refuses anything that is not plainly one of the accepted document types.
Every refusal is an `ApplicationError` whose message names the file and says why.
The clean name it returns is for display and downloads only; stored paths never use it.
"""

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable
from typing import IO, Any

from django.conf import settings
from django.http import FileResponse, Http404

from core.exceptions import ApplicationError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_ALLOWED = frozenset({"pdf", "docx", "xlsx", "pptx", "png", "jpeg"})

# The extensions each detected type may carry, and the Content-Type it is served with.
EXTENSIONS = {
    "pdf": ("pdf",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "png": ("png",),
    "jpeg": ("jpg", "jpeg"),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpeg": "image/jpeg",
}
TYPE_WORDS = {
    "pdf": "a PDF",
    "docx": "a Word document (.docx)",
    "xlsx": "an Excel workbook (.xlsx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "png": "a PNG image",
    "jpeg": "a JPEG image",
}
OOXML_MAIN_PARTS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}

MAX_NAME_LENGTH = 150
MAX_IMAGE_SIDE = 10_000
MAX_ZIP_ENTRIES = 2_000
MAX_ZIP_UNCOMPRESSED = 100 * 1024 * 1024
MAX_ZIP_RATIO = 100
MAX_XML_PART = 5 * 1024 * 1024
# Inflating a PDF's object streams to look inside is capped, so a PDF cannot be a bomb for us either.
MAX_PDF_INFLATE = 50 * 1024 * 1024
HEAD_BYTES = 1024
CHUNK = 64 * 1024

# Bidirectional overrides, embeddings, isolates and marks: they make "evil‮fdp.exe" read as "evil.exe.pdf".
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O, 32 and 64 bit, both byte orders, and fat binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # a script with an interpreter line
)
# Markup a browser would render or run; matched case-insensitively in the first kilobyte.
MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|frame|object|embed|svg|img|meta|link|style|form|a\s)",
    re.IGNORECASE,
)
SCRIPT_WORDS = re.compile(rb"(?:<\?php|<%|javascript:|vbscript:)", re.IGNORECASE)
# Inside a binary file only long tag words count, so compressed bytes cannot match by chance.
POLYGLOT = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|object|embed|svg)[\s>/]|<\?php|javascript:|vbscript:",
    re.IGNORECASE,
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
PDF_ACTIVE_NAMES = {b"JS": "JavaScript", b"JavaScript": "JavaScript", b"Launch": "an action that starts a program"}
PDF_STREAM = re.compile(rb"obj(?P<dict>(?:(?!endobj).){0,2000}?)stream\r?\n", re.DOTALL)
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b(?P<attrs>[^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(rb"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
SAFE_LINK_SCHEMES = (b"http://", b"https://", b"mailto:")


def max_upload_bytes() -> int:
    """The largest accepted upload: settings.EVIDENCE_MAX_BYTES, 20 MB when unset."""
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


def content_type_for(detected_type: str) -> str:
    """The Content-Type a stored file is served with; unknown types are plain bytes."""
    return CONTENT_TYPES.get(detected_type, "application/octet-stream")


def display_name(raw: str) -> str:
    """A name that is safe to put in a message: no control or bidi characters, not too long."""
    shown = "".join("?" if _is_unsafe_char(c) else c for c in raw or "")
    return shown if len(shown) <= 80 else shown[:60] + "…" + shown[-15:]


def _is_unsafe_char(char: str) -> bool:
    # Cc: control characters (NUL included); Cf: invisible format characters (zero-width, bidi).
    return char in BIDI_CONTROLS or unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}


def _refuse(name: str, reason: str) -> ApplicationError:
    return ApplicationError(f'"{display_name(name)}" was refused: {reason}', {"file": display_name(name)})


def _human_size(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def clean_file_name(raw: str) -> str:
    """The safe basename kept for display and downloads; refuses names that try to trick people or paths."""
    if not raw or not raw.strip():
        raise ApplicationError("The uploaded file has no name.")
    if "/" in raw or "\\" in raw:
        raise _refuse(raw, "its name contains a folder path (/ or \\). Upload the file itself.")
    if "\x00" in raw:
        raise _refuse(raw, "its name contains a NUL character.")
    if any(c in BIDI_CONTROLS for c in raw):
        raise _refuse(raw, "its name contains hidden right-to-left characters that disguise its real type.")
    if any(_is_unsafe_char(c) for c in raw):
        raise _refuse(raw, "its name contains control or invisible characters.")
    if len(raw) > MAX_NAME_LENGTH:
        raise _refuse(raw, f"its name is longer than {MAX_NAME_LENGTH} characters. Rename it and try again.")
    name = unicodedata.normalize("NFC", raw.strip())
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"\.{2,}", ".", re.sub(r"[^\w .\-]", "_", stem))
    stem = re.sub(r"\s+", " ", stem).strip(" .")
    extension = re.sub(r"[^A-Za-z0-9]", "", extension).lower()
    stem = stem or "document"
    return f"{stem}.{extension}" if extension else stem


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _looks_like_markup(head: bytes) -> bool:
    text = head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return bool(MARKUP.search(head) or SCRIPT_WORDS.search(head) or text[:5].lower() == b"<?xml")


def _read_head(file: IO[bytes]) -> bytes:
    file.seek(0)
    return file.read(HEAD_BYTES)


def _chunks(file: IO[bytes], overlap: int = 64) -> Iterable[tuple[int, bytes]]:
    """(offset, bytes) pieces of the file that overlap a little, so a pattern across a boundary is still seen."""
    file.seek(0)
    offset, tail = 0, b""
    while piece := file.read(CHUNK):
        yield offset - len(tail), tail + piece
        offset += len(piece)
        tail = piece[-overlap:]


def _pdf_names(data: bytes) -> Iterable[bytes]:
    # PDF names may spell letters as #xx (/J#53 is /JS): decode before comparing.
    for match in PDF_NAME.finditer(data):
        yield re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), match.group(1))


def _refuse_active_pdf_names(name: str, data: bytes) -> None:
    for pdf_name in _pdf_names(data):
        if pdf_name in PDF_ACTIVE_NAMES:
            raise _refuse(name, f"the PDF contains {PDF_ACTIVE_NAMES[pdf_name]}, which could run when it is opened.")


def _check_pdf(name: str, file: IO[bytes], head: bytes) -> None:
    if POLYGLOT.search(head):
        raise _refuse(name, "it is a PDF that also contains web page (HTML) or script code.")
    file.seek(0, 2)
    file.seek(max(0, file.tell() - 2048))
    if b"%%EOF" not in file.read():
        raise _refuse(name, "the PDF is incomplete or damaged (no end-of-file marker).")
    object_streams = []
    for offset, chunk in _chunks(file, overlap=2100):
        _refuse_active_pdf_names(name, chunk)
        for match in PDF_STREAM.finditer(chunk):
            dictionary = b"".join(_pdf_names(match.group("dict")))
            if b"ObjStm" in dictionary and b"FlateDecode" in dictionary:
                object_streams.append(offset + match.end())
    # Objects packed in compressed object streams are inflated (within a budget) and looked at too.
    budget = MAX_PDF_INFLATE
    for start in sorted(set(object_streams)):
        budget -= _inflate_pdf_stream(name, file, start, budget)


def _inflate_pdf_stream(name: str, file: IO[bytes], start: int, budget: int) -> int:
    file.seek(start)
    inflater = zlib.decompressobj()
    produced, tail = 0, b""
    while not inflater.eof and (piece := file.read(CHUNK)):
        try:
            body = inflater.decompress(piece, max(budget - produced, 0) + 1)
        except zlib.error:
            break
        produced += len(body)
        if produced > budget or inflater.unconsumed_tail:
            raise _refuse(name, "the PDF's compressed content expands to an unreasonable size.")
        _refuse_active_pdf_names(name, tail + body)
        tail = body[-64:]
    return produced


def _check_png(name: str, head: bytes) -> None:
    if len(head) < 24 or head[12:16] != b"IHDR":
        raise _refuse(name, "the PNG image is damaged (no image header).")
    width, height = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    _check_dimensions(name, width, height)


def _check_dimensions(name: str, width: int, height: int) -> None:
    if width == 0 or height == 0:
        raise _refuse(name, "the image has no width or height.")
    if width > MAX_IMAGE_SIDE or height > MAX_IMAGE_SIDE:
        raise _refuse(
            name,
            f"the image is {width:,} x {height:,} pixels; the most accepted is "
            f"{MAX_IMAGE_SIDE:,} x {MAX_IMAGE_SIDE:,}. Resize it and try again.",
        )


def _check_jpeg(name: str, file: IO[bytes]) -> None:
    """Read the frame header (SOFn) for the size without decoding any pixels."""
    file.seek(2)
    for _ in range(10_000):
        if file.read(1) != b"\xff":
            break
        marker = file.read(1)
        while marker == b"\xff":  # fill bytes before a marker
            marker = file.read(1)
        if not marker or marker[0] in (0xD9, 0xDA):  # end of image, or scan data before any frame header
            break
        code = marker[0]
        if code == 0x01 or 0xD0 <= code <= 0xD7:  # markers without a length
            continue
        length = int.from_bytes(file.read(2), "big")
        if length < 2:
            break
        if 0xC0 <= code <= 0xCF and code not in (0xC4, 0xC8, 0xCC):
            frame = file.read(5)
            if len(frame) < 5:
                break
            _check_dimensions(name, int.from_bytes(frame[3:5], "big"), int.from_bytes(frame[1:3], "big"))
            return
        file.seek(length - 2, 1)
    raise _refuse(name, "the JPEG image is damaged (no frame header with its size).")


def _read_part(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    try:
        with archive.open(info) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise _refuse(name, "it is a damaged ZIP or Office file.") from error


def _check_ooxml(name: str, file: IO[bytes]) -> str:
    """The Office type of a ZIP file, after refusing bombs, macros, external links and nested archives."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise _refuse(name, "it is a damaged ZIP or Office file.") from error
    with archive:
        if len(infos) > MAX_ZIP_ENTRIES:
            raise _refuse(name, f"it holds more than {MAX_ZIP_ENTRIES:,} parts (possible ZIP bomb).")
        declared = sum(i.file_size for i in infos)
        compressed = sum(i.compress_size for i in infos)
        if declared > MAX_ZIP_UNCOMPRESSED or declared > MAX_ZIP_RATIO * max(compressed, 1):
            raise _refuse(name, "it expands to far more than its size when opened (possible ZIP bomb).")
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            raise _refuse(name, "it is a ZIP archive, not a Word, Excel or PowerPoint document.")
        kinds = [kind for part, kind in OOXML_MAIN_PARTS.items() if part in names]
        if len(kinds) != 1:
            raise _refuse(name, "it is a ZIP archive, not a Word, Excel or PowerPoint document.")
        for info in infos:
            _check_zip_entry(name, archive, info)
        total = 0
        for info in infos:
            total += _inflate_counting(name, archive, info, MAX_ZIP_UNCOMPRESSED - total)
    return kinds[0]


def _check_zip_entry(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    part = info.filename
    lowered = part.lower()
    if part.startswith(("/", "\\")) or ".." in part.replace("\\", "/").split("/"):
        raise _refuse(name, "it contains a part with a path outside the document.")
    if info.file_size > 1024 * 1024 and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
        raise _refuse(name, "one of its parts expands to far more than its size (possible ZIP bomb).")
    if "vbaproject" in lowered or "vbadata" in lowered or "/activex/" in lowered:
        raise _refuse(name, "it contains macros or ActiveX controls. Save it without macros (.docx, .xlsx, .pptx).")
    if lowered.startswith("xl/externallinks/"):
        raise _refuse(name, "the workbook links to other files (external links). Break the links and try again.")
    if part == "[Content_Types].xml" or lowered.endswith(".rels"):
        data = _read_part(name, archive, info, MAX_XML_PART + 1)
        if len(data) > MAX_XML_PART:
            raise _refuse(name, "one of its parts is unreasonably large.")
    else:
        data = _read_part(name, archive, info, HEAD_BYTES)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06", OLE_MAGIC, b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise _refuse(name, "it contains another archive or embedded object inside it (nested files).")
    if lowered.endswith((".xml", ".rels")):
        # A document type declaration comes before the root element; Office files never have one.
        if b"<!DOCTYPE" in data[:HEAD_BYTES] or b"<!ENTITY" in data[:HEAD_BYTES]:
            raise _refuse(name, "it contains XML declarations that Office documents never use.")
        if part == "[Content_Types].xml" and (b"macroEnabled" in data or b"vbaProject" in data):
            raise _refuse(name, "it contains macros. Save it without macros (.docx, .xlsx, .pptx).")
        if lowered.endswith(".rels"):
            _check_relationships(name, data)


def _check_relationships(name: str, data: bytes) -> None:
    for match in RELATIONSHIP.finditer(data):
        attrs = {m.group(1).lower(): m.group(2) or m.group(3) or b"" for m in ATTRIBUTE.finditer(match["attrs"])}
        if attrs.get(b"targetmode", b"").lower() != b"external":
            continue
        # A clickable web or email hyperlink is ordinary; anything else fetched from outside
        # (a remote template, linked object, image, frame or workbook) is refused.
        is_hyperlink = attrs.get(b"type", b"").endswith(b"/hyperlink")
        if not (is_hyperlink and attrs.get(b"target", b"").strip().lower().startswith(SAFE_LINK_SCHEMES)):
            raise _refuse(
                name,
                "it loads content from outside the document (an external link, template or object). "
                "Remove the link and try again.",
            )


def _inflate_counting(name: str, archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> int:
    # The sizes in a ZIP's directory can lie: count what really comes out, and stop at the budget.
    size = 0
    try:
        with archive.open(info) as entry:
            while piece := entry.read(CHUNK):
                size += len(piece)
                if size > budget:
                    raise _refuse(name, "it expands to far more than its size when opened (possible ZIP bomb).")
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise _refuse(name, "it is a damaged ZIP or Office file.") from error
    if size > MAX_ZIP_RATIO * max(info.compress_size, 1) and size > 1024 * 1024:
        raise _refuse(name, "one of its parts expands to far more than its size (possible ZIP bomb).")
    return size


def _detect(name: str, file: IO[bytes], head: bytes) -> str:
    sniffed = _sniff(head)
    if sniffed is None:
        if head.startswith(EXECUTABLE_MAGIC):
            raise _refuse(name, "it is a program or script, not a document.")
        if head.startswith(OLE_MAGIC):
            raise _refuse(
                name,
                "it is an old-format (.doc, .xls, .ppt) or password-protected Office file. "
                "Save it as .docx, .xlsx or .pptx without a password and try again.",
            )
        if _looks_like_markup(head):
            raise _refuse(name, "it contains web page (HTML), SVG, XML or script content, which is not accepted.")
        raise _refuse(name, "its content is not a PDF, Word, Excel, PowerPoint, PNG or JPEG file.")
    if sniffed == "zip":
        return _check_ooxml(name, file)
    return sniffed


def validate_upload(
    uploaded_file: Any, *, allowed: Iterable[str] = DEFAULT_ALLOWED, max_bytes: int | None = None
) -> tuple[str, str]:
    """Check a file before it is stored; returns (clean name, detected type) or raises ApplicationError."""
    allowed = frozenset(allowed)
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    raw_name = str(getattr(uploaded_file, "name", "") or "")
    clean_name = clean_file_name(raw_name)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, 2)
        size = uploaded_file.tell()
    if size == 0:
        raise _refuse(raw_name, "the file is empty.")
    if size > limit:
        raise _refuse(raw_name, f"it is larger than the {_human_size(limit)} limit ({size:,} bytes).")
    extension = _extension(clean_name)
    accepted = ", ".join(f".{e}" for kind in sorted(allowed) for e in EXTENSIONS.get(kind, ()))
    if not extension:
        raise _refuse(raw_name, f"it has no file extension. Accepted: {accepted}.")

    head = _read_head(uploaded_file)
    try:
        detected = _detect(raw_name, uploaded_file, head)
        if detected not in allowed:
            raise _refuse(raw_name, f"it is {TYPE_WORDS[detected]}, which is not accepted here. Accepted: {accepted}.")
        if extension not in EXTENSIONS[detected]:
            raise _refuse(
                raw_name,
                f"its content is {TYPE_WORDS[detected]} but its name ends in .{extension}: "
                "a file whose content does not match its extension is not accepted.",
            )
        if detected == "pdf":
            _check_pdf(raw_name, uploaded_file, head)
        elif detected == "png":
            _check_png(raw_name, head)
        elif detected == "jpeg":
            _check_jpeg(raw_name, uploaded_file)
        if detected in {"png", "jpeg"} and POLYGLOT.search(head):
            raise _refuse(raw_name, "the image also contains web page (HTML) or script code.")
    finally:
        uploaded_file.seek(0)
    return clean_name, detected


def download_response(stored_file: Any, *, file_name: str, detected_type: str) -> FileResponse:
    """Stream a stored upload as an attachment that no browser will render or sniff."""
    try:
        handle = stored_file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is no longer stored.") from error
    response = FileResponse(
        handle, as_attachment=True, filename=file_name or "download", content_type=content_type_for(detected_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Even if opened directly, the browser runs nothing from it and never caches it for others.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response

"""What every public-data import shares: reading real files safely, dates, and the report.

Files are streamed (never read whole into memory). The encoding is chosen by one binary
pass: a UTF-8 BOM means utf-8-sig, valid UTF-8 means utf-8, anything else is GIAS's
Windows-1252.
"""

import codecs
import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from core.exceptions import ApplicationError

CHUNK = 1 << 20
MISSING_CODES = {"SUPP", "NE", "NP", "NA", "NEW", "LOWCOV", "RE", "X", ".."}


class ImportFileError(ApplicationError):
    """The file cannot be imported as it is; nothing has been changed."""


@dataclass
class RowSkip:
    row: int
    reason: str
    urn: str = ""


@dataclass
class ImportReport:
    """Rows created, updated, unchanged and skipped (each with its reason), per run."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[RowSkip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    def skip(self, row: int, reason: str, urn: str = "") -> None:
        self.skipped.append(RowSkip(row=row, reason=reason, urn=str(urn)))

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": [{"row": s.row, "urn": s.urn, "reason": s.reason} for s in self.skipped],
            "notes": self.notes,
            "changes": self.changes,
        }


def _binary(source: Path | IO[bytes]) -> IO[bytes]:
    if isinstance(source, Path | str):
        return open(source, "rb")  # noqa: SIM115 -- closed by the caller's context
    source.seek(0)
    return source


def detect_encoding(source: Path | IO[bytes]) -> str:
    """utf-8-sig, utf-8 or cp1252, from one streaming pass over the bytes; refuses binary files."""
    handle = _binary(source)
    try:
        first = handle.read(CHUNK)
        if not first.strip():
            raise ImportFileError("The file is empty.")
        if b"\x00" in first:
            raise ImportFileError("This is not a CSV file: it contains binary data.")
        if first.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = first
        try:
            while chunk:
                decoder.decode(chunk)
                chunk = handle.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
        return "utf-8"
    finally:
        if isinstance(source, Path | str):
            handle.close()
        else:
            source.seek(0)


_C1_REPAIR = {c: bytes([c]).decode("cp1252", errors="ignore") or None for c in range(0x80, 0xA0)}


def repair_text(value: str) -> str:
    """Undo Windows-1252 text once decoded as Latin-1 (C1 controls such as U+0092 become ’)."""
    if any(0x80 <= ord(ch) < 0xA0 for ch in value):
        return value.translate(_C1_REPAIR)
    return value


@dataclass
class CsvSource:
    """An opened CSV: its header, its detected encoding and a row iterator (dicts)."""

    name: str
    encoding: str
    header: list[str]
    rows: Iterator[tuple[int, dict[str, str]]]
    handle: IO[str]

    def close(self) -> None:
        self.handle.close()


def _ends_with_newline(source: Path | IO[bytes]) -> bool:
    handle = _binary(source)
    try:
        handle.seek(0, io.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, io.SEEK_END)
        return handle.read(1) in (b"\n", b"\r")
    finally:
        if isinstance(source, Path | str):
            handle.close()
        else:
            source.seek(0)


def open_csv(source: Path | IO[bytes], name: str = "", *, strict_width: bool = True) -> CsvSource:
    """Open a CSV for streaming; raises ImportFileError for empty, binary, headerless or truncated files.

    GIAS files (`strict_width`) never have a row shorter than the header, so a short row means
    the file was cut off; longer rows are real (spilled "Linked establishments") and are kept.
    DfE performance files do have short rows (closed schools): those are padded with blanks,
    and only a short last row with no final line break is taken as a cut-off file.
    """
    label = name or "The file"
    encoding = detect_encoding(source)
    ends_cleanly = _ends_with_newline(source)
    raw = _binary(source)
    text = io.TextIOWrapper(raw, encoding=encoding, newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        text.close()
        raise ImportFileError(f"{label} is empty.") from None
    except (csv.Error, UnicodeDecodeError) as error:
        text.close()
        raise ImportFileError(f"{label} is not a readable CSV file ({error}).") from None
    if len([h for h in header if h]) < 2:
        text.close()
        raise ImportFileError(f"{label} has no header row of column names.")
    width = len(header)

    def truncated(line: int, got: int) -> ImportFileError:
        return ImportFileError(f"{label} looks cut off: row {line} has {got} of {width} columns. Nothing was imported.")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        line = 1
        pending: tuple[int, list[str]] | None = None
        try:
            for values in reader:
                line += 1
                if not values or values == [""]:
                    continue
                if len(values) < width and strict_width:
                    raise truncated(line, len(values))
                if pending is not None:
                    yield pending[0], _as_row(header, pending[1])
                pending = (line, values)
        except csv.Error as error:
            raise ImportFileError(
                f"{label} could not be read past row {line} ({error}). Nothing was imported."
            ) from None
        if pending is not None:
            last_line, values = pending
            if not ends_cleanly and len(values) < width * 0.9:
                raise truncated(last_line, len(values))
            yield last_line, _as_row(header, values)

    return CsvSource(name=name, encoding=encoding, header=header, rows=rows(), handle=text)


_C1 = re.compile("[\x80-\x9f]")


def _as_row(header: list[str], values: list[str]) -> dict[str, str]:
    # One regex over the whole row is far cheaper than checking each value: most rows need no repair.
    if _C1.search("".join(values)):
        values = [repair_text(v) for v in values]
    return {column: values[i] if i < len(values) else "" for i, column in enumerate(header)}


def parse_date(value: str) -> datetime.date | None:
    """GIAS dates: dd-mm-yyyy (raw files), yyyy-mm-dd (re-saved files) or dd/mm/yyyy; blank is None."""
    value = (value or "").strip()
    if not value:
        return None
    for fmt in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{value}' is not a date (expected dd-mm-yyyy or yyyy-mm-dd)")


def parse_int(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    return int(float(value))  # re-saved files write some integers as 7652902.0


def clean(value: str | None) -> str:
    """GIAS writes 'Not applicable' and friends where a value is absent."""
    value = (value or "").strip()
    return "" if value in {"Not applicable", "Not recorded", "Does not apply"} else value

"""In-year predictions: each half-term, the % of pupils on track per year group and subject."""

import datetime
import io
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from schools.models import InYearPrediction, School
from trust.models import User

PRIMARY_YEARS = ["Reception", "Year 1", "Year 2", "Year 3", "Year 4", "Year 5", "Year 6"]
SECONDARY_YEARS = ["Year 7", "Year 8", "Year 9", "Year 10", "Year 11"]
PRIMARY_SUBJECTS = ["Reading", "Writing", "Maths"]
SECONDARY_SUBJECTS = ["English", "Maths", "Science"]
TEMPLATE_COLUMNS = ["Year group", "Subject", "Percent on track"]
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def _is_secondary(school: School) -> bool:
    return school.phase.lower() in {"secondary", "16 plus"}


def year_groups_for(school: School) -> list[str]:
    if school.phase.lower() == "all-through":
        return PRIMARY_YEARS + SECONDARY_YEARS
    return SECONDARY_YEARS if _is_secondary(school) else PRIMARY_YEARS


def subjects_for(school: School) -> list[str]:
    return SECONDARY_SUBJECTS if _is_secondary(school) else PRIMARY_SUBJECTS


def _percent(raw: object, where: str) -> Decimal | None:
    text = str(raw if raw is not None else "").strip().rstrip("%")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ApplicationError(f"{where}: '{raw}' is not a percentage.") from None
    if not Decimal(0) <= value <= Decimal(100):
        raise ApplicationError(f"{where}: {value} is not between 0 and 100.")
    return value.quantize(Decimal("0.1"))


def predictions_save(
    *,
    school: School,
    actor: User,
    academic_year: int,
    half_term: int,
    cells: dict[tuple[str, str], object],
) -> int:
    """Store a half-term's grid (blank cells remove a prediction); all or nothing. Returns cells stored."""
    if not 1 <= half_term <= 6:
        raise ApplicationError("Choose a half-term from Autumn 1 to Summer 2.")
    if not 2000 <= academic_year <= datetime.date.today().year + 1:
        raise ApplicationError("Choose a valid academic year.")
    years, subjects = year_groups_for(school), subjects_for(school)
    parsed: dict[tuple[str, str], Decimal | None] = {}
    for (year_group, subject), raw in cells.items():
        if year_group not in years or subject not in subjects:
            raise ApplicationError(f"'{year_group} {subject}' is not a year group and subject of this school.")
        parsed[(year_group, subject)] = _percent(raw, f"{year_group} {subject}")
    stored = 0
    with transaction.atomic():
        rows = {
            (p.year_group, p.subject): p
            for p in InYearPrediction.objects.filter(school=school, academic_year=academic_year, half_term=half_term)
        }
        before = {cell: row.percent_on_track for cell, row in rows.items()}
        # The whole grid in at most three writes (blanked, new, changed cells), not a query or two per cell.
        blanked, new, changed = [], [], []
        now = timezone.now()
        for (year_group, subject), value in parsed.items():
            row = rows.get((year_group, subject))
            if value is None:
                if row is not None:
                    blanked.append(row.pk)
                continue
            if row is None:
                new.append(
                    InYearPrediction(
                        school=school,
                        academic_year=academic_year,
                        half_term=half_term,
                        year_group=year_group,
                        subject=subject,
                        percent_on_track=value,
                        entered_by=actor,
                    )
                )
            else:
                # bulk_update skips auto_now, so the change time is set here.
                row.percent_on_track, row.entered_by, row.updated_at = value, actor, now
                changed.append(row)
            stored += 1
        if blanked:
            InYearPrediction.objects.filter(pk__in=blanked).delete()
        InYearPrediction.objects.bulk_create(new)
        InYearPrediction.objects.bulk_update(changed, ["percent_on_track", "entered_by", "updated_at"])
        changes = {
            f"{year_group} {subject}": [before.get((year_group, subject)), value]
            for (year_group, subject), value in parsed.items()
            if before.get((year_group, subject)) != value
        }
        if changes:
            audit_record(
                trust=school.trust_id,
                actor=actor,
                action="predictions.saved",
                obj=school,
                label=f"{school.name}: predictions for {academic_year}, half-term {half_term}",
                changes=changes,
            )
    return stored


def _xlsx_rows(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 -- any unreadable workbook gets the same clear message
        raise ApplicationError("The file is not a readable XLSX workbook.") from None
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True, max_row=200, max_col=3)]


def parse_prediction_upload(*, name: str, handle: IO[bytes]) -> dict[tuple[str, str], object]:
    """Read the filled-in template (CSV or XLSX, checked by content) into grid cells."""
    content = handle.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ApplicationError("The file is larger than 2 MB: use the template the page offers.")
    if not content.strip():
        raise ApplicationError("The file is empty.")
    if content.startswith(b"PK\x03\x04"):
        rows = _xlsx_rows(content)
    elif b"\x00" in content[:4096]:
        raise ApplicationError("The file is neither a CSV nor an XLSX file.")
    else:
        import csv

        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
        rows = [list(r) for r in csv.reader(io.StringIO(text))]
    if not rows or [str(c or "").strip() for c in rows[0][:3]] != TEMPLATE_COLUMNS:
        raise ApplicationError(f"The first row must be the template's columns: {', '.join(TEMPLATE_COLUMNS)}.")
    cells: dict[tuple[str, str], object] = {}
    for row in rows[1:]:
        if not any(str(c or "").strip() for c in row):
            continue
        if len(row) < 3:
            raise ApplicationError("Each row needs a year group, a subject and a percentage.")
        cells[(str(row[0]).strip(), str(row[1]).strip())] = row[2]
    if not cells:
        raise ApplicationError("The file has no predictions in it.")
    return cells

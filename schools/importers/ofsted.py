"""Import an Ofsted outcomes CSV (the columns are documented in docs/ofsted-import.md).

Each row is one inspection of one of the trust's schools. The era comes from the date: from
REPORT_CARD_START a row is read as a report card (five-point areas and safeguarding met / not
met), before it as graded judgements (1-4). Every row is recorded through `inspection_record`.
"""

import datetime
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from schools.importers.base import ImportFileError, ImportReport, open_csv, parse_date
from schools.models import InspectionEra, InspectionSource, LegacyGrade, ReportCardGrade, School
from schools.models.inspections import REPORT_CARD_START
from schools.services.inspections import era_for, inspection_record
from trust.models import Trust, User

REQUIRED = {"urn": "URN", "inspection_date": "Inspection date", "inspection_type": "Inspection type"}
LEGACY_COLUMNS = {
    "Overall effectiveness": "overall_effectiveness",
    "Quality of education": "quality_of_education",
    "Behaviour and attitudes": "behaviour_and_attitudes",
    "Personal development": "personal_development",
    "Effectiveness of leadership and management": "leadership_and_management",
    "Early years provision": "early_years",
    "Sixth form provision": "sixth_form",
}
REPORT_CARD_COLUMNS = {
    "Inclusion": "inclusion",
    "Curriculum and teaching": "curriculum_and_teaching",
    "Achievement": "achievement",
    "Attendance and behaviour": "attendance_and_behaviour",
    "Personal development and well-being": "personal_development_and_wellbeing",
    "Early years": "early_years",
    "Post-16": "post_16",
    "Leadership and governance": "leadership_and_governance",
}
SAFEGUARDING = "Safeguarding"
LEGACY_WORDS = {g.label.lower(): g.value for g in LegacyGrade}
# GIAS and older reports name Inadequate's two categories instead of the grade.
INADEQUATE_CATEGORIES = {"serious weaknesses", "special measures"}
REPORT_CARD_WORDS = {g.label.lower(): g.value for g in ReportCardGrade} | {
    "strong": ReportCardGrade.STRONG,
    "expected": ReportCardGrade.EXPECTED,
}
SAFEGUARDING_WORDS = {"met": True, "not met": False}


def _key(column: str) -> str:
    """Column names compared without case, spaces or punctuation ('Well-being' = 'wellbeing')."""
    return re.sub(r"[^a-z0-9]", "", column.lower())


def _columns(header: list[str], name: str) -> dict[str, str]:
    """Our names for the file's columns; ImportFileError if a required one is missing."""
    known = {_key(c): c for c in [*REQUIRED.values(), *LEGACY_COLUMNS, *REPORT_CARD_COLUMNS, SAFEGUARDING]}
    found = {known[_key(h)]: h for h in header if _key(h) in known}
    missing = [c for c in REQUIRED.values() if c not in found]
    if missing:
        raise ImportFileError(
            f"{name} is not an Ofsted outcomes file as documented: it has no {', '.join(repr(m) for m in missing)} "
            "column. The required columns are URN, Inspection date and Inspection type; see docs/ofsted-import.md. "
            "Nothing was imported.",
            {"file": name, "missing": missing},
        )
    return found


def detect(header: list[str]) -> str | None:
    """'ofsted' when the header has the required columns, else None (the upload check)."""
    try:
        _columns(header, "")
    except ImportFileError:
        return None
    return "ofsted"


def wrong_columns_message(name: str, header: list[str]) -> str:
    """Why the upload check refused this header."""
    try:
        _columns(header, name)
    except ImportFileError as error:
        return error.message
    return ""


def _grade(text: str, era: str, column: str) -> int:
    value = text.strip().lower()
    words, top = (LEGACY_WORDS, 4) if era == InspectionEra.LEGACY else (REPORT_CARD_WORDS, 5)
    if value.isdigit() and 1 <= int(value) <= top:
        return int(value)
    if value in words:
        return int(words[value])
    if era == InspectionEra.LEGACY and value in INADEQUATE_CATEGORIES and column == "Overall effectiveness":
        return LegacyGrade.INADEQUATE
    allowed = ", ".join(g.label for g in (LegacyGrade if era == InspectionEra.LEGACY else ReportCardGrade))
    raise ValueError(f"{column} '{text.strip()}' is not a grade (1-{top} or {allowed})")


def run_import(
    *, trust: Trust, files: list[tuple[str, IO[bytes]]], options: dict[str, Any], actor: User | None
) -> ImportReport:
    """Record the inspections in Ofsted outcomes CSVs for the trust's schools, in one transaction.

    options: `dry_run` (roll back at the end). Rows for other schools, bad dates or bad grades are
    skipped with a reason naming the row; a file without the required columns raises ImportFileError.
    """
    if not files:
        raise ImportFileError("No file was given.")
    report = ImportReport()
    schools = {s.urn: s for s in School.objects.filter(trust=trust)}
    with transaction.atomic():
        for name, handle in files:
            _read_file(report, schools, name, handle, actor)
        if options.get("dry_run"):
            transaction.set_rollback(True)
    return report


def _read_file(
    report: ImportReport, schools: dict[int, School], name: str, handle: IO[bytes], actor: User | None
) -> None:
    source = open_csv(handle, name, strict_width=False)
    label = name or "The file"
    try:
        columns = _columns(source.header, label)
        ignored = [h for h in source.header if h and h not in columns.values()]
        if ignored:
            report.notes.append(f"{label}: columns not read: {', '.join(ignored)}.")
        safeguarding_ignored = 0
        for line, row in source.rows:
            urn_text = row[columns["URN"]].strip()
            where = f"{label} row {line}"
            school = schools.get(int(urn_text)) if urn_text.isdigit() else None
            if school is None:
                why = f"URN '{urn_text}' is not a school of this trust" if urn_text else "no URN"
                report.skip(line, f"{where}: {why}.", urn_text)
                continue
            try:
                inspected_on = parse_date(row[columns["Inspection date"]])
                if inspected_on is None:
                    raise ValueError("no inspection date")
                if inspected_on > timezone.localdate():
                    raise ValueError(f"{inspected_on:%d/%m/%Y} is in the future")
                era = era_for(inspected_on)
                judgements, safeguarding, dropped = _judgements(row, columns, era)
            except ValueError as error:
                report.skip(line, f"{where}: {error}.", urn_text)
                continue
            safeguarding_ignored += dropped
            outcome, refused = _record(school, inspected_on, era, judgements, safeguarding, row, columns, actor)
            if refused:
                report.skip(line, f"{where}: {refused}", urn_text)
                continue
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome != "unchanged":
                report.changes.append(
                    {
                        "urn": school.urn,
                        "school": school.name,
                        "inspected_on": inspected_on.isoformat(),
                        "outcome": outcome,
                    }
                )
        if safeguarding_ignored:
            report.notes.append(
                f"{label}: Safeguarding is recorded for report-card inspections only; "
                f"ignored on {safeguarding_ignored} earlier row{'s' if safeguarding_ignored > 1 else ''}."
            )
    finally:
        source.handle.detach()  # the caller owns the binary file: leave it open


def _judgements(row: dict[str, str], columns: dict[str, str], era: str) -> tuple[dict[str, int], bool | None, int]:
    legacy = era == InspectionEra.LEGACY
    ours, theirs = (LEGACY_COLUMNS, REPORT_CARD_COLUMNS) if legacy else (REPORT_CARD_COLUMNS, LEGACY_COLUMNS)
    stray = [c for c in theirs if c in columns and c not in ours and row[columns[c]].strip()]
    if stray:
        start = f"{REPORT_CARD_START:%d %B %Y}".lstrip("0")
        kind = f"an inspection before {start}" if legacy else f"a report-card inspection (from {start})"
        raise ValueError(f"{kind} cannot have {', '.join(stray)} grades")
    judgements = {
        area: _grade(row[columns[column]], era, column)
        for column, area in ours.items()
        if column in columns and row[columns[column]].strip()
    }
    said = row[columns[SAFEGUARDING]].strip().lower() if SAFEGUARDING in columns else ""
    if era == InspectionEra.LEGACY:
        return judgements, None, int(bool(said))
    if said and said not in SAFEGUARDING_WORDS:
        raise ValueError(f"Safeguarding '{said}' is not Met or Not met")
    return judgements, SAFEGUARDING_WORDS.get(said), 0


def _record(
    school: School,
    inspected_on: datetime.date,
    era: str,
    judgements: dict[str, int],
    safeguarding: bool | None,
    row: dict[str, str],
    columns: dict[str, str],
    actor: User | None,
) -> tuple[str, str]:
    """('created' / 'updated' / 'unchanged', '') or ('', the reason inspection_record refused the row)."""
    inspection_type = row[columns["Inspection type"]].strip()
    notes = ""
    overall = row[columns["Overall effectiveness"]].strip() if "Overall effectiveness" in columns else ""
    if era == InspectionEra.LEGACY and overall.lower() in INADEQUATE_CATEGORIES:
        notes = f"Ofsted category: {overall[0].upper()}{overall[1:].lower()}."
    try:
        _, outcome = inspection_record(
            school=school,
            inspected_on=inspected_on,
            judgements=judgements,
            source=InspectionSource.OFSTED_CSV,
            actor=actor,
            era=era,
            inspection_type=inspection_type,
            safeguarding_met=safeguarding,
            notes=notes,
        )
    except ApplicationError as error:
        return "", error.message
    except ValidationError as error:
        return "", "; ".join(error.messages)
    return outcome, ""

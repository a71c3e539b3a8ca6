"""Import DfE performance tables (final KS2 and KS4 files) into a trust's measures and the shared comparators.

What a file is comes from its header: `RECTYPE` with `PTRWM_EXP` is key stage 2, with `ATT8SCR`
key stage 4. The record types come from the DfE field lists (performance/meta/):

- KS2: 1 mainstream school, 2 special school, 3 local authority, 4 national (all schools),
  5 national (state-funded schools).
- KS4: 1 mainstream school, 2 special school, 4 local authority, 5 national (all schools),
  7 national (maintained, i.e. state-funded, schools).

England's figure is the state-funded one (what the performance tables compare schools with);
the all-schools national row is left out. School rows reach a trust school by its own `URN`,
by `URN_AC` (the academy that replaced the school), or by a predecessor link (`SchoolLink`);
a value under the academy's own URN wins over one found through a predecessor. Rows of other
schools are only counted. Codes such as SUPP are stored as "no value, with a reason", never 0.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.academic import academic_year_label
from schools import measures
from schools.importers.base import MISSING_CODES, ImportFileError, ImportReport, open_csv
from schools.models import ComparatorLevel, ComparatorValue, MeasureValue, School, SchoolLink
from trust.models import Trust, User

SCHOOL_RECTYPES = {"1", "2"}
YEAR_IN_NAME = re.compile(r"(?<!\d)(\d{4})-(\d{4})(?!\d)")
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Layout:
    """How one key stage's file is laid out."""

    key_stage: str
    label: str
    marker: str
    la_rectypes: frozenset[str]
    national_rectype: str
    ignored_rectypes: frozenset[str]  # the all-schools national row


LAYOUTS = (
    Layout("ks2", "KS2", "PTRWM_EXP", frozenset({"3"}), "5", frozenset({"4"})),
    Layout("ks4", "KS4", "ATT8SCR", frozenset({"4"}), "7", frozenset({"5"})),
)
REQUIRED_COLUMNS = ("RECTYPE", "LEA", "URN")


def detect_layout(header: list[str], name: str = "The file") -> Layout:
    """The key stage of a DfE performance file, from its header; ImportFileError if it is not one."""
    columns = set(header)
    found = [layout for layout in LAYOUTS if layout.marker in columns]
    if "RECTYPE" not in columns or len(found) != 1:
        raise ImportFileError(
            f"{name} is not a DfE key stage 2 or key stage 4 performance-tables file: its header needs "
            "RECTYPE and either PTRWM_EXP (KS2) or ATT8SCR (KS4). Nothing was imported.",
            {"file": name},
        )
    layout = found[0]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(
            f"{name} looks like a {layout.label} file but has no {', '.join(missing)} column. Nothing was imported.",
            {"file": name, "missing": missing},
        )
    if not any(m.dfe_column in columns for m in measures.for_key_stage(layout.key_stage)):
        raise ImportFileError(f"{name} has none of the {layout.label} measures' columns. Nothing was imported.")
    return layout


def detect(header: list[str]) -> str | None:
    """'ks2' or 'ks4' for a DfE performance file's header, None for anything else (the upload check)."""
    try:
        return detect_layout(header).key_stage
    except ImportFileError:
        return None


def wrong_columns_message(name: str, header: list[str]) -> str:
    """Why the upload check refused this header."""
    try:
        detect_layout(header, name)
    except ImportFileError as error:
        return error.message
    return ""


def academic_year_of(name: str, options: dict[str, Any]) -> int:
    """The start year of the file's academic year: options['academic_year'] if given, else the file name."""
    given = options.get("academic_year")
    if given not in (None, ""):
        try:
            year = int(str(given).strip()[:4])
        except ValueError:
            raise ImportFileError(f"'{given}' is not an academic year: give its start year, e.g. 2018.") from None
        if not 2000 <= year <= 2100:
            raise ImportFileError(f"{year} is not a plausible academic year: give its start year, e.g. 2018.")
        return year
    match = YEAR_IN_NAME.search(name)
    if match and int(match.group(2)) == int(match.group(1)) + 1:
        return int(match.group(1))
    raise ImportFileError(
        f"Which academic year is {name or 'this file'}? The name does not start like 2018-2019_...; "
        "give the year (its start year, e.g. 2018 for 2018/19)."
    )


def parse_value(raw: str) -> tuple[Decimal | None, str]:
    """A DfE cell as (value, missing code): '63%' -> 63, 'SUPP' -> (None, 'SUPP'), blank -> (None, '')."""
    text = (raw or "").strip()
    if not text:
        return None, ""
    if text.upper() in MISSING_CODES:
        return None, text.upper()
    try:
        value = Decimal(text.removesuffix("%").strip())
    except InvalidOperation:
        raise ValueError(f"'{text}' is neither a number nor a DfE missing-value code") from None
    if not value.is_finite():
        raise ValueError(f"'{text}' is not a number")
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP), ""


def _int(raw: str | None) -> int | None:
    text = (raw or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


@dataclass
class Candidate:
    """A value waiting to be written; lower `rank` wins (own URN before predecessor, any value before blank)."""

    value: Decimal | None
    code: str
    source: str
    source_urn: int | None
    where: str  # file and row, for the report
    line: int

    @property
    def blank(self) -> bool:
        return self.value is None and not self.code

    @property
    def rank(self) -> tuple[bool, bool]:
        return (self.blank, self.source_urn is not None)


@dataclass
class _Run:
    report: ImportReport
    by_urn: dict[int, School]
    predecessors: dict[int, list[School]]
    values: dict[tuple[int, str, int], Candidate] = field(default_factory=dict)
    comparators: dict[tuple[str, str, str, int], tuple[Decimal | None, str]] = field(default_factory=dict)
    conflicts: dict[tuple[int, int, str], str] = field(default_factory=dict)


def run_import(
    *, trust: Trust, files: list[tuple[str, IO[bytes]]], options: dict[str, Any], actor: User | None
) -> ImportReport:
    """Import DfE KS2 / KS4 files for the trust's schools (and LA / national comparators), in one transaction.

    options: `academic_year` (start year, overrides the file names), `dry_run` (roll back at the end).
    Raises ImportFileError, with nothing written, when a file is not a performance file or its year is unknown.
    """
    report = ImportReport()
    if not files:
        raise ImportFileError("No file was given.")
    schools = list(School.objects.filter(trust=trust))
    predecessors: dict[int, list[School]] = {}
    by_pk = {s.pk: s for s in schools}
    for link in SchoolLink.objects.filter(school__trust=trust).only("school_id", "predecessor_urn"):
        predecessors.setdefault(link.predecessor_urn, []).append(by_pk[link.school_id])
    run = _Run(report=report, by_urn={s.urn: s for s in schools}, predecessors=predecessors)

    with transaction.atomic():
        for name, handle in files:
            _read_file(run, name, handle, options)
        _write_values(run)
        _write_comparators(run)
        report.notes.extend(run.conflicts.values())
        if options.get("dry_run"):
            transaction.set_rollback(True)
    return report


def _read_file(run: _Run, name: str, handle: IO[bytes], options: dict[str, Any]) -> None:
    source = open_csv(handle, name, strict_width=False)
    try:
        layout = detect_layout(source.header, name or "The file")
        year = academic_year_of(name, options)
        named = YEAR_IN_NAME.search(name)
        if options.get("academic_year") not in (None, "") and named and int(named.group(1)) != year:
            run.report.notes.append(
                f"{name}: read as {academic_year_label(year)} as asked, although its name says "
                f"{named.group(1)}/{named.group(2)[2:]}."
            )
        columns = [m for m in measures.for_key_stage(layout.key_stage) if m.dfe_column in source.header]
        absent = [m.dfe_column for m in measures.for_key_stage(layout.key_stage) if m.dfe_column not in source.header]
        label = f"DfE {layout.label} {academic_year_label(year)}"
        counts = {"matched": 0, "other": 0, "comparator": 0, "ignored": 0}
        for line, row in source.rows:
            rectype = row["RECTYPE"].strip()
            if rectype in SCHOOL_RECTYPES:
                matched = _school_row(run, layout, label, year, columns, f"{name} row {line}", line, row)
                counts["matched" if matched else "other"] += 1
            elif rectype in layout.la_rectypes or rectype == layout.national_rectype:
                national = rectype == layout.national_rectype
                level = ComparatorLevel.NATIONAL if national else ComparatorLevel.LOCAL_AUTHORITY
                la_code = "" if national else row["LEA"].strip()
                for measure in columns:
                    try:
                        parsed = parse_value(row[measure.dfe_column or ""])
                    except ValueError as error:
                        run.report.skip(line, f"{name} row {line}: {measure.dfe_column} {error}; left out.")
                        continue
                    run.comparators[(level, la_code, measure.code, year)] = parsed
                counts["comparator"] += 1
            elif rectype in layout.ignored_rectypes:
                counts["ignored"] += 1
            else:
                run.report.skip(
                    line, f"{name} row {line}: unknown record type RECTYPE '{rectype}'.", row.get("URN", "")
                )
    finally:
        source.handle.detach()  # the caller owns the binary file: leave it open
    summary = (
        f"{name}: {layout.label} {academic_year_label(year)}; {_rows(counts['matched'])} for trust schools, "
        f"{_rows(counts['other'])} not a trust school, {_rows(counts['comparator'])} local authority or England"
    )
    if counts["ignored"]:
        summary += f", {_rows(counts['ignored'])} England (all schools) left out: the state-funded figure is used"
    run.report.notes.append(summary + ".")
    if absent:
        run.report.notes.append(f"{name}: no column for {', '.join(absent)}; those measures were not imported.")


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _school_row(
    run: _Run,
    layout: Layout,
    label: str,
    year: int,
    columns: list[measures.Measure],
    where: str,
    line: int,
    row: dict[str, str],
) -> bool:
    urn = _int(row["URN"])
    if urn is None:
        run.report.skip(line, f"{where}: a school row without a URN.")
        return False
    targets: list[tuple[School, int | None]] = []
    if urn in run.by_urn:
        targets.append((run.by_urn[urn], None))
    academy = run.by_urn.get(_int(row.get("URN_AC")) or 0)
    if academy is not None:
        targets.append((academy, urn))
    targets.extend((school, urn) for school in run.predecessors.get(urn, []))
    unique: dict[int, tuple[School, int | None]] = {}
    for school, via in targets:
        unique.setdefault(school.pk, (school, via))  # the first way a school is reached is the most direct
    if not unique:
        return False
    parsed: dict[str, tuple[Decimal | None, str]] = {}
    for measure in columns:
        try:
            parsed[measure.code] = parse_value(row[measure.dfe_column or ""])
        except ValueError as error:
            run.report.skip(line, f"{where}: {measure.dfe_column} {error}; left out.", str(urn))
    if all(value is None and not code for value, code in parsed.values()):
        run.report.skip(line, f"{where}: no {layout.label} results for URN {urn}.", str(urn))
        return True
    for school, source_urn in unique.values():
        for code, (value, missing) in parsed.items():
            candidate = Candidate(value, missing, label, source_urn, where, line)
            key = (school.pk, code, year)
            held = run.values.get(key)
            if held is None or candidate.rank < held.rank:
                run.values[key] = candidate
            elif (
                candidate.rank == held.rank
                and candidate.source_urn != held.source_urn
                and (candidate.value, candidate.code) != (held.value, held.code)
            ):
                run.conflicts.setdefault(
                    (school.pk, year, where),
                    f"{school.name} ({school.urn}): {label} results from URN {held.source_urn or school.urn} "
                    f"kept; {where} (predecessor URN {urn}) has others.",
                )
    return True


def _shown(value: Decimal | None, code: str) -> str:
    return f"{value:f}" if value is not None else (code or "blank")


def _write_values(run: _Run) -> None:
    if not run.values:
        return
    school_ids = {k[0] for k in run.values}
    codes = {k[1] for k in run.values}
    years = {k[2] for k in run.values}
    by_pk = {s.pk: s for s in run.by_urn.values()}
    existing = {
        (v.school_id, v.measure, v.academic_year): v
        for v in MeasureValue.objects.filter(school_id__in=school_ids, measure__in=codes, academic_year__in=years)
    }
    to_create: list[MeasureValue] = []
    to_update: list[MeasureValue] = []
    kept: dict[int, int] = {}
    for (school_id, code, year), c in run.values.items():
        school = by_pk[school_id]
        current = existing.get((school_id, code, year))
        if current is None:
            current = MeasureValue(school=school, measure=code, academic_year=year)
            before = None
        else:
            stored = Candidate(current.value, current.missing_code, current.source, current.source_urn, "", 0)
            if stored.source_urn != c.source_urn and c.rank > stored.rank:
                # What is stored came more directly (the academy's own URN) or has a value: keep it.
                kept[school_id] = kept.get(school_id, 0) + 1
                run.report.unchanged += 1
                continue
            same = (current.value, current.missing_code, current.source, current.source_urn) == (
                c.value,
                c.code,
                c.source,
                c.source_urn,
            )
            if same:
                run.report.unchanged += 1
                continue
            before = _shown(current.value, current.missing_code)
        current.value, current.missing_code, current.source, current.source_urn = (
            c.value,
            c.code,
            c.source,
            c.source_urn,
        )
        try:
            current.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            run.report.skip(c.line, f"{c.where}: {code} not stored ({'; '.join(error.messages)}).", str(school.urn))
            continue
        (to_create if before is None else to_update).append(current)
        run.report.changes.append(
            {
                "urn": school.urn,
                "school": school.name,
                "measure": code,
                "academic_year": year,
                "before": before,
                "after": _shown(c.value, c.code),
                "source_urn": c.source_urn,
            }
        )
    now = timezone.now()
    for value in to_update:
        value.updated_at = now  # bulk_update skips auto_now
    MeasureValue.objects.bulk_create(to_create)
    MeasureValue.objects.bulk_update(to_update, ["value", "missing_code", "source", "source_urn", "updated_at"])
    run.report.created += len(to_create)
    run.report.updated += len(to_update)
    for school_id, count in kept.items():
        school = by_pk[school_id]
        run.report.notes.append(
            f"{school.name} ({school.urn}): kept {count} stored values rather than a predecessor's or a blank "
            "(a value under the academy's own URN comes first)."
        )


def _write_comparators(run: _Run) -> None:
    if not run.comparators:
        return
    existing = {
        (c.level, c.la_code, c.measure, c.academic_year): c
        for c in ComparatorValue.objects.filter(
            measure__in={k[2] for k in run.comparators}, academic_year__in={k[3] for k in run.comparators}
        )
    }
    to_create: list[ComparatorValue] = []
    to_update: list[ComparatorValue] = []
    for key, (value, code) in run.comparators.items():
        level, la_code, measure, year = key
        current = existing.get(key)
        if current is not None and (current.value, current.missing_code) == (value, code):
            run.report.unchanged += 1
            continue
        if current is None:
            current = ComparatorValue(level=level, la_code=la_code, measure=measure, academic_year=year)
            to_create.append(current)
        else:
            to_update.append(current)
        current.value, current.missing_code = value, code
        try:
            current.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            (to_create if current.pk is None else to_update).remove(current)
            run.report.skip(0, f"{level} {la_code} {measure}: not stored ({'; '.join(error.messages)}).")
    ComparatorValue.objects.bulk_create(to_create)
    ComparatorValue.objects.bulk_update(to_update, ["value", "missing_code"])
    run.report.created += len(to_create)
    run.report.updated += len(to_update)

"""GIAS onboarding: a trust's schools, their predecessors and latest Ofsted grade, from public files.

Three GIAS formats are recognised by their header, in any mix and any order:
- establishments (the "Find an establishment" download or the bulk `edubasealldata` file),
- group links (`alllinksdata`: which group each school belongs to, by Group UID),
- establishment links (`links_edubasealldata`: predecessor and successor URNs).

The import has two steps so that a large file's progress can be shown while the data still
changes in one transaction: `read` streams every file (no writes; a bad file raises
ImportFileError) and keeps only the chosen trust's rows; `apply` writes them and must run
inside one transaction. `run_import` does both.

Overlapping establishment files (say a 2022 primary extract and a 2021 county extract): for
each URN the row with the latest `LastChangedDate` wins, whatever order the files come in;
on a tie the file given later wins. Every row's Ofsted columns are kept, so an older file
can add an earlier inspection to the school's history.
"""

import contextlib
import datetime
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError
from schools.importers.base import (
    CsvSource,
    ImportFileError,
    ImportReport,
    RowSkip,
    clean,
    open_csv,
    parse_date,
    parse_int,
)
from schools.models import (
    Inspection,
    InspectionEra,
    InspectionJudgement,
    InspectionSource,
    MembershipStatus,
    School,
    SchoolLink,
)
from schools.models.inspections import REPORT_CARD_START
from schools.services.inspections import GIAS_OVERALL_GRADES, inspection_record
from trust.models import Trust, User

ESTABLISHMENTS, GROUP_LINKS, LINKS = "gias_establishments", "gias_group_links", "gias_links"
# Checked in this order: a group-links file also has EstablishmentName and TypeOfEstablishment.
FILE_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    GROUP_LINKS: ("GIAS group links", ("URN", "Group UID", "Group Type", "Joined date")),
    LINKS: ("GIAS establishment links", ("URN", "LinkURN", "LinkType")),
    ESTABLISHMENTS: (
        "GIAS establishments",
        ("URN", "EstablishmentName", "TypeOfEstablishment (name)", "EstablishmentStatus (name)"),
    ),
}
# Group types whose links make a school part of the trust; School sponsor and Federation rows never do.
TRUST_GROUP_TYPES = {"Multi-academy trust", "Single-academy trust", "Trust"}
PROGRESS_EVERY = 2000
FLUSH_EVERY = 2000  # rows created per bulk write
MAX_LISTED_CHANGES = 5000
# School fields an import writes, in the order the preview shows them.
SCHOOL_FIELDS = [
    "name",
    "la_code",
    "la_name",
    "phase",
    "establishment_type",
    "postcode",
    "number_of_pupils",
    "headteacher_name",
    "gias_status",
    "is_open",
    "opened_on",
    "closed_on",
    "status",
    "joined_trust_on",
    "left_trust_on",
    "gias_group_uid",
    "is_incomplete",
]

Progress = Callable[[int], None]


def label_for(kind: str) -> str:
    return FILE_KINDS[kind][0] if kind in FILE_KINDS else kind


def detect(header: Iterable[str]) -> str | None:
    """Which GIAS file a header belongs to (GROUP_LINKS, LINKS or ESTABLISHMENTS), or None."""
    columns = {column.strip() for column in header}
    for kind, (_, required) in FILE_KINDS.items():
        if columns.issuperset(required):
            return kind
    return None


def wrong_columns_message(name: str, header: Iterable[str]) -> str:
    columns = {column.strip() for column in header}
    expected = "; ".join(f"{label} ({', '.join(required)})" for label, required in FILE_KINDS.values())
    message = f"{name} is not a GIAS file this import reads. Expected the columns of one of: {expected}."
    if "Group UID" in columns and "URN" not in columns:
        message += " It looks like the GIAS groups file (allgroupsdata): upload the group links file instead."
    return message


def _uid(value: str) -> str:
    """Group UIDs as GIAS writes them; re-saved files sometimes write 3201.0."""
    value = (value or "").strip()
    try:
        return str(int(float(value)))
    except ValueError:
        return value


def _urn(value: str, column: str = "URN") -> int:
    urn = parse_int(value)
    if urn is None or urn <= 0:
        raise ValueError(f"{column} '{value.strip()}' is not a URN")
    return urn


def _date(row: dict[str, str], column: str) -> datetime.date | None:
    try:
        return parse_date(row.get(column, ""))
    except ValueError as error:
        raise ValueError(f"{column}: {error}") from None


@dataclass(slots=True)
class GroupSummary:
    uid: str
    name: str
    group_type: str
    schools: int = 0

    @property
    def is_trust(self) -> bool:
        return self.group_type in TRUST_GROUP_TYPES

    def as_dict(self) -> dict[str, Any]:
        return {"uid": self.uid, "name": self.name, "type": self.group_type, "schools": self.schools}


# The School fields each kind of row fills, in the order their values are kept (tuples: a large
# file's rows are held until they are written, and a tuple is a fifth of the size of a dict).
LINK_FIELDS = ("name", "la_code", "la_name", "phase", "establishment_type")
ESTABLISHMENT_FIELDS = (
    *LINK_FIELDS,
    "postcode",
    "number_of_pupils",
    "headteacher_name",
    "gias_status",
    "is_open",
    "opened_on",
    "closed_on",
)


@dataclass(slots=True)
class GroupLink:
    line: int
    values: tuple[Any, ...]
    joined_on: datetime.date | None
    closed_on: datetime.date | None
    is_closed: bool


@dataclass(slots=True)
class Establishment:
    values: tuple[Any, ...]
    key: tuple[datetime.date, int]
    trust_code: str


@dataclass(slots=True)
class Predecessor:
    urn: int
    name: str
    link_type: str
    linked_on: datetime.date | None


@dataclass
class Plan:
    """What `read` found in the files for one trust: the input of `apply`."""

    group_uid: str
    group_name: str = ""
    files: list[dict[str, Any]] = field(default_factory=list)
    groups: dict[str, GroupSummary] = field(default_factory=dict)
    links: dict[int, GroupLink] = field(default_factory=dict)
    establishments: dict[int, Establishment] = field(default_factory=dict)
    # (URN, inspection date) -> (OfstedRating word, the row's key: later rows win).
    inspections: dict[tuple[int, datetime.date], tuple[str, tuple[datetime.date, int]]] = field(default_factory=dict)
    predecessors: dict[int, dict[int, Predecessor]] = field(default_factory=dict)
    skipped: list[RowSkip] = field(default_factory=list)
    rows_read: int = 0
    has_group_links: bool = False
    has_establishments: bool = False
    other_group_rows: int = 0
    non_trust_rows: int = 0
    other_establishment_rows: int = 0
    overlapping: int = 0
    predecessor_rows: int = 0

    def skip(self, line: int, reason: str, urn: int | str = "") -> None:
        self.skipped.append(RowSkip(row=line, reason=reason, urn=str(urn)))

    def trust_groups(self) -> list[dict[str, Any]]:
        """The trusts (not sponsors or federations) the group-links files list, by name."""
        found = [g for g in self.groups.values() if g.is_trust]
        return [g.as_dict() for g in sorted(found, key=lambda g: (g.name.casefold(), g.uid))]


@dataclass
class GiasReport(ImportReport):
    """The import report plus the group, the files and the schools known only from group links."""

    group: dict[str, str] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0
    left: int = 0
    predecessors_added: int = 0
    inspections_recorded: int = 0
    incomplete: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "group": self.group,
            "files": self.files,
            "rows_read": self.rows_read,
            "left": self.left,
            "predecessors_added": self.predecessors_added,
            "inspections_recorded": self.inspections_recorded,
            "incomplete": self.incomplete,
        }


# Reading -------------------------------------------------------------------------------------


def _rows(source: CsvSource) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        yield from source.rows
    except UnicodeDecodeError as error:
        raise ImportFileError(
            f"{source.name} could not be read as {source.encoding} text near byte {error.start}. Nothing was imported."
        ) from None


def _release(source: CsvSource) -> None:
    # The caller opened the file and closes it; only the text layer on top is ours.
    with contextlib.suppress(ValueError):
        source.handle.detach()


def _named(error: ImportFileError, name: str) -> ImportFileError:
    if name and name not in error.message:
        return ImportFileError(f"{name}: {error.message}", error.extra)
    return error


def open_sources(files: list[tuple[str, IO[bytes]]]) -> list[tuple[str, CsvSource]]:
    """Open every file and recognise it by its header; raises ImportFileError naming a bad file."""
    sources: list[tuple[str, CsvSource]] = []
    try:
        for name, handle in files:
            try:
                source = open_csv(handle, name)
            except ImportFileError as error:
                raise _named(error, name) from None
            kind = detect(source.header)
            sources.append((kind or "", source))
            if kind is None:
                raise ImportFileError(wrong_columns_message(name, source.header))
    except ImportFileError:
        for _, source in sources:
            _release(source)
        raise
    return sources


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause Python's cyclic collector: with a large file's rows alive it rescans them again and again
    (half the time of a 50,000-school import). The import builds no reference cycles worth collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@_gc_paused()
def read(
    *,
    trust: Trust,
    files: list[tuple[str, IO[bytes]]],
    options: dict[str, Any],
    progress: Progress | None = None,
) -> Plan:
    """Stream every file once, check it, and keep the rows that concern the trust's group; writes nothing."""
    if not files:
        raise ApplicationError("Choose at least one GIAS file to import.", {"field": "files"})
    plan = Plan(group_uid=_uid(str(options.get("group_uid") or "")))
    existing = set(School.objects.filter(trust=trust).values_list("urn", flat=True))
    sources = open_sources(files)
    # Group links first: they say which URNs belong to the trust; then establishments; then links.
    order = {GROUP_LINKS: 0, ESTABLISHMENTS: 1, LINKS: 2}
    sources.sort(key=lambda item: order[item[0]])
    readers = {GROUP_LINKS: _read_group_links, ESTABLISHMENTS: _read_establishments, LINKS: _read_links}

    def tick() -> None:
        plan.rows_read += 1
        if progress is not None and plan.rows_read % PROGRESS_EVERY == 0:
            progress(plan.rows_read)

    try:
        for index, (kind, source) in enumerate(sources):
            before = plan.rows_read
            readers[kind](plan, source, existing=existing, index=index, tick=tick)
            plan.files.append(
                {"name": source.name, "kind": kind, "label": label_for(kind), "rows": plan.rows_read - before}
            )
    finally:
        for _, source in sources:
            _release(source)
    if progress is not None:
        progress(plan.rows_read)
    _check_group(plan)
    return plan


def _check_group(plan: Plan) -> None:
    if not plan.group_uid or not plan.has_group_links or plan.links:
        return
    trusts = plan.trust_groups()
    listed = ", ".join(f"{g['uid']} {g['name']}" for g in trusts[:10])
    hint = f" The group-links file lists {len(trusts)} trusts" + (f": {listed}." if len(trusts) <= 10 else ".")
    found = plan.groups.get(plan.group_uid)
    if found is not None and not found.is_trust:
        raise ApplicationError(
            f"Group {found.uid} ({found.name}) is a {found.group_type}, not a trust: its rows never create "
            f"schools. Choose the trust's own Group UID.{hint}",
            {"field": "group_uid", "groups": trusts},
        )
    raise ApplicationError(
        f"Group UID {plan.group_uid} is not in the group-links file, so nothing was imported.{hint}",
        {"field": "group_uid", "groups": trusts},
    )


def _read_group_links(plan: Plan, source: CsvSource, *, existing: set[int], index: int, tick: Callable) -> None:
    plan.has_group_links = True
    for line, row in _rows(source):
        tick()
        uid = _uid(row["Group UID"])
        group_type = row["Group Type"].strip()
        summary = plan.groups.get(uid)
        if summary is None:
            summary = plan.groups[uid] = GroupSummary(
                uid=uid, name=row.get("Group Name", "").strip(), group_type=group_type
            )
        summary.schools += 1
        if uid != plan.group_uid:
            plan.other_group_rows += 1
            continue
        if group_type not in TRUST_GROUP_TYPES:
            plan.non_trust_rows += 1
            plan.skip(line, f"A '{group_type}' row: only a trust's own links create schools.", row.get("URN", ""))
            continue
        try:
            urn = _urn(row["URN"])
            joined_on = _date(row, "Joined date")
            closed_on = _date(row, "Closed Date")
        except ValueError as error:
            plan.skip(line, f"{error}.", row.get("URN", ""))
            continue
        plan.group_name = summary.name
        values = (
            clean(row.get("EstablishmentName")),
            *_categories(row),
        )
        is_closed = closed_on is not None or row.get("Group Status", "").strip().lower() == "closed"
        link = GroupLink(line=line, values=values, joined_on=joined_on, closed_on=closed_on, is_closed=is_closed)
        current = plan.links.get(urn)
        if current is None or _rank(link) >= _rank(current):
            plan.links[urn] = link


def _rank(link: GroupLink) -> tuple[bool, datetime.date]:
    # A school listed twice under the group: an open link beats a closed one, then the later join wins.
    return (not link.is_closed, link.joined_on or datetime.date.min)


def _categories(row: dict[str, str]) -> tuple[str, ...]:
    # Interned: thousands of rows share "Hampshire", "Primary", "Academy converter".
    columns = ("LA (code)", "LA (name)", "PhaseOfEducation (name)", "TypeOfEstablishment (name)")
    return tuple(sys.intern(clean(row.get(column))) for column in columns)


def _establishment_values(row: dict[str, str]) -> tuple[Any, ...]:
    name = clean(row.get("EstablishmentName"))
    if not name:
        raise ValueError("EstablishmentName is blank")
    try:
        pupils = parse_int(row.get("NumberOfPupils", ""))
    except ValueError:
        raise ValueError(f"NumberOfPupils '{row.get('NumberOfPupils', '').strip()}' is not a number") from None
    head = (clean(row.get("HeadTitle (name)")), clean(row.get("HeadFirstName")), clean(row.get("HeadLastName")))
    status = clean(row.get("EstablishmentStatus (name)"))
    return (
        name,
        *_categories(row),
        clean(row.get("Postcode")).upper(),
        pupils,
        " ".join(part for part in head if part),
        sys.intern(status),
        # "Open, but proposed to close" is open; "Proposed to open" and "Closed" are not.
        status.lower().startswith("open") if status else True,
        _date(row, "OpenDate"),
        _date(row, "CloseDate"),
    )


def _read_establishments(plan: Plan, source: CsvSource, *, existing: set[int], index: int, tick: Callable) -> None:
    plan.has_establishments = True
    wanted = (set(plan.links) | existing) if plan.group_uid else set()
    # Without a group-links file, the bulk file's `Trusts (code)` column (the Group UID) says who is in.
    by_trust_code = bool(plan.group_uid) and not plan.has_group_links and "Trusts (code)" in source.header
    for line, row in _rows(source):
        tick()
        try:
            urn = _urn(row["URN"])
        except ValueError as error:
            plan.skip(line, f"{error}.", row["URN"])
            continue
        trust_code = _uid(row.get("Trusts (code)", "")) if by_trust_code else ""
        if urn not in wanted and not (by_trust_code and trust_code == plan.group_uid):
            plan.other_establishment_rows += 1
            continue
        try:
            values = _establishment_values(row)
            changed_on = _date(row, "LastChangedDate")
            inspected_on = _date(row, "OfstedLastInsp")
        except ValueError as error:
            plan.skip(line, f"{error}.", urn)
            continue
        key = (changed_on or datetime.date.min, index)
        current = plan.establishments.get(urn)
        if current is not None:
            plan.overlapping += 1
        if current is None or key >= current.key:
            plan.establishments[urn] = Establishment(values=values, key=key, trust_code=trust_code)
        rating = clean(row.get("OfstedRating (name)"))
        if inspected_on is not None and rating:
            seen = plan.inspections.get((urn, inspected_on))
            if seen is None or key >= seen[1]:
                plan.inspections[(urn, inspected_on)] = (rating, key)


def _read_links(plan: Plan, source: CsvSource, *, existing: set[int], index: int, tick: Callable) -> None:
    wanted = (set(plan.links) | existing | set(plan.establishments)) if plan.group_uid else set()
    for line, row in _rows(source):
        tick()
        link_type = row["LinkType"].strip()
        if not link_type.lower().startswith("predecessor"):
            continue
        try:
            urn = _urn(row["URN"])
        except ValueError as error:
            plan.skip(line, f"{error}.", row["URN"])
            continue
        if urn not in wanted:
            continue
        try:
            link_urn = _urn(row["LinkURN"], "LinkURN")
            linked_on = _date(row, "LinkEstablishedDate")
        except ValueError as error:
            plan.skip(line, f"{error}.", urn)
            continue
        plan.predecessor_rows += 1
        plan.predecessors.setdefault(urn, {})[link_urn] = Predecessor(
            urn=link_urn, name=clean(row.get("LinkName")), link_type=link_type, linked_on=linked_on
        )


# Writing -------------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _invalid(error: ValidationError) -> str:
    return "; ".join(f"{name}: {' '.join(messages)}" for name, messages in error.message_dict.items())


@_gc_paused()
def apply(*, trust: Trust, plan: Plan, actor: User | None) -> GiasReport:
    """Write what `read` found: create, update or mark as left; link predecessors; record inspections.

    Call inside one transaction; it consumes the plan. Queries are a fixed handful (bulk writes in
    batches), plus one `inspection_record` per corrected GIAS inspection, however many rows.
    """
    if not plan.group_uid:
        raise ApplicationError("Choose the trust's GIAS Group UID before importing.", {"field": "group_uid"})
    today, now = timezone.localdate(), timezone.now()
    report = GiasReport(
        group={"uid": plan.group_uid, "name": plan.group_name},
        files=plan.files,
        rows_read=plan.rows_read,
        skipped=list(plan.skipped),
    )
    schools = {school.urn: school for school in School.objects.filter(trust=trust)}
    open_links = {urn for urn, link in plan.links.items() if not link.is_closed}
    link_counts = (len(open_links), len(plan.links) - len(open_links))
    gone = set()
    if plan.has_group_links:
        # Known from this group's links before, no longer linked now: the school has left the trust.
        gone = {
            urn
            for urn, school in schools.items()
            if school.gias_group_uid == plan.group_uid
            and school.status == MembershipStatus.MEMBER
            and urn not in open_links
        }
    by_code = {urn for urn, est in plan.establishments.items() if est.trust_code and est.trust_code == plan.group_uid}
    candidates = set(plan.links) | by_code | gone | (set(plan.establishments) & set(schools))

    changes: dict[int, dict[str, Any]] = {}
    refs: dict[int, SchoolRef] = {}
    to_create: list[School] = []
    to_update: list[School] = []
    update_fields: set[str] = set()

    def created(batch: list[School]) -> None:
        # Written in chunks and kept only as light references, so a large file's memory stays flat.
        School.objects.bulk_create(batch, batch_size=500)
        refs.update((s.urn, SchoolRef(s.pk, s.urn, s.name, s.is_incomplete)) for s in batch)
        batch.clear()

    for urn in sorted(candidates):
        school = schools.get(urn)
        # The plan is consumed as it is written, so its rows are not held twice.
        link, est = plan.links.pop(urn, None), plan.establishments.pop(urn, None)
        is_new = school is None
        if school is None:
            if link is not None and link.is_closed:
                report.skip(
                    link.line,
                    "The school's link to the trust is closed and it was never in Trustwide: nothing to record.",
                    urn,
                )
                continue
            school = School(trust=trust, urn=urn, status=MembershipStatus.MEMBER)
        desired: dict[str, Any] = {}
        if est is not None:
            desired.update(zip(ESTABLISHMENT_FIELDS, est.values, strict=True))
            desired["is_incomplete"] = False
        elif link is not None and (is_new or school.is_incomplete):
            desired.update((key, value) for key, value in zip(LINK_FIELDS, link.values, strict=True) if value or is_new)
            desired["is_incomplete"] = True
        if link is not None:
            desired["gias_group_uid"] = plan.group_uid
            if link.joined_on is not None:
                desired["joined_trust_on"] = link.joined_on
            if link.is_closed:
                desired["status"] = MembershipStatus.LEFT
                if link.closed_on is not None:
                    desired["left_trust_on"] = link.closed_on
                elif school.status != MembershipStatus.LEFT or school.left_trust_on is None:
                    desired["left_trust_on"] = today
            else:
                desired["status"] = MembershipStatus.MEMBER
                desired["left_trust_on"] = None
        elif urn in gone:
            desired["status"] = MembershipStatus.LEFT
            desired["left_trust_on"] = today
        elif is_new:
            desired["gias_group_uid"] = plan.group_uid

        diff = {
            name: (getattr(school, name), value) for name, value in desired.items() if getattr(school, name) != value
        }
        for name, (_, value) in diff.items():
            setattr(school, name, value)
        # Checks of the values the files set, without queries: uniqueness is the URN dict and the constraint.
        unchanged = [f.name for f in School._meta.fields if f.name not in diff]
        try:
            school.clean_fields(exclude=unchanged)
        except ValidationError as error:
            line = link.line if link is not None else 0
            report.skip(line, f"The school's values are not valid ({_invalid(error)}).", urn)
            if not is_new:
                for name, (old, _) in diff.items():
                    setattr(school, name, old)
            continue

        if is_new:
            action = "created"
            to_create.append(school)
            if len(to_create) >= FLUSH_EVERY:
                created(to_create)
        elif not diff:
            action = "unchanged"
        else:
            old_status = diff.get("status", (school.status, school.status))[0]
            if school.status == MembershipStatus.LEFT and old_status != MembershipStatus.LEFT:
                action = "left"
            elif old_status == MembershipStatus.LEFT and school.status != MembershipStatus.LEFT:
                action = "rejoined"
            else:
                action = "updated"
            school.updated_at = now
            to_update.append(school)
            update_fields.update(diff)
        change = changes[urn] = {"urn": urn, "name": school.name, "action": action}
        if diff and not is_new:
            change["fields"] = {
                name: [_shown(old), _shown(new)] for name, (old, new) in sorted(diff.items(), key=_field_order)
            }
        if school.is_incomplete:
            change["incomplete"] = True

    created(to_create)
    if to_update:
        School.objects.bulk_update(to_update, sorted(update_fields | {"updated_at"}), batch_size=500)
    refs.update((urn, SchoolRef(s.pk, urn, s.name, s.is_incomplete)) for urn, s in schools.items())
    del schools, to_update

    _link_predecessors(trust=trust, plan=plan, schools=refs, changes=changes, report=report)
    _record_inspections(trust=trust, plan=plan, schools=refs, changes=changes, report=report, actor=actor)
    _summarise(plan=plan, changes=changes, report=report, link_counts=link_counts)
    return report


class SchoolRef(NamedTuple):
    pk: int
    urn: int
    name: str
    is_incomplete: bool


def _field_order(item: tuple[str, Any]) -> int:
    return SCHOOL_FIELDS.index(item[0]) if item[0] in SCHOOL_FIELDS else len(SCHOOL_FIELDS)


def _touch(changes: dict[int, dict[str, Any]], school: SchoolRef) -> dict[str, Any]:
    change = changes.get(school.urn)
    if change is None:
        change = changes[school.urn] = {"urn": school.urn, "name": school.name, "action": "unchanged"}
        if school.is_incomplete:
            change["incomplete"] = True
    return change


def _link_predecessors(
    *, trust: Trust, plan: Plan, schools: dict[int, SchoolRef], changes: dict[int, dict[str, Any]], report: GiasReport
) -> None:
    existing = {(link.school_id, link.predecessor_urn): link for link in SchoolLink.objects.filter(school__trust=trust)}
    to_create: list[SchoolLink] = []
    to_update: list[SchoolLink] = []
    added = 0
    for urn, predecessors in sorted(plan.predecessors.items()):
        school = schools.get(urn)
        if school is None:
            continue
        for predecessor in sorted(predecessors.values(), key=lambda p: p.urn):
            if predecessor.urn == urn:
                continue
            wanted = {
                "predecessor_name": predecessor.name[:200],
                "link_type": predecessor.link_type[:60],
                "linked_on": predecessor.linked_on,
            }
            link = existing.get((school.pk, predecessor.urn))
            if link is None:
                to_create.append(SchoolLink(school_id=school.pk, predecessor_urn=predecessor.urn, **wanted))
                if len(to_create) >= FLUSH_EVERY:
                    added += len(to_create)
                    SchoolLink.objects.bulk_create(to_create, batch_size=500)
                    to_create.clear()
                _touch(changes, school).setdefault("predecessors_added", []).append(
                    {"urn": predecessor.urn, "name": predecessor.name}
                )
            elif any(getattr(link, name) != value for name, value in wanted.items()):
                for name, value in wanted.items():
                    setattr(link, name, value)
                to_update.append(link)
                _touch(changes, school).setdefault("predecessors_updated", []).append(
                    {"urn": predecessor.urn, "name": predecessor.name}
                )
    SchoolLink.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        SchoolLink.objects.bulk_update(to_update, ["predecessor_name", "link_type", "linked_on"], batch_size=500)
    report.predecessors_added = added + len(to_create)


def _record_inspections(
    *,
    trust: Trust,
    plan: Plan,
    schools: dict[int, SchoolRef],
    changes: dict[int, dict[str, Any]],
    report: GiasReport,
    actor: User | None,
) -> None:
    """The latest graded inspection from each row's GIAS Ofsted columns.

    A correction of an earlier GIAS record goes through `inspection_record`. New inspections, the
    bulk of an onboarding, are created in bulk under the same rules (legacy era, overall
    effectiveness 1-4, no future date): one service call each cost about 8 queries per school.
    A record from the Ofsted outcomes import or the form is never overwritten.
    """
    if not plan.inspections:
        return
    existing = {
        (row["school_id"], row["inspected_on"]): (row["id"], row["source"])
        for row in Inspection.objects.filter(school__trust=trust).values("id", "school_id", "inspected_on", "source")
    }
    overall = dict(
        InspectionJudgement.objects.filter(inspection__school__trust=trust, area="overall_effectiveness").values_list(
            "inspection_id", "grade"
        )
    )
    today = timezone.localdate()
    new: list[tuple[Inspection, int, SchoolRef, str]] = []
    for (urn, inspected_on), (rating, _) in sorted(plan.inspections.items()):
        school = schools.get(urn)
        if school is None:
            continue
        when = f"{inspected_on:%d-%m-%Y}"
        grade = GIAS_OVERALL_GRADES.get(rating.strip().lower())
        if grade is None:
            report.skip(0, f"OfstedRating '{rating}' on {when} is not a graded judgement.", urn)
            continue
        if inspected_on >= REPORT_CARD_START:
            report.skip(
                0,
                f"The inspection on {when} is a report-card inspection: GIAS's one word cannot stand for its "
                "grades. Import the Ofsted outcomes file for it.",
                urn,
            )
            continue
        if inspected_on > today:
            report.skip(
                0, f"Ofsted inspection on {when} not recorded: an inspection date cannot be in the future.", urn
            )
            continue
        found = existing.get((school.pk, inspected_on))
        if found is None:
            inspection = Inspection(
                school_id=school.pk,
                inspected_on=inspected_on,
                era=InspectionEra.LEGACY,
                source=InspectionSource.GIAS,
                recorded_by=actor,
            )
            new.append((inspection, grade, school, rating))
            continue
        if overall.get(found[0]) == grade:
            continue
        if found[1] != InspectionSource.GIAS:
            report.skip(
                0,
                f"GIAS grades the inspection on {when} '{rating}', but the record from the "
                f"{InspectionSource(found[1]).label.lower()} differs and was kept.",
                urn,
            )
            continue
        try:
            _, outcome = inspection_record(
                school=School.objects.get(pk=school.pk),
                inspected_on=inspected_on,
                judgements={"overall_effectiveness": grade},
                source=InspectionSource.GIAS,
                actor=actor,
                era=InspectionEra.LEGACY,
            )
        except (ApplicationError, ValidationError) as error:
            message = error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
            report.skip(0, f"Ofsted inspection on {when} not recorded: {message}", urn)
            continue
        if outcome != "unchanged":
            report.inspections_recorded += 1
            _touch(changes, school).setdefault("inspections", []).append(
                {"on": inspected_on.isoformat(), "grade": rating, "outcome": outcome}
            )

    Inspection.objects.bulk_create([item[0] for item in new], batch_size=500)
    if any(inspection.pk is None for inspection, *_ in new):
        # A database that cannot return keys from a bulk insert: read them back.
        ids = {
            (row[1], row[2]): row[0]
            for row in Inspection.objects.filter(school__trust=trust).values_list("id", "school_id", "inspected_on")
        }
        for inspection, *_ in new:
            inspection.pk = ids[(inspection.school_id, inspection.inspected_on)]
    InspectionJudgement.objects.bulk_create(
        (
            InspectionJudgement(inspection=inspection, area="overall_effectiveness", grade=grade)
            for inspection, grade, *_ in new
        ),
        batch_size=1000,
    )
    for inspection, _, school, rating in new:
        report.inspections_recorded += 1
        _touch(changes, school).setdefault("inspections", []).append(
            {"on": inspection.inspected_on.isoformat(), "grade": rating, "outcome": "created"}
        )


ACTION_ORDER = {"created": 0, "left": 1, "rejoined": 2, "updated": 3, "unchanged": 4}


def _summarise(
    *, plan: Plan, changes: dict[int, dict[str, Any]], report: GiasReport, link_counts: tuple[int, int]
) -> None:
    for change in changes.values():
        related = any(change.get(key) for key in ("predecessors_added", "predecessors_updated", "inspections"))
        if change["action"] == "unchanged" and related:
            change["action"] = "updated"
    actions = [change["action"] for change in changes.values()]
    report.created = actions.count("created")
    report.unchanged = actions.count("unchanged")
    report.updated = len(actions) - report.created - report.unchanged
    report.left = actions.count("left")
    listed = sorted(changes.values(), key=lambda c: (ACTION_ORDER[c["action"]], c["name"].casefold(), c["urn"]))
    report.changes = listed[:MAX_LISTED_CHANGES]
    report.incomplete = [{"urn": c["urn"], "name": c["name"]} for c in listed if c.get("incomplete")]

    notes = report.notes
    open_count, closed = link_counts
    if plan.has_group_links:
        notes.append(
            f"Group {plan.group_uid} ({plan.group_name}): {open_count} schools linked"
            + (f", {closed} links closed." if closed else ".")
        )
    if len(listed) > MAX_LISTED_CHANGES:
        notes.append(f"The list shows the first {MAX_LISTED_CHANGES:,} of {len(listed):,} schools.")
    if report.incomplete:
        notes.append(
            f"{len(report.incomplete)} schools linked to the trust have no row in the establishment files: they "
            "were created from the group-links row (URN, name, join date) and are marked incomplete."
        )
    if plan.other_group_rows:
        notes.append(f"{plan.other_group_rows:,} group-links rows belong to other groups and were ignored.")
    if plan.other_establishment_rows:
        notes.append(f"{plan.other_establishment_rows:,} establishment rows are other schools and were ignored.")
    if plan.overlapping:
        notes.append(
            f"{plan.overlapping} schools appear in more than one establishment file: the row with the latest "
            "LastChangedDate was used."
        )
    if report.left:
        notes.append(f"{report.left} schools are no longer linked to the trust and are marked as left (never deleted).")
    if report.predecessors_added:
        notes.append(f"{report.predecessors_added} predecessor links added.")
    if report.inspections_recorded:
        notes.append(f"{report.inspections_recorded} Ofsted inspections recorded from the GIAS columns.")
    if not plan.has_group_links:
        notes.append("No group-links file: only schools already in Trustwide (or listed under the trust) were updated.")


def run_import(
    *, trust: Trust, files: list[tuple[str, IO[bytes]]], options: dict[str, Any], actor: User | None
) -> GiasReport:
    """Read the files, then apply them in one transaction; options: {"group_uid": "3201"}."""
    plan = read(trust=trust, files=files, options=options)
    with transaction.atomic():
        return apply(trust=trust, plan=plan, actor=actor)

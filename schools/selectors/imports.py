"""Reads for import pages and the API: a trust's runs, one run, progress and the trusts a file lists."""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from schools.models import ImportKind, ImportRun, ImportStatus, School
from trust.models import Trust

GROUPS_SHOWN = 100


def import_runs_of(trust: Trust) -> QuerySet[ImportRun]:
    """The trust's import runs, newest first, with who asked and the files (two queries for any number)."""
    return (
        ImportRun.objects.filter(trust=trust)
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("-created_at", "-id")
    )


def import_run_of(trust: Trust, run_uuid: UUID) -> ImportRun:
    """One of the trust's runs by its public id; another trust's run is simply not found (404)."""
    return get_object_or_404(import_runs_of(trust), uuid=run_uuid)


def last_group_uid(trust: Trust) -> str:
    """The Group UID of the trust's last completed GIAS import, to suggest for the next one."""
    run = (
        ImportRun.objects.filter(trust=trust, kind=ImportKind.GIAS, status=ImportStatus.DONE)
        .exclude(group_uid="")
        .order_by("-created_at")
        .first()
    )
    return run.group_uid if run is not None else ""


def import_progress(run: ImportRun) -> dict[str, Any]:
    """Rows read so far, the total and a whole-number percentage for the progress bar."""
    total, done = run.rows_total, min(run.rows_done, run.rows_total)
    percent = int(done * 100 / total) if total else (100 if run.status == ImportStatus.DONE else 0)
    return {
        "total": total,
        "done": done,
        "percent": percent,
        "active": run.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "writing": run.status == ImportStatus.RUNNING and total > 0 and done >= total,
    }


def groups_to_choose(run: ImportRun, query: str = "", trust_name: str = "") -> dict[str, Any]:
    """The trusts listed in a GIAS run's group-links file, filtered by name or UID.

    With no search, the groups whose name shares words with the trust's name come first.
    """
    groups: list[dict[str, Any]] = list((run.preview or {}).get("groups", []))
    query = query.strip().casefold()
    if query:
        shown = [g for g in groups if query in g["name"].casefold() or query == str(g["uid"])]
    else:
        words = {w for w in trust_name.casefold().split() if len(w) > 3 and w not in {"trust", "academy", "academies"}}
        shown = sorted(groups, key=lambda g: not (words & set(g["name"].casefold().split())))
    return {"groups": shown[:GROUPS_SHOWN], "matching": len(shown), "total": len(groups)}


ACTIONS = {
    "created": "Created",
    "updated": "Updated",
    "left": "Marked as left the trust",
    "rejoined": "Back in the trust",
    "unchanged": "Unchanged",
}
ROWS_SHOWN = 1000
SKIPS_SHOWN = 500


def _field_label(name: str) -> str:
    try:
        label = str(School._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _on(value: str) -> str:
    try:
        return f"{datetime.date.fromisoformat(value):%-d %b %Y}"
    except (TypeError, ValueError):
        return str(value)


def _details(change: dict[str, Any]) -> list[str]:
    details = []
    for name, values in (change.get("fields") or {}).items():
        if isinstance(values, list | tuple) and len(values) == 2:
            old, new = (v if v not in ("", None) else "(blank)" for v in values)
            details.append(f"{_field_label(name)}: {old} → {new}")
        else:
            details.append(f"{_field_label(name)}: {values}")
    for link in change.get("predecessors_added") or []:
        details.append(f"Predecessor linked: {link.get('name') or 'unnamed'} (URN {link.get('urn')})")
    for link in change.get("predecessors_updated") or []:
        details.append(f"Predecessor details updated: {link.get('name') or 'unnamed'} (URN {link.get('urn')})")
    for inspection in change.get("inspections") or []:
        details.append(
            f"Ofsted inspection {_on(inspection.get('on'))}: {inspection.get('grade')} ({inspection.get('outcome')})"
        )
    if change.get("incomplete"):
        details.append("Known only from the group links file (incomplete)")
    known = {
        "urn",
        "name",
        "action",
        "fields",
        "incomplete",
        "predecessors_added",
        "predecessors_updated",
        "inspections",
    }
    details += [f"{key.replace('_', ' ').capitalize()}: {value}" for key, value in change.items() if key not in known]
    return details


def report_for_display(report: dict[str, Any] | None) -> dict[str, Any]:
    """A stored preview or report, shaped for the page: labelled changes, capped lists, counts."""
    report = dict(report or {})
    changes = [c for c in report.get("changes") or [] if isinstance(c, dict)]
    skipped = list(report.get("skipped") or [])
    rows = [
        {
            "name": change.get("name") or change.get("school") or "",
            "urn": change.get("urn") or "",
            "action": ACTIONS.get(change.get("action", ""), str(change.get("action", "")).capitalize()),
            "details": _details(change),
        }
        for change in changes[:ROWS_SHOWN]
    ]
    return {
        **report,
        "rows": rows,
        "rows_hidden": max(len(changes) - ROWS_SHOWN, 0),
        "skipped": skipped[:SKIPS_SHOWN],
        "skipped_count": len(skipped),
        "skipped_hidden": max(len(skipped) - SKIPS_SHOWN, 0),
    }


def report_export_rows(report: dict[str, Any] | None) -> dict[str, list[list[Any]]]:
    """Every change and skipped row of a preview or report (the page shows only the first ones), for a download."""
    report = dict(report or {})
    changes = [c for c in report.get("changes") or [] if isinstance(c, dict)]
    return {
        "schools": [
            [
                change.get("name") or change.get("school") or "",
                change.get("urn") or "",
                ACTIONS.get(change.get("action", ""), str(change.get("action", "")).capitalize()),
                "; ".join(_details(change)),
            ]
            for change in changes
        ],
        "skipped": [
            [skip.get("row") or "", skip.get("urn") or "", skip.get("reason") or ""]
            for skip in report.get("skipped") or []
            if isinstance(skip, dict)
        ],
    }


def import_files_of(run: ImportRun) -> list[dict[str, Any]]:
    """The run's files with the format each was recognised as."""
    labels: dict[str, str] = {}
    if run.kind == ImportKind.GIAS:
        from schools.importers.gias import FILE_KINDS  # only GIAS names its formats here

        labels = {kind: label for kind, (label, _) in FILE_KINDS.items()}
    return [
        {"name": f.original_name, "label": labels.get(f.detected, f.detected), "size": f.size} for f in run.files.all()
    ]

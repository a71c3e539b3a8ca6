"""Import runs: upload and check, preview (the real import, rolled back), confirm, execute as a job.

Every kind of import plugs in through one module (see IMPORTERS) exposing
`run_import(*, trust, files, options, actor) -> ImportReport`. A module may also expose
- `detect(header) -> str | None`: which of its formats a header is (None refuses the upload),
  with `wrong_columns_message(name, header)` for the refusal;
- `read(*, trust, files, options, progress) -> plan` and `apply(*, trust, plan, actor) -> report`:
  the import in two steps, so progress can be shown while the files are read outside the
  transaction. Without them, progress moves only before and after the one transaction.

Progress: `rows_done` is written with plain autocommit UPDATEs while the files are read, and no
transaction is open then, so another connection (the page polling on PostgreSQL, or on SQLite)
sees each value at once. The data itself changes afterwards, in one transaction.
"""

import contextlib
import csv
import importlib
import importlib.util
import io
import logging
import os
import time
from collections.abc import Callable
from functools import partial
from types import ModuleType
from typing import IO, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from core.audit import audit_record
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from core.jobs import claim, enqueue_on_commit
from core.uploads import clean_file_name
from schools.importers.base import ImportFileError, ImportReport, detect_encoding
from schools.models import ImportFile, ImportKind, ImportRun, ImportStatus
from trust.models import Trust, User

logger = logging.getLogger(__name__)

IMPORTERS = {
    ImportKind.GIAS: "schools.importers.gias",
    ImportKind.OFSTED: "schools.importers.ofsted",
    ImportKind.PERFORMANCE: "schools.importers.performance",
}
DEFAULT_MAX_UPLOAD_BYTES = 100 * 1024 * 1024
PROGRESS_INTERVAL = 0.5  # seconds between progress writes
ACTIVE = (ImportStatus.QUEUED, ImportStatus.RUNNING)

Files = list[tuple[str, IO[bytes]]]


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def importer_available(kind: str) -> bool:
    return kind in IMPORTERS and importlib.util.find_spec(IMPORTERS[ImportKind(kind)]) is not None


def importer_for(kind: str) -> ModuleType:
    """The importer module for a kind, imported only when needed."""
    if kind not in IMPORTERS:
        raise ApplicationError(f"'{kind}' is not a kind of import.", {"field": "kind"})
    if not importer_available(kind):
        raise ApplicationError(f"The {ImportKind(kind).label} import is not available yet.", {"field": "kind"})
    return importlib.import_module(IMPORTERS[ImportKind(kind)])


def run_options(run: ImportRun) -> dict[str, Any]:
    if run.kind == ImportKind.GIAS:
        return {"group_uid": run.group_uid}
    return dict(run.options or {})


def is_previewed(run: ImportRun) -> bool:
    """True once the run has a full preview (for GIAS: once the trust's group has been chosen)."""
    return "created" in (run.preview or {})


# Checking uploads ---------------------------------------------------------------------------


def _header(name: str, handle: IO[bytes]) -> list[str]:
    """The first row of a CSV upload; refuses empty, binary and headerless files, naming the file."""
    try:
        encoding = detect_encoding(handle)
    except ImportFileError as error:
        raise ImportFileError(f"{name}: {error.message}", {"field": "files"}) from None
    handle.seek(0)
    first = handle.readline(256 * 1024).decode(encoding, errors="replace")
    handle.seek(0)
    try:
        header = next(csv.reader(io.StringIO(first)), [])
    except csv.Error as error:
        raise ImportFileError(f"{name} is not a readable CSV file ({error}).", {"field": "files"}) from None
    if len([column for column in header if column.strip()]) < 2:
        raise ImportFileError(f"{name} has no header row of column names: is it a CSV file?", {"field": "files"})
    return [column.strip() for column in header]


def _detect(module: ModuleType, kind: str, name: str, header: list[str]) -> str:
    if not hasattr(module, "detect"):
        return ""
    found = module.detect(header)
    if found is None:
        if hasattr(module, "wrong_columns_message"):
            message = module.wrong_columns_message(name, header)
        else:
            message = (
                f"{name} is not a file the {ImportKind(kind).label} import reads (its columns are not recognised)."
            )
        raise ImportFileError(message, {"field": "files"})
    return str(found)


def _check_uploads(module: ModuleType, kind: str, uploads: list[UploadedFile]) -> list[str]:
    if not uploads:
        raise ApplicationError("Choose at least one CSV file to upload.", {"field": "files"})
    limit = max_upload_bytes()
    detected = []
    for upload in uploads:
        # The same name rules as every other upload (no paths, hidden characters or 300-character names).
        name = clean_file_name(upload.name or "")
        if upload.size is not None and upload.size > limit:
            raise ImportFileError(
                f"{name} is {upload.size / 1_048_576:.0f} MB; files up to {limit / 1_048_576:.0f} MB can be imported.",
                {"field": "files"},
            )
        detected.append(_detect(module, kind, name, _header(name, upload)))
    return detected


# Running an importer ------------------------------------------------------------------------


def _execute(
    *,
    module: ModuleType,
    trust: Trust,
    files: Files,
    options: dict[str, Any],
    actor: User | None,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Run one import; all its writes happen in one transaction, rolled back for a dry run (the preview)."""
    if hasattr(module, "read") and hasattr(module, "apply"):
        plan = module.read(trust=trust, files=files, options=options, progress=progress)
        with transaction.atomic():
            report = module.apply(trust=trust, plan=plan, actor=actor)
            if dry_run:
                transaction.set_rollback(True)
        return report
    with transaction.atomic():
        report = module.run_import(trust=trust, files=files, options=options, actor=actor)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _preview(*, run: ImportRun, files: Files, actor: User | None) -> dict[str, Any]:
    module = importer_for(run.kind)
    options = run_options(run)
    if run.kind == ImportKind.GIAS and not options["group_uid"]:
        # No group yet: read everything (so a bad file is refused now) and list the trusts found.
        plan = module.read(trust=run.trust, files=files, options=options)
        return {"needs_group": True, "groups": plan.trust_groups(), "files": plan.files, "rows_read": plan.rows_read}
    report = _execute(module=module, trust=run.trust, files=files, options=options, actor=actor, dry_run=True)
    return report.as_dict()


def _open_stored(records: list[ImportFile]) -> Files:
    return [(record.original_name, record.file.storage.open(record.file.name, "rb")) for record in records]


def _close(files: Files) -> None:
    for _, handle in files:
        handle.close()


def _preview_stored(*, run: ImportRun, records: list[ImportFile], actor: User | None) -> dict[str, Any]:
    files = _open_stored(records)
    try:
        return _preview(run=run, files=files, actor=actor)
    finally:
        _close(files)


def count_rows(handle: IO[bytes]) -> int:
    """Data rows in a CSV, by counting line breaks (one fast pass): the total a progress bar moves to."""
    handle.seek(0)
    lines, last = 0, b""
    while chunk := handle.read(1 << 20):
        lines += chunk.count(b"\n")
        last = chunk[-1:]
    handle.seek(0)
    if last and last != b"\n":
        lines += 1
    return max(lines - 1, 0)


class _Progress:
    """Writes rows_done at most every PROGRESS_INTERVAL seconds, as its own autocommitted UPDATE."""

    def __init__(self, run: ImportRun, echo: Callable[[int, int], None] | None = None) -> None:
        self.run, self.echo, self.last = run, echo, 0.0

    def __call__(self, rows_done: int) -> None:
        now = time.monotonic()
        if now - self.last < PROGRESS_INTERVAL:
            return
        self.last = now
        done = min(rows_done, self.run.rows_total)
        ImportRun.objects.filter(pk=self.run.pk).update(rows_done=done)
        if self.echo is not None:
            self.echo(done, self.run.rows_total)


# The run's life: create (with preview), choose the group, confirm or cancel, execute -------


def import_run_create(
    *,
    trust: Trust,
    actor: User,
    kind: str,
    uploaded_files: list[UploadedFile],
    options: dict[str, Any],
) -> ImportRun:
    """Check the uploads, store them privately and preview the import; on any refusal nothing is stored."""
    module = importer_for(kind)
    detected = _check_uploads(module, kind, uploaded_files)
    _refuse_repeated_upload(trust=trust, actor=actor, kind=kind, uploads=uploaded_files)
    run = ImportRun(
        trust=trust,
        kind=kind,
        requested_by=actor,
        status=ImportStatus.PREVIEW,
        group_uid=str(options.get("group_uid") or "").strip() if kind == ImportKind.GIAS else "",
        options={"academic_year": options["academic_year"]} if options.get("academic_year") else {},
    )
    records: list[ImportFile] = []
    try:
        for upload, found in zip(uploaded_files, detected, strict=True):
            record = ImportFile(run=run, original_name=(upload.name or "upload.csv")[:255], detected=found)
            record.size = upload.size or 0
            upload.seek(0)
            record.file.save(record.original_name, upload, save=False)
            records.append(record)
        run.preview = _preview_stored(run=run, records=records, actor=actor)
        with transaction.atomic():
            run.full_clean()
            run.save()
            for record in records:
                record.run = run
                record.full_clean()
                record.save()
            audit_record(
                trust=trust,
                actor=actor,
                action="import.uploaded",
                obj=run,
                changes={"kind": run.get_kind_display(), "files": [record.original_name for record in records]},
            )
    except BaseException:
        # Storage is not transactional: a refused upload must leave no file behind.
        _delete_stored(records)
        raise
    return run


def _refuse_repeated_upload(*, trust: Trust, actor: User, kind: str, uploads: list[UploadedFile]) -> None:
    """The same files sent again moments later (a double click, a resent form) are refused: the first preview stands."""
    same = (
        ImportRun.objects.filter(trust=trust, requested_by=actor, kind=kind, status=ImportStatus.PREVIEW)
        .annotate(file_count=Count("files"))
        .filter(file_count=len(uploads))
    )
    for upload in uploads:
        named = ImportFile.objects.filter(original_name=(upload.name or "upload.csv")[:255], size=upload.size or 0)
        same = same.filter(pk__in=named.values("run_id"))
    refuse_repeat(same, what="upload of these files")


def _delete_stored(records: list[ImportFile]) -> None:
    """Delete a run's stored files, and on a local disk the run's folder too."""
    folders = set()
    for record in records:
        if record.file.name:
            record.file.storage.delete(record.file.name)
            folders.add((record.file.storage, os.path.dirname(record.file.name)))
    for storage, folder in folders:
        with contextlib.suppress(NotImplementedError, OSError):  # not a local disk, or not empty
            os.rmdir(storage.path(folder))


def import_run_choose_group(*, run: ImportRun, actor: User, group_uid: str) -> ImportRun:
    """Set the trust's GIAS Group UID on a run and preview the import for it."""
    if run.kind != ImportKind.GIAS:
        raise ApplicationError("Only a GIAS import has a group to choose.")
    if run.status != ImportStatus.PREVIEW:
        raise ApplicationError("This import is no longer waiting for a preview.")
    group_uid = (group_uid or "").strip()
    if not group_uid:
        raise ApplicationError("Choose the trust's Group UID.", {"field": "group_uid"})
    records = list(run.files.all())
    if not records:
        raise ApplicationError("This import has no files: start a new import.")
    previous = run.group_uid
    run.group_uid = group_uid
    try:
        run.preview = _preview_stored(run=run, records=records, actor=actor)
    except BaseException:
        run.group_uid = previous
        raise
    with transaction.atomic():
        run.save(update_fields=["group_uid", "preview", "updated_at"])
        audit_record(
            trust=run.trust_id,
            actor=actor,
            action="import.group_chosen",
            obj=run,
            changes={"group_uid": [previous, group_uid]},
        )
    return run


def import_run_confirm(*, run: ImportRun, actor: User) -> ImportRun:
    """Queue the previewed import; a background job runs it (at once, in-process, without Redis)."""
    from schools.tasks import import_run_task  # the task module imports this one

    with transaction.atomic():
        run = ImportRun.objects.select_for_update().select_related("trust").get(pk=run.pk)
        if run.status != ImportStatus.PREVIEW:
            raise ApplicationError(f"This import cannot be confirmed: it is {run.get_status_display().lower()}.")
        if not is_previewed(run):
            raise ApplicationError("Choose the trust's Group UID and check the preview before confirming.")
        if not run.files.exists():
            raise ApplicationError("This import has no files: start a new import.")
        if ImportRun.objects.filter(trust=run.trust, status__in=ACTIVE).exists():
            # Two imports writing the same schools at once would fail on each other's rows.
            raise ApplicationError("Another import for this trust is still running: confirm this one when it ends.")
        run.status = ImportStatus.QUEUED
        run.error = ""
        run.rows_done = 0
        run.attempts = 1
        run.enqueued_at = timezone.now()
        run.save(update_fields=["status", "error", "rows_done", "attempts", "enqueued_at", "updated_at"])
        audit_record(
            trust=run.trust_id,
            actor=actor,
            action="import.confirmed",
            obj=run,
            changes={"status": [ImportStatus.PREVIEW.label, run.get_status_display()]},
        )
        # Sent once the queued row commits; a broker that is down leaves it for the sweeper.
        enqueue_on_commit(import_run_task, row=run, trust_id=run.trust_id, run_id=run.pk, actor_id=actor.pk)
    return run


def _files_missing(records: list[ImportFile]) -> list[str]:
    """The names of a run's uploads that storage no longer holds (deleted, or lost with a disk)."""
    return [
        record.original_name
        for record in records
        if not record.file.name or not record.file.storage.exists(record.file.name)
    ]


def import_run_retry(*, run: ImportRun, actor: User) -> ImportRun:
    """Queue a failed import again from its stored files; it runs from the start, in one transaction as before."""
    from schools.tasks import import_run_task  # the task module imports this one

    with transaction.atomic():
        # Locked, so two presses of Retry take turns and the second finds the run queued (or done).
        run = ImportRun.objects.select_for_update().select_related("trust").get(pk=run.pk)
        if run.status != ImportStatus.FAILED:
            raise ApplicationError(
                f"Only a failed import can be retried; this one is {run.get_status_display().lower()}.",
                {"status": run.status},
            )
        records = list(run.files.all())
        missing = _files_missing(records)
        if not records or missing:
            raise ApplicationError(
                "This import's files are no longer stored, so it cannot be retried: upload them again to start "
                "a new import.",
                {"missing": missing},
            )
        if ImportRun.objects.filter(trust=run.trust, status__in=ACTIVE).exists():
            raise ApplicationError("Another import for this trust is still running: retry this one when it ends.")
        previous_error = run.error
        run.status = ImportStatus.QUEUED
        run.error = ""
        run.report = {}
        run.rows_done = 0
        run.attempts += 1
        run.started_at = None
        run.finished_at = None
        run.enqueued_at = timezone.now()
        run.save(
            update_fields=[
                "status",
                "error",
                "report",
                "rows_done",
                "attempts",
                "started_at",
                "finished_at",
                "enqueued_at",
                "updated_at",
            ]
        )
        audit_record(
            trust=run.trust_id,
            actor=actor,
            action="import.retried",
            obj=run,
            changes={
                "status": [ImportStatus.FAILED.label, run.get_status_display()],
                "attempts": run.attempts,
                "error": previous_error,
            },
        )
        # Sent once the queued row commits; a broker that is down leaves it for the sweeper.
        enqueue_on_commit(import_run_task, row=run, trust_id=run.trust_id, run_id=run.pk, actor_id=actor.pk)
    return run


def import_run_cancel(*, run: ImportRun, actor: User) -> ImportRun:
    """Drop a previewed import that will not be confirmed, and delete its uploaded files."""
    if run.status != ImportStatus.PREVIEW:
        raise ApplicationError(f"This import cannot be cancelled: it is {run.get_status_display().lower()}.")
    with transaction.atomic():
        run.status = ImportStatus.CANCELLED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at", "updated_at"])
        audit_record(
            trust=run.trust_id,
            actor=actor,
            action="import.cancelled",
            obj=run,
            changes={"status": [ImportStatus.PREVIEW.label, run.get_status_display()]},
        )
        transaction.on_commit(partial(_delete_stored, list(run.files.all())))
    return run


def _fail(run: ImportRun, message: str, actor: User | None = None) -> None:
    run.status = ImportStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["status", "error", "finished_at", "updated_at"])
        audit_record(trust=run.trust_id, actor=actor, action="import.failed", obj=run, changes={"error": message})


def _run_now(
    *, run: ImportRun, files: Files, actor: User | None, echo: Callable[[int, int], None] | None = None
) -> ImportRun:
    """Execute a RUNNING run on open files, store its report or its error; never raises for a bad file."""
    run.rows_total = sum(count_rows(handle) for _, handle in files)
    run.rows_done = 0
    run.save(update_fields=["rows_total", "rows_done", "updated_at"])
    try:
        report = _execute(
            module=importer_for(run.kind),
            trust=run.trust,
            files=files,
            options=run_options(run),
            actor=actor,
            dry_run=False,
            progress=_Progress(run, echo),
        )
    except ApplicationError as error:
        said = "nothing was" in error.message.lower()
        _fail(run, error.message if said else f"{error.message} Nothing was changed.", actor)
        return run
    except Exception:
        logger.exception("Import run %s failed", run.pk)
        _fail(
            run, "The import stopped on an unexpected error and nothing was changed. The error has been logged.", actor
        )
        return run
    run.report = report.as_dict()
    if actor is not None:
        run.report["run_by"] = actor.full_name or actor.email
    rows = int(run.report.get("rows_read") or run.rows_total)
    run.rows_total = run.rows_done = rows
    run.status = ImportStatus.DONE
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save(update_fields=["report", "rows_total", "rows_done", "status", "finished_at", "updated_at"])
        # The counts only: the report's row-by-row changes stay on the run itself.
        audit_record(
            trust=run.trust_id,
            actor=actor,
            action="import.done",
            obj=run,
            changes={key: run.report.get(key) for key in ("created", "updated", "unchanged")}
            | {"skipped": len(run.report.get("skipped") or [])},
        )
    return run


def import_run_execute(*, run_id: int, actor_id: int | None = None) -> ImportRun:
    """Run a confirmed import (called by the job): progress while reading, then one transaction, then the report."""
    claimed = claim(ImportRun, run_id)
    run = ImportRun.objects.select_related("trust", "requested_by").get(pk=run_id)
    if not claimed:
        return run  # already run, running or cancelled: a redelivered job must not import twice
    actor = User.objects.filter(pk=actor_id).first() if actor_id else run.requested_by
    try:
        files = _open_stored(list(run.files.all()))
    except OSError:
        logger.exception("Import run %s: stored files missing", run.pk)
        _fail(run, "The uploaded files could not be read back from storage; nothing was changed.", actor)
        return run
    try:
        return _run_now(run=run, files=files, actor=actor)
    finally:
        _close(files)


def import_run_now(
    *,
    trust: Trust,
    actor: User | None,
    kind: str,
    files: Files,
    options: dict[str, Any],
    dry_run: bool = False,
    echo: Callable[[int, int], None] | None = None,
) -> ImportRun:
    """Import local files at once (the management command), recorded as a run with its report.

    The files are not copied into storage. A dry run returns an unsaved run whose preview is the report.
    """
    module = importer_for(kind)
    run = ImportRun(trust=trust, kind=kind, requested_by=actor, group_uid=str(options.get("group_uid") or ""))
    if dry_run:
        report = _execute(module=module, trust=trust, files=files, options=run_options(run), actor=actor, dry_run=True)
        run.preview = report.as_dict()
        return run
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.full_clean()
    run.save()
    return _run_now(run=run, files=files, actor=actor, echo=echo)

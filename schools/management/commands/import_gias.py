from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from core.exceptions import ApplicationError
from schools.models import ImportKind, ImportStatus
from schools.selectors.imports import report_for_display
from schools.services.imports import import_run_now
from trust.models import Trust, User


class Command(BaseCommand):
    help = (
        "Import a trust's schools from GIAS files: any mix of establishments, group links and establishment "
        "links files, each recognised by its header. Prints the import report."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", type=Path, help="GIAS CSV files, in any order.")
        parser.add_argument("--trust", required=True, help="The trust's slug, as in /t/<slug>/.")
        parser.add_argument("--group-uid", required=True, help="The trust's Group UID in GIAS, e.g. 3201.")
        parser.add_argument("--as", dest="actor", default="", help="Email of the member recorded as running it.")
        parser.add_argument("--dry-run", action="store_true", help="Show what would change, and change nothing.")

    def handle(self, *args: Any, files: list[Path], trust: str, group_uid: str, actor: str, **options: Any) -> None:
        found = Trust.objects.filter(slug=trust).first()
        if found is None:
            raise CommandError(f"There is no trust with the slug '{trust}'.")
        user = None
        if actor:
            user = User.objects.filter(email__iexact=actor).first()
            if user is None:
                raise CommandError(f"There is no person with the email '{actor}'.")
        missing = [str(path) for path in files if not path.is_file()]
        if missing:
            raise CommandError(f"Not found: {', '.join(missing)}")

        handles: list[tuple[str, IO[bytes]]] = [(path.name, path.open("rb")) for path in files]
        try:
            with scope(trust=found.pk):
                run = import_run_now(
                    trust=found,
                    actor=user,
                    kind=ImportKind.GIAS,
                    files=handles,
                    options={"group_uid": group_uid},
                    dry_run=options["dry_run"],
                    echo=self._progress if options["verbosity"] > 0 else None,
                )
        except ApplicationError as error:
            raise CommandError(error.message) from error
        finally:
            for _, handle in handles:
                handle.close()
        if run.status == ImportStatus.FAILED:
            raise CommandError(run.error)
        self._print(report_for_display(run.preview if options["dry_run"] else run.report), options["dry_run"])

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"Read {done:,} of about {total:,} rows")

    def _print(self, report: dict[str, Any], dry_run: bool) -> None:
        out = self.stdout.write
        if dry_run:
            out(self.style.WARNING("Dry run: nothing was changed. The import would do this:"))
        group = report.get("group") or {}
        out(self.style.SUCCESS(f"GIAS import for group {group.get('uid', '')} {group.get('name', '')}".rstrip()))
        out(
            f"Schools created: {report['created']}, updated: {report['updated']}, unchanged: {report['unchanged']}; "
            f"rows skipped: {report['skipped_count']}; rows read: {report.get('rows_read', 0):,}"
        )
        for file in report.get("files", []):
            out(f"  {file['name']}: {file['label']}, {file['rows']:,} rows")
        for note in report.get("notes", []):
            out(f"- {note}")
        for row in report["rows"]:
            if row["action"] == "Unchanged":
                continue
            out(f"{row['action']}: {row['name']} (URN {row['urn']})")
            for detail in row["details"]:
                out(f"    {detail}")
        for skip in report["skipped"]:
            out(f"Skipped row {skip.get('row') or '-'} (URN {skip.get('urn') or '-'}): {skip.get('reason')}")
        if report.get("skipped_hidden"):
            out(f"... and {report['skipped_hidden']} more skipped rows.")

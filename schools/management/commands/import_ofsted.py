from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from schools.importers.base import ImportFileError, ImportReport
from schools.importers.ofsted import run_import
from trust.models import Trust


def trust_by_slug(slug: str) -> Trust:
    try:
        return Trust.objects.get(slug=slug)
    except Trust.DoesNotExist:
        raise CommandError(f"No trust has the slug '{slug}'.") from None


@contextmanager
def open_files(paths: list[Path]) -> Iterator[list[tuple[str, IO[bytes]]]]:
    """The files opened for reading as (name, binary handle), closed afterwards."""
    with ExitStack() as stack:
        opened = []
        for path in paths:
            try:
                opened.append((path.name, stack.enter_context(path.open("rb"))))
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        yield opened


def print_report(command: BaseCommand, report: ImportReport, *, dry_run: bool = False) -> None:
    """Counts, notes and every skipped row with its reason."""
    out = command.stdout
    if dry_run:
        out.write("Dry run: nothing was saved.")
    out.write(
        command.style.SUCCESS(
            f"Created {report.created}, updated {report.updated}, unchanged {report.unchanged}, "
            f"skipped {len(report.skipped)}."
        )
    )
    for note in report.notes:
        out.write(f"  {note}")
    for skip in report.skipped:  # each reason names its file and row
        urn = f" (URN {skip.urn})" if skip.urn else ""
        out.write(f"  Skipped{urn}: {skip.reason}")


class Command(BaseCommand):
    help = "Import an Ofsted outcomes CSV (columns in docs/ofsted-import.md) for one trust's schools."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="The Ofsted outcomes CSV.")
        parser.add_argument("--trust", required=True, help="The trust's slug, as in /t/<slug>/.")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args: Any, file: str, trust: str, dry_run: bool, **kw: Any) -> None:
        the_trust = trust_by_slug(trust)
        with open_files([Path(file)]) as opened, scope(trust=the_trust.pk):
            try:
                report = run_import(trust=the_trust, files=opened, options={"dry_run": dry_run}, actor=None)
            except ImportFileError as error:
                raise CommandError(error.message) from error
        print_report(self, report, dry_run=dry_run)

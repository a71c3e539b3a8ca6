from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope

from schools.importers.base import ImportFileError
from schools.importers.performance import run_import
from schools.management.commands.import_ofsted import open_files, print_report, trust_by_slug


class Command(BaseCommand):
    help = "Import DfE KS2 / KS4 performance-tables CSV files for one trust's schools."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("files", nargs="+", help="DfE files, e.g. 2018-2019_936_ks2final.csv")
        parser.add_argument("--trust", required=True, help="The trust's slug, as in /t/<slug>/.")
        parser.add_argument("--year", type=int, help="Start year of the academic year (2018 = 2018/19).")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change; write nothing.")

    def handle(self, *args: Any, files: list[str], trust: str, year: int | None, dry_run: bool, **kw: Any) -> None:
        the_trust = trust_by_slug(trust)
        options: dict[str, Any] = {"dry_run": dry_run}
        if year is not None:
            options["academic_year"] = year
        with open_files([Path(f) for f in files]) as opened, scope(trust=the_trust.pk):
            try:
                report = run_import(trust=the_trust, files=opened, options=options, actor=None)
            except ImportFileError as error:
                raise CommandError(error.message) from error
        print_report(self, report, dry_run=dry_run)

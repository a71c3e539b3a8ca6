from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.data_protection import export_trust
from trust.models import Trust


class Command(BaseCommand):
    help = "Export all of a trust's data and files, with a manifest of row counts and SHA-256 checksums."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="The trust's slug.")
        parser.add_argument("--out", default=".", help="Folder to write the export into (default: here).")
        parser.add_argument("--zip", action="store_true", dest="as_zip", help="Write one .zip file instead.")

    def handle(self, *args: Any, slug: str, out: str, as_zip: bool, **options: Any) -> None:
        trust = Trust.objects.filter(slug=slug).first()
        if trust is None:
            raise CommandError(f"No trust has the slug {slug!r}.")
        result = export_trust(trust=trust, out=Path(out), as_zip=as_zip)
        self.stdout.write(
            self.style.SUCCESS(f"Exported {sum(result.rows.values())} rows and {result.files} files to {result.path}")
        )

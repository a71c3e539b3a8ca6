from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.data_protection import export_person
from trust.models import Trust, User


class Command(BaseCommand):
    help = "Export every record of one trust that refers to a person, as JSON and CSV (a subject-access request)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email", help="The person's sign-in email.")
        parser.add_argument("--trust", required=True, help="The trust's slug: only its records are exported.")
        parser.add_argument("--out", default=".", help="Folder to write the export into (default: here).")
        parser.add_argument("--zip", action="store_true", dest="as_zip", help="Write one .zip file instead.")

    def handle(self, *args: Any, email: str, trust: str, out: str, as_zip: bool, **options: Any) -> None:
        found = Trust.objects.filter(slug=trust).first()
        if found is None:
            raise CommandError(f"No trust has the slug {trust!r}.")
        person = User.objects.filter(email=email.strip().lower()).first()
        if person is None:
            raise CommandError(f"No person signs in as {email!r}.")
        result = export_person(user=person, trust=found, out=Path(out), as_zip=as_zip)
        self.stdout.write(self.style.SUCCESS(f"Exported {sum(result.counts.values())} records to {result.path}"))
        for label, count in sorted(result.counts.items()):
            self.stdout.write(f"  {label:40} {count}")

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.data_protection import erase_trust, rows_left
from trust.models import Trust


class Command(BaseCommand):
    help = "Delete a trust for good: every row, every stored file, and people who belonged only to it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug", help="The trust's slug.")
        parser.add_argument("--confirm", action="store_true", help="Required: erasure cannot be undone.")

    def handle(self, *args: Any, slug: str, confirm: bool, **options: Any) -> None:
        trust = Trust.objects.filter(slug=slug).first()
        if trust is None:
            raise CommandError(f"No trust has the slug {slug!r}.")
        if not confirm:
            raise CommandError(
                f"Erasing {trust.name} deletes all its data and files and cannot be undone. "
                f"Run `manage.py export_trust {slug}` first, then repeat with --confirm."
            )
        trust_id = trust.pk
        result = erase_trust(trust=trust)
        self.stdout.write(
            self.style.SUCCESS(f"Erased {trust.name}: {sum(result.rows.values())} rows, {result.files} files.")
        )
        for label, count in sorted(result.rows.items()):
            self.stdout.write(f"  {label:40} {count}")
        self.stdout.write(f"People deleted (members of this trust only): {len(result.users_deleted)}")
        if result.users_kept:
            self.stdout.write(f"People kept (other trusts, or operators): {', '.join(result.users_kept)}")
        if left := rows_left(trust_id):
            raise CommandError(f"Rows still reach the trust: {left}")

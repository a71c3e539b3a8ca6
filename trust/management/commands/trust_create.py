from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.exceptions import ApplicationError
from trust.services import trust_create


class Command(BaseCommand):
    help = "Create a trust and give it its first executive (the operator's command)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", help="The trust's name, e.g. 'Oakfield Learning Trust'.")
        parser.add_argument("--executive", required=True, help="Email of the trust's first executive.")

    def handle(self, *args: Any, name: str, executive: str, **options: Any) -> None:
        try:
            trust, link = trust_create(name=name, executive_email=executive)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"Created trust {trust.name} at /t/{trust.slug}/"))
        if link:
            self.stdout.write(f"Invitation emailed to {executive}; the link is: {link}")
        else:
            self.stdout.write(f"{executive} already had an account and is now the trust's executive.")

import json
import os
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from trust.demo import seed_demo
from trust.models import User

OPERATOR_EMAIL = "operator@trustwide.example"


class Command(BaseCommand):
    help = "Load the demo trusts, schools and people (safe to run again: a rerun changes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print the sign-ins as JSON only.")

    def handle(self, *args: Any, as_json: bool = False, **options: Any) -> None:
        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        sign_ins = seed_demo(password=password)
        operator = User.objects.filter(email=OPERATOR_EMAIL).first()
        if operator is None:
            User.objects.create_superuser(OPERATOR_EMAIL, password, full_name="Deployment operator")
        if as_json:
            self.stdout.write(json.dumps([asdict(s) for s in sign_ins], indent=2))
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000 with:"))
        self.stdout.write(f"  {'email':36} {'role':17} {'trust':10} school URN")
        for s in sign_ins:
            self.stdout.write(f"  {s.email:36} {s.role:17} {s.trust_slug:10} {s.school_urn or ''}")
        self.stdout.write(f"  password for all: {password}")
        self.stdout.write(f"  operator (Django admin at /admin/): {OPERATOR_EMAIL}, same password")
        self.stdout.write(
            "  executives, improvement leads and trustees also give a 6-digit code after the password:\n"
            "    .venv/bin/python manage.py demo_code <email>   prints the demo authenticator's current code"
        )

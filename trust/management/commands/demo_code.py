"""Print the current sign-in code of a demo person's authenticator (the demo's stand-in for a phone)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_DOMAINS = ("@oakfield.example", "@riverside.example", "@trustwide.example")


class Command(BaseCommand):
    help = "Show the 6-digit second-step code for a demo sign-in (executives, improvement leads, trustees)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, email: str, **options: Any) -> None:
        email = email.strip().lower()
        # Only the demo's own people: a real person's authenticator is theirs alone.
        if not email.endswith(DEMO_DOMAINS):
            raise CommandError("Only demo sign-ins have a demo authenticator.")
        device = TOTPDevice.objects.filter(user__email=email, name="Demo authenticator", confirmed=True).first()
        if device is None:
            raise CommandError(f"{email} has no demo authenticator (run seed_demo, or it is not a demo sign-in).")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
        self.stdout.write(f"{code:0{device.digits}d}")

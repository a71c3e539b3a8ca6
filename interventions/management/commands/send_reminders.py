"""Fan out today's reminder jobs, one pair of TenantTasks per trust. Run daily (cron, systemd timer)."""

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from interventions.tasks import send_visit_reminders, send_weekly_digests
from trust.models import Trust


class Command(BaseCommand):
    help = "Enqueue the weekly visit digests (Mondays) and before-visit reminders for every trust."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Run as if today were this ISO date (default: today).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = datetime.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        # Trust is the tenant itself (not scoped): listing them needs no scope.
        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
        for trust_id in trust_ids:
            kwargs = {"trust_id": trust_id, "today": today.isoformat()}
            transaction.on_commit(lambda kw=kwargs: send_weekly_digests.delay(**kw))
            transaction.on_commit(lambda kw=kwargs: send_visit_reminders.delay(**kw))
        self.stdout.write(f"Enqueued reminders for {len(trust_ids)} trust(s) for {today.isoformat()}.")

"""Background jobs for visits; each runs inside one trust's scope (TenantTask) and takes ids only."""

import datetime
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from core.jobs import TRANSIENT_ERRORS
from interventions.reminders import visit_reminders_send, weekly_digests_send
from trust.models import Trust
from trust.tasks import TenantTask

# Each email is keyed in ReminderSent, so a retry, a redelivery or the next hour's run sends it once.
REMINDER_TASK_OPTIONS = {
    "soft_time_limit": 120,
    "time_limit": 150,
    "autoretry_for": (*TRANSIENT_ERRORS, SMTPException),
    "retry_backoff": 5,
    "max_retries": 3,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def _day(today: str | None) -> datetime.date:
    return datetime.date.fromisoformat(today) if today else timezone.localdate()


@shared_task(base=TenantTask, name="interventions.send_weekly_digests", **REMINDER_TASK_OPTIONS)
def send_weekly_digests(*, trust_id: int, today: str | None = None) -> int:
    """Monday digest of the week's visits and overdue records, one email per owner."""
    return weekly_digests_send(trust=Trust.objects.get(pk=trust_id), today=_day(today))


@shared_task(base=TenantTask, name="interventions.send_visit_reminders", **REMINDER_TASK_OPTIONS)
def send_visit_reminders(*, trust_id: int, today: str | None = None) -> int:
    """Headteachers' notice of a visit to their school two days ahead."""
    return visit_reminders_send(trust=Trust.objects.get(pk=trust_id), today=_day(today))

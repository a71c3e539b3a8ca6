"""Background jobs of the accountability app; each runs inside its trust's scope (TenantTask) and takes ids only."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.jobs import JOB_TASK_OPTIONS, TRANSIENT_ERRORS
from reporting.services.board_packs import board_pack_build
from reporting.services.snapshots import half_term_end_snapshot_take
from trust.models import Trust
from trust.tasks import TenantTask

# Seconds. A long pack renders in a minute or two; past the soft limit the pack fails with its error
# shown (the executive can retry) and the hard limit stops the process.
BOARD_PACK_LIMITS = {"soft_time_limit": 600, "time_limit": 660}


@shared_task(base=TenantTask, name="reporting.build_board_pack", **BOARD_PACK_LIMITS, **JOB_TASK_OPTIONS)
def build_board_pack(*, trust_id: int, pack_id: int) -> str:
    """Render a queued board pack to PDF; returns its final status (a failure is recorded on the pack)."""
    return board_pack_build(pack_id=pack_id).status


SNAPSHOT_TASK_OPTIONS = {
    "soft_time_limit": 300,
    "time_limit": 330,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "max_retries": 3,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


# Beat runs it every evening and a missed evening is caught up for 14 days; freezing twice is refused
# by a unique constraint, so a retry or a redelivery is harmless.
@shared_task(base=TenantTask, name="reporting.freeze_half_term", **SNAPSHOT_TASK_OPTIONS)
def freeze_half_term(*, trust_id: int, today: str | None = None) -> str:
    """Each evening: on a half-term's last day (or within the catch-up days after), freeze its dashboard once."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    snapshot = half_term_end_snapshot_take(trust=Trust.objects.get(pk=trust_id), today=day)
    return str(snapshot.uuid) if snapshot else ""

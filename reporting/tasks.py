"""Background jobs of the accountability app; each runs inside its trust's scope (TenantTask) and takes ids only."""

import datetime

from celery import shared_task
from django.utils import timezone

from reporting.services.board_packs import board_pack_build
from reporting.services.snapshots import half_term_end_snapshot_take
from trust.models import Trust
from trust.tasks import TenantTask


@shared_task(base=TenantTask, name="reporting.build_board_pack")
def build_board_pack(*, trust_id: int, pack_id: int) -> str:
    """Render a queued board pack to PDF; returns its final status (a failure is recorded on the pack)."""
    return board_pack_build(pack_id=pack_id).status


@shared_task(base=TenantTask, name="reporting.freeze_half_term")
def freeze_half_term(*, trust_id: int, today: str | None = None) -> str:
    """Each evening: on a half-term's last day (or within the catch-up days after), freeze its dashboard once."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    snapshot = half_term_end_snapshot_take(trust=Trust.objects.get(pk=trust_id), today=day)
    return str(snapshot.uuid) if snapshot else ""

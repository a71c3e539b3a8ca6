"""Background jobs of the accountability app; each runs inside its trust's scope (TenantTask) and takes ids only."""

from celery import shared_task

from reporting.services.board_packs import board_pack_build
from trust.tasks import TenantTask


@shared_task(base=TenantTask, name="reporting.build_board_pack")
def build_board_pack(*, trust_id: int, pack_id: int) -> str:
    """Render a queued board pack to PDF; returns its final status (a failure is recorded on the pack)."""
    return board_pack_build(pack_id=pack_id).status

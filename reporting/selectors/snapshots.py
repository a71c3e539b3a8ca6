"""Reading a trust's frozen snapshots."""

from uuid import UUID

from django.db.models import QuerySet

from reporting.models import Snapshot
from trust.models import Trust


def snapshots_of(trust: Trust) -> QuerySet[Snapshot]:
    """The trust's snapshots, newest first (the figures themselves are in `metrics`)."""
    return Snapshot.objects.filter(trust=trust).select_related("taken_by").order_by("-as_of", "-created_at", "-pk")


def latest_snapshot(trust: Trust) -> Snapshot | None:
    return snapshots_of(trust).first()


def snapshot_of(trust: Trust, snapshot_uuid: UUID) -> Snapshot | None:
    return snapshots_of(trust).filter(uuid=snapshot_uuid).first()


def trend_snapshots(trust: Trust, limit: int = 12) -> list[Snapshot]:
    """The latest snapshot of each of the trust's last `limit` half-terms, oldest first, for trend lines."""
    seen: dict[tuple[int, int], Snapshot] = {}
    for snapshot in snapshots_of(trust).only("academic_year", "half_term", "as_of", "metrics", "created_at")[
        : limit * 4
    ]:
        seen.setdefault((snapshot.academic_year, snapshot.half_term), snapshot)
    return sorted(seen.values(), key=lambda s: (s.academic_year, s.half_term))[-limit:]

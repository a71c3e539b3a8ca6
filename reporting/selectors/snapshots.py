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


def trend_summaries(trust: Trust, limit: int = 12) -> list[dict]:
    """The trust-wide figures of the latest snapshot of each of the last `limit` half-terms, oldest first.

    Each is the dashboard document without its school rows (Snapshot.summary), for trend lines.
    """
    seen: dict[tuple[int, int], dict] = {}
    recent = (
        Snapshot.objects.filter(trust=trust)
        .order_by("-as_of", "-created_at", "-pk")
        .values_list("academic_year", "half_term", "summary")[: limit * 4]
    )
    for academic_year, half_term, summary in recent:
        if summary:
            seen.setdefault((academic_year, half_term), summary)
    return [seen[key] for key in sorted(seen)][-limit:]

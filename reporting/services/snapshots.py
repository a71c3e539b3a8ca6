"""Freezing a trust's dashboard into a snapshot: on demand, and at the end of each half-term."""

import datetime

from core.academic import academic_year_for
from reporting.metrics_schema import SCHEMA_VERSION
from reporting.models import Snapshot, SnapshotKind
from reporting.selectors.metrics import trust_metrics
from trust.calendar.selectors import half_terms_of_year
from trust.models import Trust, User


def snapshot_take(
    *, trust: Trust, actor: User | None, today: datetime.date, kind: str = SnapshotKind.ON_DEMAND
) -> Snapshot:
    """Freeze the dashboard as it stands on `today` (any number of on-demand snapshots may exist)."""
    metrics = trust_metrics(trust, today=today)
    return Snapshot.objects.create(
        trust=trust,
        academic_year=metrics["academic_year"],
        half_term=metrics["half_term"],
        kind=kind,
        as_of=today,
        taken_by=actor,
        schema_version=SCHEMA_VERSION,
        metrics=metrics,
    )


def half_term_end_snapshot_take(*, trust: Trust, today: datetime.date) -> Snapshot | None:
    """On the last day of a half-term (or the first run after it), freeze that half-term once.

    Beat runs this daily per trust; the partial unique constraint makes a second run a no-op, and a
    missed day is caught up by the next run as long as it falls before the next half-term ends.
    """
    ended = [
        ht
        for start_year in (academic_year_for(today) - 1, academic_year_for(today))
        for ht in half_terms_of_year(trust, start_year)
        if ht.ends_on <= today
    ]
    if not ended:
        return None
    last = max(ended, key=lambda ht: ht.ends_on)
    start_year = last.academic_year.start_year
    if Snapshot.objects.filter(
        trust=trust, academic_year=start_year, half_term=last.number, kind=SnapshotKind.HALF_TERM_END
    ).exists():
        return None
    # Figured as of the half-term's last day, so the calendar names that half-term as the current one.
    metrics = trust_metrics(trust, today=min(today, last.ends_on))
    return Snapshot.objects.create(
        trust=trust,
        academic_year=start_year,
        half_term=last.number,
        kind=SnapshotKind.HALF_TERM_END,
        as_of=min(today, last.ends_on),
        schema_version=SCHEMA_VERSION,
        metrics=metrics,
    )

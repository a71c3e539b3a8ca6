"""Freezing a trust's dashboard into a snapshot: on demand, and at the end of each half-term."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from reporting.metrics_schema import SCHEMA_VERSION, trust_wide_part
from reporting.models import Snapshot, SnapshotKind
from reporting.selectors.metrics import trust_metrics
from trust.calendar.selectors import half_terms_of_last_and_this_year
from trust.models import HalfTerm, Membership, Trust, User
from trust.permissions import Action, can

# A second press of "Take a snapshot" within this many seconds returns the first one.
REPEAT_SECONDS = 60
# A half-term-end snapshot missed (beat down over the holiday) is still taken this many days later.
CATCH_UP_DAYS = 14


def _freeze(*, trust: Trust, as_of: datetime.date, kind: str, actor: User | None) -> Snapshot:
    metrics = trust_metrics(trust, today=as_of)
    snapshot = Snapshot.objects.create(
        trust=trust,
        academic_year=metrics["academic_year"],
        half_term=metrics["half_term"],
        kind=kind,
        as_of=as_of,
        taken_by=actor,
        schema_version=SCHEMA_VERSION,
        metrics=metrics,
        summary=trust_wide_part(metrics),
    )
    audit_record(
        trust=trust,
        actor=actor,
        action="snapshot.taken",
        obj=snapshot,
        changes={"kind": kind, "as_of": as_of, "half_term": metrics["half_term_label"]},
    )
    return snapshot


def snapshot_take(
    *, trust: Trust, actor: User | None, today: datetime.date, kind: str = SnapshotKind.ON_DEMAND
) -> Snapshot:
    """Freeze the dashboard as it stands on `today`. `actor` None is the system (beat, board pack job)."""
    if actor is not None:
        if not can(Membership.objects.filter(trust=trust, user=actor).first(), Action.TAKE_SNAPSHOT):
            raise PermissionDenied
        just_taken = Snapshot.objects.filter(
            trust=trust,
            taken_by=actor,
            kind=kind,
            as_of=today,
            created_at__gte=timezone.now() - datetime.timedelta(seconds=REPEAT_SECONDS),
        ).first()
        if just_taken is not None:
            return just_taken
    return _freeze(trust=trust, as_of=today, kind=kind, actor=actor)


def half_term_snapshot_freeze(*, trust: Trust, half_term: HalfTerm) -> Snapshot | None:
    """The half-term's end-of-half-term snapshot, figured as of its last day; None when it already exists.

    On its last day the calendar names that half-term as the current one, so the document is labelled with it.
    """
    start_year = half_term.academic_year.start_year
    exists = Snapshot.objects.filter(
        trust=trust, academic_year=start_year, half_term=half_term.number, kind=SnapshotKind.HALF_TERM_END
    )
    if exists.exists():
        return None
    try:
        with transaction.atomic():
            return _freeze(trust=trust, as_of=half_term.ends_on, kind=SnapshotKind.HALF_TERM_END, actor=None)
    except IntegrityError:
        return None  # a concurrent run froze it first (one_half_term_end_snapshot)


def half_term_end_snapshot_take(*, trust: Trust, today: datetime.date) -> Snapshot | None:
    """On the last day of a half-term (or the first run after it), freeze that half-term once.

    Beat runs this daily per trust; a second run is a no-op, and a missed evening is caught up within
    CATCH_UP_DAYS (a trust that starts mid-year gets no back-dated one).
    """
    ended = [
        ht
        for ht in half_terms_of_last_and_this_year(trust, today)
        if ht.ends_on <= today <= ht.ends_on + datetime.timedelta(days=CATCH_UP_DAYS)
    ]
    if not ended:
        return None
    return half_term_snapshot_freeze(trust=trust, half_term=max(ended, key=lambda ht: ht.ends_on))

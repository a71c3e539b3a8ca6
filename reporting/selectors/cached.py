"""The trust's dashboard figures and page, built once and shared by everyone who reads them.

Building the dashboard document reads every school's rows (a few hundred milliseconds for 120
schools), and the trustees, leads and executives who read it far outnumber the changes. Every
write service records an `AuditEntry` in the change's own transaction, so the trust's newest entry
is a change clock. What is kept is read again when:
- the trust's data changed and what is kept is older than `DASHBOARD_STALE_SECONDS` (a minute):
  a busy trust's dashboard is rebuilt at most once a minute, not after every keystroke of every
  colleague, and the page says what time its figures are from;
- the person reading made the newest change themselves: they see it at once;
- the day changes (the figures depend on today's date) or the document's schema does.

The clock is read before the figures, so a document built while a change commits is kept under
the older clock and rebuilt once the window has passed. Entries live in each process's local
memory (Django's default cache): nothing to configure and nothing that can be down. A cache that
fails is treated as empty, so it can slow a page but never break it.
"""

import datetime
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache

from core.models import AuditEntry
from reporting.metrics_schema import SCHEMA_VERSION, Metrics
from reporting.selectors.metrics import trust_metrics
from trust.models import Trust

log = logging.getLogger(__name__)
T = TypeVar("T")
READS = ("file.read",)  # entries that record a reading, not a change


@dataclass(frozen=True)
class ChangeClock:
    """The trust's newest change: its audit entry's id and who made it."""

    tick: int
    by: int | None


@dataclass(frozen=True)
class Kept:
    clock: ChangeClock
    built_at: float
    value: Any


def trust_change_clock(trust: Trust) -> ChangeClock:
    """The trust's newest change (reads are not changes). Read inside the trust's scope, as pages are."""
    newest = (
        AuditEntry.objects.filter(trust_id=trust.pk)
        .exclude(action__in=READS)
        .order_by("-id")
        .values_list("id", "actor_id")
        .first()
    )
    return ChangeClock(*newest) if newest else ChangeClock(0, None)


def _fresh_enough(kept: Kept, clock: ChangeClock, reader_id: int | None) -> bool:
    if kept.clock.tick == clock.tick:
        return True
    if reader_id is not None and clock.by == reader_id:
        return False  # they changed something: show it to them now
    return time.time() - kept.built_at < settings.DASHBOARD_STALE_SECONDS


def kept_until_change(
    trust: Trust, *, today: datetime.date, part: str, build: Callable[[], T], reader_id: int | None = None
) -> T:
    """`build()`'s result for this trust and day, built again as the module docstring says."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build()
    key = f"trust:{trust.pk}:{part}:{today.isoformat()}:v{SCHEMA_VERSION}"
    clock = trust_change_clock(trust)
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 -- a failing cache is an empty one: the page is built live
        log.warning("dashboard cache unreadable; building live", exc_info=True)
        kept = None
    if isinstance(kept, Kept) and _fresh_enough(kept, clock, reader_id):
        return kept.value
    kept = Kept(clock=clock, built_at=time.time(), value=build())
    try:
        cache.set(key, kept, seconds)
    except Exception:  # noqa: BLE001 -- as above: not keeping it only costs the next reader time
        log.warning("dashboard cache unwritable", exc_info=True)
    return kept.value


def trust_metrics_kept(trust: Trust, *, today: datetime.date, reader_id: int | None = None) -> Metrics:
    """The whole trust's dashboard document for today, as `trust_metrics` builds it."""
    return kept_until_change(
        trust, today=today, part="metrics", build=lambda: trust_metrics(trust, today=today), reader_id=reader_id
    )

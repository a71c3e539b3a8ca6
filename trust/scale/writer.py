"""Writing chunks of scale rows in one transaction, on PostgreSQL while the next chunk is being built.

Building a chunk's rows needs no database, and inserting them mostly waits on PostgreSQL; so on PostgreSQL
(outside any transaction) a writer thread owns the connection and the one transaction, and the builder
hands it each chunk through a queue of one (so at most three chunks are in memory). Elsewhere (SQLite, or
inside a caller's transaction, as in tests) each chunk is written as it is handed over. Either way a
failure anywhere rolls everything back.

This is the only module of the scale data that turns django-scopes off: it writes thousands of trusts for
a platform command, with no request and no one trust to scope to.
"""

import datetime
import queue
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import Any

from django.db import connection, reset_queries, transaction
from django_scopes import scopes_disabled

from core.academic import academic_year_for
from reporting.models import Snapshot
from reporting.services.snapshots import half_term_snapshot_freeze
from schools.models import ComparatorValue
from trust.calendar.selectors import half_terms_ended_before
from trust.models import Trust
from trust.scale.figures import comparators_ensure
from trust.scale.rows import ORDER, Rows

SNAPSHOT_HALF_TERMS = 6
Progress = Callable[[int, int], None]


class _Abort(Exception):
    """Raised inside the writer's transaction when the builder failed, to roll it back."""


def trusts_existing(slugs: list[str]) -> tuple[int, list[str]]:
    """How many trusts the database holds, and which of `slugs` are taken (a few)."""
    with scopes_disabled():  # a platform question about every trust
        return Trust.objects.count(), list(Trust.objects.filter(slug__in=slugs).values_list("slug", flat=True)[:5])


def _snapshots(trust: Trust, today: datetime.date) -> int:
    """The last half-terms frozen, as the daily job would have done, so the dashboard has its trend lines."""
    ended = half_terms_ended_before(trust, today)[-SNAPSHOT_HALF_TERMS:]
    frozen = [half_term_snapshot_freeze(trust=trust, half_term=half_term) for half_term in ended]
    return sum(snapshot is not None for snapshot in frozen)


def _analyze() -> None:
    """Planner statistics for the tables just filled, before anything reads them.

    Fresh tables have none until autovacuum reaches them, often many minutes after a bulk load, and without
    them the snapshots' queries run three to four times slower. PostgreSQL's ANALYZE runs inside the
    transaction and samples its own new rows. A maintenance statement, not a query: no data is read here.
    """
    with connection.cursor() as cursor:
        for model in (*ORDER, ComparatorValue):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class ChunkWriter:
    """`with ChunkWriter(...) as writer: writer.send(rows, done)` ... then `writer.counts`."""

    def __init__(self, *, today: datetime.date, years: int, total: int, progress: Progress | None = None) -> None:
        self.today, self.years, self.total, self.progress = today, years, total, progress
        self.counts: Counter[str] = Counter()
        self.snapshot_trusts: list[Trust] = []
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._inline = ExitStack()

    # --- what runs in the writing thread (or inline) ------------------------------------------------

    def _begin(self) -> None:
        this_year = academic_year_for(self.today)
        self.counts["schools.ComparatorValue"] += comparators_ensure(range(this_year - self.years, this_year))

    def _write(self, rows: Rows, done: int) -> None:
        rows.write(self.counts)
        # With DEBUG on, Django keeps each statement's SQL, values and all: a national run's would fill 1 GB.
        reset_queries()
        if self.progress is not None:
            self.progress(done, self.total)

    def _end(self) -> None:
        if connection.vendor == "postgresql":
            _analyze()
        for trust in self.snapshot_trusts:
            self.counts[Snapshot._meta.label] += _snapshots(trust, self.today)

    def _run(self) -> None:
        try:
            with scopes_disabled(), transaction.atomic():  # see the module docstring: a platform job
                self._begin()
                while (item := self._queue.get()) is not None:
                    if item == "abort":
                        raise _Abort
                    self._write(*item)
                self._end()
        except _Abort:
            pass
        except BaseException as error:  # noqa: BLE001 -- handed to the building thread, which raises it
            self._error = error
        finally:
            connection.close()  # this thread's own connection

    # --- what the building thread calls -------------------------------------------------------------

    def __enter__(self) -> "ChunkWriter":
        if self.threaded:
            self._thread = threading.Thread(target=self._run, name="seed-scale-writer", daemon=True)
            self._thread.start()
        else:
            self._inline.enter_context(scopes_disabled())  # see the module docstring: a platform job
            self._inline.enter_context(transaction.atomic())
            self._begin()
        return self

    def _hand_over(self, item: Any) -> None:
        assert self._thread is not None
        while True:
            if self._error is not None or not self._thread.is_alive():
                self._thread.join()
                raise self._error or RuntimeError("The scale data writer stopped.")
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def send(self, rows: Rows, done: int) -> None:
        """Write `rows` (all of `done` trusts are in them or already written)."""
        if self.threaded:
            self._hand_over((rows, done))
        else:
            self._write(rows, done)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.threaded:
            assert self._thread is not None
            if kind is None:
                self._hand_over(None)
            elif self._thread.is_alive():
                self._queue.put("abort")
            self._thread.join()
            if kind is None and self._error is not None:
                raise self._error
            return
        # Leave the transaction: committed, or rolled back if the building or the snapshots raised.
        try:
            if kind is None:
                self._end()
        except BaseException as failure:
            self._inline.__exit__(type(failure), failure, failure.__traceback__)
            raise
        self._inline.__exit__(kind, error, trace)

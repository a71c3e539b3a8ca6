"""Background jobs that are never lost: the row is the job, the broker only carries a reminder of it.

An import run or a board pack is recorded (state `queued`) in the same transaction as the request
that asks for it, and the message to the worker is sent once that transaction commits. Sending can
fail (Redis down): `enqueue` logs it and marks the row as not sent instead of turning the request
into a 500. The per-trust sweeper (`trust.tasks.jobs_sweep`, every few minutes) sends again what
was never sent or has waited too long, and puts back a job whose worker died while running it,
failing it in plain words after MAX_ATTEMPTS. Workers claim a row with a conditional UPDATE
(queued -> running), so a message delivered twice, or sent again by the sweeper, runs the job once.
"""

import datetime
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from celery import Task
from django.db import InterfaceError, OperationalError, models, transaction
from django.utils import timezone
from django_scopes import scope
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# The states every job row shares (ImportStatus and BoardPackStatus use the same values).
QUEUED, RUNNING, FAILED = "queued", "running", "failed"
# Runs of one job (the first included) before the sweeper gives up on a job whose worker keeps dying.
MAX_ATTEMPTS = 3
# A queued job whose message went out this long ago and has not started is sent again: the message
# may have been lost with a broker that restarted without its data. A duplicate is harmless (claim).
RESEND_QUEUED_AFTER = datetime.timedelta(minutes=10)
# A running job is given this long beyond its task's hard time limit before it is presumed dead
# (the worker was killed or lost its machine: Celery would have stopped it at the limit otherwise).
RUNNING_GRACE = datetime.timedelta(minutes=2)
# Transient faults a task is retried for, with backoff; anything else is the job's own failure.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, ConnectionError)
# The options every job task shares (besides its time limits): retried on transient faults with
# exponential backoff, at most 3 times; no result stored (the row holds the outcome), so sending a
# job never waits on a result backend that is down.
JOB_TASK_OPTIONS: dict[str, Any] = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 3,
    "ignore_result": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


def enqueue(
    task: Task, *, row: models.Model | None = None, unsent: dict[str, Any] | None = None, **kwargs: Any
) -> bool:
    """Send a job's message; if the broker cannot be reached, log it and leave the row for the sweeper.

    `unsent` are fields to set on the row when it could not be sent (e.g. the stage a page shows).
    Returns True when sent. Never raises for a broker that is down: the row is already committed in
    state queued, so the request that asked for the job still answers ("queued, will start when the
    service resumes") and the sweeper sends it once the broker is back.
    """
    try:
        task.apply_async(kwargs=kwargs)
    except BrokerUnavailable as error:
        logger.warning("Could not send %s %s (the broker is unavailable): %s", task.name, kwargs, error)
        if row is not None:
            # Not sent: the sweeper sends rows without enqueued_at on its next run, not minutes later.
            # Its own trust's scope: an on-commit callback may run after the request's scope has closed.
            with scope(trust=row.trust_id):
                type(row)._default_manager.filter(pk=row.pk, status=QUEUED).update(enqueued_at=None, **(unsent or {}))
        return False
    return True


def enqueue_on_commit(
    task: Task, *, row: models.Model | None = None, unsent: dict[str, Any] | None = None, **kwargs: Any
) -> None:
    """Send the job's message once the transaction that recorded its row commits (never before)."""
    transaction.on_commit(partial(enqueue, task, row=row, unsent=unsent, **kwargs))


def job_is_waiting_for_broker(row: Any) -> bool:
    """True when a queued job's message could not be sent: pages say it starts when the service resumes."""
    return row.status == QUEUED and row.enqueued_at is None


def claim(model: type[models.Model], pk: int, **fields: Any) -> bool:
    """Move a queued job to running in one conditional UPDATE; False when another delivery got there first."""
    now = timezone.now()
    return bool(
        model._default_manager.filter(pk=pk, status=QUEUED).update(
            status=RUNNING, started_at=now, updated_at=now, **fields
        )
    )


def stuck_jobs_resend(
    *,
    model: type[models.Model],
    trust_id: int,
    task: Task,
    task_kwargs: Callable[[Any], dict[str, Any]],
    time_limit: int,
    gave_up_message: str,
    requeue_fields: dict[str, Any] | None = None,
    unsent: dict[str, Any] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """Send again the trust's queued jobs never sent or waiting too long; requeue or fail dead running ones.

    Every change is a conditional UPDATE on the state read, so a worker that moves the row meanwhile
    (claims it, finishes it) wins and the sweeper leaves that row alone.
    """
    now = now or timezone.now()
    rows = model._default_manager.filter(trust_id=trust_id)
    counts = {"resent": 0, "requeued": 0, "failed": 0}

    waiting = rows.filter(status=QUEUED).filter(
        models.Q(enqueued_at__isnull=True) | models.Q(enqueued_at__lt=now - RESEND_QUEUED_AFTER)
    )
    for row in waiting:
        if rows.filter(pk=row.pk, status=QUEUED, enqueued_at=row.enqueued_at).update(enqueued_at=now):
            counts["resent"] += enqueue(task, row=row, unsent=unsent, **task_kwargs(row))

    dead = rows.filter(status=RUNNING, started_at__lt=now - datetime.timedelta(seconds=time_limit) - RUNNING_GRACE)
    for row in dead:
        same = rows.filter(pk=row.pk, status=RUNNING, started_at=row.started_at)
        if row.attempts >= MAX_ATTEMPTS:
            if same.update(status=FAILED, error=gave_up_message, finished_at=now, updated_at=now):
                logger.error("%s %s failed after %s attempts", model.__name__, row.pk, row.attempts)
                counts["failed"] += 1
            continue
        with transaction.atomic():
            moved = same.update(
                status=QUEUED,
                attempts=models.F("attempts") + 1,
                started_at=None,
                enqueued_at=now,
                error="",
                updated_at=now,
                **(requeue_fields or {}),
            )
            if moved:
                logger.warning("%s %s was running past its time limit: queued again", model.__name__, row.pk)
                enqueue_on_commit(task, row=row, unsent=unsent, **task_kwargs(row))
                counts["requeued"] += 1
    return counts

"""Celery tasks run inside one trust's scope, opened from a trust id, never inherited."""

import datetime
from typing import Any

from celery import Task, shared_task
from django.utils import timezone
from django_scopes import scope

from core.jobs import MAX_ATTEMPTS
from trust.models import Membership


class TenantTask(Task):
    """Base for every task: requires `trust_id` and runs the body inside that trust's scope."""

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        trust_id = kwargs.get("trust_id")
        if not isinstance(trust_id, int):
            raise TypeError(f"{self.name} must be called with an integer trust_id keyword argument.")
        with scope(trust=trust_id):
            return super().__call__(*args, **kwargs)


@shared_task(base=TenantTask, name="trust.member_census")
def member_census(*, trust_id: int) -> dict[str, int]:
    """How many members hold each role in the trust (also proves a worker opens the scope)."""
    census: dict[str, int] = {}
    for role in Membership.objects.filter(trust_id=trust_id).values_list("role", flat=True):
        census[role] = census.get(role, 0) + 1
    return census


@shared_task(base=TenantTask, name="trust.retention_sweep")
def retention_sweep(*, trust_id: int) -> dict[str, int]:
    """Delete the trust's records past their retention (settings.RETENTION_DAYS); nothing when unset."""
    # Imported here: the sweeper reaches every app's models, and this module loads with the Celery app.
    from core.data_protection import retention_sweep as sweep
    from trust.models import Trust

    return sweep(trust=Trust.objects.get(pk=trust_id), today=timezone.localdate())


@shared_task(base=TenantTask, name="trust.jobs_sweep", soft_time_limit=120, time_limit=150, ignore_result=True)
def jobs_sweep(*, trust_id: int, now: str | None = None) -> dict[str, dict[str, int]]:
    """Every few minutes: send the trust's jobs the broker never got, and requeue those whose worker died."""
    # Imported here: the sweeper reaches other apps' models and tasks, and this module loads with the Celery app.
    from core.jobs import stuck_jobs_resend
    from reporting.models import BoardPack
    from reporting.services.board_packs import UNSENT
    from reporting.tasks import BOARD_PACK_LIMITS, build_board_pack
    from schools.models import ImportRun
    from schools.tasks import IMPORT_LIMITS, import_run_task

    at = datetime.datetime.fromisoformat(now) if now else timezone.now()
    return {
        "board_packs": stuck_jobs_resend(
            model=BoardPack,
            trust_id=trust_id,
            task=build_board_pack,
            task_kwargs=lambda pack: {"trust_id": pack.trust_id, "pack_id": pack.pk},
            time_limit=BOARD_PACK_LIMITS["time_limit"],
            requeue_fields={"progress": 0, "stage": "Waiting to start again (the last attempt was interrupted)"},
            unsent=UNSENT,
            gave_up_message=(
                "The board pack could not be prepared: the background worker stopped "
                f"{MAX_ATTEMPTS} times while preparing it. Nothing was stored. Try again; if it fails again, "
                "contact support and quote the pack's half-term and version."
            ),
            now=at,
        ),
        "imports": stuck_jobs_resend(
            model=ImportRun,
            trust_id=trust_id,
            task=import_run_task,
            task_kwargs=lambda run: {"trust_id": run.trust_id, "run_id": run.pk},
            time_limit=IMPORT_LIMITS["time_limit"],
            requeue_fields={"rows_done": 0},
            gave_up_message=(
                f"The import was interrupted {MAX_ATTEMPTS} times (the background worker stopped while it ran) "
                "and nothing was changed. Retry it from its page, or upload the files again."
            ),
            now=at,
        ),
    }

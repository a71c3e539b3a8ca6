"""Background jobs of the schools app; each runs inside its trust's scope (TenantTask)."""

from celery import shared_task

from core.jobs import JOB_TASK_OPTIONS
from schools.services.imports import import_run_execute
from trust.tasks import TenantTask

# Seconds. The largest DfE file takes minutes; past the soft limit the run fails in plain words
# (nothing is changed: the data is written in one transaction) and the hard limit stops the process.
IMPORT_LIMITS = {"soft_time_limit": 1800, "time_limit": 1860}


@shared_task(base=TenantTask, name="schools.import_run", **IMPORT_LIMITS, **JOB_TASK_OPTIONS)
def import_run_task(*, trust_id: int, run_id: int, actor_id: int | None = None) -> str:
    """Run a confirmed import; returns its final status (done or failed, with the error on the run)."""
    return import_run_execute(run_id=run_id, actor_id=actor_id).status

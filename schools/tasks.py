"""Background jobs of the schools app; each runs inside its trust's scope (TenantTask)."""

from celery import shared_task

from schools.services.imports import import_run_execute
from trust.tasks import TenantTask


@shared_task(base=TenantTask, name="schools.import_run")
def import_run_task(*, trust_id: int, run_id: int, actor_id: int | None = None) -> str:
    """Run a confirmed import; returns its final status (done or failed, with the error on the run)."""
    return import_run_execute(run_id=run_id, actor_id=actor_id).status

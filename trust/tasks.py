"""Celery tasks run inside one trust's scope, opened from a trust id, never inherited."""

from typing import Any

from celery import Task, shared_task
from django.utils import timezone
from django_scopes import scope

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

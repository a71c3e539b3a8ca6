"""Refuse an identical submission made again moments later (a double click, a resent form, a retried POST).

Services call `refuse_repeat` before they create a row, with the fields that make two submissions the
same thing. A repeat within REPEAT_SECONDS is refused with a message that says it was already saved;
the same words sent later are a new record, as the person meant.

Only submissions made through a request (a page or the API) are checked: seeds, imports, commands and
tasks call the same services on purpose and may make several alike rows at once.
"""

import datetime
from contextvars import ContextVar
from typing import Any

from django.core.signals import request_finished, request_started
from django.db.models import Model, QuerySet
from django.dispatch import receiver
from django.utils import timezone

from core.exceptions import ApplicationError

REPEAT_SECONDS = 60

_in_request: ContextVar[bool] = ContextVar("in_request", default=False)


@receiver(request_started, dispatch_uid="core.dedupe.request_started")
def _request_started(**kwargs: Any) -> None:
    _in_request.set(True)


@receiver(request_finished, dispatch_uid="core.dedupe.request_finished")
def _request_finished(**kwargs: Any) -> None:
    _in_request.set(False)


def recent_repeat(queryset: QuerySet[Any], *, seconds: int = REPEAT_SECONDS, **same: Any) -> Model | None:
    """The row of `queryset` with these field values created within the last `seconds`, if any."""
    since = timezone.now() - datetime.timedelta(seconds=seconds)
    return queryset.filter(created_at__gte=since, **same).order_by("-created_at").first()


def refuse_repeat(queryset: QuerySet[Any], *, what: str, seconds: int = REPEAT_SECONDS, **same: Any) -> None:
    """Raise ApplicationError when the same `what` was just saved: the first submission stands."""
    if _in_request.get() and recent_repeat(queryset, seconds=seconds, **same) is not None:
        raise ApplicationError(f"This {what} was saved a moment ago; it has not been saved twice.", {"repeat": True})

"""The audit trail: every write service records who changed what, in which trust, and when.

Services call `audit_record` inside the transaction of their change, so an entry exists exactly when
the change does. Values are stored as plain JSON (text, numbers, dates as ISO text, records as their
names); a file is named, never read. Entries are never edited or deleted, except by `erase_for_trust`
when a trust's contract ends and all its data goes.
"""

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django_scopes import scope

from core.models import AuditEntry

LABEL_MAX = 300
TEXT_MAX = 2000  # a long free-text field is cut in the trail; the record itself keeps it whole


def plain_value(value: Any) -> Any:
    """A JSON-safe copy of a field value, in words a person reading the trail would recognise."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return value if len(value) <= TEXT_MAX else value[:TEXT_MAX] + "…"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"({len(value)} bytes)"  # never the bytes themselves
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""  # the stored name only: file contents never enter the trail
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): plain_value(item) for key, item in value.items()}
    if isinstance(value, Iterable):
        return [plain_value(item) for item in value]
    return str(value)


def _trust_id(trust: Any) -> int:
    trust_id = trust if isinstance(trust, int) else getattr(trust, "pk", None)
    if not trust_id:
        # Never write (or scope) with no trust: scope(trust=None) would mean every trust.
        raise ValueError("An audit entry needs its trust.")
    return trust_id


def _actor_name(actor: Any) -> str:
    if actor is None:
        return ""
    return (getattr(actor, "full_name", "") or getattr(actor, "email", "") or str(actor))[:200]


def snapshot_fields(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The named fields' current values, as plain JSON; take one before and one after a change."""
    snapshot: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if field.many_to_many:
            # str() of a linked row may name its parents (evidence names its school): load them with
            # the links, in one query, not one more per link.
            value = [str(item) for item in getattr(instance, name).select_related()] if instance.pk else []
        else:
            value = getattr(instance, name)
        snapshot[name] = plain_value(value)
    return snapshot


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Only what changed: field -> [before, after]."""
    return {
        name: [before.get(name), after.get(name)]
        for name in dict.fromkeys([*before, *after])
        if before.get(name) != after.get(name)
    }


def audit_record(
    *,
    trust: Any,
    actor: Any,
    action: str,
    obj: Any,
    changes: Mapping[str, Any] | None = None,
    label: str = "",
    ip_address: str | None = None,
) -> AuditEntry:
    """Write one entry: `action` is a short code (`rating.decided`), `obj` the record concerned.

    Call it inside the transaction that makes the change. `changes` is field -> [before, after] for an
    update (see `diff`), or the created values for a creation.
    """
    trust_id = _trust_id(trust)
    meta = getattr(obj, "_meta", None)
    entry = AuditEntry(
        trust_id=trust_id,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        action=action,
        object_type=meta.label if meta is not None else str(obj)[:60],
        object_uuid=getattr(obj, "uuid", None),
        object_label=(label or (str(obj) if obj is not None else ""))[:LABEL_MAX],
        changes=plain_value(changes or {}),
        ip_address=ip_address or None,
    )
    with scope(trust=trust_id):
        entry.save()
    return entry


def audit_file_read(*, trust: Any, actor: Any, obj: Any, label: str, ip_address: str | None = None) -> AuditEntry:
    """An access entry: someone read (downloaded) a stored or generated file about `obj`."""
    return audit_record(trust=trust, actor=actor, action="file.read", obj=obj, label=label, ip_address=ip_address)


def client_ip(request: Any) -> str | None:
    """The address the request came from, as the web server saw it (a proxy sets REMOTE_ADDR for us)."""
    return request.META.get("REMOTE_ADDR") or None


def erase_for_trust(trust_id: int) -> int:
    """Delete every audit entry of one trust; returns how many. Only the trust-erasure command calls this.

    The trail refuses every update and delete (see `AuditEntryQuerySet`); erasing a trust at the end of
    its contract is the one exception, because then all its data must go, its trail included.
    """
    trust_id = _trust_id(trust_id)
    with scope(trust=trust_id):
        return AuditEntry.objects.filter(trust_id=trust_id).erase()


def erase_before(trust_id: int, cutoff: datetime.date) -> int:
    """Delete one trust's audit entries older than `cutoff`; returns how many. Only the retention sweep calls
    this, and only when the operator has set RETENTION_DAYS["audit"] (off by default)."""
    trust_id = _trust_id(trust_id)
    with scope(trust=trust_id):
        return AuditEntry.objects.filter(trust_id=trust_id, at__date__lt=cutoff).erase()


def audit_entries(
    *,
    trust: Any,
    actor_uuid: uuid.UUID | None = None,
    action: str = "",
    object_type: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> models.QuerySet[AuditEntry]:
    """The trust's entries newest first, filtered as the audit page and the API ask (dates inclusive)."""
    entries = AuditEntry.objects.filter(trust_id=_trust_id(trust))
    if actor_uuid is not None:
        entries = entries.filter(actor__uuid=actor_uuid)
    if action:
        entries = entries.filter(action=action)
    if object_type:
        entries = entries.filter(object_type=object_type)
    if date_from is not None:
        entries = entries.filter(at__date__gte=date_from)
    if date_to is not None:
        entries = entries.filter(at__date__lte=date_to)
    return entries.order_by("-at", "-pk")


def audit_filter_choices(trust: Any) -> dict[str, list[Any]]:
    """What the filters offer: the people, actions and kinds of record that appear in the trust's trail."""
    entries = AuditEntry.objects.filter(trust_id=_trust_id(trust))
    people = (
        entries.filter(actor__isnull=False).order_by("actor_name").values_list("actor__uuid", "actor_name").distinct()
    )
    return {
        # One choice per person, even if their name changed over time.
        "actors": sorted({str(person): name for person, name in people}.items(), key=lambda p: p[1].lower()),
        "actions": sorted(set(entries.values_list("action", flat=True).distinct())),
        "object_types": sorted(set(entries.values_list("object_type", flat=True).distinct())),
    }

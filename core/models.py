import uuid

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.exceptions import ApplicationError


class BaseModel(models.Model):
    """Every record: an internal integer key, a public UUID for URLs and the API, timestamps."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEntryQuerySet(models.QuerySet):
    """Bulk update and delete are refused: the audit trail is append-only."""

    def update(self, **kwargs: object) -> int:
        raise ApplicationError("Audit entries cannot be changed: the trail records what happened, as it happened.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ApplicationError("Audit entries cannot be deleted: the trail is kept whole.")

    def erase(self) -> int:
        """Delete these rows for good; only `core.audit.erase_for_trust` calls it, at the end of a contract.

        `_raw_delete` is one DELETE statement: no model `delete()`, no signals. That is safe here because
        nothing points at an audit entry, and it is the one way round the refusals above.
        """
        return self._raw_delete(self.db)


class AuditEntry(models.Model):
    """One write (or one file read) in a trust: who, what, when and what changed. Never edited or deleted.

    The actor's name and the object's label are copied, so the entry still reads the same after the
    person or the object is gone. `changes` holds plain values only, never file contents.
    """

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200, blank=True, help_text="Who, as they were named at the time.")
    action = models.CharField(max_length=60, help_text="What was done, e.g. rating.decided or file.read.")
    object_type = models.CharField(max_length=60, help_text="The kind of record, e.g. reviews.Evidence.")
    object_uuid = models.UUIDField(null=True, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    # Meta.ordering when entries are read across trusts (the operator's shell); a trust's own trail reads
    # audit_trust_recent below.
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedManager(trust="trust", _manager_class=models.Manager.from_queryset(AuditEntryQuerySet))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            # audit_entries: the audit page and API, a trust's entries newest first; erase_before (core/audit.py).
            models.Index(fields=["trust", "-at"], name="audit_trust_recent"),
            # trust_change_clock: the dashboard's change clock, a trust's newest entry (reporting/selectors/cached.py).
            models.Index(fields=["trust", "-id"], name="audit_trust_clock"),
            # audit_entries filtered by action, and the action filter's choices (core/audit.py).
            models.Index(fields=["trust", "action"], name="audit_trust_action"),
            # audit_entries filtered by kind of record, and that filter's choices (core/audit.py).
            models.Index(fields=["trust", "object_type"], name="audit_trust_object_type"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d %b %Y %H:%M} {self.actor_name or 'The system'}: {self.action} {self.object_label}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise ApplicationError("An audit entry cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ApplicationError("An audit entry cannot be deleted: the trail is kept whole.")

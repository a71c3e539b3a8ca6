from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel


class ImportKind(models.TextChoices):
    GIAS = "gias", "GIAS establishments and links"
    OFSTED = "ofsted", "Ofsted inspection outcomes"
    PERFORMANCE = "performance", "DfE performance tables"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", "Previewed, waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


def import_upload_path(instance: "ImportFile", filename: str) -> str:
    # Private storage, one prefix per trust, so a trust's files can be exported or erased together.
    return f"trusts/{instance.run.trust.code}/imports/{instance.run.uuid}/{instance.uuid}.upload"


class ImportRun(BaseModel):
    """One import of public-data files: what was uploaded, its preview, progress and final report."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="import_runs")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    status = models.CharField(max_length=20, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    group_uid = models.CharField(max_length=20, blank=True)
    options = models.JSONField(default=dict, blank=True, help_text="e.g. the academic year of a DfE file.")
    preview = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The job's bookkeeping (core/jobs.py): runs started, and when its message last went to the
    # broker (None while queued: not sent yet, the broker was down; the sweeper sends it).
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # import_runs_of: the imports page, a trust's import runs newest first (schools/selectors/imports.py).
            models.Index(fields=["trust", "-created_at"], name="importrun_trust_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} import {self.created_at:%d %b %Y %H:%M}"


class ImportFile(BaseModel):
    """An uploaded file of an import, stored privately; `detected` says which format its header is."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=import_upload_path, max_length=255)
    original_name = models.CharField(max_length=255)
    detected = models.CharField(max_length=40, blank=True)
    size = models.PositiveBigIntegerField(default=0)

    objects = ScopedManager(trust="run__trust")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

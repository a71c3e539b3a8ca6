"""Accountability records: frozen dashboard snapshots and the board packs built from them.

Both are immutable once written. A snapshot is the whole dashboard document as JSON
(see `reporting/metrics_schema.py`), so a board pack built from it can be rebuilt exactly,
whatever changes later; a rerun of a pack is a new version, never an overwrite.
"""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.exceptions import ApplicationError
from core.models import BaseModel


class SnapshotKind(models.TextChoices):
    HALF_TERM_END = "half_term_end", "End of half-term"
    ON_DEMAND = "on_demand", "On demand"


class FrozenQuerySet(models.QuerySet):
    """Bulk update is refused: a frozen record is never rewritten."""

    def update(self, **kwargs: object) -> int:
        raise ApplicationError("Snapshots cannot be changed once taken; take a new one instead.")


class Snapshot(BaseModel):
    """A trust's dashboard figures frozen at one moment, labelled with the half-term they describe."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="snapshots")
    academic_year = models.PositiveSmallIntegerField(help_text="The year the academic year starts: 2026 is 2026/27.")
    half_term = models.PositiveSmallIntegerField(help_text="1 (Autumn 1) to 6 (Summer 2).")
    kind = models.CharField(max_length=20, choices=SnapshotKind.choices)
    as_of = models.DateField(help_text="The day the figures describe.")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    schema_version = models.PositiveSmallIntegerField(default=1)
    metrics = models.JSONField(help_text="The dashboard document: see reporting/metrics_schema.py.")
    # The document without its per-school rows: trend lines read a dozen of these per page view.
    summary = models.JSONField(default=dict, help_text="The trust-wide part of `metrics` (no school rows).")

    objects = ScopedManager(trust="trust", _manager_class=models.Manager.from_queryset(FrozenQuerySet))

    class Meta:
        ordering = ["-as_of", "-created_at"]
        constraints = [
            # The beat job runs daily; this makes a second run for the same half-term a no-op.
            models.UniqueConstraint(
                fields=["trust", "academic_year", "half_term"],
                condition=models.Q(kind="half_term_end"),
                name="one_half_term_end_snapshot",
            )
        ]
        indexes = [
            # trend_summaries and snapshots_of: the dashboard's trend lines, the snapshots page and the pack's "since
            # last time" read a trust's snapshots newest first (reporting/selectors/snapshots.py).
            models.Index(fields=["trust", "-as_of"], name="snapshot_trust_recent"),
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.as_of:%d %b %Y}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ApplicationError("A snapshot cannot be changed once taken; take a new one instead.")
        super().save(*args, **kwargs)


class BoardPackStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Being prepared"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


def board_pack_path(instance: "BoardPack", filename: str) -> str:
    # Private storage, one prefix per trust, so a trust's files can be exported or erased together.
    return f"trusts/{instance.trust.code}/board-packs/{instance.uuid}.pdf"


class BoardPack(BaseModel):
    """One version of a half-term's board pack: the job's state while it renders, then the stored PDF."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="board_packs")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="board_packs")
    academic_year = models.PositiveSmallIntegerField()
    half_term = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField(help_text="1 for the half-term's first pack; a rerun adds one.")
    status = models.CharField(max_length=20, choices=BoardPackStatus.choices, default=BoardPackStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while rendering.")
    stage = models.CharField(max_length=100, blank=True, help_text="What the job is doing now.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=board_pack_path, max_length=255, blank=True)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the PDF.")
    size = models.PositiveBigIntegerField(default=0)
    pages = models.PositiveSmallIntegerField(default=0)
    # When the job's message last went to the broker; None while queued means not sent yet (the
    # broker was down) and the sweeper sends it (core/jobs.py).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-academic_year", "-half_term", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["trust", "academic_year", "half_term", "version"], name="one_board_pack_per_version"
            ),
            # At most one pack in preparation per trust: a double-click or a second request joins it.
            models.UniqueConstraint(
                fields=["trust"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_board_pack_in_preparation",
            ),
        ]
        indexes = [
            # board_packs_of: the board pack list and API, a trust's packs newest first
            # (reporting/views/board_packs.py).
            models.Index(fields=["trust", "-academic_year", "-half_term", "-version"], name="boardpack_trust_recent"),
        ]

    def __str__(self) -> str:
        return f"Board pack {self.half_term_label}, version {self.version}"

    @property
    def half_term_label(self) -> str:
        from core.academic import academic_year_label

        term = ("Autumn", "Spring", "Summer")[(self.half_term - 1) // 2]
        return f"{term} {2 - self.half_term % 2} {academic_year_label(self.academic_year)}"

    @property
    def is_finished(self) -> bool:
        return self.status in (BoardPackStatus.DONE, BoardPackStatus.FAILED)

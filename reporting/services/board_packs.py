"""Board packs: request one (queued, built by a job), build it from its snapshot, retry a failed one.

A pack is built only from its Snapshot's document and the previous pack's, so it is reproducible.
At most one pack per trust is in preparation (a partial unique constraint): a second request, a
double-click or a job delivered twice joins the pack already on its way instead of making another.
"""

import datetime
import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.jobs import claim, enqueue_on_commit
from reporting.boardpack import board_pack_context, render_board_pack
from reporting.models import BoardPack, BoardPackStatus, Snapshot
from trust.models import Trust, User

logger = logging.getLogger(__name__)

IN_PREPARATION = (BoardPackStatus.QUEUED, BoardPackStatus.RUNNING)
AFTERWORD = (
    "Nothing was stored. Try again; if it fails again, contact support and quote the pack's half-term and version."
)


# What the pack shows while its job waits for the broker (Redis) to come back; the sweeper sends it then.
UNSENT = {"stage": "Queued: will start when the background service resumes"}


def failure_message(error: Exception) -> str:
    """Why the pack failed, in words a trust's executive can act on."""
    if isinstance(error, KeyError | TypeError | ValueError):
        reason = "the snapshot's figures are incomplete or in a format this version of Trustwide cannot read"
    elif isinstance(error, OSError):
        reason = "the PDF could not be saved to the trust's private file storage"
    else:
        reason = "of a fault while laying out the PDF"
    return f"The board pack could not be prepared because {reason}. {AFTERWORD}"


def pack_in_preparation(trust: Trust) -> BoardPack | None:
    """The trust's pack that is queued or being built, if any."""
    return BoardPack.objects.filter(trust=trust, status__in=IN_PREPARATION).first()


def _enqueue(pack: BoardPack) -> None:
    """Send the build job once the pack's row commits; a broker that is down leaves it for the sweeper."""
    from reporting.tasks import build_board_pack  # the task module imports this one

    enqueue_on_commit(build_board_pack, row=pack, unsent=UNSENT, trust_id=pack.trust_id, pack_id=pack.pk)


def board_pack_request(
    *, trust: Trust, actor: User | None, snapshot: Snapshot | None = None, today: datetime.date
) -> BoardPack:
    """Queue a new version of the half-term's pack (from a fresh snapshot unless one is given)."""
    existing = pack_in_preparation(trust)
    if existing is not None:
        return existing
    if snapshot is None:
        from reporting.services.snapshots import snapshot_take

        snapshot = snapshot_take(trust=trust, actor=actor, today=today)
    elif snapshot.trust_id != trust.pk:
        raise ApplicationError("That snapshot does not belong to this trust.")
    try:
        with transaction.atomic():
            latest = BoardPack.objects.filter(
                trust=trust, academic_year=snapshot.academic_year, half_term=snapshot.half_term
            ).aggregate(version=Max("version"))["version"]
            pack = BoardPack(
                trust=trust,
                snapshot=snapshot,
                academic_year=snapshot.academic_year,
                half_term=snapshot.half_term,
                version=(latest or 0) + 1,
                requested_by=actor,
                stage="Waiting to start",
                attempts=1,
                enqueued_at=timezone.now(),
            )
            # The database's constraints decide races; IntegrityError below joins the winner.
            pack.full_clean(validate_constraints=False)
            pack.save()
            audit_record(
                trust=trust,
                actor=actor,
                action="board_pack.requested",
                obj=pack,
                changes={"version": pack.version, "snapshot": str(snapshot.uuid), "as_of": snapshot.as_of},
            )
            _enqueue(pack)
    except IntegrityError:
        existing = pack_in_preparation(trust)
        if existing is None:
            raise ApplicationError("Another board pack was requested at the same moment; try again.") from None
        return existing
    return pack


def _previous_pack(pack: BoardPack) -> BoardPack | None:
    """The trust's latest finished pack for an earlier half-term: what "since the last pack" compares with."""
    earlier = Q(academic_year__lt=pack.academic_year) | Q(
        academic_year=pack.academic_year, half_term__lt=pack.half_term
    )
    return (
        BoardPack.objects.filter(earlier, trust_id=pack.trust_id, status=BoardPackStatus.DONE)
        .select_related("snapshot")
        .order_by("-academic_year", "-half_term", "-version")
        .first()
    )


def _progress(pack: BoardPack, percent: int, stage: str) -> None:
    # A plain UPDATE, so a page polling the pack sees it while the job works.
    BoardPack.objects.filter(pk=pack.pk).update(progress=percent, stage=stage, updated_at=timezone.now())


def board_pack_build(*, pack_id: int) -> BoardPack:
    """The job: claim a queued pack, render it from its snapshot, store the PDF; a failure is recorded, not raised."""
    claimed = claim(BoardPack, pack_id, progress=5, stage="Reading the snapshot", error="")
    pack = BoardPack.objects.select_related("trust", "snapshot").get(pk=pack_id)
    if not claimed:
        return pack  # already built, being built or failed: a job delivered twice builds one pack
    try:
        previous = _previous_pack(pack)
        _progress(pack, 20, "Working out what changed since the last pack")
        context = board_pack_context(
            metrics=pack.snapshot.metrics,
            previous=previous.snapshot.metrics if previous else None,
            version=pack.version,
            snapshot_id=str(pack.snapshot.uuid),
            previous_label=f"{previous.half_term_label}, version {previous.version}" if previous else "",
        )
        _progress(pack, 40, "Laying out the pages")
        pdf, pages = render_board_pack(context)
        _progress(pack, 90, "Storing the PDF")
        pack.file.save(f"{pack.uuid}.pdf", ContentFile(pdf), save=False)
        pack.checksum = hashlib.sha256(pdf).hexdigest()
        pack.size = len(pdf)
        pack.pages = pages
        pack.status = BoardPackStatus.DONE
        pack.progress = 100
        pack.stage = "Ready"
        pack.finished_at = timezone.now()
        pack.save(
            update_fields=[
                "file",
                "checksum",
                "size",
                "pages",
                "status",
                "progress",
                "stage",
                "finished_at",
                "updated_at",
            ]
        )
    except Exception as error:
        # Recorded on the pack for the page to show; raising would only make Celery try the same fault again.
        logger.exception("Board pack %s could not be built", pack.pk)
        pack.status = BoardPackStatus.FAILED
        pack.error = failure_message(error)
        pack.stage = "Failed"
        pack.finished_at = timezone.now()
        pack.save(update_fields=["status", "error", "stage", "finished_at", "updated_at"])
    return pack


def board_pack_retry(*, pack: BoardPack, actor: User | None) -> BoardPack:
    """Queue a failed pack again, same row and version, from the same snapshot."""
    if pack.status != BoardPackStatus.FAILED:
        raise ApplicationError(
            f"Only a failed board pack can be retried; this one is {pack.get_status_display().lower()}.",
            {"status": pack.status},
        )
    other = pack_in_preparation(pack.trust)
    if other is not None:
        raise ApplicationError(
            "Another board pack is being prepared; retry this one when it has finished.", {"pack": str(other.uuid)}
        )
    try:
        with transaction.atomic():
            pack.status = BoardPackStatus.QUEUED
            pack.attempts += 1
            pack.progress = 0
            pack.stage = "Waiting to start"
            pack.error = ""
            pack.started_at = None
            pack.finished_at = None
            pack.enqueued_at = timezone.now()
            pack.save(
                update_fields=[
                    "status",
                    "attempts",
                    "progress",
                    "stage",
                    "error",
                    "started_at",
                    "finished_at",
                    "enqueued_at",
                    "updated_at",
                ]
            )
            audit_record(
                trust=pack.trust,
                actor=actor,
                action="board_pack.retried",
                obj=pack,
                changes={"attempts": pack.attempts},
            )
            _enqueue(pack)
    except IntegrityError:
        raise ApplicationError("Another board pack is being prepared; retry this one when it has finished.") from None
    logger.info("Board pack %s retried by %s", pack.pk, getattr(actor, "pk", None))
    return pack

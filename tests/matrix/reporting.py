"""Expected statuses for the dashboard, school summaries, snapshots and board packs.

Trustees, executives and improvement leads read the trust-wide picture; only executives take
snapshots and generate packs. School 1 is the headteacher's; the governor governs school 2, so
school 1's summary is not there for them (404). A headteacher cannot reach a board pack (403).
"""

from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from reporting.metrics_schema import trust_wide_part
from reporting.models import BoardPack, BoardPackStatus, Snapshot, SnapshotKind
from tests.matrix.common import HT, IL, TR, E, trust_page

READERS = {E, IL, TR}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "dashboard": {"GET": trust_page(READERS)},
    "dashboard-tile": {"GET": trust_page(READERS)},
    "school-summary": {"GET": trust_page(READERS | {HT}, governor=404)},
    "snapshot-list": {"GET": trust_page(READERS)},
    "snapshot-take": {"POST": trust_page({E}, ok=302)},
    "snapshot-detail": {"GET": trust_page(READERS)},
    "board-pack-list": {"GET": trust_page(READERS)},
    "board-pack-generate": {"GET": trust_page({E}), "POST": trust_page({E}, ok=302)},
    "board-pack-detail": {"GET": trust_page(READERS)},
    "board-pack-progress": {"GET": trust_page(READERS)},
    "board-pack-download": {"GET": trust_page(READERS)},
    # Only a failed pack can be retried: this one is ready, so the page says so and goes back.
    "board-pack-retry": {"POST": trust_page({E}, ok=302)},
    "api-dashboard": {"GET": trust_page(READERS, anon=401)},
    "api-snapshot-list": {"GET": trust_page(READERS, anon=401), "POST": trust_page({E}, ok=201, anon=401)},
    "api-snapshot-detail": {"GET": trust_page(READERS, anon=401)},
    "api-board-pack-list": {"GET": trust_page(READERS, anon=401), "POST": trust_page({E}, ok=202, anon=401)},
    "api-board-pack-detail": {"GET": trust_page(READERS, anon=401)},
    "api-board-pack-download": {"GET": trust_page(READERS, anon=401)},
    "api-board-pack-retry": {"POST": trust_page({E}, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """A snapshot of trust A and a finished board pack built from it (inside trust A's scope)."""
    from reporting.selectors.metrics import trust_metrics

    today = timezone.localdate()
    metrics = trust_metrics(trust_a.trust, today=today)
    snapshot = Snapshot.objects.create(
        trust=trust_a.trust,
        academic_year=metrics["academic_year"],
        half_term=metrics["half_term"],
        kind=SnapshotKind.ON_DEMAND,
        as_of=today,
        metrics=metrics,
        summary=trust_wide_part(metrics),
    )
    pack = BoardPack(
        trust=trust_a.trust,
        snapshot=snapshot,
        academic_year=snapshot.academic_year,
        half_term=snapshot.half_term,
        version=1,
        status=BoardPackStatus.DONE,
        progress=100,
    )
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 board pack"), save=False)
    pack.save()
    return {
        "tile": "levels",
        "school_uuid": trust_a.schools[0].uuid,
        "snapshot_uuid": snapshot.uuid,
        "pack_uuid": pack.uuid,
    }

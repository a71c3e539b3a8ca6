"""Demo accountability: the past half-terms frozen as snapshots, and one board pack built from the latest."""

import datetime

from reporting.models import BoardPack
from reporting.selectors.snapshots import latest_snapshot
from reporting.services.board_packs import board_pack_build, board_pack_request
from reporting.services.snapshots import half_term_snapshot_freeze
from trust.calendar.selectors import half_terms_ended_before
from trust.models import Role, Trust, User

PAST_HALF_TERMS = 6


def seed_reporting(*, trust: Trust, people: list[tuple[User, Role]], today: datetime.date) -> None:
    """Snapshots of the last six half-terms (figured from the demo's dated records) and a board pack.

    A rerun leaves both as they are: frozen half-terms are skipped, and a trust with a pack gets no other.
    """
    for half_term in half_terms_ended_before(trust, today)[-PAST_HALF_TERMS:]:
        half_term_snapshot_freeze(trust=trust, half_term=half_term)
    if BoardPack.objects.filter(trust=trust).exists():
        return
    executive = next(user for user, role in people if role == Role.EXECUTIVE)
    pack = board_pack_request(trust=trust, actor=executive, snapshot=latest_snapshot(trust), today=today)
    # Built here rather than left to a worker, so the demo has its pack at once; the queued job then finds
    # the pack finished and does nothing.
    board_pack_build(pack_id=pack.pk)

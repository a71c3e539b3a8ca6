"""A real worker and a real (private) Redis: board packs survive a killed worker and a Redis outage.

30 packs across 3 small trusts, requested 3 at a time (a trust prepares one pack at a time); the
worker is killed with SIGKILL mid-render and another started; Redis is stopped for ~25 s while
pages are read and one more pack is requested; then Redis returns and the sweeper runs. Every pack
completes exactly once. The machine's shared Redis is never touched: this test starts its own.
"""

import datetime
import hashlib
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from reporting.models import BoardPack, BoardPackStatus
from reporting.services.board_packs import board_pack_request
from tests.conftest import build_trust_world
from tests.reliability.processes import PrivateRedis, Worker, celery_broker, wait_for
from trust.tasks import jobs_sweep

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the PostgreSQL and Redis stage of .ci/run)"),
    pytest.mark.skipif(not Path(settings.BASE_DIR).exists(), reason="no project directory"),
]
ROUNDS = 10  # x 3 trusts = 30 packs
OUTAGE_SECONDS = 25


def all_packs() -> list[BoardPack]:
    with scopes_disabled():  # the test looks across its three trusts
        return list(BoardPack.objects.order_by("pk"))


def statuses(packs: list[BoardPack]) -> set[str]:
    pks = [p.pk for p in packs]
    return {p.status for p in all_packs() if p.pk in pks}


def request_round(worlds) -> list[BoardPack]:
    packs = []
    for world in worlds:
        with scope(trust=world.trust.pk):
            packs.append(
                board_pack_request(trust=world.trust, actor=world.people["executive"], today=timezone.localdate())
            )
    return packs


def sweep(worlds, *, later: datetime.timedelta = datetime.timedelta(0)) -> None:
    for world in worlds:
        jobs_sweep.apply(kwargs={"trust_id": world.trust.pk, "now": (timezone.now() + later).isoformat()})


def test_every_pack_is_built_exactly_once_through_a_killed_worker_and_a_redis_outage(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs the test database on PostgreSQL")
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    worlds = [build_trust_world(f"Chaos {n}", f"chaos-{n}", 700_000 + n * 10) for n in range(3)]
    redis = PrivateRedis(tmp_path / "redis.log")
    workers = [
        Worker(name=f"chaos{i}", broker_url="", media_root=media, log=tmp_path / f"worker{i}.log") for i in (1, 2)
    ]
    try:
        redis.start()
        for worker in workers:
            worker.broker_url = redis.url
        with celery_broker(redis.url):
            workers[0].start()
            for round_number in range(ROUNDS):
                packs = request_round(worlds)
                if round_number == 3:
                    # Kill the first worker while it is rendering, then sweep as beat would once the
                    # packs have been running past their time limit (no worker is alive now), and start another.
                    wait_for(
                        lambda packs=packs: "running" in statuses(packs), timeout=60, what="a pack to start", every=0.02
                    )
                    workers[0].kill()
                    sweep(worlds, later=datetime.timedelta(minutes=30))
                    workers[1].start()
                wait_for(lambda packs=packs: statuses(packs) == {"done"}, timeout=90, what=f"round {round_number + 1}")

            # Redis stops: reading pages works, and asking for a pack answers at once.
            redis.stop()
            outage_started = time.monotonic()
            client = worlds[0].client_for("executive")
            slug = worlds[0].trust.slug
            pages = [
                reverse("trust-home", args=[slug]),
                reverse("dashboard", args=[slug]),
                reverse("board-pack-list", args=[slug]),
                reverse("school-list", args=[slug]),
            ]
            answers = []
            asked = time.monotonic()
            response = client.post(reverse("board-pack-generate", args=[slug]), {"snapshot": ""})
            enqueue_seconds = time.monotonic() - asked
            assert response.status_code == 302, response.status_code
            pages.append(response["Location"])
            while time.monotonic() - outage_started < OUTAGE_SECONDS:
                answers += [(page, client.get(page).status_code) for page in pages]
                time.sleep(0.5)
            assert enqueue_seconds < 2
            assert [a for a in answers if a[1] >= 500] == []
            assert {code for _, code in answers} == {200}
            outage_pack = all_packs()[-1]
            assert outage_pack.status == BoardPackStatus.QUEUED and outage_pack.enqueued_at is None

            # Redis returns (empty: it kept nothing); the sweeper sends the pack it never got.
            redis.start()
            sweep(worlds)
            wait_for(
                lambda: statuses([outage_pack]) == {"done"}, timeout=90, what="the pack asked for during the outage"
            )
            time.sleep(2)  # anything sent twice would show now
    finally:
        for worker in workers:
            worker.stop()
        redis.stop()

    packs = all_packs()
    assert len(packs) == 3 * ROUNDS + 1
    assert {p.status for p in packs} == {BoardPackStatus.DONE}
    by_trust: dict[int, list[int]] = {}
    for pack in packs:
        by_trust.setdefault(pack.trust_id, []).append(pack.version)
    assert all(sorted(versions) == list(range(1, len(versions) + 1)) for versions in by_trust.values())
    for pack in packs:
        stored = media / pack.file.name
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == pack.checksum and pack.size == stored.stat().st_size
    # One stored PDF per pack: a pack built twice would have left a second file beside it. Only a pack
    # killed while storing its PDF (attempts > 1) may have left a half-written one.
    files = {path.name for path in media.rglob("*.pdf")}
    assert {f"{p.uuid}.pdf" for p in packs} <= files
    assert len(files) <= len(packs) + sum(1 for p in packs if p.attempts > 1)
    assert any(p.attempts > 1 for p in packs), "the killed worker interrupted no pack"

"""Jobs are never lost: recorded first, sent on commit, sent again by the sweeper, run once however often sent.

Celery runs eagerly here, so "sending" a job runs it at once; the broker's failure is simulated by a
task whose apply_async raises what kombu raises when Redis is down. Reminders and half-term snapshots
have no job row: their unique keys make a redelivered or doubly-delivered job produce one result.
"""

import datetime
import threading
import time
from pathlib import Path
from smtplib import SMTPServerDisconnected

import pytest
from celery.fixups.django import DjangoWorkerFixup
from django.conf import settings
from django.core import mail
from django.core.mail import send_mail
from django.db import OperationalError, connections
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from kombu.exceptions import OperationalError as BrokerUnavailable

from config.celery import app as celery_app
from core import jobs
from interventions.models import Activity, ActivityStatus, ActivityType, ReminderSent
from interventions.tasks import send_visit_reminders, send_weekly_digests
from reporting.models import BoardPack, BoardPackStatus, Snapshot, SnapshotKind
from reporting.services import board_packs
from reporting.services.board_packs import board_pack_request
from reporting.tasks import build_board_pack, freeze_half_term
from schools.models import ImportKind, ImportRun, ImportStatus
from schools.tasks import import_run_task
from trust.beat import PER_TRUST_JOBS
from trust.tasks import jobs_sweep

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Every job send fails as it does with Redis stopped; the list records what was attempted."""
    attempted: list[dict] = []

    def refuse(self, args=None, kwargs=None, **options):
        attempted.append(kwargs)
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(type(build_board_pack._get_current_object()), "apply_async", refuse)
    monkeypatch.setattr(type(import_run_task._get_current_object()), "apply_async", refuse)
    return attempted


def sweep(world, django_capture_on_commit_callbacks, *, minutes_later: int = 0) -> dict:
    now = timezone.now() + datetime.timedelta(minutes=minutes_later)
    with django_capture_on_commit_callbacks(execute=True):
        return jobs_sweep.delay(trust_id=world.trust.pk, now=now.isoformat()).get()


def request_pack(world, django_capture_on_commit_callbacks) -> BoardPack:
    with scope(trust=world.trust.pk), django_capture_on_commit_callbacks(execute=True):
        return board_pack_request(trust=world.trust, actor=world.people["executive"], today=TODAY)


def pack_now(world, pack: BoardPack) -> BoardPack:
    with scope(trust=world.trust.pk):
        return BoardPack.objects.get(pk=pack.pk)


@pytest.mark.serial
def test_a_pack_asked_for_while_the_broker_is_down_is_kept_queued_and_the_page_answers_at_once(
    trust_a, media, broker_down, django_capture_on_commit_callbacks
):
    client = trust_a.client_for("executive")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("board-pack-generate", args=[trust_a.trust.slug]), {"snapshot": ""})
    assert time.monotonic() - started < 2
    assert response.status_code == 302
    with scope(trust=trust_a.trust.pk):
        pack = BoardPack.objects.get()
    assert pack.status == BoardPackStatus.QUEUED and pack.enqueued_at is None
    assert pack.stage == "Queued: will start when the background service resumes"
    assert jobs.job_is_waiting_for_broker(pack)
    assert len(broker_down) == 1
    # Reading pages needs no broker.
    assert client.get(response["Location"]).status_code == 200
    assert client.get(reverse("board-pack-list", args=[trust_a.trust.slug])).status_code == 200


def test_the_sweeper_starts_a_pack_the_broker_never_got_once_the_broker_is_back(
    trust_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as down:
        down.setattr(type(build_board_pack._get_current_object()), "apply_async", _refuse)
        pack = request_pack(trust_a, django_capture_on_commit_callbacks)
        # While it stays down the sweeper tries again, fails quietly and keeps the pack queued.
        sweep(trust_a, django_capture_on_commit_callbacks)
        assert pack_now(trust_a, pack).status == BoardPackStatus.QUEUED
    swept = sweep(trust_a, django_capture_on_commit_callbacks)
    assert swept["board_packs"] == {"resent": 1, "requeued": 0, "failed": 0}
    pack = pack_now(trust_a, pack)
    assert pack.status == BoardPackStatus.DONE and pack.attempts == 1 and pack.checksum


def _refuse(self, args=None, kwargs=None, **options):
    raise BrokerUnavailable("Connection refused.")


def test_a_queued_pack_sent_a_moment_ago_is_not_sent_again(
    trust_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[dict] = []
    monkeypatch.setattr(
        type(build_board_pack._get_current_object()),
        "apply_async",
        lambda self, args=None, kwargs=None, **o: sent.append(kwargs),
    )
    pack = request_pack(trust_a, django_capture_on_commit_callbacks)
    assert len(sent) == 1
    assert sweep(trust_a, django_capture_on_commit_callbacks)["board_packs"]["resent"] == 0
    # Still waiting long after it was sent: the message may have been lost with the broker's data.
    assert sweep(trust_a, django_capture_on_commit_callbacks, minutes_later=11)["board_packs"]["resent"] == 1
    assert sent == [{"trust_id": trust_a.trust.pk, "pack_id": pack.pk}] * 2


def _die_while_running(world, pack: BoardPack, minutes_ago: int) -> None:
    """The worker claimed the pack and was killed: the row says running, nobody is building it."""
    with scope(trust=world.trust.pk):
        assert jobs.claim(BoardPack, pack.pk)
        BoardPack.objects.filter(pk=pack.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=minutes_ago))


def test_a_pack_whose_worker_died_is_queued_again_and_built_once(
    trust_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as nowhere:
        nowhere.setattr(
            type(build_board_pack._get_current_object()), "apply_async", lambda self, *a, **k: None
        )  # sent, never run
        pack = request_pack(trust_a, django_capture_on_commit_callbacks)
    _die_while_running(trust_a, pack, minutes_ago=5)
    # Within its time limit (11 minutes) it may still be running: left alone.
    assert sweep(trust_a, django_capture_on_commit_callbacks)["board_packs"]["requeued"] == 0
    assert pack_now(trust_a, pack).status == BoardPackStatus.RUNNING
    assert sweep(trust_a, django_capture_on_commit_callbacks, minutes_later=10)["board_packs"]["requeued"] == 1
    pack = pack_now(trust_a, pack)
    assert pack.status == BoardPackStatus.DONE and pack.attempts == 2
    checksum = pack.checksum
    # The dead worker's message, delivered again after its visibility timeout, changes nothing.
    build_board_pack.delay(trust_id=trust_a.trust.pk, pack_id=pack.pk)
    assert pack_now(trust_a, pack).checksum == checksum
    assert len(list((media / "trusts" / str(trust_a.trust.code) / "board-packs").iterdir())) == 1


def test_a_pack_whose_worker_dies_at_every_attempt_fails_in_plain_words(
    trust_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(type(build_board_pack._get_current_object()), "apply_async", lambda self, *a, **k: None)
    pack = request_pack(trust_a, django_capture_on_commit_callbacks)
    for attempt in range(1, jobs.MAX_ATTEMPTS + 1):
        assert pack_now(trust_a, pack).attempts == attempt
        _die_while_running(trust_a, pack, minutes_ago=20)
        sweep(trust_a, django_capture_on_commit_callbacks)
    pack = pack_now(trust_a, pack)
    assert pack.status == BoardPackStatus.FAILED and pack.attempts == jobs.MAX_ATTEMPTS
    assert pack.error.startswith("The board pack could not be prepared: the background worker stopped 3 times")
    # The executive's retry button works on it like on any failed pack.
    with scope(trust=trust_a.trust.pk):
        assert board_packs.board_pack_retry(pack=pack, actor=trust_a.people["executive"]).status == "queued"


def test_the_sweeper_looks_only_at_its_own_trust(
    trust_a, trust_b, media, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(type(build_board_pack._get_current_object()), "apply_async", _refuse)
    request_pack(trust_b, django_capture_on_commit_callbacks)
    assert sweep(trust_a, django_capture_on_commit_callbacks)["board_packs"]["resent"] == 0


def test_an_import_confirmed_while_the_broker_is_down_waits_queued_and_the_sweeper_sends_it(
    trust_a, media, broker_down, django_capture_on_commit_callbacks
):
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(trust=trust_a.trust, kind=ImportKind.GIAS, status=ImportStatus.QUEUED)
    jobs.enqueue(import_run_task, row=run, trust_id=trust_a.trust.pk, run_id=run.pk)
    with scope(trust=trust_a.trust.pk):
        run.refresh_from_db()
    assert run.status == ImportStatus.QUEUED and run.enqueued_at is None
    assert sweep(trust_a, django_capture_on_commit_callbacks)["imports"]["resent"] == 0  # still down: not sent
    assert len(broker_down) == 2


def test_an_import_is_claimed_once_however_often_it_is_delivered(trust_a):
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(trust=trust_a.trust, kind=ImportKind.GIAS, status=ImportStatus.QUEUED)
        assert jobs.claim(ImportRun, run.pk) is True
        assert jobs.claim(ImportRun, run.pk) is False
        assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.RUNNING


def test_an_import_whose_worker_died_is_queued_again_with_its_progress_reset(
    trust_a, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[dict] = []
    monkeypatch.setattr(
        type(import_run_task._get_current_object()),
        "apply_async",
        lambda self, args=None, kwargs=None, **o: sent.append(kwargs),
    )
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(
            trust=trust_a.trust,
            kind=ImportKind.GIAS,
            status=ImportStatus.RUNNING,
            attempts=1,
            rows_done=500,
            started_at=timezone.now() - datetime.timedelta(minutes=40),
        )
    assert sweep(trust_a, django_capture_on_commit_callbacks)["imports"]["requeued"] == 1
    with scope(trust=trust_a.trust.pk):
        run.refresh_from_db()
    assert (run.status, run.attempts, run.rows_done) == (ImportStatus.QUEUED, 2, 0)
    assert sent == [{"trust_id": trust_a.trust.pk, "run_id": run.pk}]


def test_a_job_retries_a_database_that_dropped_its_connection(
    trust_a, media, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as nowhere:
        nowhere.setattr(type(build_board_pack._get_current_object()), "apply_async", lambda self, *a, **k: None)
        pack = request_pack(trust_a, django_capture_on_commit_callbacks)
    calls: list[int] = []
    real_build = board_packs.board_pack_build

    def flaky(*, pack_id: int):
        calls.append(pack_id)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_build(pack_id=pack_id)

    monkeypatch.setattr("reporting.tasks.board_pack_build", flaky)
    # As a worker runs it: the retry is taken, not raised to the caller.
    build_board_pack.apply(kwargs={"trust_id": trust_a.trust.pk, "pack_id": pack.pk}, throw=False)
    assert len(calls) == 2 and pack_now(trust_a, pack).status == BoardPackStatus.DONE


def test_the_sweeper_runs_every_few_minutes_for_every_trust():
    task, when = PER_TRUST_JOBS["jobs-sweep"]
    assert task == "trust.jobs_sweep" and when.minute == set(range(0, 60, 5))


def test_workers_acknowledge_late_put_back_lost_work_and_stop_runaway_jobs():
    conf = celery_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > import_run_task.time_limit
    for task, soft, hard in [(build_board_pack, 600, 660), (import_run_task, 1800, 1860)]:
        assert (task.soft_time_limit, task.time_limit, task.max_retries) == (soft, hard, 3)
        assert OperationalError in task.autoretry_for and task.retry_backoff
        assert task.ignore_result  # sending never waits on a result backend that is down


def test_database_connections_are_checked_and_closed_around_each_task(db, monkeypatch):
    """Celery's Django fixup closes every open connection before and after a task: a restarted PostgreSQL
    costs the worker nothing but a new connection."""
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert "celery.fixups.django:fixup" in celery_app.builtin_fixups
    closed: list[str] = []
    connections["default"].ensure_connection()
    monkeypatch.setattr(connections["default"], "close", lambda: closed.append("default"))
    fixup = DjangoWorkerFixup(celery_app)
    not_eager = type("Task", (), {"request": type("Request", (), {"is_eager": False})()})()
    fixup.on_task_prerun(not_eager)
    fixup.on_task_postrun(not_eager)
    assert closed == ["default", "default"]


def test_no_cache_or_session_lives_in_redis():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert all("redis" not in cache["BACKEND"].lower() for cache in settings.CACHES.values())


# -- Beat-driven jobs: no row of their own, one result per unique key however often delivered ------------------

MONDAY = datetime.date(2026, 11, 23)  # the visit below is on the Wednesday: its headteacher is reminded today


def _visit_on_wednesday(world) -> Activity:
    with scope(trust=world.trust.pk):
        return Activity.objects.create(
            trust=world.trust,
            school=world.schools[0],
            owner=world.people["improvement_lead"],
            title="Wednesday monitoring visit",
            activity_type=ActivityType.MONITORING_VISIT,
            planned_on=MONDAY + datetime.timedelta(days=2),
            status=ActivityStatus.PLANNED,
        )


def test_a_reminder_job_that_died_part_way_sends_only_the_missing_emails_when_redelivered(trust_a, monkeypatch):
    # Two emails are due on Monday: the digests of the improvement lead and of the specialist.
    for role in ("improvement_lead", "specialist"):
        with scope(trust=trust_a.trust.pk):
            Activity.objects.create(
                trust=trust_a.trust,
                school=trust_a.schools[0],
                owner=trust_a.people[role],
                title=f"Visit by the {role}",
                activity_type=ActivityType.MONITORING_VISIT,
                planned_on=MONDAY + datetime.timedelta(days=1),
            )
    sent: list[str] = []

    def mail_server_drops_after_one(subject, body, sender, to, **kwargs):
        if sent:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        sent.append(to[0])
        return 1

    # The first delivery: one digest goes out, then the mail server drops; the job's own retries
    # (taken at once here) send nothing twice and fail while it stays down.
    monkeypatch.setattr("interventions.reminders.send_mail", mail_server_drops_after_one)
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)  # as a worker: failures are recorded
    first = send_weekly_digests.apply(kwargs={"trust_id": trust_a.trust.pk, "today": MONDAY.isoformat()})
    assert first.failed() and isinstance(first.result, SMTPServerDisconnected), first.result
    assert len(sent) == 1
    # The same message delivered again (the worker never acknowledged it), with the mail server back.
    monkeypatch.setattr("interventions.reminders.send_mail", send_mail)
    again = send_weekly_digests.apply(kwargs={"trust_id": trust_a.trust.pk, "today": MONDAY.isoformat()}).get()
    assert again == 1
    everyone = sent + [m.to[0] for m in mail.outbox]
    assert sorted(everyone) == sorted(trust_a.people[r].email for r in ("improvement_lead", "specialist"))


def _run_together(target, count: int = 2) -> list:
    """Run `target` in `count` threads started at the same moment, each with its own database connection."""
    barrier, results, errors = threading.Barrier(count), [], []

    def run() -> None:
        try:
            barrier.wait()
            results.append(target())
        except Exception as error:  # noqa: BLE001 -- reported to the test below, not swallowed
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@pytest.mark.django_db(transaction=True)
def test_a_reminder_delivered_to_two_workers_at_once_is_emailed_once(trust_a, monkeypatch):
    if connections["default"].vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL's row locks (CI's PostgreSQL stage runs this)")
    _visit_on_wednesday(trust_a)
    real_send = send_mail

    def slow_mail_server(*args, **kwargs):
        # The first worker is still sending, its ReminderSent row not yet committed, when the second arrives.
        time.sleep(0.5)
        return real_send(*args, **kwargs)

    monkeypatch.setattr("interventions.reminders.send_mail", slow_mail_server)
    kwargs = {"trust_id": trust_a.trust.pk, "today": MONDAY.isoformat()}
    results = _run_together(lambda: send_visit_reminders.apply(kwargs=kwargs).get())
    assert sorted(results) == [0, 1]
    assert [m.to for m in mail.outbox] == [[trust_a.people["headteacher"].email]]
    with scope(trust=trust_a.trust.pk):
        assert ReminderSent.objects.filter(key__startswith="before-visit:").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_half_term_freeze_delivered_to_two_workers_at_once_makes_one_snapshot(trust_a):
    if connections["default"].vendor != "postgresql":
        pytest.skip("two workers at once need PostgreSQL's row locks (CI's PostgreSQL stage runs this)")
    kwargs = {"trust_id": trust_a.trust.pk, "today": "2026-10-23"}  # the last day of Autumn 1
    results = _run_together(lambda: freeze_half_term.apply(kwargs=kwargs).get())
    with scope(trust=trust_a.trust.pk):
        snapshots = list(Snapshot.objects.filter(kind=SnapshotKind.HALF_TERM_END))
    assert len(snapshots) == 1 and sorted(results) == ["", str(snapshots[0].uuid)]
    # And delivered once more later (a redelivery after a lost acknowledgement): nothing new.
    assert freeze_half_term.apply(kwargs=kwargs).get() == ""
    with scope(trust=trust_a.trust.pk):
        assert Snapshot.objects.count() == 1

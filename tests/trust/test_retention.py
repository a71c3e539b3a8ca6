"""Retention: off by default; with a period set, only that type's older records go, with their files."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_scopes import scope, scopes_disabled

from core.data_protection import retention_sweep
from core.models import AuditEntry
from interventions.models import Activity
from reporting.models import BoardPack, Snapshot
from reviews.models import Evidence
from schools.models import ImportFile, ImportRun
from trust.beat import PER_TRUST_JOBS, per_trust_entries
from trust.tasks import retention_sweep as retention_sweep_task

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
LONG_AGO = TODAY - datetime.timedelta(days=800)
LAST_MONTH = TODAY - datetime.timedelta(days=30)
OFF = {"evidence": None, "visits": None, "board_packs": None, "imports": None, "audit": None}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _aged(model, obj, on: datetime.date) -> None:
    # created_at is set on insert; age the row as if it had been made that day.
    model._base_manager.filter(pk=obj.pk).update(
        created_at=datetime.datetime.combine(on, datetime.time(9), datetime.UTC)
    )


def records_on(world, on: datetime.date) -> dict[str, object]:
    """One record of each swept type, dated `on`, the evidence, import and board pack each with a stored file."""
    school = world.schools[0]
    with scopes_disabled():
        evidence = Evidence(school=school, evidence_type="learning_walk", observed_on=on, summary="Walk")
        evidence.file.save("walk.pdf", ContentFile(b"%PDF-1.4 walk %%EOF"), save=False)
        evidence.save()
        visit = Activity.objects.create(
            trust=world.trust, school=school, activity_type="health_check", title="Visit", planned_on=on
        )
        run = ImportRun.objects.create(trust=world.trust, kind="gias", status="done")
        upload = ImportFile(run=run, original_name="gias.csv")
        upload.file.save("gias.csv", ContentFile(b"URN\n1\n"), save=False)
        upload.save()
        snapshot = Snapshot.objects.create(
            trust=world.trust, academic_year=2024, half_term=1, kind="on_demand", as_of=on, metrics={}
        )
        version = Snapshot.objects.filter(trust=world.trust).count()
        pack = BoardPack(
            trust=world.trust, snapshot=snapshot, academic_year=2024, half_term=1, version=version, status="done"
        )
        pack.file.save("pack.pdf", ContentFile(b"%PDF-1.7 pack"), save=False)
        pack.save()
        _aged(ImportRun, run, on)
        _aged(BoardPack, pack, on)
    return {"evidence": evidence, "visit": visit, "run": run, "upload": upload, "pack": pack}


def exists(record) -> bool:
    with scopes_disabled():
        return type(record)._base_manager.filter(pk=record.pk).exists()


def sweep(world, django_capture_on_commit_callbacks) -> dict[str, int]:
    with django_capture_on_commit_callbacks(execute=True):
        return retention_sweep(trust=world.trust, today=TODAY)


def test_retention_is_off_by_default_and_deletes_nothing(trust_a, settings, django_capture_on_commit_callbacks):
    assert settings.RETENTION_DAYS == OFF
    old = records_on(trust_a, LONG_AGO)
    assert sweep(trust_a, django_capture_on_commit_callbacks) == {}
    assert all(exists(record) for record in old.values())
    assert default_storage.exists(old["evidence"].file.name)


def test_with_a_period_only_older_records_of_that_type_go_with_their_files(
    trust_a, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {**OFF, "evidence": 365}
    old, recent = records_on(trust_a, LONG_AGO), records_on(trust_a, LAST_MONTH)
    assert sweep(trust_a, django_capture_on_commit_callbacks)["evidence"] >= 1
    assert not exists(old["evidence"])
    assert not default_storage.exists(old["evidence"].file.name)
    assert exists(recent["evidence"]) and default_storage.exists(recent["evidence"].file.name)
    assert exists(old["visit"]) and exists(old["run"]) and exists(old["pack"])  # other types are kept


def test_visits_imports_and_board_packs_each_follow_their_own_period(
    trust_a, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {**OFF, "visits": 365, "imports": 365, "board_packs": 365}
    old, recent = records_on(trust_a, LONG_AGO), records_on(trust_a, LAST_MONTH)
    swept = sweep(trust_a, django_capture_on_commit_callbacks)
    assert set(swept) == {"visits", "imports", "board_packs"}
    for key in ("visit", "run", "upload", "pack"):
        assert not exists(old[key]), key
        assert exists(recent[key]), key
    assert not default_storage.exists(old["upload"].file.name)  # the import's file went with its run
    assert not default_storage.exists(old["pack"].file.name)
    assert default_storage.exists(recent["pack"].file.name)
    assert exists(old["evidence"])


def test_a_sweep_keeps_other_trusts_records_and_leaves_an_audit_entry(
    trust_a, trust_b, settings, django_capture_on_commit_callbacks
):
    settings.RETENTION_DAYS = {**OFF, "evidence": 365}
    mine, theirs = records_on(trust_a, LONG_AGO), records_on(trust_b, LONG_AGO)
    sweep(trust_a, django_capture_on_commit_callbacks)
    assert not exists(mine["evidence"])
    assert exists(theirs["evidence"]) and default_storage.exists(theirs["evidence"].file.name)
    with scope(trust=trust_a.trust.pk):
        entry = AuditEntry.objects.get(action="retention.swept")
    assert entry.changes["evidence"] >= 1


def test_the_sweep_runs_daily_for_each_trust_as_a_tenant_task(trust_a, settings):
    assert PER_TRUST_JOBS["retention-sweep"][0] == "trust.retention_sweep"
    entry = per_trust_entries([trust_a.trust.pk])[f"retention-sweep:{trust_a.trust.pk}"]
    assert entry["kwargs"] == {"trust_id": trust_a.trust.pk}
    settings.RETENTION_DAYS = {**OFF, "visits": 1}
    with scopes_disabled():
        Activity.objects.create(
            trust=trust_a.trust, activity_type="other", title="Old", planned_on=datetime.date(2020, 1, 1)
        )
    assert retention_sweep_task.delay(trust_id=trust_a.trust.pk).get() == {"visits": 1}


@pytest.mark.django_db
def test_audit_retention_erases_only_entries_older_than_the_cutoff(trust_a, settings):
    import datetime

    from django.utils import timezone

    from core.audit import audit_record
    from core.data_protection import retention_sweep
    from core.models import AuditEntry

    with scope(trust=trust_a.trust.pk):
        old = audit_record(trust=trust_a.trust, actor=None, action="test.old", obj=trust_a.trust)
        recent = audit_record(trust=trust_a.trust, actor=None, action="test.recent", obj=trust_a.trust)
        # The trail refuses updates, so the old entry is aged in the database directly.
        field = AuditEntry._meta.get_field("at")
        aged = timezone.now() - datetime.timedelta(days=400)
        AuditEntry.objects.filter(pk=old.pk)._update([(field, None, aged)])
    settings.RETENTION_DAYS = {**OFF, "audit": 365}
    retention_sweep(trust=trust_a.trust, today=timezone.localdate())
    with scope(trust=trust_a.trust.pk):
        actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert "test.old" not in actions and {"test.recent", "retention.swept"} <= actions
    assert recent.pk

import pytest

from config.celery import app
from trust.beat import PER_TRUST_JOBS, TrustScheduler, per_trust_entries


def test_each_trust_gets_each_periodic_job_with_its_own_trust_id():
    entries = per_trust_entries([3, 7])
    assert set(entries) == {f"{job}:{pk}" for job in PER_TRUST_JOBS for pk in (3, 7)}
    assert entries["weekly-digest:7"]["kwargs"] == {"trust_id": 7}
    assert entries["weekly-digest:7"]["task"] == "interventions.send_weekly_digests"


def test_every_periodic_job_names_a_registered_tenant_task():
    from trust.tasks import TenantTask

    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py is imported

    for task_name, _ in PER_TRUST_JOBS.values():
        assert isinstance(app.tasks[task_name], TenantTask)


@pytest.mark.django_db
def test_the_scheduler_follows_the_trusts_in_the_database(trust_a, trust_b, tmp_path):
    scheduler = TrustScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    scheduler.setup_schedule()
    scheduler.refresh_trust_entries()
    assert f"weekly-digest:{trust_a.trust.pk}" in scheduler.schedule
    assert scheduler.schedule[f"visit-reminders:{trust_b.trust.pk}"].kwargs == {"trust_id": trust_b.trust.pk}
    scheduler.update_from_dict(per_trust_entries([999_999]))  # a trust that no longer exists
    scheduler.refresh_trust_entries()
    assert "visit-reminders:999999" not in scheduler.schedule
    assert app.conf.beat_scheduler == "trust.beat:TrustScheduler"

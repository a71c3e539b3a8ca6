import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from trust.tasks import member_census


def test_a_tenant_task_counts_only_its_own_trust(trust_a, trust_b):
    result = member_census.delay(trust_id=trust_a.trust.pk).get()
    assert sum(result.values()) == 6


def test_a_tenant_task_without_a_trust_refuses_to_run(db):
    with pytest.raises(TypeError, match="trust_id"):
        member_census.delay().get()


def _database_url_for_worker() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not (settings.REDIS_URL and settings.CELERY_RESULT_BACKEND),
    reason="needs REDIS_URL and CELERY_RESULT_BACKEND (set by .ci/run's PostgreSQL and Redis stage)",
)
def test_a_task_goes_through_the_real_broker_to_a_real_worker(trust_a):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.fail("the worker cannot share an in-memory SQLite database: run this stage on PostgreSQL")
    env = {**os.environ, "DATABASE_URL": _database_url_for_worker(), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"ci-{os.getpid()}@%h",
        ],
        cwd=Path(settings.BASE_DIR),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        started = time.monotonic()
        result = member_census.apply_async(kwargs={"trust_id": trust_a.trust.pk})
        census = result.get(timeout=60)
        assert census == dict.fromkeys(trust_a.people, 1)
        assert time.monotonic() - started < 60
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()

"""PostgreSQL restarts under a light request loop: requests succeed again within 10 s of its return, and
the worker runs its next job without being restarted. Uses a private cluster, never the shared one."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.reliability.processes import PrivatePostgres, PrivateRedis, Worker, wait_for

pytestmark = [
    pytest.mark.broker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL (the PostgreSQL and Redis stage of .ci/run)"),
    pytest.mark.skipif(bool(PrivatePostgres.unavailable_because()), reason=PrivatePostgres.unavailable_because()),
]
RECOVERY_LIMIT = 10  # seconds after PostgreSQL accepts connections again


def test_requests_and_the_worker_recover_from_a_postgresql_restart(tmp_path):
    base = Path(settings.BASE_DIR)
    # Not under tmp_path: pytest's folders are private to root, and the cluster runs as `postgres`.
    cluster_folder = Path(tempfile.mkdtemp(prefix="trustwide-pg-"))
    postgres = PrivatePostgres(cluster_folder)
    redis = PrivateRedis(tmp_path / "redis.log")
    worker = client = None
    try:
        postgres.create()
        postgres.start()
        redis.start()
        env = {
            **os.environ,
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "CELERY_RESULT_BACKEND": redis.url[:-1] + "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=base, env=env, check=True, capture_output=True
        )
        worker = Worker(
            name="pg-restart",
            broker_url=redis.url,
            media_root=tmp_path,
            log=tmp_path / "worker.log",
            database=postgres.url,
            result_backend=env["CELERY_RESULT_BACKEND"],
        )
        worker.start()
        output = tmp_path / "client.jsonl"
        with output.open("w") as out:
            client = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.pg_restart_client", "40"], cwd=base, env=env, stdout=out
            )
        wait_for(lambda: '"ready"' in output.read_text(), timeout=60, what="the request loop")
        time.sleep(1)
        postgres.stop()
        time.sleep(3)
        # Measured from the restart command, so the time PostgreSQL takes to start counts against us.
        back_at = time.time()
        postgres.start()
        assert client.wait(timeout=60) == 0
        worker_pid = worker.process.pid if worker.process else None
        assert worker.process is not None and worker.process.poll() is None, "the worker died with PostgreSQL"
    finally:
        if client is not None and client.poll() is None:
            client.kill()
        if worker is not None:
            worker.stop()
        redis.stop()
        postgres.stop()
        shutil.rmtree(cluster_folder, ignore_errors=True)

    lines = [json.loads(line) for line in output.read_text().splitlines()]
    requests = [line for line in lines if "status" in line]
    assert any(r["status"] != 200 for r in requests), "the restart was not noticed"
    recovered = min(r["t"] for r in requests if r["status"] == 200 and r["t"] >= back_at)
    print(
        f"requests recovered {recovered - back_at:.1f} s after the restart; next job took {lines[-1]['seconds']:.2f} s"
    )
    assert recovered - back_at < RECOVERY_LIMIT
    job = lines[-1]
    assert job["job"] == {"executive": 1} and job["seconds"] < 10
    assert worker_pid == worker.process.pid

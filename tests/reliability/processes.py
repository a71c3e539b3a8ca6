"""Private Redis, PostgreSQL and Celery worker processes for the reliability tests, never the machine's shared ones."""

import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

REDIS_SERVER = "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1) -> float:
    """Poll until condition() is true; returns the seconds it took, fails the test after timeout."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(every)
    return time.monotonic() - started


class PrivateRedis:
    """A throwaway redis-server on a free port, with no persistence: stopping it loses its queue too."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        wait_for(lambda: answers(self.port), timeout=10, what="the private redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def database_url() -> str:
    """The test database (pytest-django's test_ name), for a process started by the test."""
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A real `celery worker` process (its own session, so SIGKILL reaches its pool processes too)."""

    def __init__(
        self, *, name: str, broker_url: str, media_root: Path, log: Path, database: str = "", result_backend: str = ""
    ) -> None:
        self.name, self.broker_url, self.media_root, self.log = name, broker_url, media_root, log
        self.database, self.result_backend = database, result_backend
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "REDIS_URL": self.broker_url,
            "CELERY_RESULT_BACKEND": self.result_backend,
            "DATABASE_URL": self.database or database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.reliability.worker_settings",
            "RELIABILITY_MEDIA_ROOT": str(self.media_root),
        }
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "celery,board_packs", "-c", "2",
            "--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
            "-n", f"{self.name}-{os.getpid()}@%h",
        ]  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=Path(settings.BASE_DIR), env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes at once: no warm shutdown, nothing acknowledged."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app at another broker (and back), dropping its pooled connections."""
    from config.celery import app

    def reset() -> None:
        from kombu import pools

        app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        # kombu keeps producer pools in a process-wide registry keyed by broker URL: without this, the
        # next task sent to the original broker would reuse a pool whose connections were just closed.
        pools.reset()

    previous = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = previous


class PrivatePostgres:
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free port in a temporary folder.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (runuser).
    """

    BIN = Path("/usr/lib/postgresql/15/bin")

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    @classmethod
    def unavailable_because(cls) -> str:
        """Why a private cluster cannot be made here ("" when it can)."""
        if not (cls.BIN / "initdb").exists() or not (cls.BIN / "pg_ctl").exists():
            return f"initdb and pg_ctl are not in {cls.BIN}"
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                return "running as root and there is no postgres user to own the cluster"
        return ""

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    def create(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        self._run(str(self.BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            str(self.BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

"""Load test: gunicorn (2 sync workers) on the national database, a mix of people across 3 large trusts.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustwide_scale .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 10 --healthz-seconds 5 --json

What happens, in order:
1. Sessions are prepared in the database for the people of bench-120-a, -b and -c (signed in and past
   two-factor sign-in, as a browser would be), with bench/settings_load.py: production's settings
   over plain HTTP, DEBUG off, CONN_MAX_AGE=60.
2. `gunicorn config.wsgi -w 2 --worker-class sync` starts on a free port with the same settings.
3. Every simulated person GETs the page of their form once (which also hands them the csrftoken
   cookie), then the mix runs for `--seconds`, each person in their own thread, in a closed loop:
   - trustees GET their trust's dashboard, back to back (no pause): the reading load;
   - improvement leads record a past visit of their trust (POST the visit's record form: done, with
     new notes), pausing `--think` seconds between submissions;
   - headteachers change an action of their school's plan (POST the action form, status cycled),
     pausing `--think` seconds between submissions.
   POSTs carry the csrftoken cookie and the X-CSRFToken header. A GET answered 200 and a POST
   answered with a redirect (the form was saved) count as successes; anything else is an error.
   Redirects are not followed. Before the mix, the trustees read alone for `--readers-seconds`: the
   same dashboards without writes, to show what the writes cost the readers.
4. Then `/healthz` alone for `--healthz-seconds`, by as many threads as there are trustees: the floor.
5. gunicorn is stopped and the prepared sessions deleted.

The default mix, per trust: 2 trustees, 1 improvement lead and 2 headteachers, the writers pausing
about 2 s, so at most about 1.5 writes a second per trust beside the reading, which runs flat out.

Latencies are measured by the client (connect, request, full response). The generator is Python
threads with http.client in this one process; its CPU use is measured (process time over the phase)
and reported beside gunicorn's and the whole machine's, because it shares the machine's cores.
"""

import argparse
import contextlib
import datetime
import http.client
import json
import math
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRUSTS = ("bench-120-a", "bench-120-b", "bench-120-c")
HOST = "127.0.0.1"


@dataclass
class Person:
    """One simulated browser: who, their session cookie, and what they do."""

    kind: str  # "trustee", "lead" or "headteacher"
    trust: str
    email: str
    cookies: dict[str, str]
    think: float = 0.0
    targets: list[dict[str, Any]] = field(default_factory=list)  # visits or plan actions to edit
    done: int = 0

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def remember(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value


@dataclass
class Result:
    kind: str
    started: float
    ms: float
    status: int
    ok: bool
    note: str = ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(port: int, person: Person | None, method: str, path: str, form: dict[str, str] | None = None) -> Result:
    """One HTTP request on a new connection (gunicorn's sync workers close every connection)."""
    headers = {"Host": f"{HOST}:{port}", "User-Agent": "trustwide-bench"}
    body = None
    if person is not None:
        headers["Cookie"] = person.cookie_header()
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = person.cookies.get("csrftoken", "") if person else ""
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        status = response.status
        if person is not None:
            person.remember(response)
    except OSError as error:
        return Result("", started, (time.perf_counter() - started) * 1000, 0, False, f"{type(error).__name__}: {error}")
    finally:
        connection.close()
    ms = (time.perf_counter() - started) * 1000
    ok = status in (301, 302, 303) if method == "POST" else status == 200
    note = "" if ok else f"{status} {method} {path}: {content[:200].decode('utf-8', 'replace')}"
    return Result("", started, ms, status, ok, note)


# Preparation (Django set up in this process with the load-test settings).


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_load"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def session_for(user: Any) -> str:
    """A database session for `user`, signed in and past two-factor sign-in; returns its key."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from trust import mfa
    from trust.middleware import PASSWORD_CONFIRMED_AT, SIGNED_IN_AT

    session = SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    device = mfa.authenticator_of(user)
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login() records
    session[SIGNED_IN_AT] = session[PASSWORD_CONFIRMED_AT] = time.time()
    session.create()
    return session.session_key


def prepare(trusts: tuple[str, ...], *, trustees: int, leads: int, heads: int, think: float) -> list[Person]:
    """The simulated people of each trust, each with a fresh session and the records they will edit."""
    from django_scopes import scopes_disabled

    from core.academic import academic_year_for
    from interventions.models import Activity, PlanAction
    from trust.models import Membership, Role, Trust

    today = datetime.date.today()
    people: list[Person] = []
    with scopes_disabled():
        for slug in trusts:
            trust = Trust.objects.filter(slug=slug).first()
            if trust is None:
                raise SystemExit(f"No trust {slug!r}: is this the scale data (manage.py seed_scale)?")
            members = Membership.objects.filter(trust=trust).select_related("user", "school")
            trustee = members.filter(role=Role.TRUSTEE).order_by("user__email").first()
            lead = members.filter(role=Role.IMPROVEMENT_LEAD).order_by("user__email").first()
            if trustee is None or lead is None:
                raise SystemExit(f"{slug} needs a trustee and an improvement lead")
            for _ in range(trustees):
                people.append(Person("trustee", slug, trustee.user.email, {"sessionid": session_for(trustee.user)}))
            visits = list(
                Activity.objects.filter(trust=trust, school__isnull=False, planned_on__lte=today)
                .order_by("-planned_on", "pk")
                .values("uuid")[:200]
            )
            if not visits:
                raise SystemExit(f"{slug} has no past visits for its improvement lead to record")
            for n in range(leads):
                person = Person("lead", slug, lead.user.email, {"sessionid": session_for(lead.user)}, think)
                person.targets = [{"path": f"/t/{slug}/visits/{v['uuid']}/record/"} for v in visits[n::leads]]
                people.append(person)
            this_year = academic_year_for(today)
            heads_done = 0
            for head in members.filter(role=Role.HEADTEACHER).order_by("school__name", "user__email"):
                if heads_done == heads:
                    break
                actions = list(
                    PlanAction.objects.filter(
                        priority__plan__school=head.school, priority__plan__academic_year=this_year
                    ).values("uuid", "description", "owner", "due_on", "success_criteria")
                )
                if not actions:
                    continue  # a school without this year's plan: the next headteacher
                person = Person("headteacher", slug, head.user.email, {"sessionid": session_for(head.user)}, think)
                person.targets = [
                    {
                        "path": f"/t/{slug}/plans/actions/{a['uuid']}/",
                        "form": {
                            "description": a["description"],
                            "owner": a["owner"],
                            "due_on": a["due_on"].isoformat(),
                            "success_criteria": a["success_criteria"],
                        },
                    }
                    for a in actions
                ]
                people.append(person)
                heads_done += 1
            if heads_done < heads:
                raise SystemExit(f"{slug}: only {heads_done} headteachers have this year's plan with actions")
    return people


def delete_sessions(people: list[Person]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=[p.cookies.get("sessionid") for p in people]).delete()


# The load itself.

STATUSES = ("on_track", "at_risk", "off_track", "not_started")


def act(port: int, person: Person) -> Result:
    """The person's next request."""
    n = person.done
    person.done += 1
    if person.kind == "trustee":
        result = request(port, person, "GET", f"/t/{person.trust}/dashboard/")
        result.kind = "dashboard"
        return result
    target = person.targets[n % len(person.targets)]
    if person.kind == "lead":
        form = {
            "status": "done",
            "notes": f"Visit notes {n} from the load test: reading, phonics and leadership discussed.",
            "cancelled_reason": "",
            "evidence_type": "",
        }
        result = request(port, person, "POST", target["path"], form)
        result.kind = "lead_visit_record"
        return result
    form = {**target["form"], "status": STATUSES[n % len(STATUSES)]}
    result = request(port, person, "POST", target["path"], form)
    result.kind = "head_plan_action"
    return result


def warm_up(port: int, person: Person) -> Result:
    """One GET of the person's page (the form they will post, or the dashboard): sets csrftoken too."""
    if person.kind == "trustee":
        return request(port, person, "GET", f"/t/{person.trust}/dashboard/")
    return request(port, person, "GET", person.targets[0]["path"])


def run_phase(port: int, people: list[Person], seconds: float, step: Any) -> tuple[list[Result], float]:
    """Every person in their own thread, in a closed loop, until the time is up."""
    results: list[Result] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def loop(person: Person) -> None:
        rng = random.Random(hash(person.email) ^ id(person))
        # Start a little apart, so the writers' pauses do not line up.
        time.sleep(rng.uniform(0, person.think))
        while time.perf_counter() < deadline:
            result = step(port, person)
            with lock:
                results.append(result)
            if person.think:
                time.sleep(person.think * rng.uniform(0.8, 1.2))

    threads = [threading.Thread(target=loop, args=(p,), daemon=True) for p in people]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def summarise(results: list[Result], elapsed: float) -> dict[str, Any]:
    by_kind: dict[str, list[Result]] = {}
    for result in results:
        by_kind.setdefault(result.kind, []).append(result)
    figures = {}
    for kind, rows in sorted(by_kind.items()):
        times = sorted(r.ms for r in rows)
        errors = [r for r in rows if not r.ok]
        figures[kind] = {
            "requests": len(rows),
            "per_second": round(len(rows) / elapsed, 1),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, math.ceil(0.95 * len(times)) - 1)], 1),
            "max_ms": round(times[-1], 1),
            "errors": len(errors),
            "error_samples": sorted({r.note for r in errors})[:3],
        }
    return figures


class CpuMeter:
    """CPU used over a phase: by this process (the generator), gunicorn, PostgreSQL and the whole machine.

    PostgreSQL's figure is every postgres process on the machine, whoever they serve (a backend that
    ends during the phase takes its time with it, so the figure errs low); on a shared machine the
    whole machine's figure shows how much else was running.
    """

    def __init__(self, server_pid: int) -> None:
        import psutil

        self._psutil = psutil
        self._server = psutil.Process(server_pid)

    def _times(self, processes: list[Any]) -> dict[int, float]:
        times = {}
        for process in processes:
            with contextlib.suppress(self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                cpu = process.cpu_times()
                times[process.pid] = cpu.user + cpu.system
        return times

    def _server_times(self) -> dict[int, float]:
        with contextlib.suppress(self._psutil.NoSuchProcess):
            return self._times([self._server, *self._server.children(recursive=True)])
        return {}

    def _postgres_times(self) -> dict[int, float]:
        processes = self._psutil.process_iter(["name"])
        return self._times([p for p in processes if (p.info["name"] or "").startswith("postgres")])

    @staticmethod
    def _used(before: dict[int, float], after: dict[int, float]) -> float:
        """CPU seconds used between the two readings by the processes alive at the second."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())

    def __enter__(self) -> "CpuMeter":
        self._wall = time.perf_counter()
        self._own = time.process_time()
        self._server_before = self._server_times()
        self._postgres_before = self._postgres_times()
        self._machine = self._psutil.cpu_times()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self._wall
        machine = self._psutil.cpu_times()
        busy = sum(machine) - machine.idle - machine.iowait
        busy_before = sum(self._machine) - self._machine.idle - self._machine.iowait
        cores = self._psutil.cpu_count() or 1
        self.figures = {
            "generator_cpu_percent": round(100 * (time.process_time() - self._own) / wall, 1),
            "gunicorn_cpu_percent": round(100 * self._used(self._server_before, self._server_times()) / wall, 1),
            "postgres_cpu_percent": round(100 * self._used(self._postgres_before, self._postgres_times()) / wall, 1),
            "machine_busy_percent": round(100 * (busy - busy_before) / (wall * cores), 1),
            "cores": cores,
        }


@contextlib.contextmanager
def gunicorn(port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn serving config.wsgi with the load-test settings; stopped on the way out."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings_load"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(  # noqa: S603 -- the project's own gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi",
            "-w",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited with {server.returncode}")
            if request(port, None, "GET", "/healthz").status == 200:
                break
            if time.monotonic() > deadline:
                raise SystemExit("gunicorn did not answer /healthz within 60 s")
            time.sleep(0.3)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def load_test(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.conf import settings
    from django.db import connection

    trusts = tuple(args.trusts.split(","))
    people = prepare(trusts, trustees=args.trustees, leads=args.leads, heads=args.heads, think=args.think)
    connection.close()  # this process makes no more queries until the sessions are deleted
    port = free_port()
    try:
        with gunicorn(port, args.workers) as server:
            failed = [r.note for r in (warm_up(port, person) for person in people) if not r.ok]
            if failed:
                raise SystemExit("Warm-up failed:\n" + "\n".join(failed[:5]))
            readers = [p for p in people if p.kind == "trustee"]
            with CpuMeter(server.pid) as reading_cpu:
                reading, reading_seconds = run_phase(port, readers, args.readers_seconds, act)
            with CpuMeter(server.pid) as mixed_cpu:
                mixed, mixed_seconds = run_phase(port, people, args.seconds, act)
            floor_people = [Person("healthz", "", f"healthz-{i}", {}) for i in range(len(readers))]
            with CpuMeter(server.pid) as floor_cpu:
                floor, floor_seconds = run_phase(
                    port, floor_people, args.healthz_seconds, lambda port, person: _healthz(port)
                )
    finally:
        delete_sessions(people)
    counts = {kind: sum(1 for p in people if p.kind == kind) for kind in ("trustee", "lead", "headteacher")}
    return {
        "trusts": args.trusts.split(","),
        "workers": args.workers,
        "worker_class": "sync",
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "people": counts,
        "think_seconds": args.think,
        "reading": {
            "seconds": round(reading_seconds, 1),
            "kinds": summarise(reading, reading_seconds),
            "cpu": reading_cpu.figures,
        },
        "mixed": {
            "seconds": round(mixed_seconds, 1),
            "kinds": summarise(mixed, mixed_seconds),
            "cpu": mixed_cpu.figures,
        },
        "healthz": {
            "seconds": round(floor_seconds, 1),
            "threads": len(floor_people),
            "kinds": summarise(floor, floor_seconds),
            "cpu": floor_cpu.figures,
        },
    }


def _healthz(port: int) -> Result:
    result = request(port, None, "GET", "/healthz")
    result.kind = "healthz"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trusts", default=",".join(TRUSTS))
    parser.add_argument("--seconds", type=float, default=30, help="length of the mixed phase")
    parser.add_argument("--readers-seconds", type=float, default=10, help="trustees alone first, for comparison")
    parser.add_argument("--healthz-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trustees", type=int, default=2, help="trustee browsers per trust (no pause)")
    parser.add_argument("--leads", type=int, default=1, help="improvement lead browsers per trust")
    parser.add_argument("--heads", type=int, default=2, help="headteachers per trust")
    parser.add_argument("--think", type=float, default=2.0, help="writers' pause between submissions, seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    figures = load_test(args)
    if args.json:
        print(json.dumps(figures))
        return
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

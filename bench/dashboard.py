"""Dashboard and board pack benchmark: trusts of 10, 50 and 100 schools with five years of history.

    .venv/bin/python bench/dashboard.py                  # SQLite in a temporary directory
    .venv/bin/python bench/dashboard.py --postgres postgres://postgres@127.0.0.1:5432
        # the same on PostgreSQL, in a throwaway database created and dropped by the benchmark

One database holds all three trusts (bench/history.py builds them with bulk inserts). For each
trust the dashboard page is requested through Django's test client as its executive (middleware,
scope, view, template: the whole server side, no network) 5 times to warm up and then 25 times;
the median and 95th percentile are reported with the page's SQL query count. Then, in a fresh
interpreter so that its peak memory is its own, the 100-school trust's board pack is requested and
built as the worker would (snapshot taken, PDF rendered and stored): wall time and peak resident
memory. Targets: dashboard median under 150 ms for 100 schools with the same query count as for 10;
the 100-school board pack under 30 s and 600 MB.
"""

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10, 50, 100)
RUNS, WARM_UP = 25, 5
TARGET_DASHBOARD_MS = 150
TARGET_PACK_SECONDS = 30
TARGET_PACK_MB = 600


def _django(directory: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    os.environ["PRIVATE_MEDIA_ROOT"] = f"{directory}/media"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = f"{directory}/media"
    settings.ALLOWED_HOSTS = ["*"]


def build_and_time_dashboards(directory: str) -> dict:
    _django(directory)
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from bench.history import build_trust_history
    from trust.models import Membership, Role

    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    today = datetime.date.today()
    figures: dict = {"database": connection.vendor, "dashboard": {}}
    for size in SIZES:
        started = time.perf_counter()
        trust = build_trust_history(
            name=f"Bench {size} Trust", slug=f"bench-{size}", schools=size, today=today, urn_base=500000 + size * 1000
        )
        built = time.perf_counter() - started
        with scopes_disabled():
            executive = Membership.objects.get(trust=trust, role=Role.EXECUTIVE).user
        client = Client()
        client.force_login(executive)
        url = f"/t/{trust.slug}/dashboard/"
        for _ in range(WARM_UP):
            assert client.get(url).status_code == 200
        timings = []
        for _ in range(RUNS):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        timings.sort()
        figures["dashboard"][size] = {
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
            "queries": len(queries),
            "built_seconds": round(built, 1),
        }
    return figures


def time_board_pack(directory: str) -> dict:
    _django(directory)
    from django_scopes import scope, scopes_disabled

    from reporting.models import BoardPack
    from reporting.services.board_packs import board_pack_request
    from trust.models import Membership, Role, Trust

    with scopes_disabled():
        trust = Trust.objects.get(slug=f"bench-{SIZES[-1]}")
        executive = Membership.objects.get(trust=trust, role=Role.EXECUTIVE).user
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with scope(trust=trust.pk):
        # Celery runs eagerly here (no broker configured): the request builds the pack in this process.
        pack = board_pack_request(trust=trust, actor=executive, today=datetime.date.today())
        pack = BoardPack.objects.get(pk=pack.pk)
    elapsed = time.perf_counter() - started
    if pack.status != "done":
        raise SystemExit(f"board pack failed: {pack.error}")
    return {
        "schools": SIZES[-1],
        "seconds": round(elapsed, 1),
        "pages": pack.pages,
        "size_kb": round(pack.size / 1024),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _run(step: str, directory: str, env: dict) -> dict:
    output = subprocess.run(  # noqa: S603 -- this same script, in a fresh interpreter
        [sys.executable, __file__, "--step", step, directory],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server URL")
    parser.add_argument("--step", nargs=2, metavar=("STEP", "DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, directory = args.step
        result = build_and_time_dashboards(directory) if step == "dashboards" else time_board_pack(directory)
        print(json.dumps(result))
        return

    sys.path.insert(0, str(ROOT))
    from bench.import_gias import throwaway_database

    env = dict(os.environ)
    env.pop("REDIS_URL", None)  # the pack is built in the measuring process (eager Celery)
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as directory:
        if args.postgres:
            env["DATABASE_URL"] = throwaway_database(args.postgres)
        try:
            figures = _run("dashboards", directory, env)
            figures["board_pack"] = _run("pack", directory, env)
        finally:
            if args.postgres:
                throwaway_database(args.postgres, drop=env["DATABASE_URL"])
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"Dashboard ({figures['database']}), {RUNS} requests after {WARM_UP} to warm up:")
    dashboards = figures["dashboard"]
    for size, f in dashboards.items():
        print(f"  {size:>3} schools: median {f['median_ms']} ms, p95 {f['p95_ms']} ms, {f['queries']} queries")
    largest, smallest = dashboards[str(SIZES[-1])], dashboards[str(SIZES[0])]
    print(
        f"  -> {'meets' if largest['median_ms'] < TARGET_DASHBOARD_MS else 'MISSES'} < {TARGET_DASHBOARD_MS} ms;"
        f" query count {'the same' if largest['queries'] == smallest['queries'] else 'GROWS'} from 10 to 100 schools"
    )
    pack = figures["board_pack"]
    print(
        f"Board pack, {pack['schools']} schools: {pack['seconds']} s, {pack['pages']} pages, {pack['size_kb']} KB,"
        f" peak memory {pack['peak_rss_mb']} MB (Django loaded: {pack['rss_before_mb']} MB)"
        f" -> {'meets' if pack['seconds'] < TARGET_PACK_SECONDS else 'MISSES'} < {TARGET_PACK_SECONDS} s,"
        f" {'meets' if pack['peak_rss_mb'] < TARGET_PACK_MB else 'MISSES'} < {TARGET_PACK_MB} MB"
    )


if __name__ == "__main__":
    main()

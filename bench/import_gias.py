"""GIAS import benchmark: a generated 50,000-row establishments file with the real GIAS header.

    .venv/bin/python bench/import_gias.py                 # both scenarios, SQLite in a temp dir
    .venv/bin/python bench/import_gias.py --rows 20000 --scenario national
    .venv/bin/python bench/import_gias.py --postgres postgres://postgres@127.0.0.1:5432
        # the same on PostgreSQL, in a throwaway database created and dropped by the benchmark

Files are generated from the real rows in ../shared/data/real/gias (cycled, with new URNs and
names), so every column, quote and spilled "Linked establishments" value is GIAS's own:
- establishments: N rows, the 2022 file's 111-column header;
- group links: N rows, the pandas-saved alllinksdata header, one link per establishment;
- establishment links: N rows, one predecessor per establishment (Windows-1252, like GIAS).

Scenarios (each in a fresh interpreter, so peak memory is its own):
- national: the whole national file, one trust of 100 schools picked out of it (the real case);
- whole-file: every row belongs to the trust (N schools, predecessors and inspections created),
  the worst case for writes.

The import runs as `manage.py import_gias` does (schools.services.imports.import_run_now): files
streamed, progress written while reading, one transaction for the writes, report stored. Peak
memory is the process's maximum resident set (ru_maxrss), which includes Django itself; the
figure just before the import is printed too. Targets: 5,000 rows/s and 250 MB.
"""

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real" / "gias"
TRUST_UID = "90001"
NATIONAL_TRUST_SCHOOLS = 100
TARGET_ROWS_PER_SECOND = 5000
TARGET_PEAK_MB = 250


def generate(directory: Path, rows: int, trust_schools: int) -> list[Path]:
    """Write the three GIAS files into `directory`; returns their paths."""
    with (REAL / "establishments_primary_hampshire_surrey_20220420.csv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        templates = list(reader)
    with (REAL / "group_links_20220331_pandas.csv").open(encoding="utf-8", newline="") as f:
        links_header = next(csv.reader(f))

    establishments = directory / "edubasealldata_generated.csv"
    group_links = directory / "links_groups_generated.csv"
    predecessors = directory / "links_edubasealldata_generated.csv"
    urn_at, name_at = header.index("URN"), header.index("EstablishmentName")
    with (
        establishments.open("w", encoding="utf-8", newline="") as est,
        group_links.open("w", encoding="utf-8", newline="") as grp,
        predecessors.open("w", encoding="cp1252", newline="") as pre,
    ):
        est_out = csv.writer(est, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        grp_out = csv.writer(grp, lineterminator="\n")
        pre_out = csv.writer(pre, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
        est_out.writerow(header)
        grp_out.writerow(links_header)
        pre_out.writerow(["URN", "LinkURN", "LinkName", "LinkType", "LinkEstablishedDate"])
        for i in range(rows):
            urn = 200000 + i
            row = list(templates[i % len(templates)])
            row[urn_at] = str(urn)
            row[name_at] = f"{row[name_at]} {i}"
            est_out.writerow(row)
            in_trust = i < trust_schools
            uid = TRUST_UID if in_trust else str(100000 + i % 2500)
            name = "BENCH ACADEMY TRUST" if in_trust else f"Other Academy Trust {uid}"
            grp_out.writerow(
                [i, urn, uid, f"TR{uid}", name, "7652902.0", 6, "Multi-academy trust", "", "", "2011-04-15"]
                + ["OPEN", "Open", "2015-09-01", row[name_at], 34, "Academy converter", 2, "Primary", 850, "Hampshire"]
            )
            pre_out.writerow([urn, 100000 + i, f"Former school {i}", "Predecessor", "31-08-2015"])
    return [group_links, establishments, predecessors]


def measure(directory: str, trust_schools: int) -> dict:
    """Run in a fresh interpreter: set up a throwaway database, import, report time and memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scope

    from schools.models import ImportKind, School
    from schools.services.imports import import_run_now
    from trust.models import Trust

    # Tables straight from the models (as pytest --nomigrations does): the benchmark measures the import.
    settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
    call_command("migrate", run_syncdb=True, verbosity=0)
    trust = Trust.objects.create(name="Bench Academy Trust", slug="bench")
    paths = sorted(Path(directory).glob("*generated.csv"))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    handles = [(path.name, path.open("rb")) for path in paths]
    started, cpu_started = time.perf_counter(), time.process_time()
    with scope(trust=trust.pk):
        run = import_run_now(
            trust=trust, actor=None, kind=ImportKind.GIAS, files=handles, options={"group_uid": TRUST_UID}
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        schools = School.objects.filter(trust=trust).count()
    for _, handle in handles:
        handle.close()
    if run.status != "done":
        raise SystemExit(f"import failed: {run.error}")
    return {
        "database": connection.vendor,
        "seconds": round(elapsed, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_read": run.report["rows_read"],
        "schools": schools,
        "created": run.report["created"],
        "predecessors": run.report["predecessors_added"],
        "inspections": run.report["inspections_recorded"],
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def throwaway_database(server: str, drop: str = "") -> str:
    """Create (or with `drop`, drop) a database named for this process on a PostgreSQL server."""
    import psycopg2

    connection = psycopg2.connect(f"{server.rstrip('/')}/postgres")
    connection.autocommit = True
    name = drop.rsplit("/", 1)[-1] if drop else f"bench_gias_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not drop:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return f"{server.rstrip('/')}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=50_000, help="establishment rows (default 50,000)")
    parser.add_argument("--scenario", choices=["national", "whole-file", "both"], default="both")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--postgres", metavar="URL", help="a PostgreSQL server URL, e.g. postgres://postgres@127.0.0.1:5432"
    )
    parser.add_argument("--measure", nargs=2, metavar=("DIR", "TRUST_SCHOOLS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], int(args.measure[1]))))
        return
    if not REAL.is_dir():
        raise SystemExit(f"The real GIAS files are needed for the header and rows: {REAL} not found.")

    scenarios = {"national": NATIONAL_TRUST_SCHOOLS, "whole-file": args.rows}
    chosen = scenarios if args.scenario == "both" else {args.scenario: scenarios[args.scenario]}
    results = {}
    for name, trust_schools in chosen.items():
        with tempfile.TemporaryDirectory(prefix="bench-gias-") as directory:
            paths = generate(Path(directory), args.rows, trust_schools)
            size_mb = sum(p.stat().st_size for p in paths) / 1_048_576
            env = dict(os.environ)
            if args.postgres:
                env["DATABASE_URL"] = throwaway_database(args.postgres)
            try:
                output = subprocess.run(  # noqa: S603 -- this same script, in a fresh interpreter
                    [sys.executable, __file__, "--measure", directory, str(trust_schools)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                    env=env,
                ).stdout
            finally:
                if args.postgres:
                    throwaway_database(args.postgres, drop=env["DATABASE_URL"])
            figures = json.loads(output.strip().splitlines()[-1])
            figures["files_mb"] = round(size_mb, 1)
            figures["establishment_rows_per_second"] = round(args.rows / figures["seconds"])
            figures["rows_per_second"] = round(figures["rows_read"] / figures["seconds"])
            figures["establishment_rows_per_cpu_second"] = round(args.rows / figures["cpu_seconds"])
            results[name] = figures

    if args.json:
        print(json.dumps(results, indent=2))
        return
    for name, f in results.items():
        ok_speed = f["establishment_rows_per_second"] >= TARGET_ROWS_PER_SECOND
        ok_memory = f["peak_rss_mb"] < TARGET_PEAK_MB
        print(f"GIAS import, {name} ({f['database']}): {args.rows:,} establishment rows, {f['files_mb']} MB of files")
        print(f"  {f['seconds']} s ({f['cpu_seconds']} s of CPU); {f['rows_read']:,} rows read across the three files")
        print(f"  trust schools {f['schools']:,}, predecessors {f['predecessors']:,}, inspections {f['inspections']:,}")
        print(
            f"  {f['establishment_rows_per_second']:,} establishment rows/s ({f['rows_per_second']:,} rows/s all files)"
            f" -> {'meets' if ok_speed else 'MISSES'} {TARGET_ROWS_PER_SECOND:,}/s;"
            f" {f['establishment_rows_per_cpu_second']:,} per CPU second"
        )
        print(
            f"  peak memory {f['peak_rss_mb']} MB (Django loaded: {f['rss_before_mb']} MB)"
            f" -> {'meets' if ok_memory else 'MISSES'} < {TARGET_PEAK_MB} MB"
        )


if __name__ == "__main__":
    main()

"""`make bench`: every national-scale figure in one run, checked against its budget.

    .venv/bin/python bench/run.py                 # what `make bench` runs
    .venv/bin/python bench/run.py --quick --no-docs --output /tmp/bench.json   # a short trial

Steps, each in a fresh interpreter so that its memory is its own, one after another:
1. The national database (default postgres://postgres@127.0.0.1:5432/trustwide_scale): reused when
   it holds the expected number of schools; created, migrated and filled with
   `manage.py seed_scale --trusts 1000 --schools 10000 --years 5 --seed 1` (timed) when missing.
   A database with another number of schools is left alone unless --rebuild is given.
2. Pages and API list endpoints for trusts of 10, 50 and 120 schools, with their floors
   (bench/pages.py).
3. The 120-school trust's board pack: wall time and peak memory of the process tree
   (bench/board_pack.py).
4. The GIAS import of a 50,000-row national file on PostgreSQL (bench/import_gias.py, national
   scenario, in its own throwaway database).
5. The load test with gunicorn (bench/load.py).
Then the figures go to bench/results/latest.json, and docs/performance.md's generated section
(between `<!-- bench:start -->` and `<!-- bench:end -->`) is rewritten; the rest of the file is kept.
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/trustwide_scale"
SIZES = {"bench-010": 10, "bench-050": 50, "bench-120-a": 120}

# The budgets.
MAX_QUERIES = 25
MAX_PAGE_MEDIAN_MS = 100
MAX_PACK_SECONDS = 30
MAX_PACK_MB = 600
MIN_IMPORT_ROWS_PER_SECOND = 5000
MAX_IMPORT_MB = 250
MIN_DASHBOARDS_PER_SECOND = 50
MAX_LOAD_P95_MS = 500
MAX_SEED_SECONDS = 600


RANDOM_PAGE_COST = 1.1  # docs/deploy.md: the planner setting for SSDs or a database held in memory


def log(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# The national database.


def _server_and_name(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), parts.path.lstrip("/")


@contextlib.contextmanager
def _connect(url: str) -> Iterator[Any]:
    """An autocommit connection, closed on the way out (psycopg2's own `with` would open a transaction)."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    try:
        yield connection
    finally:
        connection.close()


def count_schools(url: str) -> int | None:
    """Schools in the database, or None when the database or its tables do not exist."""
    import psycopg2

    server, name = _server_and_name(url)
    with _connect(f"{server}/postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            return None
    try:
        with _connect(url) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM schools_school")
            return cursor.fetchone()[0]
    except psycopg2.errors.UndefinedTable:
        return 0


def row_counts(url: str) -> dict[str, int]:
    """Headline row counts of the national data."""
    tables = {
        "trusts": "trust_trust",
        "schools": "schools_school",
        "people": "trust_user",
        "ratings": "reviews_rating",
        "reviews": "reviews_review",
        "measure values": "schools_measurevalue",
        "evidence items": "reviews_evidence",
        "self-evaluation entries": "reviews_selfevaluationentry",
        "interventions": "interventions_intervention",
        "plan actions": "interventions_planaction",
        "visits and events": "interventions_activity",
    }
    counts = {}
    with _connect(url) as connection, connection.cursor() as cursor:
        for label, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 -- table names from the dict above
            counts[label] = cursor.fetchone()[0]
    return counts


def prepare_as_live(url: str) -> dict[str, Any]:
    """The database as a live server keeps it: vacuumed and analysed (autovacuum's work, which a freshly
    bulk-loaded database has not had) and planned for SSDs as docs/deploy.md sets it."""
    _server, name = _server_and_name(url)
    started = time.perf_counter()
    with _connect(url) as connection, connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{name}" SET random_page_cost = {RANDOM_PAGE_COST}')
        cursor.execute("VACUUM (ANALYZE)")
    return {"vacuum_analyze_seconds": round(time.perf_counter() - started, 1), "random_page_cost": RANDOM_PAGE_COST}


def ensure_database(args: argparse.Namespace) -> dict[str, Any]:
    """Reuse the national database, or build it (timed); returns what was done."""
    url, seed_args = args.database, ["--trusts", str(args.trusts), "--schools", str(args.schools)]
    seed_args += ["--years", str(args.years), "--seed", str(args.seed)]
    schools = count_schools(url)
    seed_file = RESULTS / "seed.json"
    if schools == args.schools and not args.rebuild:
        log(f"reusing {url} ({schools:,} schools)")
        recorded = json.loads(seed_file.read_text()) if seed_file.exists() else {}
        if recorded.get("database") != url or recorded.get("arguments") != seed_args:
            recorded = {}
        return {
            "database": url,
            "arguments": seed_args,
            "reused": True,
            "recorded_seed": recorded or None,
            "prepared": prepare_as_live(url),
        }
    if schools is not None and not args.rebuild:
        raise SystemExit(
            f"{url} holds {schools:,} schools, not {args.schools:,}: it may still be being built. "
            "Wait for it, or pass --rebuild to drop and rebuild it."
        )
    server, name = _server_and_name(url)
    with _connect(f"{server}/postgres") as connection, connection.cursor() as cursor:
        if schools is not None:
            log(f"dropping {name} (--rebuild)")
            cursor.execute(f'DROP DATABASE "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    env = step_env(url)
    log(f"migrating {name}")
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)  # noqa: S603 -- our manage.py
    log(f"seeding {name}: seed_scale {' '.join(seed_args)}")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([PYTHON, "manage.py", "seed_scale", *seed_args], cwd=ROOT, env=env, check=True)  # noqa: S603 -- our manage.py
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seed = {
        "database": url,
        "arguments": seed_args,
        "seconds": round(seconds, 1),
        "cpu_seconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "date": datetime.date.today().isoformat(),
    }
    RESULTS.mkdir(exist_ok=True)
    seed_file.write_text(json.dumps(seed, indent=2) + "\n")
    return {"database": url, "arguments": seed_args, "reused": False, "seed": seed, "prepared": prepare_as_live(url)}


# Steps.


def step_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    env.pop("REDIS_URL", None)  # no broker: a board pack is built in the measuring process
    return env


def run_step(name: str, command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """A step in a fresh interpreter; its figures are the JSON on its last line of output."""
    log(f"{name}: {' '.join(Path(c).name if c == PYTHON else c for c in command)}")
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603 -- our own scripts
    if completed.returncode != 0:
        return {"error": f"{name} exited with {completed.returncode}", "step_seconds": time.perf_counter() - started}
    # The figures are the last JSON object printed: a line of its own, or an indented block ending the output.
    lines = completed.stdout.strip().splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("{")]
    try:
        figures = json.loads("\n".join(lines[starts[-1] :]))
    except (IndexError, json.JSONDecodeError):
        return {"error": f"{name} printed no figures", "output": completed.stdout[-2000:]}
    figures["step_seconds"] = round(time.perf_counter() - started, 1)
    return figures


def machine(database_url: str) -> dict[str, Any]:
    import psutil

    model = platform.processor()
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    server, _ = _server_and_name(database_url)
    with _connect(f"{server}/postgres") as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "postgresql": postgres,
        "os": f"{platform.system()} {platform.release()}",
    }


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# Budgets.


def check_budgets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per budget: the figure, the budget, met or not, and what misses it."""
    checks: list[dict[str, Any]] = []

    def add(name: str, figure: str, budget: str, met: bool, misses: list[str] | None = None) -> None:
        checks.append({"budget": name, "figure": figure, "target": budget, "met": met, "misses": misses or []})

    pages = figures.get("pages", {})
    if "trusts" in pages:
        small, large = pages["trusts"].get("bench-010"), pages["trusts"].get("bench-120-a")
        for group, label in (("pages", "main page"), ("api", "API list endpoint")):
            if small is None or large is None:
                break
            grows, over, slow, errors = [], [], [], []
            worst_queries, worst_median = 0, 0.0
            for key, big in large[group].items():
                little = small[group].get(key, {})
                if "error" in big or "error" in little:
                    errors.append(key)
                    continue
                counts = [t[group][key].get("queries", 0) for t in pages["trusts"].values() if key in t[group]]
                worst_queries = max(worst_queries, *counts)
                if big["queries"] != little["queries"]:
                    grows.append(f"{key} ({little['queries']} → {big['queries']})")
                if max(counts) > MAX_QUERIES:
                    over.append(f"{key} ({max(counts)})")
                worst_median = max(worst_median, big["median_ms"])
                if big["median_ms"] > MAX_PAGE_MEDIAN_MS:
                    slow.append(f"{key} ({big['median_ms']:.0f} ms)")
            add(
                f"each {label}'s query count: the same for 10 and 120 schools",
                f"{len(grows)} of {len(large[group])} differ",
                "the same",
                not grows and not errors,
                grows + [f"{key} failed" for key in errors],
            )
            add(
                f"each {label}'s query count at most {MAX_QUERIES}",
                f"largest {worst_queries}",
                f"≤ {MAX_QUERIES}",
                not over and not errors,
                over,
            )
            add(
                f"each {label}'s median server time, 120 schools",
                f"slowest {worst_median:.0f} ms",
                f"≤ {MAX_PAGE_MEDIAN_MS} ms",
                not slow and not errors,
                slow,
            )
    pack = figures.get("board_pack", {})
    if "seconds" in pack:
        done = pack.get("status") == "done" and not pack.get("error")
        add(
            "board pack, 120 schools: wall time",
            f"{pack['seconds']} s",
            f"< {MAX_PACK_SECONDS} s",
            done and pack["seconds"] < MAX_PACK_SECONDS,
        )
        add(
            "board pack, 120 schools: peak memory",
            f"{pack['peak_mb']:.0f} MB",
            f"< {MAX_PACK_MB} MB",
            done and pack["peak_mb"] < MAX_PACK_MB,
        )
    gias = figures.get("import", {}).get("national", {})
    if "seconds" in gias:
        rate = gias["establishment_rows_per_second"]
        add(
            "GIAS import, 50,000 rows: speed",
            f"{rate:,} rows/s",
            f"≥ {MIN_IMPORT_ROWS_PER_SECOND:,} rows/s",
            rate >= MIN_IMPORT_ROWS_PER_SECOND,
        )
        add(
            "GIAS import, 50,000 rows: peak memory",
            f"{gias['peak_rss_mb']:.0f} MB",
            f"< {MAX_IMPORT_MB} MB",
            gias["peak_rss_mb"] < MAX_IMPORT_MB,
        )
    load = figures.get("load", {})
    if "mixed" in load:
        kinds = load["mixed"]["kinds"]
        dashboard = kinds.get("dashboard", {"per_second": 0, "p95_ms": 0})
        errors = sum(k["errors"] for k in kinds.values())
        add(
            "load test: dashboard throughput",
            f"{dashboard['per_second']} req/s",
            f"≥ {MIN_DASHBOARDS_PER_SECOND} req/s",
            dashboard["per_second"] >= MIN_DASHBOARDS_PER_SECOND,
        )
        writers = ", ".join(f"{name} {k['p95_ms']:.0f} ms" for name, k in kinds.items() if name != "dashboard")
        add(
            "load test: dashboard p95",
            f"{dashboard['p95_ms']:.0f} ms (writers' p95: {writers})",
            f"< {MAX_LOAD_P95_MS} ms",
            0 < dashboard["p95_ms"] < MAX_LOAD_P95_MS,
        )
        add(
            "load test: errors",
            str(errors),
            "0",
            errors == 0,
            [f"{name} ({k['errors']})" for name, k in kinds.items() if k["errors"]],
        )
    for step, label in (
        ("pages", "page timings"),
        ("board_pack", "board pack"),
        ("import", "GIAS import"),
        ("load", "load test"),
    ):
        if figures.get(step, {}).get("error"):
            add(f"{label} ran to the end", "failed", "figures", False, [figures[step]["error"]])
    seed = figures.get("database", {}).get("seed") or figures.get("database", {}).get("recorded_seed")
    if seed:
        add(
            "national data built (seed_scale)",
            f"{seed['seconds'] / 60:.1f} min",
            f"< {MAX_SEED_SECONDS // 60} min",
            seed["seconds"] < MAX_SEED_SECONDS,
        )
    return checks


# The generated section of docs/performance.md.


def _ms(figures: dict[str, Any]) -> str:
    if "error" in figures:
        return "failed"
    return f"{figures['median_ms']:.0f} ms ({figures['p95_ms']:.0f}) · {figures['queries']} q"


def _pattern(url: str) -> str:
    """The URL without the trust's slug, the school's UUID or the query string."""
    path = re.sub(r"^(/api/v1)?/t/[^/]+/", r"\1/t/<trust>/", url.split("?")[0])
    return re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<school>", path)


def _met(ok: bool) -> str:
    return "met" if ok else "**MISSED**"


def render_markdown(figures: dict[str, Any], args: argparse.Namespace) -> str:
    m, out = figures["machine"], []
    when = figures["finished"]
    load_start, load_end = figures["load_average_start"], figures["load_average_end"]
    out += [
        "## National-scale benchmark (`make bench`)",
        "",
        f"Written by `bench/run.py` on {when[:16].replace('T', ' ')} from one run (figures also in "
        "`bench/results/latest.json`); the next run rewrites everything between the markers.",
        "",
        f"**Machine:** {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']}; Python {m['python']}, "
        f"PostgreSQL {m['postgresql']} on the same host. Load average {', '.join(map(str, load_start))} at the "
        f"start and {', '.join(map(str, load_end))} at the end (1, 5, 15 min): the machine is shared, so wall "
        "times carry other people's work; each page's own CPU time is given beside it.",
        "",
    ]
    database = figures["database"]
    url = database["database"]
    server, _ = _server_and_name(url)
    run_options = "" if url == DEFAULT_DATABASE else f" --database {url}"
    run_options += " --quick" if figures.get("quick") else ""
    counts = database.get("rows", {})
    seed = database.get("seed") or database.get("recorded_seed")
    built = (
        f"built in this run in {seed['seconds'] / 60:.1f} min ({seed['cpu_seconds'] / 60:.1f} min of CPU)"
        if database.get("seed")
        else (
            f"reused; it was built on {seed['date']} in {seed['seconds'] / 60:.1f} min "
            f"({seed['cpu_seconds'] / 60:.1f} min of CPU)"
            if seed
            else "reused (built before this run by someone else: its build time was not measured here)"
        )
    )
    out += [
        f"**Data:** `manage.py seed_scale {' '.join(database['arguments'])}` on PostgreSQL, {built}: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + ".",
        "",
        "**Commands:**",
        "",
        "```",
        "make bench                                # all of the below, on trustwide_scale (built if missing)",
        f".venv/bin/python bench/run.py{run_options}   # this run",
        "# each step alone (bench/run.py runs them in this order, each in a fresh interpreter):",
        f"DATABASE_URL={url} .venv/bin/python bench/pages.py",
        f"DATABASE_URL={url} .venv/bin/python bench/board_pack.py",
        "DJANGO_SETTINGS_MODULE=bench.settings .venv/bin/python bench/import_gias.py --scenario national \\",
        f"    --postgres {server} --json",
        f"DATABASE_URL={url} .venv/bin/python bench/load.py",
        "```",
        "",
        "### Budgets",
        "",
        "| budget | figure | target | |",
        "| --- | --- | --- | --- |",
    ]
    for check in figures["budgets"]:
        misses = f" — {', '.join(check['misses'])}" if check["misses"] else ""
        out.append(f"| {check['budget']} | {check['figure']}{misses} | {check['target']} | {_met(check['met'])} |")
    met = sum(c["met"] for c in figures["budgets"])
    out += ["", f"{met} of {len(figures['budgets'])} budgets met.", ""]

    pages = figures.get("pages", {})
    if "trusts" in pages:
        trusts = pages["trusts"]
        slugs = list(trusts)
        heads = " | ".join(f"{trusts[s]['schools']} schools" for s in slugs)
        out += [
            "### Pages and API list endpoints",
            "",
            f"Server time in process (Django's test client, DEBUG off, persistent connection): median "
            f"(p95) of {pages['runs']} requests after {pages['warm_up']} to warm up, and the SQL queries of "
            "one request. Trust pages as the executive; the self-evaluation and plan of a school as its "
            "headteacher. CPU is the Django process's own median per request and SQL the time one request "
            "spent waiting for its queries (what the wall time holds beyond them is waiting for a core on this "
            "shared machine); first is the very first request of the run (a page that caches shows its cold "
            "cost there). The dashboard's figures are kept between changes (reporting/selectors/cached.py), so "
            "it is measured twice: as read, and built afresh, with what is kept emptied before every request "
            "(what the first reader after a change waits for). Budget: queries the same "
            f"for 10 and 120 schools and ≤ {MAX_QUERIES}; median ≤ {MAX_PAGE_MEDIAN_MS} ms at 120 schools.",
            "",
        ]
        for group, title in (("pages", "page"), ("api", "API")):
            out += [
                f"| {title} | {heads} | CPU / SQL at {trusts[slugs[-1]]['schools']} | first at "
                f"{trusts[slugs[-1]]['schools']} | budget |",
                "| --- |" + " --- |" * (len(slugs) + 3),
            ]
            for key, large in trusts[slugs[-1]][group].items():
                cells = [_ms(trusts[s][group].get(key, {"error": "missing"})) for s in slugs]
                counts = [trusts[s][group].get(key, {}).get("queries") for s in slugs]
                ok = (
                    "error" not in large
                    and len(set(counts)) == 1
                    and max(c or 0 for c in counts) <= MAX_QUERIES
                    and large["median_ms"] <= MAX_PAGE_MEDIAN_MS
                )
                extra = (
                    ["", ""]
                    if "error" in large
                    else [f"{large['cpu_median_ms']:.0f} / {large['sql_ms']:.0f} ms", f"{large['first_ms']:.0f} ms"]
                )
                label = f"{large['label']} (`{_pattern(large['url'])}`, as {large['as']})"
                out.append(f"| {label} | " + " | ".join(cells + extra) + f" | {_met(ok)} |")
            out.append("")
        out += [
            "**Floors** (same run, same trusts):",
            "",
            f"| floor | {heads} | CPU at 120 |",
            "| --- |" + " --- |" * (len(slugs) + 1),
        ]
        for key, large in trusts[slugs[-1]]["floors"].items():
            cells = [_ms(trusts[s]["floors"][key]) for s in slugs]
            out.append(f"| {large['label']} | " + " | ".join(cells) + f" | {large.get('cpu_median_ms', '')} ms |")
        out.append("")

    pack = figures.get("board_pack", {})
    if "seconds" in pack:
        out += [
            "### Board pack, 120 schools",
            "",
            f"`{pack['trust']}` ({pack['schools']} schools): requested and built as the worker would (snapshot, "
            f"render, store), in a fresh interpreter: **{pack['seconds']} s** wall ({pack['cpu_seconds']} s of CPU "
            f"in the process and its children), {pack['pages']} pages, {pack['size_kb']:,} KB. Peak memory of the "
            f"whole process tree **{pack['peak_mb']:.0f} MB** (proportional set sizes summed over up to "
            f"{pack['peak_processes']} processes, sampled {pack['samples']:,} times, about every "
            f"{1000 * pack['seconds'] / max(1, pack['samples']):.0f} ms, and never below the kernel's peak for the "
            f"main process; {pack['rss_before_mb']:.0f} MB before the "
            f"request; the plain sum of resident sizes, which counts shared pages once per process, peaked at "
            f"{pack['peak_tree_rss_mb']:.0f} MB). "
            f"Budget: < {MAX_PACK_SECONDS} s and < {MAX_PACK_MB} MB.",
            "",
        ]
    elif pack:
        out += ["### Board pack, 120 schools", "", f"Failed: {pack.get('error')}", ""]

    gias = figures.get("import", {}).get("national", {})
    if "seconds" in gias:
        out += [
            "### GIAS import, 50,000 rows",
            "",
            f"The national scenario of `bench/import_gias.py` on PostgreSQL ({gias['files_mb']} MB of generated "
            f"GIAS files, one trust of {gias['schools']} schools picked out): {gias['seconds']} s "
            f"({gias['cpu_seconds']} s of CPU), **{gias['establishment_rows_per_second']:,} establishment rows/s** "
            f"({gias['rows_per_second']:,} rows/s over all {gias['rows_read']:,} rows of the three files), "
            f"peak memory **{gias['peak_rss_mb']:.0f} MB** (Django loaded: {gias['rss_before_mb']:.0f} MB). "
            f"Budget: ≥ {MIN_IMPORT_ROWS_PER_SECOND:,} rows/s and < {MAX_IMPORT_MB} MB.",
            "",
        ]

    load = figures.get("load", {})
    if "mixed" in load:
        people = load["people"]
        out += [
            "### Load test",
            "",
            f"gunicorn `config.wsgi`, {load['workers']} {load['worker_class']} workers, production settings over "
            f"plain HTTP (bench/settings_load.py: DEBUG off, CONN_MAX_AGE={load['conn_max_age']}), on the national "
            f"database. Across {', '.join(load['trusts'])}: {people['trustee']} trustee browsers reading the "
            f"dashboard back to back, {people['lead']} improvement leads recording visits and "
            f"{people['headteacher']} headteachers changing plan actions (each writer pausing about "
            f"{load['think_seconds']} s between submissions), for {load['mixed']['seconds']} s, after the "
            f"trustees had read alone for {load['reading']['seconds']} s; then `/healthz` alone from "
            f"{load['healthz']['threads']} threads for {load['healthz']['seconds']} s. Latencies as the client "
            "saw them (a new connection per request). The budget is read on the mix.",
            "",
            "| requests | count | req/s | median | p95 | max | errors |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        labels = {
            "dashboard": "trustees: dashboard (GET)",
            "lead_visit_record": "improvement leads: record a visit (POST)",
            "head_plan_action": "headteachers: change a plan action (POST)",
            "healthz": "`/healthz` alone (floor)",
        }
        phases = {"mixed": "mix: ", "reading": "no writers, before the mix: ", "healthz": ""}
        for phase in ("mixed", "reading", "healthz"):
            for kind, k in load[phase]["kinds"].items():
                label = phases[phase] + labels.get(kind, kind)
                out.append(
                    f"| {label} | {k['requests']:,} | {k['per_second']} | {k['median_ms']:.0f} ms | "
                    f"{k['p95_ms']:.0f} ms | {k['max_ms']:.0f} ms | {k['errors']} |"
                )
        mixed_cpu, floor_cpu, reading_cpu = load["mixed"]["cpu"], load["healthz"]["cpu"], load["reading"]["cpu"]
        alone = load["reading"]["kinds"].get("dashboard", {}).get("per_second", 0)
        per_cpu = alone / (reading_cpu["gunicorn_cpu_percent"] / 100) if reading_cpu["gunicorn_cpu_percent"] else 0
        dashboards = load["mixed"]["kinds"].get("dashboard", {}).get("per_second", 0)
        healthz = load["healthz"]["kinds"].get("healthz", {}).get("per_second", 0)
        ratio = f"{dashboards / healthz:.1%}" if healthz else "n/a"
        out += [
            "",
            f"Dashboard throughput is {ratio} of `/healthz`'s. CPU during the mix (percent of one core): "
            f"gunicorn {mixed_cpu['gunicorn_cpu_percent']}%, PostgreSQL (all its processes) "
            f"{mixed_cpu['postgres_cpu_percent']}%, the load generator {mixed_cpu['generator_cpu_percent']}%; the "
            f"whole machine was {mixed_cpu['machine_busy_percent']}% busy ({mixed_cpu['cores']} cores). During "
            f"`/healthz`: gunicorn {floor_cpu['gunicorn_cpu_percent']}%, generator "
            f"{floor_cpu['generator_cpu_percent']}%, machine {floor_cpu['machine_busy_percent']}% busy. With the "
            f"trustees alone gunicorn used {reading_cpu['gunicorn_cpu_percent']}% of a core for {alone} dashboards/s: "
            f"{per_cpu:.0f} dashboards per second of gunicorn's CPU (the machine was "
            f"{reading_cpu['machine_busy_percent']}% busy).",
            "",
        ]
        samples = [s for k in load["mixed"]["kinds"].values() for s in k["error_samples"]]
        if samples:
            out += ["Errors seen (first of each):", ""] + [f"- `{s[:160]}`" for s in samples] + [""]
    failed = [name for name in ("pages", "board_pack", "import", "load") if figures.get(name, {}).get("error")]
    if failed:
        out += [f"Steps that failed in this run: {', '.join(failed)} (see the run's output)."]
    return "\n".join(_wrapped(out)).rstrip() + "\n"


def _wrapped(lines: list[str], width: int = 100) -> list[str]:
    """Prose wrapped like the rest of docs/performance.md; tables, headings, lists and code kept whole."""
    wrapped, in_code = [], False
    for line in lines:
        if line.startswith("```"):
            in_code = not in_code
        if in_code or line.startswith(("```", "|", "#", "- ")) or len(line) <= width:
            wrapped.append(line)
        else:
            wrapped += textwrap.wrap(line, width=width, break_long_words=False, break_on_hyphens=False)
    return wrapped


def write_docs(section: str) -> None:
    text = DOCS.read_text()
    block = f"{START}\n{section}{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        text = before + block + after
    else:
        # First run: the generated section goes after the title's paragraph.
        head, _, tail = text.partition("\n\n")
        first, _, rest = tail.partition("\n\n")
        text = f"{head}\n\n{first}\n\n{block}\n\n{rest}"
    DOCS.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help=f"the national database (default {DEFAULT_DATABASE})"
    )
    parser.add_argument("--trusts", type=int, default=1000, help="seed_scale --trusts when building it")
    parser.add_argument("--schools", type=int, default=10000, help="seed_scale --schools (also the count reused)")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild a database with another count")
    parser.add_argument("--steps", default="pages,pack,import,load", help="comma-separated subset")
    parser.add_argument("--quick", action="store_true", help="few requests and a short load test (a trial run)")
    parser.add_argument("--output", default=str(RESULTS / "latest.json"))
    parser.add_argument("--no-docs", action="store_true", help="leave docs/performance.md alone")
    args = parser.parse_args()
    steps = set(args.steps.split(","))

    started = datetime.datetime.now().astimezone()
    figures: dict[str, Any] = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(args.database),
        "load_average_start": load_average(),
        "quick": args.quick,
    }
    figures["database"] = ensure_database(args)
    figures["database"]["rows"] = row_counts(args.database)
    env = step_env(args.database)
    runs, warm_up = ("5", "2") if args.quick else ("25", "5")
    if "pages" in steps:
        figures["pages"] = run_step(
            "pages", [PYTHON, "bench/pages.py", "--runs", runs, "--warm-up", warm_up, "--trusts", ",".join(SIZES)], env
        )
    if "pack" in steps:
        figures["board_pack"] = run_step("board pack", [PYTHON, "bench/board_pack.py", "bench-120-a"], env)
    if "import" in steps:
        server, _ = _server_and_name(args.database)
        rows = ["--rows", "10000"] if args.quick else []
        figures["import"] = run_step(
            "GIAS import",
            [PYTHON, "bench/import_gias.py", "--scenario", "national", "--postgres", server, "--json", *rows],
            env,
        )
    if "load" in steps:
        length = ["--seconds", "8", "--readers-seconds", "3", "--healthz-seconds", "3"] if args.quick else []
        figures["load"] = run_step("load test", [PYTHON, "bench/load.py", "--json", *length], env)
    figures["load_average_end"] = load_average()
    figures["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    figures["budgets"] = check_budgets(figures)

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=1) + "\n")
    log(f"figures written to {output}")
    if not args.no_docs:
        write_docs(render_markdown(figures, args))
        log(f"{DOCS.relative_to(ROOT)} rewritten between {START} and {END}")
    for check in figures["budgets"]:
        misses = f" ({', '.join(check['misses'])})" if check["misses"] else ""
        verdict = "met   " if check["met"] else "MISSED"
        print(f"{verdict}  {check['budget']}: {check['figure']}{misses} [{check['target']}]")


if __name__ == "__main__":
    main()

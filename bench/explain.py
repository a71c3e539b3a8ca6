"""EXPLAIN ANALYZE of every SELECT the main pages and API lists send, flagging plans that will not scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustwide_scale .venv/bin/python bench/explain.py
    DATABASE_URL=... .venv/bin/python bench/explain.py --markdown > /tmp/dashboard-plans.md
    DATABASE_URL=... .venv/bin/python bench/explain.py --only dashboard,calendar --verbose

Each endpoint of bench/pages.py is requested once for one trust (default `bench-120-a`), as the person
bench/pages.py signs in as, with the process's cache emptied first so the dashboard builds its document
rather than reading a kept one. Every SELECT captured (the statement as PostgreSQL received it, parameters
interpolated) is run again under `EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT)` in a transaction that is rolled
back. A plan is flagged when it
- reads a table of `--big-table` rows or more (PostgreSQL's estimate) with a sequential scan: its cost
  grows with the whole country's data, not with the trust's; or
- sorts more than `--many-rows` rows for the query's ORDER BY (a Sort node: no index gave that order).
  An Incremental Sort (an index gave the leading keys) is not flagged, nor a Sort that only feeds a
  GroupAggregate, Unique or Merge Join: that is how PostgreSQL chose to group or join, not an ordering
  the page asked for.

For each query the report names the innermost frame of our own code that sent it (the selector, the view,
the middleware), so a flag leads to the line to fix, and the shared buffers it touched: a count that, unlike
the milliseconds, does not move with the machine's load. `--markdown` prints the dashboard's queries with their
plans instead, for docs/performance.md. Planner settings can be tried without touching the server, e.g.
`PGOPTIONS="-c random_page_cost=1.1"`.
"""

import argparse
import ast
import datetime
import inspect
import re
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import APIS, PAGES, ROOT, Endpoint, _people, setup_django, signed_in_client  # noqa: E402 -- needs the path above

BIG_TABLE, MANY_ROWS = 10_000, 1_000
# A plan line: optional arrow, the node's name, then its estimate and what actually happened.
NODE = re.compile(
    r"^(?P<indent>\s*(?:->\s+)?)(?P<name>[A-Z][^(]*?)\s+\(cost=[^)]*\)\s+"
    r"\(actual time=[^)]*?rows=(?P<rows>\d+) loops=(?P<loops>\d+)\)"
)
SEQ_SCAN = re.compile(r"^(?:Parallel )?Seq Scan on (?P<table>\w+)")
BUFFERS = re.compile(r"^  Buffers: shared(?: hit=(?P<hit>\d+))?(?: read=(?P<read>\d+))?")
# Nodes whose Sort input is their own way of grouping or joining, not the query's ORDER BY.
SORTS_FOR_THEMSELVES = ("GroupAggregate", "Unique", "Merge Join", "Merge Left Join", "Merge Right Join")
USING_INDEX = re.compile(r"(?:using|Bitmap Index Scan on) (?P<index>\w+)")
OUR_APPS = ("core", "trust", "schools", "reviews", "interventions", "reporting")
OUR_CODE = ("bench/", ".venv/")
TRANSACTION_MARKERS = {"BEGIN", "COMMIT", "ROLLBACK"}


@dataclass
class Plan:
    sql: str
    origin: str
    text: str
    execution_ms: float
    buffers: int
    flags: list[str] = field(default_factory=list)


@dataclass
class Page:
    endpoint: Endpoint
    group: str
    who: str
    url: str
    status: int
    queries: int
    plans: list[Plan]


def _origin(stack: list[traceback.FrameSummary]) -> str:
    """Who sent the query: the innermost frame of the project's own code (not Django, not this script, not a
    middleware passing the request on), with the library code in between when there is some above Django's ORM
    (the session backend, DRF's paginator, a template); else that library frame alone."""
    library = ""
    for frame in reversed(stack):
        path = Path(frame.filename)
        if path.is_relative_to(ROOT) and not path.relative_to(ROOT).as_posix().startswith(OUR_CODE):
            if "get_response(" not in (frame.line or ""):
                ours = f"{path.relative_to(ROOT).as_posix()}:{frame.lineno} {frame.name}"
                return f"{ours} via {library}" if library else ours
        elif not library and "site-packages" in path.parts:
            package = path.as_posix().split("site-packages/", 1)[1]
            if not package.startswith(("django/db/", "django/utils/")):
                library = f"{package}:{frame.lineno} {frame.name}"
    return library or "unknown"


@contextmanager
def origins_recorded(connection: Any) -> Iterator[list[str]]:
    """The origin of every statement the connection runs, in order (as CaptureQueriesContext lists them)."""
    found: list[str] = []

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        found.append(_origin(traceback.extract_stack()[:-1]))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield found


def _catalogue(sql: str) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def table_rows() -> dict[str, int]:
    """PostgreSQL's estimate of each of our tables' rows (from the last ANALYZE or VACUUM)."""
    rows = _catalogue(
        "SELECT relname, reltuples::bigint FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace"
    )
    return dict(rows)


def planner_warnings() -> list[str]:
    """What makes this database's plans differ from a live one's: missing statistics or visibility maps."""
    warnings = []
    unanalysed = _catalogue(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
        "AND reltuples < 0 AND relpages > 0 ORDER BY relname"
    )
    if unanalysed:
        names = ", ".join(name for (name,) in unanalysed)
        warnings.append(f"never analysed, so the planner guesses their sizes (run ANALYZE): {names}")
    unvacuumed = _catalogue(
        "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
        "AND relpages > 100 AND relallvisible = 0 ORDER BY relname"
    )
    if unvacuumed:
        names = ", ".join(name for (name,) in unvacuumed)
        warnings.append(
            "never vacuumed, so index-only scans are costed as heap reads and PostgreSQL may prefer other plans "
            f"than it would with autovacuum running: {names}"
        )
    return warnings


def explain(sql: str) -> tuple[str, float, int]:
    """The statement's plan as PostgreSQL ran it, its execution time and shared buffers; nothing it did is kept."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            # No parameters: the statement already has them, and a % in it is not a placeholder.
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) {sql}")
            lines = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    timing = next((line for line in lines if line.startswith("Execution Time:")), "Execution Time: 0 ms")
    top = next((BUFFERS.match(line) for line in lines if BUFFERS.match(line)), None)
    buffers = int(top["hit"] or 0) + int(top["read"] or 0) if top else 0
    return "\n".join(lines), float(timing.split()[2]), buffers


def flags_of(plan_text: str, rows_of: dict[str, int], *, big_table: int, many_rows: int) -> list[str]:
    """What in the plan will not scale (see the module docstring)."""
    flags = []
    above: list[tuple[int, str]] = []  # (column, name) of the nodes enclosing the current line
    for line in plan_text.splitlines():
        node = NODE.match(line)
        if node is None:
            continue
        column, name = len(node["indent"]), node["name"].strip()
        while above and above[-1][0] >= column:
            above.pop()
        parent = above[-1][1] if above else ""
        above.append((column, name))
        scan = SEQ_SCAN.match(name)
        if scan and rows_of.get(scan["table"], 0) >= big_table:
            flags.append(f"Seq Scan on {scan['table']} (~{rows_of[scan['table']]:,} rows in the table)")
        sorted_rows = int(node["rows"]) * int(node["loops"])
        if name == "Sort" and sorted_rows > many_rows and not parent.startswith(SORTS_FOR_THEMSELVES):
            flags.append(f"Sort of {sorted_rows:,} rows not given by an index")
    return flags


def _url(endpoint: Endpoint, trust: Any, school: Any) -> str:
    """The endpoint's URL for the trust, as bench/pages.py builds it."""
    from django.urls import reverse

    kwargs: dict[str, Any] = {"trust_slug": trust.slug}
    if endpoint.per_school:
        kwargs["school_uuid"] = school.uuid
    url = reverse(endpoint.url_name, kwargs=kwargs)
    if endpoint.this_month:
        start = datetime.date.today().replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        url += f"?start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"
    return url


def explain_trust(slug: str, *, only: set[str] | None, big_table: int, many_rows: int) -> list[Page]:
    """Every page and API list of bench/pages.py for one trust, each SELECT explained."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from trust.models import Trust

    with scopes_disabled():
        trust = Trust.objects.filter(slug=slug).first()
    if trust is None:
        raise SystemExit(f"No trust {slug!r} in this database: is it the scale data (manage.py seed_scale)?")
    executive, school, headteacher = _people(trust)
    clients = {"executive": signed_in_client(executive)}
    if headteacher is not None:
        clients["headteacher"] = signed_in_client(headteacher)
    rows_of = table_rows()
    pages = []
    for group, endpoints in (("page", PAGES), ("api", APIS)):
        for endpoint in endpoints:
            if only and endpoint.key not in only:
                continue
            who = "headteacher" if endpoint.as_headteacher and headteacher is not None else "executive"
            client, url = clients[who], _url(endpoint, trust, school)
            client.get(url)  # anything a first visit does once (a session's expiry saved) is not what is measured
            cache.clear()  # the dashboard's kept document and page: build them, as after a change
            with CaptureQueriesContext(connection) as captured, origins_recorded(connection) as origins:
                response = client.get(url)
            # Django lists a transaction's BEGIN and COMMIT too, which are not statements it executes.
            statements = [q for q in captured.captured_queries if q["sql"] not in TRANSACTION_MARKERS]
            if len(origins) != len(statements):
                raise SystemExit(f"{url}: {len(statements)} statements captured but {len(origins)} seen")
            plans = []
            for query, origin in zip(statements, origins, strict=True):
                sql = query["sql"]
                if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                text, ms, buffers = explain(sql)
                flags = flags_of(text, rows_of, big_table=big_table, many_rows=many_rows)
                plans.append(Plan(sql, origin, text, ms, buffers, flags))
            pages.append(Page(endpoint, group, who, url, response.status_code, len(captured), plans))
    for client in clients.values():
        client.logout()  # the sessions made here do not pile up in the database
    return pages


def _short(sql: str, width: int = 160) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def print_report(pages: list[Page], *, verbose: bool) -> int:
    """Per endpoint: queries, time and buffers in PostgreSQL, flags with their plans. Returns the flagged count."""
    flagged = 0
    for page in pages:
        total = sum(plan.execution_ms for plan in page.plans)
        buffers = sum(plan.buffers for plan in page.plans)
        bad = [plan for plan in page.plans if plan.flags]
        flagged += len(bad)
        print(
            f"{page.group:4} {page.endpoint.label:30} {page.status} as {page.who:11} {page.queries:3} queries, "
            f"{len(page.plans):3} SELECTs, {total:7.1f} ms and {buffers:6,} buffers in PostgreSQL, {len(bad)} flagged"
        )
        for plan in page.plans if verbose else bad:
            print(f"     {plan.execution_ms:8.2f} ms {plan.buffers:6,} buffers  {plan.origin}")
            print(f"                  {_short(plan.sql)}")
            for flag in plan.flags:
                print(f"                  FLAG: {flag}")
            if plan.flags:
                print("\n".join(f"                  | {line}" for line in plan.text.splitlines()))
    return flagged


@dataclass(frozen=True)
class DeclaredIndex:
    model: str
    table: str
    name: str
    fields: tuple[str, ...]
    reason: str  # the comment above it in the model's source


def declared_indexes() -> list[DeclaredIndex]:
    """Every index in our models' Meta.indexes with the comment written above it (tests/test_indexes.py)."""
    from django.apps import apps

    found = []
    for app in OUR_APPS:
        for model in apps.get_app_config(app).get_models():
            if not model._meta.indexes:
                continue
            source = Path(inspect.getsourcefile(model) or "").read_text()
            lines = source.splitlines()
            starts = {
                keyword.value.value: node.lineno
                for node in ast.walk(ast.parse(source))
                if isinstance(node, ast.Call)
                for keyword in node.keywords
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant)
            }
            for index in model._meta.indexes:
                above, comment = starts.get(index.name, 1) - 2, []
                while above >= 0 and lines[above].strip().startswith("#"):
                    comment.insert(0, lines[above].strip().lstrip("#").strip())
                    above -= 1
                fields = tuple(index.fields)
                found.append(
                    DeclaredIndex(model._meta.label, model._meta.db_table, index.name, fields, " ".join(comment))
                )
    return found


def print_index_table(pages: list[Page]) -> None:
    """Each declared index, the query it serves, and the pages whose plans on this database use it."""
    used: dict[str, list[str]] = {}
    for page in pages:
        names = {m["index"] for plan in page.plans for m in USING_INDEX.finditer(plan.text)}
        for name in names:
            used.setdefault(name, []).append(f"{page.endpoint.label}{' (API)' if page.group == 'api' else ''}")
    print("| Index | Columns | The query it serves (its comment) | Chosen in this run's plans of |")
    print("|---|---|---|---|")
    for index in declared_indexes():
        pages_using = ", ".join(used.get(index.name, [])) or "none of these pages"
        columns = ", ".join(index.fields)
        print(f"| `{index.name}` ({index.model}) | {columns} | {index.reason} | {pages_using} |")
    print()


def print_markdown(pages: list[Page], slug: str) -> None:
    """The declared indexes and where they were used; the dashboard's queries with their plans (docs/performance.md)."""
    page = next((p for p in pages if p.group == "page" and p.endpoint.key == "dashboard"), None)
    if page is None:
        raise SystemExit("The dashboard was not requested (see --only).")
    print_index_table(pages)
    [(trusts, schools)] = _catalogue("SELECT (SELECT count(*) FROM trust_trust), (SELECT count(*) FROM schools_school)")
    [(version, random_page_cost)] = _catalogue(
        "SELECT current_setting('server_version'), current_setting('random_page_cost')"
    )
    total = sum(plan.execution_ms for plan in page.plans)
    buffers = sum(plan.buffers for plan in page.plans)
    flagged = [plan for plan in page.plans if plan.flags]
    print(
        f"The dashboard of `{slug}` built cold (its kept document emptied first), as the trust's executive, on "
        f"{trusts:,} trusts and {schools:,} schools (PostgreSQL {version.split()[0]}, "
        f"random_page_cost {random_page_cost}), "
        f"{datetime.date.today():%d %B %Y}: {page.queries} queries, {len(page.plans)} of them SELECTs, "
        f"{total:.1f} ms and {buffers:,} shared buffers in PostgreSQL together; {len(flagged)} flagged.\n"
    )
    print("| # | Sent by | ms | Buffers | Flags |")
    print("|---|---|---|---|---|")
    for number, plan in enumerate(page.plans, 1):
        print(f"| {number} | `{plan.origin}` | {plan.execution_ms:.2f} | {plan.buffers:,} | {'; '.join(plan.flags)} |")
    print()
    for number, plan in enumerate(page.plans, 1):
        # Folded: the statements list the trust's school ids, and thirty plans unfolded bury the text around them.
        print(f"<details><summary>{number}. <code>{plan.origin}</code>: {plan.execution_ms:.2f} ms</summary>\n")
        print(f"```sql\n{plan.sql}\n```\n")
        print(f"```\n{plan.text}\n```\n")
        print("</details>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trust", default="bench-120-a", help="the trust's slug (default bench-120-a)")
    parser.add_argument("--only", help="comma-separated endpoint keys of bench/pages.py, e.g. dashboard,sef")
    parser.add_argument("--big-table", type=int, default=BIG_TABLE, help="rows from which a Seq Scan is flagged")
    parser.add_argument("--many-rows", type=int, default=MANY_ROWS, help="sorted rows above which a Sort is flagged")
    parser.add_argument("--markdown", action="store_true", help="print the dashboard's queries and plans")
    parser.add_argument("--verbose", action="store_true", help="list every query, not only the flagged ones")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("bench/explain.py reads PostgreSQL's plans: set DATABASE_URL to a PostgreSQL database.")
    for warning in planner_warnings():
        print(f"Warning: {warning}", file=sys.stderr)
    only = set(args.only.split(",")) if args.only else None
    pages = explain_trust(args.trust, only=only, big_table=args.big_table, many_rows=args.many_rows)
    if args.markdown:
        print_markdown(pages, args.trust)
        return
    flagged = print_report(pages, verbose=args.verbose)
    print(f"\n{flagged} flagged quer{'y' if flagged == 1 else 'ies'}.")


if __name__ == "__main__":
    main()

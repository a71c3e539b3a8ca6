"""Server time and SQL queries of the main pages and API list endpoints, in process, on one database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trustwide_scale .venv/bin/python bench/pages.py
    .venv/bin/python bench/pages.py --trusts bench-010,bench-120-a --runs 10 --warm-up 2

Each request goes through Django's test client (every middleware, the trust scope, the view, the
template or serializer: the whole server side, no network) with bench/settings.py (DEBUG off,
persistent connections). For every trust and every endpoint: `warm_up` requests, then `runs` timed
ones (wall time and this process's CPU time per request; the first warm-up request is reported
too, as the cold cost of a page that caches), then two more inside
CaptureQueriesContext for the SQL query count (the larger of the two, in case a request also saves
something such as the session's expiry) and the time spent waiting for those queries (the smaller).

Who asks: the trust's executive for every trust-wide page and for a school's profile and rating
page; the school's own headteacher for its self-evaluation and improvement plan, the two documents
a headteacher writes (the first school, by name, that has a headteacher). Floors measured in the
same run: `/healthz` (no session, one `SELECT 1`) and bench/floor.py's plain page listing the same
trust's schools as the executive.

The dashboard is measured twice: as people read it (its figures kept between changes, see
reporting/selectors/cached.py), and built afresh, with what is kept emptied before every request,
which is what the first reader after a change waits for.
"""

import argparse
import datetime
import json
import math
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TRUSTS = ("bench-010", "bench-050", "bench-120-a")
RUNS, WARM_UP = 25, 5


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    url_name: str
    per_school: bool = False  # the URL names the chosen school
    as_headteacher: bool = False  # asked by the school's headteacher, else by the executive
    this_month: bool = False  # ?start=&end= for this calendar month (the API's calendar)
    built_afresh: bool = False  # the kept dashboard emptied before every request: the cost of building it


PAGES = (
    Endpoint("dashboard", "Dashboard", "dashboard"),
    Endpoint("dashboard-built", "Dashboard, built afresh", "dashboard", built_afresh=True),
    Endpoint("school-list", "School list", "school-list"),
    Endpoint("school-profile", "School profile", "school-detail", per_school=True),
    Endpoint("rating", "Rating page", "rating-school", per_school=True),
    Endpoint("sef-list", "Self-evaluation (trust list)", "sef-list"),
    Endpoint("sef", "Self-evaluation (a school's)", "sef-school", per_school=True, as_headteacher=True),
    Endpoint("interventions", "Interventions", "intervention-list"),
    Endpoint("plan", "Improvement plan", "plan-school", per_school=True, as_headteacher=True),
    Endpoint("calendar", "Calendar month", "calendar-month"),
    Endpoint("board-packs", "Board pack list", "board-pack-list"),
)
APIS = (
    Endpoint("dashboard", "Dashboard", "api-dashboard"),
    Endpoint("dashboard-built", "Dashboard, built afresh", "api-dashboard", built_afresh=True),
    Endpoint("school-list", "Schools", "api-school-list"),
    Endpoint("school-profile", "A school", "api-school-detail", per_school=True),
    Endpoint("rating", "A school's ratings", "api-rating-list", per_school=True),
    Endpoint("sef-list", "Self-evaluation status", "api-sef-list"),
    Endpoint("sef", "A school's self-evaluation", "api-sef-detail", per_school=True, as_headteacher=True),
    Endpoint("interventions", "Interventions", "api-intervention-list"),
    Endpoint("plan", "A school's plan", "api-plan-school", per_school=True, as_headteacher=True),
    Endpoint("calendar", "Visits this month", "api-visit-list", this_month=True),
    Endpoint("board-packs", "Board packs", "api-board-pack-list"),
)
FLOORS = (
    Endpoint("healthz", "/healthz", "healthz"),
    Endpoint("floor", "Plain Django page listing the trust's schools", "bench-floor-schools"),
)


def setup_django() -> None:
    """Django with bench/settings.py on DATABASE_URL (this process only)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # As the production server runs (config/wsgi.py).
    from config.garbage_collection import tune_for_requests

    tune_for_requests()


def signed_in_client(user: Any) -> Any:
    """A test client signed in as `user`, past two-factor sign-in where they need it, as the tests sign in."""
    from tests.clients import signed_in_client as signed_in

    return signed_in(user)


def _percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def time_endpoint(
    client: Any, url: str, *, runs: int, warm_up: int, before_each: Callable[[], None] = lambda: None
) -> dict[str, Any]:
    """Warm up, time `runs` requests, then count the SQL queries of two more; `before_each` runs
    before every request, untimed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first request is timed on its own: a page that caches its figures shows its cold cost here.
    before_each()
    started = time.perf_counter()
    status = client.get(url).status_code
    first_ms = (time.perf_counter() - started) * 1000
    for _ in range(max(0, warm_up - 1)):
        before_each()
        status = client.get(url).status_code
    wall, cpu = [], []
    for _ in range(runs):
        before_each()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        status = response.status_code
    counts, sql_ms = [], []
    for _ in range(2):
        before_each()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        counts.append(len(queries))
        sql_ms.append(sum(float(query["time"]) for query in queries.captured_queries) * 1000)
    wall.sort()
    return {
        "url": url,
        "status": status,
        "bytes": len(response.content),
        "first_ms": round(first_ms, 1),
        "median_ms": round(statistics.median(wall), 1),
        "p95_ms": round(_percentile(wall, 0.95), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "sql_ms": round(min(sql_ms), 1),
        "queries": max(counts),
        "queries_min": min(counts),
    }


def _people(trust: Any) -> tuple[Any, Any, Any]:
    """The executive, the chosen school and its headteacher (None when no school has one)."""
    from django_scopes import scopes_disabled

    from schools.models import School
    from trust.models import Membership, Role

    with scopes_disabled():
        executive = Membership.objects.filter(trust=trust, role=Role.EXECUTIVE).order_by("user__email").first()
        head = (
            Membership.objects.filter(trust=trust, role=Role.HEADTEACHER)
            .select_related("school", "user")
            .order_by("school__name", "user__email")
            .first()
        )
        school = head.school if head else School.objects.filter(trust=trust).order_by("name").first()
    if executive is None:
        raise SystemExit(f"{trust.slug} has no executive to sign in as")
    return executive.user, school, head.user if head else None


def time_trust(trust: Any, *, runs: int = RUNS, warm_up: int = WARM_UP) -> dict[str, Any]:
    """Every page, API endpoint and floor for one trust, as the people named in the module docstring."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from schools.models import School

    executive, school, headteacher = _people(trust)
    with scopes_disabled():
        schools = School.objects.filter(trust=trust).count()
    clients = {"executive": signed_in_client(executive)}
    if headteacher is not None:
        clients["headteacher"] = signed_in_client(headteacher)
    today = datetime.date.today()
    month_start = today.replace(day=1)
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)

    def measure(endpoint: Endpoint, client: Any) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"trust_slug": trust.slug}
        if endpoint.per_school:
            kwargs["school_uuid"] = school.uuid
        if endpoint.url_name == "healthz":
            kwargs = {}
        url = reverse(endpoint.url_name, kwargs=kwargs)
        if endpoint.this_month:
            url += f"?start={month_start:%Y-%m-%d}&end={month_end:%Y-%m-%d}"
        try:
            # The kept dashboard lives in this process's memory (reporting/selectors/cached.py).
            before_each = cache.clear if endpoint.built_afresh else lambda: None
            figures = time_endpoint(client, url, runs=runs, warm_up=warm_up, before_each=before_each)
        except Exception as error:  # a failing page is reported; the others are still measured
            return {"label": endpoint.label, "url": url, "error": f"{type(error).__name__}: {error}"}
        return {"label": endpoint.label, **figures}

    def as_who(endpoint: Endpoint) -> str:
        return "headteacher" if endpoint.as_headteacher and headteacher is not None else "executive"

    result: dict[str, Any] = {
        "schools": schools,
        "executive": executive.email,
        "headteacher": headteacher.email if headteacher else None,
        "school": school.name if school else None,
        "pages": {},
        "api": {},
        "floors": {},
    }
    for group, endpoints in (("pages", PAGES), ("api", APIS)):
        for endpoint in endpoints:
            who = as_who(endpoint)
            result[group][endpoint.key] = {"as": who, **measure(endpoint, clients[who])}
    result["floors"]["healthz"] = {"as": "nobody", **measure(FLOORS[0], Client())}
    result["floors"]["floor"] = {"as": "executive", **measure(FLOORS[1], clients["executive"])}
    # The benchmark's sessions do not pile up in the database run after run.
    keys = [client.cookies[settings.SESSION_COOKIE_NAME].value for client in clients.values()]
    Session.objects.filter(session_key__in=keys).delete()
    return result


def time_trusts(slugs: list[str], *, runs: int = RUNS, warm_up: int = WARM_UP) -> dict[str, Any]:
    from django.db import connection
    from django_scopes import scopes_disabled

    from trust.models import Trust

    figures: dict[str, Any] = {"database": connection.vendor, "runs": runs, "warm_up": warm_up, "trusts": {}}
    for slug in slugs:
        with scopes_disabled():
            trust = Trust.objects.filter(slug=slug).first()
        if trust is None:
            raise SystemExit(f"No trust {slug!r} in this database: is it the scale data (manage.py seed_scale)?")
        print(f"  pages of {slug} ...", file=sys.stderr, flush=True)
        figures["trusts"][slug] = time_trust(trust, runs=runs, warm_up=warm_up)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trusts", default=",".join(TRUSTS), help="comma-separated trust slugs")
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--warm-up", type=int, default=WARM_UP)
    args = parser.parse_args()
    setup_django()
    figures = time_trusts(args.trusts.split(","), runs=args.runs, warm_up=args.warm_up)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

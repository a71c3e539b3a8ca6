"""The benchmark harness cannot rot: on a tiny trust it measures every page, API endpoint and floor,
and the orchestrator turns such figures into budget checks and the generated markdown."""

import argparse

import pytest
from zeal import zeal_ignore

from bench import pages, run


@pytest.fixture
def bench_urls(settings):
    # The floor page lives in the benchmark's urlconf (bench/urls.py), beside the app's own URLs.
    settings.ROOT_URLCONF = "bench.urls"


def test_every_page_api_endpoint_and_floor_of_a_trust_answers_and_is_measured(trust_a, bench_urls):
    # The harness signs two people in from one line (each loads a session): tooling, not an N+1 of the app.
    # Each page it requests is still judged on its own by the detector's middleware.
    with zeal_ignore([{"model": "sessions.Session"}]):
        measured = pages.time_trust(trust_a.trust, runs=1, warm_up=1)

    assert measured["schools"] == 2
    assert set(measured["pages"]) == {e.key for e in pages.PAGES}
    assert set(measured["api"]) == {e.key for e in pages.APIS}
    assert set(measured["floors"]) == {"healthz", "floor"}
    every = {f"{group}/{key}": f for group in ("pages", "api", "floors") for key, f in measured[group].items()}
    assert {name: f.get("error") or f["status"] for name, f in every.items() if f.get("status") != 200} == {}
    assert all(f["queries"] >= 1 and 0 < f["median_ms"] <= f["p95_ms"] for f in every.values())
    # A school's plan and self-evaluation are asked for by its headteacher, the trust's pages by the executive.
    assert measured["headteacher"] == trust_a.people["headteacher"].email
    assert measured["pages"]["plan"]["as"] == measured["pages"]["sef"]["as"] == "headteacher"
    assert measured["pages"]["dashboard"]["as"] == "executive"


def _endpoint(label: str, url: str, queries: int, median_ms: float) -> dict:
    return {
        "label": label,
        "url": url,
        "as": "executive",
        "status": 200,
        "queries": queries,
        "median_ms": median_ms,
        "p95_ms": median_ms * 2,
        "cpu_median_ms": median_ms / 2,
        "first_ms": median_ms * 3,
        "sql_ms": median_ms / 4,
    }


def _trust(schools: int, plan_queries: int, plan_ms: float) -> dict:
    plan_url = f"/t/bench/schools/{'0' * 8}-0000-0000-0000-{'0' * 12}/plan/"
    return {
        "schools": schools,
        "pages": {
            "dashboard": _endpoint("Dashboard", "/t/bench/dashboard/", 10, 20.0),
            "plan": _endpoint("Improvement plan", plan_url, plan_queries, plan_ms),
        },
        "api": {"dashboard": _endpoint("Dashboard", "/api/v1/t/bench/dashboard/", 9, 15.0)},
        "floors": {"healthz": _endpoint("/healthz", "/healthz", 1, 0.5)},
    }


def test_a_page_whose_queries_grow_or_that_is_slow_misses_its_budgets_in_the_generated_section():
    figures = {
        "finished": "2026-11-25T08:30:00+00:00",
        "machine": {"cpu": "CPU", "cores": 2, "ram_gb": 1.0, "os": "Linux", "python": "3.11", "postgresql": "15"},
        "load_average_start": [1.0, 1.0, 1.0],
        "load_average_end": [1.0, 1.0, 1.0],
        "database": {
            "database": run.DEFAULT_DATABASE,
            "arguments": ["--trusts", "2"],
            "reused": True,
            "recorded_seed": None,
            "rows": {"schools": 130},
        },
        "pages": {
            "runs": 2,
            "warm_up": 1,
            "trusts": {"bench-010": _trust(10, 12, 40.0), "bench-120-a": _trust(120, 30, 150.0)},
        },
    }
    figures["budgets"] = run.check_budgets(figures)
    missed = {check["budget"]: check["misses"] for check in figures["budgets"] if not check["met"]}

    assert missed == {
        "each main page's query count: the same for 10 and 120 schools": ["plan (12 → 30)"],
        "each main page's query count at most 25": ["plan (30)"],
        "each main page's median server time, 120 schools": ["plan (150 ms)"],
    }
    section = run.render_markdown(figures, argparse.Namespace())
    assert "| Improvement plan (`/t/<trust>/schools/<school>/plan/`, as executive) |" in section
    assert "3 of 6 budgets met." in section

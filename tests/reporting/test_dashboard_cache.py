"""The dashboard's figures are kept until the trust's data changes, never shown to another trust,
and a failing cache only makes the page slower."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from core.audit import audit_file_read
from reporting.selectors.cached import kept_until_change, trust_change_clock, trust_metrics_kept
from tests.matrix.common import TR, E
from tests.reviews.test_ratings import decide
from tests.reviews.test_ratings import world as world  # noqa: PLC0414 -- the fixture: four phases, school 1 inspected

pytestmark = pytest.mark.django_db
KEPT = {
    "DASHBOARD_CACHE_SECONDS": 600,
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dashboard"}},
}
BROKEN = {"default": {"BACKEND": "tests.test_cache_failures.UnreachableCache"}}


@pytest.fixture(autouse=True)
def empty_cache():
    with override_settings(**KEPT):
        cache.clear()
        yield


def dashboard(world, role=TR):
    return world.client_for(role).get(f"/t/{world.trust.slug}/dashboard/")


def test_a_second_reader_is_served_the_kept_page_with_a_fraction_of_the_queries(world):
    first = dashboard(world)
    executive, url = world.client_for(E), f"/t/{world.trust.slug}/dashboard/"
    with CaptureQueriesContext(connection) as second_queries:
        second = executive.get(url)
    with CaptureQueriesContext(connection) as third_queries:
        executive.get(url)
    assert first.status_code == second.status_code == 200
    assert b"Trust dashboard" in second.content
    assert len(third_queries) <= len(second_queries) < 15  # the first may also push the idle limit on


def tiles(page) -> bytes:
    """The figures' part of the page (the page around them carries per-request tokens)."""
    return page.content.split(b"<h1>Trust dashboard</h1>", 1)[1].split(b"</main>", 1)[0]


def unrated(world, reader) -> int:
    """How many schools the kept dashboard document shows as not yet rated, as `reader` would read it."""
    with scope(trust=world.trust.pk):
        metrics = trust_metrics_kept(world.trust, today=timezone.localdate(), reader_id=world.people[reader].pk)
    return metrics["unrated"]


def test_whoever_makes_a_change_sees_it_on_their_next_read(world):
    assert unrated(world, E) == 2
    with scope(trust=world.trust.pk):
        before = trust_change_clock(world.trust)
        decide(world)  # the executive rates school 1: an audited write
        after = trust_change_clock(world.trust)
    assert after.tick > before.tick and after.by == world.people[E].pk
    assert unrated(world, E) == 1


def test_colleagues_see_a_change_once_the_kept_figures_are_a_minute_old(world, settings):
    assert unrated(world, TR) == 2
    with scope(trust=world.trust.pk):
        decide(world)
    assert unrated(world, TR) == 2, "within the minute the trustee reads the kept figures"
    settings.DASHBOARD_STALE_SECONDS = 0  # the minute has passed
    assert unrated(world, TR) == 1


def test_within_the_minute_a_colleague_is_served_the_kept_page_itself(world):
    first = tiles(dashboard(world, TR))
    with scope(trust=world.trust.pk):
        decide(world)
    assert tiles(dashboard(world, TR)) == first


def test_reading_a_file_is_not_a_change(world):
    with scope(trust=world.trust.pk):
        before = trust_change_clock(world.trust)
        audit_file_read(trust=world.trust, actor=world.people[TR], obj=world.schools[0], label="a file")
        assert trust_change_clock(world.trust) == before


def test_another_trust_never_reads_the_first_trusts_kept_page(world, trust_b):
    with scope(trust=world.trust.pk):
        decide(world)
    assert world.trust.name.encode() in dashboard(world).content
    page = dashboard(trust_b)
    assert page.status_code == 200
    assert world.trust.name.encode() not in page.content
    assert trust_b.trust.name.encode() in page.content


def test_a_new_day_builds_the_figures_again(world):
    built = []
    today = datetime.date(2026, 11, 25)
    for day in (today, today, today + datetime.timedelta(days=1)):
        kept_until_change(world.trust, today=day, part="test", build=lambda d=day: built.append(d) or len(built))
    assert built == [today, today + datetime.timedelta(days=1)]


def test_a_failing_cache_serves_the_page_built_live(world):
    with override_settings(CACHES=BROKEN):
        page = dashboard(world)
    assert page.status_code == 200
    assert b"Trust dashboard" in page.content


def test_with_the_cache_off_the_figures_are_built_on_every_read(world, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    built = []
    for _ in range(2):
        kept_until_change(world.trust, today=datetime.date(2026, 11, 25), part="t", build=lambda: built.append(1))
    assert built == [1, 1]

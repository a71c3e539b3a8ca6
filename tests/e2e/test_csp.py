"""The Content-Security-Policy breaks nothing: a real browser reports no violation on the main pages.

Chromium logs every refused script, style or image to the console ("...violates the following
Content Security Policy directive...") and fires a `securitypolicyviolation` event; both are
collected while pages with htmx polling, dropdowns, grade shading and progress bars are used.
"""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import ConsoleMessage, Page, expect

from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import review_record
from schools.models import ImportKind, ImportRun, ImportStatus
from tests.conftest import TrustWorld
from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD

# Recorded by the page itself (an init script runs outside the page's CSP).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || "inline"}`);
});
"""


class ViolationLog:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)
        page.add_init_script(RECORD_VIOLATIONS)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(f"{self.page.url}: {message.text}")

    def assert_none(self, where: str) -> None:
        events = self.page.evaluate("() => window.__cspViolations || []")
        assert not self.console, "\n".join(self.console)
        assert not events, f"{where}: {events}"


@pytest.fixture
def violations(page: Page) -> ViolationLog:
    return ViolationLog(page)


def _running_import(world: TrustWorld) -> ImportRun:
    with scope(trust=world.trust.pk):
        return ImportRun.objects.create(
            trust=world.trust,
            kind=ImportKind.GIAS,
            status=ImportStatus.RUNNING,
            requested_by=world.people["executive"],
            rows_total=200,
            rows_done=50,
        )


def test_the_main_pages_run_under_the_policy_without_a_violation(live_server, page: Page, trust_a, violations):
    with scope(trust=trust_a.trust.pk):
        areas = judgement_areas_ensure(trust=trust_a.trust)
        review_record(
            school=trust_a.schools[0],
            actor=trust_a.people["executive"],
            review_type="annual_review",
            reviewed_on=datetime.date(2026, 10, 1),
            judgements={area: index % 5 + 1 for index, area in enumerate(areas)},
            capacity="good",
        )
    run = _running_import(trust_a)
    base, slug, school = live_server.url, trust_a.trust.slug, trust_a.schools[0].uuid

    page.goto(base + reverse("login"))
    violations.assert_none("sign-in page")
    sign_in(page, base, trust_a.people["executive"].email, PASSWORD)
    pages = [
        reverse("trust-home", args=[slug]),
        reverse("dashboard", args=[slug]),
        reverse("school-list", args=[slug]),
        reverse("school-detail", args=[slug, school]),
        reverse("school-summary", args=[slug, school]),
        reverse("school-predictions", args=[slug, school]),
        reverse("review-heat-map", args=[slug]),
        reverse("review-grid", args=[slug, school]),
        reverse("evidence-create", args=[slug]),
        reverse("plan-health", args=[slug]),
        reverse("calendar-month", args=[slug]),
    ]
    for path in pages:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        # The navigation's dropdowns are Bootstrap's JavaScript: open one on every page.
        page.get_by_role("button", name="Judgement").click()
        expect(page.get_by_role("link", name="Heat map", exact=True)).to_be_visible()
        page.keyboard.press("Escape")
        violations.assert_none(path)

    # Grade shading comes from the static stylesheet, not an inline <style>.
    page.goto(base + reverse("review-heat-map", args=[slug]))
    shaded = page.locator("td.heat-cell.grade-1").first
    assert shaded.evaluate("cell => getComputedStyle(cell).color") == "rgb(255, 255, 255)"

    # An import in progress: htmx polls the panel every 2 seconds and the bar shows 25%.
    page.goto(base + reverse("import-detail", args=[slug, run.uuid]))
    bar = page.locator("#import-progress .progress-bar")
    expect(bar).to_have_attribute("style", "width: 25%;")
    with page.expect_response(lambda r: "/progress/" in r.url):
        pass
    with scope(trust=trust_a.trust.pk):
        ImportRun.objects.filter(pk=run.pk).update(rows_done=150)
    expect(page.locator("#import-progress .progress-bar")).to_have_attribute("style", "width: 75%;", timeout=6000)
    # htmx's own indicator styles would be an inline <style>: the app turns them off.
    assert page.locator("head style").count() == 0
    violations.assert_none("import progress")


def test_the_api_docs_page_runs_under_its_own_policy_without_a_violation(live_server, page: Page, violations):
    page.goto(live_server.url + reverse("api-docs"))
    expect(page.get_by_text("Trustwide API").first).to_be_visible(timeout=15000)
    violations.assert_none("API docs")

"""Visits in a real browser: a Red rating brings weekly visits; one is recorded with a note the school sees."""

from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from interventions.models import Activity
from reviews.models import Evidence
from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from trust.scales.services import scale_create_from_template


def test_rating_red_plans_weekly_visits_and_the_school_sees_a_shared_note(
    live_server, page: Page, browser: Browser, trust_a: TrustWorld
) -> None:
    base, slug = live_server.url, trust_a.trust.slug
    school = trust_a.schools[0]
    today = timezone.localdate()
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people["executive"], template_key="rag")
        Evidence.objects.create(
            school=school,
            evidence_type="learning_walk",
            observed_on=today,
            author=trust_a.people["improvement_lead"],
            summary="Behaviour is unsettled in KS2.",
        )

    # The improvement lead rates the school Red.
    sign_in(page, base, trust_a.people["improvement_lead"].email, PASSWORD)
    page.goto(f"{base}/t/{slug}/schools/{school.uuid}/rating/")
    page.get_by_label("Red", exact=False).first.check()
    page.get_by_label("Rationale").fill("Leadership needs intensive support this term.")
    page.locator("input[name='evidence']").first.check()
    override = page.get_by_label("Reason for choosing a level other than the suggested one")
    override.fill("The learning walk shows behaviour needs weekly attention.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").first).to_be_visible()

    # Weekly monitoring visits appear in the calendar.
    with scope(trust=trust_a.trust.pk):
        weekly = list(Activity.objects.filter(school=school, activity_type="weekly_monitoring").order_by("planned_on"))
    assert len(weekly) >= 2, "a Red school gets a weekly monitoring visit in every remaining teaching week"
    first = weekly[0]
    page.goto(f"{base}/t/{slug}/calendar/?year={first.planned_on.year}&month={first.planned_on.month}")
    assert_accessible(page)
    expect(page.get_by_role("main")).to_contain_text("Weekly monitoring")

    # The visit took place today: the lead moves it to today and records it with a note shared with the school.
    page.goto(f"{base}/t/{slug}/visits/{first.uuid}/edit/")
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_role("button", name="Save changes").click()
    page.goto(f"{base}/t/{slug}/visits/{first.uuid}/record/")
    assert_accessible(page)
    page.get_by_label("Done").check()
    page.get_by_role("textbox", name="Notes").fill("Calmer corridors; Year 5 transitions still need a routine.")
    page.get_by_label("Share these notes with the school").check()
    page.get_by_role("button", name="Save the record").click()
    expect(page.get_by_role("main")).to_contain_text("Calmer corridors")
    with scope(trust=trust_a.trust.pk):
        first.refresh_from_db()
        assert first.status == "done" and first.notes_shared_with_school
        assert first.planned_on == today

    # The headteacher sees the note on their school's visits.
    head = browser.new_context().new_page()
    sign_in(head, base, trust_a.people["headteacher"].email, PASSWORD)
    head.goto(f"{base}/t/{slug}/visits/{first.uuid}/")
    assert_accessible(head)
    expect(head.get_by_role("main")).to_contain_text("Calmer corridors")

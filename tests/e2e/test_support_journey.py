"""Support in a real browser: a request, a school-to-school intervention from brokering, a checkpoint, impact."""

import datetime

from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from interventions.models import Intervention, SupportRequest
from interventions.services.register import expert_add
from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD


def _signed_in(browser: Browser, base: str, email: str) -> Page:
    page = browser.new_context().new_page()
    sign_in(page, base, email, PASSWORD)
    return page


def test_request_becomes_a_school_to_school_intervention_that_is_checked_and_closed_with_impact(
    live_server, page: Page, browser: Browser, trust_a: TrustWorld
) -> None:
    base, slug = live_server.url, trust_a.trust.slug
    needing, providing = trust_a.schools
    with scope(trust=trust_a.trust.pk):
        expert_add(
            trust=trust_a.trust,
            actor=trust_a.people["executive"],
            name="Priya Raman",
            role="lead_practitioner",
            areas=["maths"],
            days_per_term=10,
            home_school=providing,
            user=trust_a.people["specialist"],
        )
    today = datetime.date.today()

    # The headteacher asks for support in maths.
    sign_in(page, base, trust_a.people["headteacher"].email, PASSWORD)
    page.goto(f"{base}/t/{slug}/support-requests/new/")
    assert_accessible(page)
    page.get_by_label("Area of need").select_option(label="Maths")
    page.get_by_label("What is needed, and why now").fill("Year 5 maths fell sharply; we need help with fluency.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("main")).to_contain_text("Maths")

    # The improvement lead accepts it and picks the school-to-school lead from the brokering list.
    lead = _signed_in(browser, base, trust_a.people["improvement_lead"].email)
    lead.goto(f"{base}/t/{slug}/support-requests/")
    assert_accessible(lead)
    lead.get_by_role("link", name="Accept").first.click()
    lead.locator("#need_starts_on").fill(today.isoformat())
    lead.locator("#need_ends_on").fill((today + datetime.timedelta(days=60)).isoformat())
    lead.locator("#need_days").fill("4")
    lead.get_by_role("button", name="Find support").click()
    assert_accessible(lead)
    expect(lead.get_by_role("main")).to_contain_text("School-to-school")
    lead.get_by_role("link", name="Choose Priya Raman").click()
    lead.get_by_label("Targets").fill("Year 5 fluency scores rise by 10 points")
    lead.get_by_label("Success criteria").fill("Termly assessment shows Year 5 at the expected standard.")
    lead.get_by_label("Checkpoint 1").fill((today + datetime.timedelta(days=30)).isoformat())
    lead.get_by_role("button", name="Propose the intervention").click()
    expect(lead.get_by_role("status").first).to_contain_text("Intervention proposed")
    assert_accessible(lead)
    for _ in range(2):  # proposed -> commissioned -> active
        lead.locator("form:has(input[name='to_status']) button.btn-primary").first.click()
    with scope(trust=trust_a.trust.pk):
        intervention = Intervention.objects.get(school=needing)
        assert intervention.status == "active" and intervention.providing_school == providing
        assert intervention.delivery_model == "school_to_school"
        assert SupportRequest.objects.get().status == "accepted"

    # The specialist records the checkpoint with new evidence.
    specialist = _signed_in(browser, base, trust_a.people["specialist"].email)
    specialist.goto(f"{base}/t/{slug}/interventions/mine/")
    assert_accessible(specialist)
    specialist.get_by_role("link", name=intervention.title).first.click()
    specialist.get_by_role("link", name="Record").first.click()
    assert_accessible(specialist)
    specialist.get_by_label("Good progress").first.check()
    specialist.get_by_label("Notes").fill("Two visits: fluency starters modelled and then observed.")
    specialist.get_by_label("Type of new evidence").select_option(label="Lesson observation")
    specialist.get_by_label("Summary of new evidence").fill("Fluency starters in every Year 5 lesson observed.")
    specialist.get_by_role("button", name="Record checkpoint").click()
    expect(specialist.get_by_role("status").first).to_be_visible()

    # The lead moves it to impact review and closes it with an impact judgement.
    lead.goto(f"{base}/t/{slug}/interventions/{intervention.uuid}/")
    lead.locator("form:has(input[name='to_status']) button.btn-primary").first.click()
    lead.goto(f"{base}/t/{slug}/interventions/{intervention.uuid}/close/")
    assert_accessible(lead)
    lead.get_by_label("Impact on practice").fill("Teachers use fluency starters daily.")
    lead.get_by_label("Impact on systems").fill("Maths lead checks fluency fortnightly.")
    lead.get_by_label("Impact on organisation").fill("Year 5 timetable gives maths a daily slot.")
    lead.get_by_label("Impact on pupil outcomes").fill("Fluency scores up 12 points.")
    lead.locator("input[name='evidence']").first.check()
    lead.get_by_role("button", name="Close the intervention").click()
    expect(lead.get_by_role("main")).to_contain_text("Fluency scores up 12 points")
    with scope(trust=trust_a.trust.pk):
        intervention.refresh_from_db()
        assert intervention.status == "closed" and intervention.checkpoints.get().recorded_at is not None

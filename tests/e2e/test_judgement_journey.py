"""Judgement in a real browser: self-evaluation, review of it, evidence, a rating that overrides the suggestion."""

import datetime

from django_scopes import scope
from playwright.sync_api import Browser, Page, expect

from reviews.models import Rating, SelfEvaluation
from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from trust.scales.services import scale_create_from_template


def test_headteacher_submits_sef_lead_rates_red_overriding_and_school_sees_its_offer(
    live_server, page: Page, browser: Browser, trust_a: TrustWorld
) -> None:
    base, slug = live_server.url, trust_a.trust.slug
    school = trust_a.schools[0]
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people["executive"], template_key="rag")

    # The headteacher writes and submits the self-evaluation.
    sign_in(page, base, trust_a.people["headteacher"].email, PASSWORD)
    page.goto(f"{base}/t/{slug}/self-evaluation/{school.uuid}/edit/")
    assert_accessible(page)
    page.get_by_label("Overall summary").fill("A school that knows its strengths and where reading must improve.")
    for select in page.locator("select[name$='grade']").all():
        select.select_option(label="Expected standard")
    page.get_by_role("button", name="Save and submit to the trust").click()
    expect(page.get_by_role("status").first).to_contain_text("ubmitted")
    assert_accessible(page)

    # The improvement lead accepts it, records evidence and rates the school Red against the suggestion.
    lead = browser.new_context()
    lead_page = lead.new_page()
    sign_in(lead_page, base, trust_a.people["improvement_lead"].email, PASSWORD)
    lead_page.goto(f"{base}/t/{slug}/self-evaluation/{school.uuid}/review/")
    assert_accessible(lead_page)
    lead_page.get_by_label("Accept the self-evaluation").check()
    lead_page.get_by_role("button", name="Record the decision").click()

    lead_page.goto(f"{base}/t/{slug}/evidence/new/")
    assert_accessible(lead_page)
    lead_page.get_by_label("School", exact=True).select_option(label=school.name)
    lead_page.get_by_label("Type of evidence").select_option(label="Learning walk")
    lead_page.get_by_label("Date observed").fill(datetime.date.today().isoformat())
    lead_page.get_by_label("Summary").fill("Learning walk in Key Stage 2: reading lessons lack challenge.")
    lead_page.get_by_label("Share with the school").check()
    lead_page.get_by_role("button", name="Record evidence").click()
    expect(lead_page.get_by_role("status").first).to_be_visible()

    lead_page.goto(f"{base}/t/{slug}/schools/{school.uuid}/rating/")
    assert_accessible(lead_page)
    expect(lead_page.get_by_text("(suggested)")).to_be_visible()
    lead_page.get_by_label("Red", exact=False).first.check()
    lead_page.get_by_label("Rationale").fill("Reading outcomes are falling and leadership needs the trust's support.")
    lead_page.locator("input[name='evidence']").first.check()
    lead_page.get_by_label("Reason for choosing a level other than the suggested one").fill(
        "The data lag behind what we saw: the learning walk shows reading needs urgent help."
    )
    lead_page.get_by_role("button", name="Record the decision").click()
    expect(lead_page.get_by_role("status").first).to_be_visible()
    assert_accessible(lead_page)
    lead.close()

    with scope(trust=trust_a.trust.pk):
        rating = Rating.objects.get(school=school)
        assert rating.level_name == "Red" and rating.overrode_suggestion
        assert SelfEvaluation.objects.get(school=school).status == "accepted"

    # The headteacher sees the new level and the support it brings.
    page.goto(f"{base}/t/{slug}/schools/{school.uuid}/rating/")
    assert_accessible(page)
    expect(page.get_by_role("main")).to_contain_text("Red")
    expect(page.get_by_role("heading", name="The support this level brings")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("Reading outcomes are falling")

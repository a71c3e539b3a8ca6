"""The invitation journey in a real browser, with axe on every page and a keyboard check."""

import re
from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD

NEW_HEAD = "new.head@example.org"
NEW_HEAD_PASSWORD = "a-long-and-unusual-passphrase-42"
LINK = re.compile(r"https?://[^\s]+/invitations/[^\s/]+/")


def test_executive_invites_headteacher_who_sees_only_their_school(
    live_server, page: Page, browser: Browser, trust_a: TrustWorld, trust_b: TrustWorld
) -> None:
    base = live_server.url
    slug = trust_a.trust.slug
    school_1, school_2 = trust_a.schools
    nav = page.get_by_role("navigation", name="Main")

    # The login page: accessible, and the skip link is its first tab stop (no autofocus on the form).
    page.goto(f"{base}/accounts/login/")
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    # The executive signs in and lands on the trust home.
    sign_in(page, base, trust_a.people["executive"].email, PASSWORD)
    expect(page).to_have_url(f"{base}/t/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(trust_a.trust.name)
    assert_accessible(page)

    # People, through the navigation, then the invitation form.
    nav.get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{base}/t/{slug}/members/")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    assert_accessible(page)

    page.get_by_role("link", name="Invite a person").click()
    expect(page).to_have_url(f"{base}/t/{slug}/members/invite/")
    assert_accessible(page)
    page.get_by_label("Email address").fill(NEW_HEAD)
    page.get_by_label("Role").select_option("headteacher")
    page.get_by_label("School").select_option(str(school_2.uuid))
    page.get_by_role("button", name="Send invitation").click()

    expect(page).to_have_url(f"{base}/t/{slug}/members/")
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {NEW_HEAD}")
    expect(page.get_by_role("table", name="Invitations not yet accepted")).to_contain_text(NEW_HEAD)
    assert_accessible(page)  # again, with the success message and the invitations table

    # The email carries a single-use link; its path is opened against the live server.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [NEW_HEAD]
    found = LINK.search(mail.outbox[0].body)
    assert found, mail.outbox[0].body
    accept_path = urlsplit(found.group(0)).path

    # The new headteacher, in a fresh browser context (no executive session).
    context = browser.new_context()
    try:
        head = context.new_page()
        head_nav = head.get_by_role("navigation", name="Main")
        head.goto(f"{base}{accept_path}")
        expect(head.get_by_role("heading", level=1)).to_have_text(f"Join {trust_a.trust.name}")
        expect(head.get_by_text(school_2.name)).to_be_visible()
        assert_accessible(head)
        head.get_by_label("Your full name").fill("Nia Head")
        head.get_by_label("Choose a password").fill(NEW_HEAD_PASSWORD)
        head.get_by_label("Repeat the password").fill(NEW_HEAD_PASSWORD)
        head.get_by_role("button", name="Create account and join").click()

        # Signed in and on the trust home, acting as headteacher of school 2.
        expect(head).to_have_url(f"{base}/t/{slug}/")
        expect(head.get_by_role("status")).to_contain_text(f"Welcome to {trust_a.trust.name}")
        expect(head.get_by_test_id("acting-as")).to_contain_text(f"Headteacher of {school_2.name}")
        assert_accessible(head)

        # "My school" lists exactly one school: theirs.
        head_nav.get_by_role("link", name="My school").click()
        expect(head).to_have_url(f"{base}/t/{slug}/schools/")
        school_rows = head.get_by_role("table").locator("tbody tr")
        expect(school_rows).to_have_count(1)
        expect(school_rows).to_contain_text([school_2.name])
        expect(head.get_by_role("main")).not_to_contain_text(school_1.name)
        assert_accessible(head)

        head.get_by_role("link", name=school_2.name).click()
        expect(head).to_have_url(f"{base}/t/{slug}/schools/{school_2.uuid}/")
        expect(head.get_by_role("heading", level=1)).to_have_text(school_2.name)
        assert_accessible(head)

        # Another school of the same trust, and another trust: simply not there.
        response = head.goto(f"{base}/t/{slug}/schools/{school_1.uuid}/")
        assert response is not None and response.status == 404
        expect(head.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(head.locator("body")).not_to_contain_text(school_1.name)
        assert_accessible(head)

        response = head.goto(f"{base}/t/{trust_b.trust.slug}/")
        assert response is not None and response.status == 404
        expect(head.get_by_role("heading", level=1)).to_have_text("Page not found")
        expect(head.locator("body")).not_to_contain_text(trust_b.trust.name)
        assert_accessible(head)  # this 404 has no trust navigation: a different rendering
    finally:
        context.close()


def test_executive_reaches_every_section_by_keyboard(live_server, page: Page, trust_a: TrustWorld) -> None:
    """Skip link moves focus to the content; Tab alone reaches each navigation link, Enter follows it."""
    base = live_server.url
    slug = trust_a.trust.slug
    sign_in(page, base, trust_a.people["executive"].email, PASSWORD)
    expect(page).to_have_url(f"{base}/t/{slug}/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # visible when focused, not just present
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Each navigation link by Tab from the top of a freshly loaded page, followed with Enter.
    page.goto(f"{base}/t/{slug}/")
    nav = page.get_by_role("navigation", name="Main")
    for name, path in [("Schools", "schools/"), ("People", "members/"), ("Overview", "")]:
        target = nav.get_by_role("link", name=name, exact=True)
        for _ in range(15):
            page.keyboard.press("Tab")
            if target.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError(f"Tab never reached the “{name}” navigation link")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{base}/t/{slug}/{path}")

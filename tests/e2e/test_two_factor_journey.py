"""An executive sets up two-factor sign-in in a real browser, then signs in with a code; axe on every page."""

import base64
import re
import time

from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, authenticator_code
from tests.factories import PASSWORD


def code_from_the_typed_key(typed_key: str) -> str:
    """What an authenticator app shows after the person types the setup key into it."""
    secret = typed_key.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{hotp(key, int(time.time()) // 30):06d}"


def test_an_executive_enrols_saves_recovery_codes_and_signs_in_again_with_a_code(
    live_server, page: Page, trust_a: TrustWorld
) -> None:
    base = live_server.url
    executive = trust_a.people["executive"]

    # Password first: the trust is closed until two-factor sign-in is set up.
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(executive.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/\?next=%2Ft%2Falder%2F$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)

    # "Scanning": the app learns the key (here, typed from the page) and shows a code.
    typed_key = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("6-digit code from your app").fill(code_from_the_typed_key(typed_key))
    page.get_by_role("button", name="Confirm and turn on").click()

    # Ten recovery codes, shown once, then on to where the executive was going.
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    expect(page.get_by_text("Two-factor sign-in is on.")).to_be_visible()
    expect(page.get_by_text("shown only once")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my codes, continue").click()
    expect(page).to_have_url(f"{base}/t/alder/")
    assert_accessible(page)

    # Sign out, then in again: the password, then a code from the app.
    page.get_by_role("button", name=re.compile("Sign out")).click()
    expect(page).to_have_url(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(executive.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/verify/\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=executive, confirmed=True)
    page.get_by_label("Code from your authenticator app").fill(authenticator_code(device))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/t/alder/")
    expect(page.get_by_test_id("acting-as")).to_contain_text("Executive")

    # Their settings show it is on, with ten codes left.
    page.get_by_role("button", name="Your settings").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_text("You have 10 recovery codes left.")).to_be_visible()
    assert_accessible(page)

"""Browser journeys: pytest-playwright driving Debian's Chromium against pytest-django's live server.

Every test in this folder is marked `e2e` and runs with a transactional database, because the
live server answers from another thread and must see committed rows. Never `playwright install`:
its download host is unreachable; Debian's Chromium is used instead (`make test` installs it).
"""

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connections
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, Playwright, expect

from trust import mfa
from trust.models import User

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls from the test body (fixtures, assertions) with SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_DIR = Path(__file__).resolve().parent
STATIC_DIR = E2E_DIR.parents[1] / "static"
AXE_JS = STATIC_DIR / "vendor" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: touch only the ones in this folder.
    missing = pytest.mark.skip(reason="Debian's chromium is not installed; `make test` installs it")
    for item in items:
        if not item.path.is_relative_to(E2E_DIR):
            continue
        item.add_marker(pytest.mark.e2e)
        item.add_marker(pytest.mark.django_db(transaction=True))
        if not CHROMIUM.exists():
            item.add_marker(missing)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _close_connections_opened_under_playwright(playwright: Playwright) -> Iterator[None]:
    # Once Playwright's sync API has started, the tests run in another context, where Django opens its own
    # database connections: close them before pytest-django drops the test database, which PostgreSQL
    # refuses while they are open ("being accessed by other users"), leaving it behind (an xdist worker's too).
    yield
    connections.close_all()


def _describe(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']} [{violation['helpUrl']}]"]
    for node in violation["nodes"]:
        target = " ".join(map(str, node["target"]))
        why = " ".join(node.get("failureSummary", "").split())
        lines.append(f"    at {target}: {why}")
    return "\n".join(lines)


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Inject the vendored axe-core into the current page and return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # From the live server's own static files: the CSP (script-src 'self') refuses inline script.
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))
        page.add_script_tag(url=f"{origin}{settings.STATIC_URL}{AXE_JS.relative_to(STATIC_DIR).as_posix()}")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation on the page as it is now."""
    blocking = [v for v in run_axe(page) if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"axe found serious/critical violations on {page.url}:\n" + "\n".join(map(_describe, blocking))


@pytest.fixture
def axe_check() -> Callable[[Page], None]:
    return assert_accessible


def authenticator_code(device: TOTPDevice) -> str:
    """The code the person's authenticator app shows now, as the server will accept it.

    A code is accepted once: if this time step's code was already used (a second sign-in within
    30 seconds), take the next step's, which the server's one-step tolerance allows, or wait.
    """
    device.refresh_from_db()
    while True:
        now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
        step = max(now, device.last_t + 1)
        if step <= now + device.tolerance:
            return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the login form, as a person would, with the second step where their role needs it."""
    user = User.objects.get(email=email)
    if mfa.two_factor_required_anywhere(user) and not mfa.has_two_factor(user):
        # Journeys start with the person already enrolled; test_two_factor_journey.py enrols by hand.
        TOTPDevice.objects.create(user=user, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(f"{base_url}/accounts/login/")
    if "/accounts/two-factor/verify/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(authenticator_code(mfa.authenticator_of(user)))
        page.get_by_role("button", name="Verify").click()
        expect(page).not_to_have_url(re.compile(r"/accounts/two-factor/verify/"))


@pytest.fixture
def login() -> Callable[[Page, str, str, str], None]:
    return sign_in

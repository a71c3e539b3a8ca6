"""Accountability in a browser: an executive prepares the board pack; a trustee reads the dashboard, downloads it."""

import datetime
import io
from pathlib import Path

from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from reviews.models import Rating
from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from trust.scales.services import scale_create_from_template


def _rate(world: TrustWorld, position: int, on: datetime.date) -> None:
    with scope(trust=world.trust.pk):
        scale = scale_create_from_template(trust=world.trust, actor=world.people["executive"], template_key="rag")
        for school, level in zip(world.schools, scale.levels.order_by("position")[position - 1 :], strict=False):
            Rating.objects.create(
                school=school,
                level=level,
                level_name=level.name,
                level_position=level.position,
                effective_on=on,
                decided_by=world.people["executive"],
                rationale=f"{school.name}: the latest review's judgements.",
            )


def test_an_executive_prepares_the_pack_and_a_trustee_reads_the_dashboard_and_downloads_it(
    live_server, page: Page, browser: Browser, trust_a: TrustWorld
) -> None:
    base, slug = live_server.url, trust_a.trust.slug
    _rate(trust_a, 1, timezone.localdate() - datetime.timedelta(days=3))

    # The executive prepares this half-term's pack and waits for it.
    sign_in(page, base, trust_a.people["executive"].email, PASSWORD)
    page.goto(f"{base}/t/{slug}/board-packs/")
    assert_accessible(page)
    page.get_by_role("link", name="Prepare a board pack").click()
    assert_accessible(page)
    page.get_by_role("button", name="Prepare the pack").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board pack")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_visible(timeout=60_000)
    assert_accessible(page)

    # A trustee signs in, reads the dashboard through the menu, and downloads the pack from the list.
    trustee = browser.new_context(accept_downloads=True).new_page()
    sign_in(trustee, base, trust_a.people["trustee"].email, PASSWORD)
    trustee.get_by_role("button", name="Dashboard").click()
    trustee.get_by_role("link", name="Trust dashboard").click()
    expect(trustee.get_by_role("heading", level=1)).to_have_text("Trust dashboard")
    expect(trustee.get_by_role("main")).to_contain_text(trust_a.schools[0].name)
    assert_accessible(trustee)

    trustee.get_by_role("button", name="Dashboard").click()
    trustee.get_by_role("link", name="Board packs").click()
    assert_accessible(trustee)
    with trustee.expect_download() as download_info:
        trustee.get_by_role("link", name="PDF").first.click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages)
    for school in trust_a.schools:
        assert school.name in text
    assert "Red" in text

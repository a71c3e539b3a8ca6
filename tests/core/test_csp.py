"""Every page is sent with a strict Content-Security-Policy and carries no inline script or style.

The policy refuses inline code; these tests prove the pages do not rely on any, by walking the
pages the accessibility tour visits (as an executive and as a headteacher) and reading the HTML.
"""

import base64
import datetime
import hashlib
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from reporting.services.snapshots import snapshot_take
from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import review_record
from schools.models import ImportKind, ImportRun, ImportStatus
from schools.services.joining import prospective_school_add
from tests.conftest import TrustWorld
from tests.e2e.test_accessibility_tour import EXECUTIVE_PAGES, HEADTEACHER_PAGES, _url
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db

# Pages the tour does not visit, with forms and menus of their own.
EXTRA_EXECUTIVE_PAGES = [
    ("trust-home", {}),
    ("member-list", {}),
    ("api-token-list", {}),
]


class InlineCode(HTMLParser):
    """Collects what a strict CSP would refuse: inline scripts, event handlers, javascript: URLs, styles."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            self._in_inline_script = True
            self.found.append(f"<script> without src at line {self.getpos()[0]}")
        if tag == "style":
            self.found.append(f"<style> block at line {self.getpos()[0]}")
        for name, value in attrs:
            if name.startswith("on") or name.startswith("hx-on"):
                self.found.append(f"{name}= on <{tag}> at line {self.getpos()[0]}")
            if name == "style":
                self.found.append(f'style="{value}" on <{tag}> at line {self.getpos()[0]}')
            if value and value.strip().lower().startswith("javascript:"):
                self.found.append(f"{name}={value!r} on <{tag}>")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def directives(header: str) -> dict[str, list[str]]:
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def assert_strict_policy(response) -> None:
    header = response.headers.get("Content-Security-Policy", "")
    policy = directives(header)
    assert policy.get("script-src") == ["'self'"], header
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header, header
    assert policy.get("style-src") == ["'self'"], header
    assert policy.get("default-src") == ["'self'"]
    assert policy.get("object-src") == ["'none'"] and policy.get("frame-ancestors") == ["'none'"]
    assert policy.get("base-uri") == ["'self'"] and policy.get("form-action") == ["'self'"]
    assert policy.get("img-src") == ["'self'", "data:"]


@pytest.fixture
def tour_objects(trust_a: TrustWorld) -> tuple[object, object]:
    """The objects the tour's pages need: a scale, a due-diligence report, a review and a snapshot."""
    with scope(trust=trust_a.trust.pk):
        executive = trust_a.people["executive"]
        scale_create_from_template(trust=trust_a.trust, actor=executive, template_key="four_phases")
        joining = prospective_school_add(trust=trust_a.trust, actor=executive, urn=731234, name="Rowan Primary")
        areas = judgement_areas_ensure(trust=trust_a.trust)
        review_record(
            school=trust_a.schools[0],
            actor=executive,
            review_type="annual_review",
            reviewed_on=datetime.date(2026, 10, 1),
            judgements={area: index % 5 + 1 for index, area in enumerate(areas)},
            capacity="good",
        )
        snapshot = snapshot_take(trust=trust_a.trust, actor=None, today=timezone.localdate())
        return joining.due_diligence.uuid, snapshot.uuid


def _walk(client: Client, urls: list[str]) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
        if found := inline_code(response.content.decode()):
            problems[url] = found
    return problems


def test_every_page_of_the_tour_has_a_strict_policy_and_no_inline_code(trust_a, tour_objects):
    executive_urls = [_url(trust_a, n, p, *tour_objects) for n, p in EXECUTIVE_PAGES + EXTRA_EXECUTIVE_PAGES]
    problems = _walk(trust_a.client_for("executive"), executive_urls)
    headteacher_urls = [_url(trust_a, n, p, *tour_objects) for n, p in HEADTEACHER_PAGES]
    problems |= _walk(trust_a.client_for("headteacher"), headteacher_urls)
    assert problems == {}


def test_an_import_in_progress_polls_with_htmx_but_has_no_inline_code(trust_a):
    with scope(trust=trust_a.trust.pk):
        run = ImportRun.objects.create(
            trust=trust_a.trust,
            kind=ImportKind.GIAS,
            status=ImportStatus.RUNNING,
            requested_by=trust_a.people["executive"],
            rows_total=200,
            rows_done=50,
            started_at=datetime.datetime.now(tz=datetime.UTC),
        )
    client = trust_a.client_for("executive")
    page = client.get(reverse("import-detail", args=[trust_a.trust.slug, run.uuid]))
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert 'aria-valuenow="25"' in page.content.decode()
    partial = client.get(reverse("import-progress", args=[trust_a.trust.slug, run.uuid]))
    assert inline_code(page.content.decode()) == inline_code(partial.content.decode()) == []


def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get(reverse("login"))
    assert_strict_policy(response)
    assert inline_code(response.content.decode()) == []


def test_the_inline_code_finder_sees_each_kind_of_inline_code():
    html = (
        '<script>alert(1)</script><script src="/static/js/app.js"></script>'
        '<a href="javascript:alert(1)">x</a><button onclick="go()">b</button>'
        '<div hx-on:click="go()"></div><p style="color:red">s</p><style>p{}</style>'
    )
    found = inline_code(html)
    assert len(found) == 6, found


def test_the_api_docs_page_allows_only_its_own_style_block_and_no_inline_script(client):
    response = client.get(reverse("api-docs"))
    header = response.headers["Content-Security-Policy"]
    policy = directives(header)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in header
    html = response.content.decode()
    assert "<script>" not in html
    # Every <style> block on the page is allowed by its hash (an upgrade that changes one fails here).
    blocks = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert blocks
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["style-src"]


def test_the_api_docs_start_up_script_is_a_same_origin_file(client):
    html = client.get(reverse("api-docs")).content.decode()
    script_url = re.findall(r'<script src="([^"]+)"', html)[-1]
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()

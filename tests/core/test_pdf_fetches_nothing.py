"""A PDF made from text people typed opens no socket and reads no file but the app's static files.

Every way HTML can make WeasyPrint load something (images, stylesheets, @import, CSS url(),
objects, embedded attachments) is tried with an outside URL, both as raw HTML given to
`html_to_pdf` and as user text in a real PDF download (the due-diligence report). A guard records every attempt to
connect; tests/core/test_pdf.py shows the same guard does see WeasyPrint's default fetcher.
"""

import io
import socket

import pytest
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader

from core.pdf import StaticFilesOnlyFetcher, html_to_pdf
from schools.services.joining import due_diligence_update, prospective_school_add

pytestmark = pytest.mark.django_db

OUTSIDE_URLS = [
    "http://127.0.0.1:9/",
    "https://example.org/x.png",
    "file:///etc/passwd",
    "//evil.example/x.css",
]


def ways_to_load(url: str) -> str:
    return (
        f'<p>Learning walk notes</p><img src="{url}" alt="">'
        f'<link rel="stylesheet" href="{url}">'
        f"<style>@import url('{url}'); p {{ background: url('{url}'); }}</style>"
        f'<div style="background-image: url({url})">x</div>'
        f'<object data="{url}"></object><embed src="{url}">'
        f'<a rel="attachment" href="{url}">attached</a><link rel="attachment" href="{url}">'
    )


@pytest.fixture
def connections(monkeypatch) -> list[object]:
    attempts: list[object] = []

    def record(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:] if args and isinstance(args[0], socket.socket) else args)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", record)
    monkeypatch.setattr(socket.socket, "connect_ex", record)
    monkeypatch.setattr(socket, "create_connection", record)
    return attempts


@pytest.fixture
def refused(monkeypatch) -> list[str]:
    urls: list[str] = []
    original = StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        try:
            return original(self, url, headers)
        except ValueError:
            urls.append(url)
            raise

    monkeypatch.setattr(StaticFilesOnlyFetcher, "fetch", spy)
    return urls


def _text_and_attachments(pdf: bytes) -> tuple[str, dict]:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages), reader.attachments


@pytest.mark.parametrize("url", OUTSIDE_URLS)
def test_html_with_an_outside_url_opens_no_socket_and_embeds_nothing(url, connections, refused):
    pdf = html_to_pdf(ways_to_load(url))
    assert connections == []
    assert refused, "the fetcher was asked for the URL and refused it"
    text, attachments = _text_and_attachments(pdf)
    assert "Learning walk notes" in text
    assert attachments == {}
    assert "root:x:0:0" not in text


@pytest.mark.parametrize("url", OUTSIDE_URLS)
def test_user_text_in_a_real_pdf_download_opens_no_socket(url, trust_a, connections):
    with scope(trust=trust_a.trust.pk):
        executive = trust_a.people["executive"]
        joining = prospective_school_add(trust=trust_a.trust, actor=executive, urn=731234, name="Rowan Primary")
        due_diligence_update(report=joining.due_diligence, actor=executive, summary=ways_to_load(url), findings={})
    response = trust_a.client_for("executive").get(
        reverse("joining-report-pdf", args=[trust_a.trust.slug, joining.due_diligence.uuid])
    )
    assert response.status_code == 200
    assert connections == []
    text, attachments = _text_and_attachments(response.content)
    # The template escapes the text: it is printed as typed, never loaded.
    assert url in text.replace("\n", "")
    assert attachments == {}

"""PDFs load the app's own static files and nothing else, and name their fonts."""

import io
import socket
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from core.pdf import StaticFilesOnlyFetcher, html_to_pdf, static_base_url, static_file_for

APP_CSS = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").resolve()
REMOTE = '<p>Hello</p><img src="http://127.0.0.1:9/x.png"><link rel="stylesheet" href="https://127.0.0.1:9/s.css">'


@pytest.mark.parametrize(
    "url",
    [
        "/static/css/app.css",  # as {% static %} writes it, resolved against the file:// base
        "css/app.css",  # relative to the base URL
        APP_CSS.as_uri(),
    ],
)
def test_the_apps_static_files_are_served(url):
    absolute = url if "://" in url else (f"file://{url}" if url.startswith("/") else static_base_url() + url)
    assert static_file_for(absolute) == APP_CSS
    response = StaticFilesOnlyFetcher()(absolute)
    assert response.read() == APP_CSS.read_bytes() and response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x.png",
        "https://example.org/static/css/app.css",
        "ftp://example.org/x",
        "data:text/css,p{color:red}",
        "file:///etc/passwd",
        f"file://{settings.BASE_DIR}/manage.py",
        static_base_url() + "../manage.py",
        "file:///static/../manage.py",
        "file:///static/%2e%2e/manage.py",
        "file://attacker.example/static/css/app.css",
        "file:///static/css/no-such-file.css",
    ],
)
def test_every_other_url_is_refused(url):
    assert static_file_for(url) is None
    with pytest.raises(ValueError, match="may load only the app's static files"):
        StaticFilesOnlyFetcher()(url)


@pytest.fixture
def socket_attempts(monkeypatch) -> list[object]:
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def test_the_socket_guard_would_see_weasyprints_default_fetcher(socket_attempts):
    # The control: without our fetcher, WeasyPrint does try the network, and the guard sees it.
    HTML(string=REMOTE, url_fetcher=URLFetcher(timeout=1)).write_pdf()
    assert socket_attempts


def test_remote_urls_in_html_open_no_socket(socket_attempts):
    pdf = html_to_pdf(REMOTE)
    assert socket_attempts == []
    assert "Hello" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_a_static_stylesheet_linked_as_static_url_is_fetched(monkeypatch):
    fetched: list[str] = []
    original = StaticFilesOnlyFetcher.fetch

    def spy(self, url, headers=None):
        response = original(self, url, headers)
        fetched.append(response.url)
        return response

    monkeypatch.setattr(StaticFilesOnlyFetcher, "fetch", spy)
    html_to_pdf(f'<link rel="stylesheet" href="{settings.STATIC_URL}css/app.css"><p>Styled</p>')
    assert fetched == [APP_CSS.as_uri()]


def test_pdfs_are_set_in_dejavu_sans_even_when_a_template_names_no_font():
    # WeasyPrint's own default is a serif font: only our base stylesheet makes this sans.
    reader = PdfReader(io.BytesIO(html_to_pdf('<html lang="en"><h1>Title</h1><p>Body text</p></html>')))
    fonts = {str(font.get_object()["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all(name.split("+")[-1].startswith("DejaVu-Sans") for name in fonts), fonts

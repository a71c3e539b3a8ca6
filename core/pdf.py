"""Render a template to a PDF with WeasyPrint, loading nothing but the app's own static files.

Any page, report or board pack becomes a PDF through `render_pdf`. User text reaches these
templates, so the fetcher refuses every URL except the app's static files: an
`<img src="http://...">` can never make the server open a socket (no SSRF, no tracking).
"""

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Named explicitly: which sans font fontconfig would pick otherwise depends on the machine.
PDF_FONT_FAMILY = '"DejaVu Sans", sans-serif'
_BASE_CSS = f"html {{ font-family: {PDF_FONT_FAMILY}; }}"


def static_roots() -> tuple[Path, ...]:
    """Every directory the static files finders serve from, plus STATIC_ROOT."""
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            roots.append(Path(storage.location))
    return tuple(dict.fromkeys(root.resolve() for root in roots))


def static_base_url() -> str:
    """The base URL for relative links in a PDF template: the project's own static directory."""
    dirs = [d[1] if isinstance(d, tuple | list) else d for d in settings.STATICFILES_DIRS]
    base = Path(dirs[0] if dirs else settings.STATIC_ROOT).resolve()
    return base.as_uri() + "/"


def _under_static_root(path: Path) -> Path | None:
    resolved = path.resolve()
    if resolved.is_file() and any(resolved.is_relative_to(root) for root in static_roots()):
        return resolved
    return None


def _find_static(relative: str) -> Path | None:
    try:
        found = finders.find(unquote(relative).lstrip("/"))
    except SuspiciousFileOperation:
        return None
    if not found:
        return None
    return _under_static_root(Path(found if isinstance(found, str) else found[0]))


def static_file_for(url: str) -> Path | None:
    """The local static file a URL names, or None when the URL is anything else."""
    static_url = settings.STATIC_URL or "/static/"
    if "://" in static_url and url.startswith(static_url):
        # STATIC_URL on a CDN: {% static %} makes absolute URLs; serve the local copy instead.
        return _find_static(url[len(static_url) :].split("?")[0])
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = unquote(parts.path)
    prefix = urlsplit(static_url).path
    if path.startswith(prefix):
        # A root-relative "/static/css/x.css" resolved against the file:// base URL.
        return _find_static(path[len(prefix) :])
    return _under_static_root(Path(path))


class StaticFilesOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and refuses every other URL."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        path = static_file_for(url)
        if path is None:
            # WeasyPrint logs the refusal and renders on without the resource.
            raise ValueError(f"Refused to fetch {url[:200]!r}: a PDF may load only the app's static files.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    """Lay out an HTML string as a PDF; relative and /static/ links resolve to the app's static files."""
    font_config = FontConfiguration()
    fetcher = StaticFilesOnlyFetcher()
    document = HTML(string=html, base_url=static_base_url(), url_fetcher=fetcher)
    base_css = CSS(string=_BASE_CSS, font_config=font_config, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[base_css], font_config=font_config, pdf_tags=True)


def render_pdf(template_name: str, context: dict[str, Any] | None = None) -> bytes:
    """Render a Django template to PDF bytes (templates name their fonts, e.g. DejaVu Sans)."""
    return html_to_pdf(render_to_string(template_name, context or {}))

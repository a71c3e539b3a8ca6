"""The pieces every isolation test shares: the routes, one attempt, and reading any response as text."""

import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import get_resolver, reverse
from pypdf import PdfReader

from tests.isolation.world import IsolationWorld
from tests.test_permission_matrix import EXPECTED, _patterns

API_HEADERS = {"content_type": "application/json"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Statuses a request for another trust's object may get. 403 only where the role may not use the
# route at all (the permission matrix says so for the person's own trust's object too).
NOT_FOUND = 404


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    uuid_kwargs: tuple[str, ...]
    methods: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def expected_for_own(self, method: str, role: str) -> int | None:
        return EXPECTED.get(self.name, {}).get(method, {}).get(role)


def _uuid_kwargs(pattern: str) -> tuple[str, ...]:
    return tuple(part.split(">")[0] for part in pattern.split("<uuid:")[1:])


def all_routes() -> list[Route]:
    return [
        Route(name, pattern, _uuid_kwargs(pattern), tuple(EXPECTED[name]))
        for name, pattern in _patterns(get_resolver())
        if "trust_slug" in pattern
    ]


def object_routes() -> list[Route]:
    """Every trust page and API operation that names an object by its UUID."""
    return [route for route in all_routes() if route.uuid_kwargs]


def list_routes() -> list[Route]:
    """Every trust page and API operation read with GET that names no object: lists, tables, exports."""
    return [route for route in all_routes() if not route.uuid_kwargs and "GET" in route.methods]


OTHER_KWARGS = {"tile": "levels", "fmt": "xlsx", "import_kind": "gias"}


def url_for(route: Route, slug: str, ids: dict[str, uuid.UUID], query: str = "") -> str:
    kwargs: dict[str, Any] = {"trust_slug": slug, **ids}
    kwargs.update({k: v for k, v in OTHER_KWARGS.items() if f":{k}>" in route.pattern})
    return reverse(route.name, kwargs=kwargs) + (f"?{query}" if query else "")


def id_variants(route: Route, a: IsolationWorld, b: IsolationWorld) -> list[dict[str, uuid.UUID]]:
    """Trust B's ids for every object the route names; and, for nested routes, A's parent with B's child."""
    variants = []
    last = route.uuid_kwargs[-1]
    for candidate in b.ids[last]:
        variants.append({k: (candidate if k == last else b.first(k)) for k in route.uuid_kwargs})
    if len(route.uuid_kwargs) > 1:
        for foreign in route.uuid_kwargs:
            variants.append({k: (b.first(k) if k == foreign else a.first(k)) for k in route.uuid_kwargs})
    return variants


# --- Reading responses ---------------------------------------------------------------------------


def body_bytes(response: HttpResponse) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def response_text(response: HttpResponse) -> str:
    """Everything a person could read in the response: headers, body, XLSX cells, PDF text."""
    raw = body_bytes(response)
    parts = [str(list(response.items())), raw.decode("utf-8", errors="replace")]
    if raw[:2] == b"PK":  # XLSX (and any other zip): every member, as text
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts += [archive.read(n).decode("utf-8", errors="replace") for n in archive.namelist()]
    if raw[:5] == b"%PDF-":
        reader = PdfReader(io.BytesIO(raw))
        parts += [page.extract_text() or "" for page in reader.pages]
    return "\n".join(parts)


def markers_in(text: str, prefixes: Iterable[str]) -> list[str]:
    lowered = text.lower()
    return [prefix for prefix in prefixes if prefix.lower() in lowered]


@dataclass
class Attempts:
    """Every request made, and each one that broke a rule (in words)."""

    prefixes: tuple[str, ...]
    count: int = 0
    problems: list[str] = field(default_factory=list)

    def request(self, client: Client, method: str, url: str, *, who: str, api: bool, data: Any = None) -> Any:
        """One attempt, in a savepoint so a failed write leaves the surrounding transaction usable."""
        self.count += 1
        extra = dict(API_HEADERS) if api else {}
        if data is not None:
            extra["data"] = data
        with transaction.atomic():
            response = getattr(client, method.lower())(url, **extra)
        if response.status_code >= 500:
            self.problems.append(f"{method} {url} as {who}: {response.status_code}")
        found = markers_in(response_text(response), self.prefixes)
        if found:
            self.problems.append(f"{method} {url} as {who}: shows {found} ({response.status_code})")
        return response

    def expect(self, response: Any, allowed: set[int], what: str) -> None:
        if response.status_code not in allowed:
            self.problems.append(f"{what}: {response.status_code}, expected one of {sorted(allowed)}")

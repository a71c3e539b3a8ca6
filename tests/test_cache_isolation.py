"""Caches never carry one trust's data to another: any cached page or fragment keys on the trust, nothing
memoises per-trust data in process memory, and a cache warmed by trust A serves trust B nothing of A's."""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.http.response import HttpResponseBase
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_scopes import scope

from reviews.models import Evidence, EvidenceType
from tests.conftest import ROLES, TrustWorld

BASE = Path(settings.BASE_DIR)
CODE_DIRS = ["core", "trust", "schools", "reviews", "interventions", "reporting", "config"]

# Views cached with cache_page (or the site-wide cache middleware), and why their key includes the trust.
# None today: every trust page is rendered per request.
CACHED_VIEWS_ALLOWED: dict[str, str] = {}
# Modules that read or write Django's cache directly, and how their keys include the trust.
CACHE_API_ALLOWED: dict[str, str] = {
    "reporting/selectors/cached.py": "every key starts trust:<pk>: and the caller passes the request's trust",
}
# {% cache %} fragments whose vary-on arguments need no trust, and why. None today.
CACHED_FRAGMENTS_ALLOWED: dict[str, str] = {}
# Functions memoised in process memory (lru_cache, functools.cache), and why they hold no trust's data.
# A worker process serves every trust, so a memo of trust data outlives the request that filled it.
MEMOISED_ALLOWED: dict[str, str] = {}
# Parameter names that mean a memoised function is handed one trust's data.
TRUST_DATA_PARAMETERS = re.compile(r"trust|school|membership|user|actor|request|person|evidence|review|plan")


def _python_files() -> Iterator[tuple[str, str]]:
    for folder in CODE_DIRS:
        for path in sorted((BASE / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield str(path.relative_to(BASE)), path.read_text()


def _template_files() -> Iterator[tuple[str, str]]:
    folders = [BASE / "templates", *(BASE / folder / "templates" for folder in CODE_DIRS)]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")) if folder.exists() else []:
            yield str(path.relative_to(BASE)), path.read_text()


def _code(text: str) -> str:
    """The source without its comments (a comment may name what it warns against)."""
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def test_no_view_is_cached_whole_without_the_trust_in_its_key():
    offenders = [
        rel
        for rel, text in _python_files()
        if re.search(r"\bcache_page\b|UpdateCacheMiddleware|FetchFromCacheMiddleware|CacheMiddleware", _code(text))
        and rel not in CACHED_VIEWS_ALLOWED
    ]
    assert offenders == []
    assert not [m for m in settings.MIDDLEWARE if "CacheMiddleware" in m], "the site-wide cache keys on the URL only"


def test_no_code_uses_the_cache_api_without_an_allowance():
    pattern = re.compile(r"django\.core\.cache|\bcaches\[|\bcache\.(get|set|add|get_or_set|get_many|set_many)\(")
    offenders = [rel for rel, text in _python_files() if pattern.search(_code(text)) and rel not in CACHE_API_ALLOWED]
    assert offenders == []


def test_every_cached_fragment_keys_on_the_trust():
    offenders = []
    for rel, text in _template_files():
        for tag in re.findall(r"{%\s*cache\s+([^%]*)%}", text):
            # {% cache <timeout> <name> <vary_on>... %}: the trust must be among the vary-on values.
            vary_on = tag.split()[2:]
            if not any("trust" in value for value in vary_on) and rel not in CACHED_FRAGMENTS_ALLOWED:
                offenders.append(f"{rel}: {{% cache {tag.strip()} %}}")
    assert offenders == []


def _memoised_functions() -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for rel, text in _python_files():
        for node in ast.walk(ast.parse(text)):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in {"lru_cache", "cache"}:
                    yield f"{rel}:{node.name}", node


def test_no_function_memoises_one_trusts_data():
    found = dict(_memoised_functions())
    assert [name for name in found if name not in MEMOISED_ALLOWED] == []
    handed_trust_data = [
        name
        for name, node in found.items()
        if any(TRUST_DATA_PARAMETERS.search(arg.arg) for arg in [*node.args.args, *node.args.kwonlyargs])
    ]
    assert handed_trust_data == []


def test_the_memo_check_sees_a_memoised_function():
    source = "import functools\n@functools.lru_cache\ndef levels(trust_id):\n    pass\n@cache\ndef f(): pass\n"
    found = [
        node.name
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef)
        for d in node.decorator_list
        if (d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", "")) in {"lru_cache", "cache"}
    ]
    assert found == ["levels", "f"]


# ---------------------------------------------------------------------------------------------------------------
# Behaviour: a real local-memory cache, warmed by trust A, then read by trust B's people.
# ---------------------------------------------------------------------------------------------------------------
MARKER = "alder"  # trust A's name, its schools' names and its people's email addresses all carry it
NEUTRAL_PATHS = ["/", "/trusts/", "/api/v1/me/", "/accounts/two-factor/"]
LOCAL_MEMORY = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "isolation"}}


def _trust_paths() -> list[str]:
    """Every page and API list that takes only the trust, and a school's own pages, as path templates."""

    def walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    paths = []
    for route, _pattern in walk(get_resolver().url_patterns):
        params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if params and params <= {"trust_slug", "school_uuid"} and "<slug:trust_slug>" in route:
            paths.append("/" + route.replace("<slug:trust_slug>", "{slug}").replace("<uuid:school_uuid>", "{school}"))
    return paths


def _path(template: str, world: TrustWorld, school: int = 0) -> str:
    return template.format(slug=world.trust.slug, school=world.schools[school].uuid)


def _body(response: HttpResponseBase) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def marked(trust_a: TrustWorld, trust_b: TrustWorld) -> tuple[TrustWorld, TrustWorld]:
    # A free-text field too, so a cached list of trust A's records would show.
    with scope(trust=trust_a.trust.pk):
        for school in trust_a.schools:
            Evidence.objects.create(
                school=school,
                evidence_type=EvidenceType.LEARNING_WALK,
                observed_on=timezone.localdate(),
                summary=f"Alder canary at {school.name}",
                shared_with_school=True,
            )
    return trust_a, trust_b


@pytest.mark.django_db
@override_settings(CACHES=LOCAL_MEMORY, DASHBOARD_CACHE_SECONDS=600)
def test_a_cache_warmed_by_trust_a_serves_trust_b_nothing_of_trust_as(marked):
    trust_a, trust_b = marked
    cache.clear()
    templates = _trust_paths()
    assert len(templates) > 40, "the page list looks too short to prove anything"

    # Warm: every role of trust A opens every page it may (and the pages outside any trust).
    warmed_with_marker = 0
    for role in ROLES:
        client = trust_a.client_for(role)
        for path in [*(_path(t, trust_a) for t in templates), *NEUTRAL_PATHS]:
            warmed_with_marker += MARKER.encode() in _body(client.get(path)).lower()
    assert warmed_with_marker > 50, "trust A's pages should carry its marker, or its absence below proves nothing"

    leaks = []
    for role in ROLES:
        client = trust_b.client_for(role)
        for path in [*(_path(t, trust_b) for t in templates), *NEUTRAL_PATHS]:
            response = client.get(path)
            if MARKER.encode() in _body(response).lower():
                leaks.append(f"{role} {path}: {response.status_code}")
        for template in templates:
            # Trust A's own paths: not found for trust B's people, cache or no cache.
            status = client.get(_path(template, trust_a)).status_code
            if status != 404:
                leaks.append(f"{role} {_path(template, trust_a)}: {status}")
    assert leaks == []

"""Every URL pattern, requested as anonymous, as each person of trust A and of trust B.

Parameters are filled with trust A's objects. A pattern missing from the expected tables
(`tests/matrix/<area>.py`) fails, so every new page must be classified. Each request runs
in a rolled-back savepoint so one person's POST (say, removing a member) cannot change
what the next person sees.
"""

import importlib
import pkgutil
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

import tests.matrix
from tests.conftest import ROLES
from tests.matrix.common import ANON, OTHER

# The operator's admin has its own test (tests/trust/test_admin.py): it is not a trust page.
EXCLUDED_NAMESPACES = {"admin"}

AREAS = [importlib.import_module(f"tests.matrix.{m.name}") for m in pkgutil.iter_modules(tests.matrix.__path__)]
EXPECTED: dict[str, dict[str, dict[str, int]]] = {}
for _area in AREAS:
    _clash = EXPECTED.keys() & getattr(_area, "EXPECTED", {}).keys()
    assert not _clash, f"{_area.__name__} classifies {_clash} again"
    EXPECTED.update(getattr(_area, "EXPECTED", {}))


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            found += _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((entry.name or f"<unnamed {prefix}{entry.pattern}>", prefix + str(entry.pattern)))
    return found


def test_every_url_pattern_is_classified():
    names = {name for name, _ in _patterns(get_resolver())}
    assert names - EXPECTED.keys() == set(), "classify these new pages in tests/matrix/"
    assert EXPECTED.keys() - names == set(), "these entries name no URL pattern"


def _kwargs_for(pattern: str, candidates: dict[str, Any]) -> dict[str, Any]:
    kwargs = {key: value for key, value in candidates.items() if f":{key}>" in pattern or f"<{key}>" in pattern}
    if "<uidb64>" in pattern:
        kwargs["token"] = "set-password"
    return kwargs


@pytest.mark.django_db
def test_every_page_answers_each_person_as_the_table_says(trust_a, trust_b):
    candidates: dict[str, Any] = {}
    with scope(trust=trust_a.trust.pk):
        for area in AREAS:
            if hasattr(area, "url_kwargs"):
                candidates.update(area.url_kwargs(trust_a))

    clients: dict[str, list[Client]] = {ANON: [Client()], OTHER: [trust_b.client_for(r) for r in ROLES]}
    clients.update({role: [trust_a.client_for(role)] for role in ROLES})
    # Logging out (or signing in) in one row must not change who asks in the next one.
    sessions = {id(c): c.cookies.get(settings.SESSION_COOKIE_NAME) for cs in clients.values() for c in cs}

    mismatches = []
    for name, pattern in _patterns(get_resolver()):
        url = reverse(name, kwargs=_kwargs_for(pattern, candidates))
        for method, expected_by_who in EXPECTED[name].items():
            for who, expected in expected_by_who.items():
                for client in clients[who]:
                    client.cookies = SimpleCookie()
                    if sessions[id(client)] is not None:
                        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[id(client)].value
                    extra = {"content_type": "application/json"} if name.startswith("api-") else {}
                    with transaction.atomic():
                        response = getattr(client, method.lower())(url, **extra)
                        transaction.set_rollback(True)
                    if response.status_code != expected:
                        mismatches.append(f"{method} {url} as {who}: {response.status_code}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)

"""Every URL pattern, requested as anonymous, as each person of trust A and of trust B.

Parameters are filled with trust A's objects. A pattern missing from EXPECTED fails, so
every new page must be classified here. Each request runs in a rolled-back savepoint so
one person's POST (say, removing a member) cannot change what the next person sees.
"""

from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import scope

from tests.conftest import ROLES
from trust import services
from trust.models import Role

ANON, OTHER = "anonymous", "other_trust"
E, IL, HT, SP, TR, GV = ROLES
EVERYONE = set(ROLES)


def trust_page(allowed: set[str], ok: int = 200, denied: int = 403, anon: int = 302, **per_role: int) -> dict[str, int]:
    """Expected statuses for a page under /t/<slug>/: another trust's people always get 404."""
    expected = {ANON: anon, OTHER: 404}
    expected.update({role: ok if role in allowed else denied for role in ROLES})
    expected.update(per_role)
    return expected


def everyone(status: int, anon: int | None = None, **per_role: int) -> dict[str, int]:
    expected = {ANON: status if anon is None else anon, OTHER: status}
    expected.update(dict.fromkeys(ROLES, status))
    expected.update(per_role)
    return expected


EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # Outside any trust.
    "home": {"GET": everyone(302)},
    "healthz": {"GET": everyone(200)},
    "login": {"GET": everyone(302, anon=200), "POST": everyone(302, anon=200)},
    "logout": {"GET": everyone(405), "POST": everyone(302)},
    "password_reset": {"GET": everyone(200), "POST": everyone(200)},
    "password_reset_done": {"GET": everyone(200)},
    "password_reset_confirm": {"GET": everyone(200), "POST": everyone(200)},
    "password_reset_complete": {"GET": everyone(200)},
    # A person of one trust is sent to it; the specialist-in-both is not in these fixtures.
    "trust-picker": {"GET": everyone(302)},
    # Signed-in people with another email see a page telling them so; their POST is refused.
    "invitation-accept": {"GET": everyone(200), "POST": everyone(409, anon=200)},
    # Trust A's pages.
    "trust-home": {"GET": trust_page(EVERYONE)},
    "member-list": {"GET": trust_page({E})},
    "member-invite": {"GET": trust_page({E}), "POST": trust_page({E})},
    "member-edit": {"GET": trust_page({E}), "POST": trust_page({E})},
    "member-remove": {"GET": trust_page({E}), "POST": trust_page({E}, ok=302)},
    # POST only; the trust check still runs first, so another trust's people get 404.
    "invitation-revoke": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page({E}, ok=302)},
    "api-token-list": {"GET": trust_page(EVERYONE), "POST": trust_page(EVERYONE)},
    # The token belongs to trust A's executive: nobody else can even see that it exists.
    "api-token-revoke": {"POST": trust_page({E}, ok=302, denied=404)},
    "school-list": {"GET": trust_page({E, IL, HT, TR, GV})},
    # School 1: its headteacher sees it, the governor of school 2 does not (404).
    "school-detail": {"GET": trust_page({E, IL, HT, TR}, governor=404)},
    # API.
    "api-me": {"GET": everyone(200, anon=401)},
    "api-member-list": {"GET": trust_page({E}, anon=401), "POST": trust_page({E}, ok=400, anon=401)},
    "api-member-detail": {
        "GET": trust_page({E}, anon=401),
        "PATCH": trust_page({E}, ok=400, anon=401),
        "DELETE": trust_page({E}, ok=204, anon=401),
    },
    "api-schema": {"GET": everyone(200)},
    "api-docs": {"GET": everyone(200)},
}

# The operator's admin has its own test (tests/trust/test_admin.py): it is not a trust page.
EXCLUDED_NAMESPACES = {"admin"}


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
    assert names - EXPECTED.keys() == set(), "classify these new pages in EXPECTED"
    assert EXPECTED.keys() - names == set(), "these entries name no URL pattern"


def _kwargs_for(pattern: str, trust_a: Any, objects: dict[str, Any]) -> dict[str, Any]:
    candidates = {
        "trust_slug": trust_a.trust.slug,
        "member_uuid": trust_a.memberships[TR].uuid,
        "invitation_uuid": objects["invitation"].uuid,
        "token_uuid": objects["api_token"].uuid,
        "school_uuid": trust_a.schools[0].uuid,
        "token": objects["invitation_token"],
        "uidb64": "MQ",
    }
    if "<uidb64>" in pattern:
        candidates["token"] = "set-password"
    return {key: value for key, value in candidates.items() if f":{key}>" in pattern or f"<{key}>" in pattern}


@pytest.mark.django_db
def test_every_page_answers_each_person_as_the_table_says(trust_a, trust_b):
    with scope(trust=trust_a.trust.pk):
        invitation, path = services.invitation_create(
            trust=trust_a.trust, actor=trust_a.people[E], email="invitee@example.org", role=Role.TRUSTEE
        )
        api_token, _ = services.api_token_create(user=trust_a.people[E], trust=trust_a.trust, name="matrix")
    objects = {"invitation": invitation, "api_token": api_token, "invitation_token": path.strip("/").split("/")[-1]}

    clients: dict[str, list[Client]] = {ANON: [Client()], OTHER: [trust_b.client_for(r) for r in ROLES]}
    clients.update({role: [trust_a.client_for(role)] for role in ROLES})

    # Logging out (or signing in) in one row must not change who asks in the next one.
    sessions = {id(c): c.cookies.get(settings.SESSION_COOKIE_NAME) for cs in clients.values() for c in cs}

    mismatches = []
    for name, pattern in _patterns(get_resolver()):
        url = reverse(name, kwargs=_kwargs_for(pattern, trust_a, objects))
        for method, expected_by_who in EXPECTED[name].items():
            for who, expected in expected_by_who.items():
                for client in clients[who]:
                    client.cookies = SimpleCookie()
                    if sessions[id(client)] is not None:
                        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[id(client)].value
                    with transaction.atomic():
                        response = (
                            getattr(client, method.lower())(url, content_type="application/json")
                            if name.startswith("api-")
                            else getattr(client, method.lower())(url)
                        )
                        transaction.set_rollback(True)
                    if response.status_code != expected:
                        mismatches.append(f"{method} {url} as {who}: {response.status_code}, expected {expected}")
    assert not mismatches, "\n".join(mismatches)

"""Shared vocabulary for the permission matrix: who asks, and expected-status builders."""

from tests.conftest import ROLES

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

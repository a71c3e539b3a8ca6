"""Expected statuses for the foundation's pages (trust, people, tokens, accounts, API)."""

from typing import Any

from tests.matrix.common import EVERYONE, OTHER, TR, E, everyone, trust_page
from trust import services
from trust.models import Role

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


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """Trust A's objects for this area's URL parameters (called inside trust A's scope)."""
    invitation, path = services.invitation_create(
        trust=trust_a.trust, actor=trust_a.people[E], email="invitee@example.org", role=Role.TRUSTEE
    )
    api_token, _ = services.api_token_create(user=trust_a.people[E], trust=trust_a.trust, name="matrix")
    return {
        "trust_slug": trust_a.trust.slug,
        "member_uuid": trust_a.memberships[TR].uuid,
        "invitation_uuid": invitation.uuid,
        "token_uuid": api_token.uuid,
        "school_uuid": trust_a.schools[0].uuid,
        "token": path.strip("/").split("/")[-1],
        "uidb64": "MQ",
    }

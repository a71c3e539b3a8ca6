"""Expected statuses for sign-in security: the person's own two-factor pages and the trust's security page."""

from typing import Any

from tests.matrix.common import OTHER, E, everyone, trust_page

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # The person's own pages, outside any trust: anyone signed in, whatever their trust.
    "password-confirm": {"GET": everyone(200, anon=302), "POST": everyone(200, anon=302)},
    "two-factor": {"GET": everyone(200, anon=302)},
    # Signed-in test clients have completed the second step, so they may set up a new authenticator.
    "two-factor-enrol": {"GET": everyone(200, anon=302), "POST": everyone(200, anon=302)},
    # Already verified, or nothing to verify with: sent on (to `next`, or to set it up).
    "two-factor-verify": {"GET": everyone(302), "POST": everyone(302)},
    # Codes show once on GET; POST makes new ones (or explains why not) and redirects.
    "two-factor-recovery-codes": {"GET": everyone(200, anon=302), "POST": everyone(302)},
    "two-factor-disable": {"GET": everyone(405), "POST": everyone(302)},
    # Trust A's sign-in security page: executives only.
    "trust-security": {"GET": trust_page({E}), "POST": trust_page({E}, ok=302)},
    "trust-security-unlock": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page({E}, ok=302)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """`member_uuid` comes from the trust area (trust A's trustee)."""
    return {}

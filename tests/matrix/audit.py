"""Expected statuses for the audit log: executives only, read-only (the API has no write method)."""

from tests.matrix.common import E, trust_page

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "audit-log": {"GET": trust_page({E})},
    "api-audit-log": {
        "GET": trust_page({E}, anon=401),
        # No write path: the executive gets 405; everyone else is stopped earlier, as for any write.
        "POST": trust_page({E}, ok=405, anon=401),
    },
}

"""Which role may do what, declared once.

Views (`trust_view`), DRF permission classes (`TrustActionPermission`), templates
(`can.<action>` from the context processor) and the permission matrix test all read
`PERMISSIONS`. School-level roles are further limited to their own school by selectors.
"""

from enum import StrEnum

from trust.models import Membership, Role

E, IL, HT, SP, TR, GV = (
    Role.EXECUTIVE,
    Role.IMPROVEMENT_LEAD,
    Role.HEADTEACHER,
    Role.SPECIALIST,
    Role.TRUSTEE,
    Role.GOVERNOR,
)
EVERYONE = frozenset(Role)


class Action(StrEnum):
    VIEW_TRUST = "view_trust"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    VIEW_SCHOOLS = "view_schools"
    USE_API_TOKENS = "use_api_tokens"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_TRUST: EVERYONE,
    Action.VIEW_MEMBERS: frozenset({E}),
    Action.MANAGE_MEMBERS: frozenset({E}),
    # Specialists see only the interventions and visits assigned to them, not the school list.
    Action.VIEW_SCHOOLS: frozenset({E, IL, HT, TR, GV}),
    Action.USE_API_TOKENS: EVERYONE,
}


def can(membership: Membership | None, action: Action) -> bool:
    """True when the membership's role may perform the action in its trust."""
    return membership is not None and membership.role in PERMISSIONS[action]


def allowed_actions(membership: Membership | None) -> dict[str, bool]:
    """Every action and whether the membership may do it, for templates and the API."""
    return {action.value: can(membership, action) for action in Action}

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
    RECORD_INSPECTIONS = "record_inspections"
    ENTER_PREDICTIONS = "enter_predictions"
    VIEW_JOINING = "view_joining"
    MANAGE_JOINING = "manage_joining"
    RATIFY_JOINING = "ratify_joining"


PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.VIEW_TRUST: EVERYONE,
    Action.VIEW_MEMBERS: frozenset({E}),
    Action.MANAGE_MEMBERS: frozenset({E}),
    # Specialists see only the interventions and visits assigned to them, not the school list.
    Action.VIEW_SCHOOLS: frozenset({E, IL, HT, TR, GV}),
    Action.USE_API_TOKENS: EVERYONE,
    Action.RECORD_INSPECTIONS: frozenset({E, IL}),
    # Headteachers for their own school; the trust's leads may enter on a school's behalf.
    Action.ENTER_PREDICTIONS: frozenset({E, IL, HT}),
    # Joining the trust (seed 003): trustees are the directors who read due diligence; executives ratify.
    Action.VIEW_JOINING: frozenset({E, IL, TR}),
    Action.MANAGE_JOINING: frozenset({E, IL}),
    Action.RATIFY_JOINING: frozenset({E}),
}


def can(membership: Membership | None, action: Action) -> bool:
    """True when the membership's role may perform the action in its trust."""
    return membership is not None and membership.role in PERMISSIONS[action]


def allowed_actions(membership: Membership | None) -> dict[str, bool]:
    """Every action and whether the membership may do it, for templates and the API."""
    return {action.value: can(membership, action) for action in Action}

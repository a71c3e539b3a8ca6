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
    ENTER_ATTENDANCE = "enter_attendance"
    VIEW_JOINING = "view_joining"
    MANAGE_JOINING = "manage_joining"
    RATIFY_JOINING = "ratify_joining"
    # Judgement: scales, evidence, self-evaluation, reviews, ratings, moderation.
    MANAGE_SCALE = "manage_scale"
    VIEW_SCALE = "view_scale"
    RECORD_EVIDENCE = "record_evidence"
    VIEW_EVIDENCE = "view_evidence"
    WRITE_SEF = "write_sef"
    REVIEW_SEF = "review_sef"
    VIEW_SEF = "view_sef"
    RECORD_REVIEWS = "record_reviews"
    VIEW_REVIEWS = "view_reviews"
    RATE_SCHOOLS = "rate_schools"
    VIEW_RATINGS = "view_ratings"
    MODERATE = "moderate"
    VIEW_TRUST_JUDGEMENTS = "view_trust_judgements"
    # Support: register, interventions, plans, support requests.
    VIEW_REGISTER = "view_register"
    MANAGE_REGISTER = "manage_register"
    VIEW_INTERVENTIONS = "view_interventions"
    COMMISSION_INTERVENTIONS = "commission_interventions"
    RECORD_CHECKPOINTS = "record_checkpoints"
    VIEW_PLANS = "view_plans"
    WRITE_PLAN = "write_plan"
    AGREE_PLAN = "agree_plan"
    REQUEST_SUPPORT = "request_support"
    TRIAGE_REQUESTS = "triage_requests"
    VIEW_REQUESTS = "view_requests"
    # Calendar and visits.
    MANAGE_CALENDAR = "manage_calendar"
    VIEW_CALENDAR = "view_calendar"
    PLAN_VISITS = "plan_visits"
    RECORD_VISITS = "record_visits"
    USE_CALENDAR_FEED = "use_calendar_feed"
    IMPORT_DATA = "import_data"
    # Accountability: dashboard, school summaries, snapshots, board packs.
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_SCHOOL_SUMMARY = "view_school_summary"
    VIEW_SNAPSHOTS = "view_snapshots"
    TAKE_SNAPSHOT = "take_snapshot"
    VIEW_BOARD_PACKS = "view_board_packs"
    GENERATE_BOARD_PACK = "generate_board_pack"
    # Security and data protection.
    MANAGE_SECURITY = "manage_security"
    VIEW_AUDIT_LOG = "view_audit_log"


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
    Action.ENTER_ATTENDANCE: frozenset({E, IL, HT}),
    # Joining the trust (seed 003): trustees are the directors who read due diligence; executives ratify.
    Action.VIEW_JOINING: frozenset({E, IL, TR}),
    Action.MANAGE_JOINING: frozenset({E, IL}),
    Action.RATIFY_JOINING: frozenset({E}),
    # The scale is a trust setting: executives choose and edit it; everyone may read it.
    Action.MANAGE_SCALE: frozenset({E}),
    Action.VIEW_SCALE: EVERYONE,
    # Specialists record evidence and see what they wrote; schools see only what is shared with them.
    Action.RECORD_EVIDENCE: frozenset({E, IL, SP}),
    Action.VIEW_EVIDENCE: frozenset({E, IL, SP, HT, GV}),
    Action.WRITE_SEF: frozenset({HT}),
    Action.REVIEW_SEF: frozenset({E, IL}),
    Action.VIEW_SEF: frozenset({E, IL, HT, GV, TR}),
    Action.RECORD_REVIEWS: frozenset({E, IL}),
    Action.VIEW_REVIEWS: frozenset({E, IL, HT, GV, TR}),
    Action.RATE_SCHOOLS: frozenset({E, IL}),
    Action.VIEW_RATINGS: frozenset({E, IL, HT, GV, TR}),
    Action.MODERATE: frozenset({E, IL}),
    # Trust-wide views across schools (side-by-side grid, heat map, due reviews).
    Action.VIEW_TRUST_JUDGEMENTS: frozenset({E, IL, TR}),
    Action.VIEW_REGISTER: frozenset({E, IL}),
    Action.MANAGE_REGISTER: frozenset({E}),
    # Schools see their own interventions; specialists only those they lead (selectors narrow both).
    Action.VIEW_INTERVENTIONS: frozenset({E, IL, TR, HT, GV, SP}),
    Action.COMMISSION_INTERVENTIONS: frozenset({E, IL}),
    Action.RECORD_CHECKPOINTS: frozenset({E, IL, SP}),
    Action.VIEW_PLANS: frozenset({E, IL, TR, HT, GV}),
    Action.WRITE_PLAN: frozenset({HT}),
    Action.AGREE_PLAN: frozenset({E, IL}),
    Action.REQUEST_SUPPORT: frozenset({HT}),
    Action.TRIAGE_REQUESTS: frozenset({E, IL}),
    Action.VIEW_REQUESTS: frozenset({E, IL, HT, GV}),
    # Academic years and trust-wide events are trust settings; everyone else reads what concerns them.
    Action.MANAGE_CALENDAR: frozenset({E}),
    Action.VIEW_CALENDAR: frozenset({E, IL, HT, GV, SP}),
    Action.PLAN_VISITS: frozenset({E, IL}),
    # Specialists record the visits they own; selectors narrow them to those.
    Action.RECORD_VISITS: frozenset({E, IL, SP}),
    Action.USE_CALENDAR_FEED: EVERYONE,
    # Public-data imports (GIAS, Ofsted, DfE performance) change every school's record: executives only.
    Action.IMPORT_DATA: frozenset({E}),
    # The board (trustees) and the central team read the trust-wide picture; executives produce the packs.
    Action.VIEW_DASHBOARD: frozenset({E, IL, TR}),
    # A school's one-page summary: schools read their own (selectors narrow headteachers and governors).
    Action.VIEW_SCHOOL_SUMMARY: frozenset({E, IL, TR, HT, GV}),
    Action.VIEW_SNAPSHOTS: frozenset({E, IL, TR}),
    Action.TAKE_SNAPSHOT: frozenset({E}),
    Action.VIEW_BOARD_PACKS: frozenset({E, IL, TR}),
    Action.GENERATE_BOARD_PACK: frozenset({E}),
    # Trust-wide sign-in rules (two-factor for everyone) and unlocking locked-out accounts.
    Action.MANAGE_SECURITY: frozenset({E}),
    Action.VIEW_AUDIT_LOG: frozenset({E}),
}


def can(membership: Membership | None, action: Action) -> bool:
    """True when the membership's role may perform the action in its trust."""
    return membership is not None and membership.role in PERMISSIONS[action]


def allowed_actions(membership: Membership | None) -> dict[str, bool]:
    """Every action and whether the membership may do it, for templates and the API."""
    return {action.value: can(membership, action) for action in Action}

"""Expected statuses for improvement plan pages and API. School 1 is the headteacher's; the governor
governs school 2, so school 1's plan is not there for them (404). Write pages check the role first
(403 for the governor), then the object (404 for another school's)."""

from typing import Any

from django.utils import timezone

from core.academic import academic_year_for
from interventions.models import ImprovementPlan, PlanAction, PlanPriority
from tests.matrix.common import HT, IL, TR, E, trust_page

SCHOOL_1_READERS = {E, IL, HT, TR}
AGREERS = {E, IL}
HEALTH = {E, IL, TR}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "plan-school": {"GET": trust_page(SCHOOL_1_READERS, governor=404)},
    # The plan exists: a bare POST finds it and goes back to it.
    "plan-start": {"GET": trust_page({HT}), "POST": trust_page({HT}, ok=302)},
    "plan-health": {"GET": trust_page(HEALTH)},
    # A bare POST to a form re-shows it with errors (200).
    "plan-priority-add": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "plan-priority-edit": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "plan-priority-remove": {"GET": trust_page({HT}), "POST": trust_page({HT}, ok=302)},
    "plan-action-add": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "plan-action-edit": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "plan-update-add": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "plan-comment-add": {"GET": trust_page(AGREERS), "POST": trust_page(AGREERS)},
    "plan-agree": {"GET": trust_page(AGREERS), "POST": trust_page(AGREERS, ok=302)},
    "api-plan-school": {
        "GET": trust_page(SCHOOL_1_READERS, anon=401, governor=404),
        "POST": trust_page({HT}, anon=401),
    },
    "api-plan-health": {"GET": trust_page(HEALTH, anon=401)},
    "api-plan-priority-list": {"POST": trust_page({HT}, ok=400, anon=401)},
    "api-plan-priority-detail": {
        "PATCH": trust_page({HT}, anon=401),
        "DELETE": trust_page({HT}, ok=204, anon=401),
    },
    "api-plan-action-list": {"POST": trust_page({HT}, ok=400, anon=401)},
    "api-plan-action-detail": {"PATCH": trust_page({HT}, anon=401)},
    "api-plan-update-list": {"POST": trust_page({HT}, ok=400, anon=401)},
    "api-plan-comment-list": {"POST": trust_page(AGREERS, ok=400, anon=401)},
    "api-plan-agree": {"POST": trust_page(AGREERS, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """This year's draft plan of school 1 with a priority and an action (called inside trust A's scope)."""
    plan = ImprovementPlan.objects.create(
        school=trust_a.schools[0], academic_year=academic_year_for(timezone.localdate())
    )
    priority = PlanPriority.objects.create(plan=plan, title="Improve writing", position=1)
    action = PlanAction.objects.create(
        priority=priority, description="Coach Year 5", owner="English lead", due_on=timezone.localdate()
    )
    return {"plan_uuid": plan.uuid, "priority_uuid": priority.uuid, "action_uuid": action.uuid}

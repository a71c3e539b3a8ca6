"""Reads for improvement plans: a school's plan for a year, action health, and the trust's plan health.

An action is overdue when its due date is before today and it is not complete. Plan health lists,
for the current academic year's plans, every action that is overdue, off track or at risk.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from core.academic import academic_year_for
from interventions.models import ActionStatus, ImprovementPlan, PlanAction, PlanPriority, PlanUpdate
from schools.models import School
from trust.models import Trust

CONCERNS = (ActionStatus.OFF_TRACK, ActionStatus.AT_RISK)


def plan_for(school: School, academic_year: int) -> ImprovementPlan | None:
    """The school's plan for that year with priorities, actions and the update thread (four queries)."""
    priorities = PlanPriority.objects.select_related("area").prefetch_related(
        Prefetch("actions", queryset=PlanAction.objects.order_by("due_on", "id"))
    )
    return (
        ImprovementPlan.objects.filter(school=school, academic_year=academic_year)
        .select_related("school", "agreed_by")
        .prefetch_related(
            Prefetch("priorities", queryset=priorities),
            Prefetch("updates", queryset=PlanUpdate.objects.select_related("author").order_by("created_at")),
        )
        .first()
    )


def plan_years(school: School, current_year: int) -> list[int]:
    """The years the school has a plan for, with the current one, newest first."""
    years = set(ImprovementPlan.objects.filter(school=school).values_list("academic_year", flat=True))
    return sorted(years | {current_year}, reverse=True)


def is_overdue(action: PlanAction, today: datetime.date) -> bool:
    return action.status != ActionStatus.COMPLETE and action.due_on < today


def action_concerns(action: PlanAction, today: datetime.date) -> list[str]:
    """Why an action needs attention, in words: overdue (with days), off track, at risk."""
    reasons = []
    if is_overdue(action, today):
        days = (today - action.due_on).days
        reasons.append(f"Overdue by {days} day{'s' if days != 1 else ''}")
    if action.status in CONCERNS:
        reasons.append(ActionStatus(action.status).label)
    return reasons


@dataclass
class PlanHealth:
    """A plan's actions by state, counted on already-loaded rows (no queries)."""

    total: int = 0
    complete: int = 0
    overdue: int = 0
    off_track: int = 0
    at_risk: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def plan_health(plan: ImprovementPlan, today: datetime.date) -> PlanHealth:
    health = PlanHealth(by_status=dict.fromkeys(ActionStatus.values, 0))
    for priority in plan.priorities.all():
        for action in priority.actions.all():
            health.total += 1
            health.by_status[action.status] += 1
            health.overdue += is_overdue(action, today)
    health.complete = health.by_status[ActionStatus.COMPLETE]
    health.off_track = health.by_status[ActionStatus.OFF_TRACK]
    health.at_risk = health.by_status[ActionStatus.AT_RISK]
    return health


@dataclass
class HealthRow:
    action: PlanAction
    reasons: list[str]

    @property
    def priority(self) -> PlanPriority:
        return self.action.priority

    @property
    def plan(self) -> ImprovementPlan:
        return self.action.priority.plan

    @property
    def school(self) -> School:
        return self.action.priority.plan.school


def trust_plan_health(trust: Trust, today: datetime.date) -> list[HealthRow]:
    """This year's overdue, off-track and at-risk actions across the trust, by school then due date: one query."""
    actions = (
        PlanAction.objects.filter(
            priority__plan__school__trust=trust, priority__plan__academic_year=academic_year_for(today)
        )
        .exclude(status=ActionStatus.COMPLETE)
        .filter(Q(due_on__lt=today) | Q(status__in=CONCERNS))
        .select_related("priority__plan__school")
        .order_by("priority__plan__school__name", "due_on", "id")
    )
    return [HealthRow(action=a, reasons=action_concerns(a, today)) for a in actions]

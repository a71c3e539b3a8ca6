"""Improvement plans: the headteacher writes the school's plan; the trust's leads comment on and agree it.

Decisions (see the report in docs when merged):
- One plan per school and academic year; starting twice returns the plan already there, unseeded again.
- Plans can be started for the current academic year or the next one (seed 003: the plan is
  "reviewed and written" in summer, agreed in autumn). Earlier years are read-only.
- Seeding from the current level's checklist: each checklist domain becomes a priority (source
  "Checklist: <domain>") and each of its items becomes an action, due at the end of the current term.
- Seeding from the latest review shared with the school: each area for development (one per line or
  bullet; a single paragraph is split into sentences) becomes a priority (source "Review of <date>")
  with one first action, "Agree the first step ...", due four weeks from today.
- After agreement the school still updates action status and may edit the plan's structure (plans
  change in-year); the plan stays agreed, but an agreed plan must keep at least one priority.
"""

import datetime
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.academic import TERMS, academic_year_for, academic_year_label, term_bounds
from core.audit import audit_record, diff, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from interventions.models import ActionStatus, ImprovementPlan, PlanAction, PlanPriority, PlanStatus, PlanUpdate
from reviews.models import JudgementArea, Review
from reviews.selectors.ratings import current_ratings
from reviews.selectors.reviews import latest_reviews
from schools.models import School
from trust.models import Membership, User
from trust.permissions import Action, can
from trust.selectors import membership_for

FIRST_STEP = "Agree the first step towards this priority, who leads it and how success will be checked."
FIRST_STEP_WEEKS = 4
SEEDED_OWNER = "Headteacher"
_BULLET = re.compile(r"^\s*(?:[-*•●▪○]|\d+[.)])\s*")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str
    due_on: datetime.date
    success_criteria: str = ""
    status: str = ActionStatus.NOT_STARTED


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _membership(actor: User, school: School) -> Membership:
    membership = membership_for(actor, school.trust)
    if membership is None:
        raise ApplicationError("You are not a member of this school's trust.")
    return membership


def _writer(actor: User, school: School) -> Membership:
    membership = _membership(actor, school)
    if not can(membership, Action.WRITE_PLAN) or membership.school_id != school.pk:
        raise ApplicationError("Only the school's headteacher can write its improvement plan.")
    return membership


def _agreer(actor: User, school: School) -> Membership:
    membership = _membership(actor, school)
    if not can(membership, Action.AGREE_PLAN):
        raise ApplicationError("Only an executive or improvement lead can comment on or agree a plan.")
    return membership


def _check_open(plan: ImprovementPlan, today: datetime.date) -> None:
    if plan.academic_year < academic_year_for(today):
        raise ApplicationError(
            f"The {academic_year_label(plan.academic_year)} plan is kept as it was: earlier years are read-only."
        )


def _writable_plan(plan: ImprovementPlan, actor: User, today: datetime.date) -> None:
    _writer(actor, plan.school)
    _check_open(plan, today)


def area_lines(text: str) -> list[str]:
    """The separate areas for development in a review's text: one per line or bullet, else one per sentence."""
    lines = [_BULLET.sub("", line).strip() for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        lines = [part.strip() for part in _SENTENCE_END.split(lines[0]) if part.strip()]
    return lines


def _title(text: str) -> str:
    text = text.rstrip(".").strip()
    limit = PlanPriority._meta.get_field("title").max_length
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _checklist(school: School) -> tuple[str, dict[str, list[str]]]:
    rating = current_ratings([school]).get(school.pk)
    checklist = (rating.level.plan_checklist or {}) if rating is not None else {}
    if rating is None or not any(checklist.values()):
        raise ApplicationError(
            f"{school.name} has no current level with a plan checklist to start from.", {"field": "from_checklist"}
        )
    return rating.level.name, {domain: list(items) for domain, items in checklist.items() if items}


def _latest_review(school: School) -> tuple[Review, list[str]]:
    # The headteacher writes the plan, so only reviews shared with the school count.
    review = latest_reviews([school], shared_only=True).get(school.pk)
    lines = area_lines(review.areas_for_development) if review is not None else []
    if not lines:
        raise ApplicationError(
            f"{school.name} has no review shared with it that lists areas for development.", {"field": "from_review"}
        )
    return review, lines


def _save(obj: object) -> None:
    obj.full_clean()
    obj.save()


PRIORITY_FIELDS = ["title", "area", "source"]


def _audit(plan: ImprovementPlan, actor: User, action: str, obj: object, changes: dict, label: str = "") -> None:
    audit_record(
        trust=plan.school.trust_id,
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        label=f"{plan.school}, plan {plan.academic_year}: {label}" if label else "",
    )


def plan_start(
    *,
    school: School,
    actor: User,
    academic_year: int,
    from_checklist: bool = False,
    from_review: bool = False,
    summary: str = "",
    today: datetime.date | None = None,
) -> tuple[ImprovementPlan, bool]:
    """Start the school's plan for a year, optionally seeded; returns (plan, created). Starting twice: one plan."""
    today = _today(today)
    _writer(actor, school)
    current = academic_year_for(today)
    if academic_year not in (current, current + 1):
        raise ApplicationError(
            f"Plans can be started for {academic_year_label(current)} or {academic_year_label(current + 1)} only.",
            {"field": "academic_year"},
        )
    existing = ImprovementPlan.objects.filter(school=school, academic_year=academic_year).first()
    if existing is not None:
        return existing, False
    # Check every source before writing anything, so a refusal leaves no half-made plan.
    checklist = _checklist(school) if from_checklist else None
    review = _latest_review(school) if from_review else None
    with transaction.atomic():
        plan, created = ImprovementPlan.objects.get_or_create(
            school=school, academic_year=academic_year, defaults={"summary": summary.strip()}
        )
        if not created:
            return plan, False
        position = 0
        if review is not None:
            source = f"Review of {review[0].reviewed_on.day} {review[0].reviewed_on:%b %Y}"
            for line in review[1]:
                position += 1
                priority = PlanPriority(plan=plan, title=_title(line), source=source, position=position)
                _save(priority)
                _save(
                    PlanAction(
                        priority=priority,
                        description=FIRST_STEP,
                        owner=SEEDED_OWNER,
                        due_on=today + datetime.timedelta(weeks=FIRST_STEP_WEEKS),
                        success_criteria=line,
                    )
                )
        if checklist is not None:
            level_name, domains = checklist
            term_end = term_bounds(today)[2]
            for domain, items in domains.items():
                position += 1
                priority = PlanPriority(
                    plan=plan, title=_title(f"{level_name}: {domain}"), source=f"Checklist: {domain}", position=position
                )
                _save(priority)
                for item in items:
                    _save(PlanAction(priority=priority, description=item, owner=SEEDED_OWNER, due_on=term_end))
        _audit(
            plan,
            actor,
            "plan.started",
            plan,
            {
                "academic_year": academic_year,
                "summary": plan.summary,
                "from_review": bool(review),
                "from_checklist": bool(checklist),
                "priorities": [p.title for p in plan.priorities.all()],
            },
        )
    return plan, True


def _check_area(plan: ImprovementPlan, area: JudgementArea | None) -> None:
    if area is not None and area.trust_id != plan.school.trust_id:
        raise ApplicationError("Choose one of the trust's judgement areas.", {"field": "area"})


def priority_add(
    *,
    plan: ImprovementPlan,
    actor: User,
    title: str,
    area: JudgementArea | None = None,
    source: str = "",
    today: datetime.date | None = None,
) -> PlanPriority:
    """Add a priority at the end of the plan."""
    _writable_plan(plan, actor, _today(today))
    _check_area(plan, area)
    refuse_repeat(plan.priorities.all(), what="priority", title=title.strip(), area=area)
    with transaction.atomic():
        last = plan.priorities.aggregate(last=Max("position"))["last"] or 0
        priority = PlanPriority(plan=plan, title=title.strip(), area=area, source=source.strip(), position=last + 1)
        _save(priority)
        _audit(plan, actor, "plan_priority.added", priority, snapshot_fields(priority, PRIORITY_FIELDS), priority.title)
    return priority


def priority_update(
    *,
    priority: PlanPriority,
    actor: User,
    title: str,
    area: JudgementArea | None = None,
    source: str = "",
    today: datetime.date | None = None,
) -> PlanPriority:
    """Change a priority's title, area or source."""
    plan = priority.plan
    _writable_plan(plan, actor, _today(today))
    _check_area(plan, area)
    before = snapshot_fields(priority, PRIORITY_FIELDS)
    priority.title, priority.area, priority.source = title.strip(), area, source.strip()
    with transaction.atomic():
        _save(priority)
        changes = diff(before, snapshot_fields(priority, PRIORITY_FIELDS))
        _audit(plan, actor, "plan_priority.updated", priority, changes, priority.title)
    return priority


def priority_remove(*, priority: PlanPriority, actor: User, today: datetime.date | None = None) -> None:
    """Remove a priority and its actions; an agreed plan keeps at least one priority."""
    plan = priority.plan
    _writable_plan(plan, actor, _today(today))
    with transaction.atomic():
        # Read the status afresh (and lock the plan) so a concurrent agreement is seen.
        plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status == PlanStatus.AGREED and plan.priorities.count() <= 1:
            raise ApplicationError("An agreed plan needs at least one priority: add another before removing this.")
        changes = snapshot_fields(priority, PRIORITY_FIELDS) | {
            "actions": [action.description for action in priority.actions.all()]
        }
        _audit(plan, actor, "plan_priority.removed", priority, changes, priority.title)
        priority.delete()


def _apply_status(action: PlanAction, status: str, today: datetime.date) -> None:
    if status not in ActionStatus.values:
        raise ApplicationError("Choose a status from the list.", {"field": "status"})
    if status == ActionStatus.COMPLETE:
        if action.status != ActionStatus.COMPLETE or action.completed_on is None:
            action.completed_on = today
    else:
        action.completed_on = None
    action.status = status


def action_add(
    *, priority: PlanPriority, actor: User, data: ActionInput, today: datetime.date | None = None
) -> PlanAction:
    """Add an action to a priority."""
    today = _today(today)
    _writable_plan(priority.plan, actor, today)
    refuse_repeat(priority.actions.all(), what="action", description=data.description.strip())
    action = PlanAction(
        priority=priority,
        description=data.description.strip(),
        owner=data.owner.strip(),
        due_on=data.due_on,
        success_criteria=data.success_criteria.strip(),
    )
    _apply_status(action, data.status, today)
    with transaction.atomic():
        _save(action)
        changes = snapshot_fields(action, [*ACTION_FIELDS, "completed_on"])
        _audit(priority.plan, actor, "plan_action.added", action, changes, f"{priority.title}: {action}")
    return action


ACTION_FIELDS = ("description", "owner", "due_on", "success_criteria", "status")


def action_update(
    *, action: PlanAction, actor: User, today: datetime.date | None = None, **changes: object
) -> PlanAction:
    """Change an action's fields (any of description, owner, due_on, success_criteria, status).

    Completing sets `completed_on` to today (kept if already complete); any other status clears it.
    """
    today = _today(today)
    _writable_plan(action.priority.plan, actor, today)
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise ApplicationError("Unknown fields: " + ", ".join(sorted(unknown)) + ".")
    for name in ("description", "owner", "success_criteria"):
        if name in changes:
            setattr(action, name, str(changes[name]).strip())
    if "due_on" in changes:
        action.due_on = changes["due_on"]
    before = snapshot_fields(action, [*ACTION_FIELDS, "completed_on"])
    if "status" in changes:
        _apply_status(action, str(changes["status"]), today)
    with transaction.atomic():
        _save(action)
        changed = diff(before, snapshot_fields(action, [*ACTION_FIELDS, "completed_on"]))
        priority = action.priority
        _audit(priority.plan, actor, "plan_action.updated", action, changed, f"{priority.title}: {action}")
    return action


def _term(term: str, today: datetime.date) -> str:
    term = (term or "").strip().title()
    if not term:
        return term_bounds(today)[0]
    if term not in TERMS:
        raise ApplicationError("Choose Autumn, Spring or Summer.", {"field": "term"})
    return term


def _post(plan: ImprovementPlan, actor: User, body: str, term: str, is_trust_comment: bool) -> PlanUpdate:
    body = (body or "").strip()
    if not body:
        raise ApplicationError("Write something to post.", {"field": "body"})
    refuse_repeat(
        plan.updates.all(), what="post", author=actor, body=body, term=term, is_trust_comment=is_trust_comment
    )
    update = PlanUpdate(plan=plan, author=actor, is_trust_comment=is_trust_comment, term=term, body=body)
    with transaction.atomic():
        _save(update)
        action = "plan.commented" if is_trust_comment else "plan.update_posted"
        _audit(
            plan,
            actor,
            action,
            update,
            {"term": term, "body": body},
            f"{term} {'comment' if is_trust_comment else 'update'}",
        )
    return update


def plan_update_post(
    *, plan: ImprovementPlan, actor: User, body: str, term: str = "", today: datetime.date | None = None
) -> PlanUpdate:
    """The school's progress update for a term (default: the term today falls in)."""
    today = _today(today)
    _writable_plan(plan, actor, today)
    return _post(plan, actor, body, _term(term, today), is_trust_comment=False)


def plan_comment(
    *, plan: ImprovementPlan, actor: User, body: str, term: str = "", today: datetime.date | None = None
) -> PlanUpdate:
    """A comment on the plan by the trust's executive or improvement lead."""
    today = _today(today)
    _agreer(actor, plan.school)
    _check_open(plan, today)
    return _post(plan, actor, body, _term(term, today), is_trust_comment=True)


def plan_agree(*, plan: ImprovementPlan, actor: User, today: datetime.date | None = None) -> ImprovementPlan:
    """Agree the plan for the trust; it needs at least one priority. Agreeing twice has one effect."""
    today = _today(today)
    _agreer(actor, plan.school)
    _check_open(plan, today)
    with transaction.atomic():
        plan = ImprovementPlan.objects.select_for_update().select_related("school").get(pk=plan.pk)
        if plan.status == PlanStatus.AGREED:
            return plan
        was = plan.get_status_display()
        if not plan.priorities.exists():
            raise ApplicationError("A plan with no priorities cannot be agreed: the school adds its priorities first.")
        plan.status = PlanStatus.AGREED
        plan.agreed_by = actor
        plan.agreed_on = today
        plan.full_clean()
        plan.save(update_fields=["status", "agreed_by", "agreed_on", "updated_at"])
        _audit(plan, actor, "plan.agreed", plan, {"status": [was, plan.get_status_display()], "agreed_on": today})
    return plan

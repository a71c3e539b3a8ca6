"""Improvement plan pages: a school's plan by year, its priorities, actions and thread, agreement, plan health."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.academic import academic_year_for, academic_year_label, term_bounds
from core.exceptions import ApplicationError
from core.exports import export_response
from interventions.forms_plans import ActionForm, PlanPostForm, PlanStartForm, PlanYearForm, PriorityForm
from interventions.models import ImprovementPlan, PlanAction, PlanPriority, PlanStatus
from interventions.selectors.plans import action_concerns, plan_for, plan_health, plan_years, trust_plan_health
from interventions.services import plans as services
from reviews.models import JudgementArea
from reviews.views.evidence import form_error
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can

EXPORT_HEADERS = ["School", "URN", "Priority", "Action", "Owner", "Due", "Status", "Concerns"]


def _school(request: HttpRequest, school_uuid: UUID) -> School:
    # A school-level role asking about another school of the trust: not there (404).
    return get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)


def _plans(request: HttpRequest) -> QuerySet[ImprovementPlan]:
    return ImprovementPlan.objects.filter(school__in=schools_visible_to(request.membership)).select_related("school")


def _plan(request: HttpRequest, plan_uuid: UUID) -> ImprovementPlan:
    return get_object_or_404(_plans(request), uuid=plan_uuid)


def _priority(request: HttpRequest, priority_uuid: UUID) -> PlanPriority:
    return get_object_or_404(
        PlanPriority.objects.filter(plan__in=_plans(request)).select_related("plan__school", "area"),
        uuid=priority_uuid,
    )


def _action(request: HttpRequest, action_uuid: UUID) -> PlanAction:
    return get_object_or_404(
        PlanAction.objects.filter(priority__plan__in=_plans(request)).select_related("priority__plan__school"),
        uuid=action_uuid,
    )


def _plan_url(request: HttpRequest, plan: ImprovementPlan) -> str:
    url = reverse("plan-school", kwargs={"trust_slug": request.trust.slug, "school_uuid": plan.school.uuid})
    return url if plan.academic_year == academic_year_for(timezone.localdate()) else f"{url}?year={plan.academic_year}"


def _areas(request: HttpRequest) -> QuerySet[JudgementArea]:
    return JudgementArea.objects.filter(trust=request.trust, is_active=True).order_by("position")


def _is_writer(request: HttpRequest, school: School) -> bool:
    return can(request.membership, Action.WRITE_PLAN) and request.membership.school_id == school.pk


def _try(form: Any, call: Any) -> Any:
    """Run a service call; show its refusal on the form and return None."""
    try:
        return call()
    except (ApplicationError, ValidationError) as error:
        form_error(form, error)
        return None


@trust_view(Action.VIEW_PLANS)
def plan_school(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    today = timezone.localdate()
    current = academic_year_for(today)
    years = plan_years(school, current)
    value = request.GET.get("year", "")
    year = int(value) if value.isdigit() and int(value) in years + [current + 1] else current
    plan = plan_for(school, year)
    writer = _is_writer(request, school)
    open_year = year >= current
    priorities = []
    if plan is not None:
        for priority in plan.priorities.all():
            actions = list(priority.actions.all())
            for action in actions:
                action.concerns = action_concerns(action, today)
            priorities.append((priority, actions))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        # Every priority's actions in one table, the priority named on each row.
        return export_response(
            headers=["Priority", "Action", "Owner", "Due", "Success criteria", "Status", "Completed", "Concerns"],
            rows=[
                [
                    priority.title,
                    action.description,
                    str(action.owner) if action.owner else "",
                    action.due_on,
                    action.success_criteria,
                    action.get_status_display(),
                    action.completed_on,
                    "; ".join(r for r in action.concerns if r != action.get_status_display()),
                ]
                for priority, actions in priorities
                for action in actions
            ],
            filename=f"{request.trust.slug}-{school.urn}-plan-{year}",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/plans/school.html",
        {
            "school": school,
            "plan": plan,
            "priorities": priorities,
            "updates": list(plan.updates.all()) if plan else [],
            "health": plan_health(plan, today) if plan else None,
            "year": year,
            "year_label": academic_year_label(year),
            "is_current": year == current,
            "is_past": year < current,
            "year_form": PlanYearForm(initial={"year": year}, years=sorted(set(years) | {current + 1}, reverse=True)),
            "may_write": writer and open_year,
            "may_start": writer and open_year and plan is None,
            "may_agree": can(request.membership, Action.AGREE_PLAN)
            and open_year
            and plan is not None
            and plan.status == PlanStatus.DRAFT,
            "may_comment": can(request.membership, Action.AGREE_PLAN) and open_year and plan is not None,
            "start_form": PlanStartForm(initial={"academic_year": year}, years=[year]),
            "post_form": PlanPostForm(initial={"term": term_bounds(today)[0]}),
        },
    )


@trust_view(Action.WRITE_PLAN)
def plan_start(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    current = academic_year_for(timezone.localdate())
    form = PlanStartForm(_data(request), years=[current, current + 1], initial={"academic_year": current})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        result = _try(
            form,
            lambda: services.plan_start(
                school=school,
                actor=request.user,
                academic_year=data["academic_year"] or current,
                from_checklist=data["from_checklist"],
                from_review=data["from_review"],
                summary=data["summary"],
            ),
        )
        if result is not None:
            plan, created = result
            if created:
                messages.success(request, f"Improvement plan for {academic_year_label(plan.academic_year)} started.")
            else:
                messages.info(request, "This year's plan was already started: here it is.")
            return redirect(_plan_url(request, plan))
    return render(request, "interventions/plans/start.html", {"school": school, "form": form})


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, f"interventions/plans/{template}", context)


def _saved(request: HttpRequest, form: Any, call: Any) -> bool:
    """True when the form was posted, is valid and the service accepted it."""
    return request.method == "POST" and form.is_valid() and _try(form, call) is not None


@trust_view(Action.WRITE_PLAN)
def priority_add(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    plan = _plan(request, plan_uuid)
    form = PriorityForm(_data(request), areas=_areas(request))
    if _saved(request, form, lambda: services.priority_add(plan=plan, actor=request.user, **form.cleaned_data)):
        messages.success(request, "Priority added. Add its actions next.")
        return redirect(_plan_url(request, plan))
    return _form_page(request, "priority_form.html", plan=plan, school=plan.school, form=form, priority=None)


@trust_view(Action.WRITE_PLAN)
def priority_edit(request: HttpRequest, priority_uuid: UUID) -> HttpResponse:
    priority = _priority(request, priority_uuid)
    plan = priority.plan
    initial = {"title": priority.title, "area": priority.area.uuid if priority.area else None}
    initial["source"] = priority.source
    form = PriorityForm(_data(request), initial=initial, areas=_areas(request))

    def call() -> Any:  # run only once the form is valid: cleaned_data exists then
        return services.priority_update(priority=priority, actor=request.user, **form.cleaned_data)

    if _saved(request, form, call):
        messages.success(request, "Priority saved.")
        return redirect(_plan_url(request, plan))
    return _form_page(request, "priority_form.html", plan=plan, school=plan.school, form=form, priority=priority)


@trust_view(Action.WRITE_PLAN)
def priority_remove(request: HttpRequest, priority_uuid: UUID) -> HttpResponse:
    priority = _priority(request, priority_uuid)
    plan = priority.plan
    error = ""
    if request.method == "POST":
        try:
            services.priority_remove(priority=priority, actor=request.user)
        except ApplicationError as refusal:
            error = refusal.message
        else:
            messages.success(request, f"Priority “{priority.title}” and its actions removed.")
            return redirect(_plan_url(request, plan))
    return _form_page(request, "priority_remove.html", plan=plan, school=plan.school, priority=priority, error=error)


@trust_view(Action.WRITE_PLAN)
def action_add(request: HttpRequest, priority_uuid: UUID) -> HttpResponse:
    priority = _priority(request, priority_uuid)
    plan = priority.plan
    form = ActionForm(_data(request))

    def call() -> Any:  # run only once the form is valid
        return services.action_add(priority=priority, actor=request.user, data=form.action_input())

    if _saved(request, form, call):
        messages.success(request, "Action added.")
        return redirect(_plan_url(request, plan))
    context = {"plan": plan, "school": plan.school, "priority": priority, "form": form, "action": None}
    return _form_page(request, "action_form.html", **context)


@trust_view(Action.WRITE_PLAN)
def action_edit(request: HttpRequest, action_uuid: UUID) -> HttpResponse:
    action = _action(request, action_uuid)
    priority = action.priority
    plan = priority.plan
    form = ActionForm(_data(request), initial={f: getattr(action, f) for f in services.ACTION_FIELDS})
    call = lambda: services.action_update(action=action, actor=request.user, **form.cleaned_data)  # noqa: E731
    if _saved(request, form, call):
        messages.success(request, "Action saved.")
        return redirect(_plan_url(request, plan))
    context = {"plan": plan, "school": plan.school, "priority": priority, "form": form, "action": action}
    return _form_page(request, "action_form.html", **context)


def _post_page(request: HttpRequest, plan_uuid: UUID, *, comment: bool) -> HttpResponse:
    plan = _plan(request, plan_uuid)
    label = "Comment" if comment else "Progress update"
    form = PlanPostForm(_data(request), body_label=label, initial={"term": term_bounds(timezone.localdate())[0]})
    if request.method == "POST" and form.is_valid():
        post = services.plan_comment if comment else services.plan_update_post
        if _try(form, lambda: post(plan=plan, actor=request.user, **form.cleaned_data)):
            messages.success(request, f"{label} posted.")
            return redirect(_plan_url(request, plan) + "#thread")
    return _form_page(request, "post_form.html", plan=plan, school=plan.school, form=form, label=label)


@trust_view(Action.WRITE_PLAN)
def update_add(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    return _post_page(request, plan_uuid, comment=False)


@trust_view(Action.AGREE_PLAN)
def comment_add(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    return _post_page(request, plan_uuid, comment=True)


@trust_view(Action.AGREE_PLAN)
def plan_agree(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    plan = _plan(request, plan_uuid)
    error = ""
    if request.method == "POST":
        try:
            services.plan_agree(plan=plan, actor=request.user)
        except ApplicationError as refusal:
            error = refusal.message
        else:
            messages.success(request, "Plan agreed for the trust.")
            return redirect(_plan_url(request, plan))
    return _form_page(
        request,
        "agree.html",
        plan=plan,
        school=plan.school,
        error=error,
        priority_count=plan.priorities.count(),
        year_label=academic_year_label(plan.academic_year),
    )


# Trust-wide views across schools are for executives, improvement leads and trustees.
@trust_view(Action.VIEW_TRUST_JUDGEMENTS)
def plan_health_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = trust_plan_health(request.trust, today)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=EXPORT_HEADERS,
            rows=(
                [
                    r.school.name,
                    r.school.urn,
                    r.priority.title,
                    r.action.description,
                    r.action.owner,
                    r.action.due_on,
                    r.action.get_status_display(),
                    "; ".join(r.reasons),
                ]
                for r in rows
            ),
            filename=f"{request.trust.slug}-plan-health",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/plans/health.html",
        {
            "rows": rows,
            "today": today,
            "year_label": academic_year_label(academic_year_for(today)),
            "school_count": len({r.school.pk for r in rows}),
        },
    )

"""Register of expertise pages: the list (with export), add, edit, deactivate, a person's work, and Find support."""

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from core.academic import term_bounds
from core.exceptions import ApplicationError
from core.exports import export_response
from interventions.forms_register import BrokerForm, ExpertForm, RegisterFilterForm
from interventions.models import Expert, ExpertiseArea
from interventions.selectors.brokering import TIERS, broker
from interventions.selectors.register import (
    RegisterRow,
    expert_assignments,
    linkable_members,
    register_experts,
    register_list,
    register_row,
)
from interventions.services.register import expert_add, expert_deactivate, expert_reactivate, expert_update
from reviews.views.evidence import form_error
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action

EXPORT_HEADERS = [
    "Name",
    "Role",
    "Home school",
    "Organisation",
    "Email",
    "Areas of expertise",
    "Days per term",
    "Days committed this term",
    "Days left this term",
    "Offered for brokering",
]


def _expert(request: HttpRequest, expert_uuid: UUID) -> Expert:
    return get_object_or_404(register_experts(request.trust), uuid=expert_uuid)


def _export_rows(request: HttpRequest, rows: list[RegisterRow]) -> Iterator[list[Any]]:
    # A CSV streams after the view returns, outside the tenant scope: reopen it (the rows are already read).
    with scope(trust=request.trust.pk):
        for row in rows:
            e = row.expert
            yield [
                e.name,
                e.get_role_display(),
                e.home_school.name if e.home_school else "",
                e.organisation,
                e.email,
                "; ".join(row.area_labels),
                e.days_per_term,
                row.committed,
                row.days_left,
                "Yes" if e.is_active else "No",
            ]


@trust_view(Action.VIEW_REGISTER)
def register_list_page(request: HttpRequest) -> HttpResponse:
    schools = schools_visible_to(request.membership)
    form = RegisterFilterForm(request.GET or None, schools=schools)
    filters = form.cleaned_data if form.is_valid() else {}
    term = term_bounds(timezone.localdate())
    rows = register_list(
        request.trust,
        term=term,
        area=filters.get("area") or "",
        role=filters.get("role") or "",
        home_school=filters.get("home_school"),
        include_inactive=bool(filters.get("include_inactive")),
    )
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=EXPORT_HEADERS,
            rows=_export_rows(request, rows),
            filename=f"{request.trust.slug}-register-of-expertise",
            fmt=fmt,
        )
    query = request.GET.copy()
    query.pop("format", None)
    filtered = any(v for k, v in request.GET.items() if k != "format")
    return render(
        request,
        "interventions/register/list.html",
        {"rows": rows, "form": form, "query": query.urlencode(), "filtered": filtered, "term": term},
    )


def _save_expert(request: HttpRequest, form: ExpertForm, expert: Expert | None) -> Expert | None:
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "role": data["role"],
        "areas": data["areas"],
        "days_per_term": data["days_per_term"],
        "email": data.get("email") or "",
        "user": data.get("user"),
        "home_school": data.get("home_school"),
        "organisation": data.get("organisation") or "",
    }
    try:
        if expert is None:
            return expert_add(trust=request.trust, actor=request.user, **fields)
        return expert_update(expert=expert, actor=request.user, **fields)
    except (ApplicationError, ValidationError) as error:
        form_error(form, error)
    return None


@trust_view(Action.MANAGE_REGISTER)
def register_add(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(
        request.POST if request.method == "POST" else None,
        schools=schools_visible_to(request.membership),
        members=linkable_members(request.trust),
        initial={"days_per_term": 0},
    )
    if request.method == "POST" and form.is_valid() and (expert := _save_expert(request, form, None)):
        messages.success(request, f"{expert.name} added to the register.")
        return redirect("register-detail", trust_slug=request.trust.slug, expert_uuid=expert.uuid)
    return render(request, "interventions/register/form.html", {"form": form, "expert": None})


@trust_view(Action.MANAGE_REGISTER)
def register_edit(request: HttpRequest, expert_uuid: UUID) -> HttpResponse:
    expert = _expert(request, expert_uuid)
    initial = {
        "name": expert.name,
        "role": expert.role,
        "home_school": expert.home_school,
        "organisation": expert.organisation,
        "email": expert.email,
        "user": expert.user,
        "areas": expert.areas,
        "days_per_term": expert.days_per_term,
    }
    form = ExpertForm(
        request.POST if request.method == "POST" else None,
        schools=schools_visible_to(request.membership),
        members=linkable_members(request.trust),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid() and _save_expert(request, form, expert):
        messages.success(request, f"{expert.name}'s entry updated.")
        return redirect("register-detail", trust_slug=request.trust.slug, expert_uuid=expert.uuid)
    return render(request, "interventions/register/form.html", {"form": form, "expert": expert})


@trust_view(Action.MANAGE_REGISTER)
def register_deactivate(request: HttpRequest, expert_uuid: UUID) -> HttpResponse:
    expert = _expert(request, expert_uuid)
    if request.method == "POST":
        if expert.is_active:
            expert_deactivate(expert=expert, actor=request.user)
            messages.success(request, f"{expert.name} is no longer offered for brokering.")
        else:
            expert_reactivate(expert=expert, actor=request.user)
            messages.success(request, f"{expert.name} is offered for brokering again.")
        return redirect("register-detail", trust_slug=request.trust.slug, expert_uuid=expert.uuid)
    term = term_bounds(timezone.localdate())
    return render(
        request, "interventions/register/deactivate.html", {"expert": expert, "row": register_row(expert, term)}
    )


@trust_view(Action.VIEW_REGISTER)
def register_detail(request: HttpRequest, expert_uuid: UUID) -> HttpResponse:
    expert = _expert(request, expert_uuid)
    term = term_bounds(timezone.localdate())
    assignments = expert_assignments(expert, term)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["Intervention", "School", "Starts", "Ends", "Status", "Days", f"Days in the {term[0]} term"],
            rows=[
                [
                    a.lead.intervention.title,
                    a.lead.intervention.school.name,
                    a.lead.intervention.starts_on,
                    a.lead.intervention.ends_on,
                    a.lead.intervention.get_status_display(),
                    a.lead.days,
                    a.in_term if a.counts else "Not counted",
                ]
                for a in assignments
            ],
            filename=f"{request.trust.slug}-register-{slugify(expert.name)}-work",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/register/detail.html",
        {
            "expert": expert,
            "row": register_row(expert, term),
            "assignments": assignments,
            "term": term,
        },
    )


@trust_view(Action.VIEW_REGISTER)
def register_broker(request: HttpRequest) -> HttpResponse:
    form = BrokerForm(request.GET or None, schools=schools_visible_to(request.membership))
    suggestions = None
    term = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            suggestions = broker(
                school=data["school"],
                area=data["area"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                days_needed=data["days"],
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            term = term_bounds(data["starts_on"])
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"} and suggestions is not None:
        return export_response(
            headers=[
                "Rank",
                "Person",
                "Role",
                "Home school or organisation",
                "Tier",
                "Home school level",
                f"Days left in the {term[0]} term" if term else "Days left",
                "Over-committed",
                "Why here",
            ],
            rows=[
                [
                    s.rank,
                    s.expert.name,
                    s.expert.get_role_display(),
                    s.expert.home_school.name if s.expert.home_school else s.expert.organisation,
                    s.tier_label,
                    s.home_school_level,
                    s.days_left,
                    "Yes" if s.over_committed else "No",
                    "; ".join(s.reasons),
                ]
                for s in suggestions
            ],
            filename=f"{request.trust.slug}-find-support",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/register/broker.html",
        {
            "form": form,
            "suggestions": suggestions,
            "term": term,
            "tiers": TIERS,
            "area_label": ExpertiseArea(form.cleaned_data["area"]).label if suggestions is not None else "",
        },
    )

"""Intervention pages: list (with export), my interventions, commission (with brokering), detail,
transitions, close with impact and recording a checkpoint."""

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_scopes import scope

from core.exceptions import ApplicationError
from core.exports import export_response
from interventions.forms_interventions import (
    CheckpointForm,
    CloseForm,
    CommissionForm,
    InterventionFilterForm,
    NeedForm,
    TransitionForm,
)
from interventions.models import Checkpoint, DeliveryModel, ExpertRole, Intervention, InterventionStatus
from interventions.selectors.interventions import (
    allowed_transitions,
    intervention_detail,
    intervention_list,
    interventions_ending_soon,
    may_record_checkpoint,
    overdue_checkpoints,
    requests_visible_to,
    status_counts,
    trust_experts,
)
from interventions.services.interventions import (
    checkpoint_record,
    intervention_close,
    intervention_commission,
    intervention_transition,
)
from reviews.selectors.evidence import evidence_visible_to
from reviews.views.evidence import form_error
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can

logger = logging.getLogger(__name__)
PER_PAGE = 50

EXPORT_HEADERS = [
    "Title",
    "School",
    "URN",
    "Area of need",
    "Delivery model",
    "Providing school or provider",
    "Leads",
    "Status",
    "Starts on",
    "Ends on",
    "Days",
    "Budget",
    "Cost",
    "Closed on",
]
BUTTON_LABELS = {
    InterventionStatus.COMMISSIONED: "Commission",
    InterventionStatus.ACTIVE: "Start delivery (active)",
    InterventionStatus.IMPACT_REVIEW: "Move to impact review",
}


def _uuid(value: str | None) -> UUID | None:
    try:
        return UUID(value or "")
    except ValueError:
        return None


def _intervention(request: HttpRequest, intervention_uuid: UUID) -> Intervention:
    # Another trust's, another school's, or (for a specialist) one they do not lead: simply not there.
    try:
        return intervention_detail(request.membership, intervention_uuid)
    except Intervention.DoesNotExist as missing:
        raise Http404 from missing


def _export_rows(request: HttpRequest, items: Any) -> Iterator[list[Any]]:
    # A CSV streams after the view returns, outside the request's tenant scope: reopen it here.
    with scope(trust=request.trust.pk):
        for i in items:
            provider = i.providing_school.name if i.providing_school else i.provider_name
            yield [
                i.title,
                i.school.name,
                i.school.urn,
                i.get_area_of_need_display(),
                i.get_delivery_model_display(),
                provider,
                "; ".join(f"{lead.expert.name} ({lead.days} days)" for lead in i.leads.all()),
                i.get_status_display(),
                i.starts_on,
                i.ends_on,
                i.days,
                i.budget,
                i.cost,
                i.closed_on,
            ]


def _list_page(request: HttpRequest, *, mine: bool) -> HttpResponse:
    membership = request.membership
    schools = schools_visible_to(membership)
    form = InterventionFilterForm(request.GET or None, schools=schools)
    filters = form.cleaned_data if form.is_valid() else {}
    school = filters.get("school")
    items = intervention_list(
        membership,
        status=filters.get("status") or "",
        school_id=school.pk if school else None,
        delivery_model=filters.get("delivery_model") or "",
        led_by_me=mine,
    )
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        name = "my-interventions" if mine else "interventions"
        return export_response(
            headers=EXPORT_HEADERS, rows=_export_rows(request, items), filename=f"{request.trust.slug}-{name}", fmt=fmt
        )
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    today = timezone.localdate()
    # A trust of 120 schools has hundreds of interventions: a page at a time (the export has them all).
    page = Paginator(items, PER_PAGE).get_page(request.GET.get("page"))
    overdue = overdue_checkpoints(membership, today)[:50]
    ending = interventions_ending_soon(membership, today)[:50]
    if mine:
        led = set(items.values_list("pk", flat=True))
        overdue = [c for c in overdue if c.intervention_id in led]
        ending = [i for i in ending if i.pk in led]
    return render(
        request,
        "interventions/interventions/mine.html" if mine else "interventions/interventions/list.html",
        {
            "items": page.object_list,
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "counts": status_counts(membership) if not mine else None,
            "overdue": overdue,
            "ending_soon": ending,
            "statuses": InterventionStatus.choices,
        },
    )


@trust_view(Action.VIEW_INTERVENTIONS)
def intervention_list_page(request: HttpRequest) -> HttpResponse:
    return _list_page(request, mine=False)


@trust_view(Action.VIEW_INTERVENTIONS)
def intervention_mine(request: HttpRequest) -> HttpResponse:
    return _list_page(request, mine=True)


def _suggestions(need: NeedForm) -> tuple[list[Any], str]:
    """The register engineer's ranked suggestions, or a message when brokering cannot answer."""
    try:
        from interventions.selectors.brokering import broker  # noqa: PLC0415 -- optional until it lands
    except ImportError:
        return [], "Brokering suggestions are unavailable."
    data = need.cleaned_data
    try:
        found = broker(
            school=data["school"],
            area=data["area"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            days_needed=data.get("days") or 0,
        )
    except Exception:  # the page must still commission when brokering fails
        logger.exception("Brokering failed")
        return [], "Brokering suggestions are unavailable."
    return list(found), ""


def _choose_query(base: dict[str, str], suggestion: Any) -> str:
    """The query string that fills the commission form with this suggestion's lead and delivery model."""
    expert = suggestion.expert
    query = {**base, "lead": str(expert.uuid)}
    if expert.role == ExpertRole.EXTERNAL:
        query["delivery_model"] = DeliveryModel.EXTERNAL
        query["provider_name"] = expert.organisation or expert.name
    elif expert.home_school_id and str(expert.home_school.uuid) != base.get("school"):
        query["delivery_model"] = DeliveryModel.SCHOOL_TO_SCHOOL
        query["providing_school"] = str(expert.home_school.uuid)
    else:
        query["delivery_model"] = DeliveryModel.DIRECT_TRUST
    return urlencode(query)


@trust_view(Action.COMMISSION_INTERVENTIONS)
def intervention_commission_page(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    schools = schools_visible_to(membership)
    experts = trust_experts(membership)
    support_request = None
    if request_uuid := _uuid(request.GET.get("request")):
        support_request = get_object_or_404(requests_visible_to(membership), uuid=request_uuid)
        if support_request.status != "open":
            messages.info(request, "That support request has already been triaged.")
            return redirect("request-list", trust_slug=request.trust.slug)
    params = request.GET
    initial: dict[str, Any] = {
        "school": params.get("school") if _uuid(params.get("school")) else None,
        "area_of_need": params.get("area", ""),
        "starts_on": params.get("starts_on") or timezone.localdate(),
        "ends_on": params.get("ends_on"),
        "days": params.get("days"),
        "delivery_model": params.get("delivery_model") or DeliveryModel.IN_SCHOOL,
        "providing_school": params.get("providing_school") if _uuid(params.get("providing_school")) else None,
        "provider_name": params.get("provider_name", ""),
        "lead_1": params.get("lead") if _uuid(params.get("lead")) else None,
        "lead_1_days": params.get("days"),
    }
    if support_request is not None:
        initial.update(
            school=str(support_request.school.uuid),
            area_of_need=support_request.area,
            description=support_request.need,
            title=f"{support_request.get_area_display()} support for {support_request.school.name}",
        )
    form = CommissionForm(
        request.POST if request.method == "POST" else None, schools=schools, experts=experts, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intervention = intervention_commission(
                school=data["school"],
                actor=request.user,
                title=data["title"],
                area_of_need=data["area_of_need"],
                description=data["description"],
                delivery_model=data["delivery_model"],
                providing_school=data["providing_school"],
                provider_name=data["provider_name"],
                cost=data["cost"],
                leads=form.leads(),
                targets=form.target_lines(),
                success_criteria=data["success_criteria"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                days=data["days"],
                budget=data["budget"],
                checkpoints=form.checkpoints(),
                support_request=support_request,
                confirm_over_commitment=data["confirm_over_commitment"],
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Intervention proposed.")
            return redirect("intervention-detail", trust_slug=request.trust.slug, intervention_uuid=intervention.uuid)
    # The brokering list answers the need in the query string (or the posted form).
    source = request.POST if request.method == "POST" else params
    need_data = {
        "school": source.get("school") or initial["school"],
        "area": source.get("area_of_need") or source.get("area") or initial["area_of_need"],
        "starts_on": source.get("starts_on") or "",
        "ends_on": source.get("ends_on") or "",
        "days": source.get("days") or "",
    }
    # Its own ids: the commission form below has fields of the same names.
    complete = all(need_data[k] for k in ("school", "area", "starts_on", "ends_on"))
    need = NeedForm(need_data if complete else None, initial=need_data, schools=schools, auto_id="need_%s")
    suggestions: list[tuple[Any, str]] = []
    brokering_message = ""
    if need.is_bound and need.is_valid():
        found, brokering_message = _suggestions(need)
        base = {k: str(v) for k, v in need_data.items() if v}
        if support_request is not None:
            base["request"] = str(support_request.uuid)
        suggestions = [(s, _choose_query(base, s)) for s in found]
    over_committed = form.errors.get("confirm_over_commitment") if form.is_bound else None
    return render(
        request,
        "interventions/interventions/commission.html",
        {
            "form": form,
            "need": need,
            "suggestions": suggestions,
            "brokering_message": brokering_message,
            "support_request": support_request,
            "over_committed": over_committed,
        },
    )


def _detail_export(request: HttpRequest, intervention: Intervention, checkpoints: list[Any], fmt: str) -> HttpResponse:
    """One of the page's tables: leads (the default), checkpoint progress or the status history."""
    table = request.GET.get("table")
    name = f"{request.trust.slug}-intervention-{intervention.uuid.hex[:8]}"
    if table == "progress":
        return export_response(
            headers=["Checkpoint", "Due", "Recorded on", "Target", "Progress", "Note"],
            rows=[
                [
                    c.title or "Checkpoint",
                    c.due_on,
                    timezone.localdate(c.recorded_at),
                    target.description,
                    progress.get_progress_display() if progress else "Not recorded",
                    progress.note if progress else "",
                ]
                for c in checkpoints
                if c.recorded_at
                for target, progress in c.rows
            ],
            filename=f"{name}-checkpoint-progress",
            fmt=fmt,
        )
    if table == "history":
        return export_response(
            headers=["When", "From", "To", "By", "Note"],
            rows=[
                [
                    timezone.localtime(t.at).replace(tzinfo=None),
                    t.get_from_status_display() or "New",
                    t.get_to_status_display(),
                    (t.by.full_name or t.by.email) if t.by else "",
                    t.note,
                ]
                for t in intervention.transitions.all()
            ],
            filename=f"{name}-status-history",
            fmt=fmt,
        )
    return export_response(
        headers=["Person", "Role", "Home school", "Days"],
        rows=[
            [
                lead.expert.name,
                lead.expert.get_role_display(),
                lead.expert.home_school.name if lead.expert.home_school else "None",
                lead.days,
            ]
            for lead in intervention.leads.all()
        ],
        filename=f"{name}-leads",
        fmt=fmt,
    )


@trust_view(Action.VIEW_INTERVENTIONS)
def intervention_detail_page(request: HttpRequest, intervention_uuid: UUID) -> HttpResponse:
    intervention = _intervention(request, intervention_uuid)
    membership = request.membership
    targets = list(intervention.targets.all())
    checkpoints = list(intervention.checkpoints.all())
    for checkpoint in checkpoints:
        by_target = {p.target_id: p for p in checkpoint.progress.all()}
        checkpoint.rows = [(t, by_target.get(t.pk)) for t in targets]
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _detail_export(request, intervention, checkpoints, fmt)
    may_move = can(membership, Action.COMMISSION_INTERVENTIONS)
    moves = [(s, BUTTON_LABELS[s]) for s in allowed_transitions(intervention) if s in BUTTON_LABELS]
    close_form = None
    if may_move and intervention.status == InterventionStatus.IMPACT_REVIEW:
        close_form = CloseForm(evidence=evidence_visible_to(membership, intervention.school))
    return render(
        request,
        "interventions/interventions/detail.html",
        {
            "intervention": intervention,
            "targets": targets,
            "checkpoints": checkpoints,
            "moves": moves if may_move else [],
            "may_cancel": may_move and InterventionStatus.CANCELLED in allowed_transitions(intervention),
            "close_form": close_form,
            "may_record": may_record_checkpoint(membership, intervention)
            and intervention.status in (InterventionStatus.ACTIVE, InterventionStatus.IMPACT_REVIEW),
            "today": timezone.localdate(),
        },
    )


@trust_view(Action.COMMISSION_INTERVENTIONS)
@require_POST
def intervention_transition_page(request: HttpRequest, intervention_uuid: UUID) -> HttpResponse:
    intervention = _intervention(request, intervention_uuid)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the status to move to.")
    else:
        data = form.cleaned_data
        try:
            intervention_transition(
                intervention=intervention,
                actor=request.user,
                to_status=data["to_status"],
                note=data["note"],
                reason=data["reason"],
            )
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, f"Intervention moved to {intervention.get_status_display().lower()}.")
    return redirect("intervention-detail", trust_slug=request.trust.slug, intervention_uuid=intervention.uuid)


@trust_view(Action.COMMISSION_INTERVENTIONS)
def intervention_close_page(request: HttpRequest, intervention_uuid: UUID) -> HttpResponse:
    intervention = _intervention(request, intervention_uuid)
    form = CloseForm(
        request.POST if request.method == "POST" else None,
        evidence=evidence_visible_to(request.membership, intervention.school),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intervention_close(
                intervention=intervention,
                actor=request.user,
                impact_practice=data["impact_practice"],
                impact_systems=data["impact_systems"],
                impact_organisation=data["impact_organisation"],
                impact_outcomes=data["impact_outcomes"],
                evidence=data["evidence"],
                note=data["note"],
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Intervention closed with its impact recorded.")
            return redirect("intervention-detail", trust_slug=request.trust.slug, intervention_uuid=intervention.uuid)
    return render(request, "interventions/interventions/close.html", {"intervention": intervention, "form": form})


@trust_view(Action.RECORD_CHECKPOINTS)
def intervention_checkpoint_page(request: HttpRequest, intervention_uuid: UUID, checkpoint_uuid: UUID) -> HttpResponse:
    intervention = _intervention(request, intervention_uuid)
    checkpoint = get_object_or_404(Checkpoint.objects.filter(intervention=intervention), uuid=checkpoint_uuid)
    if not may_record_checkpoint(request.membership, intervention):
        raise PermissionDenied
    targets = list(intervention.targets.all())
    existing = {p.target_id: p for p in checkpoint.progress.all()}
    initial: dict[str, Any] = {"notes": checkpoint.notes, "evidence": list(checkpoint.evidence.all())}
    for target in targets:
        if target.pk in existing:
            initial[f"progress_{target.pk}"] = existing[target.pk].progress
            initial[f"note_{target.pk}"] = existing[target.pk].note
    form = CheckpointForm(
        request.POST if request.method == "POST" else None,
        targets=targets,
        evidence=evidence_visible_to(request.membership, intervention.school),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            checkpoint_record(
                checkpoint=checkpoint,
                actor=request.user,
                notes=form.cleaned_data["notes"],
                progress=form.progress(),
                evidence=form.cleaned_data["evidence"],
                new_evidence=form.new_evidence(timezone.localdate()),
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Checkpoint recorded.")
            return redirect("intervention-detail", trust_slug=request.trust.slug, intervention_uuid=intervention.uuid)
    return render(
        request,
        "interventions/interventions/checkpoint.html",
        {"intervention": intervention, "checkpoint": checkpoint, "form": form},
    )

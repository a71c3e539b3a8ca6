"""Support request pages: ask for support (headteacher), the list (triage for the trust), decline."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exports import export_response
from interventions.forms_requests import DeclineForm, SupportRequestForm
from interventions.models import SupportRequestStatus
from interventions.selectors.interventions import requests_visible_to
from interventions.services.requests import support_request_decline, support_request_submit
from reviews.views.evidence import form_error
from trust.decorators import trust_view
from trust.permissions import Action


@trust_view(Action.VIEW_REQUESTS)
def request_list(request: HttpRequest) -> HttpResponse:
    items = list(requests_visible_to(request.membership))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        # One download of both tables, open requests first as on the page.
        ordered = [r for r in items if r.status == SupportRequestStatus.OPEN] + [
            r for r in items if r.status != SupportRequestStatus.OPEN
        ]
        return export_response(
            headers=["Asked on", "School", "Area", "Urgency", "Need", "Answer", "Answered on", "Details"],
            rows=[
                [
                    timezone.localdate(r.created_at),
                    r.school.name,
                    r.get_area_display(),
                    r.get_urgency_display(),
                    r.need,
                    r.get_status_display(),
                    timezone.localdate(r.triaged_at) if r.triaged_at else None,
                    f"Reason: {r.decline_reason}"
                    if r.status == SupportRequestStatus.DECLINED
                    else ", ".join(i.title for i in r.interventions.all()),
                ]
                for r in ordered
            ],
            filename=f"{request.trust.slug}-support-requests",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/requests/list.html",
        {
            "open_items": [r for r in items if r.status == SupportRequestStatus.OPEN],
            "triaged_items": [r for r in items if r.status != SupportRequestStatus.OPEN],
        },
    )


@trust_view(Action.REQUEST_SUPPORT)
def request_create(request: HttpRequest) -> HttpResponse:
    school = request.membership.school
    form = SupportRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            support_request_submit(school=school, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Request sent to the trust.")
            return redirect("request-list", trust_slug=request.trust.slug)
    return render(request, "interventions/requests/form.html", {"form": form, "school": school})


@trust_view(Action.TRIAGE_REQUESTS)
def request_decline(request: HttpRequest, support_request_uuid: UUID) -> HttpResponse:
    support_request = get_object_or_404(requests_visible_to(request.membership), uuid=support_request_uuid)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            support_request_decline(
                support_request=support_request, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, "Request declined; the headteacher can read your reason.")
            return redirect("request-list", trust_slug=request.trust.slug)
    return render(request, "interventions/requests/decline.html", {"form": form, "support_request": support_request})

"""Evidence pages: list (with export), record, detail, edit, delete and the file download."""

import datetime
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django_scopes import scope

from core.audit import audit_file_read, client_ip
from core.exceptions import ApplicationError
from core.exports import export_response
from core.uploads import download_response
from reviews.forms_evidence import EvidenceFilterForm, EvidenceForm
from reviews.models import Evidence
from reviews.selectors.evidence import (
    evidence_list as select_evidence_list,
)
from reviews.selectors.evidence import (
    evidence_schools,
    evidence_visible_to,
    may_change_evidence,
    stale_before,
    trust_areas,
)
from reviews.services.evidence import evidence_delete as delete_evidence
from reviews.services.evidence import evidence_record, evidence_update
from trust.decorators import trust_view
from trust.permissions import Action

PAGE_SIZE = 25
EXPORT_HEADERS = [
    "Date observed",
    "School",
    "URN",
    "Type",
    "Judgement areas",
    "Summary",
    "Strengths",
    "Areas for development",
    "Author",
    "Shared with school",
    "File",
    "Stale",
]


def form_error(form: Any, error: ApplicationError | ValidationError) -> None:
    """Show a service's refusal on the field it names, or at the top of the form."""
    if isinstance(error, ApplicationError):
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
    elif hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _evidence(request: HttpRequest, evidence_uuid: UUID) -> Evidence:
    # Not visible to this person (another school, trust-only, another author's): simply not there.
    return get_object_or_404(evidence_visible_to(request.membership), uuid=evidence_uuid)


def _changeable(request: HttpRequest, evidence_uuid: UUID) -> Evidence:
    evidence = _evidence(request, evidence_uuid)
    if not may_change_evidence(request.membership, evidence):
        raise PermissionDenied
    return evidence


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _export_rows(request: HttpRequest, items: Any, cutoff: datetime.date) -> Iterator[list[Any]]:
    # A CSV streams after the view returns, outside the request's tenant scope: reopen it here.
    with scope(trust=request.trust.pk):
        for e in items.iterator(chunk_size=500):
            yield [
                e.observed_on,
                e.school.name,
                e.school.urn,
                e.get_evidence_type_display(),
                "; ".join(a.label for a in e.areas.all()),
                e.summary,
                e.strengths,
                e.areas_for_development,
                (e.author.full_name or e.author.email) if e.author else "",
                "Yes" if e.shared_with_school else "No",
                e.file_name,
                "Yes" if e.observed_on < cutoff else "No",
            ]


@trust_view(Action.VIEW_EVIDENCE)
def evidence_list(request: HttpRequest) -> HttpResponse:
    membership = request.membership
    form = EvidenceFilterForm(
        request.GET or None, schools=evidence_schools(membership), areas=trust_areas(request.trust)
    )
    filters = form.cleaned_data if form.is_valid() else {}
    items = select_evidence_list(
        membership,
        school=filters.get("school"),
        evidence_type=filters.get("evidence_type") or "",
        area=filters.get("area"),
    )
    cutoff = stale_before(request.trust, timezone.localdate())
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=EXPORT_HEADERS,
            rows=_export_rows(request, items, cutoff),
            filename=f"{request.trust.slug}-evidence",
            fmt=fmt,
        )
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    for item in page.object_list:
        item.is_stale = item.observed_on < cutoff
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "reviews/evidence/list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "stale_months": request.trust.evidence_stale_months,
        },
    )


@trust_view(Action.RECORD_EVIDENCE)
def evidence_create(request: HttpRequest) -> HttpResponse:
    schools = evidence_schools(request.membership)
    initial: dict[str, Any] = {"observed_on": timezone.localdate()}
    if school_uuid := request.GET.get("school"):
        initial["school"] = schools.filter(uuid=school_uuid).first() if _is_uuid(school_uuid) else None
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        schools=schools,
        areas=trust_areas(request.trust),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence = evidence_record(
                school=data["school"],
                actor=request.user,
                evidence_type=data["evidence_type"],
                observed_on=data["observed_on"],
                areas=data["areas"],
                summary=data["summary"],
                strengths=data["strengths"],
                areas_for_development=data["areas_for_development"],
                shared_with_school=data["shared_with_school"],
                upload=data.get("file"),
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Evidence recorded.")
            return redirect("evidence-detail", trust_slug=request.trust.slug, evidence_uuid=evidence.uuid)
    return render(request, "reviews/evidence/form.html", {"form": form, "evidence": None})


@trust_view(Action.VIEW_EVIDENCE)
def evidence_detail(request: HttpRequest, evidence_uuid: UUID) -> HttpResponse:
    evidence = _evidence(request, evidence_uuid)
    return render(
        request,
        "reviews/evidence/detail.html",
        {
            "evidence": evidence,
            "is_stale": evidence.observed_on < stale_before(request.trust, timezone.localdate()),
            "stale_months": request.trust.evidence_stale_months,
            "may_change": may_change_evidence(request.membership, evidence),
        },
    )


@trust_view(Action.RECORD_EVIDENCE)
def evidence_edit(request: HttpRequest, evidence_uuid: UUID) -> HttpResponse:
    evidence = _changeable(request, evidence_uuid)
    initial = {
        "evidence_type": evidence.evidence_type,
        "observed_on": evidence.observed_on,
        "areas": list(evidence.areas.all()),
        "summary": evidence.summary,
        "strengths": evidence.strengths,
        "areas_for_development": evidence.areas_for_development,
        "shared_with_school": evidence.shared_with_school,
    }
    form = EvidenceForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        schools=evidence_schools(request.membership),
        areas=trust_areas(request.trust),
        initial=initial,
        editing=True,
        has_file=bool(evidence.file),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evidence_update(
                evidence=evidence,
                actor=request.user,
                evidence_type=data["evidence_type"],
                observed_on=data["observed_on"],
                areas=data["areas"],
                summary=data["summary"],
                strengths=data["strengths"],
                areas_for_development=data["areas_for_development"],
                shared_with_school=data["shared_with_school"],
                upload=data.get("file"),
                remove_file=bool(data.get("remove_file")),
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Evidence updated.")
            return redirect("evidence-detail", trust_slug=request.trust.slug, evidence_uuid=evidence.uuid)
    return render(request, "reviews/evidence/form.html", {"form": form, "evidence": evidence})


@trust_view(Action.RECORD_EVIDENCE)
def evidence_delete(request: HttpRequest, evidence_uuid: UUID) -> HttpResponse:
    evidence = _changeable(request, evidence_uuid)
    error = ""
    if request.method == "POST":
        try:
            delete_evidence(evidence=evidence, actor=request.user)
        except ApplicationError as refusal:
            error = refusal.message
        else:
            messages.success(request, "Evidence deleted.")
            return redirect("evidence-list", trust_slug=request.trust.slug)
    return render(request, "reviews/evidence/delete.html", {"evidence": evidence, "error": error})


@trust_view(Action.VIEW_EVIDENCE)
def evidence_download(request: HttpRequest, evidence_uuid: UUID) -> HttpResponse:
    evidence = _evidence(request, evidence_uuid)
    if not evidence.file:
        raise Http404("This evidence has no file.")
    audit_file_read(
        trust=request.trust,
        actor=request.user,
        obj=evidence,
        label=f"{evidence}: {evidence.file_name}",
        ip_address=client_ip(request),
    )
    return download_response(evidence.file, file_name=evidence.file_name, detected_type=evidence.file_type)

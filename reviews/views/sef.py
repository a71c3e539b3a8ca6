"""Self-evaluation pages: the trust's status list, a school's SEF by year, the headteacher's form, the review."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.academic import academic_year_label
from core.exceptions import ApplicationError
from core.exports import export_response
from reviews.forms_sef import ReviewForm, SefForm, YearForm
from reviews.models import SelfEvaluationStatus
from reviews.selectors.evidence import evidence_visible_to
from reviews.selectors.sef import (
    STATUS_WORDS,
    missing_areas,
    sef_for,
    sef_sections,
    sef_status_counts,
    sef_status_list,
    sef_years,
)
from reviews.services.areas import judgement_areas_ensure
from reviews.services.sef import WRITABLE, current_academic_year, sef_accept, sef_return, sef_save, sef_submit
from reviews.views.evidence import form_error
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can


def _school(request: HttpRequest, school_uuid: UUID) -> School:
    # A school-level role asking about another school of the trust: not there (404).
    return get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)


def _year(request: HttpRequest, years: list[int] | None = None) -> int:
    value = request.POST.get("year") or request.GET.get("year") or ""
    current = current_academic_year()
    if not value.isdigit():
        return current
    year = int(value)
    return year if years is None or year in years else current


def _detail_url(request: HttpRequest, school: School, year: int) -> str:
    url = reverse("sef-school", kwargs={"trust_slug": request.trust.slug, "school_uuid": school.uuid})
    return url if year == current_academic_year() else f"{url}?year={year}"


def _may_write(request: HttpRequest, school: School) -> bool:
    return can(request.membership, Action.WRITE_SEF) and request.membership.school_id == school.pk


@trust_view(Action.VIEW_SEF)
def sef_list(request: HttpRequest) -> HttpResponse:
    current = current_academic_year()
    years = [current - offset for offset in range(0, 5)]
    year = _year(request, years)
    schools = list(sef_status_list(request.membership, year))
    for school in schools:
        school.sef_status_words = STATUS_WORDS[school.sef_status or "none"]
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:

        def day(moment: Any) -> Any:
            return timezone.localdate(moment) if moment else None

        return export_response(
            headers=["School", "URN", "Academic year", "Status", "Submitted", "Reviewed", "Last changed"],
            rows=[
                [
                    school.name,
                    school.urn,
                    academic_year_label(year),
                    school.sef_status_words,
                    day(school.sef_submitted_at),
                    day(school.sef_reviewed_at),
                    day(school.sef_updated_at),
                ]
                for school in schools
            ],
            filename=f"{request.trust.slug}-self-evaluation-{year}",
            fmt=fmt,
        )
    return render(
        request,
        "reviews/sef/list.html",
        {
            "schools": schools,
            "counts": sef_status_counts(schools),
            "year": year,
            "year_label": academic_year_label(year),
            "is_current": year == current,
            "year_form": YearForm(initial={"year": year}, years=years),
        },
    )


@trust_view(Action.VIEW_SEF)
def sef_detail(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    current = current_academic_year()
    years = sef_years(school, current)
    year = _year(request, years)
    sef = sef_for(school, year)
    areas = judgement_areas_ensure(trust=request.trust)
    # Linked evidence is a link only for people who may open it (one query).
    openable: set[int] = set()
    if can(request.membership, Action.VIEW_EVIDENCE):
        openable = set(evidence_visible_to(request.membership, school).values_list("pk", flat=True))
    status = sef.status if sef else None
    return render(
        request,
        "reviews/sef/detail.html",
        {
            "school": school,
            "sef": sef,
            "year": year,
            "year_label": academic_year_label(year),
            "is_current": year == current,
            "year_form": YearForm(initial={"year": year}, years=years),
            "sections": sef_sections(sef, areas),
            "missing": missing_areas(sef, areas) if sef else [],
            "openable": openable,
            "may_write": _may_write(request, school) and year == current and (status is None or status in WRITABLE),
            "may_review": can(request.membership, Action.REVIEW_SEF) and status == SelfEvaluationStatus.SUBMITTED,
        },
    )


@trust_view(Action.WRITE_SEF)
def sef_edit(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    year = current_academic_year()
    sef = sef_for(school, year)
    if sef is not None and sef.status not in WRITABLE:
        messages.info(
            request,
            f"This self-evaluation is {sef.get_status_display().lower()}: "
            "it can be changed again only if the trust returns it.",
        )
        return redirect(_detail_url(request, school, year))
    areas = judgement_areas_ensure(trust=request.trust)
    initial: dict[str, Any] = {"summary": sef.summary if sef else ""}
    for section in sef_sections(sef, areas):
        if section.entry is not None:
            code = section.area.code
            initial[f"{code}-grade"] = section.entry.self_grade
            initial[f"{code}-strengths"] = section.entry.strengths
            initial[f"{code}-development"] = section.entry.areas_for_development
            initial[f"{code}-evidence"] = section.evidence
    form = SefForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        areas=areas,
        evidence=evidence_visible_to(request.membership, school).order_by("-observed_on"),
    )
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            sef = sef_save(
                school=school,
                actor=request.user,
                academic_year=year,
                summary=form.cleaned_data["summary"],
                entries=form.entries(),
            )
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            if not submit:
                messages.success(request, "Draft saved. Submit it to the trust when every area has a self-grade.")
                return redirect(_detail_url(request, school, year))
            try:
                sef_submit(self_evaluation=sef, actor=request.user)
            except ApplicationError as error:
                form.add_error(None, f"Your draft is saved, but it cannot be submitted yet. {error.message}")
            else:
                messages.success(request, "Self-evaluation submitted to the trust.")
                return redirect(_detail_url(request, school, year))
    return render(
        request,
        "reviews/sef/form.html",
        {"school": school, "sef": sef, "form": form, "year_label": academic_year_label(year)},
    )


@trust_view(Action.REVIEW_SEF)
def sef_review(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    year = _year(request, sef_years(school, current_academic_year()))
    sef = sef_for(school, year)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if sef is None:
            form.add_error(None, f"{school.name} has no self-evaluation for {academic_year_label(year)} to review.")
        else:
            decision, comments = form.cleaned_data["decision"], form.cleaned_data["comments"]
            try:
                if decision == "return":
                    sef_return(self_evaluation=sef, actor=request.user, comments=comments)
                else:
                    sef_accept(self_evaluation=sef, actor=request.user, comments=comments)
            except (ApplicationError, ValidationError) as error:
                form_error(form, error)
            else:
                messages.success(
                    request,
                    "Self-evaluation returned to the school with your comments."
                    if decision == "return"
                    else "Self-evaluation accepted.",
                )
                return redirect(_detail_url(request, school, year))
    areas = judgement_areas_ensure(trust=request.trust)
    return render(
        request,
        "reviews/sef/review.html",
        {
            "school": school,
            "sef": sef,
            "form": form,
            "year": year,
            "year_label": academic_year_label(year),
            "sections": sef_sections(sef, areas),
            "openable": set(evidence_visible_to(request.membership, school).values_list("pk", flat=True)),
            "can_review": sef is not None and sef.status == SelfEvaluationStatus.SUBMITTED,
        },
    )

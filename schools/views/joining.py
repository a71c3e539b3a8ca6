"""Joining the trust: prospective schools, due diligence (page and PDF), ratification, induction."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import audit_file_read, client_ip
from core.exceptions import ApplicationError
from core.exports import export_response
from core.pdf import render_pdf
from schools.forms_joining import DueDiligenceForm, InductionCompleteForm, ProspectiveSchoolForm, RatifyForm
from schools.models import DueDiligenceReport, InductionItem, School
from schools.selectors import joining as selectors
from schools.services import joining as services
from trust.decorators import trust_view
from trust.permissions import Action


def _form_error(form: object, error: ApplicationError | ValidationError) -> None:
    if isinstance(error, ApplicationError):
        field = error.extra.get("field")
        form.add_error(field if field in form.fields else None, error.message)
    else:
        form.add_error(None, error)


def _report(request: HttpRequest, report_uuid: UUID) -> DueDiligenceReport:
    report = selectors.due_diligence_report(trust=request.trust, report_uuid=report_uuid)
    if report is None:
        raise Http404
    return report


def _to_report(request: HttpRequest, report: DueDiligenceReport) -> HttpResponse:
    return redirect("joining-report", trust_slug=request.trust.slug, report_uuid=report.uuid)


def _export_joining(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.GET.get("table") == "joiners":
        return export_response(
            headers=["School", "URN", "Joined", "Induction steps done", "Induction steps"],
            rows=[
                [s.name, s.urn, s.joined_trust_on, s.induction_done, s.induction_total]
                for s in selectors.recent_joiners(trust=request.trust)
            ],
            filename=f"{request.trust.slug}-recent-joiners",
            fmt=fmt,
        )
    return export_response(
        headers=["School", "URN", "Local authority", "Due diligence sections rated", "Sections"],
        rows=[
            [s.name, s.urn, s.la_name, s.sections_rated, selectors.SECTION_COUNT]
            for s in selectors.prospective_schools(trust=request.trust)
        ],
        filename=f"{request.trust.slug}-prospective-schools",
        fmt=fmt,
    )


@trust_view(Action.VIEW_JOINING)
def joining_home(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _export_joining(request, fmt)
    return render(
        request,
        "schools/joining/home.html",
        {
            "prospective": selectors.prospective_schools(trust=request.trust),
            "joiners": selectors.recent_joiners(trust=request.trust),
            "section_count": selectors.SECTION_COUNT,
        },
    )


@trust_view(Action.MANAGE_JOINING)
def prospective_school_add(request: HttpRequest) -> HttpResponse:
    form = ProspectiveSchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            school = services.prospective_school_add(trust=request.trust, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, f"{school.name} was added as a prospective school. Now write its due diligence.")
            return redirect("joining-report-edit", trust_slug=request.trust.slug, report_uuid=school.due_diligence.uuid)
    return render(request, "schools/joining/school_add.html", {"form": form})


@trust_view(Action.VIEW_JOINING)
def report_detail(request: HttpRequest, report_uuid: UUID) -> HttpResponse:
    report = _report(request, report_uuid)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["Section", "RAG rating", "Findings", "Evidence"],
            rows=[
                [f.get_section_display(), f.get_rag_display() or "Not yet rated", f.findings, f.evidence]
                for f in report.sections
            ],
            filename=f"{request.trust.slug}-due-diligence-{report.school.urn}",
            fmt=fmt,
        )
    return render(
        request,
        "schools/joining/report.html",
        {"report": report, "school": report.school, "unrated": selectors.unrated_sections(report)},
    )


@trust_view(Action.MANAGE_JOINING)
def report_edit(request: HttpRequest, report_uuid: UUID) -> HttpResponse:
    report = _report(request, report_uuid)
    if report.ratified_on is not None:
        messages.error(request, "This report has been ratified, so it can no longer be changed.")
        return _to_report(request, report)
    form = DueDiligenceForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.due_diligence_update(
                report=report, actor=request.user, summary=form.cleaned_data["summary"], findings=form.findings()
            )
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            report = _report(request, report_uuid)
            rated = selectors.SECTION_COUNT - len(selectors.unrated_sections(report))
            messages.success(
                request, f"Due diligence on {report.school.name} saved: {rated} of {selectors.SECTION_COUNT} rated."
            )
            return _to_report(request, report)
    return render(
        request, "schools/joining/report_edit.html", {"form": form, "report": report, "school": report.school}
    )


@trust_view(Action.VIEW_JOINING)
def report_pdf(request: HttpRequest, report_uuid: UUID) -> HttpResponse:
    report = _report(request, report_uuid)
    pdf = render_pdf(
        "schools/pdf/due_diligence.html",
        {
            "report": report,
            "school": report.school,
            "trust": request.trust,
            "unrated": selectors.unrated_sections(report),
        },
    )
    audit_file_read(
        trust=request.trust,
        actor=request.user,
        obj=report,
        label=f"{report} (PDF)",
        ip_address=client_ip(request),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="due-diligence-{report.school.urn}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    # Directors' papers: never kept by a shared cache or the browser's back-forward history.
    response["Cache-Control"] = "private, no-store"
    return response


@trust_view(Action.RATIFY_JOINING)
def report_ratify(request: HttpRequest, report_uuid: UUID) -> HttpResponse:
    report = _report(request, report_uuid)
    if report.ratified_on is not None:
        messages.info(request, f"This report was already ratified on {report.ratified_on:%-d %B %Y}.")
        return _to_report(request, report)
    form = RatifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.due_diligence_ratify(report=report, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                f"Ratified: {report.school.name} is now a member school of {request.trust.name}. "
                "Its induction checklist has begun.",
            )
            return redirect("joining-induction", trust_slug=request.trust.slug, joining_school_uuid=report.school.uuid)
    return render(
        request,
        "schools/joining/ratify.html",
        {"form": form, "report": report, "school": report.school, "unrated": selectors.unrated_sections(report)},
    )


@trust_view(Action.VIEW_JOINING)
def induction(request: HttpRequest, joining_school_uuid: UUID) -> HttpResponse:
    school = get_object_or_404(School.objects.filter(trust=request.trust), uuid=joining_school_uuid)
    report = DueDiligenceReport.objects.filter(school=school).first()
    steps = selectors.induction_checklist(trust=request.trust, school=school)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["Step", "Status", "Done on", "Done by"],
            rows=[
                [
                    step.item.get_code_display(),
                    "Done" if step.item.completed_on else "Not done yet",
                    step.item.completed_on,
                    str(step.item.completed_by) if step.item.completed_by else "",
                ]
                for step in steps
            ],
            filename=f"{request.trust.slug}-induction-{school.urn}",
            fmt=fmt,
        )
    return render(
        request,
        "schools/joining/induction.html",
        {
            "school": school,
            "report": report,
            "steps": steps,
            "done": sum(1 for step in steps if step.item.completed_on),
            "today": timezone.localdate(),
        },
    )


def _item(request: HttpRequest, item_uuid: UUID) -> InductionItem:
    return get_object_or_404(
        InductionItem.objects.select_related("school"), school__trust=request.trust, uuid=item_uuid
    )


def _to_induction(request: HttpRequest, item: InductionItem) -> HttpResponse:
    return redirect("joining-induction", trust_slug=request.trust.slug, joining_school_uuid=item.school.uuid)


@require_POST
@trust_view(Action.MANAGE_JOINING)
def induction_item_complete(request: HttpRequest, induction_item_uuid: UUID) -> HttpResponse:
    item = _item(request, induction_item_uuid)
    form = InductionCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Enter the date “{item.get_code_display()}” was done.")
        return _to_induction(request, item)
    try:
        services.induction_item_complete(item=item, actor=request.user, completed_on=form.cleaned_data["completed_on"])
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{item.get_code_display()}” is marked done.")
    return _to_induction(request, item)


@require_POST
@trust_view(Action.MANAGE_JOINING)
def induction_item_reopen(request: HttpRequest, induction_item_uuid: UUID) -> HttpResponse:
    item = _item(request, induction_item_uuid)
    try:
        services.induction_item_reopen(item=item, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{item.get_code_display()}” is marked not done again.")
    return _to_induction(request, item)

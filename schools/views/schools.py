"""School list and profile, inspections entered by the trust, and in-year predictions."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.academic import academic_year_for, academic_year_label
from core.exceptions import ApplicationError
from core.exports import export_response
from reviews.selectors.ratings import current_ratings
from schools.forms import (
    InspectionForm,
    PredictionUploadForm,
    SchoolFilterForm,
    current_half_term_key,
    half_term_choices,
)
from schools.models import Inspection, InspectionSource, School
from schools.selectors.inspections import LATER, NEXT_YEAR, THIS_YEAR, inspection_radar
from schools.selectors.performance import PredictionGrid, latest_predictions, performance_of, predictions_for
from schools.selectors.schools import (
    inspections_of,
    outcome_words,
    school_filter_options,
    school_timeline,
    schools_visible_to,
)
from schools.selectors.schools import (
    school_list as select_school_list,
)
from schools.services.inspections import inspection_record
from schools.services.measures import ENTERED_MEASURES, measure_values_enter
from schools.services.predictions import (
    TEMPLATE_COLUMNS,
    parse_prediction_upload,
    predictions_save,
    subjects_for,
    year_groups_for,
)
from trust.decorators import trust_view
from trust.permissions import Action, can

EXPORT_HEADERS = [
    "URN",
    "School",
    "Phase",
    "Type",
    "Local authority",
    "Postcode",
    "Pupils",
    "Headteacher",
    "Status",
    "Joined trust",
    "GIAS status",
    "Last inspected",
    "Ofsted outcome",
]


def _school(request: HttpRequest, school_uuid: UUID) -> School:
    # Another school, for a school-level role, is simply not there: 404.
    return get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)


@trust_view(Action.VIEW_SCHOOLS)
def school_list(request: HttpRequest) -> HttpResponse:
    options = school_filter_options(request.membership)
    form = SchoolFilterForm(request.GET or None, **options)
    filters = form.cleaned_data if form.is_valid() else {}
    schools = select_school_list(request.membership, **{k: v for k, v in filters.items() if v})
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        rows = (
            [
                s.urn,
                s.name,
                s.phase,
                s.establishment_type,
                s.la_name,
                s.postcode,
                s.number_of_pupils,
                s.headteacher_name,
                s.get_status_display(),
                s.joined_trust_on,
                s.gias_status,
                s.latest_inspected_on,
                outcome_words(s.latest_era, s.latest_overall),
            ]
            for s in schools.iterator()
        )
        return export_response(headers=EXPORT_HEADERS, rows=rows, filename=f"{request.trust.slug}-schools", fmt=fmt)
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    for school in page.object_list:
        school.outcome = outcome_words(school.latest_era, school.latest_overall)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "schools/school_list.html", {"page": page, "form": form, "query": query.urlencode()})


def _predictions_export(grid: PredictionGrid, filename: str, fmt: str) -> HttpResponse:
    return export_response(
        headers=["Half-term", "Year group", *(f"{subject} (% on track)" for subject in grid.subjects)],
        rows=[[grid.label, yg, *values] for yg, values in grid.table],
        filename=filename,
        fmt=fmt,
    )


def _school_detail_export(request: HttpRequest, school: School, fmt: str) -> HttpResponse:
    """The profile's tables, one per download: inspections (the default), performance or predictions."""
    table = request.GET.get("table")
    name = f"{request.trust.slug}-{school.urn}"
    if table == "performance":
        return export_response(
            headers=["Measure", "Academic year", school.name, "Local authority", "England", "From predecessor URN"],
            rows=[
                [row.label, year, cell.shown, la.shown, national.shown, cell.via_predecessor]
                for row in performance_of(school)
                for year, cell, la, national in row.table
            ],
            filename=f"{name}-performance",
            fmt=fmt,
        )
    if table == "predictions":
        grid = latest_predictions(school)
        if grid is None:
            raise Http404("No predictions entered yet.")
        return _predictions_export(grid, f"{name}-predictions", fmt)
    return export_response(
        headers=["Inspected on", "Era", "Source", "Type", "Area", "Judgement"],
        rows=[
            [
                view.inspection.inspected_on,
                view.inspection.get_era_display(),
                view.inspection.get_source_display(),
                view.inspection.inspection_type,
                area,
                words,
            ]
            for view in inspections_of(school)
            for area, words in view.judgements
        ],
        filename=f"{name}-inspections",
        fmt=fmt,
    )


@trust_view(Action.VIEW_SCHOOLS)
def school_detail(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _school_detail_export(request, school, fmt)
    inspections = inspections_of(school)
    return render(
        request,
        "schools/school_detail.html",
        {
            "school": school,
            "inspections": inspections,
            "latest": inspections[0] if inspections else None,
            "predecessors": list(school.predecessor_links.all()),
            "performance": performance_of(school),
            "predictions": latest_predictions(school),
            "timeline": school_timeline(school, inspections),
            "current_rating": current_ratings([school]).get(school.pk),
        },
    )


def _inspection_form_page(request: HttpRequest, school: School, inspection: Inspection | None) -> HttpResponse:
    initial = {}
    if inspection is not None:
        initial = {
            "inspected_on": inspection.inspected_on,
            "inspection_type": inspection.inspection_type,
            "notes": inspection.notes,
        }
        if inspection.safeguarding_met is not None:
            initial["safeguarding_met"] = "met" if inspection.safeguarding_met else "not_met"
        prefix = "legacy_" if inspection.era == "legacy" else "rc_"
        initial.update({prefix + j.area: j.grade for j in inspection.judgements.all()})
    form = InspectionForm(request.POST or None, initial=initial)
    if inspection is not None:
        form.fields["inspected_on"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            _, outcome = inspection_record(
                school=school,
                inspected_on=form.cleaned_data["inspected_on"],
                judgements=form.cleaned_data["judgements"],
                era=form.cleaned_data["era"],
                inspection_type=form.cleaned_data["inspection_type"],
                safeguarding_met=form.cleaned_data["safeguarding_met"],
                notes=form.cleaned_data["notes"],
                source=InspectionSource.FORM,
                actor=request.user,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                {"created": "Inspection added.", "updated": "Inspection corrected.", "unchanged": "Nothing changed."}[
                    outcome
                ],
            )
            return redirect("school-detail", trust_slug=request.trust.slug, school_uuid=school.uuid)
    return render(request, "schools/inspection_form.html", {"school": school, "form": form, "inspection": inspection})


@trust_view(Action.RECORD_INSPECTIONS)
def inspection_add(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    return _inspection_form_page(request, _school(request, school_uuid), None)


@trust_view(Action.RECORD_INSPECTIONS)
def inspection_edit(request: HttpRequest, school_uuid: UUID, inspection_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    inspection = get_object_or_404(
        Inspection.objects.prefetch_related("judgements"), school=school, uuid=inspection_uuid
    )
    return _inspection_form_page(request, school, inspection)


def _half_term(request: HttpRequest, key: str) -> tuple[int, int]:
    valid = dict(half_term_choices())
    if key not in valid:
        key = current_half_term_key(request.trust)
    year, half = key.split("-")
    return int(year), int(half)


def _may_enter_predictions(request: HttpRequest, school: School) -> bool:
    membership = request.membership
    return can(membership, Action.ENTER_PREDICTIONS) and (
        not membership.is_school_level or membership.school_id == school.pk
    )


@trust_view(Action.VIEW_SCHOOLS)
def predictions(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    key = request.POST.get("half_term") or request.GET.get("half_term") or current_half_term_key(request.trust)
    year, half = _half_term(request, key)
    may_enter = _may_enter_predictions(request, school)
    errors: list[str] = []
    if request.method == "POST":
        if not may_enter:
            raise PermissionDenied
        cells = {
            (yg, subject): request.POST.get(f"cell-{i}-{j}", "")
            for i, yg in enumerate(year_groups_for(school))
            for j, subject in enumerate(subjects_for(school))
        }
        try:
            stored = predictions_save(
                school=school, actor=request.user, academic_year=year, half_term=half, cells=cells
            )
        except ApplicationError as error:
            errors.append(error.message)
        else:
            messages.success(request, f"{stored} predictions saved.")
            return redirect(f"{request.path}?half_term={year}-{half}")
    grid = predictions_for(school, year, half)
    fmt = request.GET.get("format")
    if request.method == "GET" and fmt in {"csv", "xlsx"}:
        return _predictions_export(grid, f"{request.trust.slug}-{school.urn}-predictions-{year}-{half}", fmt)
    rows = [
        (
            i,
            yg,
            [
                (j, subject, request.POST.get(f"cell-{i}-{j}") if errors else grid.cells.get((yg, subject)))
                for j, subject in enumerate(grid.subjects)
            ],
        )
        for i, yg in enumerate(grid.year_groups)
    ]
    return render(
        request,
        "schools/predictions.html",
        {
            "school": school,
            "grid": grid,
            "rows": rows,
            "errors": errors,
            "may_enter": may_enter,
            "half_term_key": f"{year}-{half}",
            "half_term_choices": half_term_choices(),
            "upload_form": PredictionUploadForm(initial={"half_term": f"{year}-{half}"}),
        },
    )


@trust_view(Action.ENTER_PREDICTIONS)
def predictions_template(request: HttpRequest, school_uuid: UUID, fmt: str) -> HttpResponse:
    school = _school(request, school_uuid)
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    rows = ([yg, subject, ""] for yg in year_groups_for(school) for subject in subjects_for(school))
    return export_response(headers=TEMPLATE_COLUMNS, rows=rows, filename=f"predictions-{school.urn}", fmt=fmt)


@require_POST
@trust_view(Action.ENTER_PREDICTIONS)
def predictions_upload(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    if not _may_enter_predictions(request, school):
        raise PermissionDenied
    form = PredictionUploadForm(request.POST, request.FILES)
    target = redirect("school-predictions", trust_slug=request.trust.slug, school_uuid=school.uuid)
    if not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"Nothing was saved: {problems}")
        return target
    year, half = _half_term(request, form.cleaned_data["half_term"])
    upload = form.cleaned_data["file"]
    try:
        cells = parse_prediction_upload(name=upload.name, handle=upload)
        stored = predictions_save(school=school, actor=request.user, academic_year=year, half_term=half, cells=cells)
    except ApplicationError as error:
        messages.error(request, f"Nothing was saved: {error.message}")
    else:
        messages.success(request, f"{stored} predictions saved for {academic_year_label(year)}.")
    target["Location"] += f"?half_term={year}-{half}"
    return target


@trust_view(Action.VIEW_SCHOOLS)
def inspection_radar_page(request: HttpRequest) -> HttpResponse:
    visible = set(schools_visible_to(request.membership).values_list("pk", flat=True))
    rows = [row for row in inspection_radar(request.trust, timezone.localdate()) if row.school.pk in visible]
    groups = [(label, [r for r in rows if r.likelihood == label]) for label in (THIS_YEAR, NEXT_YEAR, LATER)]
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=[
                "Likely inspected",
                "URN",
                "School",
                "Last inspected",
                "Outcome",
                "Window from",
                "Window to",
                "Why",
            ],
            rows=[
                [
                    label,
                    r.school.urn,
                    r.school.name,
                    r.last_inspected_on or "Never",
                    r.last_outcome,
                    r.window_from,
                    r.window_to,
                    r.reason,
                ]
                for label, group in groups
                for r in group
            ],
            filename=f"{request.trust.slug}-inspection-radar",
            fmt=fmt,
        )
    return render(request, "schools/radar.html", {"groups": groups, "today": timezone.localdate()})


@trust_view(Action.ENTER_ATTENDANCE)
def attendance_enter(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    years = [academic_year_for(timezone.localdate()) - offset for offset in range(0, 5)]
    errors: list[str] = []
    if request.method == "POST":
        year = (
            int(request.POST.get("academic_year", years[0])) if request.POST.get("academic_year", "").isdigit() else 0
        )
        try:
            if year not in years:
                raise ApplicationError("Choose one of the academic years listed.")
            saved = measure_values_enter(
                school=school,
                actor=request.user,
                academic_year=year,
                values={m.code: request.POST.get(m.code, "") for m in ENTERED_MEASURES},
            )
        except ApplicationError as error:
            errors.append(error.message)
        else:
            messages.success(
                request, f"{saved} figure{'s' if saved != 1 else ''} saved for {academic_year_label(year)}."
            )
            return redirect("school-detail", trust_slug=request.trust.slug, school_uuid=school.uuid)
    return render(
        request,
        "schools/attendance_form.html",
        {
            "school": school,
            "measures": ENTERED_MEASURES,
            "years": [(y, academic_year_label(y)) for y in years],
            "errors": errors,
            "posted": request.POST,
        },
    )

"""Pages for reviews, trust inspections due, the side-by-side judgement grid, moderation and the heat map."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exports import export_response
from reviews.forms_reviews import ModerationForm, ReviewFilterForm, ReviewForm, SchoolChoiceForm
from reviews.models import Evidence, JudgementArea, Moderation, Review
from reviews.selectors.grid import heat_map, school_grid
from reviews.selectors.reviews import possible_reviewers, review_list, reviews_visible_to, trust_inspections_due
from reviews.services.areas import judgement_areas_ensure
from reviews.services.moderation import moderation_record
from reviews.services.reviews import review_record, review_update
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action

EXPORTS = {"csv", "xlsx"}


def _school(request: HttpRequest, school_uuid: UUID | str) -> School:
    # Another school, for a school-level role, is simply not there: 404.
    return get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)


def _review(request: HttpRequest, review_uuid: UUID) -> Review:
    # A review not shared with the school, asked for by the school, is not there either.
    return get_object_or_404(reviews_visible_to(request.membership), uuid=review_uuid)


def _review_rows(reviews: Any) -> Any:
    for review in reviews:
        yield [
            review.school.name,
            review.school.urn,
            review.get_review_type_display(),
            review.reviewed_on,
            ", ".join(r.full_name or r.email for r in review.reviewers.all()),
            review.get_capacity_display(),
            "; ".join(f"{j.area.label}: {j.get_grade_display()}" for j in review.judgements.all()),
            "Yes" if review.shared_with_school else "No",
        ]


REVIEW_EXPORT_HEADERS = [
    "School",
    "URN",
    "Type",
    "Date",
    "Reviewers",
    "Capacity for improvement",
    "Judgements",
    "Shared with the school",
]


@trust_view(Action.VIEW_REVIEWS)
def review_list_page(request: HttpRequest) -> HttpResponse:
    form = ReviewFilterForm(request.GET or None, schools=schools_visible_to(request.membership))
    filters = form.cleaned_data if form.is_valid() else {}
    reviews = review_list(request.membership, school=filters.get("school"), review_type=filters.get("review_type", ""))
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        return export_response(
            headers=REVIEW_EXPORT_HEADERS, rows=_review_rows(reviews), filename=f"{request.trust.slug}-reviews", fmt=fmt
        )
    page = Paginator(reviews, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "reviews/reviews/review_list.html", {"page": page, "form": form, "query": query.urlencode()})


@trust_view(Action.VIEW_REVIEWS)
def school_reviews(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    reviews = review_list(request.membership, school=school)
    if request.headers.get("HX-Request"):
        # The school profile loads the latest few into its own page.
        return render(request, "reviews/reviews/_school_reviews.html", {"school": school, "reviews": reviews[:5]})
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        return export_response(
            headers=REVIEW_EXPORT_HEADERS,
            rows=_review_rows(reviews),
            filename=f"{request.trust.slug}-{school.urn}-reviews",
            fmt=fmt,
        )
    return render(request, "reviews/reviews/school_reviews.html", {"school": school, "reviews": reviews})


def _review_form(request: HttpRequest, school: School, review: Review | None) -> ReviewForm:
    initial = ReviewForm.initial_for(review) if review else {"review_type": request.GET.get("review_type")}
    areas = judgement_areas_ensure(trust=request.trust)
    if review is not None:
        # A judgement on an area the trust has since retired stays editable rather than silently dropped.
        areas += [j.area for j in review.judgements.all() if j.area not in areas]
    return ReviewForm(
        request.POST or None,
        initial=initial,
        areas=areas,
        reviewers=possible_reviewers(request.trust),
        evidence=Evidence.objects.filter(school=school).order_by("-observed_on"),
    )


@trust_view(Action.RECORD_REVIEWS)
def review_add(request: HttpRequest) -> HttpResponse:
    schools = schools_visible_to(request.membership)
    chooser = SchoolChoiceForm(request.GET if "school" in request.GET else None, schools=schools)
    if not chooser.is_valid():
        return render(request, "reviews/reviews/review_start.html", {"form": chooser})
    school = chooser.cleaned_data["school"]
    form = _review_form(request, school, None)
    if request.method == "POST" and form.is_valid():
        try:
            review = review_record(school=school, actor=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{review.get_review_type_display()} of {school.name} recorded.")
            return redirect("review-detail", trust_slug=request.trust.slug, review_uuid=review.uuid)
    return render(request, "reviews/reviews/review_form.html", {"form": form, "school": school, "review": None})


@trust_view(Action.VIEW_REVIEWS)
def review_detail(request: HttpRequest, review_uuid: UUID) -> HttpResponse:
    review = _review(request, review_uuid)
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        return export_response(
            headers=["School", "Review", "Date", "Area", "Judgement"],
            rows=[
                [
                    review.school.name,
                    review.get_review_type_display(),
                    review.reviewed_on,
                    j.area.label,
                    j.get_grade_display(),
                ]
                for j in review.judgements.all()
            ],
            filename=f"{request.trust.slug}-{review.school.urn}-review-{review.reviewed_on:%Y-%m-%d}",
            fmt=fmt,
        )
    return render(
        request,
        "reviews/reviews/review_detail.html",
        {"review": review, "evidence": list(review.evidence.all())},
    )


@trust_view(Action.RECORD_REVIEWS)
def review_edit(request: HttpRequest, review_uuid: UUID) -> HttpResponse:
    review = _review(request, review_uuid)
    form = _review_form(request, review.school, review)
    if request.method == "POST" and form.is_valid():
        try:
            review_update(review=review, actor=request.user, **form.service_arguments())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Review saved.")
            return redirect("review-detail", trust_slug=request.trust.slug, review_uuid=review.uuid)
    return render(
        request, "reviews/reviews/review_form.html", {"form": form, "school": review.school, "review": review}
    )


DUE_EXPORT_HEADERS = [
    "School",
    "URN",
    "Ofsted outcome",
    "Ofsted inspected",
    "Trust inspections",
    "Flagged",
    "Last trust inspection",
    "Due",
    "Overdue",
    "Why",
]


@trust_view(Action.VIEW_TRUST_JUDGEMENTS)
def inspections_due(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = trust_inspections_due(request.trust, today)
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        data = (
            [
                r.school.name,
                r.school.urn,
                r.ofsted_outcome,
                r.ofsted_inspected_on,
                r.frequency,
                "Yes" if r.flagged else "No",
                r.last_trust_inspection.reviewed_on if r.last_trust_inspection else None,
                r.due_on,
                "Yes" if r.overdue else "No",
                r.reason,
            ]
            for r in rows
        )
        return export_response(
            headers=DUE_EXPORT_HEADERS, rows=data, filename=f"{request.trust.slug}-trust-inspections-due", fmt=fmt
        )
    context = {"rows": rows, "today": today, "overdue": sum(1 for r in rows if r.overdue)}
    return render(request, "reviews/reviews/inspections_due.html", context)


def _grid_export(request: HttpRequest, school: School, grid: Any, fmt: str) -> HttpResponse:
    """The side-by-side grid, or with `table=ofsted-history` the graded inspection before report cards."""
    name = f"{request.trust.slug}-{school.urn}"
    if request.GET.get("table") == "ofsted-history":
        inspected_on = grid.legacy.inspected_on if grid.legacy else None
        return export_response(
            headers=["Inspected on", "Area", "Judgement"],
            rows=[[inspected_on, area, words] for area, words in grid.legacy_judgements],
            filename=f"{name}-ofsted-graded-history",
            fmt=fmt,
        )

    def moderation(row: Any) -> list[Any]:
        m = row.moderation
        if m is None:
            return ["", None, "", ""]
        by = (m.moderated_by.full_name or m.moderated_by.email) if m.moderated_by else ""
        return [m.get_agreed_grade_display(), m.moderated_on, by, "No" if row.moderation_is_current else "Yes"]

    return export_response(
        headers=[
            "Area",
            "School's self-grade",
            "Trust's latest judgement",
            "Trust judgement from",
            "Trust judgement date",
            "Ofsted report card",
            "School and trust",
            "Agreed at moderation",
            "Moderated on",
            "Moderated by",
            "Grades changed since moderation",
        ],
        rows=[
            [
                row.area.label,
                row.school_words or "No self-grade",
                row.trust_words or "Not judged",
                row.trust.review.get_review_type_display() if row.trust else "",
                row.trust.review.reviewed_on if row.trust else None,
                row.ofsted_words or "No report-card grade",
                ("Disagree: " + row.disagreement_words)
                if row.disagreement
                else ("Agree" if row.gap is not None else "Nothing to compare yet"),
                *moderation(row),
            ]
            for row in grid.rows
        ],
        filename=f"{name}-judgements-side-by-side",
        fmt=fmt,
    )


@trust_view(Action.VIEW_TRUST_JUDGEMENTS)
def judgement_grid(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    grid = school_grid(school, today=timezone.localdate())
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        return _grid_export(request, school, grid, fmt)
    return render(request, "reviews/grid/school_grid.html", {"school": school, "grid": grid})


@trust_view(Action.MODERATE)
def moderation_add(request: HttpRequest, school_uuid: UUID, judgement_area_uuid: UUID) -> HttpResponse:
    school = _school(request, school_uuid)
    area = get_object_or_404(JudgementArea, trust=request.trust, uuid=judgement_area_uuid)
    row = next((r for r in school_grid(school, today=timezone.localdate()).rows if r.area.pk == area.pk), None)
    if row is None:
        raise Http404  # a retired area is not moderated
    form = ModerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            moderation_record(school=school, area=area, actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Moderation of {area.label} recorded: the agreed judgement shows in the grid.")
            return redirect("review-grid", trust_slug=request.trust.slug, school_uuid=school.uuid)
    history = Moderation.objects.filter(school=school, area=area).select_related("moderated_by")
    return render(
        request,
        "reviews/grid/moderation_form.html",
        {"school": school, "area": area, "row": row, "form": form, "history": history},
    )


HEAT_MAP_HEADERS = ["School", "URN", "Area", "Grade", "Judgement", "Source", "Date"]


@trust_view(Action.VIEW_TRUST_JUDGEMENTS)
def heat_map_page(request: HttpRequest) -> HttpResponse:
    data = heat_map(request.trust)
    fmt = request.GET.get("format")
    if fmt in EXPORTS:
        rows = (
            [row.school.name, row.school.urn, cell.area.label, cell.grade, cell.words, cell.source_words, cell.on]
            for row in data.rows
            for cell in row.cells
        )
        return export_response(
            headers=HEAT_MAP_HEADERS, rows=rows, filename=f"{request.trust.slug}-judgement-heat-map", fmt=fmt
        )
    return render(request, "reviews/grid/heat_map.html", {"map": data})

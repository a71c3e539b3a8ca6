"""Rating pages: a school's suggestion, decision form and history; the school's own view; overstays."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exports import export_response
from reviews.forms_ratings import RatingForm
from reviews.selectors.ratings import (
    HistoryRow,
    evidence_for_rating,
    overstays,
    rating_history,
    stay_from_history,
)
from reviews.services.ratings import rating_decide
from reviews.suggestions import suggest_for_school
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can
from trust.scales.selectors import levels_of


def _school(request: HttpRequest, school_uuid: UUID) -> School:
    # A school-level role asking for another school of the trust gets 404, as for an unknown one.
    return get_object_or_404(schools_visible_to(request.membership).select_related("trust"), uuid=school_uuid)


def _evidence_words(row: HistoryRow) -> str:
    words = "; ".join(
        f"{c.evidence.get_evidence_type_display()}, {c.evidence.observed_on:%d %b %Y}: {c.evidence.summary}"
        for c in row.evidence
    )
    if row.hidden_evidence:
        words += f"{'; ' if words else ''}{row.hidden_evidence} item(s) not shown to your role"
    return words


def _rating_export(request: HttpRequest, school: School, history: list[HistoryRow], fmt: str) -> HttpResponse:
    """The decisions table as the reader sees it: a school-level role gets the columns of its own page."""
    name = f"{request.trust.slug}-{school.urn}"
    if request.membership.is_school_level:
        return export_response(
            headers=["Took effect", "Level", "Why"],
            rows=[[row.rating.effective_on, row.rating.level_name, row.rating.rationale] for row in history],
            filename=f"{name}-our-judgement",
            fmt=fmt,
        )
    if request.GET.get("table") == "indicators":
        suggestion = suggest_for_school(school) if levels_of(request.trust) else None
        if suggestion is None:
            raise Http404("The trust has no support scale, so nothing is suggested.")
        return export_response(
            headers=["Indicator", "Value", "Why"],
            rows=[[label, shown, reason] for _, label, shown, reason in suggestion.indicator_rows()],
            filename=f"{name}-rating-indicators",
            fmt=fmt,
        )
    may_see_evidence = can(request.membership, Action.VIEW_EVIDENCE)
    return export_response(
        headers=[
            "Takes effect",
            "Level",
            "Decided by",
            "Recorded",
            "Why",
            "Suggested",
            "Overrode the suggestion",
            "Override reason",
            "Evidence",
        ],
        rows=[
            [
                row.rating.effective_on,
                row.rating.level_name,
                str(row.rating.decided_by) if row.rating.decided_by else "",
                timezone.localdate(row.rating.created_at),
                row.rating.rationale,
                row.rating.suggested_level_name or "None",
                "Yes" if row.rating.overrode_suggestion else "No",
                row.rating.override_reason,
                _evidence_words(row) if may_see_evidence else "",
            ]
            for row in history
        ],
        filename=f"{name}-ratings",
        fmt=fmt,
    )


@trust_view(Action.VIEW_RATINGS)
def rating_school(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    membership = request.membership
    if request.method == "POST" and not can(membership, Action.RATE_SCHOOLS):
        raise PermissionDenied
    school = _school(request, school_uuid)
    today = timezone.localdate()
    history = rating_history(school, membership=membership, today=today)
    fmt = request.GET.get("format")
    if request.method == "GET" and fmt in {"csv", "xlsx"}:
        return _rating_export(request, school, history, fmt)
    stay = stay_from_history(history, today)
    levels = levels_of(request.trust)

    if membership.is_school_level:
        current = history[0] if history else None
        return render(
            request,
            "reviews/ratings/our_judgement.html",
            {"school": school, "current": current, "stay": stay, "history": history, "has_scale": bool(levels)},
        )

    may_rate = can(membership, Action.RATE_SCHOOLS)
    suggestion = suggest_for_school(school) if levels else None
    choices = evidence_for_rating(school, today=today) if may_rate and levels else []
    form = None
    if may_rate and levels:
        form = RatingForm(request.POST or None, levels=levels, evidence=[c.evidence for c in choices])
        if request.method == "POST" and form.is_valid():
            try:
                rating = rating_decide(
                    school=school,
                    actor=request.user,
                    level=form.cleaned_data["level"],
                    effective_on=form.cleaned_data["effective_on"],
                    rationale=form.cleaned_data["rationale"],
                    evidence=list(form.cleaned_data["evidence"]),
                    override_reason=form.cleaned_data["override_reason"],
                )
            except ApplicationError as error:
                field = error.extra.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(
                    request, f"{school.name} is now at {rating.level_name} from {rating.effective_on:%d %B %Y}."
                )
                return redirect("rating-school", trust_slug=request.trust.slug, school_uuid=school.uuid)
    checked = set(form["evidence"].value() or []) if form is not None else set()
    return render(
        request,
        "reviews/ratings/rating_school.html",
        {
            "school": school,
            "levels": levels,
            "suggestion": suggestion,
            "history": history,
            "current": history[0] if history else None,
            "stay": stay,
            "form": form,
            "evidence_choices": [(c, str(c.evidence.uuid) in {str(v) for v in checked}) for c in choices],
            "may_see_evidence": can(membership, Action.VIEW_EVIDENCE),
            "stale_months": request.trust.evidence_stale_months,
        },
    )


@trust_view(Action.VIEW_TRUST_JUDGEMENTS)
def rating_overstays(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["School", "URN", "Level", "Since", "Months in level", "Expected months", "Expected to move on by"],
            rows=[
                [
                    stay.school.name,
                    stay.school.urn,
                    stay.level.name,
                    stay.since,
                    stay.months,
                    stay.expected_months,
                    stay.expected_until,
                ]
                for stay in overstays(request.trust, today)
            ],
            filename=f"{request.trust.slug}-overstays",
            fmt=fmt,
        )
    return render(
        request,
        "reviews/ratings/overstays.html",
        {"stays": overstays(request.trust, today), "today": today, "has_scale": bool(levels_of(request.trust))},
    )

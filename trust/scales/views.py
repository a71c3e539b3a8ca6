"""The support scale pages: read the scale (everyone), choose a template and edit levels (executives)."""

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from core.exceptions import ApplicationError
from core.exports import export_response
from reviews.selectors.ratings import level_stays
from reviews.suggestions import rule_text
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can
from trust.scales import selectors, services
from trust.scales.forms import ChooseTemplateForm, LevelForm
from trust.scales.templates import TEMPLATES


def _levels_export(request: HttpRequest, levels: list, *, show_schools: bool, fmt: str) -> HttpResponse:
    """One row per level, most intensive first; the schools column only for those who see it on the page."""
    headers = [
        "Position",
        "Level",
        "Description",
        "Expected duration (months)",
        "Visits",
        "Monitoring",
        "Reporting",
        "Key indicators",
        "Support offer",
        "Suggested when",
    ]
    rows = [
        [
            level.position,
            level.name,
            level.description,
            level.expected_duration_months,
            level.visit_cadence,
            level.monitoring_cadence,
            level.reporting_cadence,
            "; ".join(map(str, level.key_indicators)),
            "; ".join(map(str, level.support_offer)),
            "; ".join(f"{words} ({note})" if note else words for words, note in level.rule_words),
        ]
        + (["; ".join(stay.school.name for stay in level.stays)] if show_schools else [])
        for level in levels
    ]
    return export_response(
        headers=headers + (["Schools at this level now"] if show_schools else []),
        rows=rows,
        filename=f"{request.trust.slug}-support-scale",
        fmt=fmt,
    )


@trust_view(Action.VIEW_SCALE)
def scale_detail(request: HttpRequest) -> HttpResponse:
    scale = selectors.scale_of(request.trust)
    levels = list(scale.levels.all()) if scale else []
    membership = request.membership
    schools_by_level: dict[int, list] = {}
    own_stay = None
    if scale is not None and can(membership, Action.VIEW_RATINGS):
        # Trust-wide roles see which schools sit at each level; a school's people see their own.
        stays = level_stays(schools_visible_to(membership), timezone.localdate())
        for stay in sorted(stays.values(), key=lambda s: s.school.name):
            schools_by_level.setdefault(stay.level.pk, []).append(stay)
        if membership.is_school_level:
            own_stay = stays.get(membership.school_id)
    for level in levels:
        level.rule_words = [(rule_text(rule), rule.get("note", "")) for rule in level.rules]
        level.stays = schools_by_level.get(level.pk, [])
    show_schools = can(membership, Action.VIEW_RATINGS) and not membership.is_school_level
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _levels_export(request, levels, show_schools=show_schools, fmt=fmt)
    return render(
        request,
        "trust/scales/scale_detail.html",
        {
            "scale": scale,
            "levels": levels,
            "template": TEMPLATES.get(scale.template) if scale else None,
            "own_stay": own_stay,
            "show_schools": show_schools,
        },
    )


@trust_view(Action.MANAGE_SCALE)
def scale_choose(request: HttpRequest) -> HttpResponse:
    scale = selectors.scale_of(request.trust)
    locked = selectors.scale_has_ratings(scale)
    form = ChooseTemplateForm(request.POST or None, initial={"template": scale.template if scale else None})
    if request.method == "POST" and form.is_valid():
        try:
            chosen = services.scale_create_from_template(
                trust=request.trust,
                actor=request.user,
                template_key=form.cleaned_data["template"],
                replace=form.cleaned_data["replace"],
            )
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, f"The trust now uses the “{chosen.name}” scale. Edit any level to fit.")
            return redirect("scale-detail", trust_slug=request.trust.slug)
    return render(
        request,
        "trust/scales/scale_choose.html",
        {"form": form, "scale": scale, "locked": locked, "templates": list(TEMPLATES.values())},
    )


@trust_view(Action.MANAGE_SCALE)
def level_edit(request: HttpRequest, level_uuid: UUID) -> HttpResponse:
    level = selectors.level_of(request.trust, level_uuid)
    if level is None:
        raise Http404
    form = LevelForm(request.POST or None, level=level)
    if request.method == "POST" and form.is_valid():
        try:
            services.level_update(level=level, actor=request.user, **form.changes())
        except ApplicationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, f"Level “{level.name}” saved. Past ratings keep the name they were given.")
            return redirect("scale-detail", trust_slug=request.trust.slug)
    return render(request, "trust/scales/level_edit.html", {"form": form, "level": level})

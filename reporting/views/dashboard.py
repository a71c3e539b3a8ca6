"""The trust dashboard, the lists behind its tiles, and the one-page school summary.

All three read one live dashboard document (`trust_metrics`), so a tile's number and the list
behind it always agree; only the levels trend line reads past snapshots.
"""

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.html import format_html
from django.utils.http import urlencode

from core.academic import academic_year_label
from core.exports import export_response
from interventions.models import InterventionStatus
from reporting.figures import levels_chart, levels_over_time, levels_over_time_chart, measure_trend_chart
from reporting.metrics_schema import Metrics, SchoolRow, TrustMeasure
from reporting.selectors.cached import kept_until_change, trust_metrics_kept
from reporting.selectors.metrics import trust_metrics
from reporting.selectors.snapshots import trend_summaries
from reviews.models import SelfEvaluationStatus
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.models import Trust
from trust.permissions import Action

TREND_SNAPSHOTS = 12  # the past half-terms the levels trend line reads
MOVEMENT_WORDS = {
    "up": "Moved up (needs less support)",
    "down": "Moved down (needs more support)",
    "new": "Newly rated",
    "same": "No change",
    "unrated": "Not yet rated",
}
VERSUS_WORDS = {"better": "Better than England", "worse": "Worse than England", "same": "Same as England"}
PREDICTIONS = "predictions"  # the measures list's pseudo-measure: in-year predictions, % on track


# --- shared formatting ------------------------------------------------------------------------------------------


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _shown(value: Any) -> str:
    """A cell as people read it: dates in words, yes/no, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return format_date(value, "j M Y")
    if isinstance(value, float):
        return f"{value:.1f}".rstrip("0").rstrip(".")
    return str(value)


def _exported(value: Any) -> Any:
    return ("Yes" if value else "No") if isinstance(value, bool) else value


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "no value"
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


def _versus(value: float | None, national: float | None, higher_is_better: bool) -> str:
    if value is None or national is None:
        return ""
    if value == national:
        return "same"
    return "better" if (value > national) == higher_is_better else "worse"


def _year(year: int | None) -> str | None:
    return academic_year_label(year) if year else None


def _level_name(level: dict[str, Any] | None) -> str:
    return level["name"] if level else "Not yet rated"


# --- the tiles' lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class Filter:
    """A GET parameter narrowing a tile's list; an unknown value is ignored rather than showing nothing."""

    param: str
    label: str
    choices: Callable[[Metrics], list[tuple[str, str]]]
    keep: Callable[[dict[str, Any], str], bool]


@dataclass(frozen=True)
class Tile:
    slug: str
    title: str
    intro: str
    rows: Callable[[Metrics], list[dict[str, Any]]]  # each {"school": SchoolRow, ...}
    columns: list[Column]
    filters: list[Filter] = field(default_factory=list)
    link: Callable[[dict[str, Any], str], str | None] | None = None  # an extra link per row (trust slug given)


def _per_school(metrics: Metrics) -> list[dict[str, Any]]:
    return [{"school": school} for school in metrics["schools"]]


def _per_measure(metrics: Metrics) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for school in metrics["schools"]:
        # A measure the school has never had a figure for (not its phase, say) is left out.
        rows.extend({"school": school, "measure": m} for m in school["measures"] if m["academic_year"] is not None)
        predictions = school["predictions"]
        if predictions:
            rows.append(
                {
                    "school": school,
                    "measure": {
                        "code": PREDICTIONS,
                        "label": f"In-year predictions: pupils on track ({predictions['half_term_label']})",
                        "academic_year": predictions["academic_year"],
                        "display": _number(predictions["average_on_track"], "%"),
                        "national_display": "",
                        "versus_national": "",
                    },
                }
            )
    return rows


def _per_intervention(metrics: Metrics) -> list[dict[str, Any]]:
    return [{"school": s, "intervention": i} for s in metrics["schools"] for i in s["interventions"]]


def _level_choices(metrics: Metrics) -> list[tuple[str, str]]:
    return [(str(level["position"]), level["name"]) for level in metrics["scale"]] + [("unrated", "Not yet rated")]


def _keep_level(row: dict[str, Any], value: str) -> bool:
    level = row["school"]["level"]
    return level is None if value == "unrated" else bool(level) and str(level["position"]) == value


def _measure_choices(metrics: Metrics) -> list[tuple[str, str]]:
    choices = [(m["code"], m["label"]) for m in metrics["measures"]]
    return [*choices, (PREDICTIONS, "In-year predictions")]


def _status_choices(metrics: Metrics) -> list[tuple[str, str]]:
    # Cancelled interventions are not in the document's lists, so they are not offered.
    labels = dict(InterventionStatus.choices)
    return [
        (status, labels.get(status, status))
        for status in metrics["interventions_by_status"]
        if status != InterventionStatus.CANCELLED
    ]


def _sef_choices(metrics: Metrics) -> list[tuple[str, str]]:
    labels = {"not_started": "Not started", **dict(SelfEvaluationStatus.choices)}
    return [(status, labels.get(status, status)) for status in metrics["sef_by_status"]]


def _ofsted_outcomes(metrics: Metrics) -> list[tuple[str, str]]:
    return [(str(p["outcome"]), str(p["outcome"])) for p in metrics["ofsted_profile"]]


YES = [("1", "Yes")]

TILES: dict[str, Tile] = {
    tile.slug: tile
    for tile in [
        Tile(
            slug="levels",
            title="Schools by support level",
            intro="Each school's support level, since when, and its level at the end of last half-term.",
            rows=_per_school,
            columns=[
                Column("Level", lambda r: _level_name(r["school"]["level"])),
                Column("On this level since", lambda r: _date(r["school"]["level_since"])),
                Column("Level at the end of last half-term", lambda r: _level_name(r["school"]["previous_level"])),
                Column("Movement", lambda r: MOVEMENT_WORDS[r["school"]["movement"]]),
            ],
            filters=[Filter("level", "Support level", _level_choices, _keep_level)],
        ),
        Tile(
            slug="movement",
            title="Movement since last half-term",
            intro="How each school's support level changed since the end of last half-term.",
            rows=_per_school,
            columns=[
                Column("Level at the end of last half-term", lambda r: _level_name(r["school"]["previous_level"])),
                Column("Level now", lambda r: _level_name(r["school"]["level"])),
                Column("Movement", lambda r: MOVEMENT_WORDS[r["school"]["movement"]]),
            ],
            filters=[
                Filter(
                    "movement",
                    "Movement",
                    lambda m: list(MOVEMENT_WORDS.items()),
                    lambda r, v: r["school"]["movement"] == v,
                )
            ],
        ),
        Tile(
            slug="overstays",
            title="Schools past their level's expected stay",
            intro="Schools that have been on their support level longer than the level expects.",
            rows=lambda m: [r for r in _per_school(m) if r["school"]["overstay"]],
            columns=[
                Column("Level", lambda r: _level_name(r["school"]["level"])),
                Column("On this level since", lambda r: _date(r["school"]["level_since"])),
                Column("Months on the level", lambda r: r["school"]["overstay"]["months"]),
                Column("Expected months", lambda r: r["school"]["overstay"]["expected_months"]),
            ],
        ),
        Tile(
            slug="ofsted",
            title="Ofsted profile and inspections likely soon",
            intro="Each school's latest Ofsted outcome and when its next inspection window opens.",
            rows=_per_school,
            columns=[
                Column("Latest inspection", lambda r: _date(r["school"]["ofsted"]["inspected_on"])),
                Column("Outcome", lambda r: r["school"]["ofsted"]["outcome"]),
                Column("Next window opens", lambda r: _date(r["school"]["ofsted"]["window_from"])),
                Column("Next window closes", lambda r: _date(r["school"]["ofsted"]["window_to"])),
                Column("Likelihood", lambda r: r["school"]["ofsted"]["likelihood"]),
                Column("Likely soon", lambda r: r["school"]["ofsted"]["likely_soon"]),
            ],
            filters=[
                Filter("outcome", "Outcome", _ofsted_outcomes, lambda r, v: r["school"]["ofsted"]["outcome"] == v),
                Filter(
                    "soon",
                    "Likely to be inspected soon",
                    lambda m: YES,
                    lambda r, v: r["school"]["ofsted"]["likely_soon"],
                ),
            ],
        ),
        Tile(
            slug="measures",
            title="Key measures against England",
            intro="Each school's latest key measures beside England's figure for the same year, and its predictions.",
            rows=_per_measure,
            columns=[
                Column("Measure", lambda r: r["measure"]["label"]),
                Column("Year", lambda r: _year(r["measure"]["academic_year"])),
                Column("School", lambda r: r["measure"]["display"]),
                Column("England", lambda r: r["measure"]["national_display"]),
                Column("Against England", lambda r: VERSUS_WORDS.get(r["measure"]["versus_national"], "")),
            ],
            filters=[
                Filter("measure", "Measure", _measure_choices, lambda r, v: r["measure"]["code"] == v),
                Filter(
                    "versus",
                    "Against England",
                    lambda m: list(VERSUS_WORDS.items()),
                    lambda r, v: r["measure"]["versus_national"] == v,
                ),
            ],
        ),
        Tile(
            slug="interventions",
            title="Interventions",
            intro="Every intervention not cancelled, its overdue checkpoints and whether its impact is recorded.",
            rows=_per_intervention,
            columns=[
                Column("Intervention", lambda r: r["intervention"]["title"]),
                Column("Status", lambda r: r["intervention"]["status_label"]),
                Column("Delivery model", lambda r: r["intervention"]["delivery_model_label"]),
                Column("Starts", lambda r: _date(r["intervention"]["starts_on"])),
                Column("Ends", lambda r: _date(r["intervention"]["ends_on"])),
                Column("Overdue checkpoints", lambda r: r["intervention"]["overdue_checkpoints"]),
                Column("Ending soon", lambda r: r["intervention"]["ending_soon"]),
                Column("Impact recorded", lambda r: r["intervention"]["has_impact"]),
            ],
            filters=[
                Filter("status", "Status", _status_choices, lambda r, v: r["intervention"]["status"] == v),
                Filter(
                    "model",
                    "Delivery model",
                    lambda m: [(str(x["delivery_model"]), str(x["label"])) for x in m["interventions_by_model"]],
                    lambda r, v: r["intervention"]["delivery_model"] == v,
                ),
                Filter(
                    "overdue",
                    "With overdue checkpoints",
                    lambda m: YES,
                    lambda r, v: r["intervention"]["overdue_checkpoints"] > 0,
                ),
            ],
            link=lambda r, slug: reverse("intervention-detail", args=[slug, r["intervention"]["uuid"]]),
        ),
        Tile(
            slug="visits",
            title="Visits this term",
            intro="Visits to each school this term: planned (any not cancelled), done, and missed (past, not done).",
            rows=_per_school,
            columns=[
                Column("Term", lambda r: r["school"]["visits"]["term_label"]),
                Column("Planned", lambda r: r["school"]["visits"]["planned"]),
                Column("Done", lambda r: r["school"]["visits"]["done"]),
                Column("Missed", lambda r: r["school"]["visits"]["missed"]),
            ],
            filters=[
                Filter("missed", "With missed visits", lambda m: YES, lambda r, v: r["school"]["visits"]["missed"] > 0)
            ],
        ),
        Tile(
            slug="plans",
            title="Improvement plan health",
            intro="This year's improvement plan of each school: its actions, and how many are off track or overdue.",
            rows=_per_school,
            columns=[
                Column("Plan", lambda r: r["school"]["plan"]["status_label"] if r["school"]["plan"] else "No plan yet"),
                Column("Actions", lambda r: r["school"]["plan"]["actions"] if r["school"]["plan"] else None),
                Column("Completed", lambda r: r["school"]["plan"]["completed"] if r["school"]["plan"] else None),
                Column("Off track", lambda r: r["school"]["plan"]["off_track"] if r["school"]["plan"] else None),
                Column("Overdue", lambda r: r["school"]["plan"]["overdue"] if r["school"]["plan"] else None),
                Column("Behind", lambda r: r["school"]["plan"]["behind"] if r["school"]["plan"] else None),
            ],
            filters=[
                Filter(
                    "plan",
                    "Plan",
                    lambda m: [("behind", "Behind"), ("none", "No plan yet")],
                    lambda r, v: (
                        (r["school"]["plan"] is None)
                        if v == "none"
                        else bool(r["school"]["plan"] and r["school"]["plan"]["behind"])
                    ),
                )
            ],
        ),
        Tile(
            slug="sef",
            title="Self-evaluation status",
            intro="Where each school's self-evaluation for this academic year has got to.",
            rows=_per_school,
            columns=[Column("Self-evaluation", lambda r: r["school"]["sef_status_label"])],
            filters=[Filter("status", "Status", _sef_choices, lambda r, v: r["school"]["sef_status"] == v)],
        ),
    ]
}


class _SchoolLinks:
    """Each school's two links (timeline and summary), reversed once per page rather than twice per school:
    a page lists up to every school of the trust, and a school's links differ only in its UUID."""

    PLACEHOLDER = str(UUID(int=0))
    NAMES = {"timeline": "school-detail", "summary": "school-summary"}

    def __init__(self, slug: str) -> None:
        self.patterns = {key: reverse(name, args=[slug, self.PLACEHOLDER]) for key, name in self.NAMES.items()}

    def __call__(self, school: SchoolRow) -> dict[str, str]:
        links = {key: pattern.replace(self.PLACEHOLDER, school["uuid"]) for key, pattern in self.patterns.items()}
        # The school's name as a link to its timeline, then its summary: the markup of every school row of the
        # dashboard's tiles, made here because a template included once per row cost more than the rest of the row.
        links["html"] = format_html(
            '<a href="{}">{}</a> <a class="small" href="{}">summary<span class="visually-hidden"> of {}</span></a>',
            links["timeline"],
            school["name"],
            links["summary"],
            school["name"],
        )
        return links


# --- pages ------------------------------------------------------------------------------------------------------


def _measure_tiles(metrics: Metrics) -> list[dict[str, Any]]:
    """The key measures that have any figure, each with its trend chart and the same figures as a table."""
    shown = []
    for measure in metrics["measures"]:
        if measure["trust_average"] is None and not measure["trend"]:
            continue
        unit = measure["unit"]
        shown.append(
            {
                "measure": measure,
                "average": _number(measure["trust_average"], unit),
                "national": _number(measure["national"], unit),
                "versus": VERSUS_WORDS.get(
                    _versus(measure["trust_average"], measure["national"], measure["higher_is_better"]), ""
                ),
                "chart": _trend_chart(measure) if len(measure["trend"]) > 1 else None,
                "year": _year(measure["academic_year"]),
                "trend": [
                    (_year(int(year)), _number(avg, unit), _number(nat, unit)) for year, avg, nat in measure["trend"]
                ],
            }
        )
    return shown


def _trend_chart(measure: TrustMeasure) -> Any:
    return measure_trend_chart(measure, chart_id=f"measure-{measure['code']}")


@trust_view(Action.VIEW_DASHBOARD)
def dashboard(request: HttpRequest) -> HttpResponse:
    # The figures are the same for everyone allowed to see them, so the rendered tiles are kept
    # until the trust's data changes (reporting.selectors.cached); only the page around them is per person.
    today = timezone.localdate()
    trust = request.trust
    body = kept_until_change(
        trust,
        today=today,
        part="dashboard-page",
        build=lambda: _dashboard_body(trust, today=today),
        reader_id=request.user.pk,
    )
    return render(request, "reporting/dashboard.html", {"body": body})


def _dashboard_body(trust: Trust, *, today: datetime.date) -> str:
    metrics = trust_metrics(trust, today=today)
    slug = trust.slug
    # Past half-terms from snapshots, then today's live figures (which stand for the current half-term).
    # Only the snapshots' trust-wide summaries are read (no school rows); one per half-term.
    history = [*trend_summaries(trust, limit=TREND_SNAPSHOTS), metrics]
    half_terms, level_lines = levels_over_time(history)
    schools = metrics["schools"]
    movement = Counter(s["movement"] for s in schools)
    interventions = [i for s in schools for i in s["interventions"]]
    school_links = _SchoolLinks(slug)
    context = {
        "current_trust": trust,  # rendered without the request, so its context processors do not run
        "figures_at": timezone.localtime(),  # the page may be kept a while: say when its figures are from
        "metrics": metrics,
        "as_of": _date(metrics["as_of"]),
        "headline": metrics["headline"],
        "previous_end": _date(metrics["previous_half_term_end"]),
        "levels_chart": levels_chart(metrics) if schools else None,
        "levels_trend": levels_over_time_chart(history) if len(half_terms) > 1 and level_lines else None,
        "trend_half_terms": half_terms,
        "trend_lines": level_lines,
        "movement": [(key, words, movement[key]) for key, words in MOVEMENT_WORDS.items()],
        "new_schools": sum(row["new"] for row in metrics["levels"]),
        "overstays": [{"school": s, "links": school_links(s)} for s in schools if s["overstay"]],
        "likely_soon": [
            {
                "school": s,
                "links": school_links(s),
                "window_from": _date(s["ofsted"]["window_from"]),
                "window_to": _date(s["ofsted"]["window_to"]),
            }
            for s in schools
            if s["ofsted"]["likely_soon"]
        ],
        "measures": _measure_tiles(metrics),
        "predictions": sorted(
            ({"school": s, "links": school_links(s)} for s in schools if s["predictions"]),
            key=lambda r: r["school"]["predictions"]["average_on_track"],
        ),
        "interventions_by_status": [
            (status, label, metrics["interventions_by_status"].get(status, 0))
            for status, label in _status_choices(metrics)
        ],
        "interventions_total": len(interventions),
        "interventions_ending_soon": sum(1 for i in interventions if i["ending_soon"]),
        "term_label": schools[0]["visits"]["term_label"] if schools else "",
        "schools_missing_visits": sum(1 for s in schools if s["visits"]["missed"]),
        "plans_none": sum(1 for s in schools if s["plan"] is None),
        "plan_off_track": sum(s["plan"]["off_track"] for s in schools if s["plan"]),
        "plan_overdue": sum(s["plan"]["overdue"] for s in schools if s["plan"]),
        "sef": [(status, label, metrics["sef_by_status"].get(status, 0)) for status, label in _sef_choices(metrics)],
    }
    return render_to_string("reporting/_dashboard_body.html", context)


@trust_view(Action.VIEW_DASHBOARD)
def dashboard_tile(request: HttpRequest, tile: str) -> HttpResponse:
    found = TILES.get(tile)
    if found is None:
        raise Http404
    metrics = trust_metrics_kept(request.trust, today=timezone.localdate(), reader_id=request.user.pk)
    slug = request.trust.slug
    rows = found.rows(metrics)
    filters = []
    for f in found.filters:
        choices = f.choices(metrics)
        value = request.GET.get(f.param, "")
        if value not in {c[0] for c in choices}:
            value = ""
        if value:
            rows = [r for r in rows if f.keep(r, value)]
        filters.append({"param": f.param, "label": f.label, "choices": choices, "value": value})
    headers = [col.header for col in found.columns]
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["School", "URN", *headers],
            rows=(
                [r["school"]["name"], r["school"]["urn"], *(_exported(col.value(r)) for col in found.columns)]
                for r in rows
            ),
            filename=f"{slug}-dashboard-{found.slug}",
            fmt=fmt,
        )
    active = {f["param"]: f["value"] for f in filters if f["value"]}
    query = urlencode(active)
    school_links = _SchoolLinks(slug)
    shown = [
        {
            "school": r["school"],
            "links": school_links(r["school"]),
            "cells": [_shown(col.value(r)) for col in found.columns],
            "link": found.link(r, slug) if found.link else None,
        }
        for r in rows
    ]
    return render(
        request,
        "reporting/dashboard_tile.html",
        {
            "tile": found,
            "tiles": TILES.values(),
            "metrics": metrics,
            "as_of": _date(metrics["as_of"]),
            "headers": headers,
            "rows": shown,
            "filters": filters,
            "filtered": bool(active),
            "export_query": f"{query}&" if query else "",
        },
    )


@trust_view(Action.VIEW_SCHOOL_SUMMARY)
def school_summary(request: HttpRequest, school_uuid: Any) -> HttpResponse:
    # Headteachers and governors see only their own school: another is not there (404).
    school = get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)
    metrics = trust_metrics(request.trust, today=timezone.localdate(), school_ids=[school.pk])
    row = metrics["schools"][0] if metrics["schools"] else None  # a school still joining has no summary yet
    context: dict[str, Any] = {"school": school, "metrics": metrics, "row": row, "as_of": _date(metrics["as_of"])}
    if row is not None:
        context.update(
            {
                "level_since": _date(row["level_since"]),
                "movement": MOVEMENT_WORDS[row["movement"]],
                "ofsted_inspected_on": _date(row["ofsted"]["inspected_on"]),
                "ofsted_window": (_date(row["ofsted"]["window_from"]), _date(row["ofsted"]["window_to"])),
                "measures": [
                    {**m, "year": _year(m["academic_year"]), "versus_words": VERSUS_WORDS.get(m["versus_national"], "")}
                    for m in row["measures"]
                    if m["academic_year"] is not None
                ],
                "interventions": [
                    {**i, "starts": _date(i["starts_on"]), "ends": _date(i["ends_on"])} for i in row["interventions"]
                ],
                "predictions_average": (
                    _number(row["predictions"]["average_on_track"], "%") if row["predictions"] else ""
                ),
            }
        )
    return render(request, "reporting/school_summary.html", context)

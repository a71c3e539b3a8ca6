"""The dashboard document (reporting/metrics_schema.py), built live from the trust's records.

About twenty queries however many schools: every part reads all the schools at once and the rows
are assembled in Python. The same document is frozen into snapshots and rendered into board packs,
so it holds plain JSON only.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Avg, Count, F, Q, Window
from django.db.models.functions import RowNumber

from core.academic import HALF_TERMS, academic_year_label
from interventions.models import (
    ActionStatus,
    Activity,
    ActivityStatus,
    DeliveryModel,
    ImprovementPlan,
    Intervention,
    InterventionStatus,
    PlanStatus,
)
from reporting.metrics_schema import (
    KEY_MEASURES,
    SCHEMA_VERSION,
    Headline,
    InterventionRow,
    LevelCount,
    LevelRef,
    MeasureFigure,
    Metrics,
    Movement,
    Ofsted,
    Overstay,
    PlanFigures,
    Predictions,
    SchoolRow,
    TrustMeasure,
    VisitFigures,
)
from reviews.models import JudgementArea, Rating, ReviewJudgement, SelfEvaluation, SelfEvaluationStatus
from reviews.selectors.grid import heat_cell, latest_moderations
from reviews.selectors.ratings import RATING_ORDER, add_months, months_between
from schools import measures
from schools.models import ComparatorLevel, ComparatorValue, InYearPrediction, MeasureValue, MembershipStatus, School
from schools.selectors.inspections import RadarRow, inspection_radar
from trust.calendar.selectors import current_half_term, half_terms_of_year
from trust.models import HalfTerm, SupportLevel, Trust

# Interventions under way: commissioned, running, or having their impact reviewed.
UNDER_WAY = (InterventionStatus.COMMISSIONED, InterventionStatus.ACTIVE, InterventionStatus.IMPACT_REVIEW)
# Plan actions that need the board's attention besides being overdue.
CONCERNS = (ActionStatus.OFF_TRACK, ActionStatus.AT_RISK)
ENDING_SOON_DAYS = 21
TREND_YEARS = 5
NOT_STARTED = "not_started"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _level_ref(level: SupportLevel) -> LevelRef:
    return {"name": level.name, "position": level.position, "colour": level.colour}


def _previous_half_term_end(trust: Trust, current: HalfTerm, year: list[HalfTerm]) -> datetime.date:
    """`year` is the current half-term's year, read once by the caller."""
    if current.number > 1:
        return year[current.number - 2].ends_on
    return half_terms_of_year(trust, current.academic_year.start_year - 1)[5].ends_on


def _term_window(current: HalfTerm, year: list[HalfTerm]) -> tuple[str, datetime.date, datetime.date]:
    """The whole term (two half-terms) the current half-term belongs to, in its year's half-terms."""
    first = (current.number - 1) // 2 * 2
    start_on, end_on = year[first].starts_on, year[first + 1].ends_on
    return f"{current.term} {start_on.year}", start_on, end_on


@dataclass(frozen=True)
class _Value:
    """A measure's value in one year: the three fields the document reads."""

    academic_year: int
    value: Decimal | None
    missing_code: str


@dataclass(frozen=True)
class _Stay:
    level_id: int
    since: datetime.date
    rationale: str


def _stays_and_previous(
    school_ids: list[int], today: datetime.date, previous_end: datetime.date
) -> tuple[dict[int, _Stay], dict[int, int]]:
    """Each rated school's level as of `today`, since when and why; and its level id at `previous_end`: one query.

    The rules of reviews.selectors.ratings (level_stays: a re-confirmation does not restart the clock; the
    latest decision on or before a day is the level that day), read as plain values newest first: the
    dashboard reads every decision of every school, and model instances or a per-school subquery were
    most of its time.
    """
    rows = (
        Rating.objects.filter(school_id__in=school_ids, effective_on__lte=today)
        .order_by("school_id", *RATING_ORDER)
        .values_list("school_id", "level_id", "effective_on", "rationale")
    )
    stays: dict[int, _Stay] = {}
    previous: dict[int, int] = {}
    broken: set[int] = set()
    for school_id, level_id, effective_on, rationale in rows:
        if effective_on <= previous_end:
            previous.setdefault(school_id, level_id)
        stay = stays.get(school_id)
        if stay is None:
            stays[school_id] = _Stay(level_id, effective_on, rationale)
        elif school_id not in broken:
            if level_id == stay.level_id:
                stays[school_id] = _Stay(level_id, effective_on, stay.rationale)
            else:
                broken.add(school_id)
    return stays, previous


def _overstay(stay: _Stay | None, expected_months: dict[int, int | None], today: datetime.date) -> Overstay | None:
    """Set when the school has been at its level longer than the level expects."""
    expected = expected_months.get(stay.level_id) if stay else None
    if stay is None or not expected or today <= add_months(stay.since, expected):
        return None
    return {"months": months_between(stay.since, today), "expected_months": expected}


def _movement(level: LevelRef | None, previous: LevelRef | None) -> Movement:
    if level is None:
        return "unrated"
    if previous is None:
        return "new"
    if level["position"] > previous["position"]:
        return "up"
    if level["position"] < previous["position"]:
        return "down"
    return "same"


def _ofsted(row: RadarRow | None, today: datetime.date) -> Ofsted:
    if row is None:
        return {
            "inspected_on": None,
            "outcome": "Not yet inspected",
            "window_from": None,
            "window_to": None,
            "likelihood": "",
            "likely_soon": False,
        }
    return {
        "inspected_on": row.last_inspected_on.isoformat() if row.last_inspected_on else None,
        "outcome": row.last_outcome,
        "window_from": row.window_from.isoformat(),
        "window_to": row.window_to.isoformat(),
        "likelihood": row.likelihood,
        "likely_soon": row.window_from <= add_months(today, 12),
    }


def _versus(measure: measures.Measure, value: float | None, national: float | None) -> str:
    if value is None or national is None:
        return ""
    if value == national:
        return "same"
    return "better" if (value > national) == measure.higher_is_better else "worse"


def _measure_figure(
    measure: measures.Measure,
    values: dict[int, _Value],
    national: dict[tuple[str, int], ComparatorValue],
) -> MeasureFigure:
    years = sorted(values)[-TREND_YEARS:]
    latest = values[years[-1]] if years else None
    nat = national.get((measure.code, latest.academic_year)) if latest else None
    value, national_value = _number(latest.value) if latest else None, _number(nat.value) if nat else None
    trend = []
    for year in years:
        comparator = national.get((measure.code, year))
        trend.append([year, _number(values[year].value), _number(comparator.value) if comparator else None])
    return {
        "code": measure.code,
        "label": measure.label,
        "unit": measure.unit,
        "higher_is_better": measure.higher_is_better,
        "academic_year": latest.academic_year if latest else None,
        "value": value,
        "display": measure.display(latest.value, latest.missing_code) if latest else "no value",
        "national": national_value,
        "national_display": measure.display(nat.value, nat.missing_code) if nat else "no value",
        "versus_national": _versus(measure, value, national_value),
        "trend": trend,
    }


def _trust_measure(
    measure: measures.Measure,
    by_school: dict[int, dict[str, dict[int, _Value]]],
    national: dict[tuple[str, int], ComparatorValue],
) -> TrustMeasure:
    per_year: dict[int, list[Decimal]] = defaultdict(list)
    for values in by_school.values():
        for year, mv in values.get(measure.code, {}).items():
            if mv.value is not None:
                per_year[year].append(mv.value)
    years = sorted(per_year)[-TREND_YEARS:]

    def average(year: int) -> float:
        return round(float(sum(per_year[year]) / len(per_year[year])), 1)

    def national_in(year: int) -> float | None:
        comparator = national.get((measure.code, year))
        return _number(comparator.value) if comparator else None

    latest = years[-1] if years else None
    return {
        "code": measure.code,
        "label": measure.label,
        "unit": measure.unit,
        "higher_is_better": measure.higher_is_better,
        "academic_year": latest,
        "schools_with_value": len(per_year[latest]) if latest else 0,
        "trust_average": average(latest) if latest else None,
        "national": national_in(latest) if latest else None,
        "trend": [[year, average(year), national_in(year)] for year in years],
    }


def _measure_values(school_ids: list[int]) -> dict[int, dict[str, dict[int, _Value]]]:
    """school id -> measure code -> academic year -> value: one query."""
    found: dict[int, dict[str, dict[int, _Value]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        MeasureValue.objects.filter(school_id__in=school_ids, measure__in=KEY_MEASURES)
        .order_by()  # _measure_figure sorts the years; no index could order 120 schools' rows by year
        .values_list("school_id", "measure", "academic_year", "value", "missing_code")
    )
    for school_id, code, year, value, missing_code in rows:
        if value is not None or missing_code:
            found[school_id][code][year] = _Value(year, value, missing_code)
    return found


def _national() -> dict[tuple[str, int], ComparatorValue]:
    rows = ComparatorValue.objects.filter(level=ComparatorLevel.NATIONAL, la_code="", measure__in=KEY_MEASURES)
    return {(c.measure, c.academic_year): c for c in rows}


def _predictions(school_ids: list[int]) -> dict[int, Predictions]:
    """Each school's latest half-term of in-year predictions, averaged: one query."""
    rows = (
        InYearPrediction.objects.filter(school_id__in=school_ids)
        .order_by()
        .values("school_id", "academic_year", "half_term")
        .annotate(average=Avg("percent_on_track"), cells=Count("pk"))
    )
    latest: dict[int, Predictions] = {}
    for row in sorted(rows, key=lambda r: (r["academic_year"], r["half_term"])):
        latest[row["school_id"]] = {
            "academic_year": row["academic_year"],
            "half_term": row["half_term"],
            "half_term_label": f"{HALF_TERMS[row['half_term']]} {academic_year_label(row['academic_year'])}",
            "average_on_track": round(float(row["average"]), 1),
            "cells": row["cells"],
        }
    return latest


def _interventions(school_ids: list[int], today: datetime.date) -> list[Intervention]:
    """Every intervention of the schools with its overdue checkpoints counted: one query."""
    return list(
        Intervention.objects.filter(school_id__in=school_ids)
        # What _intervention_row reads: the descriptions and success criteria stay in the database.
        .only(
            "pk",
            "uuid",
            "school_id",
            "title",
            "status",
            "delivery_model",
            "starts_on",
            "ends_on",
            "impact_practice",
            "impact_systems",
            "impact_organisation",
            "impact_outcomes",
        )
        .annotate(
            overdue=Count(
                "checkpoints",
                filter=Q(checkpoints__due_on__lt=today, checkpoints__recorded_at__isnull=True),
            )
        )
        .order_by("-starts_on", "title", "pk")
    )


def _has_impact(intervention: Intervention) -> bool:
    return intervention.status == InterventionStatus.CLOSED and any(
        field.strip()
        for field in (
            intervention.impact_practice,
            intervention.impact_systems,
            intervention.impact_organisation,
            intervention.impact_outcomes,
        )
    )


def _intervention_row(intervention: Intervention, today: datetime.date) -> InterventionRow:
    return {
        "uuid": str(intervention.uuid),
        "title": intervention.title,
        "status": intervention.status,
        "status_label": intervention.get_status_display(),
        "delivery_model": intervention.delivery_model,
        "delivery_model_label": intervention.get_delivery_model_display(),
        "starts_on": intervention.starts_on.isoformat(),
        "ends_on": intervention.ends_on.isoformat(),
        # Only running interventions have checkpoints that can fall overdue (as on the interventions page).
        "overdue_checkpoints": intervention.overdue if intervention.status == InterventionStatus.ACTIVE else 0,
        "ending_soon": intervention.status == InterventionStatus.ACTIVE
        and today <= intervention.ends_on <= today + datetime.timedelta(days=ENDING_SOON_DAYS),
        "has_impact": _has_impact(intervention),
    }


def _plans(school_ids: list[int], academic_year: int, today: datetime.date) -> dict[int, PlanFigures]:
    """This year's plan of each school with its actions counted: one query."""
    actions = "priorities__actions"
    open_action = ~Q(**{f"{actions}__status": ActionStatus.COMPLETE})
    plans = (
        ImprovementPlan.objects.filter(school_id__in=school_ids, academic_year=academic_year)
        .order_by()
        # Plain values grouped by the three fields read, not every column of the plan.
        .values("pk", "school_id", "academic_year", "status")
        .annotate(
            actions=Count(actions),
            completed=Count(actions, filter=Q(**{f"{actions}__status": ActionStatus.COMPLETE})),
            off_track=Count(actions, filter=Q(**{f"{actions}__status__in": CONCERNS})),
            overdue=Count(actions, filter=open_action & Q(**{f"{actions}__due_on__lt": today})),
        )
    )
    return {
        plan["school_id"]: {
            "academic_year": plan["academic_year"],
            "status": plan["status"],
            "status_label": PlanStatus(plan["status"]).label,
            "actions": plan["actions"],
            "completed": plan["completed"],
            "off_track": plan["off_track"],
            "overdue": plan["overdue"],
            "behind": bool(plan["off_track"] or plan["overdue"]),
        }
        for plan in plans
    }


def _visits(
    school_ids: list[int], term: tuple[str, datetime.date, datetime.date], today: datetime.date
) -> dict[int, VisitFigures]:
    """Visits to each school dated in the term, by outcome: one query."""
    label, start_on, end_on = term
    counts = (
        Activity.objects.filter(school_id__in=school_ids, planned_on__range=(start_on, end_on))
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by()
        .values("school_id")
        .annotate(
            planned=Count("pk"),
            done=Count("pk", filter=Q(status=ActivityStatus.DONE)),
            missed=Count(
                "pk",
                filter=Q(status=ActivityStatus.MISSED) | Q(status=ActivityStatus.PLANNED, planned_on__lt=today),
            ),
        )
    )
    found: dict[int, VisitFigures] = defaultdict(lambda: {"term_label": label, "planned": 0, "done": 0, "missed": 0})
    for row in counts:
        found[row["school_id"]] = {
            "term_label": label,
            "planned": row["planned"],
            "done": row["done"],
            "missed": row["missed"],
        }
    return found


@dataclass(frozen=True)
class _Judged:
    """The fields of a review judgement the heat cell reads (grade, and its review's date)."""

    grade: int
    review: Any


def _latest_review_grades(school_ids: list[int]) -> dict[tuple[int, int], _Judged]:
    """(school id, area id) -> the trust's latest review grade, as reviews.selectors.reviews.latest_review_judgements
    decides it, but numbered newest first per school and area by a window function, as plain values: its
    correlated subquery ran once per judgement (hundreds of milliseconds for a large trust on PostgreSQL), and
    reading every judgement of five years to keep one in five took most of the rest."""
    newest_first = [F("review__reviewed_on").desc(), F("review__created_at").desc(), F("pk").desc()]
    rows = (
        ReviewJudgement.objects.filter(review__school_id__in=school_ids)
        .annotate(
            newest=Window(RowNumber(), partition_by=[F("review__school_id"), F("area_id")], order_by=newest_first)
        )
        .filter(newest=1)
        .order_by()
        .values_list("review__school_id", "area_id", "grade", "review__reviewed_on")
    )
    return {
        (school_id, area_id): _Judged(grade, SimpleNamespace(reviewed_on=reviewed_on))
        for school_id, area_id, grade, reviewed_on in rows
    }


def _sef_statuses(school_ids: list[int], academic_year: int) -> dict[int, str]:
    rows = SelfEvaluation.objects.filter(school_id__in=school_ids, academic_year=academic_year).values_list(
        "school_id", "status"
    )
    return dict(rows)


def _sef_label(status: str) -> str:
    return "Not started" if status == NOT_STARTED else SelfEvaluationStatus(status).label


def _member_schools(trust: Trust, school_ids: Iterable[int] | None) -> list[School]:
    schools = School.objects.filter(trust=trust, status=MembershipStatus.MEMBER).order_by("name", "pk")
    if school_ids is not None:
        schools = schools.filter(pk__in=list(school_ids))
    return list(schools)


def trust_metrics(trust: Trust, *, today: datetime.date, school_ids: Iterable[int] | None = None) -> Metrics:
    """The dashboard document for the trust's member schools (or only those in `school_ids`) on `today`."""
    schools = _member_schools(trust, school_ids)
    # The selectors below filter by these ids: Django would otherwise turn 120 schools into ids once per query.
    member_ids = [school.pk for school in schools]
    current = current_half_term(trust, today)
    academic_year = current.academic_year.start_year
    this_year = half_terms_of_year(trust, academic_year)
    previous_end = _previous_half_term_end(trust, current, this_year)
    term = _term_window(current, this_year)
    # Empty before the trust has chosen a scale.
    scale_levels = list(
        SupportLevel.objects.filter(scale__trust=trust)
        .order_by("position")
        .only("pk", "name", "position", "colour", "expected_duration_months")
    )
    scale = [_level_ref(level) for level in scale_levels]
    levels = {level.pk: _level_ref(level) for level in scale_levels}
    expected_months = {level.pk: level.expected_duration_months for level in scale_levels}
    areas = list(JudgementArea.objects.filter(trust=trust, is_active=True).order_by("position", "pk"))

    stays, previous_level_ids = _stays_and_previous(member_ids, today, previous_end)
    radar = {row.school.pk: row for row in inspection_radar(trust, today, schools=schools)}
    values = _measure_values(member_ids)
    national = _national()
    predictions = _predictions(member_ids)
    interventions = _interventions(member_ids, today)
    plans = _plans(member_ids, academic_year, today)
    visits = _visits(member_ids, term, today)
    sefs = _sef_statuses(member_ids, academic_year)
    judgements = _latest_review_grades(member_ids)
    moderations = latest_moderations(schools)

    interventions_of: dict[int, list[Intervention]] = defaultdict(list)
    for intervention in interventions:
        interventions_of[intervention.school_id].append(intervention)

    rows: list[SchoolRow] = []
    for school in schools:
        stay = stays.get(school.pk)
        level = levels[stay.level_id] if stay else None
        previous = levels.get(previous_level_ids.get(school.pk, 0))
        phase_measures = {m.code for m in measures.for_phase(school.phase)}
        sef_status = sefs.get(school.pk, NOT_STARTED)
        rows.append(
            {
                "uuid": str(school.uuid),
                "name": school.name,
                "urn": school.urn,
                "phase": school.phase,
                "pupils": school.number_of_pupils,
                "level": level,
                "level_since": stay.since.isoformat() if stay else None,
                "rationale": stay.rationale if stay else "",
                "previous_level": previous,
                "movement": _movement(level, previous),
                "overstay": _overstay(stay, expected_months, today),
                "ofsted": _ofsted(radar.get(school.pk), today),
                "measures": [
                    _measure_figure(measures.get(code), values[school.pk].get(code, {}), national)
                    for code in KEY_MEASURES
                    if code in phase_measures
                ],
                "predictions": predictions.get(school.pk),
                "interventions": [
                    _intervention_row(i, today)
                    for i in interventions_of[school.pk]
                    if i.status != InterventionStatus.CANCELLED
                ],
                "plan": plans.get(school.pk),
                "visits": visits[school.pk],
                "sef_status": sef_status,
                "sef_status_label": _sef_label(sef_status),
                "heat": {
                    area.code: heat_cell(
                        area, judgements.get((school.pk, area.pk)), moderations.get((school.pk, area.pk))
                    ).grade
                    for area in areas
                },
            }
        )

    return {
        "schema_version": SCHEMA_VERSION,
        "trust": trust.name,
        "as_of": today.isoformat(),
        "academic_year": academic_year,
        "half_term": current.number,
        "half_term_label": f"{HALF_TERMS[current.number]} {academic_year_label(academic_year)}",
        "previous_half_term_end": previous_end.isoformat(),
        "scale": scale,
        "areas": [{"code": area.code, "label": area.label} for area in areas],
        "headline": _headline(rows),
        "levels": _level_counts(scale, rows),
        "unrated": sum(1 for row in rows if row["level"] is None),
        "ofsted_profile": _ofsted_profile(rows),
        "measures": [_trust_measure(measures.get(code), values, national) for code in KEY_MEASURES],
        "interventions_by_status": _by_status(interventions),
        "interventions_by_model": _by_model(interventions),
        "sef_by_status": _sef_counts(rows),
        "schools": rows,
    }


def _headline(rows: list[SchoolRow]) -> Headline:
    movements = Counter(row["movement"] for row in rows)
    interventions = [i for row in rows for i in row["interventions"]]
    return {
        "schools": len(rows),
        "rated": sum(1 for row in rows if row["level"] is not None),
        "most_support": sum(1 for row in rows if row["level"] and row["level"]["position"] == 1),
        "moved_up": movements["up"],
        "moved_down": movements["down"],
        "overstays": sum(1 for row in rows if row["overstay"]),
        "inspections_likely_soon": sum(1 for row in rows if row["ofsted"]["likely_soon"]),
        "active_interventions": sum(1 for i in interventions if i["status"] in UNDER_WAY),
        "overdue_checkpoints": sum(i["overdue_checkpoints"] for i in interventions),
        "plans_behind": sum(1 for row in rows if row["plan"] and row["plan"]["behind"]),
        "visits_planned": sum(row["visits"]["planned"] for row in rows),
        "visits_done": sum(row["visits"]["done"] for row in rows),
        "visits_missed": sum(row["visits"]["missed"] for row in rows),
        "sef_submitted": sum(
            1 for row in rows if row["sef_status"] in (SelfEvaluationStatus.SUBMITTED, SelfEvaluationStatus.ACCEPTED)
        ),
    }


def _level_counts(scale: list[LevelRef], rows: list[SchoolRow]) -> list[LevelCount]:
    counts = []
    for level in scale:
        here = [row for row in rows if row["level"] and row["level"]["position"] == level["position"]]
        moves = Counter(row["movement"] for row in here)
        counts.append(
            {"level": level, "schools": len(here), "up": moves["up"], "down": moves["down"], "new": moves["new"]}
        )
    return counts


def _ofsted_profile(rows: list[SchoolRow]) -> list[dict[str, Any]]:
    outcomes = Counter(row["ofsted"]["outcome"] for row in rows)
    return [
        {"outcome": outcome, "schools": n} for outcome, n in sorted(outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def _by_status(interventions: list[Intervention]) -> dict[str, int]:
    counts = dict.fromkeys(InterventionStatus.values, 0)
    counts.update(Counter(i.status for i in interventions))
    return counts


def _by_model(interventions: list[Intervention]) -> list[dict[str, Any]]:
    found = []
    for model in DeliveryModel:
        these = [i for i in interventions if i.delivery_model == model and i.status != InterventionStatus.CANCELLED]
        found.append(
            {
                "delivery_model": model.value,
                "label": model.label,
                "total": len(these),
                "active": sum(1 for i in these if i.status in UNDER_WAY),
                "closed": sum(1 for i in these if i.status == InterventionStatus.CLOSED),
                "with_impact": sum(1 for i in these if _has_impact(i)),
            }
        )
    return found


def _sef_counts(rows: list[SchoolRow]) -> dict[str, int]:
    counts = dict.fromkeys([NOT_STARTED, *SelfEvaluationStatus.values], 0)
    counts.update(Counter(row["sef_status"] for row in rows))
    return counts

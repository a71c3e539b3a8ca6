"""The dashboard document: what `reporting.selectors.metrics.trust_metrics` returns and a Snapshot stores.

One plain-JSON document (strings, numbers, booleans, lists, dicts; dates as ISO strings) holds
everything the dashboard, the school summaries and the board pack show, so a pack built from a
frozen snapshot is exactly reproducible. Pages read live documents; trend lines and packs read
snapshots. Bump `SCHEMA_VERSION` when a key changes meaning; readers use `.get` for keys added later.

Support levels: position 1 is the most intensive support. A school "moved up" when its level's
position rose (it needs less support), "moved down" when it fell; "new" when it had no level at
the end of the previous half-term and has one now; "same" otherwise; "unrated" when it has none.
"""

from typing import Literal, TypedDict

SCHEMA_VERSION = 1

Movement = Literal["up", "down", "same", "new", "unrated"]


class LevelRef(TypedDict):
    name: str
    position: int  # 1 = most intensive support
    colour: str  # a RAG colour name where the scale has one, else ""


class Overstay(TypedDict):
    months: int  # months on the current level so far
    expected_months: int  # the level's expected stay


class Ofsted(TypedDict):
    inspected_on: str | None  # ISO date of the latest inspection
    outcome: str  # plain words, e.g. "Good" or "Not yet inspected"
    window_from: str | None  # ISO date: the next inspection's window opens
    window_to: str | None
    likelihood: str  # e.g. "Due now", "Likely this year", "Not yet due" (from the inspection radar)
    likely_soon: bool  # due now, or the window opens within 12 months


class MeasureFigure(TypedDict):
    code: str  # schools.measures code
    label: str
    unit: str  # '%', 'score' or 'progress'
    higher_is_better: bool
    academic_year: int | None  # the latest year with a value
    value: float | None
    display: str  # as the DfE prints it ('63%', '-1.9') or its missing-value code
    national: float | None  # national figure for the same year
    national_display: str
    versus_national: Literal["better", "worse", "same", ""]  # "" when either is missing
    trend: list[list[float | int | None]]  # [[academic_year, value, national], ...] oldest first, up to 5 years


class Predictions(TypedDict):
    academic_year: int
    half_term: int
    half_term_label: str
    average_on_track: float  # mean percent_on_track over the grid
    cells: int


class InterventionRow(TypedDict):
    uuid: str
    title: str
    status: str  # InterventionStatus value
    status_label: str
    delivery_model: str
    delivery_model_label: str
    starts_on: str
    ends_on: str
    overdue_checkpoints: int
    ending_soon: bool  # active and ends within 21 days of as_of
    has_impact: bool  # closed with at least one impact field written


class PlanFigures(TypedDict):
    academic_year: int
    status: str  # PlanStatus value
    status_label: str
    actions: int
    completed: int
    off_track: int
    overdue: int
    behind: bool  # any action off track or overdue


class VisitFigures(TypedDict):
    term_label: str  # e.g. "Autumn 2026"
    planned: int  # all visits to the school dated in the term (any status but cancelled)
    done: int
    missed: int  # dated before as_of, still not done


class SchoolRow(TypedDict):
    uuid: str
    name: str
    urn: int
    phase: str
    pupils: int | None
    level: LevelRef | None
    level_since: str | None  # ISO date the current rating took effect
    rationale: str  # the current rating's rationale
    previous_level: LevelRef | None  # the level at the end of the previous half-term
    movement: Movement
    overstay: Overstay | None  # set only when past the level's expected stay
    ofsted: Ofsted
    measures: list[MeasureFigure]  # the key measures for the school's phase, KEY_MEASURES order
    predictions: Predictions | None  # the latest in-year predictions
    interventions: list[InterventionRow]  # not cancelled, newest start first
    plan: PlanFigures | None  # this academic year's plan
    visits: VisitFigures
    sef_status: str  # SelfEvaluationStatus value, or "not_started"
    sef_status_label: str
    heat: dict[str, int | None]  # judgement area code -> latest grade (1 outstanding .. 4), None if none


class LevelCount(TypedDict):
    level: LevelRef
    schools: int
    up: int  # schools that arrived on this level by moving up
    down: int
    new: int


class TrustMeasure(TypedDict):
    code: str
    label: str
    unit: str
    higher_is_better: bool
    academic_year: int | None
    schools_with_value: int
    trust_average: float | None  # unweighted mean of the schools' values in that year, 1 decimal
    national: float | None
    trend: list[list[float | int | None]]  # [[academic_year, trust_average, national], ...] oldest first


class Headline(TypedDict):
    """The executive summary figures, first on the dashboard and on the pack's cover."""

    schools: int
    rated: int
    most_support: int  # schools on position-1 levels
    moved_up: int
    moved_down: int
    overstays: int
    inspections_likely_soon: int
    active_interventions: int  # commissioned, active or in impact review
    overdue_checkpoints: int  # of active interventions, past due and not recorded
    plans_behind: int
    visits_planned: int
    visits_done: int
    visits_missed: int
    sef_submitted: int  # submitted or reviewed this academic year


class Metrics(TypedDict):
    schema_version: int
    trust: str  # the trust's name
    as_of: str  # ISO date
    academic_year: int
    half_term: int  # 1..6, from the trust's calendar (the next one in a holiday)
    half_term_label: str  # e.g. "Autumn 2 2026/27"
    previous_half_term_end: str  # ISO date the movement is measured from
    scale: list[LevelRef]  # the trust's levels, position order
    areas: list[dict[str, str]]  # [{"code": ..., "label": ...}] the trust's judgement areas, in order
    headline: Headline
    levels: list[LevelCount]  # one per scale level, position order
    unrated: int
    ofsted_profile: list[dict[str, str | int]]  # [{"outcome": "Good", "schools": 3}, ...] most first
    measures: list[TrustMeasure]  # KEY_MEASURES order
    interventions_by_status: dict[str, int]  # InterventionStatus value -> count (every status present)
    interventions_by_model: list[dict[str, str | int]]
    # [{"delivery_model", "label", "total", "active", "closed", "with_impact"}] one per DeliveryModel
    sef_by_status: dict[str, int]  # SelfEvaluationStatus value (or "not_started") -> schools
    schools: list[SchoolRow]  # member schools, by name


# The key measures the dashboard and pack show, in this order; a school shows those of its phase
# (schools.measures.for_phase), the trust all that any school has.
KEY_MEASURES: tuple[str, ...] = (
    "ks2_rwm_expected",
    "ks2_reading_progress",
    "ks2_maths_progress",
    "ks4_attainment8",
    "ks4_progress8",
    "ks4_english_maths_4",
    "overall_absence",
    "persistent_absence",
)


def trust_wide_part(metrics: Metrics) -> dict:
    """The document without its per-school rows: small enough to read many of for trend lines."""
    return {key: value for key, value in metrics.items() if key != "schools"}

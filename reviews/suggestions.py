"""Suggesting a support level: indicators read from a school's record, rules (data on each level) read the indicators.

People decide; the system explains. Each indicator returns a value and a reason in words; a rule
`{"indicator", "op", "value"}` fires when the indicator has a value and the comparison holds.

The suggested level is the most intensive level (lowest `position`) with at least one rule firing;
when none fires, the least intensive level. A missing value (no inspection, no data) fires nothing.

Indicators:

- `ofsted_grade` (1 best - 4 worst): the latest graded inspection. Legacy: overall effectiveness.
  Report card (no overall grade): the worst area, mapped urgent improvement -> 4, needs attention -> 3,
  expected standard -> 2, strong standard or exceptional -> 1; safeguarding "not met" -> 4 whatever
  the areas say, as Ofsted treats it as the most serious finding.
- `attainment_gap`: school minus England on the headline attainment measure for the school's phase
  (KS2 reading, writing and maths at the expected standard, in percentage points; KS4 Attainment 8, in
  points), in the latest year that has both values. Negative means below national.
- `decline_years`: how many of the latest consecutive published results of that measure each fell
  from the one before (years without a result are skipped, e.g. 2019/20 and 2020/21).
- `attendance_gap`: the school's overall absence minus England's, latest year with both, in
  percentage points. Positive means more absence than national (worse).
- `capacity`: capacity for improvement from the latest trust review that recorded one
  (weak, not_yet_good, good, strong).
- `sef_accuracy`: the largest absolute gap, in grades, between the latest submitted self-evaluation's
  self-grades and the trust's latest review judgement of the same area (drafts are not the school's
  position yet, so they are left out).

Everything is read in a fixed number of queries whether for one school or a whole trust
(`suggest_for_schools`).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.db.models import OuterRef, Prefetch, Subquery

from core.academic import academic_year_label
from core.exceptions import ApplicationError
from reviews.models import (
    Capacity,
    Grade,
    Review,
    ReviewJudgement,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from schools import measures
from schools.models import ComparatorLevel, ComparatorValue, Inspection, InspectionEra, LegacyGrade, MeasureValue
from schools.models import ReportCardGrade as RC
from schools.models.inspections import REPORT_CARD_AREAS
from schools.selectors.inspections import latest_inspections
from trust.models import SupportLevel

HEADLINE_MEASURES = ("ks2_rwm_expected", "ks4_attainment8")
ABSENCE_MEASURE = "overall_absence"

# Report-card area grade -> the legacy 1-4 scale the rules read.
REPORT_CARD_TO_OFSTED_GRADE = {
    RC.URGENT_IMPROVEMENT: 4,
    RC.NEEDS_ATTENTION: 3,
    RC.EXPECTED: 2,
    RC.STRONG: 1,
    RC.EXCEPTIONAL: 1,
}

INDICATORS: dict[str, str] = {
    "ofsted_grade": "Ofsted grade",
    "attainment_gap": "Attainment against national",
    "decline_years": "Years of decline",
    "attendance_gap": "Absence against national",
    "capacity": "Capacity for improvement",
    "sef_accuracy": "Self-evaluation gap",
}
INDICATOR_HELP: dict[str, str] = {
    "ofsted_grade": "1 Outstanding to 4 Inadequate; report cards mapped from their worst area",
    "attainment_gap": "school minus England on the headline measure; negative is below national",
    "decline_years": "consecutive latest results that fell",
    "attendance_gap": "school's overall absence minus England's, in points; positive is worse",
    "capacity": "from the latest review: weak, not_yet_good, good or strong",
    "sef_accuracy": "largest gap in grades between self-grades and the trust's review judgements",
}
NUMERIC_INDICATORS = {"ofsted_grade", "attainment_gap", "decline_years", "attendance_gap", "sef_accuracy"}
OPS: dict[str, str] = {">=": "is at least", "<=": "is at most", "==": "is", "in": "is one of"}
CAPACITY_OPS = {"==", "in"}


class IndicatorValue(NamedTuple):
    value: Any
    reason: str


class Fired(NamedTuple):
    rule: dict[str, Any]
    reason: str


@dataclass
class Suggestion:
    """The suggested level, the rules of that level that fired (with reasons) and every indicator's value."""

    level: SupportLevel | None
    fired: list[Fired]
    indicators: dict[str, IndicatorValue]
    fired_by_level: dict[int, list[Fired]] = field(default_factory=dict)
    inspection: Inspection | None = None
    review: Review | None = None
    self_evaluation: SelfEvaluation | None = None

    def reasons_for_storage(self) -> list[dict[str, Any]]:
        """The fired rules as JSON for the rating's snapshot."""
        return [{**_jsonable_rule(f.rule), "reason": f.reason} for f in self.fired]

    def indicator_rows(self) -> list[tuple[str, str, str, str]]:
        """(code, label, shown value, reason) for every indicator, in a fixed order."""
        return [
            (code, INDICATORS[code], _shown(code, self.indicators[code].value), self.indicators[code].reason)
            for code in INDICATORS
            if code in self.indicators
        ]


# --- rules ---------------------------------------------------------------------------------------------


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    return Decimal(str(value))


def validate_rules(rules: Any) -> list[dict[str, Any]]:
    """The rules, checked and normalised; ApplicationError names the first problem."""
    if not isinstance(rules, list):
        raise ApplicationError("Rules must be a list.", {"field": "rules"})
    cleaned = []
    for number, rule in enumerate(rules, start=1):
        where = f"Rule {number}"
        if not isinstance(rule, dict):
            raise ApplicationError(f"{where} must have an indicator, an operator and a value.", {"field": "rules"})
        indicator, op, value = rule.get("indicator"), rule.get("op"), rule.get("value")
        if indicator not in INDICATORS:
            raise ApplicationError(
                f"{where}: unknown indicator '{indicator}'. Use one of: {', '.join(INDICATORS)}.", {"field": "rules"}
            )
        if op not in OPS:
            raise ApplicationError(
                f"{where}: unknown operator '{op}'. Use one of: {', '.join(OPS)}.", {"field": "rules"}
            )
        values = value if op == "in" else [value]
        if op == "in" and (not isinstance(value, list) or not value):
            raise ApplicationError(f"{where}: 'in' needs a list of values.", {"field": "rules"})
        if indicator == "capacity":
            if op not in CAPACITY_OPS:
                raise ApplicationError(f"{where}: capacity can only be compared with == or in.", {"field": "rules"})
            if any(v not in Capacity.values for v in values):
                raise ApplicationError(f"{where}: capacity is one of {', '.join(Capacity.values)}.", {"field": "rules"})
        else:
            try:
                values = [_number(v) for v in values]
            except (InvalidOperation, TypeError, ValueError):
                raise ApplicationError(f"{where}: {indicator} needs a number.", {"field": "rules"}) from None
            values = [int(v) if v == v.to_integral_value() else float(v) for v in values]
        clean = {"indicator": indicator, "op": op, "value": values if op == "in" else values[0]}
        if rule.get("note"):
            clean["note"] = str(rule["note"]).strip()
        cleaned.append(clean)
    return cleaned


def rule_text(rule: dict[str, Any]) -> str:
    """A rule in words: 'Ofsted grade is at least 4'."""
    value = rule["value"]
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if rule["indicator"] == "capacity":
        names = dict(Capacity.choices)
        shown = ", ".join(names.get(v, v) for v in (value if isinstance(value, list) else [value]))
    return f"{INDICATORS.get(rule['indicator'], rule['indicator'])} {OPS.get(rule['op'], rule['op'])} {shown}"


def rule_line(rule: dict[str, Any]) -> str:
    """A rule as one editable line: 'ofsted_grade >= 4', 'capacity in weak, not_yet_good # note'."""
    value = rule["value"]
    shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    line = f"{rule['indicator']} {rule['op']} {shown}"
    return f"{line}  # {rule['note']}" if rule.get("note") else line


def parse_rule_lines(text: str) -> list[dict[str, Any]]:
    """Rules typed one per line ('indicator op value', optional '# note'), validated."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line, _, note = raw.partition("#")
        line = line.strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) != 3:
            raise ApplicationError(
                f"Line {number}: write a rule as 'indicator operator value', e.g. 'ofsted_grade >= 4'.",
                {"field": "rules"},
            )
        indicator, op, value_text = parts
        value: Any = [v.strip() for v in value_text.split(",") if v.strip()] if op == "in" else value_text.strip()
        rule = {"indicator": indicator, "op": op, "value": value}
        if note.strip():
            rule["note"] = note.strip()
        rules.append(rule)
    return validate_rules(rules)


def _fires(rule: dict[str, Any], value: Any) -> bool:
    if value is None:
        return False
    op, target = rule["op"], rule["value"]
    if rule["indicator"] == "capacity":
        return value in target if op == "in" else value == target
    number = _number(value)
    if op == "in":
        return any(number == _number(t) for t in target)
    if op == "==":
        return number == _number(target)
    if op == ">=":
        return number >= _number(target)
    if op == "<=":
        return number <= _number(target)
    return False


def _jsonable_rule(rule: dict[str, Any]) -> dict[str, Any]:
    return {k: rule[k] for k in ("indicator", "op", "value", "note") if k in rule}


def _round(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals))


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _shown(code: str, value: Any) -> str:
    if value is None:
        return "no value"
    if code == "capacity":
        return dict(Capacity.choices).get(value, value)
    if code in {"attainment_gap", "attendance_gap"}:
        return f"{value:+}"
    return str(value)


def choose_level(
    levels: Sequence[SupportLevel], indicators: dict[str, IndicatorValue]
) -> tuple[SupportLevel | None, list[Fired], dict[int, list[Fired]]]:
    """The most intensive level with a rule firing (else the least intensive), its fired rules, all fired."""
    ordered = sorted(levels, key=lambda level: level.position)
    fired_by_level: dict[int, list[Fired]] = {}
    for level in ordered:
        fired = []
        for rule in level.rules or []:
            indicator = indicators.get(rule.get("indicator"))
            if indicator is not None and _fires(rule, indicator.value):
                note = f" (seed: {rule['note']})" if rule.get("note") else ""
                fired.append(Fired(rule, f"{rule_text(rule)}{note}: {indicator.reason}"))
        if fired:
            fired_by_level[level.pk] = fired
    for level in ordered:
        if level.pk in fired_by_level:
            return level, fired_by_level[level.pk], fired_by_level
    return (ordered[-1] if ordered else None), [], fired_by_level


# --- indicators ----------------------------------------------------------------------------------------


def _ofsted(inspection: Inspection | None) -> IndicatorValue:
    if inspection is None:
        return IndicatorValue(None, "No graded inspection on record.")
    when = _day(inspection.inspected_on)
    grades = {j.area: j.grade for j in inspection.judgements.all()}
    if inspection.era == InspectionEra.LEGACY:
        overall = grades.get("overall_effectiveness")
        if overall is None:
            return IndicatorValue(None, f"The inspection of {when} has no overall effectiveness grade.")
        return IndicatorValue(overall, f"{LegacyGrade(overall).label} for overall effectiveness, inspected {when}.")
    if inspection.safeguarding_met is False:
        return IndicatorValue(4, f"Report card of {when}: safeguarding not met, treated as grade 4 (Inadequate).")
    if not grades:
        return IndicatorValue(None, f"The report card of {when} has no area grades recorded.")
    worst = max(grades.values())
    mapped = REPORT_CARD_TO_OFSTED_GRADE[RC(worst)]
    areas = ", ".join(REPORT_CARD_AREAS.get(a, a) for a, g in grades.items() if g == worst)
    return IndicatorValue(
        mapped,
        f"Report card of {when}: worst area {RC(worst).label.lower()} ({areas}), "
        f"treated as grade {mapped} ({LegacyGrade(mapped).label}).",
    )


def _headline_codes(phase: str) -> list[str]:
    for_phase = {m.code for m in measures.for_phase(phase)}
    return [code for code in HEADLINE_MEASURES if code in for_phase]


def _latest_gap(
    code: str, school_values: dict[int, Decimal], national: dict[tuple[str, int], Decimal]
) -> tuple[int, Decimal, Decimal] | None:
    years = [y for y in sorted(school_values, reverse=True) if (code, y) in national]
    if not years:
        return None
    year = years[0]
    return year, school_values[year], national[(code, year)]


def _attainment(
    phase: str, values: dict[str, dict[int, Decimal]], national: dict[tuple[str, int], Decimal]
) -> tuple[IndicatorValue, str | None]:
    candidates = _headline_codes(phase)
    for code in candidates:
        found = _latest_gap(code, values.get(code, {}), national)
        if found is None:
            continue
        year, school, england = found
        measure = measures.get(code)
        gap = _round(school - england, measure.decimals)
        unit = "percentage points" if measure.unit == "%" else "points"
        return (
            IndicatorValue(
                gap,
                f"{measure.label}: {measure.display(school)} against England's {measure.display(england)} "
                f"in {academic_year_label(year)} ({gap:+} {unit}).",
            ),
            code,
        )
    with_values = next((c for c in candidates if values.get(c)), None)
    return IndicatorValue(None, "No headline attainment result with an England figure for the same year."), with_values


def _decline(code: str | None, values: dict[str, dict[int, Decimal]]) -> IndicatorValue:
    series = sorted(values.get(code, {}).items()) if code else []
    if len(series) < 2:
        return IndicatorValue(None, "Fewer than two years of headline results.")
    measure = measures.get(code)
    falls = 0
    for (_, later), (_, earlier) in zip(reversed(series[1:]), reversed(series[:-1]), strict=True):
        fell = later < earlier if measure.higher_is_better else later > earlier
        if not fell:
            break
        falls += 1
    shown = ", ".join(f"{academic_year_label(y)} {measure.display(v)}" for y, v in series[-(falls + 1) :])
    if falls == 0:
        (y1, v1), (y0, v0) = series[-1], series[-2]
        return IndicatorValue(
            0,
            f"{measure.label} did not fall in the latest year ({academic_year_label(y1)} {measure.display(v1)}, "
            f"{academic_year_label(y0)} {measure.display(v0)}).",
        )
    return IndicatorValue(
        falls, f"{measure.label} fell {falls} year{'s' if falls > 1 else ''} running ({shown}, oldest first)."
    )


def _attendance(values: dict[str, dict[int, Decimal]], national: dict[tuple[str, int], Decimal]) -> IndicatorValue:
    found = _latest_gap(ABSENCE_MEASURE, values.get(ABSENCE_MEASURE, {}), national)
    if found is None:
        return IndicatorValue(None, "No overall absence figure with an England figure for the same year.")
    year, school, england = found
    gap = _round(school - england, measures.get(ABSENCE_MEASURE).decimals)
    side = "more" if gap > 0 else "less" if gap < 0 else "the same"
    return IndicatorValue(
        gap,
        f"Overall absence {_plain(school)}% against England's {_plain(england)}% in {academic_year_label(year)} "
        f"({gap:+} points: {side} absence than national).",
    )


def _capacity(review: Review | None) -> IndicatorValue:
    if review is None:
        return IndicatorValue(None, "No trust review has recorded capacity for improvement.")
    return IndicatorValue(
        review.capacity,
        f"Capacity for improvement judged {review.get_capacity_display().lower()} in the "
        f"{review.get_review_type_display().lower()} of {_day(review.reviewed_on)}.",
    )


def _sef(sef: SelfEvaluation | None, trust_grades: dict[int, tuple[int, datetime.date]]) -> IndicatorValue:
    if sef is None:
        return IndicatorValue(None, "No submitted self-evaluation.")
    gaps = []
    for entry in sef.entries.all():
        if entry.self_grade is None or entry.area_id not in trust_grades:
            continue
        trust_grade, reviewed_on = trust_grades[entry.area_id]
        gaps.append((abs(entry.self_grade - trust_grade), entry, trust_grade, reviewed_on))
    if not gaps:
        return IndicatorValue(
            None,
            f"No area of the {academic_year_label(sef.academic_year)} self-evaluation "
            "is also judged by a trust review.",
        )
    gap, entry, trust_grade, reviewed_on = max(gaps, key=lambda g: (g[0], -g[1].area.position))
    if gap == 0:
        return IndicatorValue(
            0,
            f"The {academic_year_label(sef.academic_year)} self-evaluation matches the trust's judgement in all "
            f"{len(gaps)} area{'s' if len(gaps) > 1 else ''} both have graded.",
        )
    return IndicatorValue(
        gap,
        f"{entry.area.label}: the school's {academic_year_label(sef.academic_year)} self-evaluation says "
        f"{Grade(entry.self_grade).label.lower()}, the trust's review of {_day(reviewed_on)} says "
        f"{Grade(trust_grade).label.lower()} ({gap} grade{'s' if gap > 1 else ''} apart).",
    )


# --- reading ---------------------------------------------------------------------------------------------


@dataclass
class _Data:
    inspections: dict[int, Inspection]
    values: dict[int, dict[str, dict[int, Decimal]]]
    national: dict[tuple[str, int], Decimal]
    reviews: dict[int, Review]
    sefs: dict[int, SelfEvaluation]
    trust_grades: dict[int, dict[int, tuple[int, datetime.date]]]
    levels: dict[int, list[SupportLevel]]


def _read(schools: Sequence[Any]) -> _Data:
    ids = [s.pk for s in schools]
    trust_ids = {s.trust_id for s in schools}
    codes = [*HEADLINE_MEASURES, ABSENCE_MEASURE]

    inspections = latest_inspections(schools, graded=True)  # 2 queries

    values: dict[int, dict[str, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    rows = MeasureValue.objects.filter(school__in=ids, measure__in=codes, value__isnull=False).values_list(
        "school_id", "measure", "academic_year", "value"
    )
    for school_id, code, year, value in rows:
        values[school_id][code][year] = value
    national = {
        (code, year): value
        for code, year, value in ComparatorValue.objects.filter(
            level=ComparatorLevel.NATIONAL, measure__in=codes, value__isnull=False
        ).values_list("measure", "academic_year", "value")
    }

    latest_review = (
        Review.objects.filter(school=OuterRef("school"))
        .exclude(capacity="")
        .order_by("-reviewed_on", "-created_at")
        .values("pk")[:1]
    )
    reviews = {r.school_id: r for r in Review.objects.filter(school__in=ids, pk=Subquery(latest_review))}

    latest_sef = (
        SelfEvaluation.objects.filter(school=OuterRef("school"))
        .exclude(status=SelfEvaluationStatus.DRAFT)
        .order_by("-academic_year")
        .values("pk")[:1]
    )
    entries = SelfEvaluationEntry.objects.select_related("area").order_by("area__position")
    sefs = {
        s.school_id: s
        for s in SelfEvaluation.objects.filter(school__in=ids, pk=Subquery(latest_sef)).prefetch_related(
            Prefetch("entries", queryset=entries)
        )
    }

    trust_grades: dict[int, dict[int, tuple[int, datetime.date]]] = defaultdict(dict)
    judgements = (
        ReviewJudgement.objects.filter(review__school__in=ids)
        .order_by("-review__reviewed_on", "-review__created_at")
        .values_list("review__school_id", "area_id", "grade", "review__reviewed_on")
    )
    for school_id, area_id, grade, reviewed_on in judgements:
        trust_grades[school_id].setdefault(area_id, (grade, reviewed_on))  # newest first: keep the first

    levels: dict[int, list[SupportLevel]] = defaultdict(list)
    for level in SupportLevel.objects.filter(scale__trust_id__in=trust_ids).select_related("scale"):
        levels[level.scale.trust_id].append(level)

    return _Data(inspections, values, national, reviews, sefs, trust_grades, levels)


def _suggest(school: Any, data: _Data) -> Suggestion:
    values = data.values.get(school.pk, {})
    attainment, headline = _attainment(school.phase, values, data.national)
    indicators = {
        "ofsted_grade": _ofsted(data.inspections.get(school.pk)),
        "attainment_gap": attainment,
        "decline_years": _decline(headline, values),
        "attendance_gap": _attendance(values, data.national),
        "capacity": _capacity(data.reviews.get(school.pk)),
        "sef_accuracy": _sef(data.sefs.get(school.pk), data.trust_grades.get(school.pk, {})),
    }
    level, fired, fired_by_level = choose_level(data.levels.get(school.trust_id, []), indicators)
    return Suggestion(
        level=level,
        fired=fired,
        indicators=indicators,
        fired_by_level=fired_by_level,
        inspection=data.inspections.get(school.pk),
        review=data.reviews.get(school.pk),
        self_evaluation=data.sefs.get(school.pk),
    )


def suggest_for_schools(schools: Iterable[Any]) -> dict[int, Suggestion]:
    """Each school's suggestion, keyed by school id, in a fixed number of queries (10) however many schools."""
    schools = list(schools)
    if not schools:
        return {}
    data = _read(schools)
    return {school.pk: _suggest(school, data) for school in schools}


def suggest_for_school(school: Any) -> Suggestion:
    """The suggested level for one school, with the rules that fired and every indicator's value and reason."""
    return suggest_for_schools([school])[school.pk]

"""Reading inspections: each school's latest, and the inspection radar (when Ofsted is likely next).

The radar's rule (a planning estimate, not Ofsted's schedule):

- The outcome is that of the school's last *graded* inspection: a legacy inspection with an
  overall effectiveness grade, or any report-card inspection.
- Outstanding or Good, or a report card with every area at expected standard or better and
  safeguarding met: the next inspection is due within about four years (`CYCLE_GOOD`). An
  ungraded inspection since restarts that clock (Ofsted visits such schools roughly every four
  years, graded or not).
- Requires improvement, or a report card with an area that "needs attention": within about
  30 months of the graded inspection (`CYCLE_REQUIRES_IMPROVEMENT`, `CYCLE_NEEDS_ATTENTION`).
- Inadequate, or a report card with "urgent improvement" or safeguarding not met: monitoring
  begins within months (`CYCLE_INADEQUATE`, `CYCLE_URGENT_IMPROVEMENT`).
- Never graded under its current URN (a new academy; an inspection dated before the school
  opened was its predecessor's): within about three years of opening, or of joining the trust
  when the opening date is unknown (`CYCLE_NEW_SCHOOL`). With neither date, it is treated as due.

Each cycle is (months until the window opens, months until it closes). Likelihood: "this academic
year" if the window opens before the current academic year ends (1 September - 31 August),
including overdue schools; "next academic year" if it opens during the next one; otherwise "later".
"""

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from core.academic import academic_year_for
from schools.models import (
    Inspection,
    InspectionEra,
    InspectionJudgement,
    LegacyGrade,
    MembershipStatus,
    ReportCardGrade,
    School,
)
from schools.models.inspections import REPORT_CARD_AREAS
from trust.models import Trust

CYCLE_GOOD = (36, 48)
CYCLE_REQUIRES_IMPROVEMENT = (18, 30)
CYCLE_INADEQUATE = (3, 12)
CYCLE_NEEDS_ATTENTION = (18, 30)
CYCLE_URGENT_IMPROVEMENT = (3, 12)
CYCLE_NEW_SCHOOL = (24, 36)

THIS_YEAR = "this academic year"
NEXT_YEAR = "next academic year"
LATER = "later"

Grades = dict[str, int]  # an inspection's grade per area


def latest_inspections(schools: Iterable[School] | QuerySet[School], *, graded: bool = False) -> dict[int, Inspection]:
    """Each school's most recent inspection (or most recent graded one), judgements prefetched: two queries."""
    school_ids = [s.pk for s in schools] if not isinstance(schools, QuerySet) else schools.values("pk")
    candidates = Inspection.objects.filter(school=OuterRef("school"))
    if graded:
        candidates = candidates.filter(_graded())
    latest = candidates.order_by("-inspected_on", "-pk").values("pk")[:1]
    inspections = Inspection.objects.filter(school__in=school_ids, pk=Subquery(latest)).prefetch_related(
        Prefetch("judgements", queryset=InspectionJudgement.objects.order_by("id"))
    )
    return {i.school_id: i for i in inspections}


def _graded() -> Q:
    overall = InspectionJudgement.objects.filter(inspection=OuterRef("pk"), area="overall_effectiveness")
    return Q(era=InspectionEra.REPORT_CARD) | Q(Exists(overall))


def outcome_words(inspection: Inspection, grades: Grades | None = None) -> str:
    """The outcome in its era's words: 'Good', or a report card's grades with any area of concern named.
    `grades` when the caller read them already, else from the inspection's (prefetched) judgements."""
    if grades is None:
        grades = {j.area: j.grade for j in inspection.judgements.all()}
    if inspection.era == InspectionEra.LEGACY:
        overall = grades.get("overall_effectiveness")
        return LegacyGrade(overall).label if overall else "Not graded"
    if not grades:
        words = "Report card (no areas recorded)"
    else:
        parts = []
        for grade in sorted(set(grades.values())):
            areas = [REPORT_CARD_AREAS.get(a, a) for a, g in grades.items() if g == grade]
            label = ReportCardGrade(grade).label
            if grade >= ReportCardGrade.NEEDS_ATTENTION:
                parts.append(f"{label}: {', '.join(areas)}")
            else:
                parts.append(f"{label} in {len(areas)} area{'s' if len(areas) > 1 else ''}")
        words = "; ".join(parts)
    if inspection.safeguarding_met is not None:
        words += "; safeguarding met" if inspection.safeguarding_met else "; safeguarding not met"
    return words


@dataclass(frozen=True)
class RadarRow:
    school: School
    last_inspected_on: datetime.date | None
    last_outcome: str
    window_from: datetime.date
    window_to: datetime.date
    likelihood: str
    reason: str


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _cycle(graded: Inspection, grades: Grades) -> tuple[tuple[int, int], str]:
    if graded.era == InspectionEra.LEGACY:
        overall = grades["overall_effectiveness"]
        if overall >= LegacyGrade.INADEQUATE:
            return CYCLE_INADEQUATE, "Inadequate: monitoring inspections usually begin within months"
        if overall == LegacyGrade.REQUIRES_IMPROVEMENT:
            return CYCLE_REQUIRES_IMPROVEMENT, "Requires improvement: usually re-inspected within about 30 months"
        return CYCLE_GOOD, f"{LegacyGrade(overall).label}: usually inspected again within about four years"
    worst = max(grades.values(), default=ReportCardGrade.EXPECTED)
    if worst >= ReportCardGrade.URGENT_IMPROVEMENT or graded.safeguarding_met is False:
        return CYCLE_URGENT_IMPROVEMENT, "Report card with urgent improvement or safeguarding not met: monitoring soon"
    if worst == ReportCardGrade.NEEDS_ATTENTION:
        return CYCLE_NEEDS_ATTENTION, "Report card with an area that needs attention: expected back within 30 months"
    return CYCLE_GOOD, "Report card at expected standard or better: usually inspected again within about four years"


def _likelihood(window_from: datetime.date, today: datetime.date) -> str:
    year = academic_year_for(today)
    if window_from <= datetime.date(year + 1, 8, 31):
        return THIS_YEAR
    if window_from <= datetime.date(year + 2, 8, 31):
        return NEXT_YEAR
    return LATER


@dataclass(frozen=True)
class _Latest:
    """Each school's most recent inspection and most recent graded one, and the grades of every inspection read."""

    inspection: dict[int, Inspection]
    graded: dict[int, Inspection]
    grades: dict[int, Grades]


def _latest_and_latest_graded(schools: list[School]) -> _Latest:
    """Each school's most recent inspection and most recent graded one (as `latest_inspections` picks them),
    from one read of all their inspections and one of their grades as plain values: two queries, where asking
    for each takes two correlated subqueries, and prefetching the judgements built a model and a queryset per
    row, most of the radar's time. A school has a handful of inspections, so reading them all costs little."""
    school_ids = [school.pk for school in schools]
    inspections = (
        Inspection.objects.filter(school_id__in=school_ids)
        .order_by("school_id", "-inspected_on", "-pk")
        # What the radar and outcome_words() read; the notes and the rest stay in the database.
        .only("pk", "school_id", "inspected_on", "era", "safeguarding_met")
    )
    found = _Latest({}, {}, {})
    rows = InspectionJudgement.objects.filter(inspection__school_id__in=school_ids).order_by("id")
    for inspection_id, area, grade in rows.values_list("inspection_id", "area", "grade"):
        found.grades.setdefault(inspection_id, {})[area] = grade
    for inspection in inspections:
        found.inspection.setdefault(inspection.school_id, inspection)
        grades = found.grades.get(inspection.pk, {})
        if inspection.school_id not in found.graded and (
            inspection.era == InspectionEra.REPORT_CARD or "overall_effectiveness" in grades
        ):
            found.graded[inspection.school_id] = inspection
    return found


def inspection_radar(trust: Trust, today: datetime.date, *, schools: list[School] | None = None) -> list[RadarRow]:
    """Every open member school of the trust with its expected inspection window, soonest first (3 queries;
    2 when the caller has the trust's schools already and passes them)."""
    if schools is None:
        schools = list(School.objects.filter(trust=trust, is_open=True).exclude(status=MembershipStatus.LEFT))
    else:
        schools = [s for s in schools if s.trust_id == trust.pk and s.is_open and s.status != MembershipStatus.LEFT]
    found = _latest_and_latest_graded(schools)
    rows = []
    for school in schools:
        last, last_graded = found.inspection.get(school.pk), found.graded.get(school.pk)
        # An inspection from before the school opened was of its predecessor, not of this URN.
        started = school.opened_on or school.joined_trust_on
        if last_graded is not None and (school.opened_on is None or last_graded.inspected_on >= school.opened_on):
            (opens, closes), why = _cycle(last_graded, found.grades.get(last_graded.pk, {}))
            clock = last_graded.inspected_on
            if (opens, closes) == CYCLE_GOOD and last is not None and last.inspected_on > clock:
                clock = last.inspected_on
                why += f"; clock restarted by the ungraded inspection of {clock:%d %b %Y}"
            else:
                why += f"; from the inspection of {clock:%d %b %Y}"
            outcome = outcome_words(last_graded, found.grades.get(last_graded.pk, {}))
        elif started is not None:
            (opens, closes), clock = CYCLE_NEW_SCHOOL, started
            why = f"Not yet inspected since it opened or joined on {started:%d %b %Y}: first within about three years"
            outcome = "Not yet inspected" if last is None else outcome_words(last, found.grades.get(last.pk, {}))
        else:
            opens = closes = 0
            clock = today
            why = "No inspection and no opening or joining date on record: treated as due"
            outcome = "Not yet inspected"
        window_from, window_to = _add_months(clock, opens), _add_months(clock, closes)
        if window_to < today:
            why += f"; overdue since {window_to:%d %b %Y}"
        rows.append(
            RadarRow(
                school=school,
                last_inspected_on=last.inspected_on if last else None,
                last_outcome=outcome,
                window_from=window_from,
                window_to=window_to,
                likelihood=_likelihood(window_from, today),
                reason=why + ".",
            )
        )
    rows.sort(key=lambda r: (r.window_to, r.school.name))
    return rows

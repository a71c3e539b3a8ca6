"""Judgements side by side: the school's self-grade, the trust's judgement and Ofsted's, per area; the heat map.

Ofsted's report-card grades share the five-point scale and are shown in their own words. Legacy grades
(1 Outstanding to 4 Inadequate) are a different scale: they are returned separately as history and
are never placed on, or translated onto, the five-point scale.

The school's self-grade comes from its latest submitted self-evaluation (submitted, returned or
accepted; a draft is the school's work in progress) of the current or previous academic year.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from core.academic import academic_year_for, academic_year_label
from reviews.models import (
    Grade,
    JudgementArea,
    Moderation,
    ReviewJudgement,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from reviews.selectors.reviews import latest_review_judgements
from reviews.services.areas import judgement_areas_ensure
from schools.models import Inspection, InspectionEra, InspectionJudgement, LegacyGrade, MembershipStatus, School
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS, ReportCardGrade
from trust.models import Trust

SEF_COUNTED = (SelfEvaluationStatus.SUBMITTED, SelfEvaluationStatus.RETURNED, SelfEvaluationStatus.ACCEPTED)


def grade_words(grade: int | None) -> str:
    return Grade(grade).label if grade else ""


@dataclass
class GridRow:
    """One area of one school: what the school, the trust and Ofsted say, and any moderation."""

    area: JudgementArea
    school_grade: int | None = None
    trust: ReviewJudgement | None = None
    ofsted_grade: int | None = None
    moderation: Moderation | None = None

    @property
    def school_words(self) -> str:
        return grade_words(self.school_grade)

    @property
    def trust_grade(self) -> int | None:
        return self.trust.grade if self.trust else None

    @property
    def trust_words(self) -> str:
        return grade_words(self.trust_grade)

    @property
    def ofsted_words(self) -> str:
        return ReportCardGrade(self.ofsted_grade).label if self.ofsted_grade else ""

    @property
    def gap(self) -> int | None:
        """Steps between the school's self-grade and the trust's judgement; negative when the school is kinder."""
        if self.school_grade is None or self.trust_grade is None:
            return None
        return self.school_grade - self.trust_grade

    @property
    def disagreement(self) -> bool:
        return bool(self.gap)

    @property
    def disagreement_words(self) -> str:
        gap = self.gap
        if not gap:
            return ""
        steps = f"{abs(gap)} step{'s' if abs(gap) > 1 else ''}"
        if gap < 0:
            return f"The school judges itself more favourably than the trust, by {steps}."
        return f"The school judges itself less favourably than the trust, by {steps}."

    @property
    def moderation_is_current(self) -> bool:
        """The latest moderation discussed exactly the grades that stand now (neither has changed since)."""
        m = self.moderation
        return m is not None and m.school_grade == self.school_grade and m.trust_grade == self.trust_grade


@dataclass
class SchoolGrid:
    school: School
    rows: list[GridRow]
    self_evaluation: SelfEvaluation | None = None
    report_card: Inspection | None = None
    legacy: Inspection | None = None
    legacy_judgements: list[tuple[str, str]] = field(default_factory=list)

    @property
    def sef_label(self) -> str:
        sef = self.self_evaluation
        return f"{academic_year_label(sef.academic_year)} ({sef.get_status_display().lower()})" if sef else ""

    @property
    def disagreements(self) -> int:
        return sum(1 for row in self.rows if row.disagreement)


def _ids(schools: Iterable[School] | QuerySet[School]) -> object:
    return schools.values("pk") if isinstance(schools, QuerySet) else [s.pk for s in schools]


def latest_self_evaluations(
    schools: Iterable[School] | QuerySet[School], today: datetime.date
) -> tuple[dict[int, SelfEvaluation], dict[tuple[int, int], int | None]]:
    """Each school's latest submitted SEF of this or last academic year, and its self-grade per area: one query."""
    year = academic_year_for(today)
    entries = (
        SelfEvaluationEntry.objects.filter(
            self_evaluation__school__in=_ids(schools),
            self_evaluation__academic_year__in=(year, year - 1),
            self_evaluation__status__in=SEF_COUNTED,
        )
        .select_related("self_evaluation")
        .order_by("self_evaluation__school_id", "-self_evaluation__academic_year")
    )
    sefs: dict[int, SelfEvaluation] = {}
    grades: dict[tuple[int, int], int | None] = {}
    for entry in entries:
        sef = entry.self_evaluation
        chosen = sefs.setdefault(sef.school_id, sef)
        if chosen.pk == sef.pk:
            grades[(sef.school_id, entry.area_id)] = entry.self_grade
    return sefs, grades


def latest_moderations(schools: Iterable[School] | QuerySet[School]) -> dict[tuple[int, int], Moderation]:
    """The latest moderation per (school id, area id): one query."""
    latest = (
        Moderation.objects.filter(school=OuterRef("school"), area=OuterRef("area"))
        .order_by("-moderated_on", "-created_at", "-pk")
        .values("pk")[:1]
    )
    moderations = Moderation.objects.filter(school__in=_ids(schools), pk=Subquery(latest)).select_related(
        "moderated_by"
    )
    return {(m.school_id, m.area_id): m for m in moderations}


def latest_inspections_by_era(schools: Iterable[School] | QuerySet[School]) -> dict[tuple[int, str], Inspection]:
    """Each school's latest report card and latest graded legacy inspection, by (school id, era): two queries."""
    graded = Exists(InspectionJudgement.objects.filter(inspection=OuterRef("pk")))

    def latest(era: str) -> Subquery:
        return Subquery(
            Inspection.objects.filter(graded, school=OuterRef("school"), era=era)
            .order_by("-inspected_on", "-pk")
            .values("pk")[:1]
        )

    inspections = (
        Inspection.objects.filter(school__in=_ids(schools))
        .filter(Q(pk=latest(InspectionEra.REPORT_CARD)) | Q(pk=latest(InspectionEra.LEGACY)))
        .prefetch_related("judgements")
    )
    return {(i.school_id, i.era): i for i in inspections}


def judgement_grids(
    schools: Sequence[School], *, trust: Trust, today: datetime.date, areas: list[JudgementArea] | None = None
) -> list[SchoolGrid]:
    """The side-by-side grid for each school, in a fixed number of queries whatever the number of schools."""
    areas = areas if areas is not None else judgement_areas_ensure(trust=trust)
    sefs, self_grades = latest_self_evaluations(schools, today)
    trust_judgements = latest_review_judgements(schools)
    inspections = latest_inspections_by_era(schools)
    moderations = latest_moderations(schools)
    grids = []
    for school in schools:
        report_card = inspections.get((school.pk, InspectionEra.REPORT_CARD))
        legacy = inspections.get((school.pk, InspectionEra.LEGACY))
        ofsted = {j.area: j.grade for j in report_card.judgements.all()} if report_card else {}
        rows = [
            GridRow(
                area=area,
                school_grade=self_grades.get((school.pk, area.pk)),
                trust=trust_judgements.get((school.pk, area.pk)),
                # Only a report-card area with the same code is on the same scale; nothing else is matched.
                ofsted_grade=ofsted.get(area.code) if area.code in REPORT_CARD_AREAS else None,
                moderation=moderations.get((school.pk, area.pk)),
            )
            for area in areas
        ]
        history = (
            [(LEGACY_AREAS.get(j.area, j.area), LegacyGrade(j.grade).label) for j in legacy.judgements.all()]
            if legacy
            else []
        )
        grids.append(
            SchoolGrid(
                school=school,
                rows=rows,
                self_evaluation=sefs.get(school.pk),
                report_card=report_card,
                legacy=legacy,
                legacy_judgements=history,
            )
        )
    return grids


def school_grid(school: School, *, today: datetime.date) -> SchoolGrid:
    """One school's side-by-side grid."""
    return judgement_grids([school], trust=school.trust, today=today)[0]


def current_grades(*, school: School, area: JudgementArea, today: datetime.date) -> tuple[int | None, int | None]:
    """(the school's self-grade, the trust's latest judgement) for one area as they stand today."""
    _, self_grades = latest_self_evaluations([school], today)
    judgement = latest_review_judgements([school]).get((school.pk, area.pk))
    return self_grades.get((school.pk, area.pk)), judgement.grade if judgement else None


@dataclass(frozen=True)
class HeatCell:
    area: JudgementArea
    grade: int | None
    source: str  # "review", "moderation" or "" when the area has not been judged
    on: datetime.date | None

    @property
    def words(self) -> str:
        return grade_words(self.grade)

    @property
    def source_words(self) -> str:
        return {"review": "Trust review", "moderation": "Agreed at moderation"}.get(self.source, "")


@dataclass(frozen=True)
class HeatRow:
    school: School
    cells: list[HeatCell]


@dataclass(frozen=True)
class HeatMap:
    areas: list[JudgementArea]
    rows: list[HeatRow]

    def counts(self) -> list[tuple[int, str, int]]:
        """How many cells carry each grade, for the legend."""
        grades = [cell.grade for row in self.rows for cell in row.cells]
        return [(g.value, g.label, grades.count(g.value)) for g in Grade]


def heat_cell(area: JudgementArea, judgement: ReviewJudgement | None, moderation: Moderation | None) -> HeatCell:
    # An agreed moderation counts from its date; a later review supersedes it.
    if moderation is not None and (judgement is None or moderation.moderated_on >= judgement.review.reviewed_on):
        return HeatCell(area, moderation.agreed_grade, "moderation", moderation.moderated_on)
    if judgement is not None:
        return HeatCell(area, judgement.grade, "review", judgement.review.reviewed_on)
    return HeatCell(area, None, "", None)


def heat_map(trust: Trust) -> HeatMap:
    """Member schools by judgement areas, each cell the trust's latest judgement: five reads however many schools."""
    areas = judgement_areas_ensure(trust=trust)
    schools = list(School.objects.filter(trust=trust, status=MembershipStatus.MEMBER).order_by("name", "pk"))
    judgements = latest_review_judgements(schools)
    moderations = latest_moderations(schools)
    rows = [
        HeatRow(
            school=school,
            cells=[
                heat_cell(area, judgements.get((school.pk, area.pk)), moderations.get((school.pk, area.pk)))
                for area in areas
            ],
        )
        for school in schools
    ]
    return HeatMap(areas=areas, rows=rows)

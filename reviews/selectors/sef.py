"""Reads for self-evaluation: one school's SEF for a year, its sections, and the trust's status list."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from reviews.models import (
    Evidence,
    Grade,
    JudgementArea,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.models import Membership

NO_SEF = "none"
STATUS_WORDS = {**dict(SelfEvaluationStatus.choices), NO_SEF: "Not started"}


def sef_for(school: School, academic_year: int) -> SelfEvaluation | None:
    """The school's SEF for that year with its entries, areas and linked evidence (four queries)."""
    entries = SelfEvaluationEntry.objects.select_related("area").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("school").order_by("-observed_on"))
    )
    return (
        SelfEvaluation.objects.filter(school=school, academic_year=academic_year)
        .select_related("school", "submitted_by", "reviewed_by")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .first()
    )


@dataclass
class SefSection:
    area: JudgementArea
    entry: SelfEvaluationEntry | None = None
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def grade_words(self) -> str:
        if self.entry is None or self.entry.self_grade is None:
            return "Not graded"
        return Grade(self.entry.self_grade).label


def sef_sections(sef: SelfEvaluation | None, areas: list[JudgementArea]) -> list[SefSection]:
    """One section per active area, in order, then any retired area the SEF still has an entry for."""
    entries = {e.area_id: e for e in sef.entries.all()} if sef is not None else {}
    sections = [SefSection(area=a, entry=entries.pop(a.pk, None)) for a in areas]
    sections += [SefSection(area=e.area, entry=e) for e in sorted(entries.values(), key=lambda e: e.area.position)]
    for section in sections:
        section.evidence = list(section.entry.evidence.all()) if section.entry is not None else []
    return sections


def missing_areas(sef: SelfEvaluation | None, areas: list[JudgementArea]) -> list[JudgementArea]:
    """The active areas without a self-grade yet."""
    graded = {e.area_id for e in sef.entries.all() if e.self_grade is not None} if sef is not None else set()
    return [a for a in areas if a.pk not in graded]


def sef_years(school: School, current_year: int) -> list[int]:
    """The years the school has a SEF for, and the current year, newest first."""
    years = set(SelfEvaluation.objects.filter(school=school).values_list("academic_year", flat=True))
    return sorted(years | {current_year}, reverse=True)


def sef_status_list(membership: Membership, academic_year: int) -> QuerySet[School]:
    """The schools the member may see, each annotated with that year's SEF status (one query)."""
    sef = SelfEvaluation.objects.filter(school=OuterRef("pk"), academic_year=academic_year)
    return schools_visible_to(membership).annotate(
        sef_status=Subquery(sef.values("status")[:1]),
        sef_submitted_at=Subquery(sef.values("submitted_at")[:1]),
        sef_reviewed_at=Subquery(sef.values("reviewed_at")[:1]),
        sef_updated_at=Subquery(sef.values("updated_at")[:1]),
    )


def sef_status_counts(schools: list[School]) -> list[tuple[str, str, int]]:
    """(status, words, number of schools) for each status, 'not started' last."""
    counts = dict.fromkeys([*SelfEvaluationStatus.values, NO_SEF], 0)
    for school in schools:
        counts[school.sef_status or NO_SEF] += 1
    return [(status, STATUS_WORDS[status], count) for status, count in counts.items()]

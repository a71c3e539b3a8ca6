from schools.models.imports import ImportFile, ImportKind, ImportRun, ImportStatus
from schools.models.inspections import (
    Inspection,
    InspectionEra,
    InspectionJudgement,
    InspectionSource,
    LegacyGrade,
    ReportCardGrade,
)
from schools.models.joining import RAG, DueDiligenceFinding, DueDiligenceReport, InductionItem
from schools.models.performance import ComparatorLevel, ComparatorValue, InYearPrediction, MeasureValue
from schools.models.school import MembershipStatus, School, SchoolLink

__all__ = [
    "RAG",
    "ComparatorLevel",
    "ComparatorValue",
    "DueDiligenceFinding",
    "DueDiligenceReport",
    "ImportFile",
    "ImportKind",
    "ImportRun",
    "ImportStatus",
    "InYearPrediction",
    "InductionItem",
    "Inspection",
    "InspectionEra",
    "InspectionJudgement",
    "InspectionSource",
    "LegacyGrade",
    "MeasureValue",
    "MembershipStatus",
    "ReportCardGrade",
    "School",
    "SchoolLink",
]

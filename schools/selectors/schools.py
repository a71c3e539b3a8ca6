"""Reads for the school list and profile, each a fixed number of queries."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from schools.models import Inspection, InspectionJudgement, MembershipStatus, School
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS, InspectionEra, LegacyGrade, ReportCardGrade
from trust.models import Membership

SORTS = {
    "name": ("name",),
    "urn": ("urn",),
    "la": ("la_name", "name"),
    "phase": ("phase", "name"),
    "pupils": ("-number_of_pupils", "name"),
    "joined": ("-joined_trust_on", "name"),
    "inspected": ("latest_inspected_on", "name"),
}
OFSTED_FILTERS = {
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "report_card": "Report card",
    "none": "Not inspected",
}


def schools_visible_to(membership: Membership) -> QuerySet[School]:
    """The schools a member may see: all the trust's, or only their own for school-level roles."""
    schools = School.objects.filter(trust=membership.trust).order_by("name")
    if membership.is_school_level:
        schools = schools.filter(pk=membership.school_id)
    return schools


def with_latest_inspection(schools: QuerySet[School]) -> QuerySet[School]:
    """Annotate each school with its latest inspection's date, era and legacy overall grade."""
    latest = Inspection.objects.filter(school=OuterRef("pk")).order_by("-inspected_on")
    overall = InspectionJudgement.objects.filter(
        inspection=OuterRef("latest_inspection_id"), area="overall_effectiveness"
    ).values("grade")[:1]
    return schools.annotate(
        latest_inspection_id=Subquery(latest.values("pk")[:1]),
        latest_inspected_on=Subquery(latest.values("inspected_on")[:1]),
        latest_era=Subquery(latest.values("era")[:1]),
    ).annotate(latest_overall=Subquery(overall))


def outcome_words(era: str | None, overall: int | None) -> str:
    """The latest inspection in its own era's words; report cards have no single overall grade."""
    if era is None:
        return "Not inspected"
    if era == InspectionEra.REPORT_CARD:
        return "Report card"
    return LegacyGrade(overall).label if overall else "Graded (no overall judgement)"


def school_list(
    membership: Membership,
    *,
    phase: str = "",
    la: str = "",
    ofsted: str = "",
    status: str = "",
    sort: str = "name",
) -> QuerySet[School]:
    """The schools the member may see, filtered and sorted as the list page asks."""
    schools = with_latest_inspection(schools_visible_to(membership))
    if phase:
        schools = schools.filter(phase=phase)
    if la:
        schools = schools.filter(la_name=la)
    if status in MembershipStatus.values:
        schools = schools.filter(status=status)
    if ofsted == "none":
        schools = schools.filter(latest_inspected_on__isnull=True)
    elif ofsted == "report_card":
        schools = schools.filter(latest_era=InspectionEra.REPORT_CARD)
    elif ofsted in OFSTED_FILTERS:
        grade = LegacyGrade[ofsted.upper()].value
        schools = schools.filter(latest_era=InspectionEra.LEGACY, latest_overall=grade)
    return schools.order_by(*SORTS.get(sort, SORTS["name"]))


def school_filter_options(membership: Membership) -> dict[str, list[str]]:
    visible = schools_visible_to(membership)
    return {
        "phases": sorted(p for p in visible.values_list("phase", flat=True).distinct() if p),
        "las": sorted(la for la in visible.values_list("la_name", flat=True).distinct() if la),
    }


def judgement_words(era: str, area: str, grade: int) -> tuple[str, str]:
    """(area label, grade words) for one inspection judgement."""
    if era == InspectionEra.REPORT_CARD:
        return REPORT_CARD_AREAS.get(area, area), ReportCardGrade(grade).label
    return LEGACY_AREAS.get(area, area), LegacyGrade(grade).label


@dataclass
class TimelineEvent:
    date: Any
    kind: str
    text: str


@dataclass
class InspectionView:
    inspection: Inspection
    judgements: list[tuple[str, str]] = field(default_factory=list)


def inspections_of(school: School) -> list[InspectionView]:
    """All the school's inspections, newest first, each in its own era's words."""
    views = []
    for inspection in school.inspections.prefetch_related("judgements").order_by("-inspected_on"):
        words = [judgement_words(inspection.era, j.area, j.grade) for j in inspection.judgements.all()]
        views.append(InspectionView(inspection=inspection, judgements=words))
    return views


def school_timeline(school: School, inspections: list[InspectionView]) -> list[TimelineEvent]:
    """What happened to the school, newest first; later capabilities add their events here."""
    events = [
        TimelineEvent(i.inspection.inspected_on, "inspection", f"Ofsted inspection ({i.inspection.get_era_display()})")
        for i in inspections
    ]
    if school.joined_trust_on:
        events.append(TimelineEvent(school.joined_trust_on, "trust", "Joined the trust"))
    if school.left_trust_on:
        events.append(TimelineEvent(school.left_trust_on, "trust", "Left the trust"))
    if school.opened_on:
        events.append(TimelineEvent(school.opened_on, "gias", "Opened"))
    for link in school.predecessor_links.all():
        if link.linked_on:
            events.append(
                TimelineEvent(
                    link.linked_on, "predecessor", f"Took over from {link.predecessor_name or link.predecessor_urn}"
                )
            )
    events += _support_events(school)
    return sorted(events, key=lambda e: e.date, reverse=True)


def _support_events(school: School) -> list[TimelineEvent]:
    """Ratings, interventions and improvement-plan milestones (three queries)."""
    from interventions.models import ImprovementPlan, Intervention, InterventionStatus
    from reviews.models import Rating

    events = [
        TimelineEvent(r.effective_on, "rating", f"Placed at {r.level_name} on the support scale")
        for r in Rating.objects.filter(school=school).only("effective_on", "level_name")
    ]
    for i in Intervention.objects.filter(school=school).exclude(status=InterventionStatus.CANCELLED):
        events.append(TimelineEvent(i.starts_on, "intervention", f"Intervention began: {i.title}"))
        if i.closed_on:
            events.append(TimelineEvent(i.closed_on, "intervention", f"Intervention closed with its impact: {i.title}"))
    for plan in ImprovementPlan.objects.filter(school=school, agreed_on__isnull=False):
        label = f"{plan.academic_year}/{(plan.academic_year + 1) % 100:02d}"
        events.append(TimelineEvent(plan.agreed_on, "plan", f"Improvement plan {label} agreed with the trust"))
    return events

"""Reads for joining the trust: prospective schools, due diligence reports, induction of new members."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from schools.models import DueDiligenceFinding, DueDiligenceReport, InductionItem, MembershipStatus, School
from schools.models.joining import DUE_DILIGENCE_SECTIONS, INDUCTION_ITEMS
from trust.models import Trust

SECTION_COUNT = len(DUE_DILIGENCE_SECTIONS)
# A school stays among "recent joiners" for a year after ratification, or until its induction is done.
RECENT_JOINER_DAYS = 365

# Each induction step is completed through a later capability. Until that capability's page
# exists (its URL name resolves), the checklist says it is coming rather than linking nowhere.
INDUCTION_CAPABILITIES: dict[str, tuple[str, str]] = {
    "self_evaluation": ("self-evaluation", "sef-school"),
    "induction_review": ("reviews", "review-school"),
    "first_rating": ("ratings", "rating-school"),
    "improvement_plan": ("improvement plans", "plan-school"),
}


def _section_order() -> Case:
    return Case(
        *(When(section=section, then=Value(n)) for n, section in enumerate(DUE_DILIGENCE_SECTIONS)),
        default=Value(SECTION_COUNT),
        output_field=IntegerField(),
    )


def prospective_schools(*, trust: Trust) -> QuerySet[School]:
    """Schools asking to join, each with `report_uuid` and `sections_rated` (n of 8), by name; one query."""
    return (
        School.objects.filter(trust=trust, status=MembershipStatus.PROSPECTIVE)
        .annotate(
            sections_rated=Count("due_diligence__findings", filter=~Q(due_diligence__findings__rag=""), distinct=True),
        )
        .select_related("due_diligence")
        .order_by("name")
    )


def due_diligence_report(*, trust: Trust, report_uuid: object) -> DueDiligenceReport | None:
    """A report of this trust with its school, people and `sections` (findings in seed order); None if absent."""
    return (
        DueDiligenceReport.objects.filter(school__trust=trust, uuid=report_uuid)
        .select_related("school__trust", "author", "ratified_by")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=DueDiligenceFinding.objects.order_by(_section_order(), "id"),
                to_attr="sections",
            )
        )
        .first()
    )


def unrated_sections(report: DueDiligenceReport) -> list[str]:
    """Titles of the sections without a RAG rating, from a report fetched by `due_diligence_report`."""
    rated = {finding.section for finding in report.sections if finding.rag}
    return [label for section, label in DUE_DILIGENCE_SECTIONS.items() if section not in rated]


def recent_joiners(*, trust: Trust, today: datetime.date | None = None) -> QuerySet[School]:
    """Schools that joined through due diligence within a year, or whose induction is still open; one query.

    Each has `induction_total`, `induction_done` and `due_diligence` (for the report link).
    """
    since = (today or timezone.localdate()) - datetime.timedelta(days=RECENT_JOINER_DAYS)
    return (
        School.objects.filter(trust=trust, status=MembershipStatus.MEMBER)
        .annotate(
            induction_total=Count("induction_items", distinct=True),
            induction_done=Count(
                "induction_items", filter=Q(induction_items__completed_on__isnull=False), distinct=True
            ),
        )
        .filter(induction_total__gt=0)
        .filter(Q(joined_trust_on__gte=since) | Q(induction_done__lt=F("induction_total")))
        .select_related("due_diligence")
        .order_by("-joined_trust_on", "name")
    )


@dataclass(frozen=True)
class InductionStep:
    item: InductionItem
    capability: str
    url: str | None


def induction_checklist(*, trust: Trust, school: School) -> list[InductionStep]:
    """The school's induction steps in seed order, each linked to its capability's page once that exists."""
    items = sorted(
        InductionItem.objects.filter(school=school, school__trust=trust).select_related("completed_by"),
        key=lambda item: list(INDUCTION_ITEMS).index(item.code),
    )
    steps = []
    for item in items:
        capability, url_name = INDUCTION_CAPABILITIES[item.code]
        try:
            url: str | None = reverse(url_name, kwargs={"trust_slug": trust.slug, "school_uuid": school.uuid})
        except NoReverseMatch:
            url = None
        steps.append(InductionStep(item=item, capability=capability, url=url))
    return steps

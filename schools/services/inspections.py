"""Recording Ofsted inspections; every importer and the form go through `inspection_record`."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, diff
from core.exceptions import ApplicationError
from schools.models import Inspection, InspectionEra, InspectionJudgement, School
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS, REPORT_CARD_START
from trust.models import User

# GIAS's `OfstedRating (name)` words for the legacy overall effectiveness grade.
GIAS_OVERALL_GRADES = {
    "outstanding": 1,
    "good": 2,
    "requires improvement": 3,
    "satisfactory": 3,
    "inadequate": 4,
    "serious weaknesses": 4,
    "special measures": 4,
}


def era_for(inspected_on: datetime.date) -> str:
    return InspectionEra.REPORT_CARD if inspected_on >= REPORT_CARD_START else InspectionEra.LEGACY


def _check(era: str, judgements: dict[str, int], safeguarding_met: bool | None) -> None:
    areas, top = (LEGACY_AREAS, 4) if era == InspectionEra.LEGACY else (REPORT_CARD_AREAS, 5)
    for area, grade in judgements.items():
        if area not in areas:
            raise ApplicationError(f"'{area}' is not an area of a {InspectionEra(era).label.lower()} inspection.")
        if not 1 <= int(grade) <= top:
            raise ApplicationError(f"The grade for {areas[area]} must be between 1 and {top}.")
    if era == InspectionEra.LEGACY and safeguarding_met is not None:
        raise ApplicationError("Safeguarding met / not met belongs to report-card inspections only.")


def inspection_record(
    *,
    school: School,
    inspected_on: datetime.date,
    judgements: dict[str, int],
    source: str,
    actor: User | None = None,
    era: str | None = None,
    inspection_type: str = "",
    safeguarding_met: bool | None = None,
    notes: str = "",
) -> tuple[Inspection, str]:
    """Create or correct the school's inspection on that day; returns it and 'created', 'updated' or 'unchanged'."""
    if inspected_on > timezone.localdate():
        raise ApplicationError("An inspection date cannot be in the future.")
    era = era or era_for(inspected_on)
    _check(era, judgements, safeguarding_met)
    judgements = {area: int(grade) for area, grade in judgements.items()}

    with transaction.atomic():
        inspection = Inspection.objects.filter(school=school, inspected_on=inspected_on).first()
        current: dict[str, int] = {}
        before: dict[str, object] = {}
        if inspection is None:
            inspection = Inspection(school=school, inspected_on=inspected_on)
            outcome = "created"
        else:
            current = dict(inspection.judgements.values_list("area", "grade"))
            before = {"era": inspection.era, "safeguarding_met": inspection.safeguarding_met, "judgements": current}
            same = (
                current == judgements
                and inspection.era == era
                and inspection.safeguarding_met == safeguarding_met
                and (not inspection_type or inspection.inspection_type == inspection_type)
                and (not notes or inspection.notes == notes)
            )
            if same:
                return inspection, "unchanged"
            outcome = "updated"
        inspection.era = era
        inspection.inspection_type = inspection_type or inspection.inspection_type
        inspection.safeguarding_met = safeguarding_met
        inspection.source = source
        inspection.notes = notes or inspection.notes
        if actor is not None:
            inspection.recorded_by = actor
        inspection.full_clean()
        inspection.save()
        inspection.judgements.all().delete()
        InspectionJudgement.objects.bulk_create(
            InspectionJudgement(inspection=inspection, area=area, grade=grade) for area, grade in judgements.items()
        )
        after = {"era": era, "safeguarding_met": safeguarding_met, "judgements": judgements}
        audit_record(
            trust=school.trust_id,
            actor=actor,
            action=f"inspection.{outcome}",
            obj=inspection,
            changes=diff(before, after) | {"source": source},
        )
    return inspection, outcome

"""Moderation: the school and the trust discuss one area and record the judgement they agree."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.academic import academic_year_for
from core.audit import audit_record, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from reviews.models import Grade, JudgementArea, Moderation
from reviews.selectors.grid import current_grades
from reviews.services.reviews import UNKNOWN_AREA
from schools.models import School
from trust.models import User


def moderation_record(
    *,
    school: School,
    area: JudgementArea,
    actor: User,
    academic_year: int,
    agreed_grade: int,
    discussion: str,
    moderated_on: datetime.date | None = None,
) -> Moderation:
    """Record the agreed judgement for an area, copying the school's and the trust's grades as they stand now."""
    if area.trust_id != school.trust_id:
        raise ApplicationError(UNKNOWN_AREA, {"field": "area"})
    if agreed_grade not in Grade.values:
        raise ApplicationError("Choose the agreed judgement from the five-point scale.", {"field": "agreed_grade"})
    if not discussion.strip():
        raise ApplicationError("Record what was discussed and why the judgement was agreed.", {"field": "discussion"})
    today = timezone.localdate()
    moderated_on = moderated_on or today
    if moderated_on > today:
        raise ApplicationError("A moderation date cannot be in the future.", {"field": "moderated_on"})
    if academic_year not in (academic_year_for(today), academic_year_for(today) - 1):
        raise ApplicationError("Moderate for the current or the previous academic year.", {"field": "academic_year"})
    refuse_repeat(
        Moderation.objects.filter(school=school, area=area, moderated_by=actor),
        what="moderation",
        academic_year=academic_year,
        agreed_grade=agreed_grade,
        discussion=discussion.strip(),
    )
    school_grade, trust_grade = current_grades(school=school, area=area, today=today)
    moderation = Moderation(
        school=school,
        area=area,
        academic_year=academic_year,
        school_grade=school_grade,
        trust_grade=trust_grade,
        agreed_grade=agreed_grade,
        discussion=discussion.strip(),
        moderated_by=actor,
        moderated_on=moderated_on,
    )
    with transaction.atomic():
        moderation.full_clean()
        moderation.save()
        audit_record(
            trust=school.trust_id,
            actor=actor,
            action="moderation.recorded",
            obj=moderation,
            changes=snapshot_fields(
                moderation,
                ["academic_year", "school_grade", "trust_grade", "agreed_grade", "discussion", "moderated_on"],
            ),
        )
    return moderation

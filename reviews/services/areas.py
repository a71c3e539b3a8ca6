"""The judgement areas a trust uses; by default Ofsted's report-card areas."""

from django.db import transaction

from core.audit import audit_record
from reviews.models import JudgementArea
from schools.models.inspections import REPORT_CARD_AREAS
from trust.models import Trust

# The areas of an Ofsted report card; a trust may rename, add or retire areas afterwards.
DEFAULT_AREAS = dict(REPORT_CARD_AREAS)


def judgement_areas_ensure(*, trust: Trust) -> list[JudgementArea]:
    """The trust's active areas, creating the defaults the first time."""
    with transaction.atomic():
        if not JudgementArea.objects.filter(trust=trust).exists():
            JudgementArea.objects.bulk_create(
                JudgementArea(trust=trust, code=code, label=label, position=index)
                for index, (code, label) in enumerate(DEFAULT_AREAS.items(), start=1)
            )
            # Made on first use, not by anyone's decision: the entry has no actor.
            audit_record(
                trust=trust,
                actor=None,
                action="judgement_areas.created",
                obj=trust,
                label="The trust's judgement areas",
                changes={"areas": list(DEFAULT_AREAS.values())},
            )
    return list(JudgementArea.objects.filter(trust=trust, is_active=True).order_by("position", "label"))

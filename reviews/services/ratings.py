"""Deciding a school's level on the trust's support scale. Every decision is a new, permanent row."""

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from interventions.services.planning import visits_replan
from reviews.models import Evidence, Rating
from reviews.suggestions import suggest_for_school
from schools.models import School
from trust.models import Membership, SupportLevel, User
from trust.permissions import Action, can

# One message for a level or evidence item that is unknown, retired, or another trust's or school's:
# the answer never confirms that someone else's record exists.
UNKNOWN_LEVEL = "Choose one of the levels of the trust's support scale."
UNKNOWN_EVIDENCE = "Choose evidence recorded for this school."
NEEDS_EVIDENCE = "A rating must cite at least one piece of evidence about the school."
NEEDS_RATIONALE = "Explain the decision: a rating needs a rationale."
NO_FUTURE = "A rating cannot take effect in the future."


def rating_decide(
    *,
    school: School,
    actor: User,
    level: SupportLevel | None,
    effective_on: datetime.date,
    rationale: str,
    evidence: Sequence[Evidence],
    override_reason: str = "",
) -> Rating:
    """Place the school on a level of its trust's scale, against the suggestion computed now (not the client's)."""
    membership = Membership.objects.filter(trust_id=school.trust_id, user=actor).first()
    if not can(membership, Action.RATE_SCHOOLS):
        raise PermissionDenied
    if level is None or level.scale.trust_id != school.trust_id:
        raise ApplicationError(UNKNOWN_LEVEL, {"field": "level"})
    rationale = (rationale or "").strip()
    override_reason = (override_reason or "").strip()
    if not rationale:
        raise ApplicationError(NEEDS_RATIONALE, {"field": "rationale"})
    if effective_on > timezone.localdate():
        raise ApplicationError(NO_FUTURE, {"field": "effective_on"})
    evidence = list(evidence)
    if not evidence:
        raise ApplicationError(NEEDS_EVIDENCE, {"field": "evidence"})
    if any(item.school_id != school.pk for item in evidence):
        raise ApplicationError(UNKNOWN_EVIDENCE, {"field": "evidence"})

    suggestion = suggest_for_school(school)
    suggested = suggestion.level
    overrode = suggested is not None and suggested.pk != level.pk
    if overrode and not override_reason:
        raise ApplicationError(
            f"Choosing {level.name} instead of the suggested {suggested.name} needs a reason.",
            {"field": "override_reason"},
        )

    refuse_repeat(
        Rating.objects.filter(school=school, decided_by=actor),
        what="rating",
        level=level,
        effective_on=effective_on,
        rationale=rationale,
    )
    rating = Rating(
        school=school,
        level=level,
        level_name=level.name,
        level_position=level.position,
        effective_on=effective_on,
        decided_by=actor,
        rationale=rationale,
        suggested_level=suggested,
        suggested_level_name=suggested.name if suggested else "",
        suggestion_reasons=suggestion.reasons_for_storage(),
        overrode_suggestion=overrode,
        override_reason=override_reason if overrode else "",
        inspection=suggestion.inspection,
        review=suggestion.review,
        self_evaluation=suggestion.self_evaluation,
    )
    rating.full_clean()
    with transaction.atomic():
        rating.save()
        rating.evidence.set(evidence)
        audit_record(
            trust=school.trust_id,
            actor=actor,
            action="rating.decided",
            obj=rating,
            changes=snapshot_fields(
                rating,
                [
                    "level_name",
                    "effective_on",
                    "rationale",
                    "suggested_level_name",
                    "overrode_suggestion",
                    "override_reason",
                    "evidence",
                ],
            ),
        )
        visits_replan(school=school, actor=actor)
    return rating

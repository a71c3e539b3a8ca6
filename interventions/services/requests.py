"""Support requests (seed 000): a headteacher asks for more support; the trust accepts or declines it."""

from django.db import transaction
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from interventions.models import ExpertiseArea, Intervention, SupportRequest, SupportRequestStatus, Urgency
from schools.models import School
from trust.models import User
from trust.permissions import Action, can
from trust.selectors import membership_for


def _triager(actor: User, support_request: SupportRequest) -> None:
    membership = membership_for(actor, support_request.school.trust)
    if not can(membership, Action.TRIAGE_REQUESTS):
        raise ApplicationError("Only an executive or an improvement lead can triage support requests.")
    if support_request.status != SupportRequestStatus.OPEN:
        raise ApplicationError(f"This request has already been {support_request.status}.")


@transaction.atomic
def support_request_submit(*, school: School, actor: User, area: str, need: str, urgency: str) -> SupportRequest:
    """A headteacher asks for support for their own school; an identical open request is refused."""
    membership = membership_for(actor, school.trust)
    if not can(membership, Action.REQUEST_SUPPORT) or membership is None or membership.school_id != school.pk:
        raise ApplicationError("Only the school's headteacher can request support for it.")
    if area not in ExpertiseArea.values:
        raise ApplicationError("Choose an area from the list.", {"field": "area"})
    if urgency not in Urgency.values:
        raise ApplicationError("Choose an urgency from the list.", {"field": "urgency"})
    need = need.strip()
    if not need:
        raise ApplicationError("Say what is needed, and why now.", {"field": "need"})
    # Lock the school's row so a double submit cannot slip two identical requests past the check.
    School.objects.select_for_update().filter(pk=school.pk).first()
    if SupportRequest.objects.filter(
        school=school, area=area, need__iexact=need, status=SupportRequestStatus.OPEN
    ).exists():
        raise ApplicationError("You have already asked for this; the request is waiting for the trust.")
    support_request = SupportRequest(school=school, area=area, need=need, urgency=urgency, requested_by=actor)
    support_request.full_clean()
    support_request.save()
    audit_record(
        trust=school.trust_id,
        actor=actor,
        action="support_request.submitted",
        obj=support_request,
        changes={
            "area": support_request.get_area_display(),
            "need": need,
            "urgency": support_request.get_urgency_display(),
        },
    )
    return support_request


@transaction.atomic
def support_request_accept(
    *, support_request: SupportRequest, actor: User, intervention: Intervention
) -> SupportRequest:
    """Accept an open request into an intervention for the same school (made by intervention_commission)."""
    _triager(actor, support_request)
    if intervention.school_id != support_request.school_id:
        raise ApplicationError("The intervention must be for the school that asked.", {"field": "intervention"})
    if intervention.support_request_id != support_request.pk:
        intervention.support_request = support_request
        intervention.save(update_fields=["support_request", "updated_at"])
    support_request.status = SupportRequestStatus.ACCEPTED
    support_request.triaged_by = actor
    support_request.triaged_at = timezone.now()
    support_request.save(update_fields=["status", "triaged_by", "triaged_at", "updated_at"])
    audit_record(
        trust=support_request.school.trust_id,
        actor=actor,
        action="support_request.accepted",
        obj=support_request,
        changes={"status": ["open", support_request.status], "intervention": intervention},
    )
    return support_request


def support_request_decline(*, support_request: SupportRequest, actor: User, reason: str) -> SupportRequest:
    """Decline an open request with a reason the headteacher will read."""
    _triager(actor, support_request)
    if not reason.strip():
        raise ApplicationError("Give the reason for declining; the headteacher will read it.", {"field": "reason"})
    support_request.status = SupportRequestStatus.DECLINED
    support_request.decline_reason = reason.strip()
    support_request.triaged_by = actor
    support_request.triaged_at = timezone.now()
    with transaction.atomic():
        support_request.save(update_fields=["status", "decline_reason", "triaged_by", "triaged_at", "updated_at"])
        audit_record(
            trust=support_request.school.trust_id,
            actor=actor,
            action="support_request.declined",
            obj=support_request,
            changes={"status": ["open", support_request.status], "decline_reason": support_request.decline_reason},
        )
    return support_request

"""Reads for interventions and support requests: who sees what, overdue checkpoints, counts; fixed queries."""

import datetime

from django.db.models import Count, Prefetch, QuerySet

from interventions.models import (
    Checkpoint,
    CheckpointProgress,
    Expert,
    Intervention,
    InterventionLead,
    InterventionStatus,
    SupportRequest,
)
from trust.models import Membership, Role
from trust.permissions import Action, can

TRUST_WIDE = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD, Role.TRUSTEE})
S = InterventionStatus
# The only moves allowed; closing also needs the impact judgement (see intervention_close).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.COMMISSIONED, S.CANCELLED),
    S.COMMISSIONED: (S.ACTIVE, S.CANCELLED),
    S.ACTIVE: (S.IMPACT_REVIEW, S.CANCELLED),
    S.IMPACT_REVIEW: (S.CLOSED, S.CANCELLED),
}
LIVE = (S.PROPOSED, S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW)


def interventions_visible_to(membership: Membership) -> QuerySet[Intervention]:
    """Trust-wide roles: all the trust's; headteachers and governors: their school's; specialists: those they lead."""
    items = Intervention.objects.filter(school__trust=membership.trust)
    if membership.role in TRUST_WIDE:
        return items
    if membership.is_school_level:
        return items.filter(school_id=membership.school_id)
    if membership.role == Role.SPECIALIST:
        led = InterventionLead.objects.filter(expert__user_id=membership.user_id).values("intervention_id")
        return items.filter(pk__in=led)
    return items.none()


def intervention_list(
    membership: Membership,
    *,
    status: str = "",
    school_id: int | None = None,
    delivery_model: str = "",
    led_by_me: bool = False,
) -> QuerySet[Intervention]:
    """The visible interventions, filtered as the list page and the API ask, with leads prefetched."""
    items = interventions_visible_to(membership)
    if status:
        items = items.filter(status=status)
    if school_id is not None:
        items = items.filter(school_id=school_id)
    if delivery_model:
        items = items.filter(delivery_model=delivery_model)
    if led_by_me:
        led = InterventionLead.objects.filter(expert__user_id=membership.user_id).values("intervention_id")
        items = items.filter(pk__in=led)
    return (
        items.select_related("school", "providing_school")
        .prefetch_related(Prefetch("leads", queryset=InterventionLead.objects.select_related("expert")))
        .order_by("ends_on", "title")
    )


def intervention_detail(membership: Membership, uuid: object) -> Intervention:
    """One visible intervention with everything its page shows; raises Intervention.DoesNotExist otherwise."""
    return (
        interventions_visible_to(membership)
        .select_related("school", "providing_school", "commissioned_by", "support_request")
        .prefetch_related(
            "targets",
            Prefetch("leads", queryset=InterventionLead.objects.select_related("expert", "expert__home_school")),
            "transitions__by",
            Prefetch(
                "checkpoints",
                queryset=Checkpoint.objects.select_related("recorded_by").prefetch_related(
                    Prefetch("progress", queryset=CheckpointProgress.objects.select_related("target")), "evidence"
                ),
            ),
            "impact_evidence",
        )
        .get(uuid=uuid)
    )


def allowed_transitions(intervention: Intervention) -> tuple[str, ...]:
    return TRANSITIONS.get(intervention.status, ())


def leads_intervention(membership: Membership, intervention: Intervention) -> bool:
    return InterventionLead.objects.filter(intervention=intervention, expert__user_id=membership.user_id).exists()


def may_record_checkpoint(membership: Membership | None, intervention: Intervention) -> bool:
    """Executives and improvement leads, or a specialist who leads this intervention."""
    if membership is None or membership.trust_id != intervention.school.trust_id:
        return False
    if not can(membership, Action.RECORD_CHECKPOINTS):
        return False
    if membership.role == Role.SPECIALIST:
        return leads_intervention(membership, intervention)
    return True


def overdue_checkpoints(membership: Membership, today: datetime.date) -> QuerySet[Checkpoint]:
    """Checkpoints past their date, not recorded, of active interventions the member may see."""
    return (
        Checkpoint.objects.filter(
            intervention__in=interventions_visible_to(membership),
            intervention__status=S.ACTIVE,
            due_on__lt=today,
            recorded_at__isnull=True,
        )
        .select_related("intervention", "intervention__school")
        .order_by("due_on")
    )


def interventions_ending_soon(membership: Membership, today: datetime.date, within_days: int = 21) -> QuerySet:
    """Commissioned or active interventions ending within `within_days` days from today."""
    return (
        interventions_visible_to(membership)
        .filter(status__in=[S.COMMISSIONED, S.ACTIVE], ends_on__gte=today)
        .filter(ends_on__lte=today + datetime.timedelta(days=within_days))
        .select_related("school")
        .order_by("ends_on")
    )


def status_counts(membership: Membership) -> dict[str, int]:
    """How many visible interventions are in each status (every status present, zero included)."""
    counts = dict.fromkeys(S.values, 0)
    rows = interventions_visible_to(membership).order_by().values("status").annotate(n=Count("pk"))
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def trust_experts(membership: Membership) -> QuerySet[Expert]:
    """Active people on the trust's register, for choosing leads."""
    return Expert.objects.filter(trust=membership.trust, is_active=True).select_related("home_school")


def requests_visible_to(membership: Membership) -> QuerySet[SupportRequest]:
    """Executives and improvement leads: all; headteachers and governors: their own school's."""
    items = SupportRequest.objects.filter(school__trust=membership.trust)
    if membership.role in {Role.EXECUTIVE, Role.IMPROVEMENT_LEAD}:
        pass
    elif membership.is_school_level:
        items = items.filter(school_id=membership.school_id)
    else:
        items = items.none()
    return items.select_related("school", "requested_by", "triaged_by").prefetch_related("interventions")

"""Commissioning interventions, moving them through their statuses, checkpoints and closing with impact."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.academic import term_bounds
from core.audit import audit_record, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from interventions.models import (
    Checkpoint,
    CheckpointProgress,
    DeliveryModel,
    Expert,
    ExpertiseArea,
    Intervention,
    InterventionLead,
    InterventionStatus,
    InterventionTarget,
    InterventionTransition,
    Progress,
    SupportRequest,
)
from interventions.selectors.capacity import over_commitment, prorated_days
from interventions.selectors.interventions import allowed_transitions, may_record_checkpoint
from reviews.models import Evidence
from reviews.services.evidence import evidence_record
from schools.models import School
from trust.models import Membership, User
from trust.permissions import Action, can
from trust.selectors import membership_for

S = InterventionStatus


def _membership(actor: User, school: School) -> Membership:
    membership = membership_for(actor, school.trust)
    if membership is None:
        raise ApplicationError("You are not a member of this school's trust.")
    return membership


def _require_commissioner(actor: User, school: School) -> Membership:
    membership = _membership(actor, school)
    if not can(membership, Action.COMMISSION_INTERVENTIONS):
        raise ApplicationError("Only an executive or an improvement lead can commission or move interventions.")
    return membership


def _over_by(expert: Expert, starts_on: datetime.date, ends_on: datetime.date, extra: Decimal) -> Decimal:
    """The most days the expert would be over-committed by in any term the new work spans (capacity's rules)."""
    worst = Decimal(0)
    day = starts_on
    while day <= ends_on:
        term = term_bounds(day)
        _, term_start, term_end = term
        share = prorated_days(extra, starts_on=starts_on, ends_on=ends_on, term_start=term_start, term_end=term_end)
        worst = max(worst, over_commitment(expert, term, share))
        day = term_end + datetime.timedelta(days=1)
    return worst


def _record(intervention: Intervention, actor: User, from_status: str, to_status: str, note: str = "") -> None:
    InterventionTransition.objects.create(
        intervention=intervention, from_status=from_status, to_status=to_status, by=actor, note=note.strip()
    )


def _check_evidence(evidence: Sequence[Evidence], school: School) -> None:
    if any(item.school_id != school.pk for item in evidence):
        raise ApplicationError("Choose evidence about this intervention's school.", {"field": "evidence"})


@transaction.atomic
def intervention_commission(
    *,
    school: School,
    actor: User,
    title: str,
    area_of_need: str,
    delivery_model: str,
    success_criteria: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    targets: Iterable[str],
    leads: Iterable[tuple[Expert, Decimal | int | float]] = (),
    providing_school: School | None = None,
    provider_name: str = "",
    cost: Decimal | None = None,
    days: Decimal | None = None,
    budget: Decimal | None = None,
    description: str = "",
    checkpoints: Iterable[datetime.date] = (),
    support_request: SupportRequest | None = None,
    confirm_over_commitment: bool = False,
) -> Intervention:
    """Propose an intervention for a school, with leads, targets and checkpoints; records the first transition."""
    _require_commissioner(actor, school)
    if area_of_need not in ExpertiseArea.values:
        raise ApplicationError("Choose an area of need from the list.", {"field": "area_of_need"})
    if delivery_model not in DeliveryModel.values:
        raise ApplicationError("Choose a delivery model from the list.", {"field": "delivery_model"})
    if ends_on <= starts_on:
        raise ApplicationError(
            "Interventions are time-limited: the end date must be after the start.", {"field": "ends_on"}
        )
    if delivery_model == DeliveryModel.SCHOOL_TO_SCHOOL:
        if providing_school is None:
            raise ApplicationError(
                "School-to-school support needs the providing school.", {"field": "providing_school"}
            )
        if providing_school.trust_id != school.trust_id:
            raise ApplicationError(
                "The providing school must be one of the trust's schools.", {"field": "providing_school"}
            )
        if providing_school.pk == school.pk:
            raise ApplicationError(
                "A school cannot provide school-to-school support to itself.", {"field": "providing_school"}
            )
    else:
        providing_school = None
    if delivery_model == DeliveryModel.EXTERNAL:
        if not provider_name.strip():
            raise ApplicationError("External support needs the provider's name.", {"field": "provider_name"})
    else:
        provider_name, cost = "", None
    for label, value in (("cost", cost), ("days", days), ("budget", budget)):
        if value is not None and value < 0:
            raise ApplicationError(f"The {label} cannot be negative.", {"field": label})
    target_texts = [t.strip() for t in targets if t and t.strip()]
    if not target_texts:
        raise ApplicationError("Give at least one target.", {"field": "targets"})
    if not success_criteria.strip():
        raise ApplicationError("Give the success criteria.", {"field": "success_criteria"})
    refuse_repeat(
        Intervention.objects.filter(school=school),
        what="intervention",
        title=title.strip(),
        area_of_need=area_of_need,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    lead_rows = [(expert, Decimal(str(d or 0))) for expert, d in leads]
    seen: set[int] = set()
    for expert, lead_days in lead_rows:
        if expert.trust_id != school.trust_id or not expert.is_active:
            raise ApplicationError(
                f"{expert.name} is not an active person on this trust's register.", {"field": "leads"}
            )
        if expert.pk in seen:
            raise ApplicationError(f"{expert.name} is chosen twice.", {"field": "leads"})
        if lead_days < 0:
            raise ApplicationError("A lead's days cannot be negative.", {"field": "leads"})
        seen.add(expert.pk)
    dates = sorted(set(checkpoints))
    if any(d < starts_on or d > ends_on for d in dates):
        raise ApplicationError("Checkpoints must fall between the start and end dates.", {"field": "checkpoints"})
    if support_request is not None and (support_request.school_id != school.pk or support_request.status != "open"):
        raise ApplicationError(
            "The support request must be an open request from this school.", {"field": "support_request"}
        )
    over = {e.name: _over_by(e, starts_on, ends_on, d) for e, d in lead_rows}
    over = {name: n for name, n in over.items() if n > 0}
    if over and not confirm_over_commitment:
        detail = "; ".join(f"{name} would be over-committed by {n.normalize():f} days" for name, n in over.items())
        raise ApplicationError(
            f"{detail}; confirm to go ahead.",
            {"field": "confirm_over_commitment", "over_committed": {k: str(v) for k, v in over.items()}},
        )
    intervention = Intervention(
        school=school,
        title=title.strip(),
        area_of_need=area_of_need,
        description=description.strip(),
        delivery_model=delivery_model,
        providing_school=providing_school,
        provider_name=provider_name.strip(),
        cost=cost,
        success_criteria=success_criteria.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        days=days,
        budget=budget,
        status=S.PROPOSED,
        commissioned_by=actor,
        support_request=support_request,
    )
    intervention.full_clean()
    intervention.save()
    InterventionLead.objects.bulk_create(
        [InterventionLead(intervention=intervention, expert=e, days=d) for e, d in lead_rows]
    )
    InterventionTarget.objects.bulk_create(
        [InterventionTarget(intervention=intervention, description=t, position=i) for i, t in enumerate(target_texts)]
    )
    for i, day in enumerate(dates, start=1):
        Checkpoint.objects.create(intervention=intervention, due_on=day, title=f"Checkpoint {i}")
    _record(intervention, actor, "", S.PROPOSED, "Proposed" + (" from a support request" if support_request else ""))
    audit_record(
        trust=school.trust_id,
        actor=actor,
        action="intervention.commissioned",
        obj=intervention,
        changes=snapshot_fields(
            intervention,
            [
                "title",
                "area_of_need",
                "delivery_model",
                "providing_school",
                "provider_name",
                "cost",
                "success_criteria",
                "starts_on",
                "ends_on",
                "days",
                "budget",
                "status",
            ],
        )
        | {
            "leads": [f"{expert.name} ({days} days)" for expert, days in lead_rows],
            "targets": target_texts,
            "checkpoints": dates,
        },
    )
    if support_request is not None:
        from interventions.services.requests import support_request_accept  # noqa: PLC0415 -- avoids a cycle

        support_request_accept(support_request=support_request, actor=actor, intervention=intervention)
    return intervention


def intervention_transition(
    *, intervention: Intervention, actor: User, to_status: str, note: str = "", reason: str = ""
) -> Intervention:
    """Move an intervention one allowed step (or cancel it with a reason); every move is recorded."""
    _require_commissioner(actor, intervention.school)
    current = intervention.status
    if to_status not in S.values:
        raise ApplicationError("Choose a status from the list.", {"field": "to_status"})
    if to_status not in allowed_transitions(intervention):
        raise ApplicationError(
            f"An intervention cannot move from {S(current).label.lower()} to {S(to_status).label.lower()}.",
            {
                "field": "to_status",
                "from": current,
                "to": to_status,
                "allowed": list(allowed_transitions(intervention)),
            },
        )
    if to_status == S.CLOSED:
        raise ApplicationError(
            "Closing needs the impact judgement on practice, systems, organisation and pupil outcomes, with evidence.",
            {"field": "to_status"},
        )
    fields = ["status", "updated_at"]
    if to_status == S.CANCELLED:
        if not reason.strip():
            raise ApplicationError("Give the reason for cancelling.", {"field": "reason"})
        intervention.cancelled_reason = reason.strip()
        fields.append("cancelled_reason")
        note = note or reason
    with transaction.atomic():
        intervention.status = to_status
        intervention.save(update_fields=fields)
        _record(intervention, actor, current, to_status, note)
        audit_record(
            trust=intervention.school.trust_id,
            actor=actor,
            action="intervention.status_changed",
            obj=intervention,
            changes={"status": [S(current).label, S(to_status).label], "note": note.strip()},
        )
    return intervention


def intervention_close(
    *,
    intervention: Intervention,
    actor: User,
    impact_practice: str,
    impact_systems: str,
    impact_organisation: str,
    impact_outcomes: str,
    evidence: Iterable[Evidence],
    note: str = "",
) -> Intervention:
    """Close after impact review: all four impact judgements and at least one item of the school's evidence."""
    _require_commissioner(actor, intervention.school)
    if intervention.status != S.IMPACT_REVIEW:
        raise ApplicationError(
            f"An intervention cannot move from {S(intervention.status).label.lower()} to closed: "
            "it is closed after its impact review.",
            {"field": "to_status"},
        )
    impacts = {
        "impact_practice": impact_practice.strip(),
        "impact_systems": impact_systems.strip(),
        "impact_organisation": impact_organisation.strip(),
        "impact_outcomes": impact_outcomes.strip(),
    }
    missing = [name for name, text in impacts.items() if not text]
    if missing:
        raise ApplicationError(
            "Judge the impact on practice, systems, organisation and pupil outcomes before closing.",
            {"field": missing[0], "missing": missing},
        )
    items = list(evidence)
    if not items:
        raise ApplicationError("Cite at least one item of evidence of impact.", {"field": "evidence"})
    _check_evidence(items, intervention.school)
    with transaction.atomic():
        for name, text in impacts.items():
            setattr(intervention, name, text)
        intervention.status = S.CLOSED
        intervention.closed_on = timezone.localdate()
        intervention.full_clean()
        intervention.save()
        intervention.impact_evidence.set(items)
        _record(intervention, actor, S.IMPACT_REVIEW, S.CLOSED, note)
        audit_record(
            trust=intervention.school.trust_id,
            actor=actor,
            action="intervention.closed",
            obj=intervention,
            changes={"status": [S.IMPACT_REVIEW.label, S.CLOSED.label], **impacts, "impact_evidence": items},
        )
    return intervention


def checkpoint_record(
    *,
    checkpoint: Checkpoint,
    actor: User,
    notes: str,
    progress: Mapping[InterventionTarget, tuple[str, str]],
    evidence: Iterable[Evidence] = (),
    new_evidence: Mapping[str, Any] | None = None,
) -> Checkpoint:
    """Record (or re-record) a checkpoint: notes, progress per target and the evidence it rests on."""
    intervention = checkpoint.intervention
    membership = _membership(actor, intervention.school)
    if not may_record_checkpoint(membership, intervention):
        raise ApplicationError(
            "Only the trust's leads or a specialist leading this intervention can record checkpoints."
        )
    if intervention.status not in (S.ACTIVE, S.IMPACT_REVIEW):
        raise ApplicationError("Checkpoints are recorded while the intervention is active or under impact review.")
    if not notes.strip():
        raise ApplicationError("Write notes on progress.", {"field": "notes"})
    for target, (value, _note) in progress.items():
        if target.intervention_id != intervention.pk:
            raise ApplicationError("Record progress only against this intervention's targets.", {"field": "progress"})
        if value not in Progress.values:
            raise ApplicationError("Choose a progress level from the list.", {"field": "progress"})
    items = list(evidence)
    _check_evidence(items, intervention.school)
    with transaction.atomic():
        if new_evidence:
            items.append(evidence_record(school=intervention.school, actor=actor, **new_evidence))
        was = {"notes": checkpoint.notes, "recorded_at": checkpoint.recorded_at}
        checkpoint.notes = notes.strip()
        checkpoint.recorded_at = timezone.now()
        checkpoint.recorded_by = actor
        checkpoint.full_clean()
        checkpoint.save()
        # One read and at most two writes for all the targets, not an update_or_create per target.
        stored = {row.target_id: row for row in CheckpointProgress.objects.filter(checkpoint=checkpoint)}
        new, changed = [], []
        for target, (value, note) in progress.items():
            row = stored.get(target.pk)
            if row is None:
                new.append(CheckpointProgress(checkpoint=checkpoint, target=target, progress=value, note=note.strip()))
            else:
                row.progress, row.note = value, note.strip()
                changed.append(row)
        CheckpointProgress.objects.bulk_create(new)
        CheckpointProgress.objects.bulk_update(changed, ["progress", "note"])
        checkpoint.evidence.add(*items)
        audit_record(
            trust=intervention.school.trust_id,
            actor=actor,
            action="checkpoint.recorded" if was["recorded_at"] is None else "checkpoint.re_recorded",
            obj=checkpoint,
            changes={
                "notes": [was["notes"], checkpoint.notes],
                "progress": {str(target): value for target, (value, _note) in progress.items()},
                "evidence_added": items,
            },
        )
    return checkpoint

"""Demo interventions in every status and support requests open, accepted and declined. Idempotent.

Runs after the register is seeded: with no Expert rows for the trust it creates nothing. Each
intervention is found by its natural key (school, title); an existing one is left exactly as it is.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django_scopes import scope

from interventions.models import (
    DeliveryModel,
    Expert,
    ExpertiseArea,
    ExpertRole,
    Intervention,
    InterventionStatus,
    Progress,
    SupportRequest,
    SupportRequestStatus,
    Urgency,
)
from interventions.services.interventions import (
    checkpoint_record,
    intervention_close,
    intervention_commission,
    intervention_transition,
)
from reviews.models import Evidence
from schools.models import School
from trust.models import Role, Trust, User

S = InterventionStatus
PATH = {
    S.PROPOSED: [],
    S.COMMISSIONED: [S.COMMISSIONED],
    S.ACTIVE: [S.COMMISSIONED, S.ACTIVE],
    S.IMPACT_REVIEW: [S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW],
    S.CLOSED: [S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW],
    S.CANCELLED: [S.COMMISSIONED],
}


def _by_role(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, User]:
    if isinstance(people, Mapping):
        return {str(role): user for role, user in people.items()}
    found: dict[str, User] = {}
    for user, role in people:
        found.setdefault(str(role), user)
    return found


def _specs(schools: list[School], today: datetime.date) -> list[dict[str, Any]]:
    first, second = schools[0], schools[1]
    third = schools[2 % len(schools)]
    last = schools[-1]
    day = datetime.timedelta
    return [
        {
            "school": first,
            "title": "Reading fluency in Key Stage 2",
            "area_of_need": ExpertiseArea.UPPER_KS2,
            "delivery_model": DeliveryModel.SCHOOL_TO_SCHOOL,
            "providing_school": second,
            "starts_on": today - day(70),
            "ends_on": today + day(50),
            "checkpoints": [today - day(35), today - day(5), today + day(25)],
            "record": 1,  # the second checkpoint is left overdue
            "status": S.ACTIVE,
            "targets": [
                "Year 5 pupils read 90 words a minute with accuracy",
                "Daily guided reading in every KS2 class",
            ],
        },
        {
            "school": second,
            "title": "Early years continuous provision",
            "area_of_need": ExpertiseArea.EARLY_YEARS,
            "delivery_model": DeliveryModel.DIRECT_TRUST,
            "starts_on": today + day(14),
            "ends_on": today + day(120),
            "checkpoints": [today + day(60)],
            "status": S.PROPOSED,
            "request": True,
            "targets": ["Continuous provision planned against the EYFS framework in every area"],
        },
        {
            "school": third,
            "title": "Maths mastery in Year 3",
            "area_of_need": ExpertiseArea.MATHS,
            "delivery_model": DeliveryModel.SCHOOL_TO_SCHOOL,
            "providing_school": first if third != first else second,
            "starts_on": today + day(7),
            "ends_on": today + day(90),
            "checkpoints": [today + day(45)],
            "status": S.COMMISSIONED,
            "with_account": True,
            "targets": ["Year 3 teachers use concrete and pictorial models in every lesson"],
        },
        {
            "school": first,
            "title": "Persistent absence",
            "area_of_need": ExpertiseArea.BEHAVIOUR_ATTENDANCE,
            "delivery_model": DeliveryModel.IN_SCHOOL,
            "starts_on": today - day(150),
            "ends_on": today - day(10),
            "checkpoints": [today - day(90), today - day(30)],
            "record": 2,
            "with_account": True,
            "status": S.IMPACT_REVIEW,
            "targets": ["Persistent absence below 12%", "Weekly meetings with families of persistent absentees"],
        },
        {
            "school": second,
            "title": "Governors' challenge on the curriculum",
            "area_of_need": ExpertiseArea.GOVERNANCE,
            "delivery_model": DeliveryModel.DIRECT_TRUST,
            "starts_on": today - day(200),
            "ends_on": today - day(40),
            "checkpoints": [today - day(120)],
            "record": 1,
            "status": S.CLOSED,
            "targets": ["Governors' minutes record challenge on curriculum impact"],
        },
        {
            "school": last,
            "title": "SEND provision audit",
            "area_of_need": ExpertiseArea.SEND,
            "delivery_model": DeliveryModel.EXTERNAL,
            "provider_name": "Northern SEND Partnership",
            "cost": Decimal("2400.00"),
            "starts_on": today - day(20),
            "ends_on": today + day(40),
            "checkpoints": [],
            "status": S.CANCELLED,
            "targets": ["Audit report with recommendations for the SENCo"],
        },
    ]


def _lead(experts: list[Expert], spec: dict[str, Any]) -> list[tuple[Expert, Decimal]]:
    if spec["delivery_model"] == DeliveryModel.EXTERNAL:
        return []
    providing = spec.get("providing_school")
    match = [e for e in experts if providing is not None and e.home_school_id == providing.pk]
    match = match or [
        e for e in experts if spec["area_of_need"] in (e.areas or []) and e.home_school_id != spec["school"].pk
    ]
    leads = [((match or experts)[0], Decimal(3))]
    # The demo specialist (a register person with an account) co-leads some, so "My interventions" has rows.
    in_school = spec["delivery_model"] == DeliveryModel.IN_SCHOOL
    account = next((e for e in experts if e.user_id and (in_school or e.home_school_id != spec["school"].pk)), None)
    if spec.get("with_account") and account is not None and account != leads[0][0]:
        leads.append((account, Decimal(2)))
    return leads


def _create(spec: dict[str, Any], *, actor: User, experts: list[Expert], support_request: Any) -> Intervention:
    intervention = intervention_commission(
        school=spec["school"],
        actor=actor,
        title=spec["title"],
        area_of_need=spec["area_of_need"],
        delivery_model=spec["delivery_model"],
        providing_school=spec.get("providing_school"),
        provider_name=spec.get("provider_name", ""),
        cost=spec.get("cost"),
        leads=_lead(experts, spec),
        targets=spec["targets"],
        success_criteria="Targets met at the final checkpoint and confirmed by a trust visit.",
        starts_on=spec["starts_on"],
        ends_on=spec["ends_on"],
        days=Decimal(6),
        checkpoints=spec["checkpoints"],
        support_request=support_request,
        confirm_over_commitment=True,
    )
    for step in PATH[spec["status"]]:
        intervention_transition(intervention=intervention, actor=actor, to_status=step)
        if step == S.ACTIVE:
            targets = list(intervention.targets.all())
            for checkpoint in list(intervention.checkpoints.all())[: spec.get("record", 0)]:
                checkpoint_record(
                    checkpoint=checkpoint,
                    actor=actor,
                    notes="Visit with the subject lead; books and lessons sampled.",
                    progress={t: (Progress.SOME if i else Progress.GOOD, "") for i, t in enumerate(targets)},
                )
    if spec["status"] == S.CANCELLED:
        intervention_transition(
            intervention=intervention,
            actor=actor,
            to_status=S.CANCELLED,
            reason="The local authority's SEND team is carrying out the audit instead.",
        )
    if spec["status"] == S.CLOSED:
        evidence = list(Evidence.objects.filter(school=spec["school"]).order_by("-observed_on")[:1])
        if evidence:
            intervention_close(
                intervention=intervention,
                actor=actor,
                impact_practice="Governors now ask about curriculum impact at every meeting.",
                impact_systems="A termly curriculum report to governors with a standing agenda item.",
                impact_organisation="A link governor for each curriculum area.",
                impact_outcomes="Early signs: reading outcomes improved in the summer assessments.",
                evidence=evidence,
            )
    return intervention


@transaction.atomic
def seed_interventions(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, str]],
    today: datetime.date,
) -> dict[str, int]:
    """Interventions in every status and support requests; returns how many of each exist for the trust."""
    with scope(trust=trust.pk):
        experts = [e for e in Expert.objects.filter(trust=trust, is_active=True) if e.role != ExpertRole.EXTERNAL]
        by_role = _by_role(people)
        actor = by_role.get(Role.EXECUTIVE) or by_role.get(Role.IMPROVEMENT_LEAD)
        if not experts or actor is None or len(schools) < 2:
            return {"interventions": 0, "requests": 0}
        head = by_role.get(Role.HEADTEACHER)
        for spec in _specs(schools, today):
            if Intervention.objects.filter(school=spec["school"], title=spec["title"]).exists():
                continue
            support_request = None
            if spec.get("request"):
                support_request, _ = SupportRequest.objects.get_or_create(
                    school=spec["school"],
                    area=spec["area_of_need"],
                    need="Our new early years team needs help planning continuous provision.",
                    defaults={"urgency": Urgency.MEDIUM, "requested_by": head},
                )
                if support_request.status != SupportRequestStatus.OPEN:
                    support_request = None
            _create(spec, actor=actor, experts=experts, support_request=support_request)
        SupportRequest.objects.get_or_create(
            school=schools[0],
            area=ExpertiseArea.SEND,
            need="Advice on provision for two pupils with new EHC plans.",
            defaults={"urgency": Urgency.HIGH, "requested_by": head},
        )
        SupportRequest.objects.get_or_create(
            school=schools[0],
            area=ExpertiseArea.MFL,
            need="Training for staff teaching French at Key Stage 2.",
            defaults={
                "urgency": Urgency.LOW,
                "requested_by": head,
                "status": SupportRequestStatus.DECLINED,
                "decline_reason": "The trust-wide languages network starts next term and covers this.",
                "triaged_by": actor,
            },
        )
        return {
            "interventions": Intervention.objects.filter(school__trust=trust).count(),
            "requests": SupportRequest.objects.filter(school__trust=trust).count(),
        }

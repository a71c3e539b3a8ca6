"""Tests of support: the register of expertise, capacity and brokering.

Small builders shared by these tests live here; call them inside `scope(trust=...)`.
"""

import datetime
from decimal import Decimal

from interventions.models import Expert, Intervention, InterventionLead
from reviews.models import Rating
from schools.models import School
from trust.models import SupportLevel, SupportScale, Trust, User


def make_expert(trust: Trust, name: str, **fields: object) -> Expert:
    fields.setdefault("role", "lead_practitioner")
    fields.setdefault("areas", ["maths"])
    fields.setdefault("days_per_term", Decimal("10"))
    return Expert.objects.create(trust=trust, name=name, **fields)


def make_intervention(
    school: School,
    *,
    starts_on: datetime.date,
    ends_on: datetime.date,
    status: str = "active",
    leads: dict[Expert, str] | None = None,
    area: str = "maths",
) -> Intervention:
    intervention = Intervention.objects.create(
        school=school,
        title=f"{area.title()} support at {school.name}",
        area_of_need=area,
        delivery_model="school_to_school",
        success_criteria="Pupils at the expected standard rise by ten points.",
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
    )
    for expert, days in (leads or {}).items():
        InterventionLead.objects.create(intervention=intervention, expert=expert, days=Decimal(days))
    return intervention


def rag_levels(trust: Trust) -> dict[str, SupportLevel]:
    scale = SupportScale.objects.create(trust=trust, name="RAG levels")
    return {
        name: SupportLevel.objects.create(scale=scale, position=position, name=name, colour=name.lower())
        for position, name in ((1, "Red"), (2, "Amber"), (3, "Green"))
    }


def rate(school: School, level: SupportLevel, by: User, on: datetime.date) -> Rating:
    rating = Rating(
        school=school,
        level=level,
        level_name=level.name,
        level_position=level.position,
        effective_on=on,
        decided_by=by,
        rationale="Decided at the termly review.",
    )
    rating.save()
    return rating

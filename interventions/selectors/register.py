"""Reading the register of expertise: the filtered list with each person's days this term, and a person's work."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from interventions.models import Expert, ExpertiseArea, InterventionLead
from interventions.selectors.capacity import (
    COMMITTING_STATUSES,
    Term,
    as_term,
    committed_days,
    days_left_from,
    prorated_days,
    round_days,
)
from schools.models import School
from trust.models import Membership, Trust, User

AREA_LABELS = dict(ExpertiseArea.choices)


@dataclass
class RegisterRow:
    """One person on the register with their commitments in the term shown."""

    expert: Expert
    committed: Decimal
    days_left: Decimal

    @property
    def over_committed(self) -> bool:
        return self.days_left < 0

    @property
    def area_labels(self) -> list[str]:
        return [AREA_LABELS.get(code, code) for code in self.expert.areas or []]


def register_experts(trust: Trust) -> QuerySet[Expert]:
    """Every person on the trust's register, with home school and account loaded."""
    return Expert.objects.filter(trust=trust).select_related("home_school", "user").order_by("name", "pk")


def register_list(
    trust: Trust,
    *,
    term: Term | datetime.date,
    area: str = "",
    role: str = "",
    home_school: School | None = None,
    include_inactive: bool = False,
) -> list[RegisterRow]:
    """The register filtered by area, role and home school, each person with days committed and left in the term.

    Two queries whatever the size of the register. The area filter runs in Python: the register is
    small, and JSON containment is not portable across the databases we run on.
    """
    experts = register_experts(trust)
    if not include_inactive:
        experts = experts.filter(is_active=True)
    if role:
        experts = experts.filter(role=role)
    if home_school is not None:
        experts = experts.filter(home_school=home_school)
    found = [e for e in experts if not area or area in (e.areas or [])]
    _, start, end = as_term(term)
    committed = committed_days(found, start, end)
    return [
        RegisterRow(expert=e, committed=committed[e.pk], days_left=days_left_from(e, committed[e.pk])) for e in found
    ]


def register_row(expert: Expert, term: Term | datetime.date) -> RegisterRow:
    _, start, end = as_term(term)
    committed = committed_days([expert], start, end)[expert.pk]
    return RegisterRow(expert=expert, committed=committed, days_left=days_left_from(expert, committed))


@dataclass
class Assignment:
    """One intervention a person leads, with the share of its days that falls in the term shown."""

    lead: InterventionLead
    in_term: Decimal
    counts: bool


def expert_assignments(expert: Expert, term: Term | datetime.date) -> list[Assignment]:
    """The interventions the person leads, newest first, with their days inside the term: one query."""
    _, start, end = as_term(term)
    leads = (
        InterventionLead.objects.filter(expert=expert)
        .select_related("intervention", "intervention__school")
        .order_by("-intervention__starts_on", "intervention__title")
    )
    found = []
    for lead in leads:
        intervention = lead.intervention
        counts = intervention.status in COMMITTING_STATUSES
        share = prorated_days(
            lead.days,
            starts_on=intervention.starts_on,
            ends_on=intervention.ends_on,
            term_start=start,
            term_end=end,
        )
        found.append(Assignment(lead=lead, in_term=round_days(share) if counts else Decimal("0.0"), counts=counts))
    return found


def linkable_members(trust: Trust) -> QuerySet[User]:
    """The trust's members, who may be linked to a register entry as its account."""
    ids = Membership.objects.filter(trust=trust).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "email")

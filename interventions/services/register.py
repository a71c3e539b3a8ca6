"""Writes to the expertise register (seed 003): add a person, change them, deactivate or reactivate them.

Only executives manage the register. Every link is checked against the register's trust: a home
school or a linked account of another trust reads exactly as an unknown one, so the message never
confirms that something exists elsewhere.
"""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.audit import audit_record, diff, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from interventions.models import Expert, ExpertiseArea, ExpertRole
from schools.models import School
from trust.models import Membership, Trust, User
from trust.permissions import Action, can
from trust.selectors import membership_for

UNKNOWN_SCHOOL = "Choose one of the trust's schools."
UNKNOWN_USER = "Choose a member of this trust."
EXPERT_FIELDS = ["name", "email", "user", "role", "home_school", "organisation", "areas", "days_per_term"]


def _may_manage(actor: User, trust: Trust) -> None:
    if not can(membership_for(actor, trust), Action.MANAGE_REGISTER):
        raise PermissionDenied


def _clean_areas(areas: Iterable[str]) -> list[str]:
    chosen = {str(a) for a in areas}
    unknown = chosen - set(ExpertiseArea.values)
    if unknown:
        raise ApplicationError(
            "Choose areas of expertise from the list.", {"field": "areas", "unknown": sorted(unknown)}
        )
    if not chosen:
        raise ApplicationError("Choose at least one area of expertise.", {"field": "areas"})
    return [code for code in ExpertiseArea.values if code in chosen]  # the register's own order


def _clean_days(days_per_term: Any) -> Decimal:
    try:
        days = Decimal(str(days_per_term))
    except (InvalidOperation, ValueError):
        raise ApplicationError("Enter the days available per term as a number.", {"field": "days_per_term"}) from None
    if not days.is_finite() or days < 0:
        raise ApplicationError("Days available per term cannot be negative.", {"field": "days_per_term"})
    return days


def _check(
    *,
    trust: Trust,
    expert: Expert | None,
    role: str,
    home_school: School | None,
    user: User | None,
    organisation: str,
) -> None:
    if role not in ExpertRole.values:
        raise ApplicationError("Choose a role from the list.", {"field": "role"})
    if home_school is not None and home_school.trust_id != trust.pk:
        raise ApplicationError(UNKNOWN_SCHOOL, {"field": "home_school"})
    if role == ExpertRole.EXTERNAL and home_school is not None:
        raise ApplicationError(
            "External providers have no home school in the trust; name their organisation instead.",
            {"field": "home_school"},
        )
    if role == ExpertRole.EXTERNAL and not organisation:
        raise ApplicationError("Name the external provider's organisation.", {"field": "organisation"})
    if user is not None:
        if not Membership.objects.filter(trust=trust, user=user).exists():
            raise ApplicationError(UNKNOWN_USER, {"field": "user"})
        others = Expert.objects.filter(trust=trust, user=user)
        if expert is not None:
            others = others.exclude(pk=expert.pk)
        if (other := others.first()) is not None:
            raise ApplicationError(
                f"That account is already linked to {other.name} on the register.", {"field": "user"}
            )


def expert_add(
    *,
    trust: Trust,
    actor: User,
    name: str,
    role: str,
    areas: Iterable[str],
    days_per_term: Decimal | int | str = 0,
    email: str = "",
    user: User | None = None,
    home_school: School | None = None,
    organisation: str = "",
) -> Expert:
    """Add a person to the trust's register of expertise."""
    _may_manage(actor, trust)
    organisation = (organisation or "").strip()
    _check(trust=trust, expert=None, role=role, home_school=home_school, user=user, organisation=organisation)
    refuse_repeat(Expert.objects.filter(trust=trust), what="person", name=(name or "").strip(), role=role)
    expert = Expert(
        trust=trust,
        name=(name or "").strip(),
        email=(email or "").strip(),
        user=user,
        role=role,
        home_school=home_school,
        organisation=organisation,
        areas=_clean_areas(areas),
        days_per_term=_clean_days(days_per_term),
    )
    expert.full_clean()
    with transaction.atomic():
        expert.save()
        audit_record(
            trust=trust, actor=actor, action="expert.added", obj=expert, changes=snapshot_fields(expert, EXPERT_FIELDS)
        )
    return expert


def expert_update(
    *,
    expert: Expert,
    actor: User,
    name: str,
    role: str,
    areas: Iterable[str],
    days_per_term: Decimal | int | str,
    email: str = "",
    user: User | None = None,
    home_school: School | None = None,
    organisation: str = "",
) -> Expert:
    """Change a register entry; the existing assignments keep their days."""
    trust = expert.trust
    _may_manage(actor, trust)
    organisation = (organisation or "").strip()
    _check(trust=trust, expert=expert, role=role, home_school=home_school, user=user, organisation=organisation)
    before = snapshot_fields(expert, EXPERT_FIELDS)
    expert.name = (name or "").strip()
    expert.email = (email or "").strip()
    expert.user = user
    expert.role = role
    expert.home_school = home_school
    expert.organisation = organisation
    expert.areas = _clean_areas(areas)
    expert.days_per_term = _clean_days(days_per_term)
    expert.full_clean()
    with transaction.atomic():
        expert.save(update_fields=[*EXPERT_FIELDS, "updated_at"])
        audit_record(
            trust=trust,
            actor=actor,
            action="expert.updated",
            obj=expert,
            changes=diff(before, snapshot_fields(expert, EXPERT_FIELDS)),
        )
    return expert


def expert_deactivate(*, expert: Expert, actor: User) -> Expert:
    """Take a person off brokering; their current assignments stay as they are."""
    _may_manage(actor, expert.trust)
    if expert.is_active:
        expert.is_active = False
        with transaction.atomic():
            expert.save(update_fields=["is_active", "updated_at"])
            audit_record(
                trust=expert.trust_id,
                actor=actor,
                action="expert.deactivated",
                obj=expert,
                changes={"is_active": [True, False]},
            )
    return expert


def expert_reactivate(*, expert: Expert, actor: User) -> Expert:
    """Offer a deactivated person for brokering again."""
    _may_manage(actor, expert.trust)
    if not expert.is_active:
        expert.is_active = True
        with transaction.atomic():
            expert.save(update_fields=["is_active", "updated_at"])
            audit_record(
                trust=expert.trust_id,
                actor=actor,
                action="expert.reactivated",
                obj=expert,
                changes={"is_active": [False, True]},
            )
    return expert

"""Every write to a trust's support scale: choosing a template, editing a level.

A trust picks its scale once. It may pick again (replacing its levels and any edits) only while no
school has been rated on it; after that the levels are edited in place. Editing a level never
touches past ratings: each rating keeps the level's name and position as they were when decided.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.audit import audit_record, diff, snapshot_fields
from core.exceptions import ApplicationError
from reviews.models import Rating
from reviews.suggestions import validate_rules
from trust.models import Membership, SupportLevel, SupportScale, Trust, User
from trust.permissions import Action, can
from trust.scales.templates import TEMPLATES


class _Keep:
    """Marks an argument that was not given: the field keeps its value."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()
MAX_DURATION_MONTHS = 120


def _require_manager(*, trust: Trust, actor: User) -> None:
    membership = Membership.objects.filter(trust=trust, user=actor).first()
    if not can(membership, Action.MANAGE_SCALE):
        raise PermissionDenied


def scale_create_from_template(*, trust: Trust, actor: User, template_key: str, replace: bool = False) -> SupportScale:
    """Give the trust the template's scale; replacing an existing one needs `replace` and no ratings on it."""
    _require_manager(trust=trust, actor=actor)
    template = TEMPLATES.get(template_key)
    if template is None:
        raise ApplicationError("Choose one of the three templates.", {"field": "template"})
    with transaction.atomic():
        existing = SupportScale.objects.select_for_update().filter(trust=trust).first()
        replaced = existing.name if existing is not None else None
        if existing is not None:
            if Rating.objects.filter(level__scale=existing).exists():
                raise ApplicationError(
                    f"Schools have already been rated on the scale “{existing.name}”, so it cannot be replaced: "
                    "the ratings must keep their levels. Edit its levels instead.",
                    {"field": "template"},
                )
            if not replace:
                raise ApplicationError(
                    f"The trust already uses “{existing.name}”. Confirm that you want to replace it and its edits.",
                    {"field": "replace"},
                )
            SupportLevel.objects.filter(scale=existing).delete()
            existing.delete()
        scale = SupportScale(trust=trust, name=template.name, template=template.key)
        scale.full_clean()
        scale.save()
        levels = [
            SupportLevel(scale=scale, position=position, **level.as_fields())
            for position, level in enumerate(template.levels, start=1)
        ]
        for level in levels:
            level.full_clean(validate_unique=False, validate_constraints=False)
        SupportLevel.objects.bulk_create(levels)
        audit_record(
            trust=trust,
            actor=actor,
            action="scale.replaced" if replaced else "scale.created",
            obj=scale,
            changes={"scale": [replaced, scale.name], "levels": [level.name for level in levels]},
        )
    return scale


def _clean_list(value: Any, label: str, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ApplicationError(f"{label} must be a list of text items.", {"field": field})
    return [item.strip() for item in value if item.strip()]


def _clean_checklist(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ApplicationError("The plan checklist must map each domain to its items.", {"field": "plan_checklist"})
    cleaned: dict[str, list[str]] = {}
    for domain, items in value.items():
        domain = str(domain).strip()
        if not domain:
            raise ApplicationError("Each checklist domain needs a name.", {"field": "plan_checklist"})
        cleaned[domain] = _clean_list(items, f"The items of “{domain}”", "plan_checklist")
    return cleaned


def level_update(
    *,
    level: SupportLevel,
    actor: User,
    name: str = KEEP,
    colour: str = KEEP,
    description: str = KEEP,
    key_indicators: list[str] = KEEP,
    support_offer: list[str] = KEEP,
    leadership_qualities: list[str] = KEEP,
    plan_checklist: dict[str, list[str]] = KEEP,
    visit_cadence: str = KEEP,
    monitoring_cadence: str = KEEP,
    reporting_cadence: str = KEEP,
    expected_duration_months: int | None = KEEP,
    rules: list[dict[str, Any]] = KEEP,
) -> SupportLevel:
    """Edit a level of the trust's scale; arguments not given keep their value. Past ratings are untouched."""
    _require_manager(trust=level.scale.trust, actor=actor)
    changes: dict[str, Any] = {}
    if name is not KEEP:
        name = str(name).strip()
        if not name:
            raise ApplicationError("A level needs a name.", {"field": "name"})
        clash = SupportLevel.objects.filter(scale=level.scale, name__iexact=name).exclude(pk=level.pk)
        if clash.exists():
            raise ApplicationError(f"Another level of this scale is already called “{name}”.", {"field": "name"})
        changes["name"] = name
    for field, value in (
        ("colour", colour),
        ("description", description),
        ("visit_cadence", visit_cadence),
        ("monitoring_cadence", monitoring_cadence),
        ("reporting_cadence", reporting_cadence),
    ):
        if value is not KEEP:
            changes[field] = str(value or "").strip()
    for field, value, label in (
        ("key_indicators", key_indicators, "Key indicators"),
        ("support_offer", support_offer, "The support offer"),
        ("leadership_qualities", leadership_qualities, "Leadership qualities"),
    ):
        if value is not KEEP:
            changes[field] = _clean_list(value, label, field)
    if plan_checklist is not KEEP:
        changes["plan_checklist"] = _clean_checklist(plan_checklist)
    if expected_duration_months is not KEEP:
        if expected_duration_months is not None and not 1 <= int(expected_duration_months) <= MAX_DURATION_MONTHS:
            raise ApplicationError(
                f"An expected duration is between 1 and {MAX_DURATION_MONTHS} months, or blank for none.",
                {"field": "expected_duration_months"},
            )
        changes["expected_duration_months"] = (
            None if expected_duration_months is None else int(expected_duration_months)
        )
    if rules is not KEEP:
        changes["rules"] = validate_rules(rules)
    if not changes:
        return level
    before = snapshot_fields(level, changes)
    for field, value in changes.items():
        setattr(level, field, value)
    level.full_clean()
    with transaction.atomic():
        level.save(update_fields=[*changes, "updated_at"])
        audit_record(
            trust=level.scale.trust_id,
            actor=actor,
            action="scale_level.updated",
            obj=level,
            changes=diff(before, snapshot_fields(level, changes)),
            label=f"{level.scale.name}: {level.name}",
        )
    return level

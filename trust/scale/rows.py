"""Unsaved rows, gathered for a chunk of trusts and written model by model with bulk inserts.

Rows are made before any has a primary key, so a row's parents (a review's school, a judgement's review)
are kept beside it rather than set on it; writing parents before children in `ORDER` gives each parent
its key (bulk_create returns keys on PostgreSQL and SQLite), and each child's foreign keys are copied
from its parents just before the child is inserted. So nothing written is read back. (Setting parents as
objects on the rows would work too, but Django then resolves each foreign key twice, which for three
million rows costs about a fifth of the build.)
"""

from collections import Counter, defaultdict
from typing import Any

from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from interventions.models import (
    Activity,
    Checkpoint,
    CheckpointProgress,
    Expert,
    ImprovementPlan,
    Intervention,
    InterventionLead,
    InterventionTarget,
    InterventionTransition,
    PlanAction,
    PlanPriority,
    PlanUpdate,
    SupportRequest,
)
from reviews.models import (
    Evidence,
    JudgementArea,
    Rating,
    Review,
    ReviewJudgement,
    SelfEvaluation,
    SelfEvaluationEntry,
)
from schools.models import Inspection, InspectionJudgement, InYearPrediction, MeasureValue, School
from trust.models import Membership, SupportLevel, SupportScale, Trust, User

BATCH_SIZE = 2000


def _through(model: type[models.Model], name: str) -> type[models.Model]:
    return model._meta.get_field(name).remote_field.through


# Parents before children; a many-to-many link table after both of its ends.
ORDER: tuple[type[models.Model], ...] = (
    Trust,
    User,
    School,
    Membership,
    TOTPDevice,
    SupportScale,
    SupportLevel,
    JudgementArea,
    Expert,
    Evidence,
    _through(Evidence, "areas"),
    Inspection,
    InspectionJudgement,
    SelfEvaluation,
    SelfEvaluationEntry,
    _through(SelfEvaluationEntry, "evidence"),
    Review,
    ReviewJudgement,
    _through(Review, "reviewers"),
    _through(Review, "evidence"),
    Rating,
    _through(Rating, "evidence"),
    MeasureValue,
    InYearPrediction,
    ImprovementPlan,
    PlanPriority,
    PlanAction,
    PlanUpdate,
    SupportRequest,
    Intervention,
    _through(Intervention, "impact_evidence"),
    InterventionLead,
    InterventionTarget,
    InterventionTransition,
    Checkpoint,
    CheckpointProgress,
    Activity,
)


def _foreign_keys(model: type[models.Model]) -> dict[str, str]:
    """Name -> column attribute of each of the model's foreign keys (e.g. "school" -> "school_id")."""
    return {f.name: f.attname for f in model._meta.concrete_fields if f.many_to_one or f.one_to_one}


class Rows:
    """The rows of a chunk of trusts, by model, until `write` inserts them."""

    def __init__(self) -> None:
        self.by_model: dict[type[models.Model], list[tuple[models.Model, list[tuple[str, Any]]]]] = defaultdict(list)
        self.schools = 0
        self._keys: dict[type[models.Model], dict[str, str]] = {}

    def add(self, model: type[Any], **values: Any) -> Any:
        """A new `model` row with `values`; parents (foreign keys) may be rows not yet written."""
        keys = self._keys.get(model)
        if keys is None:
            keys = self._keys[model] = _foreign_keys(model)
        parents = [(keys[name], values.pop(name)) for name in keys.keys() & values.keys()]
        row = model(**values)
        self.by_model[model].append((row, parents))
        return row

    def link(self, model: type[models.Model], field: str, source: models.Model, target: models.Model) -> None:
        """A row of `model.field`'s many-to-many table joining `source` to `target`."""
        m2m = model._meta.get_field(field)
        self.add(m2m.remote_field.through, **{m2m.m2m_field_name(): source, m2m.m2m_reverse_field_name(): target})

    def write(self, counts: Counter[str]) -> None:
        """Insert every row in dependency order, add how many of each model to `counts`, and forget them."""
        unknown = set(self.by_model) - set(ORDER)
        if unknown:
            raise RuntimeError(f"No place in the write order for {sorted(m._meta.label for m in unknown)}")
        for model in ORDER:
            pending = self.by_model.pop(model, [])
            if not pending:
                continue
            for row, parents in pending:
                for attname, parent in parents:
                    if parent is not None:
                        if parent.pk is None:
                            raise RuntimeError(f"A {model._meta.label} row's parent {parent!r} was not written first.")
                        setattr(row, attname, parent.pk)
            model._default_manager.bulk_create([row for row, _ in pending], batch_size=BATCH_SIZE)
            counts[model._meta.label] += len(pending)
        self.schools = 0

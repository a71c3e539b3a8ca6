"""Every writable field that picks related objects offers only the member's own trust's objects, and only their
own school's for a headteacher or governor. A new form or serializer field that picks related objects fails
here until it is added to one of the tables below, with the way its view builds it."""

import datetime
import fnmatch
import importlib
import inspect
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from rest_framework import serializers

from interventions.models import Expert, Intervention, SupportRequest
from interventions.selectors.interventions import trust_experts
from interventions.selectors.register import linkable_members
from reporting.services.snapshots import snapshot_take
from reviews.models import Evidence, EvidenceType, JudgementArea, Review
from reviews.selectors.evidence import evidence_schools, evidence_visible_to, trust_areas
from reviews.selectors.ratings import evidence_for_rating
from reviews.services.areas import judgement_areas_ensure
from schools.models import School
from schools.selectors.schools import schools_visible_to
from tests.conftest import ROLES, TrustWorld
from tests.interventions import make_expert, make_intervention
from trust.models import Membership, SupportLevel, User
from trust.permissions import Action, can
from trust.scales.selectors import levels_of
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
JSON = "application/json"
APPS = ["core", "trust", "schools", "reviews", "interventions", "reporting"]

# What a related field may offer. SCHOOL: the trust's objects, and a headteacher or governor only their own
# school's. TRUST: the trust's objects whoever asks (judgement areas, scale levels, people, the register).
SCHOOL, TRUST = "school", "trust"
# How an object reaches its trust, and its school where it has one (None: shared by the trust's schools).
OWNERSHIP: dict[type[Model], tuple[str, str | None]] = {
    School: ("trust", "pk"),
    Evidence: ("school__trust", "school"),
    SupportRequest: ("school__trust", "school"),
    Intervention: ("school__trust", "school"),
    JudgementArea: ("trust", None),
    SupportLevel: ("scale__trust", None),
    Expert: ("trust", None),
    User: ("memberships__trust", None),
}


def _modules(wanted: Callable[[Path], bool]) -> list[ModuleType]:
    base = Path(settings.BASE_DIR)
    names = []
    for app in APPS:
        for path in sorted((base / app).rglob("*.py")):
            rel = path.relative_to(base)
            if "migrations" not in rel.parts and wanted(rel):
                names.append(".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
    return [importlib.import_module(name) for name in names]


def _classes(modules: list[ModuleType], base: type) -> dict[str, type]:
    return {
        f"{module.__name__}.{name}": cls
        for module in modules
        for name, cls in vars(module).items()
        if inspect.isclass(cls) and cls.__module__ == module.__name__ and issubclass(cls, base)
    }


FORM_MODULES = _modules(lambda rel: rel.stem.startswith("forms") or "forms" in rel.parts[:-1])
API_MODULES = _modules(lambda rel: rel.stem.startswith("api") or "api" in rel.parts[:-1])
FORMS = _classes(FORM_MODULES, forms.BaseForm)
SERIALIZERS = _classes(API_MODULES, serializers.BaseSerializer)


# ---------------------------------------------------------------------------------------------------------------
# Forms: how each view builds the form (the action its view requires, then the form for a member), and what each
# related field may offer. Field names are patterns for fields added in __init__ (lead_1..3, <area>-evidence).
# ---------------------------------------------------------------------------------------------------------------


def _request(m: Membership) -> SimpleNamespace:
    """The little of a request the views' form helpers read."""
    return SimpleNamespace(method="GET", GET={}, POST={}, trust=m.trust, membership=m, user=m.user)


def _school(m: Membership) -> School:
    """The school whose page the member opened: any they may see."""
    return schools_visible_to(m).first()


def _review_form(m: Membership) -> forms.Form:
    from reviews.views.reviews import _review_form

    return _review_form(_request(m), _school(m), None)


def _priority_form(m: Membership) -> forms.Form:
    from interventions.forms_plans import PriorityForm
    from interventions.views.plans import _areas

    return PriorityForm(areas=_areas(_request(m)))


def _calendar_filter_form(m: Membership) -> forms.Form:
    from interventions.views.visits import _filter_form

    return _filter_form(_request(m))


def _visit_form(m: Membership) -> forms.Form:
    from interventions.views.visits import _visit_form

    return _visit_form(_request(m))


def _form(path: str) -> type:
    return FORMS[path]


FORM_VIEWS: dict[str, tuple[Action, Callable[[Membership], forms.Form]]] = {
    "trust.forms._SchoolForRoleForm": (
        Action.MANAGE_MEMBERS,
        lambda m: _form("trust.forms._SchoolForRoleForm")(trust=m.trust, submit_label="Save"),
    ),
    "trust.forms.InvitationForm": (Action.MANAGE_MEMBERS, lambda m: _form("trust.forms.InvitationForm")(trust=m.trust)),
    "trust.forms.RoleChangeForm": (Action.MANAGE_MEMBERS, lambda m: _form("trust.forms.RoleChangeForm")(trust=m.trust)),
    "reviews.forms_evidence.EvidenceFilterForm": (
        Action.VIEW_EVIDENCE,
        lambda m: _form("reviews.forms_evidence.EvidenceFilterForm")(
            schools=evidence_schools(m), areas=trust_areas(m.trust)
        ),
    ),
    "reviews.forms_evidence.EvidenceForm": (
        Action.RECORD_EVIDENCE,
        lambda m: _form("reviews.forms_evidence.EvidenceForm")(schools=evidence_schools(m), areas=trust_areas(m.trust)),
    ),
    "reviews.forms_ratings.RatingForm": (
        Action.RATE_SCHOOLS,
        lambda m: _form("reviews.forms_ratings.RatingForm")(
            levels=levels_of(m.trust), evidence=[c.evidence for c in evidence_for_rating(_school(m), today=TODAY)]
        ),
    ),
    "reviews.forms_reviews.SchoolChoiceForm": (
        Action.RECORD_REVIEWS,
        lambda m: _form("reviews.forms_reviews.SchoolChoiceForm")(schools=schools_visible_to(m)),
    ),
    "reviews.forms_reviews.ReviewForm": (Action.RECORD_REVIEWS, _review_form),
    "reviews.forms_reviews.ReviewFilterForm": (
        Action.VIEW_REVIEWS,
        lambda m: _form("reviews.forms_reviews.ReviewFilterForm")(schools=schools_visible_to(m)),
    ),
    "reviews.forms_sef.SefForm": (
        Action.WRITE_SEF,
        lambda m: _form("reviews.forms_sef.SefForm")(
            areas=judgement_areas_ensure(trust=m.trust), evidence=evidence_visible_to(m, _school(m))
        ),
    ),
    "interventions.forms_interventions.InterventionFilterForm": (
        Action.VIEW_INTERVENTIONS,
        lambda m: _form("interventions.forms_interventions.InterventionFilterForm")(schools=schools_visible_to(m)),
    ),
    "interventions.forms_interventions.NeedForm": (
        Action.COMMISSION_INTERVENTIONS,
        lambda m: _form("interventions.forms_interventions.NeedForm")(schools=schools_visible_to(m)),
    ),
    "interventions.forms_interventions.CommissionForm": (
        Action.COMMISSION_INTERVENTIONS,
        lambda m: _form("interventions.forms_interventions.CommissionForm")(
            schools=schools_visible_to(m), experts=trust_experts(m)
        ),
    ),
    "interventions.forms_interventions.CloseForm": (
        Action.COMMISSION_INTERVENTIONS,
        lambda m: _form("interventions.forms_interventions.CloseForm")(evidence=evidence_visible_to(m, _school(m))),
    ),
    "interventions.forms_interventions.CheckpointForm": (
        Action.RECORD_CHECKPOINTS,
        lambda m: _form("interventions.forms_interventions.CheckpointForm")(
            targets=[], evidence=evidence_visible_to(m, _school(m))
        ),
    ),
    "interventions.forms_plans.PriorityForm": (Action.WRITE_PLAN, _priority_form),
    "interventions.forms_register.RegisterFilterForm": (
        Action.VIEW_REGISTER,
        lambda m: _form("interventions.forms_register.RegisterFilterForm")(schools=schools_visible_to(m)),
    ),
    "interventions.forms_register.ExpertForm": (
        Action.MANAGE_REGISTER,
        lambda m: _form("interventions.forms_register.ExpertForm")(
            schools=schools_visible_to(m), members=linkable_members(m.trust)
        ),
    ),
    "interventions.forms_register.BrokerForm": (
        Action.VIEW_REGISTER,
        lambda m: _form("interventions.forms_register.BrokerForm")(schools=schools_visible_to(m)),
    ),
    "interventions.forms_visits.CalendarFilterForm": (Action.VIEW_CALENDAR, _calendar_filter_form),
    "interventions.forms_visits.VisitForm": (Action.PLAN_VISITS, _visit_form),
}

RELATED_FORM_FIELDS: dict[str, dict[str, str]] = {
    "trust.forms._SchoolForRoleForm": {"school": SCHOOL},
    "trust.forms.InvitationForm": {"school": SCHOOL},
    "trust.forms.RoleChangeForm": {"school": SCHOOL},
    "reviews.forms_evidence.EvidenceFilterForm": {"school": SCHOOL, "area": TRUST},
    "reviews.forms_evidence.EvidenceForm": {"school": SCHOOL, "areas": TRUST},
    "reviews.forms_ratings.RatingForm": {"level": TRUST, "evidence": SCHOOL},
    "reviews.forms_reviews.SchoolChoiceForm": {"school": SCHOOL},
    "reviews.forms_reviews.ReviewForm": {"reviewers": TRUST, "evidence": SCHOOL},
    "reviews.forms_reviews.ReviewFilterForm": {"school": SCHOOL},
    "reviews.forms_sef.SefForm": {"*-evidence": SCHOOL},
    "interventions.forms_interventions.InterventionFilterForm": {"school": SCHOOL},
    "interventions.forms_interventions.NeedForm": {"school": SCHOOL},
    "interventions.forms_interventions.CommissionForm": {
        "school": SCHOOL,
        "providing_school": SCHOOL,
        "lead_*": TRUST,
    },
    "interventions.forms_interventions.CloseForm": {"evidence": SCHOOL},
    "interventions.forms_interventions.CheckpointForm": {"evidence": SCHOOL},
    "interventions.forms_plans.PriorityForm": {"area": TRUST},
    "interventions.forms_register.RegisterFilterForm": {"home_school": SCHOOL},
    "interventions.forms_register.ExpertForm": {"home_school": SCHOOL, "user": TRUST},
    "interventions.forms_register.BrokerForm": {"school": SCHOOL},
    "interventions.forms_visits.CalendarFilterForm": {"person": TRUST, "school": SCHOOL},
    "interventions.forms_visits.VisitForm": {"school": SCHOOL, "owner": TRUST},
}

# ---------------------------------------------------------------------------------------------------------------
# Serializers: every serializer a view reads input with, the action its view requires, and what each field that
# names other objects is. A SlugRelatedField is SCHOOL or TRUST like a form field (its queryset is checked); a
# plain UUID field is RESOLVED by the view or service (proved through the API below) or a list FILTER.
# ---------------------------------------------------------------------------------------------------------------
RESOLVED, FILTER = "resolved in the view", "a list filter"

SERIALIZER_ACTIONS: dict[str, Action] = {
    "trust.api.InvitationInputSerializer": Action.MANAGE_MEMBERS,
    "trust.api.RoleChangeSerializer": Action.MANAGE_MEMBERS,
    "trust.api_audit.AuditFilterSerializer": Action.VIEW_AUDIT_LOG,
    "reviews.api.evidence.EvidenceCreateSerializer": Action.RECORD_EVIDENCE,
    "reviews.api.evidence.EvidenceUpdateInputSerializer": Action.RECORD_EVIDENCE,
    "reviews.api.ratings.RatingInputSerializer": Action.RATE_SCHOOLS,
    "reviews.api.reviews.ReviewCreateSerializer": Action.RECORD_REVIEWS,
    "reviews.api.reviews.ReviewInputSerializer": Action.RECORD_REVIEWS,
    "reviews.api.sef.SefEntryInputSerializer": Action.WRITE_SEF,
    "interventions.api.interventions.InterventionCreateSerializer": Action.COMMISSION_INTERVENTIONS,
    "interventions.api.interventions.LeadInputSerializer": Action.COMMISSION_INTERVENTIONS,
    "interventions.api.interventions.CloseInputSerializer": Action.COMMISSION_INTERVENTIONS,
    "interventions.api.interventions.CheckpointInputSerializer": Action.RECORD_CHECKPOINTS,
    "interventions.api.requests.AcceptInputSerializer": Action.TRIAGE_REQUESTS,
    "interventions.api.register.ExpertInputSerializer": Action.MANAGE_REGISTER,
    "interventions.api.register.ExpertUpdateSerializer": Action.MANAGE_REGISTER,
    "interventions.api.register.BrokerParamsSerializer": Action.VIEW_REGISTER,
    "interventions.api.visits.ActivityInputSerializer": Action.PLAN_VISITS,
    "interventions.api.visits.ActivityChangeSerializer": Action.PLAN_VISITS,
    "reporting.api.board_packs.BoardPackRequestSerializer": Action.GENERATE_BOARD_PACK,
}

RELATED_SERIALIZER_FIELDS: dict[str, dict[str, str]] = {
    "trust.api.InvitationInputSerializer": {"school": SCHOOL},
    "trust.api.RoleChangeSerializer": {"school": SCHOOL},
    "trust.api_audit.AuditFilterSerializer": {"actor": FILTER},
    "reviews.api.evidence.EvidenceCreateSerializer": {"school": SCHOOL, "areas": TRUST},
    "reviews.api.evidence.EvidenceUpdateInputSerializer": {"areas": TRUST},
    "reviews.api.ratings.RatingInputSerializer": {"level": RESOLVED, "evidence": RESOLVED},
    "reviews.api.reviews.ReviewCreateSerializer": {"school": SCHOOL, "reviewers": RESOLVED, "evidence": RESOLVED},
    "reviews.api.reviews.ReviewInputSerializer": {"reviewers": RESOLVED, "evidence": RESOLVED},
    "reviews.api.sef.SefEntryInputSerializer": {"evidence": RESOLVED},
    "interventions.api.interventions.InterventionCreateSerializer": {
        "school": SCHOOL,
        "providing_school": SCHOOL,
        "support_request": SCHOOL,
    },
    "interventions.api.interventions.LeadInputSerializer": {"expert": TRUST},
    "interventions.api.interventions.CloseInputSerializer": {"evidence": SCHOOL},
    "interventions.api.interventions.CheckpointInputSerializer": {"evidence": SCHOOL},
    "interventions.api.requests.AcceptInputSerializer": {"providing_school": SCHOOL, "intervention": SCHOOL},
    "interventions.api.register.ExpertInputSerializer": {"home_school": RESOLVED, "user": RESOLVED},
    "interventions.api.register.ExpertUpdateSerializer": {"home_school": RESOLVED, "user": RESOLVED},
    "interventions.api.register.BrokerParamsSerializer": {"school": RESOLVED},
    "interventions.api.visits.ActivityInputSerializer": {"school": SCHOOL, "owner": TRUST},
    "interventions.api.visits.ActivityChangeSerializer": {"owner": TRUST},
    "reporting.api.board_packs.BoardPackRequestSerializer": {"snapshot": RESOLVED},
}


# ---------------------------------------------------------------------------------------------------------------
# Finding the fields.
# ---------------------------------------------------------------------------------------------------------------


def _related_form_fields(form: forms.BaseForm | type[forms.BaseForm]) -> list[str]:
    fields = form.fields if isinstance(form, forms.BaseForm) else form.base_fields
    return [name for name, field in fields.items() if isinstance(field, forms.ModelChoiceField)]


_CHOICE_FIELD_NAMES = {"ModelChoiceField", "ModelMultipleChoiceField"} | {
    name
    for module in FORM_MODULES
    for name, cls in vars(module).items()
    if inspect.isclass(cls) and issubclass(cls, forms.ModelChoiceField)
}


def _adds_related_fields_in_init(cls: type) -> bool:
    """A form whose __init__ builds a field that picks objects (only instantiating it shows the field)."""
    init = cls.__dict__.get("__init__")
    source = inspect.getsource(init) if init else ""
    return any(re.search(rf"\b{name}\(", source) for name in _CHOICE_FIELD_NAMES)


def _classified(patterns: dict[str, str], name: str) -> str | None:
    kinds = [kind for pattern, kind in patterns.items() if fnmatch.fnmatchcase(name, pattern)]
    return kinds[0] if len(kinds) == 1 else None


def _input_serializers() -> set[str]:
    """Serializers a view builds with `data=` (and any serializer nested in one): the ones that read input."""
    found: set[str] = set()
    for module in API_MODULES:
        source = Path(module.__file__).read_text()
        for name in re.findall(r"\b(\w+)\(data=", source):
            if f"{module.__name__}.{name}" in SERIALIZERS:
                found.add(f"{module.__name__}.{name}")
    pending = list(found)
    while pending:
        for field in SERIALIZERS[pending.pop()]().fields.values():
            nested = getattr(field, "child", field)
            if isinstance(nested, serializers.BaseSerializer):
                path = f"{type(nested).__module__}.{type(nested).__name__}"
                if path not in found:
                    found.add(path)
                    pending.append(path)
    return found


def _picks_objects(field: serializers.Field) -> serializers.Field | None:
    """The field (or list child) that names other objects: a related field or a plain UUID."""
    if field.read_only:
        return None
    inner = getattr(field, "child_relation", None) or getattr(field, "child", None) or field
    if isinstance(inner, serializers.RelatedField | serializers.UUIDField):
        return inner
    return None


def _serializer_fields(path: str, context: dict[str, Any] | None = None) -> dict[str, serializers.Field]:
    found = {}
    for name, field in SERIALIZERS[path](context=context or {}).fields.items():
        if (inner := _picks_objects(field)) is not None:
            found[name] = inner
    return found


# ---------------------------------------------------------------------------------------------------------------
# The worlds: two trusts of the same shape with every kind of object a field can pick.
# ---------------------------------------------------------------------------------------------------------------


def _populate(world: TrustWorld) -> None:
    with scope(trust=world.trust.pk):
        executive = world.people["executive"]
        areas = judgement_areas_ensure(trust=world.trust)
        scale_create_from_template(trust=world.trust, actor=executive, template_key="rag")
        for school in world.schools:
            Evidence.objects.create(
                school=school,
                evidence_type=EvidenceType.LEARNING_WALK,
                observed_on=TODAY - datetime.timedelta(days=3),
                summary=f"Learning walk at {school.name}",
                shared_with_school=True,
                author=world.people["specialist"],
            ).areas.set(areas[:1])
            SupportRequest.objects.create(school=school, area="maths", need="Help with fractions.")
            make_intervention(school, starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=30))
        make_expert(world.trust, "Priya Raman", user=world.people["specialist"], home_school=world.schools[1])
        world.snapshot = snapshot_take(trust=world.trust, actor=None, today=TODAY)


@pytest.fixture
def worlds(trust_a: TrustWorld, trust_b: TrustWorld) -> tuple[TrustWorld, TrustWorld]:
    _populate(trust_a)
    _populate(trust_b)
    return trust_a, trust_b


def _who_reaches(action: Action, world: TrustWorld) -> Iterator[Membership]:
    for role in ROLES:
        membership = world.memberships[role]
        if can(membership, action):
            yield membership


def _leaks(queryset: QuerySet, kind: str, membership: Membership) -> list[str]:
    """The objects the field offers that the member must not pick (read with scopes disabled)."""
    model = queryset.model
    assert model in OWNERSHIP, f"{model.__name__}: say in OWNERSHIP how it reaches its trust"
    trust_path, school_path = OWNERSHIP[model]
    offered = list(queryset)
    own = set(model._base_manager.filter(**{trust_path: membership.trust}).values_list("pk", flat=True))
    leaks = [f"{model.__name__} {obj.pk} of another trust" for obj in offered if obj.pk not in own]
    if kind == SCHOOL and membership.is_school_level and school_path is not None:
        theirs = set(model._base_manager.filter(**{school_path: membership.school_id}).values_list("pk", flat=True))
        leaks += [f"{model.__name__} {obj.pk} of another school" for obj in offered if obj.pk not in theirs]
    return leaks


# ---------------------------------------------------------------------------------------------------------------
# The inventory is complete.
# ---------------------------------------------------------------------------------------------------------------


def test_the_inventory_finds_the_project_forms_and_serializers():
    assert "interventions.forms_interventions.CommissionForm" in FORMS
    assert "trust.scales.forms.LevelForm" in FORMS and "trust.calendar.forms.EditYearForm" in FORMS
    assert "reviews.api.reviews.ReviewCreateSerializer" in SERIALIZERS
    assert {"trust.scales.api.LevelInputSerializer", "reporting.api.board_packs.BoardPackRequestSerializer"} <= set(
        SERIALIZERS
    )


def test_every_form_field_that_picks_objects_is_classified():
    unclassified = []
    for path, cls in FORMS.items():
        patterns = RELATED_FORM_FIELDS.get(path, {})
        unclassified += [f"{path}.{name}" for name in _related_form_fields(cls) if not _classified(patterns, name)]
        if _adds_related_fields_in_init(cls) and path not in FORM_VIEWS:
            unclassified.append(f"{path}: builds related fields in __init__; add it to FORM_VIEWS")
    assert unclassified == []
    assert set(RELATED_FORM_FIELDS) == set(FORM_VIEWS)
    assert set(FORM_VIEWS) <= set(FORMS), "a form in the tables no longer exists"


def test_every_related_field_a_form_builds_is_classified(worlds):
    trust_a, _ = worlds
    unclassified, stale = [], []
    with scopes_disabled():
        for path, (_action, build) in FORM_VIEWS.items():
            names = _related_form_fields(build(trust_a.memberships["executive"]))
            unclassified += [f"{path}.{n}" for n in names if not _classified(RELATED_FORM_FIELDS[path], n)]
            stale += [
                f"{path}.{p}" for p in RELATED_FORM_FIELDS[path] if not any(fnmatch.fnmatchcase(n, p) for n in names)
            ]
    assert unclassified == []
    assert stale == [], "a classified field no longer exists"


def test_every_serializer_field_that_picks_objects_is_classified():
    inputs = _input_serializers()
    unclassified = [
        f"{path}.{name}"
        for path in sorted(inputs)
        for name in _serializer_fields(path)
        if RELATED_SERIALIZER_FIELDS.get(path, {}).get(name) is None
    ]
    assert unclassified == []
    # Every classified serializer really reads input, and says which action its view requires.
    assert set(RELATED_SERIALIZER_FIELDS) <= inputs
    assert set(RELATED_SERIALIZER_FIELDS) == set(SERIALIZER_ACTIONS)
    for path, fields in RELATED_SERIALIZER_FIELDS.items():
        assert set(fields) == set(_serializer_fields(path)), path


def test_no_api_view_writes_through_a_generic_create_or_update():
    # Input is read only with `Serializer(data=...)`, which the inventory above sees; a generic create or update
    # would write through `serializer_class` unseen.
    from rest_framework import mixins

    writers = [
        f"{module.__name__}.{name}"
        for module in API_MODULES
        for name, cls in vars(module).items()
        if inspect.isclass(cls)
        and cls.__module__ == module.__name__
        and issubclass(cls, mixins.CreateModelMixin | mixins.UpdateModelMixin)
    ]
    assert writers == []


# ---------------------------------------------------------------------------------------------------------------
# Each field offers only what the member may pick.
# ---------------------------------------------------------------------------------------------------------------


def test_the_leak_check_sees_a_field_left_unfiltered(worlds):
    trust_a, _ = worlds
    with scopes_disabled():
        headteacher = trust_a.memberships["headteacher"]
        assert _leaks(School.objects.all(), TRUST, headteacher)  # every trust's schools
        assert _leaks(School.objects.filter(trust=trust_a.trust), SCHOOL, headteacher)  # the other school
        assert _leaks(User.objects.all(), TRUST, headteacher)
        assert _leaks(schools_visible_to(headteacher), SCHOOL, headteacher) == []


@pytest.mark.parametrize("path", sorted(FORM_VIEWS))
def test_a_form_offers_only_the_members_own_trust_and_school(worlds, path):
    trust_a, _ = worlds
    action, build = FORM_VIEWS[path]
    checked = 0
    # Built and read with scopes disabled: a field must be narrowed by its own filter, not by the request's scope.
    with scopes_disabled():
        for membership in _who_reaches(action, trust_a):
            form = build(membership)
            for name in _related_form_fields(form):
                queryset = form.fields[name].queryset
                kind = _classified(RELATED_FORM_FIELDS[path], name)
                assert _leaks(queryset, kind, membership) == [], f"{path}.{name} for {membership.role}"
                checked += queryset.count()
    assert checked, f"{path}: nothing offered to anyone, so nothing was proved"


def _serializer_context(membership: Membership) -> dict[str, Any]:
    django_request = SimpleNamespace(trust=membership.trust, membership=membership, user=membership.user)
    return {"request": SimpleNamespace(_request=django_request, user=membership.user), "membership": membership}


SLUG_FIELDS = sorted(
    (path, name)
    for path, fields in RELATED_SERIALIZER_FIELDS.items()
    for name, kind in fields.items()
    if kind in {SCHOOL, TRUST}
)


@pytest.mark.parametrize(("path", "name"), SLUG_FIELDS)
def test_a_serializer_field_offers_only_the_members_own_trust_and_school(worlds, path, name):
    trust_a, _ = worlds
    kind = RELATED_SERIALIZER_FIELDS[path][name]
    checked = 0
    with scopes_disabled():
        for membership in _who_reaches(SERIALIZER_ACTIONS[path], trust_a):
            field = _serializer_fields(path, _serializer_context(membership))[name]
            assert isinstance(field, serializers.RelatedField), f"{path}.{name} is {kind}: it needs a queryset"
            queryset = field.get_queryset()
            assert _leaks(queryset, kind, membership) == [], f"{path}.{name} for {membership.role}"
            checked += queryset.count()
    assert checked, f"{path}.{name}: nothing offered to anyone, so nothing was proved"


# ---------------------------------------------------------------------------------------------------------------
# Plain UUIDs resolved in the view: another trust's object is refused exactly like a UUID nobody has.
# ---------------------------------------------------------------------------------------------------------------


def _api(world: TrustWorld, tail: str) -> str:
    return f"/api/v1/t/{world.trust.slug}/{tail}"


def _same_refusal(
    field: str, send: Callable[[str], Any], foreign: object, counted: Callable[[], int] | None = None
) -> None:
    """`send(uuid)` answers 400 for another trust's object, in the same words as for a random UUID."""
    before = counted() if counted else None
    answers = []
    for value in (str(foreign), str(uuid.uuid4())):
        response = send(value)
        assert response.status_code == 400, (value, response.status_code, response.content[:300])
        answers.append(response.content.decode().replace(value, "<uuid>"))
        # Refused for the UUID itself, not for some other mistake in the request.
        assert field in answers[-1], answers[-1]
    assert answers[0] == answers[1]
    if counted:
        assert counted() == before, "a refused request still wrote a row"


def _unscoped_count(model: type[Model]) -> Callable[[], int]:
    def count() -> int:
        with scopes_disabled():
            return model.objects.count()

    return count


def _rating(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    with scopes_disabled():
        level = SupportLevel.objects.filter(scale__trust=trust_a.trust).first()
        evidence = Evidence.objects.filter(school=trust_a.schools[0]).first()
        foreign = {
            "level": SupportLevel.objects.filter(scale__trust=trust_b.trust).first().uuid,
            "evidence": Evidence.objects.filter(school__trust=trust_b.trust).first().uuid,
        }[name]
    client = trust_a.client_for("executive")
    url = _api(trust_a, f"schools/{trust_a.schools[0].uuid}/ratings/")

    def send(value: str) -> Any:
        body = {"level": str(level.uuid), "rationale": "Why.", "evidence": [str(evidence.uuid)]}
        body[name] = value if name == "level" else [value]
        return client.post(url, body, content_type=JSON)

    from reviews.models import Rating

    _same_refusal(name, send, foreign, _unscoped_count(Rating))


def _review_body(world: TrustWorld, name: str, value: str) -> dict[str, Any]:
    body: dict[str, Any] = {"review_type": "annual_review", "reviewed_on": TODAY.isoformat()}
    body[name] = [value]
    return body


def _review_foreign(trust_b: TrustWorld, name: str) -> object:
    with scopes_disabled():
        if name == "reviewers":
            return trust_b.people["improvement_lead"].uuid
        return Evidence.objects.filter(school__trust=trust_b.trust).first().uuid


def _review_create(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")

    def send(value: str) -> Any:
        body = {**_review_body(trust_a, name, value), "school": str(trust_a.schools[0].uuid)}
        return client.post(_api(trust_a, "reviews/"), body, content_type=JSON)

    _same_refusal(name, send, _review_foreign(trust_b, name), _unscoped_count(Review))


def _review_update(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")
    created = client.post(
        _api(trust_a, "reviews/"),
        {"review_type": "annual_review", "reviewed_on": TODAY.isoformat(), "school": str(trust_a.schools[0].uuid)},
        content_type=JSON,
    )
    assert created.status_code == 201, created.content
    url = _api(trust_a, f"reviews/{created.json()['uuid']}/")

    def send(value: str) -> Any:
        return client.put(url, _review_body(trust_a, name, value), content_type=JSON)

    _same_refusal(name, send, _review_foreign(trust_b, name))
    with scopes_disabled():
        review = Review.objects.get(uuid=created.json()["uuid"])
        assert not review.reviewers.exists() and not review.evidence.exists()


def _sef_entry(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("headteacher")
    with scopes_disabled():
        code = JudgementArea.objects.filter(trust=trust_a.trust).first().code
        foreign = Evidence.objects.filter(school__trust=trust_b.trust).first().uuid

    def send(value: str) -> Any:
        body = {"summary": "Our view.", "entries": [{"area": code, "evidence": [value]}]}
        return client.put(_api(trust_a, f"sef/{trust_a.schools[0].uuid}/"), body, content_type=JSON)

    from reviews.models import SelfEvaluation

    _same_refusal(name, send, foreign, _unscoped_count(SelfEvaluation))


def _expert_foreign(trust_b: TrustWorld, name: str) -> object:
    return trust_b.schools[0].uuid if name == "home_school" else trust_b.people["specialist"].uuid


def _expert_add(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")

    def send(value: str) -> Any:
        body = {"name": "Sam Okoro", "role": "lead_practitioner", "areas": ["maths"], "days_per_term": "4"}
        return client.post(_api(trust_a, "register/"), {**body, name: value}, content_type=JSON)

    _same_refusal(name, send, _expert_foreign(trust_b, name), _unscoped_count(Expert))


def _expert_update(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")
    with scopes_disabled():
        expert = Expert.objects.filter(trust=trust_a.trust).first()
        before = (expert.home_school_id, expert.user_id)

    def send(value: str) -> Any:
        return client.patch(_api(trust_a, f"register/{expert.uuid}/"), {name: value}, content_type=JSON)

    _same_refusal(name, send, _expert_foreign(trust_b, name))
    with scopes_disabled():
        expert.refresh_from_db()
        assert (expert.home_school_id, expert.user_id) == before


def _broker(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")
    query = {"area": "maths", "starts_on": TODAY, "ends_on": TODAY + datetime.timedelta(days=7), "days": "1"}

    def send(value: str) -> Any:
        return client.get(_api(trust_a, "register/broker/"), {**query, name: value})

    _same_refusal(name, send, trust_b.schools[0].uuid)


def _board_pack(worlds: tuple[TrustWorld, TrustWorld], name: str) -> None:
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")
    from reporting.models import BoardPack

    def send(value: str) -> Any:
        return client.post(_api(trust_a, "board-packs/"), {name: value}, content_type=JSON)

    _same_refusal(name, send, trust_b.snapshot.uuid, _unscoped_count(BoardPack))


RESOLVED_CASES: dict[tuple[str, str], Callable[[tuple[TrustWorld, TrustWorld], str], None]] = {
    ("reviews.api.ratings.RatingInputSerializer", "level"): _rating,
    ("reviews.api.ratings.RatingInputSerializer", "evidence"): _rating,
    ("reviews.api.reviews.ReviewCreateSerializer", "reviewers"): _review_create,
    ("reviews.api.reviews.ReviewCreateSerializer", "evidence"): _review_create,
    ("reviews.api.reviews.ReviewInputSerializer", "reviewers"): _review_update,
    ("reviews.api.reviews.ReviewInputSerializer", "evidence"): _review_update,
    ("reviews.api.sef.SefEntryInputSerializer", "evidence"): _sef_entry,
    ("interventions.api.register.ExpertInputSerializer", "home_school"): _expert_add,
    ("interventions.api.register.ExpertInputSerializer", "user"): _expert_add,
    ("interventions.api.register.ExpertUpdateSerializer", "home_school"): _expert_update,
    ("interventions.api.register.ExpertUpdateSerializer", "user"): _expert_update,
    ("interventions.api.register.BrokerParamsSerializer", "school"): _broker,
    ("reporting.api.board_packs.BoardPackRequestSerializer", "snapshot"): _board_pack,
}


def test_every_uuid_resolved_in_a_view_has_a_case():
    resolved = {
        (path, name)
        for path, fields in RELATED_SERIALIZER_FIELDS.items()
        for name, kind in fields.items()
        if kind == RESOLVED
    }
    assert resolved == set(RESOLVED_CASES)


@pytest.mark.parametrize(("path", "name"), sorted(RESOLVED_CASES))
def test_another_trusts_uuid_is_refused_like_a_random_one(worlds, path, name):
    RESOLVED_CASES[(path, name)](worlds, name)


def test_filtering_the_audit_log_by_another_trusts_person_finds_nothing(worlds):
    trust_a, trust_b = worlds
    client = trust_a.client_for("executive")
    url = _api(trust_a, "audit/")
    assert client.get(url).json()["count"] > 0
    for actor in (trust_b.people["executive"].uuid, uuid.uuid4()):
        response = client.get(url, {"actor": str(actor)})
        assert response.status_code == 200
        assert response.json()["count"] == 0

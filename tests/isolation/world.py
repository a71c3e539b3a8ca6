"""Two trusts of the same shape, every area filled, for the isolation tests.

Trust B's free text and file names each carry a unique marker (`CANARY-B-001`, ...), so a leak of
any of trust B's data into a response, file or email shows up as a plain substring search. Trust A
carries no trust-wide marker; inside trust A, school 1's and school 2's school-level text carries
`CANARY-A1-`/`CANARY-A2-` markers and the work of a second specialist `CANARY-AX-` markers, so the
within-trust tests can search the same way.
"""

import datetime
import hashlib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.data_protection import trust_paths
from interventions.models import (
    Activity,
    ActivityStatus,
    Expert,
    ImprovementPlan,
    Intervention,
    InterventionStatus,
    PlanAction,
    PlanPriority,
    PlanUpdate,
    SupportRequest,
)
from interventions.services.interventions import checkpoint_record, intervention_commission
from interventions.services.plans import (
    ActionInput,
    action_add,
    plan_comment,
    plan_start,
    plan_update_post,
    priority_add,
)
from interventions.services.register import expert_add
from interventions.services.requests import support_request_decline, support_request_submit
from interventions.services.visits import visit_add, visit_record
from reporting.models import BoardPack, BoardPackStatus
from reporting.services.snapshots import snapshot_take
from reviews.models import SelfEvaluation
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_record
from reviews.services.moderation import moderation_record
from reviews.services.ratings import rating_decide
from reviews.services.reviews import review_record
from reviews.services.sef import EntryInput, current_academic_year, sef_save, sef_submit
from reviews.suggestions import suggest_for_school
from schools.models import ImportFile, ImportKind, ImportRun, ImportStatus, InspectionSource, School
from schools.services.inspections import inspection_record
from schools.services.joining import due_diligence_ratify, due_diligence_update, prospective_school_add
from tests.conftest import ROLES, TrustWorld, build_trust_world, signed_in_client
from tests.factories import MembershipFactory, UserFactory
from trust.calendar.feeds import calendar_feed_create
from trust.calendar.services import academic_year_default
from trust.models import Role, SupportLevel, SupportScale, Trust, User
from trust.scales.services import scale_create_from_template
from trust.services import api_token_create, invitation_create

E, IL, HT, SP, TR, GV = ROLES
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
B_PREFIX = "CANARY-B-"
RAGS = ["red", "amber", "green", "green", "amber", "green", "red", "green"]


def pdf_with(text: str) -> bytes:
    """A minimal PDF whose content stream carries `text` (enough for an upload check and a reader)."""
    stream = f"BT /F1 12 Tf 20 20 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


@dataclass
class Marks:
    """Hands out markers: one prefix per group of text, or none (plain text)."""

    prefixes: dict[str, str]  # group ("trust", "school1", "school2", "other_specialist") -> prefix
    markers: dict[str, list[str]] = field(default_factory=dict)

    def __call__(self, text: str, group: str = "trust") -> str:
        prefix = self.prefixes.get(group)
        if prefix is None:
            return text
        found = self.markers.setdefault(prefix, [])
        marker = f"{prefix}{len(found) + 1:03d}"
        found.append(marker)
        return f"{text} {marker}"

    def all(self) -> list[str]:
        return [m for found in self.markers.values() for m in found]


@dataclass
class IsolationWorld:
    """A trust as the isolation tests see it: people, clients, every object id and feed token."""

    world: TrustWorld
    marks: Marks
    ids: dict[str, list[uuid.UUID]] = field(default_factory=dict)
    feed_tokens: dict[str, str] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)
    second_specialist: User | None = None
    school_of: dict[uuid.UUID, int] = field(default_factory=dict)
    lead_of: dict[uuid.UUID, str] = field(default_factory=dict)
    _clients: dict[str, Any] = field(default_factory=dict)

    @property
    def trust(self) -> Trust:
        return self.world.trust

    @property
    def slug(self) -> str:
        return self.world.trust.slug

    @property
    def people(self) -> dict[str, User]:
        return self.world.people

    def client_for(self, role: str) -> Any:
        # One signed-in client per person, reused: signing in is the slow part.
        if role not in self._clients:
            user = self.second_specialist if role == "second_specialist" else self.world.people[role]
            self._clients[role] = signed_in_client(user)
        return self._clients[role]

    def add(self, kwarg: str, obj: Any, school: int | None = None, lead: str | None = None) -> Any:
        """Note the object's id under its URL keyword; with the school (0 or 1) and lead it belongs to."""
        self.ids.setdefault(kwarg, []).append(obj.uuid)
        if school is not None:
            self.school_of[obj.uuid] = school
        if lead is not None:
            self.lead_of[obj.uuid] = lead
        return obj

    def first(self, kwarg: str) -> uuid.UUID:
        return self.ids[kwarg][0]


def _school_group(index: int) -> str:
    return f"school{index + 1}"


def build_isolation_world(name: str, slug: str, urn_base: int, prefixes: dict[str, str]) -> IsolationWorld:
    """One trust with something in every area; `prefixes` says which text carries markers."""
    world = build_trust_world(name, slug, urn_base)
    marks = Marks(prefixes)
    iso = IsolationWorld(world=world, marks=marks)
    trust, schools, people = world.trust, world.schools, world.people
    with scopes_disabled():
        # The tenant's own words: names of the trust, schools and people.
        Trust.objects.filter(pk=trust.pk).update(name=marks(trust.name))
        trust.refresh_from_db()
        for school in schools:
            # A school's name is shown across its trust, so only trust B's carry markers.
            School.objects.filter(pk=school.pk).update(
                name=marks(school.name), headteacher_name=marks("Head"), la_name=marks("County")
            )
            school.refresh_from_db()
        for user in people.values():
            User.objects.filter(pk=user.pk).update(full_name=marks(user.full_name))
            user.refresh_from_db()
        second = UserFactory(email=f"second-specialist@{slug}.example.org", full_name=marks("Sam Other", "other"))
        MembershipFactory(user=second, trust=trust, role=Role.SPECIALIST)
        iso.second_specialist = second
        for role in ROLES:
            iso.ids.setdefault("member_uuid", []).append(world.memberships[role].uuid)

    with scope(trust=trust.pk):
        _fill(iso, trust, schools, people, second)
    return iso


def _fill(iso: IsolationWorld, trust: Trust, schools: list[School], people: dict[str, User], second: User) -> None:
    m = iso.marks
    year = current_academic_year()
    for index, school in enumerate(schools):
        iso.add("school_uuid", school, school=index)

    # Calendar, scale, judgement areas.
    iso.add("year_uuid", academic_year_default(trust, year, actor=people[E]))
    scale = scale_create_from_template(trust=trust, actor=people[E], template_key="four_phases")
    SupportScale.objects.filter(pk=scale.pk).update(name=m(scale.name))
    for level in SupportLevel.objects.filter(scale=scale):
        SupportLevel.objects.filter(pk=level.pk).update(name=m(level.name), description=m(level.description))
        iso.add("level_uuid", level)
    areas = judgement_areas_ensure(trust=trust)
    for area in areas:
        type(area).objects.filter(pk=area.pk).update(label=m(area.label))
        area.refresh_from_db()
    iso.add("judgement_area_uuid", areas[0])
    iso.add("judgement_area_uuid", areas[1])

    # Invitations, API tokens, calendar feeds (every person has a live feed).
    invitation, _ = invitation_create(
        trust=trust, actor=people[E], email=f"invitee-{m('x').split()[-1].lower()}@example.org", role=Role.TRUSTEE
    )
    iso.add("invitation_uuid", invitation)
    for role in ROLES:
        token, raw = api_token_create(user=people[role], trust=trust, name=m(f"Script of {role}"))
        iso.add("token_uuid", token)
        iso.api_keys[role] = raw
        _, iso.feed_tokens[role] = calendar_feed_create(user=people[role], trust=trust)

    # Register: the specialist, the second specialist and an outside consultant.
    specialist = expert_add(
        trust=trust, actor=people[E], name=m("Priya Shah"), role="lead_practitioner", areas=["maths"],
        days_per_term=20, user=people[SP], home_school=schools[1], organisation=m("Maths hub"),
    )  # fmt: skip
    other = expert_add(
        trust=trust, actor=people[E], name=m("Sam Other", "other"), role="lead_practitioner", areas=["english"],
        days_per_term=20, user=second, home_school=schools[0], organisation=m("Reading hub", "other"),
    )  # fmt: skip
    consultant = expert_add(
        trust=trust, actor=people[E], name=m("Consultant"), role="external", areas=["send"],
        days_per_term=5, email="consultant@example.org", organisation=m("Outside firm"),
    )  # fmt: skip
    for expert in (specialist, other, consultant):
        iso.add("expert_uuid", expert)

    for index, school in enumerate(schools):
        g = _school_group(index)
        inspection, _ = inspection_record(
            school=school, inspected_on=datetime.date(2023, 3, 1), judgements={"overall_effectiveness": 2},
            source=InspectionSource.FORM, actor=people[E], notes=m("Inspection notes", g),
        )  # fmt: skip
        iso.add("inspection_uuid", inspection, school=index)

        evidence = []
        for shared in (True, False):
            label = m("Learning walk", g)
            item = evidence_record(
                school=school, actor=people[IL], evidence_type="learning_walk", observed_on=TODAY - 20 * DAY,
                summary=label, strengths=m("Strengths", g), areas_for_development=m("Development", g),
                areas=[areas[0]], shared_with_school=shared,
                upload=ContentFile(pdf_with(label), name=f"walk-{m('file', g).split()[-1]}.pdf"),
            )  # fmt: skip
            evidence.append(iso.add("evidence_uuid", item, school=index))

        if index == 0:
            sef = sef_save(
                school=school, actor=people[HT], academic_year=year, summary=m("SEF summary", g),
                entries={area: EntryInput(self_grade=2, strengths=m("SEF strengths", g),
                                          areas_for_development=m("SEF development", g), evidence=(evidence[0],))
                         for area in areas},
            )  # fmt: skip
            sef_submit(self_evaluation=sef, actor=people[HT])
        else:
            # No headteacher at school 2 to write it: the row as a headteacher would have left it.
            SelfEvaluation.objects.create(school=school, academic_year=year, summary=m("SEF summary", g))

        for shared in (True, False):
            review = review_record(
                school=school, actor=people[E], review_type="annual_review", reviewed_on=TODAY - 15 * DAY,
                reviewers=[people[IL]], judgements={areas[0]: 3, areas[1]: 2}, strengths=m("Review strengths", g),
                areas_for_development=m("Review development", g), agreed_actions=m("Agreed actions", g),
                evidence=[evidence[0]], shared_with_school=shared,
            )  # fmt: skip
            iso.add("review_uuid", review, school=index)

        moderation_record(
            school=school, area=areas[0], actor=people[E], academic_year=year, agreed_grade=3,
            discussion=m("Moderation discussion", g),
        )  # fmt: skip
        rating = rating_decide(
            school=school, actor=people[E], level=suggest_for_school(school).level, effective_on=TODAY - 10 * DAY,
            rationale=m("Rating rationale", g), evidence=[evidence[0]],
        )  # fmt: skip
        iso.add("rating_uuid", rating, school=index)

        requests = []
        for area, need, urgency in (("maths", "Need", "medium"), ("english", "Other need", "low")):
            if index == 0:
                requests.append(
                    support_request_submit(school=school, actor=people[HT], area=area, need=m(need, g), urgency=urgency)
                )
            else:
                # No headteacher at school 2 to ask: the row as a headteacher's request would have left it.
                requests.append(
                    SupportRequest.objects.create(
                        school=school, area=area, need=m(need, g), urgency=urgency, requested_by=people[E]
                    )
                )
        support_request_decline(support_request=requests[1], actor=people[E], reason=m("Declined because", g))
        for request in requests:
            iso.add("support_request_uuid", request, school=index)

        # Interventions: school 1's is led by the specialist, school 2's by the second specialist.
        lead, lead_group = (specialist, g) if index == 0 else (other, "other")
        intervention = intervention_commission(
            school=school, actor=people[E], title=m("Maths mastery", lead_group), area_of_need="maths",
            delivery_model="school_to_school", providing_school=schools[1 - index],
            description=m("Description", lead_group), success_criteria=m("Success criteria", lead_group),
            starts_on=TODAY - 30 * DAY, ends_on=TODAY + 60 * DAY,
            targets=[m("Target one", lead_group), m("Target two", lead_group)], leads=[(lead, 2)],
            checkpoints=[TODAY - 10 * DAY, TODAY + 20 * DAY], support_request=None,
        )  # fmt: skip
        Intervention.objects.filter(pk=intervention.pk).update(status=InterventionStatus.ACTIVE)
        intervention.refresh_from_db()
        checkpoint = intervention.checkpoints.order_by("due_on").first()
        checkpoint_record(
            checkpoint=checkpoint, actor=people[E], notes=m("Checkpoint notes", lead_group),
            progress={t: ("good", m("Progress note", lead_group)) for t in intervention.targets.all()},
        )  # fmt: skip
        checkpoint.evidence.add(evidence[0])
        intervention.impact_evidence.add(evidence[0])
        lead_name = "specialist" if index == 0 else "second_specialist"
        iso.add("intervention_uuid", intervention, school=index, lead=lead_name)
        for point in intervention.checkpoints.order_by("due_on"):
            iso.add("checkpoint_uuid", point, school=index, lead=lead_name)

        if index == 0:
            plan, _ = plan_start(school=school, actor=people[HT], academic_year=year, summary=m("Plan summary", g))
            priority = priority_add(plan=plan, actor=people[HT], title=m("Improve writing", g), area=areas[0])
            action = action_add(
                priority=priority, actor=people[HT],
                data=ActionInput(description=m("Coach Year 5", g), owner=m("English lead", g),
                                 due_on=TODAY + 30 * DAY, success_criteria=m("Action success", g)),
            )  # fmt: skip
            plan_update_post(plan=plan, actor=people[HT], body=m("Update body", g))
        else:
            # No headteacher at school 2 to write it: the rows as a headteacher would have left them.
            plan = ImprovementPlan.objects.create(school=school, academic_year=year, summary=m("Plan summary", g))
            priority = PlanPriority.objects.create(plan=plan, title=m("Improve writing", g), area=areas[0], position=1)
            action = PlanAction.objects.create(
                priority=priority, description=m("Coach Year 5", g), owner=m("English lead", g),
                due_on=TODAY + 30 * DAY, success_criteria=m("Action success", g),
            )  # fmt: skip
            PlanUpdate.objects.create(plan=plan, author=people[E], term="autumn", body=m("Update body", g))
        for kwarg, obj in (("plan_uuid", plan), ("priority_uuid", priority), ("action_uuid", action)):
            iso.add(kwarg, obj, school=index)
        plan_comment(plan=plan, actor=people[E], body=m("Trust comment", g))

        # Visits: one the improvement lead owns, recorded with notes; one of the second specialist.
        for owner, owner_group, owner_name in ((people[IL], g, IL), (second, "other", "second_specialist")):
            visit = visit_add(
                trust=trust, actor=people[E], school=school, activity_type="monitoring_visit",
                title=m("Monitoring visit", owner_group), planned_on=TODAY - 3 * DAY, owner=owner,
                notes=m("Visit plan notes", owner_group),
            )  # fmt: skip
            visit_record(
                activity=visit, actor=people[E], status=ActivityStatus.DONE, notes=m("Visit notes", owner_group),
                notes_shared_with_school=False,
            )  # fmt: skip
            visit.evidence.add(evidence[0])
            iso.add("activity_uuid", visit, school=index, lead=owner_name)
        upcoming = visit_add(
            trust=trust, actor=people[E], school=school, activity_type="monitoring_visit",
            title=m("Next visit", g), planned_on=TODAY + 3 * DAY, owner=people[SP] if index == 0 else second,
            notes=m("Next visit notes", g if index == 0 else "other"),
        )  # fmt: skip
        iso.add("activity_uuid", upcoming, school=index, lead=SP if index == 0 else "second_specialist")
    event = visit_add(
        trust=trust, actor=people[E], school=None, activity_type="headteachers_network", title=m("Trust conference"),
        planned_on=TODAY + 5 * DAY, owner=people[E], notes=m("Conference notes"),
    )  # fmt: skip
    iso.add("activity_uuid", event)

    # Joining: one report being written, one ratified school in induction.
    for offset, ratify in ((50, False), (60, True)):
        prospective = prospective_school_add(
            trust=trust, actor=people[E], urn=schools[0].urn + offset, name=m("Joining school"), la_name=m("LA")
        )
        report = prospective.due_diligence
        findings = {
            section: {"rag": rag, "findings": m(f"Findings {section}"), "evidence": m(f"Evidence {section}")}
            for section, rag in zip(
                ["outcomes", "compliance", "structure", "finance", "ofsted", "school_improvement", "self_evaluation",
                 "statutory_data"], RAGS, strict=True,
            )
        }  # fmt: skip
        due_diligence_update(report=report, actor=people[IL], summary=m("Due diligence summary"), findings=findings)
        if ratify:
            due_diligence_ratify(report=report, actor=people[E], ratified_on=TODAY - DAY, notes=m("Board minute"))
            iso.add("joining_school_uuid", prospective)
            for item in prospective.induction_items.all():
                iso.add("induction_item_uuid", item)
        iso.add("report_uuid", report)

    # An import run with its stored file.
    run = ImportRun.objects.create(
        trust=trust, kind=ImportKind.GIAS, status=ImportStatus.PREVIEW, requested_by=people[E], group_uid="3201",
        error=m("Import error"),
        preview={"created": 0, "updated": 0, "unchanged": 2, "skipped": [m("Skipped row")], "notes": [m("Note")],
                 "changes": []},
    )  # fmt: skip
    upload = ImportFile(run=run, original_name=f"gias-{m('f').split()[-1]}.csv", detected="gias_edubase", size=20)
    upload.file.save("upload.csv", ContentFile(m("URN,EstablishmentName\n").encode()), save=False)
    upload.save()
    iso.add("import_run_uuid", run)

    # A snapshot (its document names every school) and a finished board pack with its PDF.
    snapshot = snapshot_take(trust=trust, actor=people[E], today=TODAY)
    iso.add("snapshot_uuid", snapshot)
    pack = BoardPack(
        trust=trust, snapshot=snapshot, academic_year=snapshot.academic_year, half_term=snapshot.half_term,
        version=1, status=BoardPackStatus.DONE, progress=100, requested_by=people[E], error="",
    )  # fmt: skip
    pack.file.save("pack.pdf", ContentFile(pdf_with(m("Board pack"))), save=False)
    pack.save()
    iso.add("pack_uuid", pack)
    failed = BoardPack.objects.create(
        trust=trust, snapshot=snapshot, academic_year=snapshot.academic_year, half_term=snapshot.half_term,
        version=2, status=BoardPackStatus.FAILED, requested_by=people[E], error=m("Pack failed"),
    )  # fmt: skip
    iso.add("pack_uuid", failed)

    assert Expert.objects.filter(trust=trust).count() == 3 and Activity.objects.filter(trust=trust).exists()


# --- Checksums ---------------------------------------------------------------------------------


def _owned_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model is not Trust and model._meta.app_label in OUR_APPS and trust_paths(model)
    ]


OUR_APPS = {"core", "trust", "schools", "reviews", "interventions", "reporting"}


def _digest(rows: list[tuple]) -> str:
    return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


def table_checksums(iso: IsolationWorld) -> dict[str, tuple[int, str]]:
    """Per table: how many of the trust's rows there are and a hash of their sorted values."""
    trust_id = iso.trust.pk
    sums: dict[str, tuple[int, str]] = {}
    with scopes_disabled():
        for model in _owned_models():
            condition = models.Q()
            for path in trust_paths(model):
                condition |= models.Q(**{path: trust_id})
            names = [f.attname for f in model._meta.concrete_fields]
            rows = list(model._base_manager.filter(condition).distinct().values_list(*names))
            sums[model._meta.label] = (len(rows), _digest(rows))
        people = [*iso.people.values(), iso.second_specialist]
        names = [f.attname for f in User._meta.concrete_fields if f.attname != "last_login"]
        rows = list(User.objects.filter(pk__in=[p.pk for p in people]).values_list(*names))
        sums["trust.User (the trust's people)"] = (len(rows), _digest(rows))
        sums["trust.Trust"] = (1, _digest(list(Trust.objects.filter(pk=trust_id).values_list())))
    return sums


def media_files() -> dict[str, str]:
    """Every file under MEDIA_ROOT and a hash of its content."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def remove_files_of(trust: Trust) -> None:
    import shutil

    shutil.rmtree(Path(settings.MEDIA_ROOT) / "trusts" / str(trust.code), ignore_errors=True)

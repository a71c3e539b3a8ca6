"""The audit trail: every write service leaves an entry, and nobody can change or delete one.

The write services are found by introspection: every public function of every services module
below is either a write service (with a recipe in WRITES that sets up its objects and calls it) or
a read helper named in READS with the reason it writes nothing. A new public function in one of
these modules fails `test_every_public_service_function_is_classified` until it is classified.
"""

import datetime
import inspect
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_for
from core.audit import audit_record, diff, erase_for_trust, snapshot_fields
from core.exceptions import ApplicationError
from core.models import AuditEntry
from interventions.models import Activity, ActivitySource, InterventionStatus, PlanAction, PlanPriority
from interventions.services import interventions as intervention_services
from interventions.services import planning, plans, register, requests, visits
from reporting.models import BoardPack, BoardPackStatus
from reporting.services import board_packs as board_pack_services
from reporting.services import snapshots as snapshot_services
from reviews.models import Evidence, EvidenceType, JudgementArea
from reviews.services import areas, evidence, moderation, ratings, reviews, sef
from schools.importers import gias
from schools.models import ImportFile, ImportKind, ImportRun, ImportStatus, InspectionSource
from schools.services import imports, inspections, joining, measures, predictions
from tests.factories import TrustFactory, UserFactory
from tests.interventions.test_interventions import make_evidence, make_intervention
from tests.matrix import plans as plan_matrix
from trust import mfa
from trust import services as trust_services
from trust.calendar import feeds
from trust.calendar import services as calendar_services
from trust.calendar.selectors import half_terms_of_year
from trust.models import Role, SupportLevel
from trust.scales import services as scale_services

pytestmark = pytest.mark.django_db

E, IL, HT, SP, TR = Role.EXECUTIVE, Role.IMPROVEMENT_LEAD, Role.HEADTEACHER, Role.SPECIALIST, Role.TRUSTEE
TODAY = timezone.localdate()
PLANNING_DAY = datetime.date(2026, 11, 25)  # a Wednesday in Autumn 2 of 2026/27: visits are left to plan
GROUP_LINKS = Path(settings.BASE_DIR).parent / "shared" / "data" / "real" / "gias" / "group_links_20220331_pandas.csv"

SERVICE_MODULES = [
    trust_services,
    scale_services,
    calendar_services,
    feeds,
    imports,
    inspections,
    joining,
    measures,
    predictions,
    areas,
    evidence,
    moderation,
    ratings,
    reviews,
    sef,
    intervention_services,
    planning,
    plans,
    register,
    requests,
    visits,
    snapshot_services,
    board_pack_services,
    mfa,
]

READS = {
    "trust.calendar.services.easter_sunday": "date arithmetic",
    "trust.calendar.services.default_half_terms": "computes dates; saves nothing",
    "trust.calendar.services.validate_half_terms": "checks dates; saves nothing",
    "trust.calendar.feeds.live_feed_of": "selector",
    "trust.calendar.feeds.feed_by_token": "selector",
    "trust.calendar.feeds.feed_activities": "selector",
    "trust.calendar.feeds.may_see_notes": "permission check",
    "trust.calendar.feeds.feed_ical": "renders a feed",
    "schools.services.imports.max_upload_bytes": "a setting",
    "schools.services.imports.importer_available": "looks up a module",
    "schools.services.imports.importer_for": "looks up a module",
    "schools.services.imports.run_options": "reads a run",
    "schools.services.imports.is_previewed": "reads a run",
    "schools.services.imports.count_rows": "reads a file handle",
    "schools.services.inspections.era_for": "date rule",
    "schools.services.predictions.year_groups_for": "reads a school",
    "schools.services.predictions.subjects_for": "reads a school",
    "schools.services.predictions.parse_prediction_upload": "parses a file; predictions_save stores it",
    "reviews.services.sef.current_academic_year": "date rule",
    "interventions.services.planning.plan_owner": "selector",
    "interventions.services.plans.area_lines": "splits text",
    "interventions.services.visits.may_record": "permission check",
    "interventions.services.visits.half_terms_of": "selector; creating a year goes through academic_year_default",
    "interventions.services.visits.term_windows": "date arithmetic",
    "interventions.services.visits.term_of": "date arithmetic",
    "reporting.services.board_packs.failure_message": "words for an error",
    "reporting.services.board_packs.pack_in_preparation": "selector",
    "reporting.services.board_packs.board_pack_build": "the job filling in a requested pack; the request is audited",
    "trust.mfa.two_factor_required": "permission rule",
    "trust.mfa.two_factor_required_anywhere": "permission rule",
    "trust.mfa.authenticator_of": "selector",
    "trust.mfa.has_two_factor": "selector",
    "trust.mfa.recovery_codes_left": "selector",
    "trust.mfa.secret_for_typing": "formats a key",
    "trust.mfa.qr_code_svg": "draws a code",
    "trust.mfa.sign_in_username": "reads a request",
    "trust.mfa.locked_out_members": "selector",
    # A person's own authenticator belongs to no trust (one person, many trusts): nothing to file it under.
    "trust.mfa.authenticator_start": "the person's own device, not a trust record",
    "trust.mfa.authenticator_confirm": "the person's own device, not a trust record",
    "trust.mfa.recovery_codes_regenerate": "the person's own device, not a trust record",
    "trust.mfa.second_step_verify": "signing in, not a change",
    "trust.mfa.two_factor_disable": "the person's own device, not a trust record",
}


def _public_functions() -> set[str]:
    found = set()
    for module in SERVICE_MODULES:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and function.__module__ == module.__name__:
                found.add(f"{module.__name__}.{name}")
    return found


# Recipes: each sets up what its service needs (inside trust A's scope) and returns the call to audit.
Recipe = Callable[[Any], Callable[[], Any]]
WRITES: dict[str, Recipe] = {}


def recipe(name: str) -> Callable[[Recipe], Recipe]:
    def register_recipe(function: Recipe) -> Recipe:
        WRITES[name] = function
        return function

    return register_recipe


# -- trust ---------------------------------------------------------------------------------------


@recipe("trust.services.trust_create")
def _(w):
    return lambda: trust_services.trust_create(name="Cedar Trust", executive_email=w.people[E].email)


def _invite(w, email="new.person@example.org"):
    invitation, _ = trust_services.invitation_create(trust=w.trust, actor=w.people[E], email=email, role=Role.TRUSTEE)
    return invitation


@recipe("trust.services.invitation_create")
def _(w):
    return lambda: _invite(w)


@recipe("trust.services.invitation_revoke")
def _(w):
    invitation = _invite(w)
    return lambda: trust_services.invitation_revoke(invitation=invitation, actor=w.people[E])


@recipe("trust.services.invitation_accept")
def _(w):
    invitation = _invite(w)
    return lambda: trust_services.invitation_accept(
        invitation=invitation, user=None, full_name="New Person", password="a long enough passphrase 42"
    )


@recipe("trust.services.membership_change_role")
def _(w):
    return lambda: trust_services.membership_change_role(
        membership=w.memberships[TR], actor=w.people[E], role=Role.SPECIALIST
    )


@recipe("trust.services.membership_remove")
def _(w):
    return lambda: trust_services.membership_remove(membership=w.memberships[TR], actor=w.people[E])


@recipe("trust.services.api_token_create")
def _(w):
    return lambda: trust_services.api_token_create(user=w.people[E], trust=w.trust, name="Power BI")


@recipe("trust.services.api_token_revoke")
def _(w):
    token, _ = trust_services.api_token_create(user=w.people[E], trust=w.trust, name="Power BI")
    return lambda: trust_services.api_token_revoke(token=token, actor=w.people[E])


@recipe("trust.scales.services.scale_create_from_template")
def _(w):
    return lambda: scale_services.scale_create_from_template(
        trust=w.trust, actor=w.people[E], template_key="four_phases"
    )


@recipe("trust.scales.services.level_update")
def _(w):
    scale = scale_services.scale_create_from_template(trust=w.trust, actor=w.people[E], template_key="four_phases")
    level = scale.levels.order_by("position").first()
    return lambda: scale_services.level_update(level=level, actor=w.people[E], name="Universal support")


@recipe("trust.calendar.services.academic_year_default")
def _(w):
    return lambda: calendar_services.academic_year_default(w.trust, 2026, actor=w.people[E])


@recipe("trust.calendar.services.academic_year_update")
def _(w):
    year = calendar_services.academic_year_default(w.trust, 2026, actor=w.people[E])
    dates = calendar_services.default_half_terms(2026)
    dates[1] = (dates[1][0] + datetime.timedelta(days=2), dates[1][1])  # start on the Friday after INSET days
    return lambda: calendar_services.academic_year_update(year=year, actor=w.people[E], half_terms=dates)


@recipe("trust.calendar.feeds.calendar_feed_create")
def _(w):
    return lambda: feeds.calendar_feed_create(user=w.people[HT], trust=w.trust)


@recipe("trust.calendar.feeds.calendar_feed_revoke")
def _(w):
    feeds.calendar_feed_create(user=w.people[HT], trust=w.trust)
    return lambda: feeds.calendar_feed_revoke(user=w.people[HT], trust=w.trust)


# -- schools -------------------------------------------------------------------------------------


def _uploaded_run(w, group_uid="3805"):
    upload = SimpleUploadedFile(GROUP_LINKS.name, GROUP_LINKS.read_bytes(), content_type="text/csv")
    return imports.import_run_create(
        trust=w.trust,
        actor=w.people[E],
        kind=ImportKind.GIAS,
        uploaded_files=[upload],
        options={"group_uid": group_uid},
    )


@recipe("schools.services.imports.import_run_create")
def _(w):
    return lambda: _uploaded_run(w)


@recipe("schools.services.imports.import_run_choose_group")
def _(w):
    run = _uploaded_run(w)
    return lambda: imports.import_run_choose_group(run=run, actor=w.people[E], group_uid="3201")


@recipe("schools.services.imports.import_run_confirm")
def _(w):
    run = _uploaded_run(w)
    return lambda: imports.import_run_confirm(run=run, actor=w.people[E])


@recipe("schools.services.imports.import_run_cancel")
def _(w):
    run = _uploaded_run(w)
    return lambda: imports.import_run_cancel(run=run, actor=w.people[E])


@recipe("schools.services.imports.import_run_execute")
def _(w):
    run = ImportRun.objects.create(trust=w.trust, kind=ImportKind.GIAS, group_uid="3805", status=ImportStatus.QUEUED)
    record = ImportFile(run=run, original_name=GROUP_LINKS.name, detected=gias.GROUP_LINKS)
    record.file.save(GROUP_LINKS.name, ContentFile(GROUP_LINKS.read_bytes()))
    return lambda: imports.import_run_execute(run_id=run.pk, actor_id=w.people[E].pk)


@recipe("schools.services.imports.import_run_retry")
def _(w):
    run = _uploaded_run(w)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED, error="The worker stopped.", attempts=3)
    run.refresh_from_db()
    return lambda: imports.import_run_retry(run=run, actor=w.people[E])


@recipe("schools.services.imports.import_run_now")
def _(w):
    def call():
        with GROUP_LINKS.open("rb") as handle:
            return imports.import_run_now(
                trust=w.trust,
                actor=w.people[E],
                kind=ImportKind.GIAS,
                files=[(GROUP_LINKS.name, handle)],
                options={"group_uid": "3805"},
            )

    return call


@recipe("schools.services.inspections.inspection_record")
def _(w):
    return lambda: inspections.inspection_record(
        school=w.schools[0],
        inspected_on=datetime.date(2023, 3, 1),
        judgements={"overall_effectiveness": 2},
        source=InspectionSource.FORM,
        actor=w.people[E],
    )


def _prospective(w):
    return joining.prospective_school_add(trust=w.trust, actor=w.people[E], urn=720001, name="Hazel Primary")


def _ratified(w):
    school = _prospective(w)
    report = school.due_diligence
    all_green = {section: {"rag": "green"} for section in joining.DUE_DILIGENCE_SECTIONS}
    joining.due_diligence_update(report=report, actor=w.people[E], summary="Ready.", findings=all_green)
    joining.due_diligence_ratify(report=report, actor=w.people[E], ratified_on=TODAY)
    return school


@recipe("schools.services.joining.prospective_school_add")
def _(w):
    return lambda: _prospective(w)


@recipe("schools.services.joining.due_diligence_update")
def _(w):
    report = _prospective(w).due_diligence
    return lambda: joining.due_diligence_update(
        report=report, actor=w.people[E], summary="Sound finances.", findings={"finance": {"rag": "green"}}
    )


@recipe("schools.services.joining.due_diligence_ratify")
def _(w):
    report = _prospective(w).due_diligence
    all_green = {section: {"rag": "green"} for section in joining.DUE_DILIGENCE_SECTIONS}
    joining.due_diligence_update(report=report, actor=w.people[E], summary="Ready.", findings=all_green)
    return lambda: joining.due_diligence_ratify(report=report, actor=w.people[E], ratified_on=TODAY)


@recipe("schools.services.joining.induction_item_complete")
def _(w):
    item = _ratified(w).induction_items.first()
    return lambda: joining.induction_item_complete(item=item, actor=w.people[E], completed_on=TODAY)


@recipe("schools.services.joining.induction_item_reopen")
def _(w):
    item = _ratified(w).induction_items.first()
    joining.induction_item_complete(item=item, actor=w.people[E], completed_on=TODAY)
    return lambda: joining.induction_item_reopen(item=item, actor=w.people[E])


@recipe("schools.services.measures.measure_values_enter")
def _(w):
    return lambda: measures.measure_values_enter(
        school=w.schools[0], actor=w.people[HT], academic_year=2025, values={"overall_absence": "5.2"}
    )


@recipe("schools.services.predictions.predictions_save")
def _(w):
    school = w.schools[0]
    cell = (predictions.year_groups_for(school)[0], predictions.subjects_for(school)[0])
    return lambda: predictions.predictions_save(
        school=school, actor=w.people[HT], academic_year=academic_year_for(TODAY), half_term=1, cells={cell: "80"}
    )


# -- reviews -------------------------------------------------------------------------------------


def _evidence(w, school=0):
    return evidence.evidence_record(
        school=w.schools[school],
        actor=w.people[IL],
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=TODAY - datetime.timedelta(days=1),
        summary="Learning walk: reading in every class.",
    )


@recipe("reviews.services.areas.judgement_areas_ensure")
def _(w):
    JudgementArea.objects.filter(trust=w.trust).delete()  # the first use creates the defaults
    return lambda: areas.judgement_areas_ensure(trust=w.trust)


@recipe("reviews.services.evidence.evidence_record")
def _(w):
    return lambda: _evidence(w)


@recipe("reviews.services.evidence.evidence_update")
def _(w):
    item = _evidence(w)
    return lambda: evidence.evidence_update(
        evidence=item,
        actor=w.people[IL],
        evidence_type=EvidenceType.WORK_SCRUTINY,
        observed_on=item.observed_on,
        summary="Work scrutiny: writing books.",
    )


@recipe("reviews.services.evidence.evidence_delete")
def _(w):
    item = _evidence(w)
    return lambda: evidence.evidence_delete(evidence=item, actor=w.people[IL])


@recipe("reviews.services.moderation.moderation_record")
def _(w):
    area = areas.judgement_areas_ensure(trust=w.trust)[0]
    return lambda: moderation.moderation_record(
        school=w.schools[0],
        area=area,
        actor=w.people[IL],
        academic_year=academic_year_for(TODAY),
        agreed_grade=3,
        discussion="Agreed after looking at books together.",
    )


def _rate(w, template_key="four_phases", level_name=None):
    scale = scale_services.scale_create_from_template(trust=w.trust, actor=w.people[E], template_key=template_key)
    level = scale.levels.get(name=level_name) if level_name else scale.levels.order_by("position").first()
    return ratings.rating_decide(
        school=w.schools[0],
        actor=w.people[E],
        level=level,
        effective_on=TODAY,
        rationale="From the trust's annual review.",
        evidence=[_evidence(w)],
        override_reason="The review's findings.",
    )


@recipe("reviews.services.ratings.rating_decide")
def _(w):
    return lambda: _rate(w)


def _review(w):
    area = areas.judgement_areas_ensure(trust=w.trust)[0]
    return reviews.review_record(
        school=w.schools[0],
        actor=w.people[E],
        review_type="annual_review",
        reviewed_on=datetime.date(2025, 10, 1),
        reviewers=[w.people[IL]],
        judgements={area: 3},
    )


@recipe("reviews.services.reviews.review_record")
def _(w):
    return lambda: _review(w)


@recipe("reviews.services.reviews.review_update")
def _(w):
    review = _review(w)
    area = areas.judgement_areas_ensure(trust=w.trust)[0]
    return lambda: reviews.review_update(
        review=review,
        actor=w.people[E],
        review_type="annual_review",
        reviewed_on=review.reviewed_on,
        reviewers=[w.people[IL]],
        judgements={area: 2},
        capacity="good",
    )


def _sef(w, submitted=False):
    all_graded = {area: sef.EntryInput(self_grade=3) for area in areas.judgement_areas_ensure(trust=w.trust)}
    draft = sef.sef_save(
        school=w.schools[0], actor=w.people[HT], academic_year=sef.current_academic_year(), entries=all_graded
    )
    return sef.sef_submit(self_evaluation=draft, actor=w.people[HT]) if submitted else draft


@recipe("reviews.services.sef.sef_save")
def _(w):
    return lambda: _sef(w)


@recipe("reviews.services.sef.sef_submit")
def _(w):
    draft = _sef(w)
    return lambda: sef.sef_submit(self_evaluation=draft, actor=w.people[HT])


@recipe("reviews.services.sef.sef_return")
def _(w):
    submitted = _sef(w, submitted=True)
    return lambda: sef.sef_return(self_evaluation=submitted, actor=w.people[IL], comments="Say more about reading.")


@recipe("reviews.services.sef.sef_accept")
def _(w):
    submitted = _sef(w, submitted=True)
    return lambda: sef.sef_accept(self_evaluation=submitted, actor=w.people[IL])


# -- interventions -------------------------------------------------------------------------------


@recipe("interventions.services.interventions.intervention_commission")
def _(w):
    return lambda: make_intervention(w)


@recipe("interventions.services.interventions.intervention_transition")
def _(w):
    intervention = make_intervention(w)
    return lambda: intervention_services.intervention_transition(
        intervention=intervention, actor=w.people[E], to_status=InterventionStatus.CANCELLED, reason="Not needed."
    )


@recipe("interventions.services.interventions.intervention_close")
def _(w):
    intervention = make_intervention(w, status=InterventionStatus.IMPACT_REVIEW)
    item = make_evidence(w)
    return lambda: intervention_services.intervention_close(
        intervention=intervention,
        actor=w.people[E],
        impact_practice="Models in every lesson.",
        impact_systems="Shared planning.",
        impact_organisation="A maths lead in post.",
        impact_outcomes="Gaps closed.",
        evidence=[item],
    )


@recipe("interventions.services.interventions.checkpoint_record")
def _(w):
    intervention = make_intervention(w, status=InterventionStatus.ACTIVE)
    checkpoint = intervention.checkpoints.first()
    return lambda: intervention_services.checkpoint_record(
        checkpoint=checkpoint, actor=w.people[E], notes="On track.", progress={}
    )


@recipe("interventions.services.planning.visits_plan")
def _(w):
    rating = _rate(w, template_key="rag", level_name="Red")
    Activity.objects.filter(school=rating.school, source=ActivitySource.LEVEL).delete()
    return lambda: planning.visits_plan(school=rating.school, actor=w.people[E], today=PLANNING_DAY)


@recipe("interventions.services.planning.visits_replan")
def _(w):
    rating = _rate(w, template_key="rag", level_name="Red")
    return lambda: planning.visits_replan(school=rating.school, actor=w.people[E], today=PLANNING_DAY)


def _plan(w):
    found = plan_matrix.url_kwargs(w)
    return (
        PlanPriority.objects.get(uuid=found["priority_uuid"]).plan,
        PlanPriority.objects.get(uuid=found["priority_uuid"]),
        PlanAction.objects.get(uuid=found["action_uuid"]),
    )


@recipe("interventions.services.plans.plan_start")
def _(w):
    return lambda: plans.plan_start(school=w.schools[0], actor=w.people[HT], academic_year=academic_year_for(TODAY))


@recipe("interventions.services.plans.priority_add")
def _(w):
    plan, _, _ = _plan(w)
    return lambda: plans.priority_add(plan=plan, actor=w.people[HT], title="Attendance")


@recipe("interventions.services.plans.priority_update")
def _(w):
    _, priority, _ = _plan(w)
    return lambda: plans.priority_update(priority=priority, actor=w.people[HT], title="Writing across the curriculum")


@recipe("interventions.services.plans.priority_remove")
def _(w):
    _, priority, _ = _plan(w)
    return lambda: plans.priority_remove(priority=priority, actor=w.people[HT])


@recipe("interventions.services.plans.action_add")
def _(w):
    _, priority, _ = _plan(w)
    data = plans.ActionInput(description="Moderate writing", owner="Deputy head", due_on=TODAY)
    return lambda: plans.action_add(priority=priority, actor=w.people[HT], data=data)


@recipe("interventions.services.plans.action_update")
def _(w):
    _, _, action = _plan(w)
    return lambda: plans.action_update(action=action, actor=w.people[HT], status="complete")


@recipe("interventions.services.plans.plan_update_post")
def _(w):
    plan, _, _ = _plan(w)
    return lambda: plans.plan_update_post(plan=plan, actor=w.people[HT], body="Writing moderated.")


@recipe("interventions.services.plans.plan_comment")
def _(w):
    plan, _, _ = _plan(w)
    return lambda: plans.plan_comment(plan=plan, actor=w.people[IL], body="Good progress.")


@recipe("interventions.services.plans.plan_agree")
def _(w):
    plan, _, _ = _plan(w)
    return lambda: plans.plan_agree(plan=plan, actor=w.people[IL])


def _expert(w):
    return register.expert_add(
        trust=w.trust,
        actor=w.people[E],
        name="Priya Raman",
        role="lead_practitioner",
        areas=["maths"],
        days_per_term=Decimal("6"),
        home_school=w.schools[0],
    )


@recipe("interventions.services.register.expert_add")
def _(w):
    return lambda: _expert(w)


@recipe("interventions.services.register.expert_update")
def _(w):
    expert = _expert(w)
    return lambda: register.expert_update(
        expert=expert,
        actor=w.people[E],
        name="Priya Raman",
        role="lead_practitioner",
        areas=["maths", "upper_ks2"],
        days_per_term=Decimal("8"),
        home_school=w.schools[0],
    )


@recipe("interventions.services.register.expert_deactivate")
def _(w):
    expert = _expert(w)
    return lambda: register.expert_deactivate(expert=expert, actor=w.people[E])


@recipe("interventions.services.register.expert_reactivate")
def _(w):
    expert = register.expert_deactivate(expert=_expert(w), actor=w.people[E])
    return lambda: register.expert_reactivate(expert=expert, actor=w.people[E])


def _request(w):
    return requests.support_request_submit(
        school=w.schools[0], actor=w.people[HT], area="maths", need="Reasoning in Year 6.", urgency="medium"
    )


@recipe("interventions.services.requests.support_request_submit")
def _(w):
    return lambda: _request(w)


@recipe("interventions.services.requests.support_request_accept")
def _(w):
    support_request, intervention = _request(w), make_intervention(w)
    return lambda: requests.support_request_accept(
        support_request=support_request, actor=w.people[E], intervention=intervention
    )


@recipe("interventions.services.requests.support_request_decline")
def _(w):
    support_request = _request(w)
    return lambda: requests.support_request_decline(
        support_request=support_request, actor=w.people[E], reason="A network meeting covers this."
    )


def _visit(w):
    return visits.visit_add(
        trust=w.trust,
        actor=w.people[E],
        school=w.schools[0],
        activity_type="monitoring_visit",
        title="Monitoring visit",
        planned_on=TODAY - datetime.timedelta(days=3),
        owner=w.people[IL],
    )


@recipe("interventions.services.visits.visit_add")
def _(w):
    return lambda: _visit(w)


@recipe("interventions.services.visits.visit_update")
def _(w):
    visit = _visit(w)
    return lambda: visits.visit_update(
        activity=visit, actor=w.people[E], owner=w.people[E], planned_on=visit.planned_on, title="Moved visit"
    )


@recipe("interventions.services.visits.visit_record")
def _(w):
    visit = _visit(w)
    return lambda: visits.visit_record(
        activity=visit, actor=w.people[IL], status="cancelled", cancelled_reason="The head was ill."
    )


@recipe("interventions.services.visits.trust_events_create")
def _(w):
    return lambda: visits.trust_events_create(trust=w.trust, actor=w.people[E], academic_year=2026)


# -- the tests -----------------------------------------------------------------------------------


@recipe("reporting.services.snapshots.snapshot_take")
def _(w):
    return lambda: snapshot_services.snapshot_take(trust=w.trust, actor=w.people[E], today=TODAY)


@recipe("reporting.services.snapshots.half_term_end_snapshot_take")
def _(w):
    return lambda: snapshot_services.half_term_end_snapshot_take(trust=w.trust, today=datetime.date(2026, 10, 23))


@recipe("reporting.services.snapshots.half_term_snapshot_freeze")
def _(w):
    half_term = half_terms_of_year(w.trust, 2026)[0]
    return lambda: snapshot_services.half_term_snapshot_freeze(trust=w.trust, half_term=half_term)


@recipe("reporting.services.board_packs.board_pack_request")
def _(w):
    return lambda: board_pack_services.board_pack_request(trust=w.trust, actor=w.people[E], today=TODAY)


@recipe("reporting.services.board_packs.board_pack_retry")
def _(w):
    snapshot = snapshot_services.snapshot_take(trust=w.trust, actor=None, today=TODAY)
    pack = BoardPack.objects.create(
        trust=w.trust,
        snapshot=snapshot,
        academic_year=snapshot.academic_year,
        half_term=snapshot.half_term,
        version=1,
        status=BoardPackStatus.FAILED,
        error="The PDF could not be laid out.",
    )
    return lambda: board_pack_services.board_pack_retry(pack=pack, actor=w.people[E])


@recipe("trust.mfa.trust_security_update")
def _(w):
    return lambda: mfa.trust_security_update(trust=w.trust, actor=w.people[E], require_two_factor_for_everyone=True)


@recipe("trust.mfa.member_sign_in_unlock")
def _(w):
    return lambda: mfa.member_sign_in_unlock(trust=w.trust, actor=w.people[E], membership=w.memberships[TR])


def test_every_public_service_function_is_classified():
    found = _public_functions()
    assert found - WRITES.keys() - READS.keys() == set(), "classify these: a recipe in WRITES, or READS with why"
    assert (WRITES.keys() | READS.keys()) - found == set(), "these entries name no public service function"
    assert WRITES.keys() & READS.keys() == set()


def _entry_count() -> int:
    with scopes_disabled():  # a test reading every trust's trail at once, to see any new entry
        return AuditEntry.objects.count()


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_service_leaves_an_audit_entry(name, trust_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scope(trust=trust_a.trust.pk):
        call = WRITES[name](trust_a)
        before = _entry_count()
        call()
    assert _entry_count() > before, f"{name} changed data without an audit entry"
    with scopes_disabled():
        entry = AuditEntry.objects.order_by("-pk").first()
    assert entry.action and entry.object_type and entry.at is not None
    assert entry.trust_id is not None


def test_an_entry_names_who_did_what_to_which_record_and_what_changed(trust_a):
    with scope(trust=trust_a.trust.pk):
        membership = trust_a.memberships[TR]
        trust_services.membership_change_role(membership=membership, actor=trust_a.people[E], role=Role.SPECIALIST)
        entry = AuditEntry.objects.get(action="membership.role_changed")
    assert entry.trust_id == trust_a.trust.pk
    assert entry.actor == trust_a.people[E] and entry.actor_name == "Executive of Alder Trust"
    assert (entry.object_type, entry.object_uuid) == ("trust.Membership", membership.uuid)
    assert entry.changes == {"role": ["Trustee", "Specialist"]}


def test_an_evidence_change_records_before_and_after_and_never_the_file(trust_a):
    with scope(trust=trust_a.trust.pk):
        upload = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 secret contents %%EOF", content_type="application/pdf")
        try:
            item = evidence.evidence_record(
                school=trust_a.schools[0],
                actor=trust_a.people[IL],
                evidence_type=EvidenceType.LEARNING_WALK,
                observed_on=TODAY,
                summary="Before",
                upload=upload,
            )
        except ApplicationError:
            item = _evidence(trust_a)
        evidence.evidence_update(
            evidence=item,
            actor=trust_a.people[IL],
            evidence_type=item.evidence_type,
            observed_on=item.observed_on,
            summary="After",
        )
        entries = list(AuditEntry.objects.filter(object_uuid=item.uuid).order_by("pk"))
    assert [e.action for e in entries] == ["evidence.recorded", "evidence.updated"]
    assert entries[1].changes["summary"][1] == "After"
    assert "secret contents" not in str([e.changes for e in entries])


def test_a_refused_change_leaves_no_entry(trust_a):
    with scope(trust=trust_a.trust.pk):
        before = AuditEntry.objects.count()
        with pytest.raises(ApplicationError):
            trust_services.membership_remove(membership=trust_a.memberships[E], actor=trust_a.people[E])
        assert AuditEntry.objects.count() == before


def _an_entry(world, action="test.done"):
    with scope(trust=world.trust.pk):
        return audit_record(trust=world.trust, actor=world.people[E], action=action, obj=world.schools[0])


def test_an_entry_cannot_be_saved_again(trust_a):
    entry = _an_entry(trust_a)
    entry.action = "test.rewritten"
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError):
        entry.save()


def test_an_entry_cannot_be_deleted(trust_a):
    entry = _an_entry(trust_a)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError):
        entry.delete()


def test_entries_cannot_be_updated_or_deleted_in_bulk(trust_a):
    _an_entry(trust_a)
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError):
            AuditEntry.objects.filter(trust=trust_a.trust).update(action="test.rewritten")
        with pytest.raises(ApplicationError):
            AuditEntry.objects.filter(trust=trust_a.trust).delete()
        assert AuditEntry.objects.filter(action="test.done").count() == 1


def test_erasing_a_trust_removes_only_its_own_entries(trust_a, trust_b):
    _an_entry(trust_a)
    _an_entry(trust_a)
    _an_entry(trust_b)
    assert erase_for_trust(trust_a.trust.pk) >= 2
    with scope(trust=trust_a.trust.pk):
        assert AuditEntry.objects.count() == 0
    with scope(trust=trust_b.trust.pk):
        assert AuditEntry.objects.filter(action="test.done").count() == 1


def test_an_entry_outlives_its_actor_by_name():
    trust = TrustFactory()
    person = UserFactory(full_name="Sam Lee")
    with scope(trust=trust.pk):
        entry = audit_record(trust=trust, actor=person, action="test.done", obj=trust)
    person.delete()
    with scope(trust=trust.pk):
        entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor is None and entry.actor_name == "Sam Lee"


def test_diff_keeps_only_what_changed(trust_a):
    level_fields = ["name", "description"]
    with scope(trust=trust_a.trust.pk):
        scale = scale_services.scale_create_from_template(
            trust=trust_a.trust, actor=trust_a.people[E], template_key="four_phases"
        )
        level: SupportLevel = scale.levels.order_by("position").first()
        before = snapshot_fields(level, level_fields)
        level.name = "Renamed"
        assert diff(before, snapshot_fields(level, level_fields)) == {"name": [before["name"], "Renamed"]}


def test_reading_an_evidence_file_leaves_an_access_entry(trust_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scope(trust=trust_a.trust.pk):
        item = _evidence(trust_a)
        item.file.save("x.bin", ContentFile(b"%PDF-1.4\n%%EOF"), save=False)
        Evidence.objects.filter(pk=item.pk).update(file=item.file.name, file_name="walk.pdf", file_type="pdf")
    response = trust_a.client_for(E).get(reverse("evidence-download", args=[trust_a.trust.slug, item.uuid]))
    assert response.status_code == 200
    with scope(trust=trust_a.trust.pk):
        entry = AuditEntry.objects.get(action="file.read")
    assert entry.actor == trust_a.people[E] and entry.object_uuid == item.uuid
    assert "walk.pdf" in entry.object_label


def test_downloading_a_due_diligence_pdf_leaves_an_access_entry(trust_a):
    with scope(trust=trust_a.trust.pk):
        report = _prospective(trust_a).due_diligence
    response = trust_a.client_for(E).get(reverse("joining-report-pdf", args=[trust_a.trust.slug, report.uuid]))
    assert response.status_code == 200
    with scope(trust=trust_a.trust.pk):
        assert AuditEntry.objects.get(action="file.read").object_uuid == report.uuid


# -- the audit log page and API --------------------------------------------------------------------


def test_executives_browse_the_trails_entries_newest_first_with_filters(trust_a, trust_b):
    _an_entry(trust_a, "test.first")
    _an_entry(trust_a, "test.second")
    _an_entry(trust_b, "test.other_trust")
    client = trust_a.client_for(E)
    page = client.get(reverse("audit-log", args=[trust_a.trust.slug])).content.decode()
    table = page[page.index("<tbody>") :]
    assert table.index("test.second") < table.index("test.first")
    assert "test.other_trust" not in page
    filtered = client.get(reverse("audit-log", args=[trust_a.trust.slug]), {"action": "test.first"}).content.decode()
    table = filtered[filtered.index("<tbody>") :]
    assert "test.first" in table and "test.second" not in table


def test_the_audit_log_exports_with_the_pages_filters(trust_a):
    _an_entry(trust_a, "test.first")
    _an_entry(trust_a, "test.second")
    response = trust_a.client_for(E).get(
        reverse("audit-log", args=[trust_a.trust.slug]), {"action": "test.second", "format": "csv"}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("When,Who,Action")
    assert "test.second" in text and "test.first" not in text


def test_the_audit_api_lists_entries_with_filters_and_limit_offset(trust_a):
    for n in range(3):
        _an_entry(trust_a, f"test.n{n}")
    client = trust_a.client_for(E)
    url = reverse("api-audit-log", args=[trust_a.trust.slug])
    body = client.get(url, {"limit": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["results"][0]["action"] == "test.n2"
    assert [e["action"] for e in client.get(url, {"action": "test.n0"}).json()["results"]] == ["test.n0"]
    assert client.get(url, {"actor": str(trust_a.people[E].uuid)}).json()["count"] == 3


def test_only_executives_see_the_audit_log(trust_a):
    for role in (IL, HT, TR):
        assert trust_a.client_for(role).get(reverse("audit-log", args=[trust_a.trust.slug])).status_code == 403

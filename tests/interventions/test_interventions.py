"""Interventions: commissioning, the status machine, checkpoints, closing with impact, and who sees what."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from core.academic import term_bounds
from core.exceptions import ApplicationError
from interventions.models import (
    DeliveryModel,
    Expert,
    Intervention,
    InterventionStatus,
    InterventionTransition,
)
from interventions.selectors.interventions import (
    TRANSITIONS,
    interventions_ending_soon,
    overdue_checkpoints,
    status_counts,
)
from interventions.services.interventions import (
    checkpoint_record,
    intervention_close,
    intervention_commission,
    intervention_transition,
)
from reviews.services.evidence import evidence_record

pytestmark = pytest.mark.django_db
S = InterventionStatus
TODAY = datetime.date.today()
DAY = datetime.timedelta(days=1)
# A span inside one term, so a lead's days all count against that term.
TERM_START = term_bounds(TODAY)[1]
ALL_PAIRS = list(itertools.product(S.values, S.values))
ALLOWED = {(a, b) for a, bs in TRANSITIONS.items() for b in bs}
# Closing is allowed from impact review, but only through intervention_close with the impact judgement.
FORBIDDEN = [(a, b) for a, b in ALL_PAIRS if (a, b) not in ALLOWED or b == S.CLOSED]


def make_expert(world, *, user_role=None, home_school=None, days=10, name="Priya Shah", areas=("maths",)):
    with scope(trust=world.trust.pk):
        return Expert.objects.create(
            trust=world.trust,
            name=name,
            role="lead_practitioner",
            user=world.people[user_role] if user_role else None,
            home_school=home_school,
            days_per_term=Decimal(days),
            areas=list(areas),
        )


def make_intervention(world, *, status=S.PROPOSED, school=0, lead_role="specialist", lead_days=2, **overrides):
    """An intervention at trust `world`'s school, led by the person in `lead_role`, moved to `status`."""
    with scope(trust=world.trust.pk):
        expert = Expert.objects.filter(trust=world.trust, user=world.people[lead_role]).first() if lead_role else None
        if lead_role and expert is None:
            expert = make_expert(world, user_role=lead_role, home_school=world.schools[1 - school])
        fields = {
            "school": world.schools[school],
            "actor": world.people["executive"],
            "title": "Maths mastery in Year 3",
            "area_of_need": "maths",
            "delivery_model": DeliveryModel.SCHOOL_TO_SCHOOL,
            "providing_school": world.schools[1 - school],
            "leads": [(expert, lead_days)] if expert else [],
            "targets": ["Concrete models in every lesson", "Year 3 gaps closed"],
            "success_criteria": "Assessment gaps closed by the summer.",
            "starts_on": TODAY - 30 * DAY,
            "ends_on": TODAY + 60 * DAY,
            "checkpoints": [TODAY - 10 * DAY, TODAY + 20 * DAY],
            **overrides,
        }
        intervention = intervention_commission(**fields)
        if status != S.PROPOSED:
            # Put it straight into the wanted status (the transitions themselves are tested separately).
            Intervention.objects.filter(pk=intervention.pk).update(status=status)
            intervention.refresh_from_db()
        return intervention


def make_evidence(world, school=0, shared=True):
    with scope(trust=world.trust.pk):
        return evidence_record(
            school=world.schools[school],
            actor=world.people["improvement_lead"],
            evidence_type="learning_walk",
            observed_on=TODAY - DAY,
            summary="Learning walk: maths models seen in every class.",
            shared_with_school=shared,
        )


IMPACT = {
    "impact_practice": "Teachers model with manipulatives.",
    "impact_systems": "Weekly maths planning meetings.",
    "impact_organisation": "A maths lead in each phase.",
    "impact_outcomes": "Year 3 at expected standard up from 58% to 74%.",
}


# --- Commissioning --------------------------------------------------------------------------


def test_commissioning_proposes_with_leads_targets_checkpoints_and_a_transition_row(trust_a):
    intervention = make_intervention(trust_a)
    with scope(trust=trust_a.trust.pk):
        assert intervention.status == S.PROPOSED
        assert intervention.targets.count() == 2
        assert intervention.checkpoints.count() == 2
        assert intervention.leads.get().days == 2
        row = InterventionTransition.objects.get(intervention=intervention)
        assert (row.from_status, row.to_status, row.by) == ("", S.PROPOSED, trust_a.people["executive"])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": TODAY - 30 * DAY}, "time-limited"),
        ({"providing_school": None}, "needs the providing school"),
        ({"checkpoints": [TODAY + 365 * DAY]}, "between the start and end"),
        ({"targets": ["  "]}, "at least one target"),
        ({"delivery_model": DeliveryModel.EXTERNAL, "provider_name": ""}, "provider's name"),
    ],
)
def test_commissioning_refuses_incomplete_plans(trust_a, overrides, message):
    with pytest.raises(ApplicationError, match=message):
        make_intervention(trust_a, **overrides)


def test_a_school_cannot_support_itself(trust_a):
    with pytest.raises(ApplicationError, match="to itself"):
        make_intervention(trust_a, providing_school=trust_a.schools[0])


def test_the_providing_school_must_be_in_the_trust(trust_a, trust_b):
    with pytest.raises(ApplicationError, match="one of the trust's schools"):
        make_intervention(trust_a, providing_school=trust_b.schools[0])


def test_a_lead_from_another_trust_is_refused(trust_a, trust_b):
    outsider = make_expert(trust_b, name="Outsider")
    with pytest.raises(ApplicationError, match="not an active person"):
        make_intervention(trust_a, lead_role=None, leads=[(outsider, 1)])


def test_only_executives_and_improvement_leads_commission(trust_a):
    with pytest.raises(ApplicationError, match="Only an executive"):
        make_intervention(trust_a, actor=trust_a.people["headteacher"])


def test_over_commitment_needs_confirmation(trust_a):
    expert = make_expert(trust_a, user_role="specialist", home_school=trust_a.schools[1], days=5)
    with pytest.raises(ApplicationError, match="Priya Shah would be over-committed by 3 days; confirm to go ahead"):
        make_intervention(
            trust_a,
            lead_role=None,
            leads=[(expert, 8)],
            starts_on=TERM_START,
            ends_on=TERM_START + 20 * DAY,
            checkpoints=[],
        )
    with scopes_disabled():
        assert not Intervention.objects.exists()
    intervention = make_intervention(
        trust_a,
        lead_role=None,
        leads=[(expert, 8)],
        starts_on=TERM_START,
        ends_on=TERM_START + 20 * DAY,
        checkpoints=[],
        confirm_over_commitment=True,
    )
    assert intervention.pk


# --- The status machine ----------------------------------------------------------------------


def test_the_whole_allowed_path_is_recorded_with_who_and_when(trust_a):
    intervention = make_intervention(trust_a)
    actor = trust_a.people["improvement_lead"]
    with scope(trust=trust_a.trust.pk):
        for step in (S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW):
            intervention_transition(intervention=intervention, actor=actor, to_status=step)
        intervention_close(intervention=intervention, actor=actor, evidence=[make_evidence(trust_a)], **IMPACT)
        rows = list(intervention.transitions.values_list("from_status", "to_status", "by"))
    assert rows == [
        ("", S.PROPOSED, trust_a.people["executive"].pk),
        (S.PROPOSED, S.COMMISSIONED, actor.pk),
        (S.COMMISSIONED, S.ACTIVE, actor.pk),
        (S.ACTIVE, S.IMPACT_REVIEW, actor.pk),
        (S.IMPACT_REVIEW, S.CLOSED, actor.pk),
    ]
    assert intervention.closed_on == datetime.date.today()


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_in_the_service(trust_a, from_status, to_status):
    intervention = make_intervention(trust_a, status=from_status)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError) as refused:
        intervention_transition(
            intervention=intervention, actor=trust_a.people["executive"], to_status=to_status, reason="Because."
        )
    assert "cannot move" in refused.value.message or "impact judgement" in refused.value.message
    with scopes_disabled():
        intervention.refresh_from_db()
        assert intervention.status == from_status
        assert intervention.transitions.count() == 1


@pytest.mark.parametrize("from_status", [S.PROPOSED, S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW])
def test_cancelling_needs_a_reason(trust_a, from_status):
    intervention = make_intervention(trust_a, status=from_status)
    actor = trust_a.people["executive"]
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError, match="reason"):
            intervention_transition(intervention=intervention, actor=actor, to_status=S.CANCELLED)
        intervention_transition(intervention=intervention, actor=actor, to_status=S.CANCELLED, reason="School closed.")
    assert (intervention.status, intervention.cancelled_reason) == (S.CANCELLED, "School closed.")


def test_headteachers_cannot_move_interventions(trust_a):
    intervention = make_intervention(trust_a)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="Only an executive"):
        intervention_transition(
            intervention=intervention, actor=trust_a.people["headteacher"], to_status=S.COMMISSIONED
        )


# --- Closing with impact ---------------------------------------------------------------------


@pytest.mark.parametrize("missing", list(IMPACT))
def test_closing_without_each_impact_judgement_is_refused(trust_a, missing):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    impact = {**IMPACT, missing: "  "}
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="Judge the impact"):
        intervention_close(
            intervention=intervention, actor=trust_a.people["executive"], evidence=[make_evidence(trust_a)], **impact
        )


def test_closing_without_evidence_is_refused(trust_a):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="at least one item of evidence"):
        intervention_close(intervention=intervention, actor=trust_a.people["executive"], evidence=[], **IMPACT)


def test_closing_with_another_schools_evidence_is_refused(trust_a):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="this intervention's school"):
        intervention_close(
            intervention=intervention,
            actor=trust_a.people["executive"],
            evidence=[make_evidence(trust_a, school=1)],
            **IMPACT,
        )


def test_closing_before_impact_review_is_refused(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="cannot move from active to closed"):
        intervention_close(
            intervention=intervention, actor=trust_a.people["executive"], evidence=[make_evidence(trust_a)], **IMPACT
        )


# --- Checkpoints -----------------------------------------------------------------------------


def test_the_leading_specialist_records_a_checkpoint_with_progress_per_target(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE)
    evidence = make_evidence(trust_a)
    with scope(trust=trust_a.trust.pk):
        checkpoint = intervention.checkpoints.first()
        first, second = intervention.targets.all()
        checkpoint_record(
            checkpoint=checkpoint,
            actor=trust_a.people["specialist"],
            notes="Models seen in four of five lessons.",
            progress={first: ("good", "Strong in Year 3B"), second: ("some", "")},
            evidence=[evidence],
        )
        checkpoint.refresh_from_db()
        assert checkpoint.recorded_by == trust_a.people["specialist"]
        assert dict(checkpoint.progress.values_list("target__position", "progress")) == {0: "good", 1: "some"}
        assert list(checkpoint.evidence.all()) == [evidence]


def test_a_specialist_who_does_not_lead_cannot_record(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE, lead_role="improvement_lead")
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="specialist leading"):
        checkpoint_record(
            checkpoint=intervention.checkpoints.first(), actor=trust_a.people["specialist"], notes="x", progress={}
        )


def test_checkpoints_are_not_recorded_before_the_intervention_is_active(trust_a):
    intervention = make_intervention(trust_a, status=S.COMMISSIONED)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="active"):
        checkpoint_record(
            checkpoint=intervention.checkpoints.first(), actor=trust_a.people["executive"], notes="x", progress={}
        )


# --- Selectors -------------------------------------------------------------------------------


def test_overdue_checkpoints_ending_soon_and_counts(trust_a):
    active = make_intervention(trust_a, status=S.ACTIVE, ends_on=TODAY + 10 * DAY, checkpoints=[TODAY - 5 * DAY])
    make_intervention(trust_a, status=S.PROPOSED, title="Not started yet", checkpoints=[TODAY - 5 * DAY])
    membership = trust_a.memberships["executive"]
    with scope(trust=trust_a.trust.pk):
        assert [c.intervention for c in overdue_checkpoints(membership, TODAY)] == [active]
        assert list(interventions_ending_soon(membership, TODAY)) == [active]
        counts = status_counts(membership)
    assert counts[S.ACTIVE] == 1 and counts[S.PROPOSED] == 1 and counts[S.CLOSED] == 0


def test_the_list_selector_is_a_fixed_number_of_queries(trust_a, django_assert_max_num_queries):
    from interventions.selectors.interventions import intervention_list

    for i in range(4):
        make_intervention(trust_a, title=f"Intervention {i}")
    with scope(trust=trust_a.trust.pk), django_assert_max_num_queries(2):
        items = list(intervention_list(trust_a.memberships["executive"]))
        assert [lead.expert.name for i in items for lead in i.leads.all()]


# --- Pages -----------------------------------------------------------------------------------


def url(world, name="", *parts):
    base = f"/t/{world.trust.slug}/interventions/"
    return base + "".join(f"{p}/" for p in parts) if parts else base + name


def test_the_list_shows_each_role_only_what_it_may_see(trust_a):
    mine = make_intervention(trust_a, title="At school one")
    make_intervention(trust_a, title="At school two", school=1, lead_role="improvement_lead")
    page = trust_a.client_for("executive").get(url(trust_a)).content.decode()
    assert "At school one" in page and "At school two" in page
    head = trust_a.client_for("headteacher").get(url(trust_a)).content.decode()
    assert "At school one" in head and "At school two" not in head
    specialist = trust_a.client_for("specialist").get(url(trust_a, "mine/")).content.decode()
    assert "At school one" in specialist and "At school two" not in specialist
    assert mine.uuid


def test_a_specialist_cannot_see_another_persons_intervention(trust_a):
    theirs = make_intervention(trust_a, lead_role="improvement_lead")
    assert trust_a.client_for("specialist").get(url(trust_a, "", theirs.uuid)).status_code == 404
    led = make_intervention(trust_a, title="Led by the specialist")
    assert trust_a.client_for("specialist").get(url(trust_a, "", led.uuid)).status_code == 200


def test_a_headteacher_sees_their_schools_intervention_but_not_anothers(trust_a):
    own = make_intervention(trust_a, school=0)
    other = make_intervention(trust_a, school=1, title="Elsewhere")
    client = trust_a.client_for("headteacher")
    assert client.get(url(trust_a, "", own.uuid)).status_code == 200
    assert client.get(url(trust_a, "", other.uuid)).status_code == 404


def test_another_trust_gets_404(trust_a, trust_b):
    intervention = make_intervention(trust_a)
    assert trust_b.client_for("executive").get(url(trust_a, "", intervention.uuid)).status_code == 404


@pytest.mark.parametrize(("from_status", "to_status"), FORBIDDEN)
def test_every_forbidden_transition_is_refused_on_the_page(trust_a, from_status, to_status):
    intervention = make_intervention(trust_a, status=from_status)
    response = trust_a.client_for("executive").post(
        url(trust_a, "", intervention.uuid, "transition"), {"to_status": to_status, "reason": "Because."}, follow=True
    )
    page = response.content.decode()
    assert "cannot move" in page or "impact judgement" in page
    with scopes_disabled():
        intervention.refresh_from_db()
    assert intervention.status == from_status


def test_the_detail_page_offers_only_allowed_moves(trust_a):
    intervention = make_intervention(trust_a, status=S.COMMISSIONED)
    page = trust_a.client_for("executive").get(url(trust_a, "", intervention.uuid)).content.decode()
    assert 'value="active"' in page and 'value="impact_review"' not in page and 'value="commissioned"' not in page
    head = trust_a.client_for("headteacher").get(url(trust_a, "", intervention.uuid)).content.decode()
    assert 'value="active"' not in head


def test_commissioning_on_the_page_warns_of_over_commitment_then_accepts_confirmation(trust_a):
    expert = make_expert(trust_a, user_role="specialist", home_school=trust_a.schools[1], days=3)
    data = {
        "school": str(trust_a.schools[0].uuid),
        "title": "Upper KS2 writing",
        "area_of_need": "english",
        "delivery_model": "school_to_school",
        "providing_school": str(trust_a.schools[1].uuid),
        "lead_1": str(expert.uuid),
        "lead_1_days": "5",
        "targets": "Writing at expected standard\nModelled writing daily",
        "success_criteria": "70% at expected standard.",
        "starts_on": str(TERM_START),
        "ends_on": str(TERM_START + 20 * DAY),
        "checkpoint_1": str(TERM_START + 10 * DAY),
    }
    client = trust_a.client_for("improvement_lead")
    response = client.post(url(trust_a, "new/"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "would be over-committed by 2 days" in page and 'name="confirm_over_commitment"' in page
    response = client.post(url(trust_a, "new/"), {**data, "confirm_over_commitment": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        created = Intervention.objects.get(title="Upper KS2 writing")
        targets = [t.description for t in created.targets.all()]
    assert targets == ["Writing at expected standard", "Modelled writing daily"]


def test_the_commission_page_prefills_from_an_area_for_development_and_shows_brokering(trust_a):
    make_expert(trust_a, home_school=trust_a.schools[1], areas=["english"], name="Ravi Patel")
    response = trust_a.client_for("executive").get(
        url(trust_a, "new/"),
        {
            "school": str(trust_a.schools[0].uuid),
            "area": "english",
            "starts_on": str(TODAY),
            "ends_on": str(TODAY + 30 * DAY),
            "days": "3",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<option value="english" selected>' in page
    assert "Ravi Patel" in page and "delivery_model=school_to_school" in page
    assert f"providing_school={trust_a.schools[1].uuid}" in page


def test_the_commission_page_still_works_without_brokering(trust_a, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "interventions.selectors.brokering", None)  # the import now fails
    query = {"school": str(trust_a.schools[0].uuid), "area": "english", "starts_on": str(TODAY)}
    response = trust_a.client_for("executive").get(url(trust_a, "new/"), {**query, "ends_on": str(TODAY + DAY)})
    assert response.status_code == 200
    assert "Brokering suggestions are unavailable" in response.content.decode()


def test_closing_on_the_page_without_evidence_shows_the_error(trust_a):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    response = trust_a.client_for("executive").post(url(trust_a, "", intervention.uuid, "close"), IMPACT)
    assert response.status_code == 200
    assert "Evidence of impact" in response.content.decode()
    with scopes_disabled():
        intervention.refresh_from_db()
    assert intervention.status == S.IMPACT_REVIEW


def test_closing_on_the_page(trust_a):
    intervention = make_intervention(trust_a, status=S.IMPACT_REVIEW)
    evidence = make_evidence(trust_a)
    response = trust_a.client_for("executive").post(
        url(trust_a, "", intervention.uuid, "close"), {**IMPACT, "evidence": [str(evidence.uuid)]}
    )
    assert response.status_code == 302
    with scopes_disabled():
        intervention.refresh_from_db()
    assert intervention.status == S.CLOSED and intervention.impact_outcomes.startswith("Year 3")


def test_the_leading_specialist_records_a_checkpoint_on_the_page(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE)
    with scopes_disabled():
        checkpoint = intervention.checkpoints.first()
        first, second = intervention.targets.all()
    response = trust_a.client_for("specialist").post(
        url(trust_a, "", intervention.uuid, "checkpoints", checkpoint.uuid),
        {"notes": "Going well.", f"progress_{first.pk}": "met", f"progress_{second.pk}": "some"},
    )
    assert response.status_code == 302
    detail = trust_a.client_for("executive").get(url(trust_a, "", intervention.uuid)).content.decode()
    assert "Target met" in detail and "Going well." in detail


def test_the_list_exports_csv_and_xlsx(trust_a):
    make_intervention(trust_a, title="=HYPERLINK(evil)")
    client = trust_a.client_for("trustee")
    csv = b"".join(client.get(url(trust_a), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in csv and "Maths" in csv
    xlsx = client.get(url(trust_a), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_demo_seed_is_idempotent_and_covers_every_status(trust_a):
    from interventions.demo_interventions import seed_interventions

    people = [(trust_a.people[r], r) for r in trust_a.people]
    assert seed_interventions(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY) == {
        "interventions": 0,
        "requests": 0,
    }
    make_expert(trust_a, home_school=trust_a.schools[1], areas=["english", "maths"])
    make_evidence(trust_a, school=1)
    first = seed_interventions(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY)
    with scopes_disabled():
        stamps = sorted(Intervention.objects.values_list("updated_at", flat=True))
        statuses = set(Intervention.objects.values_list("status", flat=True))
    second = seed_interventions(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY)
    with scopes_disabled():
        assert sorted(Intervention.objects.values_list("updated_at", flat=True)) == stamps
    assert first == second and first["interventions"] == 6 and first["requests"] == 3
    assert statuses == set(S.values)
    with scope(trust=trust_a.trust.pk):
        assert overdue_checkpoints(trust_a.memberships["executive"], TODAY).count() == 1


def test_a_checkpoint_can_record_new_evidence_for_the_school(trust_a):
    intervention = make_intervention(trust_a, status=S.ACTIVE)
    with scopes_disabled():
        checkpoint = intervention.checkpoints.first()
        first, second = intervention.targets.all()
    page = url(trust_a, "", intervention.uuid, "checkpoints", checkpoint.uuid)
    data = {"notes": "Seen in lessons.", f"progress_{first.pk}": "good", f"progress_{second.pk}": "some"}
    client = trust_a.client_for("specialist")
    half = client.post(page, {**data, "new_evidence_type": "lesson_observation"})
    assert half.status_code == 200 and "both its type and a summary" in half.content.decode()
    full = client.post(
        page, {**data, "new_evidence_type": "lesson_observation", "new_evidence_summary": "Year 3 lesson."}
    )
    assert full.status_code == 302
    with scopes_disabled():
        evidence = checkpoint.evidence.get()
    assert (evidence.school, evidence.author, evidence.summary) == (
        trust_a.schools[0],
        trust_a.people["specialist"],
        "Year 3 lesson.",
    )


def test_the_list_shows_overdue_checkpoints(trust_a):
    make_intervention(trust_a, status=S.ACTIVE, title="Behind schedule", checkpoints=[TODAY - 3 * DAY])
    page = trust_a.client_for("executive").get(url(trust_a)).content.decode()
    assert "Overdue:" in page and "Behind schedule" in page

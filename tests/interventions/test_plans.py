"""Improvement plans: starting (blank, from the checklist, from the review), writing, health, agreement."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_for
from core.exceptions import ApplicationError
from interventions.demo_plans import seed_plans
from interventions.models import ActionStatus, ImprovementPlan, PlanAction, PlanPriority, PlanStatus, PlanUpdate
from interventions.selectors.plans import action_concerns, is_overdue, plan_for, trust_plan_health
from interventions.services import plans as services
from interventions.services.plans import ActionInput, area_lines
from reviews.models import Rating
from reviews.services.reviews import review_record
from tests.factories import SchoolFactory
from trust.models import SupportLevel
from trust.scales.services import scale_create_from_template

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 20)  # a fixed clock: autumn term of 2025/26
YEAR = 2025
HT, GV, E, IL, TR = "headteacher", "governor", "executive", "improvement_lead", "trustee"


def start(world, *, school=0, today=TODAY, year=YEAR, **kwargs):
    with scope(trust=world.trust.pk):
        return services.plan_start(
            school=world.schools[school], actor=world.people[HT], academic_year=year, today=today, **kwargs
        )


def rate(world, level_name="Stabilise", school=0):
    with scope(trust=world.trust.pk):
        if not SupportLevel.objects.filter(scale__trust=world.trust).exists():
            scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="four_phases")
        level = SupportLevel.objects.get(scale__trust=world.trust, name=level_name)
        Rating.objects.create(
            school=world.schools[school],
            level=level,
            level_name=level.name,
            level_position=level.position,
            effective_on=datetime.date(2025, 9, 15),
            decided_by=world.people[E],
            rationale="Grade 4 at the last inspection.",
        )
        return level


def review(world, text, *, shared=True, reviewed_on=datetime.date(2025, 10, 1)):
    with scope(trust=world.trust.pk):
        return review_record(
            school=world.schools[0],
            actor=world.people[E],
            review_type="annual_review",
            reviewed_on=reviewed_on,
            areas_for_development=text,
            shared_with_school=shared,
        )


def plan_with_action(world, *, due_on=TODAY, status=ActionStatus.NOT_STARTED, school=0, year=YEAR):
    with scope(trust=world.trust.pk):
        plan = ImprovementPlan.objects.create(school=world.schools[school], academic_year=year)
        priority = PlanPriority.objects.create(plan=plan, title="Improve writing", position=1)
        action = PlanAction.objects.create(
            priority=priority, description="Coach Year 5", owner="English lead", due_on=due_on, status=status
        )
    return plan, priority, action


# Starting a plan


def test_headteacher_starts_a_blank_plan_and_a_second_start_finds_the_same_plan(trust_a):
    plan, created = start(trust_a, summary="Writing first.")
    again, created_again = start(trust_a, from_review=True)
    assert created and not created_again
    assert again.pk == plan.pk
    with scopes_disabled():
        assert ImprovementPlan.objects.filter(school=trust_a.schools[0]).count() == 1
        assert plan.priorities.count() == 0  # the second start seeded nothing


def test_start_from_checklist_makes_a_priority_per_domain_whose_items_become_actions(trust_a):
    level = rate(trust_a)
    plan, _ = start(trust_a, from_checklist=True)
    with scopes_disabled():
        priorities = list(plan.priorities.prefetch_related("actions"))
        assert [p.source for p in priorities] == [f"Checklist: {d}" for d in level.plan_checklist]
        governance = priorities[0]
        assert governance.title == "Stabilise: Governance"
        descriptions = [a.description for a in governance.actions.all()]
        assert descriptions == level.plan_checklist["Governance"]
        finance = next(p for p in priorities if p.source == "Checklist: Finance and legal")
        assert "TUPE of all staff to MAT" in [a.description for a in finance.actions.all()]
        # Seeded actions are due at the end of the term and not started.
        assert {a.due_on for a in finance.actions.all()} == {datetime.date(2025, 12, 31)}
        assert {a.status for a in finance.actions.all()} == {ActionStatus.NOT_STARTED}


def test_start_from_the_latest_shared_review_makes_a_priority_with_a_first_action_per_area(trust_a):
    review(trust_a, "Old area that was fixed.", reviewed_on=datetime.date(2024, 10, 1))
    review(trust_a, "- Improve writing at greater depth.\n- Sharpen subject leaders' monitoring\n\n")
    review(trust_a, "A trust-only visit's area.", shared=False, reviewed_on=datetime.date(2025, 11, 1))
    plan, _ = start(trust_a, from_review=True)
    with scopes_disabled():
        priorities = list(plan.priorities.prefetch_related("actions"))
        assert [p.title for p in priorities] == [
            "Improve writing at greater depth",
            "Sharpen subject leaders' monitoring",
        ]
        assert {p.source for p in priorities} == {"Review of 1 Oct 2025"}
        for priority in priorities:
            (action,) = priority.actions.all()
            assert action.description == services.FIRST_STEP
            assert action.due_on == TODAY + datetime.timedelta(weeks=4)


def test_start_from_both_puts_the_review_first_then_the_checklist(trust_a):
    rate(trust_a, "Repair")
    review(trust_a, "Teaching does not check understanding in maths. Disadvantaged pupils lag their peers.")
    plan, _ = start(trust_a, from_review=True, from_checklist=True)
    with scopes_disabled():
        sources = list(plan.priorities.values_list("source", flat=True))
    assert sources[:2] == ["Review of 1 Oct 2025"] * 2
    assert sources[2] == "Checklist: Governance"


def test_asking_for_a_checklist_without_a_rating_refuses_and_leaves_no_plan(trust_a):
    with pytest.raises(ApplicationError, match="no current level"):
        start(trust_a, from_checklist=True)
    with pytest.raises(ApplicationError, match="no review"):
        start(trust_a, from_review=True)
    with scopes_disabled():
        assert not ImprovementPlan.objects.exists()


def test_area_lines_reads_bullets_lines_or_sentences():
    assert area_lines("• One\n2) Two\n\n* Three") == ["One", "Two", "Three"]
    assert area_lines("Writing lags. Maths checks are weak!") == ["Writing lags.", "Maths checks are weak!"]
    assert area_lines("  ") == []


def test_only_this_year_or_next_can_be_started(trust_a):
    with pytest.raises(ApplicationError, match="can be started"):
        start(trust_a, year=YEAR - 1)
    plan, created = start(trust_a, year=YEAR + 1)
    assert created and plan.academic_year == YEAR + 1


@pytest.mark.parametrize("role", [GV, E, IL, TR])
def test_only_the_headteacher_starts_a_plan(trust_a, role):
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="headteacher"):
        services.plan_start(school=trust_a.schools[0], actor=trust_a.people[role], academic_year=YEAR, today=TODAY)


def test_headteacher_cannot_write_another_schools_plan(trust_a):
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="headteacher"):
        services.plan_start(school=trust_a.schools[1], actor=trust_a.people[HT], academic_year=YEAR, today=TODAY)


# Writing


def test_completing_an_action_records_the_day_and_reopening_clears_it(trust_a):
    _, _, action = plan_with_action(trust_a)
    with scope(trust=trust_a.trust.pk):
        services.action_update(action=action, actor=trust_a.people[HT], status=ActionStatus.COMPLETE, today=TODAY)
        assert action.completed_on == TODAY
        later = TODAY + datetime.timedelta(days=3)
        services.action_update(action=action, actor=trust_a.people[HT], status=ActionStatus.COMPLETE, today=later)
        assert action.completed_on == TODAY  # completing again keeps the first day
        services.action_update(action=action, actor=trust_a.people[HT], status=ActionStatus.ON_TRACK, today=later)
        assert action.completed_on is None
        with pytest.raises(ApplicationError, match="status"):
            services.action_update(action=action, actor=trust_a.people[HT], status="done", today=TODAY)


def test_priorities_and_actions_are_added_edited_and_removed(trust_a):
    plan, _ = start(trust_a)
    with scope(trust=trust_a.trust.pk):
        first = services.priority_add(plan=plan, actor=trust_a.people[HT], title=" Writing ", today=TODAY)
        second = services.priority_add(plan=plan, actor=trust_a.people[HT], title="Maths", today=TODAY)
        assert (first.title, first.position, second.position) == ("Writing", 1, 2)
        services.priority_update(priority=second, actor=trust_a.people[HT], title="Mathematics", today=TODAY)
        action = services.action_add(
            priority=second,
            actor=trust_a.people[HT],
            data=ActionInput(description="Mini-whiteboards", owner="Maths lead", due_on=TODAY),
            today=TODAY,
        )
        assert action.status == ActionStatus.NOT_STARTED
        services.priority_remove(priority=second, actor=trust_a.people[HT], today=TODAY)
        assert not PlanAction.objects.filter(pk=action.pk).exists()
        assert list(plan.priorities.values_list("title", flat=True)) == ["Writing"]


def test_an_agreed_plan_stays_editable_but_keeps_a_priority(trust_a):
    plan, priority, action = plan_with_action(trust_a)
    with scope(trust=trust_a.trust.pk):
        services.plan_agree(plan=plan, actor=trust_a.people[IL], today=TODAY)
        services.action_update(action=action, actor=trust_a.people[HT], status=ActionStatus.ON_TRACK, today=TODAY)
        with pytest.raises(ApplicationError, match="at least one priority"):
            services.priority_remove(priority=priority, actor=trust_a.people[HT], today=TODAY)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.AGREED


def test_earlier_years_are_read_only(trust_a):
    plan, _, action = plan_with_action(trust_a)
    next_year = datetime.date(2026, 9, 10)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="read-only"):
        services.action_update(action=action, actor=trust_a.people[HT], status="complete", today=next_year)


def test_updates_belong_to_the_school_and_comments_to_the_trust(trust_a):
    plan, _, _ = plan_with_action(trust_a)
    with scope(trust=trust_a.trust.pk):
        update = services.plan_update_post(plan=plan, actor=trust_a.people[HT], body="Coaching started.", today=TODAY)
        comment = services.plan_comment(plan=plan, actor=trust_a.people[IL], body="Good start.", today=TODAY)
        assert (update.is_trust_comment, update.term) == (False, "Autumn")
        assert (comment.is_trust_comment, comment.author) == (True, trust_a.people[IL])
        with pytest.raises(ApplicationError, match="headteacher"):
            services.plan_update_post(plan=plan, actor=trust_a.people[IL], body="x", today=TODAY)
        with pytest.raises(ApplicationError, match="executive or improvement lead"):
            services.plan_comment(plan=plan, actor=trust_a.people[HT], body="x", today=TODAY)
        with pytest.raises(ApplicationError, match="Write something"):
            services.plan_comment(plan=plan, actor=trust_a.people[IL], body="  ", today=TODAY)


# Agreement


def test_a_plan_without_priorities_cannot_be_agreed(trust_a):
    plan, _ = start(trust_a)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="no priorities"):
        services.plan_agree(plan=plan, actor=trust_a.people[IL], today=TODAY)


def test_improvement_lead_agrees_once_and_the_headteacher_cannot(trust_a):
    plan, _, _ = plan_with_action(trust_a)
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError):
            services.plan_agree(plan=plan, actor=trust_a.people[HT], today=TODAY)
        agreed = services.plan_agree(plan=plan, actor=trust_a.people[IL], today=TODAY)
        again = services.plan_agree(plan=plan, actor=trust_a.people[E], today=TODAY + datetime.timedelta(days=1))
    assert (agreed.status, agreed.agreed_by, agreed.agreed_on) == (PlanStatus.AGREED, trust_a.people[IL], TODAY)
    assert (again.agreed_by, again.agreed_on) == (trust_a.people[IL], TODAY)


# Health on a fixed clock


def test_overdue_means_past_due_and_not_complete(trust_a):
    _, _, action = plan_with_action(trust_a, due_on=TODAY - datetime.timedelta(days=1))
    assert is_overdue(action, TODAY)
    assert action_concerns(action, TODAY) == ["Overdue by 1 day"]
    assert not is_overdue(action, TODAY - datetime.timedelta(days=1))  # due today is not overdue
    action.status = ActionStatus.COMPLETE
    assert not is_overdue(action, TODAY)
    action.status = ActionStatus.OFF_TRACK
    action.due_on = TODAY + datetime.timedelta(days=10)
    assert action_concerns(action, TODAY) == ["Off track"]


def test_trust_plan_health_lists_overdue_off_track_and_at_risk_actions_of_this_year(trust_a, trust_b):
    plan, priority, _ = plan_with_action(trust_a, due_on=TODAY - datetime.timedelta(days=3))
    plan_with_action(trust_b, due_on=TODAY - datetime.timedelta(days=3))  # another trust's: never listed
    with scope(trust=trust_a.trust.pk):
        make = PlanAction.objects.create
        make(
            priority=priority,
            description="Off track",
            owner="x",
            due_on=TODAY + datetime.timedelta(days=9),
            status=ActionStatus.OFF_TRACK,
        )
        make(priority=priority, description="At risk", owner="x", due_on=TODAY, status=ActionStatus.AT_RISK)
        make(
            priority=priority,
            description="Done late",
            owner="x",
            due_on=TODAY - datetime.timedelta(days=9),
            status=ActionStatus.COMPLETE,
        )
        make(
            priority=priority,
            description="Fine",
            owner="x",
            due_on=TODAY + datetime.timedelta(days=9),
            status=ActionStatus.ON_TRACK,
        )
        old = ImprovementPlan.objects.create(school=trust_a.schools[1], academic_year=YEAR - 1)
        old_priority = PlanPriority.objects.create(plan=old, title="Last year")
        make(priority=old_priority, description="Last year's", owner="x", due_on=datetime.date(2025, 3, 1))
        rows = trust_plan_health(trust_a.trust, TODAY)
    assert [(r.action.description, r.reasons) for r in rows] == [
        ("Coach Year 5", ["Overdue by 3 days"]),
        ("At risk", ["At risk"]),
        ("Off track", ["Off track"]),
    ]
    assert rows[0].school == trust_a.schools[0]


def test_trust_plan_health_takes_the_same_queries_for_two_or_six_schools(trust_a):
    def count() -> int:
        with scope(trust=trust_a.trust.pk), CaptureQueriesContext(connection) as queries:
            rows = trust_plan_health(trust_a.trust, TODAY)
            [(r.school.name, r.priority.title, r.plan.academic_year) for r in rows]
        return len(queries)

    for index in range(2):
        plan_with_action(trust_a, school=index, due_on=TODAY - datetime.timedelta(days=2))
    two = count()
    with scopes_disabled():
        for _ in range(4):
            school = SchoolFactory(trust=trust_a.trust)
            trust_a.schools.append(school)
            plan_with_action(trust_a, school=len(trust_a.schools) - 1, status=ActionStatus.OFF_TRACK)
    six = count()
    assert two == six == 1


# Pages


def url(world, name, **kwargs):
    return reverse(name, kwargs={"trust_slug": world.trust.slug, **kwargs})


def test_start_form_from_the_page_makes_a_seeded_plan(trust_a):
    rate(trust_a)
    client = trust_a.client_for(HT)
    page = client.get(url(trust_a, "plan-school", school_uuid=trust_a.schools[0].uuid))
    assert b"Start from my level&#x27;s checklist" in page.content or b"Start from my level's checklist" in page.content
    response = client.post(
        url(trust_a, "plan-start", school_uuid=trust_a.schools[0].uuid),
        {"academic_year": academic_year_for(timezone.localdate()), "from_checklist": "on"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        plan = ImprovementPlan.objects.get(school=trust_a.schools[0])
        assert plan.priorities.count() == 6


def test_plan_page_shows_status_in_words_and_flags_overdue_with_text(trust_a):
    today = timezone.localdate()
    with scope(trust=trust_a.trust.pk):
        plan = ImprovementPlan.objects.create(school=trust_a.schools[0], academic_year=academic_year_for(today))
        priority = PlanPriority.objects.create(plan=plan, title="Improve writing")
        PlanAction.objects.create(
            priority=priority,
            description="Coach Year 5",
            owner="English lead",
            due_on=today - datetime.timedelta(days=5),
            status=ActionStatus.AT_RISK,
        )
    for role in (HT, TR, IL):
        page = trust_a.client_for(role).get(url(trust_a, "plan-school", school_uuid=trust_a.schools[0].uuid))
        text = page.content.decode()
        assert "At risk" in text and "Overdue by 5 days" in text
    assert (
        "Agree this plan"
        in trust_a.client_for(IL).get(url(trust_a, "plan-school", school_uuid=trust_a.schools[0].uuid)).content.decode()
    )


def test_headteacher_of_another_school_gets_404(trust_a):
    plan, priority, action = plan_with_action(trust_a, school=1)
    client = trust_a.client_for(HT)
    assert client.get(url(trust_a, "plan-school", school_uuid=trust_a.schools[1].uuid)).status_code == 404
    assert client.post(url(trust_a, "plan-priority-add", plan_uuid=plan.uuid), {"title": "x"}).status_code == 404
    assert client.get(url(trust_a, "plan-action-edit", action_uuid=action.uuid)).status_code == 404
    assert client.post(url(trust_a, "plan-start", school_uuid=trust_a.schools[1].uuid)).status_code == 404


def test_governor_reads_their_schools_plan_but_cannot_write(trust_a):
    plan, priority, action = plan_with_action(trust_a, school=1, year=academic_year_for(timezone.localdate()))
    client = trust_a.client_for(GV)
    page = client.get(url(trust_a, "plan-school", school_uuid=trust_a.schools[1].uuid))
    assert page.status_code == 200 and b"Coach Year 5" in page.content and b"Add a priority" not in page.content
    assert client.post(url(trust_a, "plan-priority-add", plan_uuid=plan.uuid), {"title": "x"}).status_code == 403
    assert client.post(url(trust_a, "plan-action-edit", action_uuid=action.uuid), {}).status_code == 403
    assert client.post(url(trust_a, "plan-update-add", plan_uuid=plan.uuid), {"body": "x"}).status_code == 403
    assert client.post(url(trust_a, "plan-agree", plan_uuid=plan.uuid)).status_code == 403


def test_another_trusts_people_get_404(trust_a, trust_b):
    plan, _, _ = plan_with_action(trust_a)
    for role in (E, HT):
        client = trust_b.client_for(role)
        assert client.get(url(trust_a, "plan-school", school_uuid=trust_a.schools[0].uuid)).status_code == 404
        assert client.post(url(trust_a, "plan-agree", plan_uuid=plan.uuid)).status_code == 404
    # Trust B's executive asking in their own trust for trust A's plan: not there either.
    client = trust_b.client_for(E)
    assert client.post(url(trust_b, "plan-agree", plan_uuid=plan.uuid)).status_code == 404


def test_headteacher_edits_an_action_and_the_improvement_lead_agrees_and_comments(trust_a):
    plan, _, action = plan_with_action(trust_a)
    with scopes_disabled():
        plan.academic_year = academic_year_for(timezone.localdate())
        plan.save()
    head = trust_a.client_for(HT)
    due = timezone.localdate() + datetime.timedelta(days=20)
    response = head.post(
        url(trust_a, "plan-action-edit", action_uuid=action.uuid),
        {"description": "Coach Year 5", "owner": "English lead", "due_on": due.isoformat(), "status": "complete"},
    )
    assert response.status_code == 302
    head.post(url(trust_a, "plan-update-add", plan_uuid=plan.uuid), {"term": "Spring", "body": "Coaching done."})
    lead = trust_a.client_for(IL)
    assert lead.post(url(trust_a, "plan-agree", plan_uuid=plan.uuid)).status_code == 302
    lead.post(url(trust_a, "plan-comment-add", plan_uuid=plan.uuid), {"term": "Spring", "body": "Well done."})
    with scopes_disabled():
        action.refresh_from_db()
        plan.refresh_from_db()
        assert (action.status, action.completed_on, action.due_on) == ("complete", timezone.localdate(), due)
        assert plan.status == PlanStatus.AGREED
        assert list(PlanUpdate.objects.values_list("is_trust_comment", "term")) == [(True, "Spring"), (False, "Spring")]


def test_empty_action_form_shows_errors(trust_a):
    _, priority, _ = plan_with_action(trust_a)
    response = trust_a.client_for(HT).post(url(trust_a, "plan-action-add", priority_uuid=priority.uuid), {})
    assert response.status_code == 200
    assert b"Please correct the highlighted fields" in response.content
    assert b'type="date"' in response.content


def test_plan_health_page_and_export(trust_a):
    plan_with_action(trust_a, due_on=timezone.localdate() - datetime.timedelta(days=2))
    with scopes_disabled():
        ImprovementPlan.objects.update(academic_year=academic_year_for(timezone.localdate()))
    client = trust_a.client_for(TR)
    page = client.get(url(trust_a, "plan-health"))
    assert b"Overdue by 2 days" in page.content and b"<caption>" in page.content
    csv = b"".join(client.get(url(trust_a, "plan-health") + "?format=csv").streaming_content).decode("utf-8-sig")
    assert csv.splitlines()[0].startswith("School,URN,Priority,Action")
    assert "Coach Year 5" in csv and "Overdue by 2 days" in csv
    xlsx = client.get(url(trust_a, "plan-health") + "?format=xlsx")
    assert xlsx["Content-Disposition"].endswith('.xlsx"')
    assert trust_a.client_for(HT).get(url(trust_a, "plan-health")).status_code == 403


def test_earlier_years_are_readable_on_the_page(trust_a):
    plan, _, _ = plan_with_action(trust_a)
    with scopes_disabled():
        plan.academic_year = academic_year_for(timezone.localdate()) - 1
        plan.save()
    page = trust_a.client_for(HT).get(
        url(trust_a, "plan-school", school_uuid=trust_a.schools[0].uuid) + f"?year={plan.academic_year}"
    )
    assert b"Coach Year 5" in page.content and b"read-only" in page.content and b"Add a priority" not in page.content


# Demo


def test_demo_plans_cover_every_state_and_rerun_without_changes(trust_a):
    with scopes_disabled():
        extra = [SchoolFactory(trust=trust_a.trust) for _ in range(2)]
    schools = [*trust_a.schools, *extra]
    made = seed_plans(trust=trust_a.trust, schools=schools, people=trust_a.people, today=TODAY)
    assert made["plans"] == 4 and made["updates"] >= 5
    with scopes_disabled():
        stamps = list(PlanAction.objects.order_by("pk").values_list("updated_at", flat=True))
        assert set(PlanAction.objects.values_list("status", flat=True)) == set(ActionStatus.values)
        assert ImprovementPlan.objects.filter(status=PlanStatus.AGREED).count() == 3
    assert seed_plans(trust=trust_a.trust, schools=schools, people=trust_a.people, today=TODAY) == dict.fromkeys(
        made, 0
    )
    with scopes_disabled():
        assert list(PlanAction.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    with scope(trust=trust_a.trust.pk):
        rows = trust_plan_health(trust_a.trust, TODAY)
        assert any("Overdue" in r for row in rows for r in row.reasons)
        assert any(row.action.status == ActionStatus.OFF_TRACK for row in rows)
        assert plan_for(schools[0], YEAR).updates.count() == 2

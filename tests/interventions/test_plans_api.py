"""Improvement plan API: read, start, priorities, actions, updates, comments, agreement and plan health."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from core.academic import academic_year_for
from interventions.models import ActionStatus, ImprovementPlan, PlanStatus
from reviews.services.reviews import review_record
from tests.interventions.test_plans import plan_with_action

pytestmark = pytest.mark.django_db

HT, GV, E, IL, TR, SP = "headteacher", "governor", "executive", "improvement_lead", "trustee", "specialist"


def year() -> int:
    return academic_year_for(timezone.localdate())


def api(world, name, **kwargs):
    return reverse(name, kwargs={"trust_slug": world.trust.slug, **kwargs})


def call(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def test_a_school_without_a_plan_reads_as_none(trust_a):
    response = trust_a.client_for(HT).get(api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid))
    assert response.status_code == 200
    assert response.json()["status"] == "none" and response.json()["priorities"] == []


def test_headteacher_starts_from_the_review_once(trust_a):
    with scopes_disabled():
        review_record(
            school=trust_a.schools[0],
            actor=trust_a.people[E],
            review_type="annual_review",
            reviewed_on=datetime.date(2025, 10, 1),
            areas_for_development="Writing lags behind reading.\nPersistent absence is high.",
        )
    client = trust_a.client_for(HT)
    url = api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid)
    first = call(client, "post", url, {"from_review": True})
    second = call(client, "post", url, {"from_review": True})
    assert (first.status_code, second.status_code) == (201, 200)
    body = first.json()
    assert [p["title"] for p in body["priorities"]] == ["Writing lags behind reading", "Persistent absence is high"]
    assert body["priorities"][0]["source"] == "Review of 1 Oct 2025"
    assert len(body["priorities"][0]["actions"]) == 1
    with scopes_disabled():
        assert ImprovementPlan.objects.count() == 1


def test_start_from_a_missing_checklist_is_a_clear_400(trust_a):
    url = api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid)
    response = call(trust_a.client_for(HT), "post", url, {"from_checklist": True})
    assert response.status_code == 400
    assert "checklist" in response.json()["message"]


def test_headteacher_adds_and_changes_priorities_and_actions(trust_a):
    plan, priority, action = plan_with_action(trust_a, year=year())
    client = trust_a.client_for(HT)
    added = call(client, "post", api(trust_a, "api-plan-priority-list", plan_uuid=plan.uuid), {"title": "Maths"})
    assert added.status_code == 201 and [p["title"] for p in added.json()["priorities"]] == ["Improve writing", "Maths"]
    renamed = call(
        client, "patch", api(trust_a, "api-plan-priority-detail", priority_uuid=priority.uuid), {"title": "Writing"}
    )
    assert renamed.json()["priorities"][0]["title"] == "Writing"
    new_action = call(
        client,
        "post",
        api(trust_a, "api-plan-action-list", priority_uuid=priority.uuid),
        {"description": "Moderate writing", "owner": "Deputy", "due_on": "2026-12-01"},
    )
    assert new_action.status_code == 201
    done = call(
        client, "patch", api(trust_a, "api-plan-action-detail", action_uuid=action.uuid), {"status": "complete"}
    )
    (changed,) = [a for a in done.json()["priorities"][0]["actions"] if a["uuid"] == str(action.uuid)]
    assert (changed["status"], changed["status_label"]) == ("complete", "Complete")
    assert changed["completed_on"] == timezone.localdate().isoformat()
    bad = call(client, "patch", api(trust_a, "api-plan-action-detail", action_uuid=action.uuid), {"status": "done"})
    assert bad.status_code == 400
    unknown_area = call(
        client, "patch", api(trust_a, "api-plan-priority-detail", priority_uuid=priority.uuid), {"area": "nope"}
    )
    assert unknown_area.status_code == 400
    removed = client.delete(api(trust_a, "api-plan-priority-detail", priority_uuid=priority.uuid))
    assert removed.status_code == 204


def test_overdue_actions_are_flagged_in_the_plan(trust_a):
    plan_with_action(trust_a, year=year(), due_on=timezone.localdate() - datetime.timedelta(days=4))
    body = trust_a.client_for(TR).get(api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid)).json()
    action = body["priorities"][0]["actions"][0]
    assert action["is_overdue"] and action["concerns"] == ["Overdue by 4 days"]


def test_updates_comments_and_agreement(trust_a):
    plan, _, _ = plan_with_action(trust_a, year=year())
    head, lead = trust_a.client_for(HT), trust_a.client_for(IL)
    update = call(head, "post", api(trust_a, "api-plan-update-list", plan_uuid=plan.uuid), {"body": "Started."})
    assert update.status_code == 201 and update.json()["updates"][0]["is_trust_comment"] is False
    assert (
        call(lead, "post", api(trust_a, "api-plan-update-list", plan_uuid=plan.uuid), {"body": "x"}).status_code == 403
    )
    comment = call(
        lead, "post", api(trust_a, "api-plan-comment-list", plan_uuid=plan.uuid), {"body": "Good.", "term": "Spring"}
    )
    assert comment.status_code == 201 and comment.json()["updates"][-1]["term"] == "Spring"
    assert call(head, "post", api(trust_a, "api-plan-agree", plan_uuid=plan.uuid)).status_code == 403
    agreed = call(lead, "post", api(trust_a, "api-plan-agree", plan_uuid=plan.uuid))
    assert agreed.status_code == 200 and agreed.json()["status"] == PlanStatus.AGREED
    assert agreed.json()["agreed_by"] == trust_a.people[IL].full_name


def test_a_plan_without_priorities_cannot_be_agreed(trust_a):
    with scopes_disabled():
        plan = ImprovementPlan.objects.create(school=trust_a.schools[0], academic_year=year())
    response = call(trust_a.client_for(E), "post", api(trust_a, "api-plan-agree", plan_uuid=plan.uuid))
    assert response.status_code == 400 and "no priorities" in response.json()["message"]


def test_plan_health_for_the_trust_only(trust_a, trust_b):
    plan_with_action(trust_a, year=year(), status=ActionStatus.OFF_TRACK, due_on=timezone.localdate())
    plan_with_action(trust_b, year=year(), status=ActionStatus.OFF_TRACK, due_on=timezone.localdate())
    rows = trust_a.client_for(TR).get(api(trust_a, "api-plan-health")).json()
    assert [(r["school"]["name"], r["action"]["concerns"]) for r in rows] == [(trust_a.schools[0].name, ["Off track"])]
    for role in (HT, GV, SP):
        assert trust_a.client_for(role).get(api(trust_a, "api-plan-health")).status_code == 403


def test_other_school_and_other_trust_get_404_and_governor_cannot_write(trust_a, trust_b):
    plan, priority, action = plan_with_action(trust_a, year=year())
    other_head = trust_a.client_for(GV)  # governs school 2
    assert other_head.get(api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid)).status_code == 404
    assert call(other_head, "post", api(trust_a, "api-plan-priority-list", plan_uuid=plan.uuid)).status_code == 403
    with scopes_disabled():
        theirs = ImprovementPlan.objects.create(school=trust_a.schools[1], academic_year=year())
    head = trust_a.client_for(HT)
    assert (
        call(head, "post", api(trust_a, "api-plan-priority-list", plan_uuid=theirs.uuid), {"title": "x"}).status_code
        == 404
    )
    for role in (E, HT):
        outsider = trust_b.client_for(role)
        assert outsider.get(api(trust_a, "api-plan-school", school_uuid=trust_a.schools[0].uuid)).status_code == 404
        assert call(outsider, "post", api(trust_a, "api-plan-agree", plan_uuid=plan.uuid)).status_code == 404
    # Trust B's headteacher, in their own trust, cannot reach trust A's action: not there.
    response = call(trust_b.client_for(HT), "patch", api(trust_b, "api-plan-action-detail", action_uuid=action.uuid))
    assert response.status_code == 404

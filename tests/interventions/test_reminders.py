"""Reminder emails: the Monday digest and the headteacher's notice two days before a visit, each sent once."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django_scopes import scope

from interventions.demo_visits import seed_visits
from interventions.models import Activity, ActivityStatus, ActivityType, ReminderSent
from interventions.tasks import send_visit_reminders, send_weekly_digests
from reviews.models import Rating
from trust.models import Role
from trust.scales.services import scale_create_from_template

MONDAY = datetime.date(2026, 11, 23)


def _activity(world, *, title, on, school=None, owner=None, status=ActivityStatus.PLANNED) -> Activity:
    with scope(trust=world.trust.pk):
        activity = Activity(
            trust=world.trust,
            school=school,
            owner=owner,
            title=title,
            activity_type=ActivityType.MONITORING_VISIT if school else ActivityType.MODERATION,
            planned_on=on,
            status=status,
        )
        activity.full_clean()
        activity.save()
        return activity


@pytest.fixture
def visits(trust_a, trust_b):
    il, sp = trust_a.people[Role.IMPROVEMENT_LEAD], trust_a.people[Role.SPECIALIST]
    s1, s2 = trust_a.schools
    day = datetime.timedelta
    _activity(trust_a, title="Wednesday monitoring visit", on=MONDAY + day(2), school=s1, owner=il)
    _activity(trust_a, title="Friday evaluation meeting", on=MONDAY + day(4), school=s2, owner=il)
    _activity(trust_a, title="Next week's visit", on=MONDAY + day(8), school=s1, owner=il)
    _activity(trust_a, title="Forgotten October visit", on=MONDAY - day(30), school=s2, owner=il)
    _activity(trust_a, title="Recorded October visit", on=MONDAY - day(20), school=s1, owner=il, status="done")
    _activity(trust_a, title="Missed October visit", on=MONDAY - day(10), school=s1, owner=il, status="missed")
    _activity(trust_a, title="Specialist's Thursday visit", on=MONDAY + day(3), school=s1, owner=sp)
    _activity(
        trust_b, title="Birch visit", on=MONDAY + day(2), school=trust_b.schools[0], owner=trust_b.people["executive"]
    )


def test_weekly_digest_lists_the_weeks_visits_and_overdue_records(trust_a, visits):
    sent = send_weekly_digests.delay(trust_id=trust_a.trust.pk, today=MONDAY.isoformat()).get()
    assert sent == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {trust_a.people[Role.IMPROVEMENT_LEAD].email, trust_a.people[Role.SPECIALIST].email}
    body = by_recipient[trust_a.people[Role.IMPROVEMENT_LEAD].email].body
    assert "Wednesday monitoring visit" in body and "Friday evaluation meeting" in body
    assert "Next week's visit" not in body
    overdue = body.split("Overdue")[1]
    assert "Forgotten October visit" in overdue
    assert "Recorded October visit" not in body and "Missed October visit" not in body
    assert "Birch" not in body
    specialist_body = by_recipient[trust_a.people[Role.SPECIALIST].email].body
    assert "Specialist's Thursday visit" in specialist_body and "Overdue" not in specialist_body


def test_weekly_digest_is_sent_once_when_the_job_runs_twice(trust_a, visits):
    send_weekly_digests.delay(trust_id=trust_a.trust.pk, today=MONDAY.isoformat())
    again = send_weekly_digests.delay(trust_id=trust_a.trust.pk, today=MONDAY.isoformat()).get()
    assert again == 0 and len(mail.outbox) == 2
    with scope(trust=trust_a.trust.pk):
        assert ReminderSent.objects.filter(key__startswith="weekly:").count() == 2


def test_weekly_digest_only_goes_out_on_mondays(trust_a, visits):
    tuesday = MONDAY + datetime.timedelta(days=1)
    assert send_weekly_digests.delay(trust_id=trust_a.trust.pk, today=tuesday.isoformat()).get() == 0
    assert mail.outbox == []


def test_headteacher_is_reminded_two_days_before_a_visit(trust_a, visits):
    # Monday: the Wednesday visit to school 1 is two days away; Thursday's is three.
    sent = send_visit_reminders.delay(trust_id=trust_a.trust.pk, today=MONDAY.isoformat()).get()
    assert sent == 1
    (email,) = mail.outbox
    assert email.to == [trust_a.people[Role.HEADTEACHER].email]
    assert "Wednesday monitoring visit" in email.subject and "Alder Trust School 1" in email.body


def test_visit_reminder_is_sent_once_when_the_job_runs_twice(trust_a, visits):
    for _ in range(2):
        send_visit_reminders.delay(trust_id=trust_a.trust.pk, today=MONDAY.isoformat())
    assert len(mail.outbox) == 1
    # Next day the Thursday visit comes within two days; Wednesday's was already reminded.
    tuesday = MONDAY + datetime.timedelta(days=1)
    for _ in range(2):
        send_visit_reminders.delay(trust_id=trust_a.trust.pk, today=tuesday.isoformat())
    assert [m.subject.split(" at ")[0] for m in mail.outbox] == [
        "Wednesday monitoring visit",
        "Specialist's Thursday visit",
    ]


def test_no_reminder_for_cancelled_visits_or_other_schools(trust_a, visits):
    s1, s2 = trust_a.schools
    _activity(trust_a, title="Cancelled", on=MONDAY + datetime.timedelta(days=15), school=s1, status="cancelled")
    _activity(trust_a, title="School 2 visit", on=MONDAY + datetime.timedelta(days=16), school=s2)
    send_visit_reminders.delay(trust_id=trust_a.trust.pk, today=(MONDAY + datetime.timedelta(days=14)).isoformat())
    assert mail.outbox == []  # school 2 has no headteacher in the fixtures; the cancelled one is skipped


def test_tasks_refuse_to_run_without_a_trust(trust_a):
    with pytest.raises(TypeError):
        send_visit_reminders.delay(today=MONDAY.isoformat())


def test_send_reminders_command_fans_out_per_trust(trust_a, trust_b, visits, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", date=MONDAY.isoformat())
    recipients = {m.to[0] for m in mail.outbox}
    assert trust_a.people[Role.HEADTEACHER].email in recipients
    assert trust_a.people[Role.IMPROVEMENT_LEAD].email in recipients
    assert trust_b.people["executive"].email in recipients  # Birch's own digest, in its own scope
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", date=MONDAY.isoformat())
    assert len(mail.outbox) == len(recipients)


def test_seed_visits_is_idempotent_and_follows_each_schools_level(trust_a):
    executive = trust_a.people[Role.EXECUTIVE]
    with scope(trust=trust_a.trust.pk):
        scale = scale_create_from_template(trust=trust_a.trust, actor=executive, template_key="rag")
        levels = {level.name: level for level in scale.levels.all()}
        for school, name in zip(trust_a.schools, ("Red", "Green"), strict=True):
            level = levels[name]
            Rating.objects.create(
                school=school,
                level=level,
                level_name=level.name,
                level_position=level.position,
                effective_on=datetime.date(2026, 9, 1),
                decided_by=executive,
                rationale="Demo",
            )
    people = dict(trust_a.people)
    first = seed_visits(trust=trust_a.trust, schools=trust_a.schools, people=people, today=MONDAY)
    second = seed_visits(trust=trust_a.trust, schools=trust_a.schools, people=people, today=MONDAY)
    assert first["written"] > 0
    assert second == {"activities": first["activities"], "written": 0}
    red, green = trust_a.schools
    with scope(trust=trust_a.trust.pk):
        activities = Activity.objects.filter(trust=trust_a.trust)
        visits = activities.filter(source="level")
        assert set(visits.values_list("status", flat=True)) == {"planned", "done", "cancelled", "missed"}
        assert visits.filter(status="cancelled").exclude(cancelled_reason="").count() == 1
        assert visits.filter(status="done", notes_shared_with_school=True).exists()
        # One visit left unrecorded in the past: the overdue record the Monday digest flags.
        assert visits.filter(status="planned", planned_on__lt=MONDAY).count() == 1
        assert not visits.filter(status__in=["done", "missed", "cancelled"], planned_on__gte=MONDAY).exists()
        # Weekly monitoring all year for the red school only; termly health checks for both.
        assert visits.filter(school=red, activity_type=ActivityType.WEEKLY_MONITORING).count() > 30
        assert not visits.filter(school=green, activity_type=ActivityType.WEEKLY_MONITORING).exists()
        for school in (red, green):
            assert visits.filter(school=school, activity_type=ActivityType.HEALTH_CHECK).count() == 3
        assert activities.filter(school__isnull=True, source="trust_event").exists()

"""Reminder emails about visits: a Monday digest for owners, and a headteacher's notice before a visit.

Each email is recorded in ReminderSent under a key that names it exactly, inserted in the same
transaction as the send: a job that runs twice (or two workers at once) sends it once.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from interventions.models import Activity, ActivityStatus, ReminderSent
from trust.models import Membership, Role, Trust, User

REMINDER_DAYS_BEFORE_VISIT = 2


def _send_once(*, trust: Trust, recipient: User, key: str, subject: str, body: str) -> bool:
    """Send unless an email with this key was already sent; True when sent now."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(trust=trust, recipient=recipient, key=key)
            # A failed send rolls the record back, so the next run tries again.
            send_mail(subject, body, None, [recipient.email])
    except IntegrityError:
        return False
    return True


def _calendar_link(trust: Trust) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("trust-home", kwargs={"trust_slug": trust.slug})


def weekly_digests_send(*, trust: Trust, today: datetime.date) -> int:
    """On a Monday, email each owner the week's visits and their overdue ones; returns emails sent."""
    if today.weekday() != 0:
        return 0
    week_end = today + datetime.timedelta(days=6)
    member_ids = set(Membership.objects.filter(trust=trust, user__is_active=True).values_list("user_id", flat=True))
    activities = (
        Activity.objects.filter(trust=trust, owner__isnull=False, owner_id__in=member_ids)
        .exclude(status__in=[ActivityStatus.CANCELLED])
        .filter(planned_on__lte=week_end)
        .select_related("school", "owner")
        .order_by("planned_on", "id")
    )
    this_week: dict[User, list[Activity]] = defaultdict(list)
    overdue: dict[User, list[Activity]] = defaultdict(list)
    for activity in activities:
        assert activity.owner is not None
        if activity.planned_on >= today:
            this_week[activity.owner].append(activity)
        elif activity.status == ActivityStatus.PLANNED:
            # Planned, past its date and not recorded as done or missed.
            overdue[activity.owner].append(activity)

    year, week, _ = today.isocalendar()
    sent = 0
    for owner in sorted(this_week.keys() | overdue.keys(), key=lambda u: u.email):
        body = render_to_string(
            "emails/weekly_visits.txt",
            {
                "owner": owner,
                "trust": trust,
                "week_start": today,
                "week_end": week_end,
                "this_week": this_week.get(owner, []),
                "overdue": overdue.get(owner, []),
                "link": _calendar_link(trust),
            },
        )
        subject = f"Your visits for the week of {today.day} {today:%B} – {trust.name}"
        key = f"weekly:{trust.pk}:{year}-W{week:02d}:{owner.uuid}"
        sent += _send_once(trust=trust, recipient=owner, key=key, subject=subject, body=body)
    return sent


def visit_reminders_send(*, trust: Trust, today: datetime.date, days_before: int = REMINDER_DAYS_BEFORE_VISIT) -> int:
    """Remind each headteacher of a planned visit to their school coming within `days_before` days."""
    # A window rather than one day, so a day the job did not run is caught up; the key keeps it to one email.
    visits = list(
        Activity.objects.filter(
            trust=trust,
            school__isnull=False,
            status=ActivityStatus.PLANNED,
            planned_on__gt=today,
            planned_on__lte=today + datetime.timedelta(days=days_before),
        )
        .select_related("school", "owner")
        .order_by("planned_on", "id")
    )
    if not visits:
        return 0
    heads: dict[int, list[User]] = defaultdict(list)
    for membership in Membership.objects.filter(
        trust=trust, role=Role.HEADTEACHER, school__in={v.school_id for v in visits}, user__is_active=True
    ).select_related("user"):
        assert membership.school_id is not None
        heads[membership.school_id].append(membership.user)

    sent = 0
    for visit in visits:
        assert visit.school is not None
        for head in heads.get(visit.school.pk, []):
            body = render_to_string(
                "emails/visit_reminder.txt",
                {"head": head, "visit": visit, "trust": trust, "link": _calendar_link(trust)},
            )
            on = f"{visit.planned_on:%A} {visit.planned_on.day} {visit.planned_on:%B}"
            subject = f"{visit.title} at {visit.school.name} on {on}"
            key = f"before-visit:{visit.uuid}:{visit.planned_on.isoformat()}:{head.uuid}"
            sent += _send_once(trust=trust, recipient=head, key=key, subject=subject, body=body)
    return sent

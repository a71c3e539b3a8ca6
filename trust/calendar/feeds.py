"""Private iCalendar feeds: one live feed per person and trust, found by its secret token.

The raw token is shown once (like an API key) and only its hash is stored. The feed holds
what the person's role lets them see: their own visits, their school's, and trust-wide events.
"""

import datetime

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled
from icalendar import Calendar, Event

from core.audit import audit_record
from interventions.models import Activity, ActivityStatus
from trust.models import CalendarFeed, Membership, Role, Trust, User
from trust.tokens import hash_secret, new_secret

TRUST_LEADS = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD})
OWN_ITEMS_ROLES = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD, Role.SPECIALIST})
SCHOOL_ROLES = frozenset({Role.HEADTEACHER, Role.GOVERNOR})


# Services ---------------------------------------------------------------------------------


def calendar_feed_create(*, user: User, trust: Trust) -> tuple[CalendarFeed, str]:
    """A new feed for the person in the trust, revoking any live one ("regenerate"); the raw token is returned once."""
    raw = new_secret()
    feed = CalendarFeed(user=user, trust=trust, token_hash=hash_secret(raw))
    feed.full_clean(exclude=["token_hash"])
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, trust=trust, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), updated_at=timezone.now()
        )
        feed.save()
        audit_record(trust=trust, actor=user, action="calendar_feed.created", obj=feed)
    return feed, raw


def calendar_feed_revoke(*, user: User, trust: Trust) -> int:
    """Turn off the person's live feed in the trust; returns how many feeds were revoked (0 or 1)."""
    now = timezone.now()
    with transaction.atomic():
        live = list(CalendarFeed.objects.select_for_update().filter(user=user, trust=trust, revoked_at__isnull=True))
        revoked = CalendarFeed.objects.filter(pk__in=[feed.pk for feed in live]).update(revoked_at=now, updated_at=now)
        for feed in live:
            audit_record(
                trust=trust, actor=user, action="calendar_feed.revoked", obj=feed, changes={"revoked_at": [None, now]}
            )
    return revoked


# Selectors --------------------------------------------------------------------------------


def live_feed_of(*, user: User, trust: Trust) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, trust=trust, revoked_at__isnull=True).first()


def feed_by_token(raw_token: str) -> CalendarFeed | None:
    """The live feed a token names, or None; open the feed's trust scope before reading its items."""
    if not raw_token:
        return None
    # The token is the credential of a public URL: no trust is known before it is read.
    with scopes_disabled():
        return (
            CalendarFeed.objects.select_related("user", "trust")
            .filter(token_hash=hash_secret(raw_token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )


def feed_activities(membership: Membership) -> QuerySet[Activity]:
    """The activities a member's feed holds; call inside the member's trust scope."""
    trust_wide = Q(school__isnull=True)
    if membership.role in OWN_ITEMS_ROLES:
        mine = Q(owner=membership.user) | trust_wide
    elif membership.role in SCHOOL_ROLES:
        mine = Q(school=membership.school_id) | trust_wide
    else:  # trustees
        mine = trust_wide
    return (
        Activity.objects.filter(trust=membership.trust_id)
        .filter(mine)
        .select_related("school", "owner")
        .order_by("planned_on", "id")
    )


def may_see_notes(membership: Membership, activity: Activity) -> bool:
    """Trust leads and the owner read the notes; a school reads only what is shared with it."""
    if membership.role in TRUST_LEADS or activity.owner_id == membership.user_id:
        return True
    return (
        membership.role in SCHOOL_ROLES
        and activity.notes_shared_with_school
        and (activity.school_id is None or activity.school_id == membership.school_id)
    )


def feed_ical(membership: Membership, *, now: datetime.datetime | None = None) -> bytes:
    """The member's calendar as RFC 5545 text."""
    stamp = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Trustwide//Calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Trustwide: {membership.trust.name}")
    for activity in feed_activities(membership):
        cal.add_component(_event(activity, membership, stamp))
    return cal.to_ical()


def _event(activity: Activity, membership: Membership, stamp: datetime.datetime) -> Event:
    event = Event()
    event.add("uid", f"{activity.uuid}@trustwide")
    event.add("dtstamp", stamp)
    # Dates become DTSTART;VALUE=DATE: an all-day event, ending the next day (exclusive).
    event.add("dtstart", activity.planned_on)
    event.add("dtend", activity.planned_on + datetime.timedelta(days=1))
    where = activity.school.name if activity.school else "Trust-wide"
    event.add("summary", f"{activity.title} – {where}")
    if activity.school:
        event.add("location", activity.school.name)
    lines = [f"Status: {activity.get_status_display()}", f"Type: {activity.get_activity_type_display()}"]
    if activity.owner:
        lines.append(f"Owner: {activity.owner}")
    if activity.status == ActivityStatus.CANCELLED and activity.cancelled_reason:
        lines.append(f"Cancelled: {activity.cancelled_reason}")
    if activity.notes and may_see_notes(membership, activity):
        lines += ["", activity.notes]
    event.add("description", "\n".join(lines))
    event.add("last-modified", activity.updated_at)
    event.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    return event

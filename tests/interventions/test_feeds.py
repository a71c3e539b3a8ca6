"""Private iCalendar feeds: a real parse of what calendar apps receive, per role and across trusts."""

import datetime

import pytest
from django.test import Client
from django.urls import include, path, reverse
from django_scopes import scope, scopes_disabled
from icalendar import Calendar

import config.urls
from interventions.models import Activity, ActivityStatus, ActivityType
from tests.factories import MembershipFactory
from trust.calendar.feeds import calendar_feed_create, calendar_feed_revoke
from trust.models import CalendarFeed, Membership, Role

# The settings page lives in trust/calendar/feed_pages.py; mount it here whether or not
# config/urls.py includes it yet, so these tests run against the real views either way.
urlpatterns = [*config.urls.urlpatterns, path("t/<slug:trust_slug>/", include("trust.calendar.feed_pages"))]
pytestmark = pytest.mark.urls(__name__)

DAY = datetime.date(2026, 11, 25)


def _activity(world, *, school=None, owner=None, title="Visit", days=0, **fields) -> Activity:
    with scope(trust=world.trust.pk):
        activity = Activity(
            trust=world.trust,
            school=school,
            owner=owner,
            title=title,
            activity_type=fields.pop("activity_type", ActivityType.HEALTH_CHECK if school else ActivityType.MODERATION),
            planned_on=DAY + datetime.timedelta(days=days),
            **fields,
        )
        activity.full_clean()
        activity.save()
        return activity


def _feed_url(world, role: str) -> str:
    with scope(trust=world.trust.pk):
        _, raw = calendar_feed_create(user=world.people[role], trust=world.trust)
    return reverse("calendar-feed-ics", kwargs={"feed_token": raw})


def _events(response) -> list:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    return list(cal.walk("VEVENT"))


@pytest.fixture
def calendar(trust_a, trust_b):
    """Trust A: visits owned by the lead to both schools, a specialist's, a trust-wide event; trust B's own."""
    a, b = trust_a, trust_b
    il, sp = a.people[Role.IMPROVEMENT_LEAD], a.people[Role.SPECIALIST]
    return {
        "il_school1": _activity(
            a, school=a.schools[0], owner=il, title="Autumn health check", notes="Phonics weak in Y1."
        ),
        "il_school2": _activity(
            a,
            school=a.schools[1],
            owner=il,
            title="Evaluation meeting",
            days=7,
            notes="Shared with the school.",
            notes_shared_with_school=True,
        ),
        "sp_school1": _activity(
            a,
            school=a.schools[0],
            owner=sp,
            title="Maths support visit",
            days=3,
            status=ActivityStatus.CANCELLED,
            cancelled_reason="Snow day",
        ),
        "event": _activity(a, title="Moderation", days=14),
        "other_trust": _activity(b, school=b.schools[0], owner=b.people[Role.IMPROVEMENT_LEAD], title="Birch visit"),
        "other_trust_event": _activity(b, title="Birch moderation", days=1),
    }


def test_feed_is_valid_icalendar_with_the_persons_items(client, trust_a, calendar):
    response = client.get(_feed_url(trust_a, Role.IMPROVEMENT_LEAD))
    cal = Calendar.from_ical(response.content)
    assert cal["PRODID"] and str(cal["VERSION"]) == "2.0"
    assert "Alder Trust" in str(cal["X-WR-CALNAME"])
    events = _events(response)
    assert {str(e["SUMMARY"]) for e in events} == {
        "Autumn health check – Alder Trust School 1",
        "Evaluation meeting – Alder Trust School 2",
        "Moderation – Trust-wide",
    }
    first = next(e for e in events if "Autumn" in str(e["SUMMARY"]))
    assert first.decoded("DTSTART") == DAY and first["DTSTART"].params.get("VALUE") == "DATE"
    assert first.get("DTSTAMP") is not None and first.get("LAST-MODIFIED") is not None
    assert str(first["UID"]) == f"{calendar['il_school1'].uuid}@trustwide"
    assert "Status: Planned" in str(first["DESCRIPTION"]) and "Phonics weak" in str(first["DESCRIPTION"])
    assert b"\r\n" in response.content  # RFC 5545 line endings


def test_uids_are_stable_across_fetches(client, trust_a, calendar):
    url = _feed_url(trust_a, Role.IMPROVEMENT_LEAD)
    first = sorted(str(e["UID"]) for e in _events(client.get(url)))
    second = sorted(str(e["UID"]) for e in _events(client.get(url)))
    assert first == second and len(first) == 3


def test_headteacher_feed_holds_only_their_schools_visits_and_trust_events(client, trust_a, calendar):
    events = _events(client.get(_feed_url(trust_a, Role.HEADTEACHER)))
    uids = {str(e["UID"]) for e in events}
    assert uids == {f"{calendar[k].uuid}@trustwide" for k in ("il_school1", "sp_school1", "event")}
    # The lead's notes on this visit are not shared with the school.
    visit = next(e for e in events if "Autumn" in str(e["SUMMARY"]))
    assert "Phonics" not in str(visit["DESCRIPTION"])


def test_cancelled_visit_is_marked_cancelled(client, trust_a, calendar):
    events = _events(client.get(_feed_url(trust_a, Role.SPECIALIST)))
    assert len(events) == 2  # the specialist's own visit and the trust-wide event
    visit = next(e for e in events if "Maths" in str(e["SUMMARY"]))
    assert str(visit["STATUS"]) == "CANCELLED" and "Snow day" in str(visit["DESCRIPTION"])


def test_governor_sees_shared_notes_of_their_school_only(client, trust_a, calendar):
    events = _events(client.get(_feed_url(trust_a, Role.GOVERNOR)))
    assert {str(e["UID"]) for e in events} == {f"{calendar[k].uuid}@trustwide" for k in ("il_school2", "event")}
    visit = next(e for e in events if "Evaluation" in str(e["SUMMARY"]))
    assert "Shared with the school." in str(visit["DESCRIPTION"])


def test_trustee_feed_holds_trust_wide_events_only(client, trust_a, calendar):
    events = _events(client.get(_feed_url(trust_a, Role.TRUSTEE)))
    assert [str(e["UID"]) for e in events] == [f"{calendar['event'].uuid}@trustwide"]


def test_other_trusts_activities_never_appear(client, trust_a, trust_b, calendar):
    # The specialist also works for trust B and owns a visit there.
    specialist = trust_a.people[Role.SPECIALIST]
    with scopes_disabled():
        MembershipFactory(user=specialist, trust=trust_b.trust, role=Role.SPECIALIST)
    birch = _activity(trust_b, school=trust_b.schools[0], owner=specialist, title="Birch specialist visit")
    body = client.get(_feed_url(trust_a, Role.SPECIALIST)).content.decode()
    assert "Birch" not in body and str(birch.uuid) not in body
    # And trust B's feed of the same person holds trust B's items only.
    with scope(trust=trust_b.trust.pk):
        _, raw = calendar_feed_create(user=specialist, trust=trust_b.trust)
    birch_events = _events(client.get(reverse("calendar-feed-ics", kwargs={"feed_token": raw})))
    assert {str(e["UID"]) for e in birch_events} == {
        f"{birch.uuid}@trustwide",
        f"{calendar['other_trust_event'].uuid}@trustwide",
    }


def test_unknown_token_is_404(client, trust_a, calendar):
    assert client.get(reverse("calendar-feed-ics", kwargs={"feed_token": "not-a-token"})).status_code == 404


def test_revoked_token_is_404(client, trust_a, calendar):
    url = _feed_url(trust_a, Role.HEADTEACHER)
    assert client.get(url).status_code == 200
    with scope(trust=trust_a.trust.pk):
        assert calendar_feed_revoke(user=trust_a.people[Role.HEADTEACHER], trust=trust_a.trust) == 1
    assert client.get(url).status_code == 404


def test_regenerate_makes_the_old_url_404(client, trust_a, calendar):
    old = _feed_url(trust_a, Role.HEADTEACHER)
    new = _feed_url(trust_a, Role.HEADTEACHER)
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    with scopes_disabled():
        assert CalendarFeed.objects.filter(user=trust_a.people[Role.HEADTEACHER], revoked_at__isnull=True).count() == 1


def test_removed_member_feed_is_404(client, trust_a, calendar):
    url = _feed_url(trust_a, Role.SPECIALIST)
    with scopes_disabled():
        Membership.objects.filter(user=trust_a.people[Role.SPECIALIST], trust=trust_a.trust).delete()
    assert client.get(url).status_code == 404


def test_inactive_user_feed_is_404(client, trust_a, calendar):
    url = _feed_url(trust_a, Role.SPECIALIST)
    user = trust_a.people[Role.SPECIALIST]
    user.is_active = False
    user.save()
    assert client.get(url).status_code == 404


def test_feed_query_count_does_not_grow_with_activities(client, trust_a, calendar, django_assert_max_num_queries):
    url = _feed_url(trust_a, Role.IMPROVEMENT_LEAD)
    for n in range(20):
        _activity(trust_a, school=trust_a.schools[n % 2], owner=trust_a.people[Role.IMPROVEMENT_LEAD], days=n)
    with django_assert_max_num_queries(4):
        assert len(_events(Client().get(url))) == 23


def test_settings_page_creates_shows_once_and_revokes(trust_a, calendar):
    client = trust_a.client_for(Role.HEADTEACHER)
    slug = trust_a.trust.slug
    page = client.get(reverse("calendar-feed", kwargs={"trust_slug": slug}))
    assert page.status_code == 200 and "You have no calendar feed" in page.content.decode()

    created = client.post(reverse("calendar-feed-regenerate", kwargs={"trust_slug": slug}))
    assert created.status_code == 200
    feed_url = created.context["new_url"]
    assert feed_url.endswith(".ics") and created.context["webcal_url"].startswith("webcal://")
    path = "/" + feed_url.split("://", 1)[1].split("/", 1)[1]
    # No sign-in needed: calendar apps fetch the URL anonymously.
    assert len(_events(Client().get(path))) == 3
    # The address is not shown again.
    again = client.get(reverse("calendar-feed", kwargs={"trust_slug": slug})).content.decode()
    assert feed_url not in again and "You have a feed" in again

    revoked = client.post(reverse("calendar-feed-revoke", kwargs={"trust_slug": slug}))
    assert revoked.status_code == 302
    assert Client().get(path).status_code == 404


def test_settings_page_is_404_for_another_trusts_people(trust_a, trust_b):
    client = trust_b.client_for(Role.EXECUTIVE)
    assert client.get(reverse("calendar-feed", kwargs={"trust_slug": trust_a.trust.slug})).status_code == 404
    assert (
        client.post(reverse("calendar-feed-regenerate", kwargs={"trust_slug": trust_a.trust.slug})).status_code == 404
    )

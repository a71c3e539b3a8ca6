"""Visits and the calendar: services, selectors and pages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from interventions.models import Activity, ActivitySource, ActivityStatus
from interventions.selectors.visits import (
    activities_visible_to,
    clashes_for,
    month_grid,
    my_visits,
    planned_vs_done,
)
from interventions.services.visits import (
    TRUST_EVENT_SLOTS,
    trust_events_create,
    visit_add,
    visit_record,
    visit_update,
)
from reviews.models import Evidence
from tests.factories import SchoolFactory
from tests.reviews.test_evidence import PDF

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
BASE = "/t/alder"


def add(world, *, school=0, owner="improvement_lead", on=None, title="Monitoring visit", **extra):
    with scope(trust=world.trust.pk):
        return visit_add(
            trust=world.trust,
            actor=world.people["executive"],
            school=world.schools[school] if school is not None else None,
            activity_type=extra.pop("activity_type", "monitoring_visit"),
            title=title,
            planned_on=on or TODAY - 2 * DAY,
            owner=world.people[owner] if owner else None,
            **extra,
        )


def record(world, activity, role="improvement_lead", **kwargs):
    with scope(trust=world.trust.pk):
        return visit_record(activity=activity, actor=world.people[role], **kwargs)


def test_record_done_cancelled_and_missed(trust_a):
    done = record(trust_a, add(trust_a), status="done", notes="Good progress in phonics.")
    assert done.status == ActivityStatus.DONE and done.recorded_by == trust_a.people["improvement_lead"]
    cancelled = record(trust_a, add(trust_a), status="cancelled", cancelled_reason="School closed: snow.")
    assert cancelled.status == ActivityStatus.CANCELLED and cancelled.cancelled_reason == "School closed: snow."
    missed = record(trust_a, add(trust_a), status="missed")
    assert missed.status == ActivityStatus.MISSED


def test_cancelling_needs_a_reason(trust_a):
    with pytest.raises(ApplicationError, match="why the visit was cancelled"):
        record(trust_a, add(trust_a), status="cancelled", cancelled_reason="  ")


def test_a_future_visit_cannot_be_recorded_as_done(trust_a):
    future = add(trust_a, on=TODAY + 3 * DAY)
    with pytest.raises(ApplicationError, match="cannot be recorded as done yet"):
        record(trust_a, future, status="done")
    # Cancelling ahead of time is allowed.
    assert record(trust_a, future, status="cancelled", cancelled_reason="Clash").status == "cancelled"


def test_only_the_owner_or_a_lead_records(trust_a):
    visit = add(trust_a, owner="improvement_lead")
    with pytest.raises(ApplicationError, match="owner"):
        record(trust_a, visit, role="specialist", status="done")
    own = add(trust_a, owner="specialist")
    assert record(trust_a, own, role="specialist", status="done").status == "done"
    assert record(trust_a, add(trust_a, owner="specialist"), role="executive", status="missed").status == "missed"


def test_evidence_lands_in_the_schools_evidence_linked_to_the_visit(trust_a):
    visit = add(trust_a)
    upload = SimpleUploadedFile("walk.pdf", PDF, content_type="application/pdf")
    record(
        trust_a,
        visit,
        status="done",
        evidence={
            "evidence_type": "learning_walk",
            "summary": "Learning walk in KS2.",
            "strengths": "Clear routines.",
            "areas_for_development": "Challenge for the most able.",
            "shared_with_school": True,
            "upload": upload,
        },
    )
    with scopes_disabled():
        evidence = Evidence.objects.get()
        assert evidence.school == trust_a.schools[0]
        assert evidence.observed_on == visit.planned_on
        assert evidence.author == trust_a.people["improvement_lead"]
        assert list(visit.evidence.all()) == [evidence]
        assert evidence.file_name == "walk.pdf"


def test_evidence_needs_a_visit_that_was_done(trust_a):
    with pytest.raises(ApplicationError, match="only to a visit that was done"):
        record(trust_a, add(trust_a), status="missed", evidence={"evidence_type": "other", "summary": "x"})
    with scopes_disabled():
        assert Evidence.objects.count() == 0


def test_a_shared_note_is_seen_by_the_headteacher_and_an_unshared_one_is_not(trust_a):
    shared = record(
        trust_a, add(trust_a, title="Shared"), status="done", notes="SHARED-NOTE", notes_shared_with_school=True
    )
    hidden = record(trust_a, add(trust_a, title="Hidden"), status="done", notes="PRIVATE-NOTE")
    head = trust_a.client_for("headteacher")
    page = head.get(f"{BASE}/visits/{shared.uuid}/").content.decode()
    assert "SHARED-NOTE" in page
    page = head.get(f"{BASE}/visits/{hidden.uuid}/").content.decode()
    assert "PRIVATE-NOTE" not in page and "not shared with the school" in page
    assert "PRIVATE-NOTE" in trust_a.client_for("executive").get(f"{BASE}/visits/{hidden.uuid}/").content.decode()


def test_headteacher_and_governor_of_another_school_get_404(trust_a):
    school_one = add(trust_a, school=0)
    school_two = add(trust_a, school=1)
    assert trust_a.client_for("headteacher").get(f"{BASE}/visits/{school_two.uuid}/").status_code == 404
    assert trust_a.client_for("governor").get(f"{BASE}/visits/{school_one.uuid}/").status_code == 404
    assert trust_a.client_for("governor").get(f"{BASE}/visits/{school_two.uuid}/").status_code == 200
    assert trust_a.client_for("governor").get(f"{BASE}/schools/{trust_a.schools[0].uuid}/visits/").status_code == 404


def test_another_trusts_people_get_404(trust_a, trust_b):
    visit = add(trust_a)
    for role in ("executive", "headteacher", "specialist"):
        assert trust_b.client_for(role).get(f"{BASE}/visits/{visit.uuid}/").status_code == 404


def test_specialist_sees_only_their_own_visits_and_trust_events(trust_a):
    own = add(trust_a, owner="specialist", title="Mine")
    other = add(trust_a, owner="improvement_lead", title="Not mine")
    event = add(trust_a, school=None, owner=None, title="Network", activity_type="headteachers_network")
    with scope(trust=trust_a.trust.pk):
        seen = set(activities_visible_to(trust_a.memberships["specialist"]))
    assert seen == {own, event}
    client = trust_a.client_for("specialist")
    assert client.get(f"{BASE}/visits/{other.uuid}/").status_code == 404
    assert client.get(f"{BASE}/visits/{own.uuid}/record/").status_code == 200


def test_headteacher_sees_their_school_and_trust_events(trust_a):
    mine = add(trust_a, school=0)
    add(trust_a, school=1)
    event = add(trust_a, school=None, owner=None, activity_type="moderation", title="Moderation")
    with scope(trust=trust_a.trust.pk):
        assert set(activities_visible_to(trust_a.memberships["headteacher"])) == {mine, event}


def test_trust_events_are_created_once_from_one_action(trust_a):
    year = 2026
    with scope(trust=trust_a.trust.pk):
        first = trust_events_create(trust=trust_a.trust, actor=trust_a.people["executive"], academic_year=year)
        again = trust_events_create(trust=trust_a.trust, actor=trust_a.people["executive"], academic_year=year)
        total = Activity.objects.filter(source=ActivitySource.TRUST_EVENT).count()
    per_school = sum(1 for s in TRUST_EVENT_SLOTS if s.per_school)
    expected = len(TRUST_EVENT_SLOTS) - per_school + per_school * len(trust_a.schools)
    assert len(first) == expected == total and again == []
    types = {a.activity_type for a in first}
    assert {"moderation", "headteachers_network", "report_to_directors", "plan_agreed", "annual_review"} <= types
    assert sum(a.activity_type == "headteachers_network" for a in first) == 6
    assert all(datetime.date(2026, 9, 1) <= a.planned_on <= datetime.date(2027, 8, 31) for a in first)
    assert all(a.planned_on.weekday() < 5 for a in first)


def test_moved_trust_events_are_not_recreated_and_stay_editable(trust_a):
    with scope(trust=trust_a.trust.pk):
        events = trust_events_create(trust=trust_a.trust, actor=trust_a.people["executive"], academic_year=2026)
        moderation = next(a for a in events if a.activity_type == "moderation")
        visit_update(
            activity=moderation,
            actor=trust_a.people["improvement_lead"],
            owner=trust_a.people["improvement_lead"],
            planned_on=moderation.planned_on + 2 * DAY,
            title="Moderation: writing",
        )
        assert trust_events_create(trust=trust_a.trust, actor=trust_a.people["executive"], academic_year=2026) == []
        moderation.refresh_from_db()
        assert moderation.title == "Moderation: writing"


def test_only_an_executive_creates_trust_events(trust_a):
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="executive"):
        trust_events_create(trust=trust_a.trust, actor=trust_a.people["improvement_lead"], academic_year=2026)


def test_trust_events_page_creates_the_year_and_a_second_post_adds_nothing(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(f"{BASE}/calendar/trust-events/", {"year": 2026})
    assert response.status_code == 302
    with scopes_disabled():
        count = Activity.objects.count()
    assert count > 10
    client.post(f"{BASE}/calendar/trust-events/", {"year": 2026}, follow=True)
    with scopes_disabled():
        assert Activity.objects.count() == count


def test_month_view_shows_items_and_today(trust_a):
    visit = add(trust_a, on=TODAY, title="Phonics deep dive")
    response = trust_a.client_for("improvement_lead").get(f"{BASE}/calendar/?year={TODAY.year}&month={TODAY.month}")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Phonics deep dive" in page and f"/visits/{visit.uuid}/" in page
    assert "(today)" in page and '<th scope="col">Monday</th>' in page


def test_month_view_empty_state_and_filters(trust_a):
    add(trust_a, on=TODAY, title="Phonics deep dive", owner="improvement_lead")
    client = trust_a.client_for("executive")
    page = client.get(f"{BASE}/calendar/?year=2031&month=2").content.decode()
    assert "Nothing on the calendar in February 2031" in page
    other = trust_a.people["specialist"].uuid
    page = client.get(f"{BASE}/calendar/?year={TODAY.year}&month={TODAY.month}&person={other}").content.decode()
    assert "Phonics deep dive" not in page


def test_month_grid_is_one_query_whatever_the_schools(trust_a):
    with scope(trust=trust_a.trust.pk):
        for i in range(4):
            school = SchoolFactory(trust=trust_a.trust, name=f"Extra {i}", urn=799000 + i)
            visit_add(
                trust=trust_a.trust,
                actor=trust_a.people["executive"],
                school=school,
                activity_type="health_check",
                title="Health check",
                planned_on=TODAY,
            )
        with CaptureQueriesContext(connection) as queries:
            weeks = month_grid(trust_a.memberships["executive"], TODAY.year, TODAY.month, TODAY)
            assert sum(len(d.items) for w in weeks for d in w) == 4
            _ = [a.school.name for w in weeks for d in w for a in d.items]
        assert len(queries) == 1


def test_week_view_lists_the_days(trust_a):
    add(trust_a, on=TODAY, title="Maths review")
    page = trust_a.client_for("headteacher").get(f"{BASE}/calendar/week/?date={TODAY.isoformat()}").content.decode()
    assert "Maths review" in page and "(today)" in page


def test_my_visits_lists_overdue_and_upcoming(trust_a):
    overdue = add(trust_a, owner="specialist", on=TODAY - 5 * DAY, title="Overdue")
    upcoming = add(trust_a, owner="specialist", on=TODAY + 5 * DAY, title="Upcoming")
    add(trust_a, owner="improvement_lead", on=TODAY + 5 * DAY, title="Someone else's")
    with scope(trust=trust_a.trust.pk):
        mine = my_visits(trust_a.memberships["specialist"], TODAY)
    assert mine.to_record == [overdue] and mine.to_record[0].not_recorded
    assert mine.upcoming == [upcoming]
    page = trust_a.client_for("specialist").get(f"{BASE}/visits/mine/").content.decode()
    assert "not yet recorded" in page and "Someone else" not in page


def test_clash_detection(trust_a):
    monday = TODAY - datetime.timedelta(days=TODAY.weekday()) + 7 * DAY
    a = add(trust_a, school=0, on=monday, title="Visit one")
    b = add(trust_a, school=1, on=monday, title="Visit two")
    add(trust_a, school=1, on=monday + DAY, title="Next day")
    add(trust_a, school=0, on=monday, owner="specialist", title="Other owner")
    with scope(trust=trust_a.trust.pk):
        clashes = clashes_for(trust_a.memberships["executive"], monday, monday + 6 * DAY)
    assert len(clashes) == 1
    assert clashes[0].owner == trust_a.people["improvement_lead"] and set(clashes[0].items) == {a, b}
    page = trust_a.client_for("executive").get(f"{BASE}/visits/load/?date={monday.isoformat()}").content.decode()
    assert "Clash:" in page and "Visit one" in page


def test_record_page_records_with_evidence(trust_a):
    visit = add(trust_a)
    response = trust_a.client_for("improvement_lead").post(
        f"{BASE}/visits/{visit.uuid}/record/",
        {
            "status": "done",
            "notes": "Went well.",
            "notes_shared_with_school": "on",
            "evidence_type": "work_scrutiny",
            "summary": "Books in Year 4.",
            "shared_with_school": "on",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        visit.refresh_from_db()
        assert visit.status == "done" and visit.evidence.get().summary == "Books in Year 4."
    page = trust_a.client_for("headteacher").get(f"{BASE}/visits/{visit.uuid}/").content.decode()
    assert "Books in Year 4" in page and "Went well." in page


def test_record_page_shows_the_missing_reason_error(trust_a):
    visit = add(trust_a)
    response = trust_a.client_for("executive").post(f"{BASE}/visits/{visit.uuid}/record/", {"status": "cancelled"})
    assert response.status_code == 200 and "Say why the visit was cancelled" in response.content.decode()


def test_add_and_edit_pages(trust_a):
    client = trust_a.client_for("improvement_lead")
    response = client.post(
        f"{BASE}/visits/new/",
        {
            "school": trust_a.schools[1].uuid,
            "activity_type": "health_check",
            "title": "",
            "owner": trust_a.people["specialist"].uuid,
            "planned_on": (TODAY + 7 * DAY).isoformat(),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        visit = Activity.objects.get()
    assert visit.title == "Health-check visit" and visit.owner == trust_a.people["specialist"]
    response = client.post(
        f"{BASE}/visits/{visit.uuid}/edit/",
        {"title": "Health check, autumn", "owner": "", "planned_on": (TODAY + 8 * DAY).isoformat()},
    )
    assert response.status_code == 302
    with scopes_disabled():
        visit.refresh_from_db()
    assert visit.title == "Health check, autumn" and visit.owner is None


def test_summary_counts_by_school_term_and_status_with_export(trust_a):
    this_year = TODAY.year if TODAY.month >= 9 else TODAY.year - 1
    autumn_day = datetime.date(this_year, 10, 7)
    record(trust_a, add(trust_a, school=0, on=min(autumn_day, TODAY)), status="done")
    add(trust_a, school=0, on=datetime.date(this_year, 10, 8))
    add(trust_a, school=1, on=datetime.date(this_year + 1, 3, 3))
    with scope(trust=trust_a.trust.pk):
        terms, rows = planned_vs_done(trust_a.memberships["executive"], this_year)
    assert terms == ["Autumn", "Spring", "Summer"]
    by_school = {r.school: r.terms for r in rows}
    assert by_school[trust_a.schools[1]]["Spring"]["planned"] == 1
    school_one = by_school[trust_a.schools[0]]
    assert sum(school_one[t]["done"] for t in terms) == 1 and sum(school_one[t]["planned"] for t in terms) == 1
    client = trust_a.client_for("executive")
    csv = b"".join(client.get(f"{BASE}/visits/summary/?year={this_year}&format=csv").streaming_content).decode()
    assert "School,Term,Planned,Done,Cancelled,Missed" in csv and trust_a.schools[1].name in csv
    xlsx = client.get(f"{BASE}/visits/summary/?year={this_year}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(f"{BASE}/visits/summary/").status_code == 200


def test_summary_is_a_fixed_number_of_queries(trust_a):
    with scope(trust=trust_a.trust.pk):
        for i in range(5):
            SchoolFactory(trust=trust_a.trust, name=f"Extra {i}", urn=798000 + i)
        with CaptureQueriesContext(connection) as few:
            planned_vs_done(trust_a.memberships["executive"], 2026)
        for i in range(5, 10):
            SchoolFactory(trust=trust_a.trust, name=f"Extra {i}", urn=798000 + i)
        with CaptureQueriesContext(connection) as many:
            planned_vs_done(trust_a.memberships["executive"], 2026)
    assert len(few) == len(many)


def test_empty_states(trust_a):
    client = trust_a.client_for("executive")
    assert "Nothing waiting to be recorded" in client.get(f"{BASE}/visits/mine/").content.decode()
    assert "No clashes" in client.get(f"{BASE}/visits/load/").content.decode()
    assert "Nothing planned yet" in client.get(f"{BASE}/schools/{trust_a.schools[0].uuid}/visits/").content.decode()


def test_a_specialist_cannot_record_a_trust_event_they_do_not_own(trust_a):
    event = add(trust_a, school=None, owner=None, activity_type="moderation", title="Moderation", on=TODAY - DAY)
    client = trust_a.client_for("specialist")
    assert client.get(f"{BASE}/visits/{event.uuid}/").status_code == 200
    assert client.get(f"{BASE}/visits/{event.uuid}/record/").status_code == 403
    api = client.post(
        f"/api/v1/t/alder/visits/{event.uuid}/record/", {"status": "done"}, content_type="application/json"
    )
    assert api.status_code == 403

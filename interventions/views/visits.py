"""Calendar and visit pages: month and week views, my visits, a school's visits, planned against done
(with export), detail, record, add, edit, the year's trust-wide events, and owners' load with clashes."""

import datetime
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from core.academic import academic_year_for, academic_year_label
from core.exceptions import ApplicationError
from core.exports import export_response
from interventions.forms_visits import CalendarFilterForm, EventsCreateForm, RecordForm, VisitForm
from interventions.models import Activity
from interventions.selectors import visits as selectors
from interventions.services.visits import (
    TRUST_EVENT_SLOTS,
    may_record,
    trust_events_create,
    visit_add,
    visit_record,
    visit_update,
)
from reviews.views.evidence import form_error
from schools.selectors.schools import schools_visible_to
from trust.decorators import trust_view
from trust.permissions import Action, can


def _activity(request: HttpRequest, activity_uuid: UUID) -> Activity:
    # Another school's visit, or one a specialist does not own: simply not there.
    return get_object_or_404(selectors.activities_visible_to(request.membership), uuid=activity_uuid)


def _filter_form(request: HttpRequest) -> CalendarFilterForm:
    membership = request.membership
    # Only the trust's leads filter by person; others see too little for it to help.
    people = selectors.owner_choices(membership)
    if not can(membership, Action.PLAN_VISITS):
        people = people.none()
    return CalendarFilterForm(request.GET or None, people=people, schools=schools_visible_to(membership))


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return number if low <= number <= high else default


def _date(value: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return default


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


ACTIVITY_HEADERS = ["Date", "Visit", "School", "Type", "Owner", "Status", "Recorded"]


def _activity_row(a: Activity) -> list[Any]:
    return [
        a.planned_on,
        a.title,
        a.school.name if a.school else "Trust-wide",
        a.get_activity_type_display(),
        str(a.owner) if a.owner else "Nobody yet",
        a.get_status_display(),
        "Not yet recorded" if getattr(a, "not_recorded", False) else "",
    ]


def _activities_export(
    sections: list[tuple[str, list[Activity]]], *, heading: str, filename: str, fmt: str
) -> HttpResponse:
    """One download for a page of several visit tables, the first column naming the table."""
    return export_response(
        headers=[heading, *ACTIVITY_HEADERS],
        rows=[[section, *_activity_row(a)] for section, items in sections for a in items],
        filename=filename,
        fmt=fmt,
    )


@trust_view(Action.VIEW_CALENDAR)
def calendar_month(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year = _int(request.GET.get("year"), today.year, 2000, 2100)
    month = _int(request.GET.get("month"), today.month if year == today.year else 1, 1, 12)
    form = _filter_form(request)
    weeks = selectors.month_grid(request.membership, year, month, today, **form.filters())
    first = datetime.date(year, month, 1)
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = (first + datetime.timedelta(days=31)).replace(day=1)
    count = sum(len(d.items) for week in weeks for d in week if d.in_month)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        # The month's own days (the grid also shows the edges of the weeks around it), with the page's filters.
        return export_response(
            headers=ACTIVITY_HEADERS,
            rows=[_activity_row(a) for week in weeks for d in week if d.in_month for a in d.items],
            filename=f"{request.trust.slug}-calendar-{year}-{month:02d}",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/visits/month.html",
        {
            "form": form,
            "weeks": weeks,
            "first": first,
            "previous": previous,
            "following": following,
            "count": count,
            "today": today,
            "filters": _query_without(request, "year", "month"),
            "keep": [("year", year), ("month", month)],
            "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
        },
    )


@trust_view(Action.VIEW_CALENDAR)
def calendar_week(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day = _date(request.GET.get("date"), today)
    form = _filter_form(request)
    days = selectors.week_days(request.membership, day, today, **form.filters())
    return render(
        request,
        "interventions/visits/week.html",
        {
            "form": form,
            "days": days,
            "previous": days[0].date - datetime.timedelta(days=7),
            "following": days[0].date + datetime.timedelta(days=7),
            "count": sum(len(d.items) for d in days),
            "today": today,
            "filters": _query_without(request, "date"),
            "keep": [("date", day.isoformat())],
        },
    )


@trust_view(Action.RECORD_VISITS)
def visit_mine(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    mine = selectors.my_visits(request.membership, today)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _activities_export(
            [("Not yet recorded", mine.to_record), ("Coming up", mine.upcoming)],
            heading="List",
            filename=f"{request.trust.slug}-my-visits",
            fmt=fmt,
        )
    return render(request, "interventions/visits/mine.html", {"mine": mine, "today": today})


@trust_view(Action.VIEW_CALENDAR)
def visit_school(request: HttpRequest, school_uuid: UUID) -> HttpResponse:
    school = get_object_or_404(schools_visible_to(request.membership), uuid=school_uuid)
    today = timezone.localdate()
    items = list(selectors.activity_list(request.membership, school=school, today=today))
    upcoming = [a for a in items if a.planned_on >= today]
    past = list(reversed([a for a in items if a.planned_on < today]))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _activities_export(
            [("Coming up", upcoming), ("Past", past)],
            heading="When",
            filename=f"{request.trust.slug}-{school.urn}-visits",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/visits/school.html",
        {"school": school, "upcoming": upcoming, "past": past, "today": today},
    )


SUMMARY_HEADERS = ["School", "Term", "Planned", "Done", "Cancelled", "Missed"]


@trust_view(Action.PLAN_VISITS)
def visit_summary(request: HttpRequest) -> HttpResponse:
    this_year = academic_year_for(timezone.localdate())
    year = _int(request.GET.get("year"), this_year, 2000, 2100)
    terms, rows = selectors.planned_vs_done(request.membership, year)
    fmt = request.GET.get("format", "")
    if fmt in {"csv", "xlsx"}:
        lines = (
            [row.school.name, term, *(row.terms[term][s] for s in selectors.STATUSES)] for row in rows for term in terms
        )
        return export_response(
            headers=SUMMARY_HEADERS, rows=lines, filename=f"{request.trust.slug}-visits-{year}", fmt=fmt
        )
    return render(
        request,
        "interventions/visits/summary.html",
        {
            "terms": terms,
            "rows": rows,
            "year": year,
            "year_label": academic_year_label(year),
            "previous_year": year - 1,
            "next_year": year + 1,
            "statuses": selectors.STATUSES,
        },
    )


@trust_view(Action.VIEW_CALENDAR)
def visit_detail(request: HttpRequest, activity_uuid: UUID) -> HttpResponse:
    activity = _activity(request, activity_uuid)
    membership = request.membership
    return render(
        request,
        "interventions/visits/detail.html",
        {
            "activity": activity,
            "show_notes": selectors.may_read_notes(membership, activity),
            "evidence": selectors.activity_evidence(membership, activity),
            "may_record": may_record(membership, activity),
            "source": selectors.source_label(activity),
        },
    )


@trust_view(Action.RECORD_VISITS)
def visit_record_view(request: HttpRequest, activity_uuid: UUID) -> HttpResponse:
    activity = _activity(request, activity_uuid)
    if not may_record(request.membership, activity):
        raise PermissionDenied("Only the visit's owner, an executive or an improvement lead can record it.")
    initial: dict[str, Any] = {
        "status": activity.status if activity.status != "planned" else None,
        "notes": activity.notes,
        "notes_shared_with_school": activity.notes_shared_with_school,
        "cancelled_reason": activity.cancelled_reason,
    }
    form = RecordForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit_record(activity=activity, actor=request.user, **form.service_kwargs())
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Visit recorded.")
            return redirect("visit-detail", trust_slug=request.trust.slug, activity_uuid=activity.uuid)
    return render(request, "interventions/visits/record.html", {"form": form, "activity": activity})


def _visit_form(request: HttpRequest, *, editing: bool = False, initial: dict[str, Any] | None = None) -> VisitForm:
    return VisitForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        people=selectors.owner_choices(request.membership),
        schools=schools_visible_to(request.membership),
        editing=editing,
    )


@trust_view(Action.PLAN_VISITS)
def visit_add_view(request: HttpRequest) -> HttpResponse:
    initial = {"planned_on": _date(request.GET.get("date"), timezone.localdate())}
    form = _visit_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = visit_add(trust=request.trust, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Visit added to the calendar.")
            return redirect("visit-detail", trust_slug=request.trust.slug, activity_uuid=activity.uuid)
    return render(request, "interventions/visits/form.html", {"form": form, "activity": None})


@trust_view(Action.PLAN_VISITS)
def visit_edit(request: HttpRequest, activity_uuid: UUID) -> HttpResponse:
    activity = _activity(request, activity_uuid)
    initial = {
        "title": activity.title,
        "owner": activity.owner.uuid if activity.owner else None,
        "planned_on": activity.planned_on,
    }
    form = _visit_form(request, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            visit_update(activity=activity, actor=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            messages.success(request, "Visit changed.")
            return redirect("visit-detail", trust_slug=request.trust.slug, activity_uuid=activity.uuid)
    return render(request, "interventions/visits/form.html", {"form": form, "activity": activity})


@trust_view(Action.MANAGE_CALENDAR)
def calendar_events_create(request: HttpRequest) -> HttpResponse:
    this_year = academic_year_for(timezone.localdate())
    form = EventsCreateForm(request.POST or None, initial={"year": this_year})
    if request.method == "POST" and form.is_valid():
        year = form.cleaned_data["year"]
        try:
            created = trust_events_create(trust=request.trust, actor=request.user, academic_year=year)
        except (ApplicationError, ValidationError) as error:
            form_error(form, error)
        else:
            if created:
                messages.success(
                    request, f"{len(created)} trust calendar events created for {academic_year_label(year)}."
                )
            else:
                messages.info(request, f"The trust calendar for {academic_year_label(year)} already has these events.")
            first = created[0].planned_on if created else None
            url = reverse("calendar-month", kwargs={"trust_slug": request.trust.slug})
            return redirect(f"{url}?year={first.year}&month={first.month}" if first else url)
    return render(request, "interventions/visits/events_create.html", {"form": form, "slots": TRUST_EVENT_SLOTS})


@trust_view(Action.PLAN_VISITS)
def visit_load(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    start = _date(request.GET.get("date"), today)
    weeks = _int(request.GET.get("weeks"), 6, 1, 26)
    mondays, loads, clashes = selectors.owner_load(request.membership, start, weeks)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=["Owner", *(f"Week beginning {m:%d %b %Y}" for m in mondays), "Total", "Clash days"],
            rows=[
                [
                    str(load.owner),
                    *(w.count for w in load.weeks),
                    load.total,
                    ", ".join(f"{day:%d %b %Y}" for w in load.weeks for day in w.clash_days),
                ]
                for load in loads
            ],
            filename=f"{request.trust.slug}-owners-load-{mondays[0]:%Y-%m-%d}",
            fmt=fmt,
        )
    return render(
        request,
        "interventions/visits/load.html",
        {
            "mondays": mondays,
            "loads": loads,
            "clashes": clashes,
            "weeks": weeks,
            "previous": mondays[0] - datetime.timedelta(weeks=weeks),
            "following": mondays[0] + datetime.timedelta(weeks=weeks),
        },
    )

"""Snapshot pages: the list of frozen half-terms, taking one now, and reading one back."""

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exports import export_response
from reporting.models import Snapshot
from reporting.selectors.snapshots import snapshot_of, snapshots_of
from reporting.services.snapshots import snapshot_take as take
from trust.decorators import trust_view
from trust.permissions import Action

LIST_HEADERS = ["Half-term", "Figures as of", "Kind", "Taken by", "Schools", "Moved up", "Moved down"]
SCHOOL_HEADERS = ["School", "URN", "Level", "Previous level", "Movement", "Ofsted", "Plan behind", "Visits done"]


def _list_rows(snapshots: list[Snapshot]) -> Iterator[list[Any]]:
    for snapshot in snapshots:
        headline = snapshot.metrics.get("headline", {})
        yield [
            snapshot.metrics.get("half_term_label", ""),
            snapshot.as_of,
            snapshot.get_kind_display(),
            snapshot.taken_by.full_name if snapshot.taken_by else "Scheduled",
            headline.get("schools", 0),
            headline.get("moved_up", 0),
            headline.get("moved_down", 0),
        ]


@trust_view(Action.VIEW_SNAPSHOTS)
def snapshot_list(request: HttpRequest) -> HttpResponse:
    snapshots = snapshots_of(request.trust)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return export_response(
            headers=LIST_HEADERS,
            rows=_list_rows(list(snapshots)),
            filename=f"{request.trust.slug}-snapshots",
            fmt=fmt,
        )
    page = Paginator(snapshots, 25).get_page(request.GET.get("page"))
    return render(request, "reporting/snapshots/list.html", {"page": page, "snapshots": page.object_list})


@require_POST
@trust_view(Action.TAKE_SNAPSHOT)
def snapshot_take(request: HttpRequest) -> HttpResponse:
    snapshot = take(trust=request.trust, actor=request.user, today=timezone.localdate())
    messages.success(request, f"Snapshot taken: the dashboard as of {snapshot.as_of:%d %B %Y} is frozen.")
    return redirect("snapshot-detail", trust_slug=request.trust.slug, snapshot_uuid=snapshot.uuid)


def _school_rows(snapshot: Snapshot) -> Iterator[list[Any]]:
    for row in snapshot.metrics.get("schools", []):
        plan = row.get("plan")
        yield [
            row["name"],
            row["urn"],
            row["level"]["name"] if row.get("level") else "Not rated",
            row["previous_level"]["name"] if row.get("previous_level") else "",
            row["movement"],
            row["ofsted"]["outcome"],
            ("Yes" if plan["behind"] else "No") if plan else "No plan",
            f"{row['visits']['done']} of {row['visits']['planned']}",
        ]


@trust_view(Action.VIEW_SNAPSHOTS)
def snapshot_detail(request: HttpRequest, snapshot_uuid: UUID) -> HttpResponse:
    snapshot = snapshot_of(request.trust, snapshot_uuid)
    if snapshot is None:
        raise Http404
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        return export_response(
            headers=SCHOOL_HEADERS,
            rows=_school_rows(snapshot),
            filename=f"{request.trust.slug}-snapshot-{snapshot.as_of:%Y-%m-%d}",
            fmt=fmt,
        )
    return render(
        request,
        "reporting/snapshots/detail.html",
        {"snapshot": snapshot, "metrics": snapshot.metrics, "rows": list(_school_rows(snapshot))},
    )

"""The trust's audit log: every write and file read, newest first, filtered and exported (executives only)."""

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.audit import audit_entries, audit_filter_choices
from core.exports import export_response
from core.forms import DateInput
from core.models import AuditEntry
from trust.decorators import trust_view
from trust.permissions import Action

PAGE_SIZE = 50
EXPORT_HEADERS = ["When", "Who", "Action", "Kind of record", "Record", "Record id", "What changed", "Address"]


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label="Who", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    object_type = forms.ChoiceField(label="Kind of record", required=False)
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, choices: dict[str, list[Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Everyone"), *choices["actors"]]
        self.fields["action"].choices = [("", "All actions"), *((a, a) for a in choices["actions"])]
        self.fields["object_type"].choices = [("", "All kinds"), *((t, t) for t in choices["object_types"])]
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs.setdefault("class", "form-select" if is_select else "form-control")

    def filters(self) -> dict[str, Any]:
        """The valid filters as `audit_entries` arguments; an invalid one is ignored (the form shows why)."""
        self.is_valid()
        data = self.cleaned_data  # holds the fields that were valid
        return {
            "actor_uuid": data.get("actor") or None,
            "action": data.get("action") or "",
            "object_type": data.get("object_type") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }


def describe_changes(changes: Any) -> str:
    """The changes in one line of plain words: `field: before → after; field: value`."""
    if not isinstance(changes, dict):
        return str(changes)
    parts = []
    for name, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list | dict):
            parts.append(f"{name}: {_shown(value[0])} → {_shown(value[1])}")
        else:
            parts.append(f"{name}: {_shown(value)}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, list):
        return ", ".join(_shown(item) for item in value) or "(none)"
    if isinstance(value, dict):
        return "{" + describe_changes(value) + "}"
    return str(value)


def export_row(entry: AuditEntry) -> list[Any]:
    return [
        entry.at,
        entry.actor_name or "The system",
        entry.action,
        entry.object_type,
        entry.object_label,
        str(entry.object_uuid or ""),
        describe_changes(entry.changes),
        entry.ip_address or "",
    ]


@trust_view(Action.VIEW_AUDIT_LOG)
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None, choices=audit_filter_choices(request.trust))
    entries = audit_entries(trust=request.trust, **(form.filters() if form.is_bound else {}))
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=EXPORT_HEADERS,
            # Rows read now, inside the trust's scope: a streamed CSV is written after the view returns.
            rows=[export_row(entry) for entry in entries],
            filename=f"{request.trust.slug}-audit-log",
            fmt=fmt,
        )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.described = describe_changes(entry.changes)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(request, "trust/audit/list.html", {"page": page, "form": form, "query": query.urlencode()})

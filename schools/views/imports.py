"""Import pages: history, upload, choose the trust's GIAS group, preview and confirm, progress, report, retry."""

import datetime
from typing import Any
from uuid import UUID

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.academic import academic_year_for, academic_year_label
from core.exceptions import ApplicationError
from core.exports import export_response
from core.jobs import job_is_waiting_for_broker
from schools.importers.base import ImportFileError
from schools.models import ImportKind, ImportStatus
from schools.selectors.imports import (
    groups_to_choose,
    import_files_of,
    import_progress,
    import_run_of,
    import_runs_of,
    last_group_uid,
    report_export_rows,
    report_for_display,
)
from schools.services.imports import (
    import_run_cancel,
    import_run_choose_group,
    import_run_confirm,
    import_run_create,
    import_run_retry,
    importer_available,
    is_previewed,
    max_upload_bytes,
)
from trust.decorators import trust_view
from trust.permissions import Action

# Forms are small and used only here; a schools/forms module is shared with other pages.

KIND_HELP = {
    ImportKind.GIAS: (
        "Upload the GIAS establishments file and the group links file (and, for predecessor schools, the "
        "establishment links file). Each file is recognised by its columns."
    ),
    ImportKind.OFSTED: "Upload Ofsted's inspection outcomes CSV.",
    ImportKind.PERFORMANCE: "Upload DfE performance-table CSVs (KS2 or KS4, with their national and LA rows).",
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".csv,text/csv"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(item, initial) for item in data]
        return [one(data, initial)]


class ImportUploadForm(forms.Form):
    files = MultipleFileField(
        label="CSV files",
        allow_empty_file=True,  # the import's own check names the empty file
        error_messages={"required": "Choose at least one CSV file to upload."},
    )
    group_uid = forms.CharField(
        label="The trust's GIAS Group UID",
        max_length=20,
        required=False,
        help_text="For example 3201. Leave it blank to choose from the trusts listed in the group links file.",
    )
    academic_year = forms.TypedChoiceField(
        label="Academic year of the results",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Take it from the file name (e.g. 2018-2019_936_ks2final.csv)")]
        + [(year, academic_year_label(year)) for year in range(academic_year_for(datetime.date.today()), 2009, -1)],
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() // 1_048_576
        self.fields["files"].help_text = f"{KIND_HELP[ImportKind(kind)]} Up to {limit} MB each."
        if kind != ImportKind.GIAS:
            del self.fields["group_uid"]
        if kind != ImportKind.PERFORMANCE:
            del self.fields["academic_year"]
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Upload and preview"))


class GroupChoiceForm(forms.Form):
    """A trust chosen from the file's list (radio buttons) or its Group UID typed in."""

    group_uid = forms.CharField(max_length=20, required=False)
    group_uid_typed = forms.CharField(max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["group_uid"] = (data.get("group_uid_typed") or data.get("group_uid") or "").strip()
        if not data["group_uid"]:
            self.add_error("group_uid", "Choose the trust from the list, or type its Group UID.")
        return data


def _form_error(form: forms.Form, error: ApplicationError | ValidationError) -> None:
    if isinstance(error, ApplicationError):
        # A refused file belongs to the files input, so the message is read out with it.
        field = error.extra.get("field") or ("files" if isinstance(error, ImportFileError) else None)
        form.add_error(field if field in form.fields else None, error.message)
    else:
        form.add_error(None, error)


def _kind(value: str) -> str:
    if value not in ImportKind.values:
        raise Http404("No such kind of import.")
    return value


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    # Spreadsheets have no time zones: give the trust's wall-clock time, as the page shows.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _export_runs(request: HttpRequest, fmt: str) -> HttpResponse:
    def row(run: Any) -> list[Any]:
        result = run.report or run.preview or {}
        skipped = result.get("skipped")
        return [
            _local(run.created_at),
            run.get_kind_display(),
            run.group_uid,
            ", ".join(f.original_name for f in run.files.all()),
            "Preview: not yet imported" if run.status == ImportStatus.PREVIEW else run.get_status_display(),
            result.get("created"),
            result.get("updated"),
            result.get("unchanged"),
            len(skipped) if skipped is not None else None,
            (run.requested_by.full_name or run.requested_by.email) if run.requested_by else "",
        ]

    return export_response(
        headers=[
            "Started",
            "Import",
            "GIAS group",
            "Files",
            "Status",
            "Created",
            "Updated",
            "Unchanged",
            "Skipped",
            "By",
        ],
        rows=[row(run) for run in import_runs_of(request.trust)],
        filename=f"{request.trust.slug}-imports",
        fmt=fmt,
    )


@trust_view(Action.IMPORT_DATA)
def import_list(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return _export_runs(request, fmt)
    kinds = [
        {"value": kind.value, "label": kind.label, "available": importer_available(kind.value)} for kind in ImportKind
    ]
    return render(request, "schools/imports/import_list.html", {"runs": import_runs_of(request.trust), "kinds": kinds})


@trust_view(Action.IMPORT_DATA)
def import_new(request: HttpRequest, import_kind: str) -> HttpResponse:
    kind = _kind(import_kind)
    available = importer_available(kind)
    initial = {"group_uid": last_group_uid(request.trust)} if kind == ImportKind.GIAS else {}
    form = ImportUploadForm(request.POST or None, request.FILES or None, kind=kind, initial=initial)
    if request.method == "POST" and available and form.is_valid():
        try:
            run = import_run_create(
                trust=request.trust,
                actor=request.user,
                kind=kind,
                uploaded_files=form.cleaned_data["files"],
                options={
                    "group_uid": form.cleaned_data.get("group_uid", ""),
                    "academic_year": form.cleaned_data.get("academic_year"),
                },
            )
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            if not is_previewed(run):
                messages.info(request, "The files were read. Now choose the trust's group.")
                return redirect("import-group", trust_slug=request.trust.slug, import_run_uuid=run.uuid)
            messages.success(request, "The files were read. Check the preview, then confirm the import.")
            return redirect("import-detail", trust_slug=request.trust.slug, import_run_uuid=run.uuid)
    context = {"form": form, "kind": kind, "kind_label": ImportKind(kind).label, "available": available}
    return render(request, "schools/imports/import_new.html", context)


@trust_view(Action.IMPORT_DATA)
def import_group(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    run = import_run_of(request.trust, import_run_uuid)
    if run.kind != ImportKind.GIAS:
        raise Http404("Only GIAS imports have a group to choose.")
    form = GroupChoiceForm(request.POST or None, initial={"group_uid": run.group_uid})
    if request.method == "POST" and form.is_valid():
        try:
            import_run_choose_group(run=run, actor=request.user, group_uid=form.cleaned_data["group_uid"])
        except (ApplicationError, ValidationError) as error:
            _form_error(form, error)
        else:
            messages.success(request, "Check the preview, then confirm the import.")
            return redirect("import-detail", trust_slug=request.trust.slug, import_run_uuid=run.uuid)
    query = request.GET.get("q", "")
    context = {
        "run": run,
        "form": form,
        "query": query,
        "editable": run.status == ImportStatus.PREVIEW,
        **groups_to_choose(run, query, request.trust.name),
    }
    return render(request, "schools/imports/import_group.html", context)


def _detail_context(run: Any) -> dict[str, Any]:
    return {
        "run": run,
        "progress": import_progress(run),
        "previewed": is_previewed(run),
        "files": import_files_of(run),
        "display": report_for_display(run.report if run.status == ImportStatus.DONE else run.preview),
        # Queued but never sent (the background service was down): the sweeper sends it once it is back.
        "waiting_for_broker": job_is_waiting_for_broker(run),
    }


@trust_view(Action.IMPORT_DATA)
def import_detail(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    run = import_run_of(request.trust, import_run_uuid)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        # Every school and skipped row, not only the first ones the page shows.
        rows = report_export_rows(run.report if run.status == ImportStatus.DONE else run.preview)
        skipped = request.GET.get("table") == "skipped"
        return export_response(
            headers=["Row", "URN", "Reason"] if skipped else ["School", "URN", "Change", "Details"],
            rows=rows["skipped" if skipped else "schools"],
            filename=f"{request.trust.slug}-import-{run.created_at:%Y-%m-%d}-{'skipped' if skipped else 'schools'}",
            fmt=fmt,
        )
    return render(request, "schools/imports/import_detail.html", _detail_context(run))


@trust_view(Action.IMPORT_DATA)
def import_progress_partial(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    """The progress panel, polled by HTMX; once the run has finished the page reloads to show the report."""
    run = import_run_of(request.trust, import_run_uuid)
    context = _detail_context(run)
    response = render(request, "schools/imports/_progress.html", context)
    if request.headers.get("HX-Request") and not context["progress"]["active"]:
        response["HX-Refresh"] = "true"
    return response


def _say_started(request: HttpRequest, run: Any, started: str) -> None:
    """Tell the person the job is on its way, or that it waits for the background service to come back."""
    run.refresh_from_db()  # the message was sent (or not) when the service's transaction committed
    if job_is_waiting_for_broker(run):
        messages.info(request, "The import is queued and will start when the background service resumes.")
    else:
        messages.success(request, f"{started} This page shows its progress and then its report.")


@require_POST
@trust_view(Action.IMPORT_DATA)
def import_confirm(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    run = import_run_of(request.trust, import_run_uuid)
    try:
        confirmed = import_run_confirm(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _say_started(request, confirmed, "The import has started.")
    return redirect("import-detail", trust_slug=request.trust.slug, import_run_uuid=run.uuid)


@require_POST
@trust_view(Action.IMPORT_DATA)
def import_retry(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    run = import_run_of(request.trust, import_run_uuid)
    try:
        retried = import_run_retry(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        _say_started(request, retried, "The import is running again.")
    return redirect("import-detail", trust_slug=request.trust.slug, import_run_uuid=run.uuid)


@require_POST
@trust_view(Action.IMPORT_DATA)
def import_cancel(request: HttpRequest, import_run_uuid: UUID) -> HttpResponse:
    run = import_run_of(request.trust, import_run_uuid)
    try:
        import_run_cancel(run=run, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("import-detail", trust_slug=request.trust.slug, import_run_uuid=run.uuid)
    messages.success(request, "The import was cancelled and its files deleted. Nothing was changed.")
    return redirect("import-list", trust_slug=request.trust.slug)

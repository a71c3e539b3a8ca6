"""Board pack pages: the list (and its export), preparing a pack, its progress, download and retry."""

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.audit import audit_file_read, client_ip
from core.exceptions import ApplicationError
from core.exports import export_response
from core.uploads import download_response
from reporting.models import BoardPack, BoardPackStatus, Snapshot
from reporting.selectors.snapshots import snapshots_of
from reporting.services import board_packs as services
from trust.decorators import trust_view
from trust.models import Trust
from trust.permissions import Action

PER_PAGE = 25
EXPORT_HEADERS = ["Half-term", "Version", "Status", "Requested by", "Requested at", "Pages", "Size (bytes)", "SHA-256"]
FRESH = ""  # the form's value for "take a fresh snapshot now"


def board_packs_of(trust: Trust) -> QuerySet[BoardPack]:
    # The snapshot's figures are not shown here; they can be large.
    return (
        BoardPack.objects.filter(trust=trust)
        .select_related("trust", "requested_by", "snapshot")
        .defer("snapshot__metrics")
    )


def _pack(request: HttpRequest, pack_uuid: UUID) -> BoardPack:
    # Another trust's pack is not there (404): the trust filter and the request's scope both say so.
    return get_object_or_404(board_packs_of(request.trust), uuid=pack_uuid)


def person(user: Any) -> str:
    return (user.full_name or user.email) if user else "Trustwide"


def download_name(pack: BoardPack) -> str:
    label = pack.half_term_label.lower().replace(" ", "-").replace("/", "-")
    return f"{pack.trust.slug}-board-pack-{label}-v{pack.version}.pdf"


class GenerateForm(forms.Form):
    snapshot = forms.ChoiceField(
        label="Figures to use",
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text="A fresh snapshot freezes today's figures; an earlier snapshot rebuilds a past pack exactly.",
    )

    def __init__(self, *args: Any, snapshots: list[Snapshot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.snapshots = {str(s.uuid): s for s in snapshots}
        self.fields["snapshot"].choices = [(FRESH, "A fresh snapshot of today's figures")] + [
            (key, f"{s.get_kind_display()}: {s.as_of:%-d %B %Y}, taken by {person(s.taken_by)}")
            for key, s in self.snapshots.items()
        ]

    def chosen(self) -> Snapshot | None:
        return self.snapshots.get(self.cleaned_data.get("snapshot") or FRESH)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


@trust_view(Action.VIEW_BOARD_PACKS)
def board_pack_list(request: HttpRequest) -> HttpResponse:
    packs = board_packs_of(request.trust)
    fmt = request.GET.get("format")
    if fmt in {"csv", "xlsx"}:
        return export_response(
            headers=EXPORT_HEADERS,
            rows=(
                [
                    p.half_term_label,
                    p.version,
                    p.get_status_display(),
                    person(p.requested_by),
                    timezone.localtime(p.created_at).strftime("%Y-%m-%d %H:%M"),
                    p.pages or "",
                    p.size or "",
                    p.checksum,
                ]
                for p in packs
            ),
            filename=f"{request.trust.slug}-board-packs",
            fmt=fmt,
        )
    page = Paginator(packs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "reporting/board_packs/list.html",
        {"page": page, "packs": page.object_list, "in_preparation": services.pack_in_preparation(request.trust)},
    )


@trust_view(Action.GENERATE_BOARD_PACK)
def board_pack_generate(request: HttpRequest) -> HttpResponse:
    # The figures themselves are not needed to offer a choice; a snapshot linked from its page is offered too.
    snapshots = snapshots_of(request.trust).defer("metrics")
    asked = request.GET.get("snapshot", "")
    choices = list(snapshots[:20])
    if asked and asked not in {str(s.uuid) for s in choices}:
        choices += list(snapshots.filter(uuid=asked)) if _is_uuid(asked) else []
    form = GenerateForm(
        request.POST if request.method == "POST" else None, snapshots=choices, initial={"snapshot": asked}
    )
    if request.method == "POST" and form.is_valid():
        waiting = services.pack_in_preparation(request.trust)
        try:
            pack = services.board_pack_request(
                trust=request.trust, actor=request.user, snapshot=form.chosen(), today=timezone.localdate()
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if waiting is not None and pack == waiting:
                messages.info(request, "A board pack is already being prepared, so this page shows that one.")
            else:
                messages.success(request, "The board pack is being prepared. This page shows its progress.")
            return redirect("board-pack-detail", trust_slug=request.trust.slug, pack_uuid=pack.uuid)
    return render(
        request,
        "reporting/board_packs/generate.html",
        {"form": form, "in_preparation": services.pack_in_preparation(request.trust)},
    )


def _detail_context(pack: BoardPack) -> dict[str, Any]:
    return {"pack": pack, "finished": pack.is_finished}


@trust_view(Action.VIEW_BOARD_PACKS)
def board_pack_detail(request: HttpRequest, pack_uuid: UUID) -> HttpResponse:
    return render(request, "reporting/board_packs/detail.html", _detail_context(_pack(request, pack_uuid)))


@trust_view(Action.VIEW_BOARD_PACKS)
def board_pack_progress(request: HttpRequest, pack_uuid: UUID) -> HttpResponse:
    """The progress panel, polled by htmx; once the job has finished the page reloads to show the result."""
    pack = _pack(request, pack_uuid)
    response = render(request, "reporting/board_packs/_progress.html", _detail_context(pack))
    if request.headers.get("HX-Request") and pack.is_finished:
        response["HX-Refresh"] = "true"
    return response


@trust_view(Action.VIEW_BOARD_PACKS)
def board_pack_download(request: HttpRequest, pack_uuid: UUID) -> FileResponse:
    pack = _pack(request, pack_uuid)
    if pack.status != BoardPackStatus.DONE or not pack.file:
        raise Http404("The board pack is not ready.")
    audit_file_read(
        trust=request.trust, actor=request.user, obj=pack, label=download_name(pack), ip_address=client_ip(request)
    )
    return download_response(pack.file, file_name=download_name(pack), detected_type="pdf")


@require_POST
@trust_view(Action.GENERATE_BOARD_PACK)
def board_pack_retry(request: HttpRequest, pack_uuid: UUID) -> HttpResponse:
    pack = _pack(request, pack_uuid)
    try:
        services.board_pack_retry(pack=pack, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "The board pack is being prepared again. This page shows its progress.")
    return redirect("board-pack-detail", trust_slug=request.trust.slug, pack_uuid=pack.uuid)

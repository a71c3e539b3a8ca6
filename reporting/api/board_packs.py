"""Board packs API, mounted under /api/v1/t/<trust_slug>/.

Executives, improvement leads and trustees list, follow and download the trust's packs; executives
request one (202: it is built in the background; poll its detail) and retry a failed one.
"""

from typing import Any
from uuid import UUID

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.audit import audit_file_read, client_ip
from core.uploads import download_response
from reporting.models import BoardPack, BoardPackStatus, Snapshot
from reporting.services import board_packs as services
from reporting.views.board_packs import board_packs_of, download_name
from trust.api import TrustActionPermission
from trust.permissions import Action

STATUS_HELP = "queued, running (being prepared), done (ready to download) or failed (see error; may be retried)."


class BoardPackSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    academic_year = serializers.IntegerField(help_text="The year the academic year starts: 2026 is 2026/27.")
    half_term = serializers.IntegerField(help_text="1 (Autumn 1) to 6 (Summer 2).")
    half_term_label = serializers.CharField()
    version = serializers.IntegerField(help_text="1 for the half-term's first pack; each rerun adds one.")
    status = serializers.CharField(help_text=STATUS_HELP)
    status_label = serializers.CharField(source="get_status_display")
    progress = serializers.IntegerField(help_text="Percent done while the job runs.")
    stage = serializers.CharField(help_text="What the job is doing now.")
    error = serializers.CharField(help_text="Why a failed pack failed, in plain words; empty otherwise.")
    attempts = serializers.IntegerField()
    snapshot = serializers.UUIDField(source="snapshot.uuid", help_text="The snapshot the pack's figures come from.")
    requested_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    pages = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Bytes.")
    checksum = serializers.CharField(help_text="SHA-256 of the PDF, hex; empty until done.")
    download_url = serializers.SerializerMethodField()

    def get_requested_by(self, pack: BoardPack) -> str | None:
        return (pack.requested_by.full_name or pack.requested_by.email) if pack.requested_by else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, pack: BoardPack) -> str | None:
        """The API URL of the PDF once the pack is ready; null before."""
        if pack.status != BoardPackStatus.DONE:
            return None
        url = reverse("api-board-pack-download", kwargs={"trust_slug": pack.trust.slug, "pack_uuid": pack.uuid})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class BoardPackRequestSerializer(serializers.Serializer):
    snapshot = serializers.UUIDField(
        required=False, allow_null=True, help_text="Build from this snapshot; default: a fresh snapshot taken now."
    )


class _BoardPackAPI(generics.GenericAPIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_BOARD_PACKS
    write_action = Action.GENERATE_BOARD_PACK
    serializer_class = BoardPackSerializer

    def get_queryset(self) -> Any:
        return board_packs_of(self.request._request.trust)

    def pack(self, pack_uuid: UUID) -> BoardPack:
        # Another trust's pack is not there (404).
        return get_object_or_404(self.get_queryset(), uuid=pack_uuid)

    def respond(self, pack: BoardPack, code: int = status.HTTP_200_OK) -> Response:
        return Response(BoardPackSerializer(pack, context=self.get_serializer_context()).data, status=code)


class BoardPackListView(_BoardPackAPI, generics.ListAPIView):
    @extend_schema(summary="The trust's board packs, newest half-term first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        request=BoardPackRequestSerializer,
        responses={202: BoardPackSerializer},
        summary="Prepare a board pack (built in the background; a pack already in preparation is returned instead)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = BoardPackRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        trust = request._request.trust
        snapshot = None
        if serializer.validated_data.get("snapshot"):
            snapshot = Snapshot.objects.filter(trust=trust, uuid=serializer.validated_data["snapshot"]).first()
            if snapshot is None:
                raise serializers.ValidationError({"snapshot": ["No snapshot of this trust has that UUID."]})
        pack = services.board_pack_request(
            trust=trust, actor=request.user, snapshot=snapshot, today=timezone.localdate()
        )
        pack = self.pack(pack.uuid)  # read back: the job may already have run (eager mode)
        return self.respond(pack, status.HTTP_202_ACCEPTED)


class BoardPackDetailView(_BoardPackAPI):
    @extend_schema(summary="A board pack: its status, progress, error, checksum and download URL")
    def get(self, request: Request, trust_slug: str, pack_uuid: UUID) -> Response:
        return self.respond(self.pack(pack_uuid))


class BoardPackDownloadView(_BoardPackAPI):
    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="Not ready")},
        summary="The board pack's PDF (404 until it is ready)",
    )
    def get(self, request: Request, trust_slug: str, pack_uuid: UUID) -> FileResponse:
        pack = self.pack(pack_uuid)
        if pack.status != BoardPackStatus.DONE or not pack.file:
            raise Http404("The board pack is not ready.")
        audit_file_read(
            trust=pack.trust,
            actor=request.user,
            obj=pack,
            label=download_name(pack),
            ip_address=client_ip(request._request),
        )
        return download_response(pack.file, file_name=download_name(pack), detected_type="pdf")


class BoardPackRetryView(_BoardPackAPI):
    @extend_schema(
        request=None,
        responses={202: BoardPackSerializer, 400: OpenApiResponse(description="The pack has not failed")},
        summary="Prepare a failed board pack again (same version, same snapshot)",
    )
    def post(self, request: Request, trust_slug: str, pack_uuid: UUID) -> Response:
        pack = services.board_pack_retry(pack=self.pack(pack_uuid), actor=request.user)
        return self.respond(self.pack(pack.uuid), status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("board-packs/", BoardPackListView.as_view(), name="api-board-pack-list"),
    path("board-packs/<uuid:pack_uuid>/", BoardPackDetailView.as_view(), name="api-board-pack-detail"),
    path("board-packs/<uuid:pack_uuid>/download/", BoardPackDownloadView.as_view(), name="api-board-pack-download"),
    path("board-packs/<uuid:pack_uuid>/retry/", BoardPackRetryView.as_view(), name="api-board-pack-retry"),
]

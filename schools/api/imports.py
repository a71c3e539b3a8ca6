"""API for imports: upload (with preview), choose the GIAS group, confirm, cancel, retry, status and report.

Mounted under /api/v1/t/<trust_slug>/ by schools.api.urls.
"""

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from schools.models import ImportKind, ImportRun, ImportStatus
from schools.selectors.imports import import_progress, import_run_of, import_runs_of
from schools.services.imports import (
    import_run_cancel,
    import_run_choose_group,
    import_run_confirm,
    import_run_create,
    import_run_retry,
    is_previewed,
)
from trust.api import TrustActionPermission
from trust.permissions import Action


class ImportFileSerializer(serializers.Serializer):
    original_name = serializers.CharField()
    detected = serializers.CharField(help_text="The format recognised from the header, e.g. gias_group_links.")
    size = serializers.IntegerField()


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="Rows in the files (counted before reading).")
    done = serializers.IntegerField(help_text="Rows read so far.")
    percent = serializers.IntegerField()
    active = serializers.BooleanField(help_text="True while queued or running: poll again.")
    writing = serializers.BooleanField(help_text="True when every row is read and the changes are being saved.")


@extend_schema_field(
    {
        "type": "object",
        "description": "created, updated, unchanged (counts), skipped [{row, urn, reason}], notes, changes "
        "[{urn, name, action, fields}]; for GIAS also group, files, incomplete, rows_read.",
        "additionalProperties": True,
    }
)
class ReportField(serializers.JSONField):
    pass


class ImportRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.SerializerMethodField()
    files = ImportFileSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField()
    previewed = serializers.SerializerMethodField()
    preview = ReportField(
        read_only=True,
        help_text="What the import will do (computed by running it and rolling back); for a GIAS upload "
        "without a group: {needs_group: true, groups: [{uid, name, type, schools}]}.",
    )
    report = ReportField(read_only=True, help_text="What the import did, once done.")

    class Meta:
        model = ImportRun
        fields = [
            "uuid",
            "kind",
            "status",
            "group_uid",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_done",
            "progress",
            "previewed",
            "error",
            "attempts",
            "files",
            "preview",
            "report",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_requested_by(self, run: ImportRun) -> str:
        user = run.requested_by
        return (user.full_name or user.email) if user else ""

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, run: ImportRun) -> dict[str, Any]:
        return import_progress(run)

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_previewed(self, run: ImportRun) -> bool:
        return is_previewed(run)


class ImportRunSummarySerializer(ImportRunSerializer):
    """A run in the list: no preview or report bodies, just their counts."""

    # A plain string here keeps the status enum to one schema component (ImportRunStatusEnum).
    status = serializers.CharField(read_only=True, help_text="As ImportRun.status.")
    counts = serializers.SerializerMethodField()

    class Meta(ImportRunSerializer.Meta):
        fields = [f for f in ImportRunSerializer.Meta.fields if f not in ("preview", "report")] + ["counts"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {k: {"type": "integer"} for k in ("created", "updated", "unchanged", "skipped")},
            "nullable": True,
        }
    )
    def get_counts(self, run: ImportRun) -> dict[str, int] | None:
        result = run.report if run.status == ImportStatus.DONE else run.preview
        if not result or "created" not in result:
            return None
        keys = ("created", "updated", "unchanged")
        return {key: int(result.get(key) or 0) for key in keys} | {"skipped": len(result.get("skipped") or [])}


class ImportCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    files = serializers.ListField(
        child=serializers.FileField(), allow_empty=False, help_text="The CSV files (send the field once per file)."
    )
    group_uid = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="GIAS only: the trust's Group UID. Without it the preview lists the trusts found in the "
        "group-links file; choose one with the group endpoint.",
    )


class GroupChoiceSerializer(serializers.Serializer):
    group_uid = serializers.CharField(max_length=20)


class _ImportAPI:
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.IMPORT_DATA
    write_action = Action.IMPORT_DATA

    def run(self, request: Request, import_run_uuid: Any) -> ImportRun:
        return import_run_of(request._request.trust, import_run_uuid)


class ImportRunListView(_ImportAPI, generics.ListAPIView):
    serializer_class = ImportRunSummarySerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> Any:
        return import_runs_of(self.request._request.trust)

    @extend_schema(summary="The trust's imports, newest first")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportRunSerializer},
        summary="Upload files and preview the import (nothing changes until it is confirmed)",
        description="Each file is checked (size, CSV, recognised header, not cut off) and the import is run "
        "and rolled back to build the preview. A refused file is named in the error and nothing is stored.",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = ImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        run = import_run_create(
            trust=request._request.trust,
            actor=request.user,
            kind=data["kind"],
            uploaded_files=data["files"],
            options={"group_uid": data.get("group_uid", "")},
        )
        return Response(ImportRunSerializer(run).data, status=status.HTTP_201_CREATED)


class ImportRunDetailView(_ImportAPI, APIView):
    @extend_schema(responses=ImportRunSerializer, summary="An import: status, progress, preview and report")
    def get(self, request: Request, trust_slug: str, import_run_uuid: Any) -> Response:
        return Response(ImportRunSerializer(self.run(request, import_run_uuid)).data)


class ImportRunGroupView(_ImportAPI, APIView):
    @extend_schema(
        request=GroupChoiceSerializer,
        responses=ImportRunSerializer,
        summary="Choose the trust's GIAS Group UID and preview the import for it",
    )
    def post(self, request: Request, trust_slug: str, import_run_uuid: Any) -> Response:
        run = self.run(request, import_run_uuid)
        serializer = GroupChoiceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        import_run_choose_group(run=run, actor=request.user, group_uid=serializer.validated_data["group_uid"])
        return Response(ImportRunSerializer(run).data)


class ImportRunConfirmView(_ImportAPI, APIView):
    @extend_schema(
        request=None,
        responses={202: ImportRunSerializer},
        summary="Confirm a previewed import: it runs as a background job; poll the import for progress",
    )
    def post(self, request: Request, trust_slug: str, import_run_uuid: Any) -> Response:
        run = import_run_confirm(run=self.run(request, import_run_uuid), actor=request.user)
        run.refresh_from_db()  # without Redis the job has already run
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class ImportRunCancelView(_ImportAPI, APIView):
    @extend_schema(request=None, responses=ImportRunSerializer, summary="Cancel a previewed import")
    def post(self, request: Request, trust_slug: str, import_run_uuid: Any) -> Response:
        run = import_run_cancel(run=self.run(request, import_run_uuid), actor=request.user)
        return Response(ImportRunSerializer(run).data)


class ImportRunRetryView(_ImportAPI, APIView):
    @extend_schema(
        request=None,
        responses={
            202: ImportRunSerializer,
            400: OpenApiResponse(
                response={"$ref": "#/components/schemas/Error"},  # the one error shape (core.api)
                description="Refused: the import has not failed (`extra.status` says what it is), its files are no "
                "longer stored (`extra.missing` names them), or another import of the trust is running.",
            ),
        },
        summary="Run a failed import again from its stored files: a background job; poll the import for progress",
    )
    def post(self, request: Request, trust_slug: str, import_run_uuid: Any) -> Response:
        run = import_run_retry(run=self.run(request, import_run_uuid), actor=request.user)
        run.refresh_from_db()  # without Redis the job has already run
        return Response(ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("imports/", ImportRunListView.as_view(), name="api-import-list"),
    path("imports/<uuid:import_run_uuid>/", ImportRunDetailView.as_view(), name="api-import-detail"),
    path("imports/<uuid:import_run_uuid>/group/", ImportRunGroupView.as_view(), name="api-import-group"),
    path("imports/<uuid:import_run_uuid>/confirm/", ImportRunConfirmView.as_view(), name="api-import-confirm"),
    path("imports/<uuid:import_run_uuid>/cancel/", ImportRunCancelView.as_view(), name="api-import-cancel"),
    path("imports/<uuid:import_run_uuid>/retry/", ImportRunRetryView.as_view(), name="api-import-retry"),
]

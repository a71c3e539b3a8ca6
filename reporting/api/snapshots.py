"""Snapshots API, mounted under /api/v1/t/<trust_slug>/: list and read frozen dashboards; executives take one."""

from uuid import UUID

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.models import Snapshot
from reporting.selectors.snapshots import snapshot_of, snapshots_of
from reporting.services.snapshots import snapshot_take
from trust.api import TrustActionPermission
from trust.permissions import Action


class SnapshotSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    academic_year = serializers.IntegerField(help_text="The year the academic year starts: 2026 is 2026/27.")
    half_term = serializers.IntegerField(help_text="1 (Autumn 1) to 6 (Summer 2).")
    half_term_label = serializers.SerializerMethodField()
    kind = serializers.CharField(help_text="half_term_end (scheduled) or on_demand.")
    as_of = serializers.DateField(help_text="The day the figures describe.")
    taken_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_half_term_label(self, snapshot: Snapshot) -> str:
        return snapshot.metrics.get("half_term_label", "")

    def get_taken_by(self, snapshot: Snapshot) -> str:
        return snapshot.taken_by.full_name if snapshot.taken_by else ""


class SnapshotDetailSerializer(SnapshotSerializer):
    schema_version = serializers.IntegerField()
    metrics = serializers.JSONField(help_text="The frozen dashboard document, as GET dashboard/ returns it live.")


class _SnapshotAPI(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_SNAPSHOTS
    write_action = Action.TAKE_SNAPSHOT


class SnapshotListView(_SnapshotAPI):
    @extend_schema(responses=SnapshotSerializer(many=True), summary="The trust's snapshots, newest first")
    def get(self, request: Request, trust_slug: str) -> Response:
        return Response(SnapshotSerializer(snapshots_of(request._request.trust), many=True).data)

    @extend_schema(request=None, responses={201: SnapshotDetailSerializer}, summary="Freeze the dashboard now")
    def post(self, request: Request, trust_slug: str) -> Response:
        snapshot = snapshot_take(trust=request._request.trust, actor=request.user, today=timezone.localdate())
        return Response(SnapshotDetailSerializer(snapshot).data, status=status.HTTP_201_CREATED)


class SnapshotDetailView(_SnapshotAPI):
    @extend_schema(responses=SnapshotDetailSerializer, summary="One snapshot with its frozen figures")
    def get(self, request: Request, trust_slug: str, snapshot_uuid: UUID) -> Response:
        snapshot = snapshot_of(request._request.trust, snapshot_uuid)
        if snapshot is None:
            raise Http404
        return Response(SnapshotDetailSerializer(snapshot).data)


urlpatterns = [
    path("snapshots/", SnapshotListView.as_view(), name="api-snapshot-list"),
    path("snapshots/<uuid:snapshot_uuid>/", SnapshotDetailView.as_view(), name="api-snapshot-detail"),
]

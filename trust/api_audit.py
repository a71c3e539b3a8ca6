"""API for the trust's audit log: a read-only list with the page's filters, paged by limit and offset.

Mounted under /api/v1/t/<trust_slug>/. Executives only; there is no write, change or delete operation.
"""

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.pagination import LimitOffsetPagination

from core.audit import audit_entries
from core.models import AuditEntry
from trust.api import TrustActionPermission
from trust.permissions import Action


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.UUIDField(
        source="actor.uuid", allow_null=True, read_only=True, help_text="Null for the system."
    )
    changes = serializers.JSONField(help_text="Field -> [before, after] for a change; the values given for a creation.")

    class Meta:
        model = AuditEntry
        fields = [
            "at",
            "actor",
            "actor_name",
            "action",
            "object_type",
            "object_uuid",
            "object_label",
            "changes",
            "ip_address",
        ]


class AuditFilterSerializer(serializers.Serializer):
    actor = serializers.UUIDField(required=False)
    action = serializers.CharField(required=False, allow_blank=True, default="")
    object_type = serializers.CharField(required=False, allow_blank=True, default="")
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)


class AuditPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


@extend_schema(
    summary="The trust's audit log",
    description="Every write and file read in the trust, newest first. Executives only; entries never change.",
    parameters=[
        OpenApiParameter("actor", OpenApiTypes.UUID, description="Only what this person did."),
        OpenApiParameter("action", str, description="An action code, such as rating.decided or file.read."),
        OpenApiParameter("object_type", str, description="A kind of record, such as reviews.Evidence."),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="On or after this day."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="On or before this day."),
    ],
)
class AuditEntryListView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_AUDIT_LOG
    write_action = Action.VIEW_AUDIT_LOG  # there is no write: only GET is allowed
    serializer_class = AuditEntrySerializer
    pagination_class = AuditPagination

    def get_queryset(self) -> Any:
        filters = AuditFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return audit_entries(
            trust=self.request._request.trust,
            actor_uuid=data.get("actor"),
            action=data["action"],
            object_type=data["object_type"],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        ).select_related("actor")


urlpatterns = [
    path("audit/", AuditEntryListView.as_view(), name="api-audit-log"),
]

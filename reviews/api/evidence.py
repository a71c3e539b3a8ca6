"""API for evidence: list, record (multipart, with an optional file), read, change, delete, download.

Mounted under /api/v1/t/<trust_slug>/ by reviews.api.urls. Visibility is the pages': an item
a person may not see (another school's, trust-only for a school, another author's) is 404.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import RowsByUuidField, UuidRelatedField
from core.audit import audit_file_read, client_ip
from core.uploads import CONTENT_TYPES, download_response
from reviews.models import Evidence, EvidenceType
from reviews.selectors.evidence import (
    evidence_list,
    evidence_schools,
    evidence_visible_to,
    may_change_evidence,
    stale_before,
    trust_areas,
)
from reviews.services.evidence import evidence_delete, evidence_record, evidence_update
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action


class JudgementAreaRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.SlugField()
    label = serializers.CharField()


class AuthorSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    full_name = serializers.CharField()


class FileInfoSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The cleaned file name, used for the download.")
    type = serializers.CharField(help_text="Detected from the content: pdf, docx, xlsx, pptx, png or jpeg.")
    size = serializers.IntegerField(help_text="Bytes.")
    download_url = serializers.CharField()


class EvidenceSerializer(serializers.ModelSerializer):
    school = SchoolRefSerializer(read_only=True)
    areas = JudgementAreaRefSerializer(many=True, read_only=True)
    author = AuthorSerializer(read_only=True, allow_null=True)
    evidence_type_label = serializers.CharField(source="get_evidence_type_display", read_only=True)
    file = serializers.SerializerMethodField()
    is_stale = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "uuid",
            "school",
            "evidence_type",
            "evidence_type_label",
            "observed_on",
            "areas",
            "author",
            "summary",
            "strengths",
            "areas_for_development",
            "shared_with_school",
            "file",
            "is_stale",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(FileInfoSerializer(allow_null=True))
    def get_file(self, evidence: Evidence) -> dict[str, Any] | None:
        if not evidence.file:
            return None
        request = self.context["request"]
        url = reverse(
            "api-evidence-download",
            kwargs={"trust_slug": request._request.trust.slug, "evidence_uuid": evidence.uuid},
        )
        return {
            "name": evidence.file_name,
            "type": evidence.file_type,
            "size": evidence.file_size,
            "download_url": url,
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_is_stale(self, evidence: Evidence) -> bool:
        return evidence.observed_on < self.context["stale_before"]


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


@extend_schema_field(OpenApiTypes.UUID)
class _AreasField(UuidRelatedField):
    def get_queryset(self) -> Any:
        return trust_areas(self.context["request"]._request.trust)


@extend_schema_field(OpenApiTypes.UUID)
class _SchoolField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return evidence_schools(self.context["request"]._request.membership)


class EvidenceUpdateSerializer(serializers.Serializer):
    evidence_type = serializers.ChoiceField(choices=EvidenceType.choices)
    observed_on = serializers.DateField(help_text="Not in the future.")
    areas = RowsByUuidField(
        child=_AreasField(),
        required=False,
        help_text="UUIDs of the trust's judgement areas (send the field once per area in multipart).",
    )
    summary = serializers.CharField()
    strengths = serializers.CharField(required=False, allow_blank=True, default="")
    areas_for_development = serializers.CharField(required=False, allow_blank=True, default="")
    shared_with_school = serializers.BooleanField(
        required=False, default=False, help_text="Shared items are visible to the school's headteacher and governors."
    )
    file = serializers.FileField(
        required=False,
        allow_empty_file=True,  # the upload check refuses it, naming the file
        help_text="PDF, DOCX, XLSX, PPTX, PNG or JPEG, checked by content; refused files are named in the error "
        "and nothing is stored.",
    )


class EvidenceUpdateInputSerializer(EvidenceUpdateSerializer):
    remove_file = serializers.BooleanField(required=False, default=False, help_text="Remove the current file.")


class EvidenceCreateSerializer(EvidenceUpdateSerializer):
    school = _SchoolField(slug_field="uuid", help_text="UUID of one of the trust's schools.")


class _EvidenceAPI:
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_EVIDENCE
    write_action = Action.RECORD_EVIDENCE
    request: Any

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["stale_before"] = stale_before(self.request._request.trust, timezone.localdate())
        return context


@extend_schema(
    parameters=[
        OpenApiParameter("school", OpenApiTypes.UUID, description="Only this school's evidence."),
        OpenApiParameter("evidence_type", str, enum=EvidenceType.values),
        OpenApiParameter("area", OpenApiTypes.UUID, description="Only evidence informing this judgement area."),
    ]
)
class EvidenceListView(_EvidenceAPI, generics.ListAPIView):
    """Evidence the person may see: trust-wide for executives and improvement leads, their own for
    specialists, their school's shared items for headteachers and governors."""

    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> Any:
        params = self.request.query_params
        membership = self.membership
        school = area = None
        if value := params.get("school"):
            school = evidence_schools(membership).filter(uuid=_uuid_or_none(value)).first()
            if school is None:
                return Evidence.objects.none()
        if value := params.get("area"):
            area = trust_areas(membership.trust).filter(uuid=_uuid_or_none(value)).first()
            if area is None:
                return Evidence.objects.none()
        return evidence_list(membership, school=school, evidence_type=params.get("evidence_type", ""), area=area)

    @extend_schema(
        request={"multipart/form-data": EvidenceCreateSerializer, "application/json": EvidenceCreateSerializer},
        responses={201: EvidenceSerializer},
        summary="Record evidence, with an optional file (multipart/form-data)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = EvidenceCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        evidence = evidence_record(actor=request.user, upload=data.pop("file", None), **data)
        return Response(
            EvidenceSerializer(evidence, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )


class EvidenceDetailView(_EvidenceAPI, generics.RetrieveDestroyAPIView):
    serializer_class = EvidenceSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    lookup_field = "uuid"
    lookup_url_kwarg = "evidence_uuid"

    def get_queryset(self) -> Any:
        return evidence_visible_to(self.membership)

    def get_object(self) -> Evidence:
        evidence = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS and not may_change_evidence(self.membership, evidence):
            raise PermissionDenied
        return evidence

    @extend_schema(
        request={
            "multipart/form-data": EvidenceUpdateInputSerializer,
            "application/json": EvidenceUpdateInputSerializer,
        },
        responses=EvidenceSerializer,
        summary="Change an item (fields left out stay as they are; a file replaces the current one)",
    )
    def patch(self, request: Request, trust_slug: str, evidence_uuid: str) -> Response:
        evidence = self.get_object()
        serializer = EvidenceUpdateInputSerializer(data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        evidence_update(
            evidence=evidence,
            actor=request.user,
            evidence_type=data.get("evidence_type", evidence.evidence_type),
            observed_on=data.get("observed_on", evidence.observed_on),
            areas=data["areas"] if "areas" in data else list(evidence.areas.all()),
            summary=data.get("summary", evidence.summary),
            strengths=data.get("strengths", evidence.strengths),
            areas_for_development=data.get("areas_for_development", evidence.areas_for_development),
            shared_with_school=data.get("shared_with_school", evidence.shared_with_school),
            upload=data.get("file"),
            remove_file=data.get("remove_file", False),
        )
        evidence = self.get_queryset().get(pk=evidence.pk)
        return Response(EvidenceSerializer(evidence, context=self.get_serializer_context()).data)

    def perform_destroy(self, instance: Evidence) -> None:
        evidence_delete(evidence=instance, actor=self.request.user)


class EvidenceDownloadView(_EvidenceAPI, APIView):
    @extend_schema(
        responses={
            # One entry per type an upload can be (core.uploads.CONTENT_TYPES), and the fallback.
            **{
                (200, content_type): OpenApiResponse(
                    OpenApiTypes.BINARY,
                    description="The file as an attachment, with the Content-Type of its detected type.",
                )
                for content_type in [*CONTENT_TYPES.values(), "application/octet-stream"]
            },
            404: OpenApiResponse(description="Not visible to you, or the item has no file."),
        },
        summary="Download an item's file",
    )
    def get(self, request: Request, trust_slug: str, evidence_uuid: str) -> HttpResponseBase:
        evidence = get_object_or_404(evidence_visible_to(self.membership), uuid=evidence_uuid)
        if not evidence.file:
            return Response({"message": "This evidence has no file.", "extra": {}}, status=404)
        audit_file_read(
            trust=self.membership.trust_id,
            actor=request.user,
            obj=evidence,
            label=f"{evidence}: {evidence.file_name}",
            ip_address=client_ip(request),
        )
        return download_response(evidence.file, file_name=evidence.file_name, detected_type=evidence.file_type)


urlpatterns = [
    path("evidence/", EvidenceListView.as_view(), name="api-evidence-list"),
    path("evidence/<uuid:evidence_uuid>/", EvidenceDetailView.as_view(), name="api-evidence-detail"),
    path("evidence/<uuid:evidence_uuid>/download/", EvidenceDownloadView.as_view(), name="api-evidence-download"),
]

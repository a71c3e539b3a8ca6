"""API for visits and the calendar: list (filters), add, read, change, record; create the year's trust events.

Mounted under /api/v1/t/<trust_slug>/. Visibility is the pages': another school's visit (for headteachers
and governors) or one a specialist does not own is 404; schools read a visit's notes only when shared.
"""

import datetime
from typing import Any
from uuid import UUID

from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from interventions.api.interventions import PersonRefSerializer
from interventions.models import Activity, ActivityStatus, ActivityType
from interventions.selectors.visits import activities_visible_to, activity_list, may_read_notes, owner_choices
from interventions.services.visits import (
    TRUST_WIDE_ROLES,
    may_record,
    trust_events_create,
    visit_add,
    visit_record,
    visit_update,
)
from reviews.models import EvidenceType
from schools.selectors.schools import schools_visible_to
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.models import Role
from trust.permissions import Action


class ActivitySerializer(serializers.ModelSerializer):
    school = SchoolRefSerializer(allow_null=True)
    owner = PersonRefSerializer(allow_null=True)
    recorded_by = PersonRefSerializer(allow_null=True)
    notes = serializers.SerializerMethodField(help_text="Empty for schools unless shared with the school.")
    not_recorded = serializers.SerializerMethodField(help_text="Planned, and its date has passed.")
    evidence = serializers.SerializerMethodField(help_text="UUIDs of the evidence the caller may see.")

    class Meta:
        model = Activity
        fields = [
            "uuid",
            "school",
            "activity_type",
            "title",
            "owner",
            "planned_on",
            "status",
            "not_recorded",
            "source",
            "cancelled_reason",
            "notes",
            "notes_shared_with_school",
            "recorded_by",
            "recorded_at",
            "evidence",
        ]

    def get_notes(self, activity: Activity) -> str:
        return activity.notes if may_read_notes(self.context["membership"], activity) else ""

    def get_not_recorded(self, activity: Activity) -> bool:
        return bool(getattr(activity, "not_recorded", False))

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_evidence(self, activity: Activity) -> list[UUID]:
        membership = self.context["membership"]
        items = list(activity.evidence.all())
        if membership.role == Role.SPECIALIST:
            items = [e for e in items if e.author_id == membership.user_id]
        elif membership.role not in TRUST_WIDE_ROLES:
            items = [e for e in items if e.shared_with_school]
        return [e.uuid for e in items]


@extend_schema_field(OpenApiTypes.UUID)
class _SchoolField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return schools_visible_to(self.context["membership"])


@extend_schema_field(OpenApiTypes.UUID)
class _OwnerField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return owner_choices(self.context["membership"])


class ActivityInputSerializer(serializers.Serializer):
    school = _SchoolField(slug_field="uuid", allow_null=True, required=False, default=None)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    owner = _OwnerField(slug_field="uuid", allow_null=True, required=False, default=None)
    planned_on = serializers.DateField()


class ActivityChangeSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    owner = _OwnerField(slug_field="uuid", allow_null=True, required=False)
    planned_on = serializers.DateField(required=False)


class RecordSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in ActivityStatus if s != ActivityStatus.PLANNED]
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    notes_shared_with_school = serializers.BooleanField(required=False, default=False)
    cancelled_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when cancelled."
    )
    evidence_type = serializers.ChoiceField(
        choices=EvidenceType.choices, required=False, help_text="Give it to add evidence (a visit that was done)."
    )
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    strengths = serializers.CharField(required=False, allow_blank=True, default="")
    areas_for_development = serializers.CharField(required=False, allow_blank=True, default="")
    shared_with_school = serializers.BooleanField(required=False, default=False)
    file = serializers.FileField(required=False, help_text="Send as multipart/form-data.")

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        evidence = None
        if data.get("evidence_type"):
            evidence = {
                "evidence_type": data["evidence_type"],
                "summary": data["summary"],
                "strengths": data["strengths"],
                "areas_for_development": data["areas_for_development"],
                "shared_with_school": data["shared_with_school"],
                "upload": data.get("file"),
            }
        return {
            "status": data["status"],
            "notes": data["notes"],
            "notes_shared_with_school": data["notes_shared_with_school"],
            "cancelled_reason": data["cancelled_reason"],
            "evidence": evidence,
        }


class TrustEventsInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="First year: 2026 means 2026/27.")


class TrustEventsOutputSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    activities = ActivitySerializer(many=True)


class _VisitAPI:
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_CALENDAR
    write_action = Action.PLAN_VISITS
    request: Any

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def get_serializer_context(self) -> dict[str, Any]:
        return {"request": self.request, "membership": self.membership}

    def activity(self, activity_uuid: UUID) -> Activity:
        return get_object_or_404(
            activities_visible_to(self.membership).prefetch_related("evidence"), uuid=activity_uuid
        )

    def respond(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        """After a write: the activity read back as stored, with the list's annotations and evidence."""
        return self.serialized(self.activity(activity.uuid), code)

    def serialized(self, activity: Activity, code: int = status.HTTP_200_OK) -> Response:
        return Response(ActivitySerializer(activity, context=self.get_serializer_context()).data, status=code)


def _date_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        raise serializers.ValidationError({"date": "Use YYYY-MM-DD."}) from None


@extend_schema(
    parameters=[
        OpenApiParameter("owner", OpenApiTypes.UUID, description="Owner's UUID"),
        OpenApiParameter("school", OpenApiTypes.UUID, description="School's UUID"),
        OpenApiParameter("type", OpenApiTypes.STR, enum=ActivityType.values),
        OpenApiParameter("status", OpenApiTypes.STR, enum=ActivityStatus.values),
        OpenApiParameter("start", OpenApiTypes.DATE, description="On or after"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="On or before"),
    ]
)
class VisitListView(_VisitAPI, generics.ListAPIView):
    """Visits and trust-wide events the caller may see, by date."""

    serializer_class = ActivitySerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        owner = school = None
        if params.get("owner"):
            owner = owner_choices(self.membership).filter(uuid=params["owner"]).first()
            if owner is None:
                return Activity.objects.none()
        if params.get("school"):
            school = schools_visible_to(self.membership).filter(uuid=params["school"]).first()
            if school is None:
                return Activity.objects.none()
        return (
            activity_list(
                self.membership,
                owner=owner,
                school=school,
                activity_type=params.get("type", ""),
                status=params.get("status", ""),
                start=_date_param(params.get("start")),
                end=_date_param(params.get("end")),
            )
            .select_related("recorded_by")
            .prefetch_related("evidence")
        )

    @extend_schema(
        request=ActivityInputSerializer,
        responses={201: ActivitySerializer},
        summary="Add a visit (without a school: a trust-wide event)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = ActivityInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        created = visit_add(trust=request._request.trust, actor=request.user, **serializer.validated_data)
        return self.respond(created, status.HTTP_201_CREATED)


class VisitDetailView(_VisitAPI, APIView):
    @extend_schema(responses=ActivitySerializer, summary="A visit or trust-wide event")
    def get(self, request: Request, trust_slug: str, activity_uuid: UUID) -> Response:
        return self.serialized(self.activity(activity_uuid))

    @extend_schema(
        request=ActivityChangeSerializer, responses=ActivitySerializer, summary="Change owner, date or title"
    )
    def patch(self, request: Request, trust_slug: str, activity_uuid: UUID) -> Response:
        activity = self.activity(activity_uuid)
        serializer = ActivityChangeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit_update(
            activity=activity,
            actor=request.user,
            owner=data.get("owner", activity.owner),
            planned_on=data.get("planned_on", activity.planned_on),
            title=data.get("title", activity.title),
        )
        return self.respond(activity)


class VisitRecordView(_VisitAPI, APIView):
    write_action = Action.RECORD_VISITS
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": RecordSerializer, "multipart/form-data": RecordSerializer},
        responses=ActivitySerializer,
        summary="Record a visit: done, cancelled (with a reason) or missed, with optional evidence",
    )
    def post(self, request: Request, trust_slug: str, activity_uuid: UUID) -> Response:
        activity = self.activity(activity_uuid)
        if not may_record(self.membership, activity):
            raise PermissionDenied("Only the visit's owner, an executive or an improvement lead can record it.")
        serializer = RecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        visit_record(activity=activity, actor=request.user, **serializer.service_kwargs())
        return self.respond(activity)


class TrustEventsView(_VisitAPI, APIView):
    write_action = Action.MANAGE_CALENDAR

    @extend_schema(
        request=TrustEventsInputSerializer,
        responses={201: TrustEventsOutputSerializer},
        summary="Create the year's trust-wide events from the trust calendar (running it twice adds nothing)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = TrustEventsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = trust_events_create(
            trust=request._request.trust, actor=request.user, academic_year=serializer.validated_data["year"]
        )
        # New events have no evidence yet; one query says so for all of them, not one per event.
        prefetch_related_objects(created, "evidence")
        data = {"created": len(created), "activities": created}
        return Response(
            TrustEventsOutputSerializer(data, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("visits/", VisitListView.as_view(), name="api-visit-list"),
    path("visits/<uuid:activity_uuid>/", VisitDetailView.as_view(), name="api-visit-detail"),
    path("visits/<uuid:activity_uuid>/record/", VisitRecordView.as_view(), name="api-visit-record"),
    path("activities/trust-events/", TrustEventsView.as_view(), name="api-activity-trust-events"),
]

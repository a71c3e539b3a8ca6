"""API for support requests: list, ask (headteacher), accept into an intervention, decline with a reason.

Mounted under /api/v1/t/<trust_slug>/. Headteachers and governors see their own school's requests.
"""

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from interventions.api.interventions import CommissionSerializer, PersonRefSerializer, UuidRef, commission_from
from interventions.models import ExpertiseArea, SupportRequest, SupportRequestStatus, Urgency
from interventions.selectors.interventions import interventions_visible_to, requests_visible_to
from interventions.services.requests import support_request_accept, support_request_decline, support_request_submit
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action


class SupportRequestSerializer(serializers.ModelSerializer):
    school = SchoolRefSerializer()
    requested_by = PersonRefSerializer(allow_null=True)
    triaged_by = PersonRefSerializer(allow_null=True)
    interventions = UuidRef(many=True)

    class Meta:
        model = SupportRequest
        fields = [
            "uuid",
            "school",
            "area",
            "need",
            "urgency",
            "status",
            "requested_by",
            "created_at",
            "triaged_by",
            "triaged_at",
            "decline_reason",
            "interventions",
        ]


class SupportRequestInputSerializer(serializers.Serializer):
    area = serializers.ChoiceField(choices=ExpertiseArea.choices)
    need = serializers.CharField(help_text="What is needed, and why now.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, default=Urgency.MEDIUM)


@extend_schema_field(OpenApiTypes.UUID)
class _InterventionField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return interventions_visible_to(self.context["request"]._request.membership)


class AcceptInputSerializer(CommissionSerializer):
    """Either `intervention` (an existing one for the same school) or the new intervention's fields."""

    intervention = _InterventionField(
        slug_field="uuid", required=False, allow_null=True, default=None, help_text="Link an existing intervention."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = kwargs.get("data") or {}
        if isinstance(data, dict) and data.get("intervention"):
            for name, field in self.fields.items():
                if name != "intervention":
                    field.required = False


class DeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Required; the headteacher reads it.")


class _RequestAPI:
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_REQUESTS
    write_action = Action.TRIAGE_REQUESTS
    request: Any

    def support_request(self, support_request_uuid: UUID) -> SupportRequest:
        return get_object_or_404(requests_visible_to(self.request._request.membership), uuid=support_request_uuid)

    def respond(self, support_request: SupportRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.support_request(support_request.uuid)
        return Response(SupportRequestSerializer(fresh).data, status=code)


class SupportRequestListView(_RequestAPI, generics.ListAPIView):
    """Requests the caller may see: all for the trust's leads, their own school's for headteachers and governors."""

    serializer_class = SupportRequestSerializer
    write_action = Action.REQUEST_SUPPORT

    def get_queryset(self) -> Any:
        return requests_visible_to(self.request._request.membership)

    @extend_schema(
        request=SupportRequestInputSerializer,
        responses={201: SupportRequestSerializer},
        summary="Ask for support for the headteacher's own school (an identical open request is refused)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = SupportRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        school = request._request.membership.school
        created = support_request_submit(school=school, actor=request.user, **serializer.validated_data)
        return self.respond(created, status.HTTP_201_CREATED)


class SupportRequestAcceptView(_RequestAPI, APIView):
    @extend_schema(
        request=AcceptInputSerializer,
        responses=SupportRequestSerializer,
        summary="Accept into a new intervention (its fields) or link an existing one (`intervention`)",
    )
    def post(self, request: Request, trust_slug: str, support_request_uuid: UUID) -> Response:
        support_request = self.support_request(support_request_uuid)
        if support_request.status != SupportRequestStatus.OPEN:
            raise ApplicationError(f"This request has already been {support_request.status}.")
        serializer = AcceptInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        existing = data.pop("intervention", None)
        if existing is not None:
            support_request_accept(support_request=support_request, actor=request.user, intervention=existing)
        else:
            commission_from(
                {
                    **data,
                    "school": support_request.school,
                    "area_of_need": support_request.area,
                    "support_request": support_request,
                },
                request.user,
            )
        return self.respond(support_request)


class SupportRequestDeclineView(_RequestAPI, APIView):
    @extend_schema(request=DeclineInputSerializer, responses=SupportRequestSerializer, summary="Decline with a reason")
    def post(self, request: Request, trust_slug: str, support_request_uuid: UUID) -> Response:
        support_request = self.support_request(support_request_uuid)
        serializer = DeclineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        support_request_decline(
            support_request=support_request, actor=request.user, reason=serializer.validated_data["reason"]
        )
        return self.respond(support_request)


urlpatterns = [
    path("support-requests/", SupportRequestListView.as_view(), name="api-request-list"),
    path(
        "support-requests/<uuid:support_request_uuid>/accept/",
        SupportRequestAcceptView.as_view(),
        name="api-request-accept",
    ),
    path(
        "support-requests/<uuid:support_request_uuid>/decline/",
        SupportRequestDeclineView.as_view(),
        name="api-request-decline",
    ),
]

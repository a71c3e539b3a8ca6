"""API for the register of expertise and brokering, mounted under /api/v1/t/<trust_slug>/.

Executives and improvement leads read; executives write. A home school or account of another
trust reads as unknown, with the same message as a UUID that names nothing.
"""

from decimal import Decimal
from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.academic import term_bounds
from core.exceptions import ApplicationError
from interventions.models import Expert, ExpertiseArea, ExpertRole
from interventions.selectors.brokering import broker
from interventions.selectors.register import (
    RegisterRow,
    linkable_members,
    register_experts,
    register_list,
    register_row,
)
from interventions.services.register import (
    UNKNOWN_SCHOOL,
    UNKNOWN_USER,
    expert_add,
    expert_deactivate,
    expert_reactivate,
    expert_update,
)
from schools.models import School
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action


# Wrapped in allOf so the schema keeps the values inline instead of a shared "Role" enum that would clash
# with the trust's member roles.
@extend_schema_field({"allOf": [{"type": "string", "enum": ExpertRole.values}], "description": "Role on the register."})
class ExpertRoleField(serializers.ChoiceField):
    """A register role; described inline so it does not collide with the trust's member roles in the schema."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=ExpertRole.choices, **kwargs)


class TermSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Autumn, Spring or Summer.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days_committed = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False)
    days_left = serializers.DecimalField(
        max_digits=7, decimal_places=1, coerce_to_string=False, help_text="Negative when over-committed."
    )


class AccountRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    full_name = serializers.CharField()
    email = serializers.EmailField()


class ExpertSerializer(serializers.ModelSerializer):
    role = ExpertRoleField()
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    home_school = SchoolRefSerializer(read_only=True, allow_null=True)
    user = AccountRefSerializer(read_only=True, allow_null=True)
    areas = serializers.ListField(child=serializers.ChoiceField(choices=ExpertiseArea.choices))
    days_per_term = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False)
    this_term = serializers.SerializerMethodField()

    class Meta:
        model = Expert
        fields = [
            "uuid",
            "name",
            "role",
            "role_label",
            "home_school",
            "organisation",
            "email",
            "user",
            "areas",
            "days_per_term",
            "is_active",
            "this_term",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(TermSerializer)
    def get_this_term(self, expert: Expert) -> dict[str, Any]:
        rows: dict[int, RegisterRow] = self.context.get("rows", {})
        term = self.context["term"]
        row = rows.get(expert.pk) or register_row(expert, term)
        return {
            "name": term[0],
            "starts_on": term[1],
            "ends_on": term[2],
            "days_committed": row.committed,
            "days_left": row.days_left,
        }


@extend_schema_field(OpenApiTypes.UUID)
class _HomeSchoolField(serializers.UUIDField):
    """Resolved in the view against the trust's schools, so a foreign UUID reads as unknown."""


class ExpertInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    role = ExpertRoleField()
    areas = serializers.ListField(
        child=serializers.ChoiceField(choices=ExpertiseArea.choices), help_text="Codes of areas of expertise."
    )
    days_per_term = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=Decimal(0))
    home_school = _HomeSchoolField(
        required=False,
        allow_null=True,
        help_text="UUID of one of the trust's schools; null for trust staff and external.",
    )
    organisation = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    user = serializers.UUIDField(
        required=False, allow_null=True, help_text="UUID of a member of the trust to link as this person's account."
    )


class ExpertUpdateSerializer(ExpertInputSerializer):
    is_active = serializers.BooleanField(required=False, help_text="false: stop offering for brokering.")


def _resolve_links(request: Request, data: dict[str, Any]) -> dict[str, Any]:
    trust = request._request.trust
    if "home_school" in data:
        uuid = data["home_school"]
        data["home_school"] = None
        if uuid is not None:
            data["home_school"] = School.objects.filter(trust=trust, uuid=uuid).first()
            if data["home_school"] is None:
                raise ApplicationError(UNKNOWN_SCHOOL, {"field": "home_school"})
    if "user" in data:
        uuid = data["user"]
        data["user"] = None
        if uuid is not None:
            data["user"] = linkable_members(trust).filter(uuid=uuid).first()
            if data["user"] is None:
                raise ApplicationError(UNKNOWN_USER, {"field": "user"})
    return data


class _RegisterAPI(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_REGISTER
    write_action = Action.MANAGE_REGISTER

    @property
    def term(self) -> tuple[Any, ...]:
        return term_bounds(timezone.localdate())


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


class ExpertListView(_RegisterAPI):
    @extend_schema(
        parameters=[
            OpenApiParameter("area", str, enum=ExpertiseArea.values, description="Only people listing this area."),
            OpenApiParameter("role", str, enum=ExpertRole.values),
            OpenApiParameter("home_school", OpenApiTypes.UUID, description="Only people based at this school."),
            OpenApiParameter("include_inactive", OpenApiTypes.BOOL, description="Include people no longer offered."),
        ],
        responses=ExpertSerializer(many=True),
        summary="The register of expertise, with each person's days committed and left this term",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        params = request.query_params
        trust = request._request.trust
        home_school = None
        if value := params.get("home_school"):
            home_school = School.objects.filter(trust=trust, uuid=_uuid_or_none(value)).first()
            if home_school is None:
                return Response([])
        area = params.get("area", "")
        role = params.get("role", "")
        rows = register_list(
            trust,
            term=self.term,
            area=area if area in ExpertiseArea.values else "",
            role=role if role in ExpertRole.values else "",
            home_school=home_school,
            include_inactive=params.get("include_inactive", "").lower() in {"1", "true", "yes"},
        )
        if (area and area not in ExpertiseArea.values) or (role and role not in ExpertRole.values):
            rows = []
        context = {"request": request, "term": self.term, "rows": {r.expert.pk: r for r in rows}}
        return Response(ExpertSerializer([r.expert for r in rows], many=True, context=context).data)

    @extend_schema(
        request=ExpertInputSerializer,
        responses={201: ExpertSerializer},
        summary="Add a person to the register",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = ExpertInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _resolve_links(request, dict(serializer.validated_data))
        expert = expert_add(trust=request._request.trust, actor=request.user, **data)
        context = {"request": request, "term": self.term}
        return Response(ExpertSerializer(expert, context=context).data, status=status.HTTP_201_CREATED)


class ExpertDetailView(_RegisterAPI):
    def _expert(self, request: Request, expert_uuid: UUID) -> Expert:
        return get_object_or_404(register_experts(request._request.trust), uuid=expert_uuid)

    @extend_schema(responses=ExpertSerializer, summary="One person on the register")
    def get(self, request: Request, trust_slug: str, expert_uuid: UUID) -> Response:
        expert = self._expert(request, expert_uuid)
        return Response(ExpertSerializer(expert, context={"request": request, "term": self.term}).data)

    @extend_schema(
        request=ExpertUpdateSerializer,
        responses=ExpertSerializer,
        summary="Change a person's entry (fields left out keep their value; is_active=false deactivates)",
    )
    def patch(self, request: Request, trust_slug: str, expert_uuid: UUID) -> Response:
        expert = self._expert(request, expert_uuid)
        serializer = ExpertUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = _resolve_links(request, dict(serializer.validated_data))
        is_active = data.pop("is_active", None)
        if data:
            current = {
                "name": expert.name,
                "role": expert.role,
                "areas": expert.areas,
                "days_per_term": expert.days_per_term,
                "home_school": expert.home_school,
                "organisation": expert.organisation,
                "email": expert.email,
                "user": expert.user,
            }
            expert_update(expert=expert, actor=request.user, **{**current, **data})
        if is_active is False:
            expert_deactivate(expert=expert, actor=request.user)
        elif is_active is True:
            expert_reactivate(expert=expert, actor=request.user)
        expert = self._expert(request, expert_uuid)
        return Response(ExpertSerializer(expert, context={"request": request, "term": self.term}).data)


class BrokerParamsSerializer(serializers.Serializer):
    school = serializers.UUIDField(help_text="UUID of the school needing support.")
    area = serializers.ChoiceField(choices=ExpertiseArea.choices)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days = serializers.DecimalField(max_digits=6, decimal_places=1, min_value=Decimal(0), help_text="Days needed.")


class ExpertRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    role = ExpertRoleField()
    home_school = SchoolRefSerializer(allow_null=True)
    organisation = serializers.CharField()


class SupportSuggestionSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    expert = ExpertRefSerializer()
    tier = serializers.IntegerField(help_text="1 school-to-school, 2 trust specialist, 3 external.")
    tier_label = serializers.CharField()
    days_left = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False)
    days_committed = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False)
    home_school_level = serializers.CharField(allow_null=True, help_text="The home school's current rating level.")
    area_grade = serializers.IntegerField(
        allow_null=True, help_text="The trust's latest judgement of the home school in the related area (1 best)."
    )
    over_committed = serializers.BooleanField()
    over_by = serializers.DecimalField(max_digits=7, decimal_places=1, coerce_to_string=False)
    reasons = serializers.ListField(child=serializers.CharField())


class BrokerView(_RegisterAPI):
    @extend_schema(
        parameters=[BrokerParamsSerializer],
        responses=SupportSuggestionSerializer(many=True),
        summary="Rank who could support a school's need: school-to-school, then trust specialists, then external",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        params = BrokerParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        school = School.objects.filter(trust=request._request.trust, uuid=data["school"]).first()
        if school is None:
            raise ApplicationError(UNKNOWN_SCHOOL, {"field": "school"})
        suggestions = broker(
            school=school,
            area=data["area"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            days_needed=data["days"],
        )
        return Response(SupportSuggestionSerializer(suggestions, many=True).data)


urlpatterns = [
    path("register/", ExpertListView.as_view(), name="api-register-list"),
    path("register/broker/", BrokerView.as_view(), name="api-register-broker"),
    path("register/<uuid:expert_uuid>/", ExpertDetailView.as_view(), name="api-register-detail"),
]

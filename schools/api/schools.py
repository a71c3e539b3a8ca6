"""API for schools, their inspections and their measure values (school-level roles: own school only)."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from schools.models import Inspection, InspectionSource, MeasureValue, MembershipStatus, School
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS, InspectionEra
from schools.selectors.schools import OFSTED_FILTERS, outcome_words, school_list, schools_visible_to
from schools.services.inspections import inspection_record
from trust.api import TrustActionPermission
from trust.permissions import Action


class SchoolSerializer(serializers.ModelSerializer):
    ofsted_outcome = serializers.SerializerMethodField()
    latest_inspected_on = serializers.DateField(read_only=True, allow_null=True)

    class Meta:
        model = School
        fields = [
            "uuid",
            "urn",
            "name",
            "phase",
            "establishment_type",
            "la_code",
            "la_name",
            "postcode",
            "number_of_pupils",
            "headteacher_name",
            "gias_status",
            "is_open",
            "opened_on",
            "closed_on",
            "status",
            "joined_trust_on",
            "left_trust_on",
            "is_incomplete",
            "latest_inspected_on",
            "ofsted_outcome",
        ]

    def get_ofsted_outcome(self, school: School) -> str:
        return outcome_words(getattr(school, "latest_era", None), getattr(school, "latest_overall", None))


class _Scoped:
    request: Any

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def school(self) -> School:
        return get_object_or_404(schools_visible_to(self.membership), uuid=self.kwargs["school_uuid"])


@extend_schema(
    parameters=[
        OpenApiParameter("phase", str),
        OpenApiParameter("la", str, description="Local authority name"),
        OpenApiParameter("ofsted", str, enum=list(OFSTED_FILTERS)),
        OpenApiParameter("status", str, enum=MembershipStatus.values),
    ]
)
class SchoolListView(_Scoped, generics.ListAPIView):
    """The trust's schools (a headteacher or governor sees only their own)."""

    serializer_class = SchoolSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_SCHOOLS

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return school_list(self.membership, **{k: params.get(k, "") for k in ("phase", "la", "ofsted", "status")})


class SchoolDetailView(_Scoped, generics.RetrieveAPIView):
    serializer_class = SchoolSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_SCHOOLS
    lookup_field = "uuid"
    lookup_url_kwarg = "school_uuid"

    def get_queryset(self) -> Any:
        return school_list(self.membership)


class InspectionSerializer(serializers.ModelSerializer):
    judgements = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = ["uuid", "inspected_on", "inspection_type", "era", "safeguarding_met", "source", "notes", "judgements"]

    def get_judgements(self, inspection: Inspection) -> dict[str, int]:
        return {j.area: j.grade for j in inspection.judgements.all()}


class InspectionInputSerializer(serializers.Serializer):
    inspected_on = serializers.DateField()
    inspection_type = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    safeguarding_met = serializers.BooleanField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    judgements = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        help_text=f"Area -> grade. Legacy areas (1-4): {', '.join(LEGACY_AREAS)}. "
        f"Report-card areas (1-5, from 10 November 2025): {', '.join(REPORT_CARD_AREAS)}.",
    )


class InspectionListView(_Scoped, generics.ListAPIView):
    """A school's inspections, newest first; improvement leads and executives add them."""

    serializer_class = InspectionSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_SCHOOLS
    write_action = Action.RECORD_INSPECTIONS

    def get_queryset(self) -> Any:
        return self.school().inspections.prefetch_related("judgements").order_by("-inspected_on")

    @extend_schema(request=InspectionInputSerializer, responses={201: InspectionSerializer, 200: InspectionSerializer})
    def post(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        school = self.school()
        data = InspectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        inspection, outcome = inspection_record(
            school=school, source=InspectionSource.FORM, actor=request.user, **data.validated_data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return Response(InspectionSerializer(inspection).data, status=code)


class InspectionDetailView(_Scoped, generics.RetrieveAPIView):
    serializer_class = InspectionSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_SCHOOLS
    write_action = Action.RECORD_INSPECTIONS
    lookup_field = "uuid"
    lookup_url_kwarg = "inspection_uuid"

    def get_queryset(self) -> Any:
        return Inspection.objects.filter(school=self.school()).prefetch_related("judgements")

    @extend_schema(
        request=InspectionInputSerializer,
        responses=InspectionSerializer,
        summary="Correct an inspection (its date stays as it is)",
    )
    def put(self, request: Request, trust_slug: str, school_uuid: str, inspection_uuid: str) -> Response:
        inspection = self.get_object()
        data = InspectionInputSerializer(data={**request.data, "inspected_on": inspection.inspected_on})
        data.is_valid(raise_exception=True)
        inspection, _ = inspection_record(
            school=inspection.school,
            source=InspectionSource.FORM,
            actor=request.user,
            era=inspection.era if inspection.era == InspectionEra.REPORT_CARD else None,
            **data.validated_data,
        )
        return Response(InspectionSerializer(inspection).data)


class MeasureValueSerializer(serializers.ModelSerializer):
    has_value = serializers.SerializerMethodField()

    class Meta:
        model = MeasureValue
        fields = ["measure", "academic_year", "value", "has_value", "missing_code", "source", "source_urn"]

    def get_has_value(self, value: MeasureValue) -> bool:
        return value.value is not None


@extend_schema(parameters=[OpenApiParameter("measure", str), OpenApiParameter("academic_year", int)])
class MeasureValueListView(_Scoped, generics.ListAPIView):
    """A school's measure values; suppressed or missing ones have value null and keep the DfE code."""

    serializer_class = MeasureValueSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_SCHOOLS

    def get_queryset(self) -> Any:
        values = MeasureValue.objects.filter(school=self.school()).order_by("measure", "academic_year")
        if measure := self.request.query_params.get("measure"):
            values = values.filter(measure=measure)
        year = self.request.query_params.get("academic_year", "")
        if year.isdigit():
            values = values.filter(academic_year=int(year))
        return values


urlpatterns = [
    path("schools/", SchoolListView.as_view(), name="api-school-list"),
    path("schools/<uuid:school_uuid>/", SchoolDetailView.as_view(), name="api-school-detail"),
    path("schools/<uuid:school_uuid>/inspections/", InspectionListView.as_view(), name="api-inspection-list"),
    path(
        "schools/<uuid:school_uuid>/inspections/<uuid:inspection_uuid>/",
        InspectionDetailView.as_view(),
        name="api-inspection-detail",
    ),
    path("schools/<uuid:school_uuid>/measures/", MeasureValueListView.as_view(), name="api-measure-list"),
]

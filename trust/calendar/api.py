"""Calendar API, mounted under /api/v1/t/<trust_slug>/: the trust's academic years and their half-terms."""

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from trust.api import TrustActionPermission
from trust.calendar import selectors, services
from trust.models import AcademicYear
from trust.permissions import Action


class HalfTermSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=6)
    term = serializers.CharField(read_only=True, help_text="Autumn, Spring or Summer.")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class AcademicYearSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    start_year = serializers.IntegerField(read_only=True, help_text="2026 names 2026/27.")
    label = serializers.CharField(read_only=True, source="__str__")
    half_terms = HalfTermSerializer(many=True, read_only=True, source="half_terms.all")


class CreateDefaultSerializer(serializers.Serializer):
    start_year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="2026 makes 2026/27.")


class YearUpdateSerializer(serializers.Serializer):
    half_terms = HalfTermSerializer(many=True, help_text="All six half-terms, numbered 1 to 6.")


class _CalendarView(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_CALENDAR
    write_action = Action.MANAGE_CALENDAR

    @property
    def trust(self) -> Any:
        return self.request._request.trust


class YearListView(_CalendarView):
    @extend_schema(responses=AcademicYearSerializer(many=True), summary="The trust's academic years, newest first")
    def get(self, request: Request, trust_slug: str) -> Response:
        return Response(AcademicYearSerializer(selectors.academic_years_of(self.trust), many=True).data)


class YearCreateDefaultView(_CalendarView):
    @extend_schema(
        request=CreateDefaultSerializer,
        responses={201: AcademicYearSerializer},
        summary="Create a year with the default England half-terms (an existing year is returned unchanged)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        data = CreateDefaultSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        year = services.academic_year_default(self.trust, data.validated_data["start_year"], actor=request.user)
        return Response(AcademicYearSerializer(year).data, status=status.HTTP_201_CREATED)


class YearDetailView(_CalendarView):
    def _year(self, year_uuid: Any) -> AcademicYear:
        year = selectors.academic_year_of(self.trust, year_uuid)
        if year is None:
            raise Http404
        return year

    @extend_schema(responses=AcademicYearSerializer, summary="One academic year with its six half-terms")
    def get(self, request: Request, trust_slug: str, year_uuid: Any) -> Response:
        return Response(AcademicYearSerializer(self._year(year_uuid)).data)

    @extend_schema(
        request=YearUpdateSerializer,
        responses=AcademicYearSerializer,
        summary="Set the six half-terms' dates (in order, without overlaps, within September to August)",
    )
    def put(self, request: Request, trust_slug: str, year_uuid: Any) -> Response:
        year = self._year(year_uuid)
        data = YearUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        half_terms = {ht["number"]: (ht["starts_on"], ht["ends_on"]) for ht in data.validated_data["half_terms"]}
        services.academic_year_update(year=year, actor=request.user, half_terms=half_terms)
        return Response(AcademicYearSerializer(self._year(year_uuid)).data)


urlpatterns = [
    path("calendar/years/", YearListView.as_view(), name="api-calendar-year-list"),
    path("calendar/years/default/", YearCreateDefaultView.as_view(), name="api-calendar-year-create-default"),
    path("calendar/years/<uuid:year_uuid>/", YearDetailView.as_view(), name="api-calendar-year-detail"),
]

"""API for self-evaluation: the trust's status list, a school's SEF for a year, save, submit, return, accept.

Mounted under /api/v1/t/<trust_slug>/ by reviews.api.urls. Headteachers write their own
school's SEF for the current academic year; executives and improvement leads review it.
"""

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.academic import academic_year_label
from core.exceptions import ApplicationError
from reviews.api.evidence import JudgementAreaRefSerializer
from reviews.models import Grade, JudgementArea, SelfEvaluation, SelfEvaluationStatus
from reviews.selectors.evidence import evidence_visible_to
from reviews.selectors.sef import NO_SEF, missing_areas, sef_for, sef_sections, sef_status_list
from reviews.services.areas import judgement_areas_ensure
from reviews.services.sef import EntryInput, current_academic_year, sef_accept, sef_return, sef_save, sef_submit
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action

# Plain text rather than an enum, so the schema's many "status" enums do not collide.
STATUS_HELP = "One of: " + ", ".join([*SelfEvaluationStatus.values, NO_SEF]) + " ('none': not started)."
YEAR_PARAMETER = OpenApiParameter(
    "year", int, description="Academic year by its starting year (2025 is 2025/26); default: the current year."
)


class SefEntrySerializer(serializers.Serializer):
    area = JudgementAreaRefSerializer()
    self_grade = serializers.IntegerField(allow_null=True, help_text="1 Exceptional ... 5 Urgent improvement.")
    self_grade_label = serializers.CharField()
    strengths = serializers.CharField()
    areas_for_development = serializers.CharField()
    evidence = serializers.ListField(child=serializers.UUIDField(), help_text="UUIDs of the linked evidence.")


class SefSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    academic_year = serializers.IntegerField()
    academic_year_label = serializers.CharField()
    status = serializers.CharField(help_text=STATUS_HELP)
    summary = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(allow_null=True)
    review_comments = serializers.CharField()
    missing_areas = serializers.ListField(child=serializers.SlugField(), help_text="Codes of areas not yet graded.")
    entries = SefEntrySerializer(many=True)


class SefStatusSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    academic_year = serializers.IntegerField()
    status = serializers.CharField(help_text=STATUS_HELP)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class SefEntryInputSerializer(serializers.Serializer):
    area = serializers.SlugField(help_text="The judgement area's code.")
    self_grade = serializers.ChoiceField(choices=Grade.choices, allow_null=True, required=False, default=None)
    strengths = serializers.CharField(allow_blank=True, required=False, default="")
    areas_for_development = serializers.CharField(allow_blank=True, required=False, default="")
    evidence = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text="UUIDs of the school's shared evidence."
    )


class SefSaveSerializer(serializers.Serializer):
    summary = serializers.CharField(allow_blank=True, required=False, default="")
    entries = SefEntryInputSerializer(many=True, required=False, default=list)


class SefReviewSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField(required=False, help_text="Default: the current academic year.")
    comments = serializers.CharField(allow_blank=True, required=False, default="")


def _person(user: Any) -> str | None:
    return (user.full_name or user.email) if user else None


def sef_payload(school: School, year: int, sef: SelfEvaluation | None) -> dict[str, Any]:
    areas = judgement_areas_ensure(trust=school.trust)
    return {
        "school": school,
        "academic_year": year,
        "academic_year_label": academic_year_label(year),
        "status": sef.status if sef else NO_SEF,
        "summary": sef.summary if sef else "",
        "submitted_at": sef.submitted_at if sef else None,
        "submitted_by": _person(sef.submitted_by) if sef else None,
        "reviewed_at": sef.reviewed_at if sef else None,
        "reviewed_by": _person(sef.reviewed_by) if sef else None,
        "review_comments": sef.review_comments if sef else "",
        "missing_areas": [a.code for a in missing_areas(sef, areas)],
        "entries": [
            {
                "area": s.area,
                "self_grade": s.entry.self_grade if s.entry else None,
                "self_grade_label": s.grade_words,
                "strengths": s.entry.strengths if s.entry else "",
                "areas_for_development": s.entry.areas_for_development if s.entry else "",
                "evidence": [e.uuid for e in s.evidence],
            }
            for s in sef_sections(sef, areas)
        ],
    }


class _SefAPI(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_SEF
    write_action = Action.WRITE_SEF

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def school(self, school_uuid: Any) -> School:
        # Another school, for a headteacher or governor, is not there (404).
        return get_object_or_404(schools_visible_to(self.membership), uuid=school_uuid)

    def year(self, value: Any) -> int:
        return int(value) if str(value or "").isdigit() else current_academic_year()

    def respond(self, school: School, year: int) -> Response:
        return Response(SefSerializer(sef_payload(school, year, sef_for(school, year))).data)


class SefStatusListView(_SefAPI):
    @extend_schema(
        parameters=[YEAR_PARAMETER],
        responses=SefStatusSerializer(many=True),
        summary="Each visible school's self-evaluation status for a year",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        year = self.year(request.query_params.get("year"))
        rows = [
            {
                "school": school,
                "academic_year": year,
                "status": school.sef_status or NO_SEF,
                "submitted_at": school.sef_submitted_at,
                "reviewed_at": school.sef_reviewed_at,
            }
            for school in sef_status_list(self.membership, year)
        ]
        return Response(SefStatusSerializer(rows, many=True).data)


class SefDetailView(_SefAPI):
    @extend_schema(parameters=[YEAR_PARAMETER], responses=SefSerializer, summary="A school's self-evaluation")
    def get(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        return self.respond(self.school(school_uuid), self.year(request.query_params.get("year")))

    @extend_schema(
        request=SefSaveSerializer,
        responses=SefSerializer,
        summary="Save this year's draft (headteacher of the school; while draft or returned)",
        description="Entries not sent stay as they are. A self-grade is 1 (Exceptional) to 5 (Urgent improvement).",
    )
    def put(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        school = self.school(school_uuid)
        serializer = SefSaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        areas = {a.code: a for a in JudgementArea.objects.filter(trust=school.trust, is_active=True)}
        wanted = {uuid for entry in data["entries"] for uuid in entry["evidence"]}
        evidence = {e.uuid: e for e in evidence_visible_to(self.membership, school).filter(uuid__in=wanted)}
        entries = {}
        for entry in data["entries"]:
            if entry["area"] not in areas:
                raise ApplicationError(f"'{entry['area']}' is not one of the trust's judgement areas.")
            if unknown := [str(u) for u in entry["evidence"] if u not in evidence]:
                raise ApplicationError("Unknown evidence for this school: " + ", ".join(unknown) + ".")
            entries[areas[entry["area"]]] = EntryInput(
                self_grade=entry["self_grade"],
                strengths=entry["strengths"],
                areas_for_development=entry["areas_for_development"],
                evidence=tuple(evidence[u] for u in entry["evidence"]),
            )
        year = current_academic_year()
        sef_save(school=school, actor=request.user, academic_year=year, summary=data["summary"], entries=entries)
        return self.respond(school, year)


class SefSubmitView(_SefAPI):
    read_action = Action.WRITE_SEF

    @extend_schema(
        request=None,
        responses=SefSerializer,
        summary="Submit this year's self-evaluation to the trust (every area graded; submitting twice is harmless)",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        school = self.school(school_uuid)
        year = current_academic_year()
        sef = sef_for(school, year)
        if sef is None:
            label = academic_year_label(year)
            raise ApplicationError(f"{school.name} has not started its self-evaluation for {label}.")
        sef_submit(self_evaluation=sef, actor=request.user)
        return self.respond(school, year)


class _SefReviewAPI(_SefAPI):
    read_action = write_action = Action.REVIEW_SEF

    def reviewed(self, request: Request, school_uuid: Any, decide: Any) -> Response:
        school = self.school(school_uuid)
        serializer = SefReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        year = serializer.validated_data.get("academic_year") or current_academic_year()
        sef = sef_for(school, year)
        if sef is None:
            raise ApplicationError(f"{school.name} has no self-evaluation for {academic_year_label(year)} to review.")
        decide(self_evaluation=sef, actor=request.user, comments=serializer.validated_data["comments"])
        return self.respond(school, year)


class SefReturnView(_SefReviewAPI):
    @extend_schema(
        request=SefReviewSerializer,
        responses=SefSerializer,
        summary="Return a submitted self-evaluation to the school with comments (required)",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        return self.reviewed(request, school_uuid, sef_return)


class SefAcceptView(_SefReviewAPI):
    @extend_schema(
        request=SefReviewSerializer,
        responses=SefSerializer,
        summary="Accept a submitted self-evaluation (comments optional)",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        return self.reviewed(request, school_uuid, sef_accept)


urlpatterns = [
    path("sef/", SefStatusListView.as_view(), name="api-sef-list"),
    path("sef/<uuid:school_uuid>/", SefDetailView.as_view(), name="api-sef-detail"),
    path("sef/<uuid:school_uuid>/submit/", SefSubmitView.as_view(), name="api-sef-submit"),
    path("sef/<uuid:school_uuid>/return/", SefReturnView.as_view(), name="api-sef-return"),
    path("sef/<uuid:school_uuid>/accept/", SefAcceptView.as_view(), name="api-sef-accept"),
]

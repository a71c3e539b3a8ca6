"""API for reviews, the side-by-side grid, moderations, the heat map and trust inspections due.

Mounted under /api/v1/t/<trust_slug>/. School-level roles see only their own school's shared reviews.
"""

from typing import Any
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from reviews.models import Capacity, Evidence, Grade, Moderation, Review, ReviewType
from reviews.selectors.grid import heat_map, school_grid
from reviews.selectors.reviews import review_list, reviews_visible_to, trust_inspections_due
from reviews.services.areas import judgement_areas_ensure
from reviews.services.moderation import moderation_record
from reviews.services.reviews import (
    UNKNOWN_AREA,
    UNKNOWN_EVIDENCE,
    UNKNOWN_REVIEWER,
    review_record,
    review_update,
)
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.api import SchoolRefSerializer, TrustActionPermission, TrustSchoolField, UserRefSerializer
from trust.models import Trust, User
from trust.permissions import Action

GRADE_HELP = "; ".join(f"{g.value} {g.label}" for g in Grade)


class AreaRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    code = serializers.CharField()
    label = serializers.CharField()


class ReviewJudgementSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    grade = serializers.IntegerField(help_text=GRADE_HELP)
    words = serializers.CharField(source="get_grade_display")


class ReviewSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    school = SchoolRefSerializer()
    review_type = serializers.ChoiceField(choices=ReviewType.choices)
    reviewed_on = serializers.DateField()
    reviewers = UserRefSerializer(many=True, source="reviewers.all")
    author = UserRefSerializer(allow_null=True)
    capacity = serializers.CharField(help_text="weak, not_yet_good, good, strong, or empty when not judged.")
    strengths = serializers.CharField()
    areas_for_development = serializers.CharField()
    agreed_actions = serializers.CharField()
    evidence = serializers.SerializerMethodField()
    shared_with_school = serializers.BooleanField()
    judgements = ReviewJudgementSerializer(many=True, source="judgements.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_evidence(self, review: Review) -> list[UUID]:
        return [e.uuid for e in review.evidence.all()]


class ReviewInputSerializer(serializers.Serializer):
    review_type = serializers.ChoiceField(choices=ReviewType.choices)
    reviewed_on = serializers.DateField(help_text="Not in the future.")
    reviewers = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text="UUIDs of members of the trust."
    )
    judgements = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5),
        required=False,
        default=dict,
        help_text=f"Judgement area code -> grade ({GRADE_HELP}).",
    )
    capacity = serializers.ChoiceField(choices=Capacity.choices, required=False, allow_blank=True, default="")
    strengths = serializers.CharField(required=False, allow_blank=True, default="")
    areas_for_development = serializers.CharField(required=False, allow_blank=True, default="")
    agreed_actions = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.ListField(
        child=serializers.UUIDField(), required=False, default=list, help_text="UUIDs of the school's evidence."
    )
    shared_with_school = serializers.BooleanField(required=False, default=True)


class ReviewCreateSerializer(ReviewInputSerializer):
    school = TrustSchoolField()


def _references(trust: Trust, data: dict[str, Any]) -> dict[str, Any]:
    """Turn the UUIDs and area codes of the request into records; another trust's read exactly as unknown ones."""
    wanted_reviewers = set(data.pop("reviewers"))
    reviewers = list(User.objects.filter(uuid__in=wanted_reviewers, memberships__trust=trust))
    if len(reviewers) != len(wanted_reviewers):
        raise ApplicationError(UNKNOWN_REVIEWER, {"field": "reviewers"})
    codes = data.pop("judgements")
    areas = {a.code: a for a in judgement_areas_ensure(trust=trust)}
    if set(codes) - set(areas):
        raise ApplicationError(UNKNOWN_AREA, {"field": "judgements"})
    wanted_evidence = set(data.pop("evidence"))
    evidence = list(Evidence.objects.filter(uuid__in=wanted_evidence))
    if len(evidence) != len(wanted_evidence):
        raise ApplicationError(UNKNOWN_EVIDENCE, {"field": "evidence"})
    return {
        **data,
        "reviewers": reviewers,
        "judgements": {areas[code]: grade for code, grade in codes.items()},
        "evidence": evidence,
    }


class _Trust:
    request: Any
    kwargs: dict[str, Any]

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    @property
    def trust(self) -> Trust:
        return self.request._request.trust

    def school(self) -> School:
        return get_object_or_404(schools_visible_to(self.membership), uuid=self.kwargs["school_uuid"])


class ReviewListView(_Trust, generics.ListAPIView):
    """Reviews, newest first: the trust's for trust roles; a school's headteacher or governor sees its shared ones."""

    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_REVIEWS
    write_action = Action.RECORD_REVIEWS

    def get_queryset(self) -> Any:
        params = self.request.query_params
        school = None
        if params.get("school"):
            school = schools_visible_to(self.membership).filter(uuid=_uuid_or_none(params["school"])).first()
            if school is None:
                return Review.objects.none()
        return review_list(self.membership, school=school, review_type=params.get("review_type", ""))

    @extend_schema(
        parameters=[
            OpenApiParameter("school", UUID, description="Only this school's reviews"),
            OpenApiParameter("review_type", str, enum=ReviewType.values),
        ],
        summary="Reviews the member may read, newest first",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer}, summary="Record a review")
    def post(self, request: Request, trust_slug: str) -> Response:
        data = ReviewCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        school = values.pop("school", None)  # optional in the field, required here: a clear 400, not a KeyError
        if school is None:
            raise ApplicationError("Choose the school reviewed.", {"field": "school"})
        review = review_record(school=school, actor=request.user, **_references(self.trust, values))
        review = reviews_visible_to(self.membership).get(pk=review.pk)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


def _uuid_or_none(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None


class ReviewDetailView(_Trust, generics.RetrieveAPIView):
    """One review; a review not shared with the school is not found for the school's headteacher or governor."""

    serializer_class = ReviewSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_REVIEWS
    write_action = Action.RECORD_REVIEWS
    lookup_field = "uuid"
    lookup_url_kwarg = "review_uuid"

    def get_queryset(self) -> Any:
        return reviews_visible_to(self.membership)

    @extend_schema(
        request=ReviewInputSerializer,
        responses=ReviewSerializer,
        summary="Correct a review: every field is replaced by the one sent (omitted lists and texts become empty)",
    )
    def put(self, request: Request, trust_slug: str, review_uuid: str) -> Response:
        review = self.get_object()
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review_update(review=review, actor=request.user, **_references(self.trust, dict(data.validated_data)))
        return Response(ReviewSerializer(self.get_queryset().get(pk=review.pk)).data)


class InspectionDueSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    ofsted_outcome = serializers.CharField()
    ofsted_inspected_on = serializers.DateField(allow_null=True)
    months = serializers.IntegerField(help_text="Months between trust inspections: 12 or 6.")
    frequency = serializers.CharField()
    flagged = serializers.BooleanField(help_text="Inadequate, urgent improvement or safeguarding not met.")
    last_trust_inspection = serializers.UUIDField(source="last_trust_inspection.uuid", allow_null=True)
    last_trust_inspection_on = serializers.DateField(source="last_trust_inspection.reviewed_on", allow_null=True)
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    reason = serializers.CharField()


class InspectionsDueView(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_TRUST_JUDGEMENTS

    @extend_schema(
        responses=InspectionDueSerializer(many=True),
        summary="When each member school's next trust inspection is due, soonest (most overdue) first",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        rows = trust_inspections_due(request._request.trust, timezone.localdate())
        return Response(InspectionDueSerializer(rows, many=True).data)


class UserNameSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    full_name = serializers.CharField()


class ModerationSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    area = AreaRefSerializer()
    academic_year = serializers.IntegerField(help_text="2025 names 2025/26.")
    school_grade = serializers.IntegerField(allow_null=True, help_text="The school's self-grade when moderated.")
    trust_grade = serializers.IntegerField(allow_null=True, help_text="The trust's judgement when moderated.")
    agreed_grade = serializers.IntegerField(help_text=GRADE_HELP)
    agreed_words = serializers.CharField(source="get_agreed_grade_display")
    discussion = serializers.CharField()
    moderated_by = UserNameSerializer(allow_null=True)
    moderated_on = serializers.DateField()


class ModerationInputSerializer(serializers.Serializer):
    area = serializers.CharField(help_text="The judgement area's code.")
    academic_year = serializers.IntegerField(help_text="The current or the previous academic year; 2025 names 2025/26.")
    agreed_grade = serializers.IntegerField(min_value=1, max_value=5, help_text=GRADE_HELP)
    discussion = serializers.CharField()
    moderated_on = serializers.DateField(required=False, allow_null=True, default=None, help_text="Default: today.")


class ModerationListView(_Trust, generics.ListAPIView):
    """A school's moderations, newest first; executives and improvement leads record them."""

    serializer_class = ModerationSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_TRUST_JUDGEMENTS
    write_action = Action.MODERATE

    def get_queryset(self) -> Any:
        return Moderation.objects.filter(school=self.school()).select_related("area", "moderated_by")

    @extend_schema(
        request=ModerationInputSerializer,
        responses={201: ModerationSerializer},
        summary="Record a moderation: the discussion and the agreed judgement for one area",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        school = self.school()
        data = ModerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        code = values.pop("area")
        area = next((a for a in judgement_areas_ensure(trust=self.trust) if a.code == code), None)
        if area is None:
            raise ApplicationError(UNKNOWN_AREA, {"field": "area"})
        moderation = moderation_record(school=school, area=area, actor=request.user, **values)
        return Response(ModerationSerializer(moderation).data, status=status.HTTP_201_CREATED)


class ReviewRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    review_type = serializers.CharField()
    reviewed_on = serializers.DateField()


class GridRowSerializer(serializers.Serializer):
    area = AreaRefSerializer()
    school_grade = serializers.IntegerField(allow_null=True, help_text=f"The school's self-grade: {GRADE_HELP}.")
    school_words = serializers.CharField()
    trust_grade = serializers.IntegerField(allow_null=True, help_text="The trust's latest review judgement.")
    trust_words = serializers.CharField()
    trust_review = ReviewRefSerializer(source="trust.review", allow_null=True)
    ofsted_grade = serializers.IntegerField(
        allow_null=True, help_text="Ofsted's latest report-card grade for the area; legacy grades never appear here."
    )
    ofsted_words = serializers.CharField()
    gap = serializers.IntegerField(allow_null=True, help_text="School minus trust; negative: the school is kinder.")
    disagreement = serializers.BooleanField()
    disagreement_words = serializers.CharField()
    moderation = ModerationSerializer(allow_null=True)
    moderation_is_current = serializers.BooleanField()


class SelfEvaluationRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    academic_year = serializers.IntegerField()
    status = serializers.CharField(help_text="submitted, returned or accepted.")


class InspectionRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    inspected_on = serializers.DateField()
    safeguarding_met = serializers.BooleanField(allow_null=True)


class LegacyJudgementSerializer(serializers.Serializer):
    area = serializers.CharField()
    words = serializers.CharField()


class SchoolGridSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    self_evaluation = SelfEvaluationRefSerializer(allow_null=True)
    report_card = InspectionRefSerializer(allow_null=True)
    rows = GridRowSerializer(many=True)
    legacy = InspectionRefSerializer(
        allow_null=True, help_text="The latest graded inspection before report cards: history, on its own scale."
    )
    legacy_judgements = serializers.SerializerMethodField()
    disagreements = serializers.IntegerField()

    def get_legacy_judgements(self, grid: Any) -> list[dict[str, str]]:
        return [{"area": area, "words": words} for area, words in grid.legacy_judgements]


class SchoolGridView(_Trust, APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_TRUST_JUDGEMENTS

    @extend_schema(
        responses=SchoolGridSerializer,
        summary="One school's judgements side by side: self-grade, trust judgement, Ofsted report card, moderation",
    )
    def get(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        grid = school_grid(self.school(), today=timezone.localdate())
        return Response(SchoolGridSerializer(grid).data)


class HeatCellSerializer(serializers.Serializer):
    area = serializers.CharField(source="area.code")
    grade = serializers.IntegerField(allow_null=True)
    words = serializers.CharField()
    source = serializers.CharField(help_text="review, moderation, or empty when not judged.")
    on = serializers.DateField(allow_null=True)


class HeatRowSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    cells = HeatCellSerializer(many=True)


class HeatMapSerializer(serializers.Serializer):
    areas = AreaRefSerializer(many=True)
    rows = HeatRowSerializer(many=True)


class HeatMapView(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_TRUST_JUDGEMENTS

    @extend_schema(
        responses=HeatMapSerializer,
        summary="Member schools by area: the trust's latest judgement, or the agreed moderation where newer",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        return Response(HeatMapSerializer(heat_map(request._request.trust)).data)


urlpatterns = [
    path("reviews/", ReviewListView.as_view(), name="api-review-list"),
    path("reviews/trust-inspections-due/", InspectionsDueView.as_view(), name="api-review-due"),
    path("reviews/<uuid:review_uuid>/", ReviewDetailView.as_view(), name="api-review-detail"),
    path("schools/<uuid:school_uuid>/judgements/", SchoolGridView.as_view(), name="api-review-grid"),
    path("schools/<uuid:school_uuid>/moderations/", ModerationListView.as_view(), name="api-review-moderation-list"),
    path("judgements/heat-map/", HeatMapView.as_view(), name="api-review-heat-map"),
]

"""API for ratings, mounted under /api/v1/t/<trust_slug>/.

Ratings are append-only: list, read, create (POST) and the current suggestion. There is no PUT,
PATCH or DELETE: a correction is a new decision, so those methods answer 405.
"""

from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from reviews.models import Evidence, Rating
from reviews.selectors.ratings import HistoryRow, rating_history
from reviews.services.ratings import UNKNOWN_EVIDENCE, UNKNOWN_LEVEL, rating_decide
from reviews.suggestions import INDICATORS, suggest_for_school
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.api import TrustActionPermission
from trust.permissions import Action
from trust.scales.selectors import level_of

TRUST_ONLY_FIELDS = ("suggested_level", "suggestion_reasons", "overrode_suggestion", "override_reason")


class LevelRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    position = serializers.IntegerField()


class CitedEvidenceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(source="evidence.uuid")
    evidence_type = serializers.CharField(source="evidence.evidence_type")
    observed_on = serializers.DateField(source="evidence.observed_on")
    summary = serializers.CharField(source="evidence.summary")
    shared_with_school = serializers.BooleanField(source="evidence.shared_with_school")
    stale_when_cited = serializers.BooleanField()
    stale_now = serializers.BooleanField()


class SuggestionReasonSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    op = serializers.CharField()
    value = serializers.JSONField()
    note = serializers.CharField(required=False)
    reason = serializers.CharField()


class RatingSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(source="rating.uuid")
    level = LevelRefSerializer(source="rating.level", help_text="The level as it is now (it may have been edited).")
    level_name = serializers.CharField(source="rating.level_name", help_text="The level's name when decided.")
    level_position = serializers.IntegerField(source="rating.level_position")
    effective_on = serializers.DateField(source="rating.effective_on")
    decided_by = serializers.CharField(source="rating.decided_by")
    decided_at = serializers.DateTimeField(source="rating.created_at")
    rationale = serializers.CharField(source="rating.rationale")
    evidence = CitedEvidenceSerializer(many=True, help_text="Only the cited evidence the caller may see.")
    hidden_evidence = serializers.IntegerField(help_text="Cited items the caller's role may not see.")
    suggested_level = serializers.CharField(
        source="rating.suggested_level_name", required=False, help_text="Trust roles only."
    )
    suggestion_reasons = SuggestionReasonSerializer(source="rating.suggestion_reasons", many=True, required=False)
    overrode_suggestion = serializers.BooleanField(source="rating.overrode_suggestion", required=False)
    override_reason = serializers.CharField(source="rating.override_reason", required=False)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("school_level"):
            # The suggestion and any override reasoning are the trust's own deliberation.
            for name in TRUST_ONLY_FIELDS:
                data.pop(name, None)
        return data


class RatingInputSerializer(serializers.Serializer):
    level = serializers.UUIDField(help_text="UUID of a level of the trust's scale.")
    effective_on = serializers.DateField(required=False, help_text="Defaults to today; never in the future.")
    rationale = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.UUIDField(), help_text="UUIDs of the school's evidence.")
    override_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Required when level is not the suggested one."
    )


class IndicatorSerializer(serializers.Serializer):
    value = serializers.JSONField(allow_null=True)
    reason = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    level = LevelRefSerializer(allow_null=True)
    fired = serializers.ListField(child=serializers.DictField(), help_text="[{indicator, op, value, note?, reason}]")
    indicators = serializers.DictField(child=IndicatorSerializer(), help_text=f"Keys: {', '.join(INDICATORS)}.")


class _SchoolScoped(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def school(self) -> School:
        return get_object_or_404(
            schools_visible_to(self.membership).select_related("trust"), uuid=self.kwargs["school_uuid"]
        )

    def rows(self, school: School) -> list[HistoryRow]:
        return rating_history(school, membership=self.membership, today=timezone.localdate())

    def context(self) -> dict[str, Any]:
        return {"school_level": self.membership.is_school_level}


class RatingListView(_SchoolScoped):
    """A school's decisions, newest first; executives and improvement leads record new ones."""

    read_action = Action.VIEW_RATINGS
    write_action = Action.RATE_SCHOOLS

    @extend_schema(responses=RatingSerializer(many=True), summary="A school's ratings, newest first")
    def get(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        rows = self.rows(self.school())
        return Response(RatingSerializer(rows, many=True, context=self.context()).data)

    @extend_schema(
        request=RatingInputSerializer,
        responses={201: RatingSerializer},
        summary="Record a decision (the suggestion is computed by the server)",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        school = self.school()
        data = RatingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        level = level_of(request._request.trust, values["level"])
        if level is None:
            raise ApplicationError(UNKNOWN_LEVEL, {"field": "level"})
        wanted = set(values["evidence"])
        evidence = list(Evidence.objects.filter(school=school, uuid__in=wanted))
        if len(evidence) != len(wanted):
            raise ApplicationError(UNKNOWN_EVIDENCE, {"field": "evidence"})
        rating = rating_decide(
            school=school,
            actor=request.user,
            level=level,
            effective_on=values.get("effective_on") or timezone.localdate(),
            rationale=values["rationale"],
            evidence=evidence,
            override_reason=values["override_reason"],
        )
        row = next(r for r in self.rows(school) if r.rating.pk == rating.pk)
        return Response(RatingSerializer(row, context=self.context()).data, status=status.HTTP_201_CREATED)


class RatingDetailView(_SchoolScoped):
    """One decision. It has no write methods at all, so every member gets 405 for PUT, PATCH and DELETE."""

    read_action = Action.VIEW_RATINGS
    write_action = Action.VIEW_TRUST  # any member: the answer is 405 whoever asks

    @extend_schema(responses=RatingSerializer, summary="One rating")
    def get(self, request: Request, trust_slug: str, school_uuid: str, rating_uuid: str) -> Response:
        school = self.school()
        rating = get_object_or_404(Rating.objects.filter(school=school), uuid=rating_uuid)
        row = next(r for r in self.rows(school) if r.rating.pk == rating.pk)
        return Response(RatingSerializer(row, context=self.context()).data)


class SuggestionView(_SchoolScoped):
    """What the rules suggest for the school now, which rules fired and every indicator's value and reason."""

    read_action = write_action = Action.VIEW_TRUST_JUDGEMENTS

    @extend_schema(responses=SuggestionSerializer, summary="The suggested level for a school, explained")
    def get(self, request: Request, trust_slug: str, school_uuid: str) -> Response:
        suggestion = suggest_for_school(self.school())
        level = suggestion.level
        return Response(
            {
                "level": {"uuid": level.uuid, "name": level.name, "position": level.position} if level else None,
                "fired": suggestion.reasons_for_storage(),
                "indicators": {
                    code: {"value": _jsonable(value.value), "reason": value.reason}
                    for code, value in suggestion.indicators.items()
                },
            }
        )


def _jsonable(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


urlpatterns = [
    path("schools/<uuid:school_uuid>/ratings/", RatingListView.as_view(), name="api-rating-list"),
    path("schools/<uuid:school_uuid>/ratings/suggestion/", SuggestionView.as_view(), name="api-rating-suggestion"),
    path(
        "schools/<uuid:school_uuid>/ratings/<uuid:rating_uuid>/", RatingDetailView.as_view(), name="api-rating-detail"
    ),
]

"""Scale API, mounted under /api/v1/t/<trust_slug>/: read the scale, choose a template, edit a level."""

from typing import Any

from django.http import Http404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reviews.suggestions import INDICATORS, OPS
from trust.api import TrustActionPermission
from trust.models import SupportLevel
from trust.permissions import Action
from trust.scales import selectors, services
from trust.scales.templates import TEMPLATES


class RuleSerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=list(INDICATORS))
    op = serializers.ChoiceField(choices=list(OPS))
    value = serializers.JSONField(help_text="A number, a capacity word, or a list of them for 'in'.")
    note = serializers.CharField(required=False, allow_blank=True)


class LevelSerializer(serializers.ModelSerializer):
    rules = RuleSerializer(many=True)
    plan_checklist = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    class Meta:
        model = SupportLevel
        fields = [
            "uuid",
            "position",
            "name",
            "colour",
            "description",
            "key_indicators",
            "support_offer",
            "leadership_qualities",
            "plan_checklist",
            "visit_cadence",
            "monitoring_cadence",
            "reporting_cadence",
            "expected_duration_months",
            "activities",
            "rules",
        ]


class ScaleSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    template = serializers.CharField()
    levels = LevelSerializer(many=True)


class LevelInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    colour = serializers.CharField(max_length=20, allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    key_indicators = serializers.ListField(child=serializers.CharField(allow_blank=True))
    support_offer = serializers.ListField(child=serializers.CharField(allow_blank=True))
    leadership_qualities = serializers.ListField(child=serializers.CharField(allow_blank=True))
    plan_checklist = serializers.DictField(child=serializers.ListField(child=serializers.CharField(allow_blank=True)))
    visit_cadence = serializers.CharField(max_length=100, allow_blank=True)
    monitoring_cadence = serializers.CharField(max_length=100, allow_blank=True)
    reporting_cadence = serializers.CharField(max_length=100, allow_blank=True)
    expected_duration_months = serializers.IntegerField(min_value=1, max_value=120, allow_null=True)
    rules = serializers.ListField(child=serializers.DictField(), help_text="[{indicator, op, value, note?}]")


class TemplateLevelSerializer(serializers.Serializer):
    name = serializers.CharField()
    duration = serializers.CharField()
    expected_duration_months = serializers.IntegerField(allow_null=True)
    key_indicators = serializers.ListField(child=serializers.CharField())
    support_offer = serializers.ListField(child=serializers.CharField())


class TemplateSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    summary = serializers.CharField()
    levels = TemplateLevelSerializer(many=True)


class ChooseSerializer(serializers.Serializer):
    template = serializers.ChoiceField(choices=list(TEMPLATES))
    replace = serializers.BooleanField(
        default=False, help_text="Replace the current scale; refused once any school has been rated on it."
    )


class _ScaleView(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_SCALE
    write_action = Action.MANAGE_SCALE

    @property
    def trust(self) -> Any:
        return self.request._request.trust


def _scale_data(scale: Any) -> dict[str, Any]:
    return ScaleSerializer(
        {"uuid": scale.uuid, "name": scale.name, "template": scale.template, "levels": scale.levels.all()}
    ).data


class ScaleDetailView(_ScaleView):
    @extend_schema(responses=ScaleSerializer, summary="The trust's support scale, levels most intensive first")
    def get(self, request: Request, trust_slug: str) -> Response:
        scale = selectors.scale_of(self.trust)
        if scale is None:
            raise NotFound("The trust has not chosen a support scale yet.")
        return Response(_scale_data(scale))


class ScaleTemplateListView(_ScaleView):
    @extend_schema(responses=TemplateSerializer(many=True), summary="The three templates a trust can start from")
    def get(self, request: Request, trust_slug: str) -> Response:
        return Response(TemplateSerializer(TEMPLATES.values(), many=True).data)


class ScaleChooseView(_ScaleView):
    @extend_schema(
        request=ChooseSerializer,
        responses={201: ScaleSerializer},
        summary="Give the trust a template's scale (again only while no school has been rated on it)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        data = ChooseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        scale = services.scale_create_from_template(
            trust=self.trust,
            actor=request.user,
            template_key=data.validated_data["template"],
            replace=data.validated_data["replace"],
        )
        return Response(_scale_data(selectors.scale_of(self.trust) or scale), status=status.HTTP_201_CREATED)


class LevelDetailView(_ScaleView):
    def _level(self, level_uuid: Any) -> SupportLevel:
        level = selectors.level_of(self.trust, level_uuid)
        if level is None:
            raise Http404
        return level

    @extend_schema(responses=LevelSerializer, summary="One level of the trust's scale")
    def get(self, request: Request, trust_slug: str, level_uuid: Any) -> Response:
        return Response(LevelSerializer(self._level(level_uuid)).data)

    def _update(self, request: Request, level_uuid: Any, *, partial: bool) -> Response:
        level = self._level(level_uuid)
        data = LevelInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.level_update(level=level, actor=request.user, **data.validated_data)
        return Response(LevelSerializer(level).data)

    @extend_schema(
        request=LevelInputSerializer,
        responses=LevelSerializer,
        summary="Replace a level's content (past ratings keep their level name)",
    )
    def put(self, request: Request, trust_slug: str, level_uuid: Any) -> Response:
        return self._update(request, level_uuid, partial=False)

    @extend_schema(
        request=LevelInputSerializer,
        responses=LevelSerializer,
        summary="Change some of a level's fields (past ratings keep their level name)",
    )
    def patch(self, request: Request, trust_slug: str, level_uuid: Any) -> Response:
        return self._update(request, level_uuid, partial=True)


urlpatterns = [
    path("scale/", ScaleDetailView.as_view(), name="api-scale-detail"),
    path("scale/templates/", ScaleTemplateListView.as_view(), name="api-scale-templates"),
    path("scale/choose/", ScaleChooseView.as_view(), name="api-scale-choose"),
    path("scale/levels/<uuid:level_uuid>/", LevelDetailView.as_view(), name="api-scale-level-detail"),
]

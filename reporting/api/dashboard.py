"""API for the trust dashboard's figures, mounted under /api/v1/t/<trust_slug>/.

GET returns the live dashboard document (reporting/metrics_schema.py), the same one the dashboard
page, the school summaries and snapshots hold. The serializers below mirror the schema's TypedDicts so
the document is described in the OpenAPI schema; keep them in step when the schema gains a key.
Statuses are plain text rather than enums, so they do not collide with the models' enums in the schema.
"""

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.selectors.cached import trust_metrics_kept
from trust.api import TrustActionPermission
from trust.permissions import Action

TREND_HELP = "[[academic_year, value, national], ...] oldest first; a missing figure is null."
YEAR_HELP = "The year the academic year starts: 2026 is 2026/27."


def _trend(help_text: str = TREND_HELP) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField(allow_null=True), min_length=3, max_length=3),
        help_text=help_text,
    )


class MetricsLevelSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.IntegerField(help_text="1 is the most intensive support.")
    colour = serializers.CharField(help_text="A RAG colour name where the scale has one, else empty.")


class MetricsOverstaySerializer(serializers.Serializer):
    months = serializers.IntegerField()
    expected_months = serializers.IntegerField()


class MetricsOfstedSerializer(serializers.Serializer):
    inspected_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    window_from = serializers.DateField(allow_null=True)
    window_to = serializers.DateField(allow_null=True)
    likelihood = serializers.CharField()
    likely_soon = serializers.BooleanField(help_text="Due now, or the window opens within 12 months.")


class MetricsMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField(help_text="'%', 'score' or 'progress'.")
    higher_is_better = serializers.BooleanField()
    academic_year = serializers.IntegerField(allow_null=True, help_text=YEAR_HELP)
    value = serializers.FloatField(allow_null=True)
    display = serializers.CharField(help_text="As the DfE prints it, or its missing-value code.")
    national = serializers.FloatField(allow_null=True)
    national_display = serializers.CharField()
    versus_national = serializers.CharField(help_text="better, worse, same, or empty when either figure is missing.")
    trend = _trend()


class MetricsPredictionsSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField(help_text=YEAR_HELP)
    half_term = serializers.IntegerField()
    half_term_label = serializers.CharField()
    average_on_track = serializers.FloatField(help_text="Mean percentage of pupils on track over the grid.")
    cells = serializers.IntegerField()


class MetricsInterventionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    delivery_model = serializers.CharField()
    delivery_model_label = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    overdue_checkpoints = serializers.IntegerField()
    ending_soon = serializers.BooleanField()
    has_impact = serializers.BooleanField()


class MetricsPlanSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField(help_text=YEAR_HELP)
    status = serializers.CharField()
    status_label = serializers.CharField()
    actions = serializers.IntegerField()
    completed = serializers.IntegerField()
    off_track = serializers.IntegerField()
    overdue = serializers.IntegerField()
    behind = serializers.BooleanField(help_text="Any action off track or overdue.")


class MetricsVisitsSerializer(serializers.Serializer):
    term_label = serializers.CharField()
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    missed = serializers.IntegerField(help_text="Dated before today and still not done.")


class MetricsSchoolSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    urn = serializers.IntegerField()
    phase = serializers.CharField()
    pupils = serializers.IntegerField(allow_null=True)
    level = MetricsLevelSerializer(allow_null=True)
    level_since = serializers.DateField(allow_null=True)
    rationale = serializers.CharField(allow_blank=True)
    previous_level = MetricsLevelSerializer(allow_null=True, help_text="The level at the end of last half-term.")
    movement = serializers.CharField(help_text="up, down, same, new or unrated.")
    overstay = MetricsOverstaySerializer(allow_null=True, help_text="Set only when past the level's expected stay.")
    ofsted = MetricsOfstedSerializer()
    measures = MetricsMeasureSerializer(many=True)
    predictions = MetricsPredictionsSerializer(allow_null=True)
    interventions = MetricsInterventionSerializer(many=True)
    plan = MetricsPlanSerializer(allow_null=True)
    visits = MetricsVisitsSerializer()
    sef_status = serializers.CharField()
    sef_status_label = serializers.CharField()
    heat = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), help_text="Judgement area code to latest grade (1 to 4)."
    )


class MetricsHeadlineSerializer(serializers.Serializer):
    schools = serializers.IntegerField()
    rated = serializers.IntegerField()
    most_support = serializers.IntegerField()
    moved_up = serializers.IntegerField()
    moved_down = serializers.IntegerField()
    overstays = serializers.IntegerField()
    inspections_likely_soon = serializers.IntegerField()
    active_interventions = serializers.IntegerField()
    overdue_checkpoints = serializers.IntegerField()
    plans_behind = serializers.IntegerField()
    visits_planned = serializers.IntegerField()
    visits_done = serializers.IntegerField()
    visits_missed = serializers.IntegerField()
    sef_submitted = serializers.IntegerField()


class MetricsLevelCountSerializer(serializers.Serializer):
    level = MetricsLevelSerializer()
    schools = serializers.IntegerField()
    up = serializers.IntegerField()
    down = serializers.IntegerField()
    new = serializers.IntegerField()


class MetricsTrustMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    academic_year = serializers.IntegerField(allow_null=True, help_text=YEAR_HELP)
    schools_with_value = serializers.IntegerField()
    trust_average = serializers.FloatField(allow_null=True)
    national = serializers.FloatField(allow_null=True)
    trend = _trend("[[academic_year, trust_average, national], ...] oldest first.")


class MetricsAreaSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class MetricsOfstedCountSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    schools = serializers.IntegerField()


class MetricsDeliveryModelSerializer(serializers.Serializer):
    delivery_model = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    active = serializers.IntegerField()
    closed = serializers.IntegerField()
    with_impact = serializers.IntegerField()


class MetricsSerializer(serializers.Serializer):
    """The whole dashboard document."""

    schema_version = serializers.IntegerField()
    trust = serializers.CharField()
    as_of = serializers.DateField()
    academic_year = serializers.IntegerField(help_text=YEAR_HELP)
    half_term = serializers.IntegerField(help_text="1 (Autumn 1) to 6 (Summer 2).")
    half_term_label = serializers.CharField()
    previous_half_term_end = serializers.DateField(help_text="The day movement is measured from.")
    scale = MetricsLevelSerializer(many=True)
    areas = MetricsAreaSerializer(many=True)
    headline = MetricsHeadlineSerializer()
    levels = MetricsLevelCountSerializer(many=True)
    unrated = serializers.IntegerField()
    ofsted_profile = MetricsOfstedCountSerializer(many=True)
    measures = MetricsTrustMeasureSerializer(many=True)
    interventions_by_status = serializers.DictField(child=serializers.IntegerField())
    interventions_by_model = MetricsDeliveryModelSerializer(many=True)
    sef_by_status = serializers.DictField(child=serializers.IntegerField())
    schools = MetricsSchoolSerializer(many=True)


class DashboardView(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = write_action = Action.VIEW_DASHBOARD

    @extend_schema(
        responses=MetricsSerializer,
        summary="The trust's live dashboard figures",
        description="The same document the dashboard page shows and a snapshot freezes; dates are ISO dates.",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        # The document is plain JSON already: it is returned as built, the serializer only describes it.
        metrics: Any = trust_metrics_kept(request._request.trust, today=timezone.localdate(), reader_id=request.user.pk)
        return Response(metrics)


urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="api-dashboard"),
]

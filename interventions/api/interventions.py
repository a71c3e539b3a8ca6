"""API for interventions: list, commission, read, move status, record a checkpoint, close with impact.

Mounted under /api/v1/t/<trust_slug>/. Visibility is the pages': another school's intervention
(for headteachers and governors) or one a specialist does not lead is 404. Targets have no public
identifier of their own: they are referred to by `position` within their intervention.
"""

from typing import Any
from uuid import UUID

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import RowsByUuidField, UuidRelatedField
from core.exceptions import ApplicationError
from interventions.models import (
    Checkpoint,
    DeliveryModel,
    ExpertiseArea,
    Intervention,
    InterventionStatus,
    Progress,
)
from interventions.selectors.interventions import (
    intervention_detail,
    intervention_list,
    requests_visible_to,
    trust_experts,
)
from interventions.services.interventions import (
    checkpoint_record,
    intervention_close,
    intervention_commission,
    intervention_transition,
)
from reviews.selectors.evidence import evidence_visible_to
from schools.selectors.schools import schools_visible_to
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action


@extend_schema_field(OpenApiTypes.UUID)
class UuidRef(serializers.SlugRelatedField):
    """A related object by its public UUID (read only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="uuid", read_only=True, **kwargs)


class LeadExpertSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class PersonRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    full_name = serializers.CharField()


class LeadSerializer(serializers.Serializer):
    expert = LeadExpertSerializer()
    days = serializers.DecimalField(max_digits=5, decimal_places=1)


class TargetSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Refers to this target when recording progress.")
    description = serializers.CharField()


class CheckpointProgressSerializer(serializers.Serializer):
    target = serializers.IntegerField(source="target.position", help_text="The target's position.")
    progress = serializers.ChoiceField(choices=Progress.choices)
    note = serializers.CharField()


class CheckpointSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    recorded_at = serializers.DateTimeField(allow_null=True)
    recorded_by = PersonRefSerializer(allow_null=True)
    notes = serializers.CharField()
    progress = CheckpointProgressSerializer(many=True, source="progress.all")
    evidence = UuidRef(many=True)


class TransitionSerializer(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the first row.")
    to_status = serializers.ChoiceField(choices=InterventionStatus.choices)
    by = PersonRefSerializer(allow_null=True)
    at = serializers.DateTimeField()
    note = serializers.CharField()


class InterventionSummarySerializer(serializers.ModelSerializer):
    school = SchoolRefSerializer()
    providing_school = SchoolRefSerializer(allow_null=True)
    leads = LeadSerializer(many=True, source="leads.all")

    class Meta:
        model = Intervention
        fields = [
            "uuid",
            "title",
            "school",
            "area_of_need",
            "delivery_model",
            "providing_school",
            "provider_name",
            "status",
            "starts_on",
            "ends_on",
            "days",
            "budget",
            "cost",
            "leads",
        ]


class InterventionSerializer(InterventionSummarySerializer):
    targets = TargetSerializer(many=True, source="targets.all")
    checkpoints = CheckpointSerializer(many=True, source="checkpoints.all")
    transitions = TransitionSerializer(many=True, source="transitions.all")
    impact_evidence = UuidRef(many=True)
    support_request = UuidRef(allow_null=True)

    class Meta(InterventionSummarySerializer.Meta):
        fields = [
            *InterventionSummarySerializer.Meta.fields,
            "description",
            "success_criteria",
            "cancelled_reason",
            "support_request",
            "targets",
            "checkpoints",
            "transitions",
            "impact_practice",
            "impact_systems",
            "impact_organisation",
            "impact_outcomes",
            "impact_evidence",
            "closed_on",
        ]


@extend_schema_field(OpenApiTypes.UUID)
class _SchoolField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return schools_visible_to(self.context["request"]._request.membership)


@extend_schema_field(OpenApiTypes.UUID)
class _ExpertField(UuidRelatedField):
    def get_queryset(self) -> Any:
        return trust_experts(self.context["request"]._request.membership)


@extend_schema_field(OpenApiTypes.UUID)
class _RequestField(serializers.SlugRelatedField):
    def get_queryset(self) -> Any:
        return requests_visible_to(self.context["request"]._request.membership)


@extend_schema_field(OpenApiTypes.UUID)
class _EvidenceField(UuidRelatedField):
    def get_queryset(self) -> Any:
        return evidence_visible_to(self.context["request"]._request.membership)


class _LeadsSerializer(serializers.ListSerializer):
    def to_internal_value(self, data: Any) -> Any:
        # Every lead's person in one query, not one per lead.
        if isinstance(data, list):
            self.child.fields["expert"].find_all(lead.get("expert") for lead in data if isinstance(lead, dict))
        return super().to_internal_value(data)


class LeadInputSerializer(serializers.Serializer):
    expert = _ExpertField(help_text="UUID of an active person on the trust's register.")
    days = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0)

    class Meta:
        list_serializer_class = _LeadsSerializer


class CommissionSerializer(serializers.Serializer):
    """The intervention itself; `school` and `area_of_need` may come from a support request instead."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    delivery_model = serializers.ChoiceField(choices=DeliveryModel.choices)
    providing_school = _SchoolField(
        slug_field="uuid", required=False, allow_null=True, default=None, help_text="For school-to-school support."
    )
    provider_name = serializers.CharField(required=False, allow_blank=True, default="", help_text="For external.")
    cost = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, default=None)
    leads = LeadInputSerializer(many=True, required=False, default=list)
    targets = serializers.ListField(child=serializers.CharField(), min_length=1)
    success_criteria = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="After starts_on: interventions are time-limited.")
    days = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True, default=None)
    budget = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True, default=None)
    checkpoints = serializers.ListField(child=serializers.DateField(), required=False, default=list)
    confirm_over_commitment = serializers.BooleanField(
        required=False, default=False, help_text="Go ahead although a lead would be over-committed this term."
    )


class InterventionCreateSerializer(CommissionSerializer):
    school = _SchoolField(slug_field="uuid")
    area_of_need = serializers.ChoiceField(choices=ExpertiseArea.choices)
    support_request = _RequestField(
        slug_field="uuid", required=False, allow_null=True, default=None, help_text="An open request it accepts."
    )


def commission_from(data: dict[str, Any], actor: Any) -> Intervention:
    """Call the commission service with validated API input."""
    data = dict(data)
    data["leads"] = [(lead["expert"], lead["days"]) for lead in data.get("leads", [])]
    return intervention_commission(actor=actor, **data)


class TransitionInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=InterventionStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required to cancel.")


class CloseInputSerializer(serializers.Serializer):
    impact_practice = serializers.CharField(allow_blank=True)
    impact_systems = serializers.CharField(allow_blank=True)
    impact_organisation = serializers.CharField(allow_blank=True)
    impact_outcomes = serializers.CharField(allow_blank=True)
    evidence = RowsByUuidField(child=_EvidenceField(), help_text="UUIDs of the school's evidence.")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CheckpointProgressInputSerializer(serializers.Serializer):
    target = serializers.IntegerField(help_text="The target's position.")
    progress = serializers.ChoiceField(choices=Progress.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CheckpointInputSerializer(serializers.Serializer):
    notes = serializers.CharField()
    progress = CheckpointProgressInputSerializer(many=True, required=False, default=list)
    evidence = RowsByUuidField(child=_EvidenceField(), required=False, default=list)


class _InterventionAPI:
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_INTERVENTIONS
    write_action = Action.COMMISSION_INTERVENTIONS
    request: Any

    def intervention(self, intervention_uuid: UUID) -> Intervention:
        try:
            return intervention_detail(self.request._request.membership, intervention_uuid)
        except Intervention.DoesNotExist as missing:
            raise Http404 from missing

    def respond(self, intervention: Intervention, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.intervention(intervention.uuid)
        return Response(InterventionSerializer(fresh).data, status=code)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=InterventionStatus.values),
        OpenApiParameter("school", OpenApiTypes.UUID),
        OpenApiParameter("delivery_model", str, enum=DeliveryModel.values),
        OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only those the caller leads."),
    ]
)
class InterventionListView(_InterventionAPI, generics.ListAPIView):
    """Interventions the caller may see: trust-wide, their school's, or (specialists) those they lead."""

    serializer_class = InterventionSummarySerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        membership = self.request._request.membership
        school_id = None
        if value := params.get("school"):
            try:
                school = schools_visible_to(membership).filter(uuid=UUID(value)).first()
            except ValueError:
                school = None
            if school is None:
                return Intervention.objects.none()
            school_id = school.pk
        return intervention_list(
            membership,
            status=params.get("status", ""),
            school_id=school_id,
            delivery_model=params.get("delivery_model", ""),
            led_by_me=params.get("mine") in {"1", "true", "True"},
        )

    @extend_schema(
        request=InterventionCreateSerializer,
        responses={201: InterventionSerializer},
        summary="Propose an intervention (400 with the over-commitment message unless confirmed)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = InterventionCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        intervention = commission_from(serializer.validated_data, request.user)
        return self.respond(intervention, status.HTTP_201_CREATED)


class InterventionDetailView(_InterventionAPI, APIView):
    @extend_schema(responses=InterventionSerializer, summary="One intervention with targets, checkpoints and history")
    def get(self, request: Request, trust_slug: str, intervention_uuid: UUID) -> Response:
        return Response(InterventionSerializer(self.intervention(intervention_uuid)).data)


class InterventionTransitionView(_InterventionAPI, APIView):
    @extend_schema(
        request=TransitionInputSerializer,
        responses=InterventionSerializer,
        summary="Move one allowed step, or cancel with a reason (other moves: 400 with the message)",
    )
    def post(self, request: Request, trust_slug: str, intervention_uuid: UUID) -> Response:
        intervention = self.intervention(intervention_uuid)
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        intervention_transition(intervention=intervention, actor=request.user, **serializer.validated_data)
        return self.respond(intervention)


class InterventionCloseView(_InterventionAPI, APIView):
    @extend_schema(
        request=CloseInputSerializer,
        responses=InterventionSerializer,
        summary="Close after impact review: the four impact judgements and the school's evidence",
    )
    def post(self, request: Request, trust_slug: str, intervention_uuid: UUID) -> Response:
        intervention = self.intervention(intervention_uuid)
        serializer = CloseInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        intervention_close(intervention=intervention, actor=request.user, **serializer.validated_data)
        return self.respond(intervention)


class CheckpointRecordView(_InterventionAPI, APIView):
    write_action = Action.RECORD_CHECKPOINTS

    @extend_schema(
        request=CheckpointInputSerializer,
        responses=InterventionSerializer,
        summary="Record a checkpoint: notes, progress per target (by position) and evidence",
    )
    def post(self, request: Request, trust_slug: str, intervention_uuid: UUID, checkpoint_uuid: UUID) -> Response:
        intervention = self.intervention(intervention_uuid)
        checkpoint = get_object_or_404(Checkpoint.objects.filter(intervention=intervention), uuid=checkpoint_uuid)
        serializer = CheckpointInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        targets = {t.position: t for t in intervention.targets.all()}
        progress = {}
        for row in data["progress"]:
            if row["target"] not in targets:
                raise ApplicationError(f"This intervention has no target at position {row['target']}.")
            progress[targets[row["target"]]] = (row["progress"], row["note"])
        checkpoint_record(
            checkpoint=checkpoint, actor=request.user, notes=data["notes"], progress=progress, evidence=data["evidence"]
        )
        return self.respond(intervention)


urlpatterns = [
    path("interventions/", InterventionListView.as_view(), name="api-intervention-list"),
    path("interventions/<uuid:intervention_uuid>/", InterventionDetailView.as_view(), name="api-intervention-detail"),
    path(
        "interventions/<uuid:intervention_uuid>/transition/",
        InterventionTransitionView.as_view(),
        name="api-intervention-transition",
    ),
    path(
        "interventions/<uuid:intervention_uuid>/close/",
        InterventionCloseView.as_view(),
        name="api-intervention-close",
    ),
    path(
        "interventions/<uuid:intervention_uuid>/checkpoints/<uuid:checkpoint_uuid>/",
        CheckpointRecordView.as_view(),
        name="api-intervention-checkpoint",
    ),
]

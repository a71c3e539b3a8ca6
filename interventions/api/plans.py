"""API for improvement plans, mounted under /api/v1/t/<trust_slug>/.

Headteachers write their own school's plan; executives and improvement leads comment on and agree it;
executives, improvement leads and trustees read the trust's plan health.
"""

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.academic import TERMS, academic_year_for, academic_year_label
from core.exceptions import ApplicationError
from interventions.models import ActionStatus, ImprovementPlan, PlanAction, PlanPriority
from interventions.selectors.plans import action_concerns, is_overdue, plan_for, trust_plan_health
from interventions.services import plans as services
from reviews.api.evidence import JudgementAreaRefSerializer
from reviews.models import JudgementArea
from schools.models import School
from schools.selectors.schools import schools_visible_to
from trust.api import SchoolRefSerializer, TrustActionPermission
from trust.permissions import Action

# Plain text rather than enums, so the schema's many "status" enums do not collide.
ACTION_STATUS_HELP = "One of: " + ", ".join(ActionStatus.values) + "."
PLAN_STATUS_HELP = "draft or agreed; 'none' when the school has no plan for the year."
YEAR_PARAMETER = OpenApiParameter(
    "year", int, description="Academic year by its starting year (2025 is 2025/26); default: the current year."
)


class PlanActionSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    description = serializers.CharField()
    owner = serializers.CharField()
    due_on = serializers.DateField()
    success_criteria = serializers.CharField()
    status = serializers.CharField(help_text=ACTION_STATUS_HELP)
    status_label = serializers.CharField()
    completed_on = serializers.DateField(allow_null=True)
    is_overdue = serializers.BooleanField()
    concerns = serializers.ListField(child=serializers.CharField(), help_text="Why it needs attention, in words.")


class PlanPrioritySerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    title = serializers.CharField()
    area = JudgementAreaRefSerializer(allow_null=True)
    source = serializers.CharField()
    position = serializers.IntegerField()
    actions = PlanActionSerializer(many=True)


class PlanUpdateSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    is_trust_comment = serializers.BooleanField()
    term = serializers.CharField()
    body = serializers.CharField()
    author = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()


class PlanSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(allow_null=True)
    school = SchoolRefSerializer()
    academic_year = serializers.IntegerField()
    academic_year_label = serializers.CharField()
    status = serializers.CharField(help_text=PLAN_STATUS_HELP)
    summary = serializers.CharField()
    agreed_on = serializers.DateField(allow_null=True)
    agreed_by = serializers.CharField(allow_null=True)
    priorities = PlanPrioritySerializer(many=True)
    updates = PlanUpdateSerializer(many=True)


class PlanStartSerializer(serializers.Serializer):
    academic_year = serializers.IntegerField(required=False, help_text="Default: the current academic year.")
    from_checklist = serializers.BooleanField(required=False, default=False)
    from_review = serializers.BooleanField(required=False, default=False)
    summary = serializers.CharField(required=False, allow_blank=True, default="")


class PlanPriorityInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    area = serializers.SlugField(required=False, allow_null=True, default=None, help_text="A judgement area's code.")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PlanActionInputSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField(max_length=200)
    due_on = serializers.DateField()
    success_criteria = serializers.CharField(required=False, allow_blank=True, default="")
    status = serializers.CharField(required=False, default=ActionStatus.NOT_STARTED, help_text=ACTION_STATUS_HELP)


class PlanActionChangeSerializer(serializers.Serializer):
    description = serializers.CharField(required=False)
    owner = serializers.CharField(max_length=200, required=False)
    due_on = serializers.DateField(required=False)
    success_criteria = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, help_text=ACTION_STATUS_HELP)


class PlanPostSerializer(serializers.Serializer):
    body = serializers.CharField()
    term = serializers.CharField(
        required=False, help_text=f"One of: {', '.join(TERMS)}. Default: the term today falls in."
    )


class PlanHealthRowSerializer(serializers.Serializer):
    school = SchoolRefSerializer()
    plan = serializers.UUIDField()
    priority = serializers.CharField()
    action = PlanActionSerializer()


def _person(user: Any) -> str | None:
    return (user.full_name or user.email) if user else None


def action_payload(action: PlanAction, today: Any) -> dict[str, Any]:
    return {
        "uuid": action.uuid,
        "description": action.description,
        "owner": action.owner,
        "due_on": action.due_on,
        "success_criteria": action.success_criteria,
        "status": action.status,
        "status_label": action.get_status_display(),
        "completed_on": action.completed_on,
        "is_overdue": is_overdue(action, today),
        "concerns": action_concerns(action, today),
    }


def plan_payload(school: School, year: int, plan: ImprovementPlan | None) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "uuid": plan.uuid if plan else None,
        "school": school,
        "academic_year": year,
        "academic_year_label": academic_year_label(year),
        "status": plan.status if plan else "none",
        "summary": plan.summary if plan else "",
        "agreed_on": plan.agreed_on if plan else None,
        "agreed_by": _person(plan.agreed_by) if plan else None,
        "priorities": [
            {
                "uuid": p.uuid,
                "title": p.title,
                "area": p.area,
                "source": p.source,
                "position": p.position,
                "actions": [action_payload(a, today) for a in p.actions.all()],
            }
            for p in (plan.priorities.all() if plan else [])
        ],
        "updates": [
            {
                "uuid": u.uuid,
                "is_trust_comment": u.is_trust_comment,
                "term": u.term,
                "body": u.body,
                "author": _person(u.author),
                "created_at": u.created_at,
            }
            for u in (plan.updates.all() if plan else [])
        ],
    }


class _PlanAPI(APIView):
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_PLANS
    write_action = Action.WRITE_PLAN

    @property
    def membership(self) -> Any:
        return self.request._request.membership

    def plans(self) -> QuerySet[ImprovementPlan]:
        # Another school's plan, for a headteacher or governor, is not there (404).
        return ImprovementPlan.objects.filter(school__in=schools_visible_to(self.membership)).select_related("school")

    def plan(self, plan_uuid: Any) -> ImprovementPlan:
        return get_object_or_404(self.plans(), uuid=plan_uuid)

    def priority(self, priority_uuid: Any) -> PlanPriority:
        return get_object_or_404(
            PlanPriority.objects.filter(plan__in=self.plans()).select_related("plan__school"), uuid=priority_uuid
        )

    def respond(self, plan: ImprovementPlan, code: int = status.HTTP_200_OK) -> Response:
        fresh = plan_for(plan.school, plan.academic_year)
        return Response(PlanSerializer(plan_payload(plan.school, plan.academic_year, fresh)).data, status=code)

    def area(self, code: str | None) -> JudgementArea | None:
        if not code:
            return None
        area = JudgementArea.objects.filter(trust=self.request._request.trust, code=code).first()
        if area is None:
            raise ApplicationError(f"'{code}' is not one of the trust's judgement areas.", {"field": "area"})
        return area


class PlanSchoolView(_PlanAPI):
    @extend_schema(parameters=[YEAR_PARAMETER], responses=PlanSerializer, summary="A school's improvement plan")
    def get(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        school = get_object_or_404(schools_visible_to(self.membership), uuid=school_uuid)
        value = request.query_params.get("year", "")
        year = int(value) if value.isdigit() else academic_year_for(timezone.localdate())
        return Response(PlanSerializer(plan_payload(school, year, plan_for(school, year))).data)

    @extend_schema(
        request=PlanStartSerializer,
        responses={200: PlanSerializer, 201: PlanSerializer},
        summary="Start the school's plan (headteacher), optionally from the level's checklist and the latest review",
        description="Starting a plan that already exists returns it unchanged (200).",
    )
    def post(self, request: Request, trust_slug: str, school_uuid: Any) -> Response:
        school = get_object_or_404(schools_visible_to(self.membership), uuid=school_uuid)
        serializer = PlanStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan, created = services.plan_start(
            school=school,
            actor=request.user,
            academic_year=data.get("academic_year") or academic_year_for(timezone.localdate()),
            from_checklist=data["from_checklist"],
            from_review=data["from_review"],
            summary=data["summary"],
        )
        return self.respond(plan, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class PriorityListView(_PlanAPI):
    @extend_schema(request=PlanPriorityInputSerializer, responses={201: PlanSerializer}, summary="Add a priority")
    def post(self, request: Request, trust_slug: str, plan_uuid: Any) -> Response:
        plan = self.plan(plan_uuid)
        serializer = PlanPriorityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.priority_add(
            plan=plan, actor=request.user, title=data["title"], area=self.area(data["area"]), source=data["source"]
        )
        return self.respond(plan, status.HTTP_201_CREATED)


class PriorityDetailView(_PlanAPI):
    @extend_schema(
        request=PlanPriorityInputSerializer(partial=True), responses=PlanSerializer, summary="Change a priority"
    )
    def patch(self, request: Request, trust_slug: str, priority_uuid: Any) -> Response:
        priority = self.priority(priority_uuid)
        serializer = PlanPriorityInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.priority_update(
            priority=priority,
            actor=request.user,
            title=data.get("title", priority.title),
            area=self.area(data["area"]) if "area" in data else priority.area,
            source=data.get("source", priority.source),
        )
        return self.respond(priority.plan)

    @extend_schema(request=None, responses={204: None}, summary="Remove a priority and its actions")
    def delete(self, request: Request, trust_slug: str, priority_uuid: Any) -> Response:
        services.priority_remove(priority=self.priority(priority_uuid), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ActionListView(_PlanAPI):
    @extend_schema(request=PlanActionInputSerializer, responses={201: PlanSerializer}, summary="Add an action")
    def post(self, request: Request, trust_slug: str, priority_uuid: Any) -> Response:
        priority = self.priority(priority_uuid)
        serializer = PlanActionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.action_add(
            priority=priority, actor=request.user, data=services.ActionInput(**serializer.validated_data)
        )
        return self.respond(priority.plan, status.HTTP_201_CREATED)


class ActionDetailView(_PlanAPI):
    @extend_schema(
        request=PlanActionChangeSerializer,
        responses=PlanSerializer,
        summary="Change an action (completing it records today as its completion date)",
    )
    def patch(self, request: Request, trust_slug: str, action_uuid: Any) -> Response:
        action = get_object_or_404(
            PlanAction.objects.filter(priority__plan__in=self.plans()).select_related("priority__plan__school"),
            uuid=action_uuid,
        )
        serializer = PlanActionChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.action_update(action=action, actor=request.user, **serializer.validated_data)
        return self.respond(action.priority.plan)


class PlanUpdateListView(_PlanAPI):
    @extend_schema(
        request=PlanPostSerializer, responses={201: PlanSerializer}, summary="Post the school's progress update"
    )
    def post(self, request: Request, trust_slug: str, plan_uuid: Any) -> Response:
        plan = self.plan(plan_uuid)
        serializer = PlanPostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_update_post(plan=plan, actor=request.user, **serializer.validated_data)
        return self.respond(plan, status.HTTP_201_CREATED)


class PlanCommentListView(_PlanAPI):
    read_action = write_action = Action.AGREE_PLAN

    @extend_schema(
        request=PlanPostSerializer, responses={201: PlanSerializer}, summary="Comment on the plan for the trust"
    )
    def post(self, request: Request, trust_slug: str, plan_uuid: Any) -> Response:
        plan = self.plan(plan_uuid)
        serializer = PlanPostSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.plan_comment(plan=plan, actor=request.user, **serializer.validated_data)
        return self.respond(plan, status.HTTP_201_CREATED)


class PlanAgreeView(_PlanAPI):
    read_action = write_action = Action.AGREE_PLAN

    @extend_schema(
        request=None,
        responses=PlanSerializer,
        summary="Agree the plan for the trust (it needs a priority; agreeing twice is harmless)",
    )
    def post(self, request: Request, trust_slug: str, plan_uuid: Any) -> Response:
        plan = services.plan_agree(plan=self.plan(plan_uuid), actor=request.user)
        return self.respond(plan)


class PlanHealthView(_PlanAPI):
    # Trust-wide views across schools: executives, improvement leads and trustees.
    read_action = write_action = Action.VIEW_TRUST_JUDGEMENTS

    @extend_schema(
        responses=PlanHealthRowSerializer(many=True),
        summary="This year's overdue, off-track and at-risk plan actions across the trust",
    )
    def get(self, request: Request, trust_slug: str) -> Response:
        today = timezone.localdate()
        rows = [
            {
                "school": r.school,
                "plan": r.plan.uuid,
                "priority": r.priority.title,
                "action": action_payload(r.action, today),
            }
            for r in trust_plan_health(request._request.trust, today)
        ]
        return Response(PlanHealthRowSerializer(rows, many=True).data)


urlpatterns = [
    path("schools/<uuid:school_uuid>/plan/", PlanSchoolView.as_view(), name="api-plan-school"),
    path("plans/health/", PlanHealthView.as_view(), name="api-plan-health"),
    path("plans/<uuid:plan_uuid>/priorities/", PriorityListView.as_view(), name="api-plan-priority-list"),
    path("plans/<uuid:plan_uuid>/updates/", PlanUpdateListView.as_view(), name="api-plan-update-list"),
    path("plans/<uuid:plan_uuid>/comments/", PlanCommentListView.as_view(), name="api-plan-comment-list"),
    path("plans/<uuid:plan_uuid>/agree/", PlanAgreeView.as_view(), name="api-plan-agree"),
    path("plans/priorities/<uuid:priority_uuid>/", PriorityDetailView.as_view(), name="api-plan-priority-detail"),
    path("plans/priorities/<uuid:priority_uuid>/actions/", ActionListView.as_view(), name="api-plan-action-list"),
    path("plans/actions/<uuid:action_uuid>/", ActionDetailView.as_view(), name="api-plan-action-detail"),
]

"""API: who am I, and the trust's members (list, invite, change role, remove)."""

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from schools.models import School
from trust import selectors, services
from trust.models import Membership, Role
from trust.permissions import Action, allowed_actions, can


class TrustActionPermission(permissions.BasePermission):
    """Member of the URL's trust (else 404) whose role may do the view's `action` (else 403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        membership = getattr(request._request, "membership", None)
        if membership is None:
            raise Http404
        action = view.write_action if request.method not in permissions.SAFE_METHODS else view.read_action
        return can(membership, action)


class TrustSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    code = serializers.UUIDField()


class SchoolRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()
    urn = serializers.IntegerField()


class MeMembershipSerializer(serializers.Serializer):
    trust = TrustSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    school = SchoolRefSerializer(allow_null=True)
    allowed_actions = serializers.DictField(child=serializers.BooleanField())


class MeSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()
    memberships = MeMembershipSerializer(many=True)


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The signed-in person and the trusts they act in")
    def get(self, request: Request) -> Response:
        memberships = selectors.memberships_of_user(request.user)
        token = request.auth if hasattr(request.auth, "trust_id") else None
        if token is not None:
            # A token speaks for one trust only.
            memberships = [m for m in memberships if m.trust_id == token.trust_id]
        data = {
            "uuid": request.user.uuid,
            "email": request.user.email,
            "full_name": request.user.full_name,
            "memberships": [
                {"trust": m.trust, "role": m.role, "school": m.school, "allowed_actions": allowed_actions(m)}
                for m in memberships
            ],
        }
        return Response(MeSerializer(data).data)


class UserRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class MemberSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    school = SchoolRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Membership
        fields = ["uuid", "user", "role", "school", "created_at"]


@extend_schema_field(OpenApiTypes.UUID)
class TrustSchoolField(serializers.SlugRelatedField):
    """A school of the request's trust, by UUID; another trust's school reads as unknown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "UUID of one of the trust's schools; required for headteacher and governor.")
        super().__init__(slug_field="uuid", required=False, allow_null=True, **kwargs)

    def get_queryset(self) -> Any:
        return School.objects.filter(trust=self.context["request"]._request.trust)


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    school = TrustSchoolField()


class InvitationOutputSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    school = SchoolRefSerializer(allow_null=True)
    expires_at = serializers.DateTimeField()


class RoleChangeSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    school = TrustSchoolField()


class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_MEMBERS
    write_action = Action.MANAGE_MEMBERS

    def get_queryset(self) -> Any:
        return selectors.trust_members(self.request._request.trust)

    @extend_schema(
        request=InvitationInputSerializer,
        responses={201: InvitationOutputSerializer},
        summary="Invite a person to a role (an email with a single-use link is sent)",
    )
    def post(self, request: Request, trust_slug: str) -> Response:
        serializer = InvitationInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        invitation, _ = services.invitation_create(
            trust=request._request.trust, actor=request.user, **serializer.validated_data
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class MemberDetailView(generics.RetrieveDestroyAPIView):
    serializer_class = MemberSerializer
    permission_classes = [permissions.IsAuthenticated, TrustActionPermission]
    read_action = Action.VIEW_MEMBERS
    write_action = Action.MANAGE_MEMBERS
    lookup_field = "uuid"
    lookup_url_kwarg = "member_uuid"

    def get_queryset(self) -> Any:
        return selectors.trust_members(self.request._request.trust)

    @extend_schema(request=RoleChangeSerializer, responses=MemberSerializer, summary="Change a member's role")
    def patch(self, request: Request, trust_slug: str, member_uuid: str) -> Response:
        member = self.get_object()
        serializer = RoleChangeSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.membership_change_role(membership=member, actor=request.user, **serializer.validated_data)
        return Response(MemberSerializer(member).data)

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_remove(membership=instance, actor=self.request.user)

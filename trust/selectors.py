from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scopes_disabled

from trust.models import ApiToken, Invitation, Membership, Role, Trust, User
from trust.tokens import hash_secret


def membership_for(user: User, trust: Trust) -> Membership | None:
    """The person's membership of the trust, or None; call inside the trust's scope."""
    return Membership.objects.select_related("school", "trust").filter(user=user, trust=trust).first()


def memberships_of_user(user: User) -> list[Membership]:
    """Every trust the person belongs to, for the trust picker."""
    # Crossing trusts is the point here: a person's own list of trusts.
    with scopes_disabled():
        return list(Membership.objects.filter(user=user).select_related("trust", "school").order_by("trust__name"))


def trust_members(trust: Trust) -> QuerySet[Membership]:
    return Membership.objects.filter(trust=trust).select_related("user", "school").order_by("user__email")


def open_invitations(trust: Trust) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(
            trust=trust, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
        .select_related("school", "invited_by")
        .order_by("email")
    )


def invitation_by_token(raw_token: str) -> Invitation | None:
    """The invitation a link's token names, whatever its state; None for an unknown token."""
    # The token itself is the capability and no trust is known before it is read.
    with scopes_disabled():
        return Invitation.objects.select_related("trust", "school").filter(token_hash=hash_secret(raw_token)).first()


def executive_count(trust: Trust) -> int:
    return Membership.objects.filter(trust=trust, role=Role.EXECUTIVE).count()


def api_token_from_header(header: str) -> ApiToken | None:
    """The live token named by an `Authorization: Token <key>` header, or None."""
    keyword, _, raw = header.partition(" ")
    if keyword != "Token" or not raw.strip():
        return None
    # The token names its trust; it is looked up before any trust scope can exist.
    with scopes_disabled():
        token = (
            ApiToken.objects.select_related("user", "trust")
            .filter(key_hash=hash_secret(raw.strip()), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if token is not None:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token


def api_tokens_of(user: User, trust: Trust) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user, trust=trust, revoked_at__isnull=True).order_by("-created_at")

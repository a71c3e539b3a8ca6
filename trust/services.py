"""Every write to trusts, people, memberships, invitations and API tokens."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django_scopes import scope

from core.audit import audit_record, diff, snapshot_fields
from core.exceptions import ApplicationError
from schools.models import School
from trust.models import SCHOOL_ROLES, ApiToken, Invitation, Membership, Role, Trust, User
from trust.selectors import executive_count
from trust.tokens import hash_secret, new_secret


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "trust"
    slug, n = base, 2
    while Trust.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_school_for_role(*, trust: Trust, role: str, school: School | None) -> None:
    if role in SCHOOL_ROLES and school is None:
        raise ApplicationError("Choose the school for a headteacher or governor.", {"field": "school"})
    if role not in SCHOOL_ROLES and school is not None:
        raise ApplicationError("Only headteachers and governors belong to a school.", {"field": "school"})
    if school is not None and school.trust_id != trust.pk:
        # Same message as for an unknown school: never confirm another trust's record.
        raise ApplicationError("Choose a valid school.", {"field": "school"})


def _plain_school(school: School | None) -> str | None:
    return school.name if school is not None else None


def trust_create(*, name: str, executive_email: str, actor: User | None = None) -> tuple[Trust, str | None]:
    """Create a trust and make `executive_email` its first executive.

    An existing account becomes executive at once (no link returned); otherwise an
    invitation is emailed and its link returned.
    """
    name = name.strip()
    if not name:
        raise ApplicationError("A trust needs a name.")
    with transaction.atomic():
        trust = Trust(name=name, slug=_unique_slug(name))
        trust.full_clean()
        trust.save()
        audit_record(
            trust=trust,
            actor=actor,
            action="trust.created",
            obj=trust,
            changes=snapshot_fields(trust, ["name", "slug"]),
        )
        with scope(trust=trust.pk):
            existing = User.objects.filter(email__iexact=executive_email.strip()).first()
            if existing is not None:
                membership = Membership.objects.create(user=existing, trust=trust, role=Role.EXECUTIVE)
                audit_record(
                    trust=trust,
                    actor=actor,
                    action="membership.created",
                    obj=membership,
                    changes={"person": existing.email, "role": membership.get_role_display()},
                )
                return trust, None
            _, link = invitation_create(trust=trust, actor=actor, email=executive_email, role=Role.EXECUTIVE)
            return trust, link


def invitation_create(
    *, trust: Trust, actor: User | None, email: str, role: str, school: School | None = None
) -> tuple[Invitation, str]:
    """Invite a person to a role in the trust and email them a single-use link (path returned)."""
    email = email.strip().lower()
    if role not in Role.values:
        raise ApplicationError("Choose a valid role.", {"field": "role"})
    _check_school_for_role(trust=trust, role=role, school=school)
    if Membership.objects.filter(trust=trust, user__email__iexact=email).exists():
        raise ApplicationError(f"{email} is already a member of this trust.", {"field": "email"})

    raw = new_secret()
    invitation = Invitation(
        trust=trust,
        email=email,
        role=role,
        school=school,
        invited_by=actor,
        token_hash=hash_secret(raw),
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    invitation.full_clean(exclude=["token_hash"], validate_constraints=False)
    with transaction.atomic():
        # An expired invitation no longer blocks a new one for the same email.
        Invitation.objects.filter(
            trust=trust, email=email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=timezone.now()
        ).update(revoked_at=timezone.now())
        try:
            with transaction.atomic():
                invitation.save()
        except IntegrityError:
            raise ApplicationError(
                f"An invitation to {email} is already waiting to be accepted.", {"field": "email"}
            ) from None
        audit_record(
            trust=trust,
            actor=actor,
            action="invitation.created",
            obj=invitation,
            changes={"email": email, "role": invitation.get_role_display(), "school": _plain_school(school)},
        )

    path = reverse("invitation-accept", args=[raw])
    body = render_to_string(
        "emails/invitation.txt",
        {"invitation": invitation, "link": settings.SITE_URL.rstrip("/") + path, "actor": actor},
    )
    transaction.on_commit(lambda: send_mail(f"You are invited to {trust.name} on Trustwide", body, None, [email]))
    return invitation, path


def invitation_revoke(*, invitation: Invitation, actor: User) -> None:
    """Withdraw an invitation that has not been accepted yet."""
    if invitation.accepted_at is not None:
        raise ApplicationError("This invitation has already been accepted.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        with transaction.atomic():
            invitation.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                trust=invitation.trust_id,
                actor=actor,
                action="invitation.revoked",
                obj=invitation,
                changes={"email": invitation.email, "revoked_at": [None, invitation.revoked_at]},
            )


def invitation_accept(
    *, invitation: Invitation, user: User | None, full_name: str = "", password: str = ""
) -> Membership:
    """Use an invitation once: create the account if needed and add the membership."""
    with transaction.atomic(), scope(trust=invitation.trust_id):
        # Lock the row so two clicks on the same link cannot both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise ApplicationError("This invitation has already been used or withdrawn.")
        if locked.is_expired:
            raise ApplicationError("This invitation has expired. Ask the trust for a new one.")

        if user is None:
            if User.objects.filter(email__iexact=locked.email).exists():
                raise ApplicationError("An account with this email exists: sign in to accept the invitation.")
            user = User(email=locked.email, full_name=full_name.strip())
            validate_password(password, user)
            user.set_password(password)
            user.full_clean()
            user.save()
        elif user.email.lower() != locked.email.lower():
            raise ApplicationError(f"This invitation is for {locked.email}. Sign in with that email to accept it.")

        if Membership.objects.filter(user=user, trust=locked.trust).exists():
            raise ApplicationError("You are already a member of this trust.")
        membership = Membership(user=user, trust=locked.trust, role=locked.role, school=locked.school)
        membership.full_clean()
        membership.save()
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
        audit_record(
            trust=locked.trust_id,
            actor=user,
            action="membership.created",
            obj=membership,
            changes={
                "person": user.email,
                "role": membership.get_role_display(),
                "school": _plain_school(membership.school),
                "invitation": str(locked.uuid),
            },
        )
        return membership


def _lock_executives(trust: Trust) -> None:
    list(Membership.objects.select_for_update().filter(trust=trust, role=Role.EXECUTIVE).values_list("pk"))


def membership_change_role(
    *, membership: Membership, actor: User, role: str, school: School | None = None
) -> Membership:
    """Give a member another role (and school for school-level roles)."""
    if role not in Role.values:
        raise ApplicationError("Choose a valid role.", {"field": "role"})
    _check_school_for_role(trust=membership.trust, role=role, school=school)
    with transaction.atomic():
        before = {"role": membership.get_role_display(), "school": _plain_school(membership.school)}
        _lock_executives(membership.trust)
        if membership.role == Role.EXECUTIVE and role != Role.EXECUTIVE and executive_count(membership.trust) <= 1:
            raise ApplicationError(
                "The trust's last executive cannot be given another role. Make someone else executive first."
            )
        membership.role = role
        membership.school = school
        membership.full_clean()
        membership.save(update_fields=["role", "school", "updated_at"])
        after = {"role": membership.get_role_display(), "school": _plain_school(membership.school)}
        audit_record(
            trust=membership.trust_id,
            actor=actor,
            action="membership.role_changed",
            obj=membership,
            changes=diff(before, after),
        )
    return membership


def membership_remove(*, membership: Membership, actor: User) -> None:
    """Remove a person from the trust; their account and other trusts are untouched."""
    with transaction.atomic():
        _lock_executives(membership.trust)
        if membership.role == Role.EXECUTIVE and executive_count(membership.trust) <= 1:
            raise ApplicationError("The trust's last executive cannot be removed. Make someone else executive first.")
        revoked = ApiToken.objects.filter(user=membership.user, trust=membership.trust).update(
            revoked_at=timezone.now()
        )
        audit_record(
            trust=membership.trust_id,
            actor=actor,
            action="membership.removed",
            obj=membership,
            changes={
                "person": membership.user.email,
                "role": membership.get_role_display(),
                "school": _plain_school(membership.school),
                "api_tokens_revoked": revoked,
            },
        )
        membership.delete()


def api_token_create(*, user: User, trust: Trust, name: str) -> tuple[ApiToken, str]:
    """Create an API key for the person in this trust; the raw key is returned once."""
    name = name.strip()
    if not name:
        raise ApplicationError("Give the token a name, such as the tool that will use it.", {"field": "name"})
    raw = new_secret()
    token = ApiToken(user=user, trust=trust, name=name[:100], prefix=raw[:8], key_hash=hash_secret(raw))
    token.full_clean()
    with transaction.atomic():
        token.save()
        audit_record(
            trust=trust,
            actor=user,
            action="api_token.created",
            obj=token,
            changes={"name": token.name, "prefix": token.prefix},
        )
    return token, raw


def api_token_revoke(*, token: ApiToken, actor: User) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        with transaction.atomic():
            token.save(update_fields=["revoked_at", "updated_at"])
            audit_record(
                trust=token.trust_id,
                actor=actor,
                action="api_token.revoked",
                obj=token,
                changes={"name": token.name, "revoked_at": [None, token.revoked_at]},
            )

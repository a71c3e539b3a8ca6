"""Sign-in security: two-factor devices and recovery codes, the trust's sign-in rule, unlocking accounts.

Two-factor sign-in uses django-otp: one confirmed TOTP device (an authenticator app) per person,
plus one static device holding their single-use recovery codes. Who must use it is decided per
trust: executives, improvement leads and trustees always, everyone when the trust says so.
"""

import base64
from typing import Any

import segno
from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from core.audit import audit_record, diff
from core.exceptions import ApplicationError
from trust.models import Membership, Role, Trust, User
from trust.permissions import Action, can
from trust.selectors import membership_for, memberships_of_user

# The people whose accounts can change judgements across the trust, or see all of them.
ROLES_REQUIRING_TWO_FACTOR = frozenset({Role.EXECUTIVE, Role.IMPROVEMENT_LEAD, Role.TRUSTEE})
RECOVERY_CODE_COUNT = 10
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


# Who must use two-factor sign-in.


def two_factor_required(membership: Membership) -> bool:
    """True when acting in this membership's trust needs a second step at sign-in."""
    return membership.role in ROLES_REQUIRING_TWO_FACTOR or membership.trust.require_two_factor_for_everyone


def two_factor_required_anywhere(user: User) -> bool:
    """True when any of the person's trusts requires it (then they may not turn it off)."""
    return any(two_factor_required(m) for m in memberships_of_user(user))


def authenticator_of(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Enrolment.


def authenticator_start(*, user: User) -> TOTPDevice:
    """The authenticator waiting to be scanned; the same one until confirmed, so a reload keeps the code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def authenticator_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm a scanned authenticator with a code it shows; returns fresh recovery codes to show once.

    Any earlier authenticator of the person is replaced: one phone at a time.
    """
    if device.confirmed:
        raise ApplicationError("This authenticator is already set up.")
    if not device.verify_token(_digits(code)):
        raise ApplicationError(
            "That code did not match. Type the 6 digits your app shows now, without spaces.", {"field": "code"}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return recovery_codes_regenerate(user=device.user)


def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working. Returned once, to show once."""
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_step_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts the code: the authenticator for 6 digits, else a recovery code (used up)."""
    digits = _digits(code)
    # Row locks make two requests with the same code take turns, so throttling and one-time use hold.
    with transaction.atomic():
        if digits.isdigit() and len(digits) == 6:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
            return device if device is not None and device.verify_token(digits) else None
        recovery = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if recovery is not None and recovery.verify_token("".join(code.split()).lower()):
            return recovery
    return None


def two_factor_disable(*, user: User) -> None:
    """Turn two-factor sign-in off; refused while any of the person's trusts requires it."""
    if two_factor_required_anywhere(user):
        raise ApplicationError(
            "Your role in one of your trusts requires two-factor sign-in, so it cannot be turned off."
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def secret_for_typing(device: TOTPDevice) -> str:
    """The key as authenticator apps expect it typed: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The otpauth:// link as an inline SVG QR code; the page also shows the key as text."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff", border=4)
    # segno builds the markup from the URL's bits alone (no text of ours is echoed), so it is safe as is.
    return format_html(
        '<div class="qr-code" role="img" aria-label="QR code for your authenticator app">{}</div>',
        mark_safe(svg),  # noqa: S308
    )


def _digits(code: str) -> str:
    return "".join(code.split()).replace("-", "")


# The trust's sign-in rule and locked-out accounts.


def _check_security_manager(*, trust: Trust, actor: User) -> None:
    with scope(trust=trust.pk):
        if not can(membership_for(actor, trust), Action.MANAGE_SECURITY):
            raise PermissionDenied("Only the trust's executives can change sign-in security.")


def trust_security_update(*, trust: Trust, actor: User, require_two_factor_for_everyone: bool) -> Trust:
    """Ask every member (not only the trust's leaders) for two-factor sign-in, or stop asking."""
    _check_security_manager(trust=trust, actor=actor)
    before = {"require_two_factor_for_everyone": trust.require_two_factor_for_everyone}
    trust.require_two_factor_for_everyone = require_two_factor_for_everyone
    after = {"require_two_factor_for_everyone": trust.require_two_factor_for_everyone}
    changes = diff(before, after)
    if changes:
        with transaction.atomic():
            trust.full_clean()
            trust.save(update_fields=["require_two_factor_for_everyone", "updated_at"])
            audit_record(trust=trust, actor=actor, action="trust.security_changed", obj=trust, changes=changes)
    return trust


def sign_in_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The account django-axes counts failures against: the email, as stored (lower case)."""
    source = credentials if credentials else getattr(request, "POST", {})
    # axes names the field after the form, Django's signals after authenticate()'s keyword: same value.
    username = source.get(settings.AXES_USERNAME_FORM_FIELD) or source.get("username") or ""
    return str(username).strip().lower()


def _locked_usernames(emails: list[str]) -> set[str]:
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return set(
        AccessAttempt.objects.filter(
            username__in=emails, failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
        ).values_list("username", flat=True)
    )


def locked_out_members(trust: Trust) -> list[Membership]:
    """Members of the trust whose sign-in is locked after too many failures (call inside the trust's scope)."""
    members = list(Membership.objects.filter(trust=trust).select_related("user", "school").order_by("user__email"))
    locked = _locked_usernames([m.user.email for m in members])
    return [m for m in members if m.user.email in locked]


def member_sign_in_unlock(*, trust: Trust, actor: User, membership: Membership) -> int:
    """Let a locked-out member of the trust try again now; returns how many failure records went."""
    _check_security_manager(trust=trust, actor=actor)
    if membership.trust_id != trust.pk:
        raise ApplicationError("This person is not a member of the trust.")
    email = membership.user.email
    with transaction.atomic():
        removed = axes_reset(username=email)
        audit_record(
            trust=trust,
            actor=actor,
            action="membership.sign_in_unlocked",
            obj=membership,
            changes={"person": email, "failure_records_cleared": removed},
        )
    return removed

"""Sign-in security pages: two-factor set-up and verification, password confirmation, the trust's rules."""

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core.exceptions import ApplicationError
from trust import mfa
from trust.decorators import trust_view
from trust.forms import (
    AuthenticatorConfirmForm,
    PasswordConfirmForm,
    SecondStepForm,
    SignInForm,
    TrustSecurityForm,
)
from trust.middleware import mark_password_confirmed, password_recently_confirmed
from trust.models import Membership
from trust.permissions import Action

# Recovery codes wait here between the POST that makes them and the one page that shows them.
CODES_TO_SHOW = "trustwide_recovery_codes_to_show"

View = Callable[..., HttpResponse]


def _next_url(request: HttpRequest, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default or reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", None) and request.user.is_verified())


# Signing in.


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """django-axes' lockout page: the sign-in page again, saying why and what to do."""
    if request.user.is_authenticated:
        # Too many wrong passwords while confirming one: whoever is at the keyboard is signed out.
        logout(request)
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"form": SignInForm(request), "locked_out": True, "cooloff_minutes": minutes, "next": _next_url(request)}
    return render(request, "registration/login.html", context, status=429)


@login_required
def password_confirm(request: HttpRequest) -> HttpResponse:
    """Type the password again before changing someone's role or removing them."""
    form = PasswordConfirmForm(request.POST or None)
    next_url = _next_url(request)
    if request.method == "POST" and form.is_valid():
        # Through authenticate(), so wrong guesses count towards the sign-in lockout.
        user = authenticate(request, username=request.user.email, password=form.cleaned_data["password"])
        if user is not None and user.pk == request.user.pk:
            mark_password_confirmed(request.session)
            return HttpResponseRedirect(next_url)
        form.add_error("password", "That password is not right.")
    context = {"form": form, "next": next_url, "confirm_minutes": settings.PASSWORD_CONFIRM_MINUTES}
    return render(request, "trust/security/password_confirm.html", context)


def password_confirmation_required(view: View) -> View:
    """The view runs only if the password was typed in the last few minutes; else confirm it first."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not password_recently_confirmed(request.session):
            return HttpResponseRedirect(_with_next("password-confirm", request.get_full_path()))
        return view(request, *args, **kwargs)

    return wrapped


# Two-factor sign-in, for the person themselves (not trust pages).


@login_required
def two_factor_overview(request: HttpRequest) -> HttpResponse:
    context = {
        "enrolled": mfa.has_two_factor(request.user),
        "verified": _is_verified(request),
        "required": mfa.two_factor_required_anywhere(request.user),
        "codes_left": mfa.recovery_codes_left(request.user),
    }
    return render(request, "trust/security/two_factor.html", context)


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if mfa.has_two_factor(request.user) and not _is_verified(request):
        # Replacing an authenticator needs the current one first, else a password alone would do.
        return redirect(_with_next("two-factor-verify", request.get_full_path()))
    device = mfa.authenticator_start(user=request.user)
    form = AuthenticatorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa.authenticator_confirm(device=device, code=form.cleaned_data["code"])
        except ApplicationError as error:
            form.add_error("code", error.message)
        else:
            otp_login(request, device)
            request.session[CODES_TO_SHOW] = codes
            messages.success(request, "Two-factor sign-in is on.")
            return redirect(_with_next("two-factor-recovery-codes", next_url))
    context = {
        "form": form,
        "qr_code": mfa.qr_code_svg(device),
        "secret": mfa.secret_for_typing(device),
        "next": next_url,
        "required": mfa.two_factor_required_anywhere(request.user),
    }
    return render(request, "trust/security/enrol.html", context)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request)
    if _is_verified(request):
        return HttpResponseRedirect(next_url)
    if not mfa.has_two_factor(request.user):
        return redirect(_with_next("two-factor-enrol", next_url))
    form = SecondStepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = mfa.second_step_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if device.name == mfa.RECOVERY_DEVICE_NAME:
                left = mfa.recovery_codes_left(request.user)
                messages.warning(request, f"You used a recovery code; {left} left. Make new ones in Your settings.")
            return HttpResponseRedirect(next_url)
        form.add_error("code", "That code did not work. Check the time on your phone, or use a recovery code.")
    return render(request, "trust/security/verify.html", {"form": form, "next": next_url})


@login_required
def two_factor_recovery_codes(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not (mfa.has_two_factor(request.user) and _is_verified(request)):
            messages.error(request, "Set up two-factor sign-in, and complete it, before making recovery codes.")
            return redirect("two-factor")
        request.session[CODES_TO_SHOW] = mfa.recovery_codes_regenerate(user=request.user)
        messages.success(request, "New recovery codes made; the old ones no longer work.")
        return redirect(_with_next("two-factor-recovery-codes", _next_url(request, reverse("two-factor"))))
    # Shown once: the codes leave the session as this page is drawn.
    codes = request.session.pop(CODES_TO_SHOW, None)
    context = {"codes": codes, "next": _next_url(request, reverse("two-factor"))}
    return render(request, "trust/security/recovery_codes.html", context)


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if mfa.has_two_factor(request.user) and not _is_verified(request):
        messages.error(request, "Complete two-factor sign-in before turning it off.")
        return redirect("two-factor")
    try:
        mfa.two_factor_disable(user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("two-factor")


# The trust's sign-in security page (executives).


@trust_view(Action.MANAGE_SECURITY)
def trust_security(request: HttpRequest) -> HttpResponse:
    trust = request.trust
    # An unticked box sends nothing, so an empty POST is still the form ("off").
    form = TrustSecurityForm(
        request.POST if request.method == "POST" else None,
        initial={"require_two_factor_for_everyone": trust.require_two_factor_for_everyone},
    )
    if request.method == "POST" and form.is_valid():
        mfa.trust_security_update(
            trust=trust,
            actor=request.user,
            require_two_factor_for_everyone=form.cleaned_data["require_two_factor_for_everyone"],
        )
        messages.success(request, "Sign-in security saved.")
        return redirect("trust-security", trust_slug=trust.slug)
    context = {
        "form": form,
        "locked": mfa.locked_out_members(trust),
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "trust/security/trust_security.html", context)


@require_POST
@trust_view(Action.MANAGE_SECURITY)
def trust_security_unlock(request: HttpRequest, member_uuid: UUID) -> HttpResponse:
    member = get_object_or_404(Membership.objects.select_related("user"), trust=request.trust, uuid=member_uuid)
    mfa.member_sign_in_unlock(trust=request.trust, actor=request.user, membership=member)
    messages.success(request, f"{member.user.email} can sign in again.")
    return redirect("trust-security", trust_slug=request.trust.slug)

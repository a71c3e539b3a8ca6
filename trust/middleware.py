"""Resolve the trust from the URL, check membership, and only then open the tenant scope.

Also the session rules around it: a 12-hour absolute limit on a sign-in, and two-factor
sign-in before any trust page for the people who need it.
"""

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.sessions.backends.base import SessionBase
from django.dispatch import receiver
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from trust import mfa
from trust.models import Trust
from trust.selectors import api_token_from_header, membership_for

# Session keys: when the person signed in, and when they last typed their password.
SIGNED_IN_AT = "trustwide_signed_in_at"
PASSWORD_CONFIRMED_AT = "trustwide_password_confirmed_at"  # noqa: S105 -- a session key, not a secret
LAST_SEEN_AT = "trustwide_last_seen_at"
IDLE_LIMIT_PUSHED_EVERY = 60  # seconds

TRUST_PATH = re.compile(r"^/(?P<api>api/v1/)?t/(?P<slug>[-a-zA-Z0-9_]+)/")


class TrustScopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.trust = None
        request.membership = None
        request.api_token = None

        if request.path_info.startswith("/admin/"):
            # The operator's admin crosses trusts by design; it lists only trusts,
            # people and memberships, never trust-owned records.
            with scopes_disabled():
                return self.get_response(request)

        match = TRUST_PATH.match(request.path_info)
        if match is None:
            # No trust resolved: no scope is opened, so any scoped query raises.
            return self.get_response(request)

        is_api = bool(match["api"])
        trust = Trust.objects.filter(slug=match["slug"]).first()
        if trust is None:
            return self._not_found(is_api)

        if is_api:
            token = api_token_from_header(request.headers.get("Authorization", ""))
            if token is not None:
                if token.trust_id != trust.pk:
                    return self._not_found(is_api)
                request.user = token.user
                request.api_token = token

        if not request.user.is_authenticated:
            # Views ask anonymous people to sign in before touching any scoped data.
            return self.get_response(request)

        with scope(trust=trust.pk):
            membership = membership_for(request.user, trust)
            if membership is None:
                return self._not_found(is_api)
            request.trust = trust
            request.membership = membership
            return self.get_response(request)

    @staticmethod
    def _not_found(is_api: bool) -> HttpResponse:
        if is_api:
            return JsonResponse({"message": "Not found.", "extra": {}}, status=404)
        raise Http404("No such trust.")


@receiver(user_logged_in, dispatch_uid="trust.remember_sign_in_time")
def remember_sign_in_time(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    # Every sign-in path (the sign-in form, accepting an invitation with a new password) has just
    # checked the password, so it also counts as a fresh password confirmation.
    session = getattr(request, "session", None)
    if session is not None:
        now = time.time()
        session[SIGNED_IN_AT] = now
        session[PASSWORD_CONFIRMED_AT] = now
        session[LAST_SEEN_AT] = now  # the sign-in saved the session: its idle limit starts now


def mark_password_confirmed(session: SessionBase) -> None:
    session[PASSWORD_CONFIRMED_AT] = time.time()


def password_recently_confirmed(session: SessionBase) -> bool:
    confirmed = session.get(PASSWORD_CONFIRMED_AT)
    return confirmed is not None and time.time() - confirmed < settings.PASSWORD_CONFIRM_MINUTES * 60


class SessionLifetimeMiddleware:
    """Sign out a session 12 hours after sign-in, however active, and push the 30-minute idle limit on.

    The idle limit is the session's expiry, pushed on whenever the session is saved. Saving it on
    every request would cost each page a database write and a commit, so it is saved when a
    minute has passed since it was last seen: the limit is between 29 and 30 idle minutes.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT)
            now = time.time()
            if signed_in_at is None:
                # A session from before this rule (or signed in without the signal): start counting now.
                request.session[SIGNED_IN_AT] = now
            elif now - signed_in_at > settings.SESSION_MAX_AGE_HOURS * 3600:
                logout(request)
                hours = settings.SESSION_MAX_AGE_HOURS
                messages.info(request, f"You were signed out {hours} hours after signing in. Sign in again.")
                return self.get_response(request)
            if now - request.session.get(LAST_SEEN_AT, 0) >= IDLE_LIMIT_PUSHED_EVERY:
                request.session[LAST_SEEN_AT] = now  # the session is saved, its expiry and cookie pushed on
        return self.get_response(request)


class TwoFactorMiddleware:
    """Before any trust page, the people who need two-factor sign-in must have completed it.

    Runs inside TrustScopeMiddleware, which has set `request.membership`. An API token is its own
    credential and is never asked; a session used for the API gets a JSON 403 instead of a redirect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = getattr(request, "membership", None)
        if membership is None or getattr(request, "api_token", None) is not None or _is_verified(request.user):
            return self.get_response(request)
        enrolled = mfa.has_two_factor(request.user)
        # Someone who chose two-factor sign-in is held to it too, else their second step would be optional.
        if not (enrolled or mfa.two_factor_required(membership)):
            return self.get_response(request)
        if request.path_info.startswith("/api/"):
            message = "This account needs two-factor sign-in: complete it in the browser, or use an API token."
            return JsonResponse({"message": message, "extra": {}}, status=403)
        target = reverse("two-factor-verify" if enrolled else "two-factor-enrol")
        return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


def _is_verified(user: Any) -> bool:
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())

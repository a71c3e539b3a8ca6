"""Resolve the trust from the URL, check membership, and only then open the tenant scope."""

import re
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django_scopes import scope, scopes_disabled

from trust.models import Trust
from trust.selectors import api_token_from_header, membership_for

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

from typing import Any

from rest_framework import authentication, exceptions
from rest_framework.request import Request

from trust.selectors import api_token_from_header


class TrustTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; the key belongs to one person and one trust."""

    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = request.headers.get("Authorization", "")
        if not header.startswith(f"{self.keyword} "):
            return None
        token = getattr(request._request, "api_token", None) or api_token_from_header(header)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        return (token.user, token)

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

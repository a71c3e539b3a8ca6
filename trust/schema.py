"""OpenAPI descriptions for our own authentication (loaded in TrustConfig.ready)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TrustTokenScheme(OpenApiAuthenticationExtension):
    target_class = "trust.authentication.TrustTokenAuthentication"
    name = "trustToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create a key on the API tokens page; it works for one trust only.",
        }

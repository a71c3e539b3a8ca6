from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = "Trusts and people"

    def ready(self) -> None:
        from trust import middleware, schema  # noqa: F401 -- register token auth's OpenAPI description and
        # the sign-in-time signal (the 12-hour limit) at start-up, before any request loads the middleware

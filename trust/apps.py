from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "trust"
    verbose_name = "Trusts and people"

    def ready(self) -> None:
        from trust import schema  # noqa: F401 -- registers the OpenAPI description of token auth

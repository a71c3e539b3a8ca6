"""One exception handler so every API error reads {"message": ..., "extra": {...}}; shared API fields."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.encoding import smart_str
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        extra = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(extra)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, ApplicationError):
        return Response({"message": exc.message, "extra": exc.extra}, status=400)
    elif isinstance(exc, (SuspiciousOperation, BadRequest)):
        # Too many files or fields, too large, or malformed: Django would answer with the HTML 400 page.
        message = "The request was refused: too large, too many fields or files, or malformed."
        return Response({"message": message, "extra": {}}, status=400)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"message": "Validation error", "extra": {"fields": response.data}}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"message": str(response.data["detail"]), "extra": {}}
    return response


ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string"},
        "extra": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "extra"],
}
# What the exception handler above (and the tenancy middleware) can answer on any operation:
# refused input, no or bad credentials, a role too small, and an unknown trust or object.
ERROR_RESPONSES = {
    "400": "The request was refused: see `message`, and `extra.fields` for the fields at fault.",
    "401": "No credentials, or an invalid or revoked token.",
    "403": "Your role may not do this, or this account must complete two-factor sign-in.",
    "404": "No such trust, object or page for you.",
}


def postprocess_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Document the error answers every operation can give, in the one shape they all share."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status_code, description in ERROR_RESPONSES.items():
                responses.setdefault(status_code, {"content": reference, "description": description})
    return result


class UuidRelatedField(serializers.SlugRelatedField):
    """A row of `get_queryset()` by its public UUID, which a list can look up with all its siblings at once.

    Alone it looks its row up as SlugRelatedField does. A list of them (RowsByUuidField, or a list
    serializer that calls `find_all`) finds every row in one query first, and refuses a UUID not found
    there in the slug field's words; anything that is not a UUID is refused as the slug field refuses it.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="uuid", **kwargs)
        self.searched: set[UUID] = set()
        self.found: dict[UUID, Any] = {}

    def find_all(self, values: Iterable[Any]) -> None:
        self.searched = {key for key in map(_uuid_or_none, values) if key is not None}
        rows = self.get_queryset().filter(uuid__in=self.searched) if self.searched else []
        self.found = {row.uuid: row for row in rows}

    def to_internal_value(self, data: Any) -> Any:
        key = _uuid_or_none(data)
        if key in self.found:
            return self.found[key]
        if key in self.searched:
            self.fail("does_not_exist", slug_name=self.slug_field, value=smart_str(data))
        return super().to_internal_value(data)


class RowsByUuidField(serializers.ListField):
    """A list of UUIDs naming rows of its child UuidRelatedField's queryset, found in one query."""

    child: UuidRelatedField

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        self.child.find_all(data)
        return super().run_child_validation(data)


def _uuid_or_none(value: Any) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None

"""The API does what its OpenAPI schema says, for an executive and for a headteacher.

Schemathesis generates requests from the schema drf-spectacular builds and sends them to the
WSGI application in process (no server), authenticated with an API token of trust A. Path
parameters point at trust A's slug and at real objects (the permission matrix's fixtures), so
requests reach the views instead of stopping at a 404. For every operation, at least 30 examples
with a fixed seed: no 5xx, and every response conforms to the schema (documented status code,
content type, headers and body).
"""

import re
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django_scopes import scope
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import TrustWorld
from tests.test_permission_matrix import AREAS
from trust.services import api_token_create

EXAMPLES_PER_OPERATION = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Deletions last, so the objects other operations point at still exist while they run.
METHOD_ORDER = {"get": 0, "post": 1, "put": 2, "patch": 3, "delete": 4}

application = get_wsgi_application()


def _load_schema() -> Any:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    return schema


def _operations(schema: Any) -> list[Any]:
    operations = [result.ok() for result in schema.get_all_operations()]
    return sorted(operations, key=lambda op: (METHOD_ORDER[op.method.lower()], op.path))


def _path_parameters(trust_a: TrustWorld) -> dict[str, Any]:
    found: dict[str, Any] = {}
    with scope(trust=trust_a.trust.pk):
        for area in AREAS:
            if hasattr(area, "url_kwargs"):
                found.update(area.url_kwargs(trust_a))
    return {key: str(value) for key, value in found.items()}


def _explore(operation: Any, path_parameters: dict[str, str], headers: dict[str, str]) -> str:
    """Send the operation's examples; the first failure, in Schemathesis's words, or ""."""
    seen: list[str] = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(path_parameters=path_parameters))
    def check(case: Any) -> None:
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 -- collected: one report per operation
            if not seen:
                seen.append(f"{operation.label}: {exc}")

    check()
    return seen[0] if seen else ""


@pytest.fixture
def connection_kept_open():
    """The WSGI handler closes "old" connections at each request's start and end; inside the test's
    transaction that would close the test database connection (PostgreSQL; SQLite's in-memory database
    is never closed). Django's own test client disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connection_kept_open")
@pytest.mark.parametrize("role", ["executive", "headteacher"])
def test_every_operation_keeps_to_the_schema(role: str, trust_a: TrustWorld) -> None:
    known = _path_parameters(trust_a)
    with scope(trust=trust_a.trust.pk):
        _, raw_token = api_token_create(user=trust_a.people[role], trust=trust_a.trust, name="schemathesis")
    headers = {"Authorization": f"Token {raw_token}"}

    failures = []
    for operation in _operations(_load_schema()):
        names = re.findall(r"{(\w+)}", operation.path)
        missing = [name for name in names if name not in known]
        assert not missing, f"{operation.label}: no fixture object for {missing}"
        failures.append(_explore(operation, {name: known[name] for name in names}, headers))

    failures = [failure for failure in failures if failure]
    assert not failures, "\n\n".join(failures)

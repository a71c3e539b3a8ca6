"""Trust A and trust B, built once per test module: the battery only reads them (and proves it)."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from tests.isolation.world import IsolationWorld, build_isolation_world, remove_files_of

A_PREFIXES = {"school1": "CANARY-A1-", "school2": "CANARY-A2-", "other": "CANARY-AX-"}
B_PREFIXES = dict.fromkeys(["trust", "school1", "school2", "other"], "CANARY-B-")


@pytest.fixture(scope="module")
def isolation(django_db_setup: None, django_db_blocker: Any) -> Iterator[tuple[IsolationWorld, IsolationWorld]]:
    """(trust A, trust B) of the same shape; every row is rolled back and every file removed afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            a = build_isolation_world("Alder Trust", "alder", 700000, A_PREFIXES)
            b = build_isolation_world("Birch Trust", "birch", 710000, B_PREFIXES)
            yield a, b
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            for world in locals().get("a"), locals().get("b"):
                if isinstance(world, IsolationWorld):
                    remove_files_of(world.trust)

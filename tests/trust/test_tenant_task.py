"""A task runs inside the scope of the trust id it is given: never without one, never in the caller's scope,
never in the scope a previous task left behind."""

from typing import Any

import pytest
from celery import shared_task
from django_scopes import get_scope, scope, scopes_disabled

from schools.models import School
from trust.tasks import TenantTask


@shared_task(base=TenantTask, name="tests.scope_probe")
def scope_probe(*, trust_id: int) -> dict[str, Any]:
    """What a task body sees: the scope it runs in and the trusts its scoped queries reach."""
    return {
        "scope": dict(get_scope()),
        "school_trusts": sorted(set(School.objects.values_list("trust_id", flat=True))),
    }


@pytest.mark.parametrize("trust_id", [None, "1", 1.0])
def test_a_task_called_without_an_integer_trust_id_raises(db, trust_id):
    with pytest.raises(TypeError, match="trust_id"):
        scope_probe.delay(trust_id=trust_id).get()
    with pytest.raises(TypeError, match="trust_id"):
        scope_probe.delay().get()


def test_a_task_called_without_a_trust_id_raises_even_inside_a_scope(trust_a):
    # The caller's scope is never a fallback for a missing trust id.
    with scope(trust=trust_a.trust.pk), pytest.raises(TypeError, match="trust_id"):
        scope_probe()


def test_a_task_called_with_trust_a_inside_trust_bs_scope_sees_only_trust_a(trust_a, trust_b):
    with scope(trust=trust_b.trust.pk):
        seen = scope_probe.delay(trust_id=trust_a.trust.pk).get()
        assert get_scope()["trust"] == trust_b.trust.pk  # the caller's scope is back afterwards
    assert seen["scope"]["trust"] == trust_a.trust.pk
    assert seen["school_trusts"] == [trust_a.trust.pk]


def test_a_task_called_where_scopes_are_disabled_still_runs_scoped(trust_a, trust_b):
    with scopes_disabled():
        seen = scope_probe.delay(trust_id=trust_a.trust.pk).get()
    assert seen["scope"]["_enabled"] is True
    assert seen["school_trusts"] == [trust_a.trust.pk]


def test_a_task_after_another_does_not_inherit_its_scope(trust_a, trust_b):
    # Two tasks in turn on the same thread, as a worker runs them.
    first = scope_probe.delay(trust_id=trust_a.trust.pk).get()
    assert get_scope().get("trust") is None, "the first task's scope outlived it"
    second = scope_probe.delay(trust_id=trust_b.trust.pk).get()
    assert first["school_trusts"] == [trust_a.trust.pk]
    assert second["scope"]["trust"] == trust_b.trust.pk
    assert second["school_trusts"] == [trust_b.trust.pk]


def test_a_task_that_fails_leaves_no_scope_behind(trust_a):
    with pytest.raises(School.DoesNotExist):
        _failing_probe.delay(trust_id=trust_a.trust.pk).get()
    assert get_scope().get("trust") is None


@shared_task(base=TenantTask, name="tests.failing_scope_probe")
def _failing_probe(*, trust_id: int) -> None:
    School.objects.get(pk=-1)

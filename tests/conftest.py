"""Shared fixtures: two trusts, two schools each, one person per role in each."""

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from config.celery import app as celery_app
from schools.models import School
from tests.clients import signed_in_client
from tests.factories import PASSWORD, MembershipFactory, SchoolFactory, TrustFactory, UserFactory
from trust.models import Membership, Role, Trust, User

pytest_plugins = ["tests.nplusone"]

ROLES = [r.value for r in Role]


@dataclass
class TrustWorld:
    """One trust as the tests see it: its schools and one person per role."""

    trust: Trust
    schools: list[School]
    people: dict[str, User] = field(default_factory=dict)
    memberships: dict[str, Membership] = field(default_factory=dict)

    def client_for(self, role: str) -> Client:
        return signed_in_client(self.people[role])


def build_trust_world(name: str, slug: str, urn_base: int) -> TrustWorld:
    with scopes_disabled():
        trust = TrustFactory(name=name, slug=slug)
        schools = [SchoolFactory(trust=trust, name=f"{name} School {i}", urn=urn_base + i) for i in (1, 2)]
        world = TrustWorld(trust=trust, schools=schools)
        for role in ROLES:
            # Headteacher heads school 1; the governor governs school 2.
            school = {Role.HEADTEACHER: schools[0], Role.GOVERNOR: schools[1]}.get(role)
            user = UserFactory(email=f"{role}@{slug}.example.org", full_name=f"{role.title()} of {name}")
            world.people[role] = user
            world.memberships[role] = MembershipFactory(user=user, trust=trust, role=role, school=school)
    return world


@pytest.fixture
def trust_a(db: None) -> TrustWorld:
    return build_trust_world("Alder Trust", "alder", 700000)


@pytest.fixture
def trust_b(db: None) -> TrustWorld:
    return build_trust_world("Birch Trust", "birch", 710000)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def unscoped() -> Iterator[None]:
    """For assertions that read the database directly, outside any request."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _celery_eager_unless_broker_test(request: pytest.FixtureRequest) -> Iterator[None]:
    # With REDIS_URL set (CI's second stage) only tests marked `broker` use the real
    # broker; every other test runs tasks in-process so it needs no worker.
    eager = request.node.get_closest_marker("broker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager or previous
    yield
    celery_app.conf.task_always_eager = previous

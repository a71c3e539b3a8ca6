"""Inside one trust: a school-level person never reaches another school, a specialist never another's work.

The headteacher (school 1) asks for school 2's objects and the governor (school 2) for school 1's,
by every route naming a school-level object (evidence, self-evaluation, plan, reviews, ratings,
interventions, requests, visits, inspections, the school's pages); the specialist asks for the
interventions and visits someone else leads. Each gets 404 (or the 403 the role gets for its own
objects), and none of those objects' markers appears in any answer.
"""

import uuid

from tests.isolation.battery import Attempts, Route, object_routes, url_for
from tests.isolation.world import IsolationWorld, table_checksums

SCHOOL_PREFIX = {0: "CANARY-A1-", 1: "CANARY-A2-"}
OTHER_SPECIALIST_PREFIX = "CANARY-AX-"
# Routes naming one of these are about the specialist's own work (or not), whatever the school.
LED_KWARGS = {"intervention_uuid", "checkpoint_uuid", "activity_uuid"}


def _allowed(route: Route, method: str, role: str) -> set[int]:
    own = route.expected_for_own(method, role)
    return {404} | ({own} if own in (403, 405) else set())


def _ids_of_school(a: IsolationWorld, route: Route, school: int) -> list[dict[str, uuid.UUID]]:
    """Every way to fill the route with the school's own objects (none if some keyword has none)."""
    per_kwarg = {k: [i for i in a.ids.get(k, []) if a.school_of.get(i) == school] for k in route.uuid_kwargs}
    if not all(per_kwarg.values()):
        return []
    last = route.uuid_kwargs[-1]
    return [
        {k: (candidate if k == last else per_kwarg[k][0]) for k in route.uuid_kwargs} for candidate in per_kwarg[last]
    ]


def _ask(a: IsolationWorld, attempts: Attempts, role: str, route: Route, ids: dict[str, uuid.UUID]) -> None:
    client = a.client_for(role)
    for method in route.methods:
        url = url_for(route, a.slug, ids)
        response = attempts.request(client, method, url, who=role, api=route.is_api)
        attempts.expect(response, _allowed(route, method, role), f"{method} {url} as {role}")


def test_a_school_level_person_never_reaches_the_other_school(isolation, db):
    a, _ = isolation
    before = table_checksums(a)
    for role, other in (("headteacher", 1), ("governor", 0)):
        attempts = Attempts(prefixes=(SCHOOL_PREFIX[other],))
        routes = [r for r in object_routes() if _ids_of_school(a, r, other)]
        assert {"evidence-detail", "sef-school", "plan-school", "review-detail", "school-summary"} <= {
            r.name for r in routes
        }
        for route in routes:
            for ids in _ids_of_school(a, route, other):
                _ask(a, attempts, role, route, ids)
        assert attempts.problems == [], "\n".join(attempts.problems)
        assert attempts.count > 100
    assert table_checksums(a) == before


def test_a_specialist_never_reaches_work_led_by_someone_else(isolation, db):
    a, _ = isolation
    before = table_checksums(a)
    attempts = Attempts(prefixes=(OTHER_SPECIALIST_PREFIX,))
    not_theirs = {i for i, lead in a.lead_of.items() if lead == "second_specialist"}
    for route in object_routes():
        if not LED_KWARGS & set(route.uuid_kwargs):
            continue
        for school in (0, 1):
            for ids in _ids_of_school(a, route, school):
                if not {ids[k] for k in LED_KWARGS & ids.keys()} <= not_theirs:
                    continue
                _ask(a, attempts, "specialist", route, ids)
    assert attempts.problems == [], "\n".join(attempts.problems)
    assert attempts.count > 20
    assert table_checksums(a) == before

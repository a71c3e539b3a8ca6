"""Generated sequences of (route, person, foreign id, method): any id of trust B in any slot is not found.

Hypothesis draws short sequences of requests by trust A's people, each naming an object route and
filling every UUID slot with any of trust B's ids (of the right kind or not), with a fixed seed so
CI sees the same sequences every run. Every request must get 404 (or the 403/405 the person gets
for their own trust's object), no answer may show a trust-B marker, and no row of trust B changes.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ROLES
from tests.isolation.battery import Attempts, object_routes, url_for
from tests.isolation.world import B_PREFIX, table_checksums

EXAMPLES = 150


def test_generated_sequences_of_foreign_requests_find_nothing(isolation, db):
    a, b = isolation
    before = table_checksums(b)
    attempts = Attempts(prefixes=(B_PREFIX,))
    routes = object_routes()
    any_b_id = sorted({i for ids in b.ids.values() for i in ids}, key=str)

    @settings(
        derandomize=True,
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data(), length=st.integers(min_value=1, max_value=4))
    def requests_in_a_row(data: st.DataObject, length: int) -> None:
        for _ in range(length):
            route = data.draw(st.sampled_from(routes), label="route")
            role = data.draw(st.sampled_from(ROLES), label="person")
            method = data.draw(st.sampled_from(route.methods), label="method")
            ids = {
                kwarg: data.draw(st.sampled_from(b.ids[kwarg] + any_b_id), label=kwarg) for kwarg in route.uuid_kwargs
            }
            url = url_for(route, a.slug, ids)
            response = attempts.request(a.client_for(role), method, url, who=role, api=route.is_api)
            own = route.expected_for_own(method, role)
            attempts.expect(response, {404} | ({own} if own in (403, 405) else set()), f"{method} {url} as {role}")
            assert attempts.problems == [], "\n".join(attempts.problems)

    requests_in_a_row()
    assert attempts.count >= EXAMPLES
    assert table_checksums(b) == before

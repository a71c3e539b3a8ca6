"""Expected statuses for support request pages and API.

The request used is an open one from trust A's school 1 (the headteacher's). Specialists and
trustees have no request pages (403); the governor sees school 2's requests only.
"""

from typing import Any

from interventions.services.requests import support_request_submit
from tests.matrix.common import GV, HT, IL, E, trust_page

READERS = {E, IL, HT, GV}
TRIAGERS = {E, IL}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "request-list": {"GET": trust_page(READERS)},
    # An empty POST re-shows the form with its errors.
    "request-create": {"GET": trust_page({HT}), "POST": trust_page({HT})},
    "request-decline": {"GET": trust_page(TRIAGERS), "POST": trust_page(TRIAGERS)},
    "api-request-list": {"GET": trust_page(READERS, anon=401), "POST": trust_page({HT}, ok=400, anon=401)},
    "api-request-accept": {"POST": trust_page(TRIAGERS, ok=400, anon=401)},
    "api-request-decline": {"POST": trust_page(TRIAGERS, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    support_request = support_request_submit(
        school=trust_a.schools[0],
        actor=trust_a.people[HT],
        area="maths",
        need="Help with reasoning in Year 6.",
        urgency="medium",
    )
    return {"support_request_uuid": support_request.uuid}

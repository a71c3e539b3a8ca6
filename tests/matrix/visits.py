"""Expected statuses for calendar and visit pages and API.

The visit used is a past monitoring visit to trust A's school 1 (the headteacher's), owned by the
improvement lead: the governor (school 2) and the specialist (not the owner) get 404 on it; trustees
have no calendar (403). `school_uuid` is school 1 (tests/matrix/trust.py). Empty POSTs re-show the
form with its errors (200) or are refused by the API (400).
"""

import datetime
from typing import Any

from django.utils import timezone

from interventions.services.visits import visit_add
from tests.matrix.common import GV, HT, IL, SP, E, trust_page

VIEWERS = {E, IL, HT, GV, SP}
PLANNERS = {E, IL}
ON_VISIT = {"governor": 404, "specialist": 404}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "calendar-month": {"GET": trust_page(VIEWERS)},
    "calendar-week": {"GET": trust_page(VIEWERS)},
    "calendar-events-create": {"GET": trust_page({E}), "POST": trust_page({E})},
    "visit-mine": {"GET": trust_page({E, IL, SP})},
    "visit-summary": {"GET": trust_page(PLANNERS)},
    "visit-load": {"GET": trust_page(PLANNERS)},
    "visit-add": {"GET": trust_page(PLANNERS), "POST": trust_page(PLANNERS)},
    "visit-detail": {"GET": trust_page(VIEWERS, **ON_VISIT)},
    "visit-record": {"GET": trust_page({E, IL, SP}, specialist=404), "POST": trust_page({E, IL, SP}, specialist=404)},
    "visit-edit": {"GET": trust_page(PLANNERS), "POST": trust_page(PLANNERS)},
    "visit-school": {"GET": trust_page(VIEWERS, governor=404)},
    "api-visit-list": {"GET": trust_page(VIEWERS, anon=401), "POST": trust_page(PLANNERS, ok=400, anon=401)},
    "api-visit-detail": {
        "GET": trust_page(VIEWERS, anon=401, **ON_VISIT),
        "PATCH": trust_page(PLANNERS, anon=401),
    },
    "api-visit-record": {"POST": trust_page({E, IL, SP}, ok=400, anon=401, specialist=404)},
    "api-activity-trust-events": {"POST": trust_page({E}, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    visit = visit_add(
        trust=trust_a.trust,
        actor=trust_a.people[E],
        school=trust_a.schools[0],
        activity_type="monitoring_visit",
        title="Matrix visit",
        planned_on=timezone.localdate() - datetime.timedelta(days=3),
        owner=trust_a.people[IL],
    )
    return {"activity_uuid": visit.uuid}

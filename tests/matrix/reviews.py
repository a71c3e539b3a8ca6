"""Expected statuses for reviews, trust inspections due, the judgement grid, moderation and the heat map."""

import datetime
from typing import Any

from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import review_record
from tests.matrix.common import GV, HT, IL, TR, E, trust_page

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # Headteachers and governors see their own school's shared reviews; specialists see none.
    "review-list": {"GET": trust_page({E, IL, HT, TR, GV})},
    # Without a school chosen, the form asks for one (so a bare POST shows the chooser again).
    "review-add": {"GET": trust_page({E, IL}), "POST": trust_page({E, IL})},
    "review-due": {"GET": trust_page({E, IL, TR})},
    # A shared review of school 1: its headteacher reads it; the governor of school 2 finds nothing there.
    "review-detail": {"GET": trust_page({E, IL, HT, TR}, governor=404)},
    "review-edit": {"GET": trust_page({E, IL}), "POST": trust_page({E, IL})},
    "review-school": {"GET": trust_page({E, IL, HT, TR}, governor=404)},
    # Trust-wide judgement views: the role is checked before the school is looked up.
    "review-grid": {"GET": trust_page({E, IL, TR})},
    "review-moderate": {"GET": trust_page({E, IL}), "POST": trust_page({E, IL})},
    "review-heat-map": {"GET": trust_page({E, IL, TR})},
    # API: a bare POST or PUT is a validation error (400) for the roles that may write.
    "api-review-list": {
        "GET": trust_page({E, IL, HT, TR, GV}, anon=401),
        "POST": trust_page({E, IL}, ok=400, anon=401),
    },
    "api-review-due": {"GET": trust_page({E, IL, TR}, anon=401)},
    "api-review-detail": {
        "GET": trust_page({E, IL, HT, TR}, anon=401, governor=404),
        "PUT": trust_page({E, IL}, ok=400, anon=401),
    },
    "api-review-grid": {"GET": trust_page({E, IL, TR}, anon=401)},
    "api-review-moderation-list": {
        "GET": trust_page({E, IL, TR}, anon=401),
        "POST": trust_page({E, IL}, ok=400, anon=401),
    },
    "api-review-heat-map": {"GET": trust_page({E, IL, TR}, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """A shared annual review of school 1 and one of trust A's judgement areas (called inside trust A's scope)."""
    areas = judgement_areas_ensure(trust=trust_a.trust)
    review = review_record(
        school=trust_a.schools[0],
        actor=trust_a.people[E],
        review_type="annual_review",
        reviewed_on=datetime.date(2025, 10, 1),
        reviewers=[trust_a.people[IL]],
        judgements={areas[0]: 3},
        shared_with_school=True,
    )
    return {"review_uuid": review.uuid, "judgement_area_uuid": areas[0].uuid}

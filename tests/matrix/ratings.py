"""Expected statuses for ratings: the school's rating page, overstays and the append-only API."""

import datetime
from typing import Any

from django.utils import timezone

from reviews.models import Evidence, EvidenceType
from reviews.services.ratings import rating_decide
from reviews.suggestions import suggest_for_school
from tests.matrix.common import EVERYONE, GV, HT, IL, SP, TR, E, trust_page
from trust.models import SupportScale
from trust.scales.services import scale_create_from_template

READERS = {E, IL, HT, TR}  # of school 1: its headteacher, not the governor of school 2 (404)
RATERS = {E, IL}
# Append-only: no member can PUT, PATCH or DELETE a rating; the method simply does not exist.
NO_WRITES = trust_page(EVERYONE, ok=405, anon=401)

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    # Headteachers see their own school's "Our judgement"; the governor of school 2 gets 404 for school 1.
    # POST needs the role before the school is looked up, so the governor gets 403 there.
    "rating-school": {"GET": trust_page(READERS, governor=404), "POST": trust_page(RATERS)},
    "rating-overstays": {"GET": trust_page({E, IL, TR})},
    "api-rating-list": {
        "GET": trust_page(READERS, anon=401, governor=404),
        "POST": trust_page(RATERS, ok=400, anon=401),
        "PUT": trust_page(RATERS, ok=405, anon=401),
        "DELETE": trust_page(RATERS, ok=405, anon=401),
    },
    "api-rating-detail": {
        "GET": trust_page(READERS, anon=401, governor=404),
        "PUT": NO_WRITES,
        "PATCH": NO_WRITES,
        "DELETE": NO_WRITES,
    },
    "api-rating-suggestion": {"GET": trust_page({E, IL, TR}, anon=401)},
}
assert SP not in READERS and GV not in READERS


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """A rating of trust A's school 1 on a four-phase scale, citing one piece of evidence."""
    executive, school = trust_a.people[E], trust_a.schools[0]
    if not SupportScale.objects.filter(trust=trust_a.trust).exists():
        scale_create_from_template(trust=trust_a.trust, actor=executive, template_key="four_phases")
    evidence = Evidence.objects.create(
        school=school,
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=timezone.localdate() - datetime.timedelta(days=30),
        author=executive,
        summary="Matrix learning walk",
    )
    rating = rating_decide(
        school=school,
        actor=executive,
        level=suggest_for_school(school).level,
        effective_on=timezone.localdate(),
        rationale="Matrix rating.",
        evidence=[evidence],
    )
    return {"rating_uuid": rating.uuid}

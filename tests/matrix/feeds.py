"""Expected statuses for the calendar feed pages and the public .ics feed.

The .ics URL carries trust A's headteacher's live token: the token is the credential, so
anyone holding it (signed in or not, any trust) gets 200; unknown and revoked tokens get 404
(tests/interventions/test_feeds.py).
"""

from typing import Any

from django.urls import NoReverseMatch, reverse

from tests.matrix.common import EVERYONE, HT, OTHER, everyone, trust_page
from trust.calendar.feeds import calendar_feed_create

POST_ONLY = {**everyone(405), OTHER: 404}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "calendar-feed-ics": {"GET": everyone(200)},
}


def _pages_mounted() -> bool:
    try:
        reverse("calendar-feed", kwargs={"trust_slug": "x"})
    except NoReverseMatch:
        return False
    return True


EXPECTED.update(
    {
        "calendar-feed": {"GET": trust_page(EVERYONE)},
        # Regenerating shows the new address once, on the response itself.
        "calendar-feed-regenerate": {"GET": POST_ONLY, "POST": trust_page(EVERYONE)},
        "calendar-feed-revoke": {"GET": POST_ONLY, "POST": trust_page(EVERYONE, ok=302)},
    }
)


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    _, raw = calendar_feed_create(user=trust_a.people[HT], trust=trust_a.trust)
    return {"feed_token": raw}

"""Expected statuses for the academic-year pages and API: calendar viewers read, executives create and edit."""

from typing import Any

from tests.matrix.common import GV, HT, IL, SP, E, trust_page
from trust.calendar.services import academic_year_default

VIEWERS = {E, IL, HT, GV, SP}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "calendar-year-list": {"GET": trust_page(VIEWERS)},
    # An empty POST re-shows the form with "this field is required"; a GET shows it.
    "calendar-year-create-default": {"GET": trust_page({E}), "POST": trust_page({E})},
    # An empty POST re-shows the six half-terms with their errors; nothing is saved.
    "calendar-year-edit": {"GET": trust_page({E}), "POST": trust_page({E})},
    "api-calendar-year-list": {"GET": trust_page(VIEWERS, anon=401)},
    "api-calendar-year-create-default": {"POST": trust_page({E}, ok=400, anon=401)},
    # An empty PUT lacks the half-terms (400).
    "api-calendar-year-detail": {
        "GET": trust_page(VIEWERS, anon=401),
        "PUT": trust_page({E}, ok=400, anon=401),
    },
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """Trust A's 2026/27 year with the default dates."""
    return {"year_uuid": academic_year_default(trust_a.trust, 2026).uuid}

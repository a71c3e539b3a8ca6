"""Expected statuses for self-evaluation pages and API (school 1 is the headteacher's; the
governor governs school 2, so school 1's SEF is not there for them: 404)."""

from typing import Any

from tests.matrix.common import GV, HT, IL, TR, E, trust_page

READERS = {E, IL, HT, GV, TR}
SCHOOL_1_READERS = {E, IL, HT, TR}
REVIEWERS = {E, IL}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "sef-list": {"GET": trust_page(READERS)},
    "sef-school": {"GET": trust_page(SCHOOL_1_READERS, governor=404)},
    # The headteacher's empty POST saves an empty draft and goes back to the SEF.
    "sef-edit": {"GET": trust_page({HT}), "POST": trust_page({HT}, ok=302)},
    # With nothing submitted, the review page explains; an empty POST re-shows the form.
    "sef-review": {"GET": trust_page(REVIEWERS), "POST": trust_page(REVIEWERS)},
    "api-sef-list": {"GET": trust_page(READERS, anon=401)},
    "api-sef-detail": {
        "GET": trust_page(SCHOOL_1_READERS, anon=401, governor=404),
        "PUT": trust_page({HT}, anon=401),
    },
    # Nothing started, nothing submitted: the allowed roles get a clear 400.
    "api-sef-submit": {"POST": trust_page({HT}, ok=400, anon=401)},
    "api-sef-return": {"POST": trust_page(REVIEWERS, ok=400, anon=401)},
    "api-sef-accept": {"POST": trust_page(REVIEWERS, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    return {}

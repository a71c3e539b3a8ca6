"""Expected statuses for the import pages and API: executives only; another trust's people get 404.

The run used is trust A's GIAS run waiting in preview, with no stored files: confirming it is
refused (no files) and retrying it is refused (it has not failed), but each still answers as the
table says, and nothing is written to storage.
"""

from typing import Any

from schools.models import ImportKind, ImportRun, ImportStatus
from tests.matrix.common import OTHER, E, everyone, trust_page

EXECUTIVE = {E}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "import-list": {"GET": trust_page(EXECUTIVE)},
    # A POST without files shows the form again with its error.
    "import-new": {"GET": trust_page(EXECUTIVE), "POST": trust_page(EXECUTIVE)},
    "import-detail": {"GET": trust_page(EXECUTIVE)},
    "import-group": {"GET": trust_page(EXECUTIVE), "POST": trust_page(EXECUTIVE)},
    "import-progress": {"GET": trust_page(EXECUTIVE)},
    # POST only; the trust check still runs first, so another trust's people get 404.
    "import-confirm": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page(EXECUTIVE, ok=302)},
    "import-cancel": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page(EXECUTIVE, ok=302)},
    "import-retry": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page(EXECUTIVE, ok=302)},
    "api-import-list": {"GET": trust_page(EXECUTIVE, anon=401), "POST": trust_page(EXECUTIVE, ok=400, anon=401)},
    "api-import-detail": {"GET": trust_page(EXECUTIVE, anon=401)},
    "api-import-group": {"POST": trust_page(EXECUTIVE, ok=400, anon=401)},
    # Refused for the executive too: the run has no files (the happy path is in tests/schools/test_import_api.py).
    "api-import-confirm": {"POST": trust_page(EXECUTIVE, ok=400, anon=401)},
    "api-import-cancel": {"POST": trust_page(EXECUTIVE, anon=401)},
    # Refused for the executive too: the run has not failed (the happy path is in tests/schools/test_import_retry.py).
    "api-import-retry": {"POST": trust_page(EXECUTIVE, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """A GIAS run of trust A, previewed and waiting for confirmation (called inside trust A's scope)."""
    run = ImportRun.objects.create(
        trust=trust_a.trust,
        kind=ImportKind.GIAS,
        status=ImportStatus.PREVIEW,
        requested_by=trust_a.people[E],
        group_uid="3201",
        preview={"created": 0, "updated": 0, "unchanged": 2, "skipped": [], "notes": [], "changes": []},
    )
    return {"import_run_uuid": run.uuid, "import_kind": ImportKind.GIAS.value}

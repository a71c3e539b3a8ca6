"""Expected statuses for evidence pages and API.

The item used is trust A's, at school 1 (the headteacher's), written by the specialist and
shared with the school: the governor (school 2) cannot see it (404); trustees have no
evidence pages at all (403).
"""

import datetime
from typing import Any

from django.core.files.base import ContentFile

from reviews.services.evidence import evidence_record
from tests.matrix.common import GV, HT, IL, SP, E, trust_page

READERS = {E, IL, SP, HT, GV}
WRITERS = {E, IL, SP}
ITEM_READERS = {E, IL, SP, HT}  # the governor governs school 2

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "evidence-list": {"GET": trust_page(READERS)},
    # An empty POST re-shows the form with its errors.
    "evidence-create": {"GET": trust_page(WRITERS), "POST": trust_page(WRITERS)},
    "evidence-detail": {"GET": trust_page(ITEM_READERS, governor=404)},
    "evidence-edit": {"GET": trust_page(WRITERS), "POST": trust_page(WRITERS)},
    "evidence-delete": {"GET": trust_page(WRITERS), "POST": trust_page(WRITERS, ok=302)},
    "evidence-download": {"GET": trust_page(ITEM_READERS, governor=404)},
    "api-evidence-list": {
        "GET": trust_page(READERS, anon=401),
        "POST": trust_page(WRITERS, ok=400, anon=401),
    },
    # Writes need the role before the item is looked up: the governor gets 403, not 404.
    "api-evidence-detail": {
        "GET": trust_page(ITEM_READERS, anon=401, governor=404),
        "PATCH": trust_page(WRITERS, anon=401),
        "DELETE": trust_page(WRITERS, ok=204, anon=401),
    },
    "api-evidence-download": {"GET": trust_page(ITEM_READERS, anon=401, governor=404)},
}

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    evidence = evidence_record(
        school=trust_a.schools[0],
        actor=trust_a.people[SP],
        evidence_type="learning_walk",
        observed_on=datetime.date(2025, 3, 4),
        summary="Learning walk across Key Stage 2 focused on reading.",
        shared_with_school=True,
        upload=ContentFile(PDF, name="learning-walk.pdf"),
    )
    return {"evidence_uuid": evidence.uuid}

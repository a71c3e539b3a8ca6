"""Expected statuses for joining the trust: prospective schools, due diligence, ratification, induction."""

from typing import Any

from django.utils import timezone

from schools.models.joining import DUE_DILIGENCE_SECTIONS
from schools.services import joining as services
from tests.matrix.common import IL, OTHER, TR, E, everyone, trust_page

READERS = {E, IL, TR}  # trustees are the directors who read due diligence
WRITERS = {E, IL}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "joining-home": {"GET": trust_page(READERS)},
    # An empty POST re-shows the form with its errors.
    "joining-school-add": {"GET": trust_page(WRITERS), "POST": trust_page(WRITERS)},
    "joining-report": {"GET": trust_page(READERS)},
    "joining-report-edit": {"GET": trust_page(WRITERS), "POST": trust_page(WRITERS)},
    "joining-report-pdf": {"GET": trust_page(READERS)},
    # Executive only; an empty POST lacks the date and re-shows the form.
    "joining-report-ratify": {"GET": trust_page({E}), "POST": trust_page({E})},
    "joining-induction": {"GET": trust_page(READERS)},
    # POST only; another trust's people still get 404 from the trust check first.
    "joining-induction-complete": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page(WRITERS, ok=302)},
    "joining-induction-reopen": {"GET": {**everyone(405), OTHER: 404}, "POST": trust_page(WRITERS, ok=302)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """A prospective school with its report, and a school that joined with its induction checklist, in trust A."""
    executive = trust_a.people[E]
    prospective = services.prospective_school_add(
        trust=trust_a.trust, actor=executive, urn=720001, name="Matrix Prospective Primary"
    )
    joiner = services.prospective_school_add(trust=trust_a.trust, actor=executive, urn=720002, name="Matrix Joiner")
    services.due_diligence_update(
        report=joiner.due_diligence,
        actor=executive,
        summary="Ready.",
        findings={section: {"rag": "green"} for section in DUE_DILIGENCE_SECTIONS},
    )
    services.due_diligence_ratify(report=joiner.due_diligence, actor=executive, ratified_on=timezone.localdate())
    return {
        "report_uuid": prospective.due_diligence.uuid,
        "joining_school_uuid": joiner.uuid,
        "induction_item_uuid": joiner.induction_items.first().uuid,
    }

"""Expected statuses for intervention pages and API.

The intervention used is trust A's, at school 1 (the headteacher's), active, led by the
specialist: the governor (school 2) cannot see it (404). Moving and closing need the
commissioning roles; recording a checkpoint the trust's leads or the leading specialist.
"""

from typing import Any

from interventions.models import Intervention, InterventionStatus
from tests.interventions.test_interventions import make_intervention
from tests.matrix.common import EVERYONE, HT, IL, SP, TR, E, trust_page

COMMISSIONERS = {E, IL}
ITEM_READERS = {E, IL, TR, HT, SP}  # the governor governs school 2
RECORDERS = {E, IL, SP}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "intervention-list": {"GET": trust_page(EVERYONE)},
    "intervention-mine": {"GET": trust_page(EVERYONE)},
    # An empty POST re-shows the form with its errors.
    "intervention-commission": {"GET": trust_page(COMMISSIONERS), "POST": trust_page(COMMISSIONERS)},
    "intervention-detail": {"GET": trust_page(ITEM_READERS, governor=404)},
    # A refused or empty move goes back to the page with a message; the page is POST only.
    "intervention-transition": {"GET": trust_page(COMMISSIONERS, ok=405), "POST": trust_page(COMMISSIONERS, ok=302)},
    "intervention-close": {"GET": trust_page(COMMISSIONERS), "POST": trust_page(COMMISSIONERS)},
    "intervention-checkpoint": {"GET": trust_page(RECORDERS), "POST": trust_page(RECORDERS)},
    "api-intervention-list": {
        "GET": trust_page(EVERYONE, anon=401),
        "POST": trust_page(COMMISSIONERS, ok=400, anon=401),
    },
    "api-intervention-detail": {"GET": trust_page(ITEM_READERS, anon=401, governor=404)},
    "api-intervention-transition": {"POST": trust_page(COMMISSIONERS, ok=400, anon=401)},
    "api-intervention-close": {"POST": trust_page(COMMISSIONERS, ok=400, anon=401)},
    "api-intervention-checkpoint": {"POST": trust_page(RECORDERS, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    intervention = make_intervention(trust_a, title="Matrix intervention")
    Intervention.objects.filter(pk=intervention.pk).update(status=InterventionStatus.ACTIVE)
    return {"intervention_uuid": intervention.uuid, "checkpoint_uuid": intervention.checkpoints.first().uuid}

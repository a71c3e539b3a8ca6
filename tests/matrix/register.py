"""Expected statuses for the register of expertise and Find support (pages and API).

Executives and improvement leads read the register and broker; only executives change it.
Headteachers, specialists, trustees and governors get 403; another trust's people 404. The
person used is on trust A's register, based at school 1.
"""

from decimal import Decimal
from typing import Any

from interventions.models import Expert
from tests.matrix.common import IL, E, trust_page

READERS = {E, IL}
MANAGERS = {E}

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "register-list": {"GET": trust_page(READERS)},
    # An empty POST shows the form again with its errors.
    "register-add": {"GET": trust_page(MANAGERS), "POST": trust_page(MANAGERS)},
    # Without parameters the page shows the form to describe the need.
    "register-broker": {"GET": trust_page(READERS)},
    "register-detail": {"GET": trust_page(READERS)},
    "register-edit": {"GET": trust_page(MANAGERS), "POST": trust_page(MANAGERS)},
    "register-deactivate": {"GET": trust_page(MANAGERS), "POST": trust_page(MANAGERS, ok=302)},
    "api-register-list": {
        "GET": trust_page(READERS, anon=401),
        "POST": trust_page(MANAGERS, ok=400, anon=401),
    },
    # An empty PATCH changes nothing and answers with the person.
    "api-register-detail": {"GET": trust_page(READERS, anon=401), "PATCH": trust_page(MANAGERS, anon=401)},
    # Without parameters: 400 naming the missing ones.
    "api-register-broker": {"GET": trust_page(READERS, ok=400, anon=401)},
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    expert = Expert.objects.create(
        trust=trust_a.trust,
        name="Priya Raman",
        role="lead_practitioner",
        home_school=trust_a.schools[0],
        areas=["maths", "upper_ks2"],
        days_per_term=Decimal("6"),
    )
    return {"expert_uuid": expert.uuid}

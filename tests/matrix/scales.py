"""Expected statuses for the support scale: everyone reads it, executives choose a template and edit levels."""

from typing import Any

from tests.matrix.common import EVERYONE, E, trust_page
from trust.models import SupportScale
from trust.scales.services import scale_create_from_template

EXPECTED: dict[str, dict[str, dict[str, int]]] = {
    "scale-detail": {"GET": trust_page(EVERYONE)},
    # An empty POST re-shows the page with "choose a template"; nothing is replaced.
    "scale-choose": {"GET": trust_page({E}), "POST": trust_page({E})},
    "scale-level-edit": {"GET": trust_page({E}), "POST": trust_page({E})},
    "api-scale-detail": {"GET": trust_page(EVERYONE, anon=401)},
    "api-scale-templates": {"GET": trust_page(EVERYONE, anon=401)},
    "api-scale-choose": {"POST": trust_page({E}, ok=400, anon=401)},
    # An empty PATCH changes nothing (200); an empty PUT lacks every field (400).
    "api-scale-level-detail": {
        "GET": trust_page(EVERYONE, anon=401),
        "PATCH": trust_page({E}, anon=401),
        "PUT": trust_page({E}, ok=400, anon=401),
    },
}


def url_kwargs(trust_a: Any) -> dict[str, Any]:
    """Trust A's scale (made here unless the ratings area already made it) and its first level."""
    scale = SupportScale.objects.filter(trust=trust_a.trust).first() or scale_create_from_template(
        trust=trust_a.trust, actor=trust_a.people[E], template_key="four_phases"
    )
    return {"level_uuid": scale.levels.order_by("position").first().uuid}

"""Demo register of expertise: about eight people per trust, in the shape of seed 003's register.

Idempotent: rows are found by (trust, name) and never re-saved, so a second run changes nothing
and edits made in the demo survive a re-seed.
"""

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django_scopes import scope

from interventions.models import Expert, ExpertiseArea, ExpertRole
from schools.models import School
from trust.models import Role, Trust, User

A = ExpertiseArea

# (name, role, home school index or None, organisation, areas, days per term, is the demo specialist's entry)
PEOPLE: list[tuple[str, str, int | None, str, list[str], str, bool]] = [
    ("Priya Raman", ExpertRole.LEAD_PRACTITIONER, 0, "", [A.MATHS, A.UPPER_KS2], "6", True),
    ("Tom Whitfield", ExpertRole.SLE, 1, "", [A.ENGLISH, A.KS1, A.LOWER_KS2], "8", False),
    ("Grace Okafor", ExpertRole.SLE, 2, "", [A.SEND, A.TEACHING_ASSISTANTS, A.HLTAS], "6", False),
    ("Helen Marsh", ExpertRole.STRATEGIC_HEAD, 0, "", [A.LEADERSHIP, A.GOVERNANCE, A.CURRICULUM], "10", False),
    ("David Chen", ExpertRole.LEAD_PRACTITIONER, 3, "", [A.EARLY_YEARS, A.KS1], "5", False),
    ("Rachel Adams", ExpertRole.TRUST_STAFF, None, "", [A.MATHS, A.ENGLISH, A.CURRICULUM], "20", False),
    ("Mark Ellison", ExpertRole.TRUST_STAFF, None, "", [A.SAFEGUARDING, A.BEHAVIOUR_ATTENDANCE, A.SEND], "15", False),
    (
        "Anita Kaur",
        ExpertRole.EXTERNAL,
        None,
        "Bright Futures Education",
        [A.MFL, A.FINANCE, A.GOVERNANCE],
        "10",
        False,
    ),
]


def _specialist(people: Mapping[str, User] | Iterable[tuple[User, Any]]) -> User | None:
    if isinstance(people, Mapping):
        return people.get(Role.SPECIALIST.value)
    return next((user for user, role in people if str(role) == Role.SPECIALIST.value), None)


@transaction.atomic
def seed_register(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, Any]],
    today: datetime.date,
) -> list[Expert]:
    """Give the trust a realistic register of expertise; people already on it are left as they are."""
    specialist = _specialist(people)
    made = []
    with scope(trust=trust.pk):
        own = [s for s in schools if s.trust_id == trust.pk]
        linked = Expert.objects.filter(trust=trust, user=specialist).exists() if specialist else True
        for name, role, school_index, organisation, areas, days, is_specialist in PEOPLE:
            home = own[school_index % len(own)] if school_index is not None and own else None
            defaults = {
                "role": role,
                "home_school": home,
                "organisation": organisation,
                "areas": [str(a) for a in areas],
                "days_per_term": Decimal(days),
                "email": f"{name.lower().replace(' ', '.')}@example.org",
                "user": specialist if is_specialist and not linked else None,
            }
            expert, _ = Expert.objects.get_or_create(trust=trust, name=name, defaults=defaults)
            made.append(expert)
    return made

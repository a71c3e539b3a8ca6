"""Demo ratings: each demo school gets a history of decisions over several half-terms. Idempotent.

The trust's scale is picked if it has none (Oakfield: four phases; Riverside: RAG levels). A school
that already has ratings is left as it is, so a rerun creates nothing. Decisions go through
`rating_decide`, so each stores the suggestion computed from the demo data; where the planned level
differs from it, the plan's override reason is given. The plans include an overstay (Brookside:
Stabilise for longer than two terms; Willow Lane: Amber for longer than its 12 months).

Evidence to cite: the school's own from the six months before the decision if any; otherwise a minimal
item is made with get_or_create keyed on (school, summary), so reruns reuse it.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django_scopes import scope

from reviews.models import Evidence, EvidenceType, Rating
from reviews.selectors.ratings import add_months
from reviews.services.ratings import rating_decide
from reviews.suggestions import suggest_for_school
from schools.models import School
from trust.models import Role, SupportLevel, SupportScale, Trust, User
from trust.scales.services import scale_create_from_template

TEMPLATE_FOR_TRUST = {"oakfield": "four_phases", "riverside": "rag"}
DEFAULT_TEMPLATE = "three_categories"


@dataclass(frozen=True)
class Step:
    months_ago: int
    level: str  # a level name of the trust's template
    rationale: str
    override_reason: str


# URN -> the decisions, oldest first. Override reasons are used only when the suggestion differs.
PLANS: dict[int, tuple[Step, ...]] = {
    # Oakfield Learning Trust (four phases)
    990101: (
        Step(
            17,
            "Repair",
            "Writing outcomes dipped and middle leadership was new; the trust review asked for a Repair plan.",
            "Published results still looked secure, but the trust review found writing and middle leadership weak.",
        ),
        Step(
            5,
            "Improve",
            "Writing recovered in the autumn moderation and middle leaders now lead their own monitoring.",
            "Moderation and the spring learning walk show the repair has held; the data lags behind.",
        ),
    ),
    990102: (
        Step(
            20,
            "Stabilise",
            "Requires improvement at inspection, with a new headteacher and weak safeguarding records.",
            "Safeguarding records were unreliable on joining: the trust directed improvement until they were fixed.",
        ),
        Step(
            11,
            "Repair",
            "Safeguarding audit passed; phonics and reading still below national.",
            "Leadership is now stable; reading remains the priority, which Repair's plan covers.",
        ),
    ),
    990103: (
        Step(
            16,
            "Improve",
            "Good leadership and improving outcomes before the change of inspection framework.",
            "At the time results were in line with national and the trust review judged leadership good.",
        ),
        Step(
            2,
            "Repair",
            "The report card found curriculum and achievement need attention; Repair plan agreed.",
            "The trust's own work scrutiny agrees with the report card: a Repair plan for curriculum and achievement.",
        ),
    ),
    990104: (
        Step(
            23,
            "Improve",
            "Outstanding at inspection but two new phase leaders; an Improve plan for one year.",
            "New phase leaders needed a year of coaching before the school could lead others.",
        ),
        Step(
            9,
            "Sustain",
            "Results consistently above national; the school now leads the trust's maths network.",
            "The school's results and its leadership of the maths network show it can sustain and support others.",
        ),
    ),
    990105: (
        Step(
            13,
            "Improve",
            "Good, with progress 8 close to national; a focus on disadvantaged pupils.",
            "Progress of disadvantaged pupils is the gap the trust will watch; otherwise in line.",
        ),
        Step(
            1,
            "Improve",
            "Still Improve: disadvantaged pupils' progress has improved but is not yet consistent.",
            "The trust wants one more year of consistent results before moving the school on.",
        ),
    ),
    990106: (
        Step(
            14,
            "Stabilise",
            "Inadequate at inspection: the trust directs all improvement activity.",
            "The inspection outcome requires the trust to direct improvement at once.",
        ),
        Step(
            7,
            "Stabilise",
            "Still Stabilise: governance task force in place, but teaching remains inconsistent.",
            "Teaching is still inconsistent across year groups, so the trust keeps directing improvement.",
        ),
    ),
    # Riverside Academies Trust (RAG levels)
    990201: (
        Step(
            18,
            "Amber",
            "Good at inspection but reading fell two years running; CEO set targets with the head.",
            "Reading fell two years running; half-termly visits until it recovers.",
        ),
        Step(
            6,
            "Green",
            "Reading recovered; local governors hold leaders to account well.",
            "Reading has recovered and governance is strong enough for limited intervention.",
        ),
    ),
    990202: (
        Step(
            16,
            "Amber",
            "Requires improvement: CEO and DoTL set targets and visit half-termly.",
            "The inspection and the trust review both ask for half-termly support and evaluation.",
        ),
        Step(
            3,
            "Amber",
            "Still Amber: attendance improving, reading not yet in line with national.",
            "Attendance is improving but the 12 months' impact the trust expects is not yet there.",
        ),
    ),
    990203: (
        Step(
            15,
            "Green",
            "Good leadership; outcomes in line with national.",
            "Outcomes were in line with national and leadership was judged good at the annual review.",
        ),
        Step(
            2,
            "Amber",
            "The report card found curriculum and achievement at expected standard only; targeted support agreed.",
            "The head asked for targeted support in curriculum; the trust agrees Amber is right for now.",
        ),
    ),
    990204: (
        Step(
            12,
            "Green",
            "Good with outstanding sixth form; limited intervention.",
            "Sixth form and leadership are strong; published data supports limited intervention.",
        ),
    ),
    990205: (
        Step(
            10,
            "Green",
            "Good; local governors effective.",
            "The school's review and governance are strong; the data gap is small and narrowing.",
        ),
    ),
    990206: (
        Step(
            8,
            "Red",
            "Not yet inspected as an academy; leadership capacity weak on joining, trust board controls.",
            "On joining, leadership capacity was weak and finances unstable: the Trust Board took control.",
        ),
        Step(
            3,
            "Amber",
            "New head appointed and finances secured; support package and half-termly visits.",
            "The new head is in post and finances are secure, so local decisions return with close support.",
        ),
    ),
}


def _as_people(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, User]:
    if isinstance(people, Mapping):
        return dict(people)
    found: dict[str, User] = {}
    for user, role in people:
        found.setdefault(str(role), user)
    return found


def _evidence_for(school: School, on: datetime.date, author: User) -> Evidence:
    recent = Evidence.objects.filter(school=school, observed_on__lte=on, observed_on__gte=add_months(on, -6))
    existing = recent.order_by("-observed_on").first()
    if existing is not None:
        return existing
    observed = add_months(on, -1)
    evidence, _ = Evidence.objects.get_or_create(
        school=school,
        summary=f"Half-termly data analysis and learning walk ahead of the rating of {on:%B %Y}.",
        defaults={
            "evidence_type": EvidenceType.DATA_ANALYSIS,
            "observed_on": observed,
            "author": author,
            "strengths": "Leaders know their school's data and where pupils are behind.",
            "areas_for_development": "Act on the gaps the analysis shows, year group by year group.",
            "shared_with_school": True,
        },
    )
    return evidence


def _default_plan(levels: list[SupportLevel], suggested: SupportLevel) -> tuple[Step, ...]:
    earlier = next((level for level in levels if level.position == suggested.position - 1), suggested)
    return (
        Step(
            9,
            earlier.name,
            "Rated on the trust's review at the time.",
            "The trust review at the time outweighed the data.",
        ),
        Step(3, suggested.name, "Rated on the latest data and review.", "The latest review supports this level."),
    )


@transaction.atomic
def seed_ratings(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, Any]],
    today: datetime.date,
) -> list[Rating]:
    """Pick the trust's scale if it has none and give every unrated school a history of decisions."""
    with scope(trust=trust.pk):
        return _seed(trust=trust, schools=schools, by_role=_as_people(people), today=today)


def _seed(*, trust: Trust, schools: list[School], by_role: dict[str, User], today: datetime.date) -> list[Rating]:
    executive = by_role[Role.EXECUTIVE.value]
    lead = by_role.get(Role.IMPROVEMENT_LEAD.value, executive)
    if not SupportScale.objects.filter(trust=trust).exists():
        scale_create_from_template(
            trust=trust, actor=executive, template_key=TEMPLATE_FOR_TRUST.get(trust.slug, DEFAULT_TEMPLATE)
        )
    levels = list(SupportLevel.objects.filter(scale__trust=trust).order_by("position"))
    by_name = {level.name: level for level in levels}
    rated = set(Rating.objects.filter(school__in=schools).values_list("school_id", flat=True))

    made: list[Rating] = []
    for school in schools:
        if school.pk in rated:
            continue
        plan = PLANS.get(school.urn)
        if plan is None or any(step.level not in by_name for step in plan):
            # A school outside the demo plans, or a trust whose scale was edited: follow the suggestion.
            plan = _default_plan(levels, suggest_for_school(school).level or levels[-1])
        for index, step in enumerate(plan):
            on = add_months(today, -step.months_ago)
            made.append(
                rating_decide(
                    school=school,
                    actor=lead if index % 2 else executive,
                    level=by_name[step.level],
                    effective_on=on,
                    rationale=step.rationale,
                    evidence=[_evidence_for(school, on, lead)],
                    override_reason=step.override_reason,
                )
            )
    return made

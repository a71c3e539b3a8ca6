"""Brokering (seed 004): for one school's need, rank the register's people who could provide support.

Rules, in order:
- Only active people of the school's trust whose areas include the need. People without the area
  are left out rather than listed last: the seed brokers on expertise first, and a list padded with
  people who cannot help hides the ones who can.
- Never the needing school's own staff (that would be in-school support, not brokering), nor staff
  of a school that is no longer (or not yet) a member of the trust.
- Tiers in seed 004's order: 1 school-to-school (home school is another member school),
  2 trust specialists (no home school, not external), 3 external providers.
- Within a tier: anyone who would be over-committed (days left this term < days needed) goes last
  and is flagged; then the home school's strength: its current rating (a higher level position is
  less intensive support, so stronger; unrated last), then the trust's latest review judgement of
  the related judgement area (better grade first; none last); then most days left; then name.
- Days left are for the term containing `starts_on`, after existing commitments (see capacity).

A fixed number of queries whatever the size of the register: people, commitments, ratings,
judgement area and review judgements.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from core.academic import term_bounds
from core.exceptions import ApplicationError
from interventions.models import Expert, ExpertiseArea, ExpertRole
from interventions.selectors.capacity import committed_days, days_left_from, over_commitment, round_days
from reviews.models import Grade, JudgementArea
from reviews.selectors.ratings import current_ratings
from reviews.selectors.reviews import latest_review_judgements
from schools.models import MembershipStatus, School

__all__ = ["TIERS", "Suggestion", "broker", "over_commitment", "related_judgement_code"]

SCHOOL_TO_SCHOOL, TRUST_SPECIALIST, EXTERNAL = 1, 2, 3
TIERS = {SCHOOL_TO_SCHOOL: "School-to-school", TRUST_SPECIALIST: "Trust specialist", EXTERNAL: "External"}

# Each register area and the default (Ofsted report-card) judgement area that speaks to a school's
# strength in it. A trust that renamed or retired the code simply gets no judgement in the ranking.
RELATED_JUDGEMENT = {
    ExpertiseArea.LEADERSHIP: "leadership_and_governance",
    ExpertiseArea.GOVERNANCE: "leadership_and_governance",
    ExpertiseArea.FINANCE: "leadership_and_governance",
    ExpertiseArea.SAFEGUARDING: "leadership_and_governance",  # report cards judge safeguarding as met / not met
    ExpertiseArea.SEND: "inclusion",
    ExpertiseArea.EARLY_YEARS: "early_years",
    ExpertiseArea.BEHAVIOUR_ATTENDANCE: "attendance_and_behaviour",
    ExpertiseArea.KS1: "curriculum_and_teaching",
    ExpertiseArea.LOWER_KS2: "curriculum_and_teaching",
    ExpertiseArea.UPPER_KS2: "curriculum_and_teaching",
    ExpertiseArea.TEACHING_ASSISTANTS: "curriculum_and_teaching",
    ExpertiseArea.HLTAS: "curriculum_and_teaching",
    ExpertiseArea.MFL: "curriculum_and_teaching",
    ExpertiseArea.ENGLISH: "curriculum_and_teaching",
    ExpertiseArea.MATHS: "curriculum_and_teaching",
    ExpertiseArea.CURRICULUM: "curriculum_and_teaching",
}


def related_judgement_code(area: str) -> str | None:
    return RELATED_JUDGEMENT.get(area)


@dataclass
class Suggestion:
    """One person who could provide the support, with why they rank where they do."""

    expert: Expert
    tier: int
    days_left: Decimal
    days_committed: Decimal
    home_school_level: str | None = None
    home_school_level_position: int | None = None
    area_grade: int | None = None
    over_committed: bool = False
    over_by: Decimal = Decimal("0.0")
    reasons: list[str] = field(default_factory=list)
    rank: int = 0

    @property
    def tier_label(self) -> str:
        return TIERS[self.tier]

    @property
    def area_grade_label(self) -> str:
        return Grade(self.area_grade).label if self.area_grade else ""


def _tier(expert: Expert) -> int:
    if expert.role == ExpertRole.EXTERNAL:
        return EXTERNAL
    return SCHOOL_TO_SCHOOL if expert.home_school_id else TRUST_SPECIALIST


def _days(value: Decimal) -> str:
    text = f"{round_days(value):f}"
    return text[:-2] if text.endswith(".0") else text


def _sort_key(s: Suggestion) -> tuple[object, ...]:
    position = s.home_school_level_position
    return (
        s.tier,
        s.over_committed,
        position is None,
        -(position or 0),
        s.area_grade is None,
        s.area_grade or 0,
        -s.days_left,
        s.expert.name.lower(),
    )


def broker(
    *, school: School, area: str, starts_on: datetime.date, ends_on: datetime.date, days_needed: Decimal
) -> list[Suggestion]:
    """The register's people who could support `school` in `area`, best first, each with its reasons."""
    if area not in ExpertiseArea.values:
        raise ApplicationError("Choose an area of expertise from the list.", {"field": "area"})
    if ends_on < starts_on:
        raise ApplicationError("The end date must be on or after the start date.", {"field": "ends_on"})
    days_needed = Decimal(days_needed)
    if days_needed < 0:
        raise ApplicationError("Days needed cannot be negative.", {"field": "days"})
    area_label = ExpertiseArea(area).label
    term_name, term_start, term_end = term_bounds(starts_on)

    candidates = [
        expert
        for expert in Expert.objects.filter(trust_id=school.trust_id, is_active=True)
        .exclude(home_school_id=school.pk)
        .select_related("home_school")
        .order_by("name", "pk")
        if area in (expert.areas or [])
        and (expert.home_school is None or expert.home_school.status == MembershipStatus.MEMBER)
    ]
    committed = committed_days(candidates, term_start, term_end)
    home_schools = {e.home_school_id: e.home_school for e in candidates if e.home_school is not None}
    ratings = current_ratings(list(home_schools.values())) if home_schools else {}
    judgement_area = None
    code = related_judgement_code(area)
    if home_schools and code:
        judgement_area = JudgementArea.objects.filter(trust_id=school.trust_id, code=code, is_active=True).first()
    judgements = latest_review_judgements(list(home_schools.values())) if judgement_area else {}

    suggestions = []
    for expert in candidates:
        left = days_left_from(expert, committed[expert.pk])
        s = Suggestion(expert=expert, tier=_tier(expert), days_left=left, days_committed=committed[expert.pk])
        home = expert.home_school
        if s.tier == SCHOOL_TO_SCHOOL and home is not None:
            rating = ratings.get(home.pk)
            if rating is not None:
                s.home_school_level, s.home_school_level_position = rating.level_name, rating.level_position
                s.reasons.append(f"School-to-school: {home.name} is rated {rating.level_name}.")
            else:
                s.reasons.append(f"School-to-school: {home.name} has no rating yet.")
        elif s.tier == TRUST_SPECIALIST:
            s.reasons.append(f"Trust specialist: {expert.get_role_display()} with no home school.")
        else:
            provider = f" ({expert.organisation})" if expert.organisation else ""
            s.reasons.append(f"External provider{provider}: brokered when the trust has no one suited.")
        s.reasons.append(f"Lists {area_label} among their areas of expertise.")
        if judgement_area is not None and home is not None:
            judgement = judgements.get((home.pk, judgement_area.pk))
            if judgement is not None:
                s.area_grade = judgement.grade
                on = judgement.review.reviewed_on
                s.reasons.append(
                    f"The trust's latest review judged {home.name} {judgement.get_grade_display().lower()} "
                    f"in {judgement_area.label.lower()} ({on.day} {on:%b %Y})."
                )
        s.reasons.append(f"{_days(left)} of {_days(expert.days_per_term)} days left this {term_name.lower()} term.")
        if left < days_needed:
            s.over_committed = True
            s.over_by = round_days(days_needed - left)
            unit = "day" if s.over_by == 1 else "days"
            s.reasons.append(f"Would be over-committed by {_days(s.over_by)} {unit}.")
        suggestions.append(s)

    suggestions.sort(key=_sort_key)
    for rank, s in enumerate(suggestions, start=1):
        s.rank = rank
    return suggestions

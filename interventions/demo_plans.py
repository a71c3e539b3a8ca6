"""Demo improvement plans: one per member school for the current year, most agreed, actions in every state.

Idempotent: plans are found by (school, year), priorities by (plan, title), actions by (priority,
description), updates by (plan, author, trust comment, term); rows are created only when missing and an
existing row is never saved again. Due dates are offsets from `today`, so some actions are overdue.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.db import transaction
from django_scopes import scope

from core.academic import academic_year_for, term_bounds
from interventions.models import ActionStatus, ImprovementPlan, PlanAction, PlanPriority, PlanStatus, PlanUpdate
from schools.models import MembershipStatus, School
from trust.models import Role, Trust, User

S = ActionStatus
# (priority title, source, [(action, owner, days from today, success criteria, status)])
PRIORITIES = [
    (
        "Improve the teaching of writing across key stage 2",
        "Review of the autumn term",
        [
            (
                "Adopt the trust's writing scheme in Years 3 to 6",
                "English lead",
                -40,
                "Scheme taught in every class",
                S.COMPLETE,
            ),
            (
                "Coach Year 4 and Year 5 teachers in modelled writing",
                "English lead",
                -10,
                "Observed lessons model writing",
                S.OFF_TRACK,
            ),
            (
                "Moderate writing with a partner school",
                "Deputy headteacher",
                30,
                "Judgements agree with the partner school",
                S.ON_TRACK,
            ),
        ],
    ),
    (
        "Check pupils' understanding consistently in mathematics",
        "Self-evaluation",
        [
            (
                "Introduce mini-whiteboard checks in every maths lesson",
                "Maths lead",
                -5,
                "Seen in 9 of 10 lessons visited",
                S.AT_RISK,
            ),
            (
                "Maths lead to coach Year 3 teachers for six weeks",
                "Maths lead",
                45,
                "Year 3 assessment gaps closed",
                S.NOT_STARTED,
            ),
        ],
    ),
    (
        "Reduce persistent absence",
        "Checklist: Behaviour and safety",
        [
            (
                "Agree the attendance plan with governors",
                "Headteacher",
                -20,
                "Plan agreed at the governors' meeting",
                S.ON_TRACK,
            ),
            (
                "Weekly attendance meetings with families of persistent absentees",
                "Attendance officer",
                60,
                "Persistent absence below 12%",
                S.ON_TRACK,
            ),
        ],
    ),
]


def _people(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, list[User]]:
    pairs = [(u, r) for r, u in people.items()] if isinstance(people, Mapping) else list(people)
    by_role: dict[str, list[User]] = {}
    for user, role in pairs:
        by_role.setdefault(str(role), []).append(user)
    return by_role


@transaction.atomic
def seed_plans(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, str]],
    today: datetime.date,
) -> dict[str, int]:
    """This year's plans for the member schools (all but the last agreed); returns how many rows were created."""
    created = dict.fromkeys(["plans", "priorities", "actions", "updates"], 0)
    year = academic_year_for(today)
    term = term_bounds(today)[0]
    with scope(trust=trust.pk):
        by_role = _people(people)
        executive = (by_role.get(Role.EXECUTIVE) or [None])[0]
        lead = (by_role.get(Role.IMPROVEMENT_LEAD) or [executive])[0]
        heads = by_role.get(Role.HEADTEACHER, [])
        members = [s for s in schools if s.status != MembershipStatus.LEFT]
        for index, school in enumerate(members):
            agreed = index < len(members) - 1  # the last school's plan is still a draft awaiting agreement
            plan, new = ImprovementPlan.objects.get_or_create(
                school=school,
                academic_year=year,
                defaults={
                    "summary": "Our priorities this year: writing, mathematics and attendance.",
                    "status": PlanStatus.AGREED if agreed else PlanStatus.DRAFT,
                    "agreed_by": lead if agreed else None,
                    "agreed_on": max(today - datetime.timedelta(days=30), datetime.date(year, 9, 1))
                    if agreed
                    else None,
                },
            )
            created["plans"] += new
            for position, (title, source, actions) in enumerate(PRIORITIES, start=1):
                priority, new = PlanPriority.objects.get_or_create(
                    plan=plan, title=title, defaults={"source": source, "position": position}
                )
                created["priorities"] += new
                for description, owner, offset, criteria, status in actions:
                    # Stagger schools a little so the plan-health page is not one row repeated.
                    due_on = today + datetime.timedelta(days=offset + index * 3)
                    _, new = PlanAction.objects.get_or_create(
                        priority=priority,
                        description=description,
                        defaults={
                            "owner": owner,
                            "due_on": due_on,
                            "success_criteria": criteria,
                            "status": status,
                            "completed_on": min(due_on, today) if status == S.COMPLETE else None,
                        },
                    )
                    created["actions"] += new
            head = heads[0] if heads and index == 0 else None
            posts = [
                (
                    head,
                    False,
                    "Writing scheme launched in all KS2 classes; coaching in Year 5 has slipped because "
                    "of staff absence and restarts after half-term.",
                ),
                (
                    lead,
                    True,
                    "Good start on writing. Please bring the Year 5 coaching back on track and share the "
                    "attendance figures at the next visit.",
                ),
            ]
            for author, is_comment, body in posts:
                if author is None:
                    continue
                _, new = PlanUpdate.objects.get_or_create(
                    plan=plan, author=author, is_trust_comment=is_comment, term=term, defaults={"body": body}
                )
                created["updates"] += new
    return created

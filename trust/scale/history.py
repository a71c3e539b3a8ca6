"""One school's history, as unsaved rows: ratings, inspections, results, evidence, reviews, this year's work.

A school has a support position (1 = most support, e.g. Stabilise; 4 = least, e.g. Sustain) that drifts
every half-year; its ratings record it, and its inspections, results, reviews and self-evaluations follow
it, so the pages tell one consistent story per school. Dates are taken from `today`.
"""

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from core.academic import half_term_for, term_bounds
from interventions.models import (
    ActionStatus,
    Activity,
    ActivitySource,
    ActivityStatus,
    Checkpoint,
    CheckpointProgress,
    DeliveryModel,
    Expert,
    ImprovementPlan,
    Intervention,
    InterventionLead,
    InterventionStatus,
    InterventionTarget,
    InterventionTransition,
    PlanAction,
    PlanPriority,
    PlanStatus,
    PlanUpdate,
    Progress,
    SupportRequest,
    SupportRequestStatus,
    Urgency,
)
from reviews.models import (
    Capacity,
    Evidence,
    JudgementArea,
    Rating,
    Review,
    ReviewJudgement,
    ReviewType,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from schools.models import (
    Inspection,
    InspectionEra,
    InspectionJudgement,
    InspectionSource,
    InYearPrediction,
    MeasureValue,
    School,
)
from schools.models.inspections import REPORT_CARD_START
from trust.models import SupportLevel, Trust, User
from trust.scale.figures import measures_for, national_value, published, school_value
from trust.scale.rows import Rows
from trust.scale.visits import level_visits
from trust.scale.words import (
    ACTIONS,
    EVIDENCE_SUMMARIES,
    IMPACTS,
    INTERVENTIONS,
    OWNERS,
    PRIORITIES,
    PROGRESS_UPDATES,
    TARGETS,
    Writer,
)

DAY = datetime.timedelta(days=1)
START_WEIGHTS = (8, 20, 42, 30)  # how many schools start at each position, most support first
TRUST_GRADE = {1: (5, 4), 2: (4, 3), 3: (3, 2), 4: (2, 1)}  # 1-5 judgements a position earns
CAPACITY = {1: Capacity.WEAK, 2: Capacity.NOT_YET_GOOD, 3: Capacity.GOOD, 4: Capacity.STRONG}
LEGACY_GRADE = {1: (4, 3), 2: (3, 3), 3: (2, 2), 4: (2, 1)}
DOCUMENTED = {"data_analysis", "safeguarding_audit", "governance_audit", "send_audit"}
EVIDENCE_TYPES = tuple(EVIDENCE_SUMMARIES)
S = InterventionStatus
PATH = {
    S.PROPOSED: [],
    S.COMMISSIONED: [S.COMMISSIONED],
    S.ACTIVE: [S.COMMISSIONED, S.ACTIVE],
    S.IMPACT_REVIEW: [S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW],
    S.CLOSED: [S.COMMISSIONED, S.ACTIVE, S.IMPACT_REVIEW, S.CLOSED],
    S.CANCELLED: [S.COMMISSIONED, S.CANCELLED],
}
PROVIDERS = ("Northern SEND Partnership", "Bright Futures Education", "Maths Hub North", "The Reading Network")


@dataclass
class TrustParts:
    """What every school of one trust refers to."""

    trust: Trust
    executive: User
    lead: User
    levels: list[SupportLevel]
    areas: list[JudgementArea]
    experts: list[tuple[Expert, School | None]]  # each with their home school
    schools: list[School]
    today: datetime.date
    this_year: int
    years: int
    half_terms: dict[int, tuple[datetime.date, datetime.date]]
    evidence_file: str = ""
    evidence_file_size: int = 0


def _at(day: datetime.date, hour: int = 16) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=datetime.UTC)


def _grade(rng: random.Random, position: int) -> int:
    return rng.choice(TRUST_GRADE[position])


class SchoolHistory:
    """Adds one school's rows to `rows`; built and thrown away per school."""

    def __init__(self, *, rows: Rows, parts: TrustParts, school: School, head: User, rng: random.Random, w: Writer):
        self.rows, self.p, self.school, self.head, self.rng, self.w = rows, parts, school, head, rng, w
        self.today = parts.today
        self.year_start = parts.half_terms[1][0]
        self.ratings_on: list[tuple[datetime.date, int]] = []
        self.evidence: list[Evidence] = []
        self.evidence_areas: dict[int, list[JudgementArea]] = {}  # by id() of the unsaved item
        self.reviews: list[Review] = []
        self.inspections: list[Inspection] = []

    def add(self) -> None:
        self._trajectory()
        self._inspections()
        self._evidence()
        self._results()
        self._self_evaluations()
        self._reviews()
        self._ratings()
        self._predictions()
        self._plan()
        self._interventions()
        self._visits()

    # --- the school's story ---------------------------------------------------------------------------

    def _trajectory(self) -> None:
        rng, first = self.rng, datetime.date(self.p.this_year - self.p.years, 10, 1)
        position = rng.choices((1, 2, 3, 4), weights=START_WEIGHTS)[0]
        for half_year in range(self.p.years * 2):
            on = first + datetime.timedelta(days=182 * half_year + rng.randint(0, 20))
            if on > self.today:
                break
            if half_year:
                position = min(4, max(1, position + rng.choice((-1, 0, 0, 0, 0, 1))))
            self.ratings_on.append((on, position))

    def position_on(self, day: datetime.date) -> int:
        position = self.ratings_on[0][1] if self.ratings_on else 3
        for on, pos in self.ratings_on:
            if on > day:
                break
            position = pos
        return position

    @property
    def position(self) -> int:
        return self.position_on(self.today)

    # --- inspections and results ----------------------------------------------------------------------

    def _inspections(self) -> None:
        rng = self.rng
        if rng.random() < 0.05:
            return  # a new academy not yet inspected
        latest = self.today - datetime.timedelta(days=rng.randint(60, 365 * 4))
        days = [latest] + (
            [latest - datetime.timedelta(days=rng.randint(365 * 3, 365 * 5))] if rng.random() < 0.7 else []
        )
        primary = self.school.phase != "Secondary"
        for day in days:
            position = self.position_on(day)
            report_card = day >= REPORT_CARD_START
            inspection = self.rows.add(
                Inspection,
                school=self.school,
                inspected_on=day,
                inspection_type="Full inspection",
                era=InspectionEra.REPORT_CARD if report_card else InspectionEra.LEGACY,
                safeguarding_met=(rng.random() > 0.03) if report_card else None,
                source=InspectionSource.GIAS,
            )
            self.inspections.append(inspection)
            if report_card:
                areas = ["inclusion", "curriculum_and_teaching", "achievement", "attendance_and_behaviour"]
                areas += ["personal_development_and_wellbeing", "leadership_and_governance"]
                areas.append("early_years" if primary else "post_16")
                grades = {area: _grade(rng, position) for area in areas}
            else:
                overall = rng.choice(LEGACY_GRADE[position])
                areas = ["quality_of_education", "behaviour_and_attitudes", "personal_development"]
                areas += ["leadership_and_management", "early_years" if primary else "sixth_form"]
                grades = {"overall_effectiveness": overall}
                grades |= {area: min(4, max(1, overall + rng.choice((-1, 0, 0, 0, 1)))) for area in areas}
            for area, grade in grades.items():
                self.rows.add(InspectionJudgement, inspection=inspection, area=area, grade=grade)
        self.inspections.sort(key=lambda i: i.inspected_on)

    def _results(self) -> None:
        rng, school = self.rng, self.school
        own = rng.uniform(-1, 1)  # the school's own lean, steady from year to year
        for year in range(self.p.this_year - self.p.years, self.p.this_year):
            position = self.position_on(datetime.date(year + 1, 7, 1))
            for measure in measures_for(school.phase):
                if not published(measure, year):
                    continue
                noise = (own + rng.uniform(-1, 1)) / 2
                suppressed = measure.key_stage is not None and rng.random() < 0.015
                self.rows.add(
                    MeasureValue,
                    school=school,
                    measure=measure.code,
                    academic_year=year,
                    value=None if suppressed else school_value(measure, national_value(measure, year), position, noise),
                    missing_code="SUPP" if suppressed else "",
                    source=f"DfE {year}/{(year + 1) % 100:02d}",
                )

    def _predictions(self) -> None:
        rng, school = self.rng, self.school
        secondary = school.phase == "Secondary"
        groups = ("Year 9", "Year 11") if secondary else ("Year 2", "Year 6")
        subjects = ("English", "Maths", "Science") if secondary else ("Reading", "Writing", "Maths")
        base = {1: 55, 2: 65, 3: 74, 4: 82}[self.position]
        for half_term in range(1, half_term_for(self.today) + 1):
            for group in groups:
                for subject in subjects:
                    value = min(99.0, max(20.0, base + half_term + rng.uniform(-8, 8)))
                    self.rows.add(
                        InYearPrediction,
                        school=school,
                        academic_year=self.p.this_year,
                        half_term=half_term,
                        year_group=group,
                        subject=subject,
                        percent_on_track=Decimal(f"{value:.1f}"),
                        entered_by=self.head,
                    )

    # --- evidence, self-evaluation, reviews, ratings ------------------------------------------------

    def _evidence(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        days = [rng.randint(60, 365 * p.years) for _ in range(2 * p.years)]
        days += [rng.randint(1, 110) for _ in range(rng.randint(3, 6))]
        for ago in sorted(days, reverse=True):
            kind = rng.choice(EVIDENCE_TYPES)
            documented = kind in DOCUMENTED and bool(p.evidence_file)
            observed = self.today - datetime.timedelta(days=ago)
            item = self.rows.add(
                Evidence,
                school=self.school,
                evidence_type=kind,
                observed_on=observed,
                author=rng.choice((p.lead, p.lead, p.executive, self.head)),
                summary=w.fill(EVIDENCE_SUMMARIES[kind]),
                strengths=w.strengths(20, 70),
                areas_for_development=w.developments(20, 70),
                shared_with_school=rng.random() < 0.6,
                # One stored file per trust, shared by the documented items (see trust/scale/__init__.py).
                file=p.evidence_file if documented else "",
                file_name=f"{kind.replace('_', '-')}-{self.school.urn}-{observed:%Y-%m}.pdf" if documented else "",
                file_type="pdf" if documented else "",
                file_size=p.evidence_file_size if documented else 0,
            )
            areas = rng.sample(p.areas, k=min(len(p.areas), rng.randint(1, 3)))
            for area in areas:
                self.rows.link(Evidence, "areas", item, area)
            self.evidence.append(item)
            self.evidence_areas[id(item)] = areas

    def _recent_evidence(self, day: datetime.date, months: int = 6, most: int = 2) -> list[Evidence]:
        since = day - datetime.timedelta(days=31 * months)
        return [e for e in self.evidence if since <= e.observed_on <= day][-most:]

    def _self_evaluations(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        this_status = rng.choice(
            [SelfEvaluationStatus.DRAFT] * 3
            + [SelfEvaluationStatus.SUBMITTED] * 3
            + [SelfEvaluationStatus.RETURNED]
            + [SelfEvaluationStatus.ACCEPTED] * 3
        )
        for year, status in ((p.this_year - 1, SelfEvaluationStatus.ACCEPTED), (p.this_year, this_status)):
            current = year == p.this_year
            moment = min(self.today, datetime.date(year + 1, 6, 20)) if not current else self.today
            submitted = status != SelfEvaluationStatus.DRAFT
            reviewed = status in (SelfEvaluationStatus.RETURNED, SelfEvaluationStatus.ACCEPTED)
            sef = self.rows.add(
                SelfEvaluation,
                school=self.school,
                academic_year=year,
                status=status,
                summary=w.balanced(40, 120),
                submitted_at=_at(moment - 14 * DAY, 9) if submitted else None,
                submitted_by=self.head if submitted else None,
                reviewed_at=_at(moment - 4 * DAY, 11) if reviewed else None,
                reviewed_by=p.lead if reviewed else None,
                review_comments=w.developments(25, 60) if status == SelfEvaluationStatus.RETURNED else "",
            )
            year_from, year_to = datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)
            shared = [e for e in self.evidence if e.shared_with_school and year_from <= e.observed_on <= year_to]
            position = self.position_on(moment)
            # A draft is part-written: its last two areas are not graded yet.
            graded = p.areas if status != SelfEvaluationStatus.DRAFT else p.areas[:-2]
            for area in p.areas:
                grade = None
                if area in graded:
                    # Schools judge themselves a little more kindly than the trust does.
                    grade = max(1, _grade(rng, position) - (1 if rng.random() < 0.3 else 0))
                entry = self.rows.add(
                    SelfEvaluationEntry,
                    self_evaluation=sef,
                    area=area,
                    self_grade=grade,
                    strengths=w.strengths(20, 60) if grade else "",
                    areas_for_development=w.developments(20, 60) if grade else "",
                )
                for item in shared:
                    if area in self.evidence_areas[id(item)]:
                        self.rows.link(SelfEvaluationEntry, "evidence", entry, item)

    def _reviews(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        for year in range(p.this_year - p.years, p.this_year + 1):
            on = datetime.date(year + 1, 3, rng.randint(2, 27))
            if on >= self.today:
                continue
            position = self.position_on(on)
            review = self.rows.add(
                Review,
                school=self.school,
                review_type=ReviewType.ANNUAL_REVIEW,
                reviewed_on=on,
                author=p.lead,
                capacity=CAPACITY[position],
                strengths=w.strengths(),
                areas_for_development=w.developments(),
                agreed_actions=w.paragraph((ACTIONS,), 30, 80),
                shared_with_school=rng.random() < 0.9,
            )
            self.reviews.append(review)
            for area in p.areas:
                self.rows.add(ReviewJudgement, review=review, area=area, grade=_grade(rng, position))
            for person in (p.lead, p.executive):
                self.rows.link(Review, "reviewers", review, person)
            for item in self._recent_evidence(on, most=3):
                self.rows.link(Review, "evidence", review, item)

    def _ratings(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        for index, (on, position) in enumerate(self.ratings_on):
            level = p.levels[min(position, len(p.levels)) - 1]
            suggested = level
            if rng.random() < 0.15:
                suggested = p.levels[min(len(p.levels), max(1, position + rng.choice((-1, 1)))) - 1]
            overrode = suggested is not level
            rules = suggested.rules or []
            rating = self.rows.add(
                Rating,
                school=self.school,
                level=level,
                level_name=level.name,
                level_position=level.position,
                effective_on=on,
                decided_by=p.executive if index % 2 == 0 else p.lead,
                rationale=w.rationale(level.name),
                suggested_level=suggested,
                suggested_level_name=suggested.name,
                suggestion_reasons=[{**rule, "reason": rule.get("note", "")} for rule in rules[:1]],
                overrode_suggestion=overrode,
                override_reason=w.balanced(20, 50) if overrode else "",
                inspection=next((i for i in reversed(self.inspections) if i.inspected_on <= on), None),
                review=next((r for r in reversed(self.reviews) if r.reviewed_on <= on), None),
            )
            for item in self._recent_evidence(on):
                self.rows.link(Rating, "evidence", rating, item)

    # --- this year's work ---------------------------------------------------------------------------

    def _plan(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        agreed = rng.random() < 0.8
        plan = self.rows.add(
            ImprovementPlan,
            school=self.school,
            academic_year=p.this_year,
            summary=w.balanced(40, 90),
            status=PlanStatus.AGREED if agreed else PlanStatus.DRAFT,
            agreed_by=p.lead if agreed else None,
            agreed_on=min(self.today, self.year_start + 30 * DAY) if agreed else None,
        )
        source = f"Annual review of {self.reviews[-1].reviewed_on:%d %b %Y}" if self.reviews else "Trust review"
        for position, template in enumerate(rng.sample(PRIORITIES, k=3), start=1):
            priority = self.rows.add(
                PlanPriority,
                plan=plan,
                title=w.fill(template),
                area=rng.choice(p.areas),
                source=source,
                position=position,
            )
            for _ in range(4):
                due = self.year_start + datetime.timedelta(days=rng.randint(20, 320))
                if due < self.today:
                    status = rng.choice(
                        [ActionStatus.COMPLETE] * 6 + [ActionStatus.OFF_TRACK] * 2 + [ActionStatus.AT_RISK] * 2
                    )
                else:
                    status = rng.choice(
                        [ActionStatus.ON_TRACK] * 5 + [ActionStatus.NOT_STARTED] * 3 + [ActionStatus.AT_RISK] * 2
                    )
                self.rows.add(
                    PlanAction,
                    priority=priority,
                    description=w.one(ACTIONS),
                    owner=rng.choice(OWNERS),
                    due_on=due,
                    success_criteria=w.one(TARGETS),
                    status=status,
                    completed_on=min(due, self.today) if status == ActionStatus.COMPLETE else None,
                )
        term = term_bounds(self.today)[0]
        for n in range(rng.randint(1, 3)):
            comment = n % 2 == 1
            body = w.paragraph((PROGRESS_UPDATES, ACTIONS), 40, 150) if not comment else w.balanced(40, 120)
            self.rows.add(
                PlanUpdate,
                plan=plan,
                author=p.lead if comment else self.head,
                is_trust_comment=comment,
                term=term,
                body=body,
            )

    def _interventions(self) -> None:
        rng, p = self.rng, self.p
        current = {1: 2, 2: 2, 3: 1, 4: rng.randint(0, 1)}[self.position]
        plans = [("past", rng.randint(250, 700))] + [("current", rng.randint(-30, 150)) for _ in range(current)]
        for (when, ago), (title, area) in zip(plans, rng.sample(INTERVENTIONS, k=len(plans)), strict=True):
            starts = self.today - datetime.timedelta(days=ago)
            ends = starts + datetime.timedelta(days=rng.randint(90, 240))
            if when == "past":
                status = rng.choice([S.CLOSED] * 8 + [S.CANCELLED, S.IMPACT_REVIEW])
                ends = min(ends, self.today - 10 * DAY)
            elif starts > self.today:
                status = rng.choice((S.PROPOSED, S.COMMISSIONED))
            else:
                status = rng.choice([S.ACTIVE] * 4 + [S.COMMISSIONED])
            self._intervention(title, area, status, starts, ends)
        if rng.random() < 0.25:
            declined = rng.random() < 0.3
            self.rows.add(
                SupportRequest,
                school=self.school,
                area=rng.choice(INTERVENTIONS)[1],
                need=self.w.developments(20, 60),
                urgency=rng.choice(Urgency.values),
                requested_by=self.head,
                status=SupportRequestStatus.DECLINED if declined else SupportRequestStatus.OPEN,
                triaged_by=p.executive if declined else None,
                triaged_at=_at(self.today - 3 * DAY) if declined else None,
                decline_reason=self.w.balanced(15, 40) if declined else "",
            )

    def _intervention(self, title: str, area: str, status: str, starts: datetime.date, ends: datetime.date) -> None:
        rng, w, p, school = self.rng, self.w, self.p, self.school
        others = [s for s in p.schools if s is not school]
        model = rng.choice(DeliveryModel.values)
        if model == DeliveryModel.SCHOOL_TO_SCHOOL and not others:
            model = DeliveryModel.DIRECT_TRUST
        external = model == DeliveryModel.EXTERNAL
        closed = status == S.CLOSED
        reviewed = status in (S.CLOSED, S.IMPACT_REVIEW)
        providing = rng.choice(others) if model == DeliveryModel.SCHOOL_TO_SCHOOL else None
        intervention = self.rows.add(
            Intervention,
            school=school,
            title=title,
            area_of_need=area,
            description=w.developments(40, 100),
            delivery_model=model,
            providing_school=providing,
            provider_name=rng.choice(PROVIDERS) if external else "",
            cost=Decimal(rng.randint(8, 60) * 100) if external else None,
            success_criteria=w.paragraph((TARGETS,), 20, 50),
            starts_on=starts,
            ends_on=ends,
            days=Decimal(rng.randint(3, 15)),
            status=status,
            cancelled_reason=w.balanced(15, 40) if status == S.CANCELLED else "",
            commissioned_by=p.executive if status != S.PROPOSED else None,
            impact_practice=w.one(IMPACTS) if reviewed else "",
            impact_systems=w.one(IMPACTS) if reviewed else "",
            impact_organisation=w.one(IMPACTS) if closed else "",
            impact_outcomes=w.one(IMPACTS) if closed else "",
            closed_on=ends if closed else None,
        )
        if closed and self.evidence:
            self.rows.link(Intervention, "impact_evidence", intervention, self.evidence[-1])
        previous = ""
        for step in PATH[status]:
            self.rows.add(
                InterventionTransition, intervention=intervention, from_status=previous, to_status=step, by=p.executive
            )
            previous = step
        if not external and p.experts:
            # The providing school's own experts lead its support; else anyone from outside the school.
            chosen = [e for e, home in p.experts if providing is not None and home is providing] or [
                e for e, home in p.experts if home is not school
            ]
            every = [e for e, _ in p.experts]
            for expert in rng.sample(chosen or every, k=min(len(chosen or every), rng.randint(1, 2))):
                self.rows.add(
                    InterventionLead, intervention=intervention, expert=expert, days=Decimal(rng.randint(2, 6))
                )
        targets = [
            self.rows.add(InterventionTarget, intervention=intervention, description=w.one(TARGETS), position=n)
            for n in range(rng.randint(2, 3))
        ]
        count = rng.randint(2, 4)
        span = (ends - starts).days
        started = status in (S.ACTIVE, S.IMPACT_REVIEW, S.CLOSED)
        for k in range(1, count + 1):
            due = starts + datetime.timedelta(days=span * k // count)
            # Most past checkpoints were recorded; now and then the latest is left overdue.
            recorded = started and due < self.today and (due < self.today - 30 * DAY or rng.random() < 0.7)
            checkpoint = self.rows.add(
                Checkpoint,
                intervention=intervention,
                due_on=due,
                title=f"Checkpoint {k}",
                recorded_at=_at(due + DAY) if recorded else None,
                recorded_by=p.lead if recorded else None,
                notes=w.balanced(20, 60) if recorded else "",
            )
            if recorded:
                for target in targets:
                    progress = rng.choice((Progress.SOME, Progress.GOOD, Progress.GOOD, Progress.MET))
                    self.rows.add(CheckpointProgress, checkpoint=checkpoint, target=target, progress=progress)

    def _visits(self) -> None:
        rng, w, p = self.rng, self.w, self.p
        level = p.levels[min(self.position, len(p.levels)) - 1]
        for spec, day in level_visits(level, p.half_terms, spread=rng.randint(0, 8)):
            values = {"status": ActivityStatus.PLANNED}
            if day < self.today:
                roll = rng.random()
                if roll < 0.05:
                    values = {"status": ActivityStatus.CANCELLED, "cancelled_reason": w.balanced(10, 25)}
                elif roll < 0.10:
                    values = {"status": ActivityStatus.MISSED}
                elif roll < 0.94:
                    values = {
                        "status": ActivityStatus.DONE,
                        "notes": w.visit_notes(),
                        "notes_shared_with_school": rng.random() < 0.5,
                        "recorded_by": p.lead,
                        "recorded_at": _at(day),
                    }
                # else: past and not yet recorded, as some always are
            self.rows.add(
                Activity,
                trust=p.trust,
                school=self.school,
                activity_type=spec["type"],
                title=str(spec.get("title") or spec["type"])[:200],
                owner=p.lead,
                planned_on=day,
                source=ActivitySource.LEVEL,
                level=level,
                **values,
            )


def history_add(*, rows: Rows, parts: TrustParts, school: School, head: User, rng: random.Random, w: Writer) -> None:
    """Add the school's whole history to `rows`."""
    SchoolHistory(rows=rows, parts=parts, school=school, head=head, rng=rng, w=w).add()

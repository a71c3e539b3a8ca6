"""The three support scales the seed trusts use, shipped as templates a trust picks from and then edits.

Each template is copied from its seed in `shared/seeds/` (`source`): level names, key indicators, the
support offer, leadership qualities and the strategic-plan checklist are the seeds' own words. Where a
seed's text was dictated or names its own trust, the edited wording is listed in `EDITS` next to the
seed's original, so tests/reviews/test_scales.py can check every line against its seed. A bullet with
sub-bullets becomes one item: "Parent: sub-item; sub-item".

Levels are listed most intensive first (position 1). Cadences are short summaries of what the seed
says about visits, monitoring and reporting; a blank cadence means the seed sets none.

`rules` are the suggestion rules (see reviews.suggestions): a level is suggested when any of its rules
fires, the most intensive such level winning; the least intensive level needs none. Each rule's
`note` quotes the seed indicator it stands for. Thresholds are the shipped defaults; a trust edits them.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LevelTemplate:
    name: str
    colour: str = ""
    description: str = ""
    duration: str = ""  # the seed's own words for how long a school stays, e.g. "1 – 2 terms"
    expected_duration_months: int | None = None
    key_indicators: tuple[str, ...] = ()
    support_offer: tuple[str, ...] = ()
    leadership_qualities: tuple[str, ...] = ()
    plan_checklist: dict[str, tuple[str, ...]] = field(default_factory=dict)
    visit_cadence: str = ""
    monitoring_cadence: str = ""
    reporting_cadence: str = ""
    rules: tuple[dict[str, Any], ...] = ()
    # Calendar activities the level entitles a school to; see `activity` and interventions.services.planning.
    activities: tuple[dict[str, str], ...] = ()
    heading: str = ""  # the seed's heading for this level, verbatim

    def as_fields(self) -> dict[str, Any]:
        """The SupportLevel fields this template level fills."""
        return {
            "name": self.name,
            "colour": self.colour,
            "description": self.description,
            "key_indicators": list(self.key_indicators),
            "support_offer": list(self.support_offer),
            "leadership_qualities": list(self.leadership_qualities),
            "plan_checklist": {domain: list(items) for domain, items in self.plan_checklist.items()},
            "visit_cadence": self.visit_cadence,
            "monitoring_cadence": self.monitoring_cadence,
            "reporting_cadence": self.reporting_cadence,
            "expected_duration_months": self.expected_duration_months,
            "rules": [dict(rule) for rule in self.rules],
            "activities": [dict(item) for item in self.activities],
        }


@dataclass(frozen=True)
class ScaleTemplate:
    key: str
    name: str
    source: str  # the seed file's number, e.g. "002"
    summary: str
    levels: tuple[LevelTemplate, ...]


def rule(indicator: str, op: str, value: Any, note: str) -> dict[str, Any]:
    return {"indicator": indicator, "op": op, "value": value, "note": note}


CADENCES = ("yearly", "termly", "half_termly", "weekly")


def activity(activity_type: str, cadence: str, title: str, term: str = "") -> dict[str, str]:
    """One calendar entitlement: an interventions.models.ActivityType value, a cadence, and for a yearly one
    the term it falls in (Autumn, Spring or Summer)."""
    item = {"type": activity_type, "cadence": cadence, "title": title}
    if term:
        item["term"] = term
    return item


# Activity types, spelled as interventions.models.ActivityType values (trust must not import interventions).
HEALTH_CHECK, MONITORING_VISIT, EVALUATION_MEETING, WEEKLY_MONITORING, ANNUAL_REVIEW = (
    "health_check",
    "monitoring_visit",
    "evaluation_meeting",
    "weekly_monitoring",
    "annual_review",
)

# Seed 000: "all schools will receive termly visits to provide a health check" (the universal offer).
_UNIVERSAL_VISIT = activity(HEALTH_CHECK, "termly", "Termly health-check visit (universal offer)")
# Seed 003's calendar, cumulative: Green's rows, then Amber's, then Red's. The annual review sits in Spring.
_GREEN_CALENDAR = (
    activity(ANNUAL_REVIEW, "yearly", "Annual review of strengths and areas for development", term="Spring"),
    activity(HEALTH_CHECK, "termly", "Termly monitoring visit (health check)"),
)
_AMBER_CALENDAR = _GREEN_CALENDAR + (
    activity(EVALUATION_MEETING, "half_termly", "Half-termly evaluation meeting and visit from CEO/DoTL"),
)
_RED_CALENDAR = _AMBER_CALENDAR + (activity(WEEKLY_MONITORING, "weekly", "Weekly monitoring visit (SIO/CEO)"),)


# The six domains of seed 002's strategic plan, in its order (its headings vary by phase:
# "Financial and Legal" / "Finance", "Behaviour and Safety" / "Behaviour").
PLAN_DOMAINS = (
    "Governance",
    "Finance and legal",
    "Leadership",
    "Teaching and learning",
    "Behaviour and safety",
    "Communication",
)

# Edited wording -> the seed's original. Everything else is verbatim.
EDITS: dict[str, str] = {
    # Seed 000 was dictated; these are its evident meaning.
    "Governance is supported to hold the school to account": (
        "Governance is supported the knothole in school to account"
    ),
    "Attainment at the end of each key stage is in line with national if not above": (
        "Attainment the end of each key phrase is in line with national if not above"
    ),
    "Capacity for further improvement is at least good": "Capacity for further improve movement is at least good",
    "Governance is effective, providing appropriate challenge to the school leaders": (
        "Governance is effective providing appropriate challenge the school leaders"
    ),
    (
        "A bespoke intensive programme covering all aspects of school improvement. This would involve trust "
        "members working with the governors, curriculum leaders coaching class teachers to ensure improvements "
        "in pedagogy for teaching and learning. Support for the senior leaders depending on need."
    ): (
        "A bespoke intensive programme covering all aspects of school improvement. This would involve trust "
        "members working the governors, curriculum leaders coaching class teachers to ensure improvements in "
        "pedagogy for teaching and learning. Support the senior leaders depending on need."
    ),
    (
        "School to provide an action plan in consultation with the school improvement lead and monitored on a "
        "termly or a half termly basis dependent on need."
    ): (
        "School to provide an action plan in consultation with the school improvement lead and monitored on a "
        "termly or a half termly basis dependent on."
    ),
    (
        "Universal offer: termly visits to provide a health check and to increase outcomes; all support is "
        "provided by the executive Headteacher and the school improvement personnel."
    ): (
        "As part of the core support all schools will receive termly visits to provide a health checks and to "
        "increase outcomes, all support is provided by the executive Headteacher and the school improvement "
        "personnel."
    ),
    # Seed 003 names its own trust and partners; the template speaks for any trust.
    "Engage in the local consortium, Teaching School Alliance and other Trust partners.": (
        "Engage in Exeter Consortium and Teaching School Alliance and other Trust partners."
    ),
    (
        "Support package developed depending on needs – resourced from in house, across the trust or from the "
        "local consortium and Teaching School Alliance/ other partners depending on expertise needed."
    ): (
        "Support package developed depending on needs – resourced from in house, across the ELT or from the "
        "Exeter Consortium and Teaching School Alliance/ other partners depending on expertise needed."
    ),
    "Initial Governance provided by the Trust's Directors": (
        "Initial Governance provided by Exeter Learning Academy Trust Directors."
    ),
}

UNIVERSAL_OFFER = (
    "Universal offer: termly visits to provide a health check and to increase outcomes; all support is "
    "provided by the executive Headteacher and the school improvement personnel."
)

# --- Seed 000: Scholars Academy Trust, three categories -------------------------------------------------

THREE_CATEGORIES = ScaleTemplate(
    key="three_categories",
    name="Three categories",
    source="000",
    summary=(
        "Support on the basis of need: each school is in one of three categories, with clear key criteria, "
        "allocated from its self-evaluation, the trust's reviews or Ofsted alongside data indicators. Every "
        "school receives the universal offer of termly health-check visits and may ask for more."
    ),
    levels=(
        LevelTemplate(
            name="Significant cause for concern",
            heading="Schools has significant cause for concern",
            colour="",
            description=(
                "A bespoke intensive programme covering all aspects of school improvement, with an action plan "
                "written by the trust's school improvement lead and half-termly monitoring and reporting."
            ),
            key_indicators=(
                "Attainment at the end of each key stage is low or represent slow progress",
                "End of key stage data is in decline",
                "School's capacity for improvement is weak",
                "School's self-evaluation and monitoring process are not sufficiently rigorous",
                "Quality teaching requires improvement",
                "Governance doesn't hold school to account",
            ),
            support_offer=(
                "A bespoke intensive programme covering all aspects of school improvement. This would involve "
                "trust members working with the governors, curriculum leaders coaching class teachers to ensure "
                "improvements in pedagogy for teaching and learning. Support for the senior leaders depending "
                "on need.",
                "An action plan covering the areas for improvement would be devised by the Trust school "
                "improvement lead.",
                "Individual programmes may be devised for individual teachers or phases within the school",
                "Monitoring and reporting to the school governors and trustees on half termly basis",
                "The school will be subject to timely reviews to evaluate improvements and amend action plans "
                "as appropriate.",
                UNIVERSAL_OFFER,
            ),
            visit_cadence="Termly health-check visits, plus the intensive programme's support",
            monitoring_cadence="Half-termly, with timely reviews",
            reporting_cadence="Half-termly to governors and trustees",
            activities=(
                _UNIVERSAL_VISIT,
                # "Monitoring and reporting to the school governors and trustees on half termly basis".
                activity(MONITORING_VISIT, "half_termly", "Half-termly monitoring visit"),
            ),
            rules=(
                rule("ofsted_grade", ">=", 4, "Ofsted grade 4 (Inadequate)"),
                rule("attainment_gap", "<=", -10, "Attainment at the end of each key stage is low"),
                rule("decline_years", ">=", 2, "End of key stage data is in decline"),
                rule("capacity", "==", "weak", "School's capacity for improvement is weak"),
                rule("sef_accuracy", ">=", 2, "Self-evaluation and monitoring not sufficiently rigorous"),
            ),
        ),
        LevelTemplate(
            name="Improving, some areas of concern",
            heading="Improving school but has some areas of concern",
            description=(
                "A bespoke programme for the area of concern, devised with the school; the school writes an "
                "action plan with the school improvement lead, monitored termly or half-termly."
            ),
            key_indicators=(
                "School's capacity for improvement is not good",
                "Quality of teaching is RI",
                "Governance is supported to hold the school to account",
                "Assessment, self-assessment and monitoring not robust enough to hold the school to account",
            ),
            support_offer=(
                "Bespoke programme covering the area of concern which would be devised in consultation with school.",
                "Support provided for the area of concern, this could be through curriculum specialists "
                "focusing on pedagogy or support for senior leaders including head teachers dependent on need.",
                "School to provide an action plan in consultation with the school improvement lead and "
                "monitored on a termly or a half termly basis dependent on need.",
                "Coaching for teachers, support staff or senior leaders as required.",
                UNIVERSAL_OFFER,
            ),
            visit_cadence="Termly health-check visits, plus support for the area of concern",
            monitoring_cadence="Termly or half-termly, dependent on need",
            reporting_cadence="",
            activities=(
                _UNIVERSAL_VISIT,
                # The action plan is "monitored on a termly or a half termly basis dependent on need": termly here.
                activity(MONITORING_VISIT, "termly", "Termly monitoring of the action plan"),
            ),
            rules=(
                rule("ofsted_grade", ">=", 3, "Quality of teaching is RI (Ofsted grade 3)"),
                rule("capacity", "==", "not_yet_good", "School's capacity for improvement is not good"),
                rule("attainment_gap", "<=", -3, "Attainment not in line with national"),
                rule("attendance_gap", ">=", 0.5, "Attendance below national"),
                rule("sef_accuracy", ">=", 1, "Self-assessment and monitoring not robust enough"),
            ),
        ),
        LevelTemplate(
            name="Performing well",
            heading="School performing well i.e. improved or sustained",
            description=(
                "The universal offer: termly health-check visits from the executive headteacher and school "
                "improvement personnel. The school may ask for additional support."
            ),
            key_indicators=(
                "Attainment at the end of each key stage is in line with national if not above",
                "Capacity for further improvement is at least good",
                "Quality of teaching i.e. 80 to 85% as good or better",
                "Governance is effective, providing appropriate challenge to the school leaders",
                "School self-evaluation and monitoring is accurate",
                "Attendance is in line or above national",
            ),
            support_offer=(
                UNIVERSAL_OFFER,
                "This is a monitoring programme to ensure that all schools are on track to achieve good "
                "outcomes both socially and academically for all pupils.",
                "As an outcome of the universal offer schools may ask for additional support which would be "
                "provided through the trust executive team.",
                "Headteachers meet regularly as part of the school leaders' network to discuss school matters.",
            ),
            visit_cadence="Termly health-check visits",
            monitoring_cadence="Termly health check (universal offer)",
            reporting_cadence="",
            activities=(_UNIVERSAL_VISIT,),
        ),
    ),
)

# --- Seed 002: four phases (Primary improvement strategy) -----------------------------------------------

STRATEGIC_PLAN_VISION = "Vision of MAT communicated at all levels. To be repeated at all opportunities."

FOUR_PHASES = ScaleTemplate(
    key="four_phases",
    name="Four phases",
    source="002",
    summary=(
        "The trust's model for school improvement works across four phases: Stabilise, Repair, Improve and "
        "Sustain. Each phase has indicative measures, key leadership qualities and a strategic plan by "
        "domain; the trust delegates more as a school moves through the phases."
    ),
    levels=(
        LevelTemplate(
            name="Stabilise",
            heading="Phase 1 – Stabilise (1 – 2 terms)",
            duration="1 – 2 terms",
            expected_duration_months=8,  # two terms of about four months each
            description=(
                "Phase 1 – Stabilise (1 – 2 terms). The Central MAT Improvement Team directs all improvement "
                f"activity. {STRATEGIC_PLAN_VISION}"
            ),
            key_indicators=(
                "KS2 data below floor and/or coasting",
                "Ofsted Grade 4",
                "School requires significant improvement",
                "No clear underpinning for the future",
            ),
            support_offer=(
                "The Central MAT Improvement Team, directs all improvement activity around teaching, learning, "
                "behaviour and safety",
                "MAT Governance and PMR directed by MAT CEO and Trustees",
            ),
            leadership_qualities=(
                "Effective and reassuring leadership which works collaboratively with the MAT",
                "Focusing on urgent priorities",
                "Ensuring team members have the right jobs",
                "High visibility",
            ),
            plan_checklist={
                "Governance": (
                    "Vision of MAT used to direct activity",
                    "Set up emergency task force to augment the existing Governing Body or act as a local "
                    "governing body",
                    "Deliberately kept to a small number of highly effective and experienced Governors who will "
                    "hold the Academy to account and accurately report progress being made to the MAT",
                    "Audit existing governing body to identify strengths to support in the transition and to "
                    "identify training needs and skills deficiency",
                    "Oversight of finances shared with governance",
                    "Regular reporting to MAT on progress against MAT set objectives",
                    "MAT works with the Head Teacher to set vision, deploy staff, that have responsibility for "
                    "finances, HR, PMR targets and sets the School Improvement Plan alongside the MAT Central "
                    "Improvement Team",
                ),
                "Finance and legal": (
                    "Audit of legal requirements",
                    "Audit of budgets",
                    "Safeguarding audit and training",
                    "Security of school site",
                    "Website – to meet legal requirements and communicate vision",
                    "Staffing structure",
                    "TUPE of all staff to MAT",
                ),
                "Leadership": (
                    "Identify a suitable Leadership Team (Skills audit). This may include re-structuring to "
                    "deploy expertise.",
                    "Write AIP",
                    "Identity, branding",
                    "Establish marketing strategy",
                    "Commence strategy to engage community",
                    "Data scrutiny (on entry, EYFS FSP, phonics Y1 and 2, on-going in house, KS1 and KS2 "
                    "attainment and progress, attendance) and areas for improvement identified",
                    "Update policies in line with MAT guidelines and policies",
                ),
                "Teaching and learning": (
                    "Immediate audit of Y6 – current standards, likely outcomes at end of year, intervention "
                    "begins on day one",
                    "Audit of curriculum coverage, pitch and expectation (including in house data and level of "
                    "progress through data and work scrutiny)",
                    "Maths and English focus – schemes implemented immediately where necessary and "
                    "non-negotiables established",
                    "Outline minimum expectations and learning routines (e.g. guided reading, phonics, reading, "
                    "writing, mathematics, etc.)",
                    "Audit of Teaching and Learning strengths across all Key Stages. Report on disparities "
                    "between strongest and weakest areas. Audit uses external and internal data. (Use the "
                    "strengths to take the Academy into stage 2)",
                    "Adopt MAT wide Teaching and Learning Strategy where common schemes of work and subject "
                    "expertise is maximised across the Trust",
                ),
                "Behaviour and safety": (
                    "If attendance and behaviour are priority areas, then MAT strategies need to be employed rapidly.",
                    "Establish Behaviour Strategy suitable for the school (in line with MAT policy). To be "
                    "communicated to parents, staff and pupils",
                    "Adopt MAT wide policy for behaviour adapting to local circumstances only where centrally agreed",
                    "Use facilitates across the MAT to deal positively with most challenging pupils",
                    "Ensure those pupils who are unable to access mainstream education are educated in a "
                    "setting that meets their needs",
                    "Ensure SEND pupils are identified, their needs are met and a strategy for further SEND "
                    "development written",
                    "E-Safety strategy and training for staff, pupils and parents implemented",
                ),
                "Communication": (
                    "Open evening for Q and A",
                    "Press release",
                ),
            },
            visit_cadence="Central MAT Improvement Team directs improvement activity in school",
            monitoring_cadence="Governance and PMR directed by the MAT CEO and Trustees",
            reporting_cadence="Regular reporting to the MAT against MAT-set objectives",
            # "The Central MAT Improvement Team directs all improvement activity", "high visibility" and
            # "regular reporting to MAT on progress": weekly visits and a half-termly progress meeting.
            activities=(
                activity(WEEKLY_MONITORING, "weekly", "Weekly visit from the Central Improvement Team"),
                activity(EVALUATION_MEETING, "half_termly", "Half-termly progress review against MAT-set objectives"),
            ),
            rules=(
                rule("ofsted_grade", ">=", 4, "Ofsted Grade 4"),
                rule("attainment_gap", "<=", -15, "KS2 data below floor and/or coasting"),
            ),
        ),
        LevelTemplate(
            name="Repair",
            heading="Phase 2 – Repair (12 – 18 months)",
            duration="12 – 18 months",
            expected_duration_months=18,
            description=(
                "Phase 2 – Repair (12 – 18 months). The MAT establishes governance and moves into a "
                f"consultative role, transferring responsibility where progress is evident. {STRATEGIC_PLAN_VISION}"
            ),
            key_indicators=(
                "Either progress or attainment not yet good or in line with statistical",
                "Ofsted Grade 3",
            ),
            support_offer=(
                "MAT establishes governance",
                "Reactive decision-making is tackled",
                "The Academy starts to adopt models of staffing, behaviour, leadership more akin to a 'regular' "
                "Academy",
                "Leadership identification and development through support from Director of Education and team "
                "of NLE/LLE/SLE",
                "MAT Central Improvement Team move into consultative role, still directive where necessary but "
                "also transferring responsibility where progress is evident",
                "MAT Trustees can devolve financial control if appropriate",
            ),
            leadership_qualities=(
                "Embedding early improvements",
                "Building a medium term plan",
                "MAT support retaining visibility, but increasing focus on quality assurance",
                "Local leadership is in place, identified and being trained",
                "Middle leaders are being trained and held robustly to account",
                "CPL is delivered centrally",
                "NQTs able to be placed at school",
                "Heavy use of MAT team to retain improvements in T&L",
            ),
            plan_checklist={
                "Governance": (
                    "Develop a wider AAB to include more local representation",
                    "Develop a new vision in collaboration with MAT Trustees",
                    "Governance audit to establish strengths of new Governors and to provide them with "
                    "mandatory training",
                    "On-going training package given to AAB in the MAT as part of their role.",
                    "Review level of ‘delegation’ versus central control",
                ),
                "Finance and legal": (
                    "MAT Trustees can devolve financial control if values for money measures are met.",
                ),
                "Leadership": (
                    "Further focus on English and mathematics with more emphasis now on the wider curriculum "
                    "being balanced and broad – extensive audit of the curriculum to be scrutinised including "
                    "assessment and MAT reporting calendar. The audit must include scrutiny of suitability for "
                    "different groups (e.g. DSEN, AMA and PP)",
                    "Develop a curriculum approach and statement",
                    "Leadership team take more responsibility for strategy, standards and teaching and learning "
                    "with Central Improvement Team now involved in a strategic overview and coaching of "
                    "senior/middle team",
                    "Appraisal targets still set at MAT level and monitored by Central Improvement Team",
                    "School development plans monitored at least termly by SLT line management",
                    "Short term wins needed during this stage. Including the identification of pupils who can "
                    "make the biggest difference to outcomes e.g. personalised learning plan for the top 25% of "
                    "pupils that will make the most difference to outcomes. SLT to be monitoring and supporting "
                    "the progress of this group.",
                ),
                "Teaching and learning": (
                    "Curriculum focus – Schemes of learning now showing correct pitch, expectation and "
                    "progression and greater consistency across the school. (Subject experts training up local "
                    "leaders)",
                    "Introduction of literacy strategy",
                    "Introduction of Academy Days (INSET/ pupil days)",
                    "Introduction/audit of CPL strategy",
                    "Support programme for teaching and learning, where necessary",
                    "Cross MAT and collaborative moderation",
                    "Join suitable Teaching School Alliance",
                    "Excellent teachers identified in the Academy to support in the school improvement and "
                    "develop Academy teaching practice of the wider teaching body",
                ),
                "Behaviour and safety": (
                    "If attendance remains a priority, targets to be brought in line with MAT wide expectations",
                    "Embed behaviour systems and ensure consistency",
                    "Support programmes for behaviour management",
                    "Pupils enrichment programme in place and accessed by 50% of pupils",
                    "Alternative provision now in place for all pupils who need additional support",
                    "Parent support programmes in place",
                    "All SEND/ Behavioural needs audited. Where necessary, bids put in for financial support and "
                    "staffing appointments made.",
                    "Establish pupil voice",
                    "Behaviour policy being consistently applied across the academy",
                ),
                "Communication": (
                    "Improve parental interaction (e.g. newsletters, open evenings, open days, surgeries etc.)",
                    "Parent information evenings",
                    "Establish staff wellbeing committee",
                    "Standardised system to report pupil progress to parents",
                ),
            },
            visit_cadence="Central Improvement Team consultative, still directive where necessary",
            monitoring_cadence="School development plans monitored at least termly by SLT line management",
            reporting_cadence="Appraisal targets set at MAT level and monitored by the Central Improvement Team",
            # "MAT support retaining visibility, but increasing focus on quality assurance"; plans "monitored at
            # least termly": a half-termly quality-assurance meeting and a termly monitoring visit.
            activities=(
                activity(EVALUATION_MEETING, "half_termly", "Half-termly quality-assurance meeting and visit"),
                activity(MONITORING_VISIT, "termly", "Termly monitoring visit"),
            ),
            rules=(
                rule("ofsted_grade", ">=", 3, "Ofsted Grade 3"),
                rule("attainment_gap", "<=", -5, "Either progress or attainment not yet good or in line"),
                rule("decline_years", ">=", 2, "Results falling for two years or more"),
                rule("capacity", "in", ["weak", "not_yet_good"], "Local leadership still being identified"),
                rule("attendance_gap", ">=", 1, "Attendance remains a priority"),
                rule("sef_accuracy", ">=", 2, "Self-evaluation not yet accurate"),
            ),
        ),
        LevelTemplate(
            name="Improve",
            heading="Phase 3 - Improve",
            description=(
                "Phase 3 – Improve. Proactive leadership embeds strategies; financial management becomes the "
                f"responsibility of the leadership team and AAB under guidance from the Trust. {STRATEGIC_PLAN_VISION}"
            ),
            key_indicators=(
                "Progress and attainment in line with national or above",
                "Ofsted Grade 2",
            ),
            support_offer=(
                "Proactive (rather than reactive) leadership",
                "Embedding strategies",
                "Improving outcomes",
                "Financial management becomes the responsibility of the leadership team/ AAB (Academy Advisory "
                "Board) under guidance from the Trust",
                "Some areas of school improvement function now may be 'light touch'",
                "Local Governance (Academy Advisory Boards, AAB) fully effective",
                "AIP (Academy Improvement Plan) fully 'owned' by Academy",
            ),
            leadership_qualities=(
                "Demonstrating vision and ambition for success",
                "Shifting from management to leadership",
                "Developing a long term strategy for improvement",
            ),
            plan_checklist={
                "Governance": (
                    "AAB clearly articulate vision and priorities of the Academy",
                    "Fully functioning AAB including parents and staff members",
                    "AAB sets improvement targets and holds the leadership team to account reporting on a "
                    "regular basis to MAT Board",
                    "All finances now run by Academy",
                    "AAB identifies areas of effective practice and has a positive view to contributing these to "
                    "MAT’s work",
                    "AAB looking to build succession planning into their AIP",
                ),
                "Finance and legal": ("Financial autonomy within the constraints of the MAT set budgetary limits",),
                "Leadership": (
                    "Build capacity to improve further through specialised CPL pathways including Professional "
                    "Qualifications",
                    "Underachieving pupils identified (in all years) and provision in place",
                    "Plan for external courses and dissemination",
                    "Working groups established to address specific academy needs",
                    "Weekly teach meets for T&L strategies",
                    "Succession planning now in place",
                    "Full participant in peer to peer review process",
                    "Pupil leadership programmes established",
                ),
                "Teaching and learning": (
                    "Consistent and effective use of T&L",
                    "Consistent and effective use of literacy strategy",
                    "Embedded teacher routines",
                    "Use of Expert Teachers to model and further embed good practice",
                    "Use of UPS teachers to model and further embed good practice",
                    "Teacher collaboration to model, moderate and further embed good practice",
                    "Establish a coaching programme",
                ),
                "Behaviour and safety": (
                    "Strategies in place to maintain excellent attendance and rapid response for pupils below "
                    "the threshold",
                    "Enhanced enrichment programme for all pupils",
                    "Establish a pupil leadership programme",
                    "SMSC and Fundamental British Values embedded",
                    "Further develop pupil voice",
                    "Effective transition support",
                    "Participate in Healthy Schools and other initiatives such as Rights Respecting, Quality "
                    "Inclusion, etc.",
                    "Excellent behaviour supporting positive attitudes to learning across the academy",
                ),
                "Communication": ("Parent information evenings",),
            },
            visit_cadence="Some school improvement functions now 'light touch'",
            monitoring_cadence="AAB sets improvement targets and holds the leadership team to account",
            reporting_cadence="AAB reports on a regular basis to the MAT Board",
            # "Some areas of school improvement function now may be 'light touch'"; "full participant in peer
            # to peer review process": a termly light-touch visit and a yearly peer review in the summer.
            activities=(
                activity(MONITORING_VISIT, "termly", "Termly monitoring visit (light touch)"),
                activity(ANNUAL_REVIEW, "yearly", "Peer-to-peer review", term="Summer"),
            ),
            rules=(
                rule("ofsted_grade", ">=", 2, "Ofsted Grade 2"),
                rule("attainment_gap", "<=", 0, "Progress and attainment not yet consistently above national"),
            ),
        ),
        LevelTemplate(
            name="Sustain",
            heading="Phase 4 – Sustain (ongoing)",
            duration="Ongoing",
            description=(
                "Phase 4 – Sustain (ongoing). Confidence in performance: the Central Improvement Team adopts a "
                f"consultancy approach and the academy's best practice builds others. {STRATEGIC_PLAN_VISION}"
            ),
            key_indicators=(
                "Progress and attainment consistently above national and in line with top 10% performing "
                "statistical neighbours",
                "Ofsted Grade 1",
            ),
            support_offer=(
                "Confidence in performance",
                "Increase innovation in delivery",
                "Central Improvement team adopts consultancy approach",
                "Monitoring activity takes place in line with MAT",
                "Best practice from Academy used to develop and build others across the MAT",
            ),
            leadership_qualities=(
                "Gaining NLE/ LLE accreditation",
                "Securing excellence",
                "Looking to lead collaboration",
                "Developing leaders across the Trust",
                "Lead school for teaching and learning, behaviour",
                "Training provision for trust",
                "Developing local and national profile of the Trust",
                "Award winning",
                "Contributing to national educational debates",
                "Winning pilot projects and additional funding",
                "Focus on 3-5 year planning",
            ),
            plan_checklist={
                "Governance": (
                    "AAB holds leaders to account, sets vision, sets AIP priorities with leadership team",
                    "MAT Board monitoring function only",
                    "AAB see their positive role and contribution to the MAT’s work as a whole",
                ),
                "Finance and legal": (
                    "Financial autonomy within the constraints of the Scheme of Delegation and budgets setting process",
                ),
                "Leadership": (
                    "Systems are in place to ensure that the vast majority of pupils’ progress is on track across "
                    "all years",
                    "Aspirational curriculum",
                    "Challenging PMR set and robustly monitored and assessed",
                    "Lead collaborative projects that lead to publication e.g. Action Research and nationally "
                    "funded projects",
                    "Trains other leadership teams across MAT",
                    "Sit on external boards e.g. NASBTT, Teaching school alliances,",
                    "Share good practice locally and nationally",
                    "Strategic 5 year plan based on SWOT analysis",
                    "Pupils take active role in whole school leadership",
                ),
                "Teaching and learning": (
                    "Assessment strategy is designed to be timely, curriculum led and provides incisive feedback",
                    "Further developments in teaching and learning promote love of learning and independence learning",
                    "Further embedding and sharing of literacy strategy across the MAT",
                    "Constant review of up to date and innovative teaching practice",
                    "Share excellent practice wider than the MAT",
                ),
                "Behaviour and safety": (
                    "Pastoral care focused primarily on promoting proactive learning behaviours including resilience",
                    "Pupils behaviour for learning fully embedded",
                ),
                "Communication": ("MAT marketing strategy used to communicate excellent practice",),
            },
            visit_cadence="Central Improvement Team adopts a consultancy approach",
            monitoring_cadence="Monitoring activity takes place in line with MAT",
            reporting_cadence="AAB holds leaders to account; MAT Board monitoring function only",
            # "Monitoring activity takes place in line with MAT": the termly health check only.
            activities=(activity(HEALTH_CHECK, "termly", "Termly health-check visit"),),
        ),
    ),
)

# --- Seed 003: Exeter Learning Academy Trust, RAG levels ------------------------------------------------

_GREEN_ACTIVITIES = (
    "Head Teacher performance management of member schools carried out with local governors and the trusts "
    "Director of Teaching and Learning.",
    "Each member school will engage in an annual review, this may include an external lead, to review strengths "
    "and areas for development.",
    "Trust Improvement Plan: Identifies common issues across the trust; Strengths are identified and key "
    "personnel lead on school improvement issues across the trust; Improvement work is identified in School "
    "Improvement Plans; Trust schools are expected to participate in this work",
    "Termly moderation work across the different age phases of the trust.",
    "Engage in the local consortium, Teaching School Alliance and other Trust partners.",
)
_AMBER_ACTIVITIES = (
    "Head teacher supported in the performance management of senior leaders by DoTL.",
    "CEO/DoTL to be involved in the peer review process.",
    "½ termly visit from CEO/DoTL to discuss improvements on the focused areas and review the evidence.",
    "Support package developed depending on needs – resourced from in house, across the trust or from the local "
    "consortium and Teaching School Alliance/ other partners depending on expertise needed.",
    "Impact to be seen within 12 months.",
)
_RED_ACTIVITIES = (
    "Bespoke support package to achieve rapid sustained improvement:",
    "Increase the capacity of leadership including governance (time commitment from trust senior staff): "
    "Assess the capability and capacity of the senior team and act accordingly; Restructure the school as "
    "appropriate; Secure the core areas: Safeguarding; Behaviour; Teaching and learning; Inclusion; Attendance",
    "Establish the Vision and Values to include: Setting the highest of expectations; Improved outcomes for all "
    "children; A curriculum that meets the needs of all children whilst reflecting the community",
    "Rooting Teaching and Learning in best practice using expertise across the trust or out sourcing where "
    "needed: Establish core principles for classroom practice and non-negotiables; Provide bespoke "
    "personalised support with clear targets as appropriate; Establish a robust performance management cycle",
    "Monitoring and evaluation: Create a clear monitoring cycle; Ensure the process of School Improvement "
    "Planning, taking action, Self-Evaluation including impact and reporting lines is embedded",
    "Securing finances: Complete 5 Year Budgeting based on realistic predictions; Review the school's structure "
    "and amend according to the budget; Ensure appropriate funding to secure the school's future and to "
    "establish a self-sustaining school improvement programme",
    "Governance: Initial Governance provided by the Trust's Directors; At the appropriate time seek to appoint "
    "a board with local accountability with representatives from the school community",
    "Community involvement: Ensure the voice of children, staff and parents is heard; Establish clear lines of "
    "communication",
)

RAG = ScaleTemplate(
    key="rag",
    name="RAG levels",
    source="003",
    summary=(
        "The Trust Board works with its member schools at three levels, rated Red, Amber or Green for the "
        "level of support after the induction review. Activities are cumulative: Amber has all of Green's, "
        "Red has all of Amber's and Green's."
    ),
    levels=(
        LevelTemplate(
            name="Red",
            heading="Level 3",
            colour="red",
            description=(
                "Level 3: local decision making is removed and the school is controlled by the Trust Board, with "
                "a bespoke support package. Includes every Amber and Green activity."
            ),
            key_indicators=("Local decision making is removed – school controlled by Trust Board",),
            support_offer=_RED_ACTIVITIES + _AMBER_ACTIVITIES + _GREEN_ACTIVITIES,
            visit_cadence="Weekly monitoring visits (SIO/CEO)",
            monitoring_cadence="A clear monitoring cycle set by the trust",
            reporting_cadence="Termly report to Trust Board on progress",
            activities=_RED_CALENDAR,
            rules=(
                rule("ofsted_grade", ">=", 4, "Ofsted Inadequate: rapid sustained improvement needed"),
                rule("capacity", "==", "weak", "Capability and capacity of the senior team in doubt"),
                rule("attainment_gap", "<=", -15, "Outcomes far below national"),
            ),
        ),
        LevelTemplate(
            name="Amber",
            heading="Level 2",
            colour="amber",
            expected_duration_months=12,  # "Impact to be seen within 12 months."
            description=(
                "Level 2: the CEO guides and sets targets with senior leaders and local governors, with "
                "half-termly evaluation meetings and a support package. Includes every Green activity."
            ),
            key_indicators=(
                "CEO to guide and set targets with senior leaders and local governors.",
                "Identify support required",
                "½ termly evaluation meetings",
                "Termly report to Trust board on progress.",
            ),
            support_offer=_AMBER_ACTIVITIES + _GREEN_ACTIVITIES,
            visit_cadence="½ termly visit from CEO/DoTL",
            monitoring_cadence="½ termly evaluation meetings",
            reporting_cadence="Termly report to Trust board on progress",
            activities=_AMBER_CALENDAR,
            rules=(
                rule("ofsted_grade", ">=", 3, "Ofsted Requires improvement"),
                rule("capacity", "==", "not_yet_good", "Capacity for improvement not yet good"),
                rule("attainment_gap", "<=", -5, "Outcomes below national"),
                rule("decline_years", ">=", 2, "Results in decline"),
                rule("attendance_gap", ">=", 1, "Attendance below national"),
                rule("sef_accuracy", ">=", 2, "Self-evaluation out of line with the trust's review"),
            ),
        ),
        LevelTemplate(
            name="Green",
            heading="Level 1",
            colour="green",
            description=(
                "Level 1: limited intervention from the trust; local governors hold senior leaders to account "
                "for standards and financial stability."
            ),
            key_indicators=(
                "Limited intervention from the trust.",
                "Senior leaders held accountable by local governors.",
                "Local governors responsible for standards, holding leadership to account and financial stability.",
                "Termly report made to Trust Board.",
            ),
            support_offer=_GREEN_ACTIVITIES,
            visit_cadence="Annual review (may include an external lead)",
            monitoring_cadence="Termly moderation across the age phases",
            reporting_cadence="Termly report made to Trust Board",
            activities=_GREEN_CALENDAR,
        ),
    ),
)

TEMPLATES: dict[str, ScaleTemplate] = {t.key: t for t in (THREE_CATEGORIES, FOUR_PHASES, RAG)}


def get_template(key: str) -> ScaleTemplate | None:
    """The template with this key, or None."""
    return TEMPLATES.get(key)

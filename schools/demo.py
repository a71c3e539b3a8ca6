"""Demo facts for the demo trusts' schools: GIAS details, inspections, results, predictions.

Idempotent: a row is saved only when it differs, so a rerun changes nothing.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.db import models

from core.academic import academic_year_for
from schools.models import (
    ComparatorLevel,
    ComparatorValue,
    InspectionSource,
    InYearPrediction,
    MeasureValue,
    School,
    SchoolLink,
)
from schools.services.inspections import inspection_record
from schools.services.predictions import subjects_for, year_groups_for

# (phase, type, LA code, LA, postcode, pupils, head, joined, inspection date, judgements)
SCHOOL_FACTS: dict[int, tuple[Any, ...]] = {
    990101: (
        "Primary",
        "Academy converter",
        "850",
        "Hampshire",
        "SO23 8QX",
        412,
        "Mrs Helen Carter",
        "2015-09-01",
        "2023-05-17",
        {"overall_effectiveness": 2, "quality_of_education": 2, "leadership_and_management": 2},
    ),
    990102: (
        "Primary",
        "Academy sponsor led",
        "850",
        "Hampshire",
        "SO22 5AB",
        176,
        "Mr David Okafor",
        "2019-04-01",
        "2022-11-09",
        {"overall_effectiveness": 3, "quality_of_education": 3, "leadership_and_management": 3},
    ),
    990103: (
        "Primary",
        "Academy converter",
        "936",
        "Surrey",
        "GU9 7RR",
        240,
        "Ms Priya Shah",
        "2016-01-01",
        "2025-12-03",
        {
            "inclusion": 3,
            "curriculum_and_teaching": 4,
            "achievement": 4,
            "attendance_and_behaviour": 3,
            "leadership_and_governance": 3,
        },
    ),
    990104: (
        "Primary",
        "Academy converter",
        "936",
        "Surrey",
        "GU10 4QP",
        318,
        "Mr Tom Fairweather",
        "2017-09-01",
        "2019-06-12",
        {"overall_effectiveness": 1, "quality_of_education": 1, "leadership_and_management": 1},
    ),
    990105: (
        "Secondary",
        "Academy converter",
        "850",
        "Hampshire",
        "SO50 9FG",
        1184,
        "Dr Sarah Mensah",
        "2014-09-01",
        "2024-01-24",
        {"overall_effectiveness": 2, "quality_of_education": 2, "sixth_form": 2},
    ),
    990106: (
        "Primary",
        "Academy sponsor led",
        "850",
        "Hampshire",
        "PO7 6DL",
        205,
        "Mrs Joanne Pike",
        "2021-09-01",
        "2023-10-04",
        {"overall_effectiveness": 4, "quality_of_education": 4, "leadership_and_management": 4},
    ),
    990201: (
        "Primary",
        "Academy converter",
        "936",
        "Surrey",
        "KT12 1AA",
        420,
        "Mr Gareth Lloyd",
        "2016-09-01",
        "2022-03-02",
        {"overall_effectiveness": 2, "quality_of_education": 2},
    ),
    990202: (
        "Primary",
        "Academy converter",
        "936",
        "Surrey",
        "KT13 8PJ",
        150,
        "Mrs Amira Haddad",
        "2018-01-01",
        "2024-06-19",
        {"overall_effectiveness": 3, "quality_of_education": 3},
    ),
    990203: (
        "Primary",
        "Academy sponsor led",
        "936",
        "Surrey",
        "KT8 9HT",
        355,
        "Ms Claire Whitlock",
        "2020-09-01",
        "2025-12-10",
        {
            "inclusion": 2,
            "curriculum_and_teaching": 3,
            "achievement": 3,
            "attendance_and_behaviour": 2,
            "leadership_and_governance": 2,
        },
    ),
    990204: (
        "Secondary",
        "Academy converter",
        "936",
        "Surrey",
        "KT16 0AB",
        1420,
        "Mr Anil Ghosh",
        "2013-09-01",
        "2023-02-08",
        {"overall_effectiveness": 2, "quality_of_education": 2, "sixth_form": 1},
    ),
    990205: (
        "Primary",
        "Academy converter",
        "850",
        "Hampshire",
        "GU34 2DE",
        198,
        "Mrs Fiona Reid",
        "2019-09-01",
        "2021-11-17",
        {"overall_effectiveness": 2, "quality_of_education": 2},
    ),
    990206: (
        "Primary",
        "Academy sponsor led",
        "850",
        "Hampshire",
        "RG24 9LP",
        267,
        "Mr Ben Adeyinka",
        "2022-04-01",
        "",
        {},
    ),
}
PREDECESSORS = {
    990101: (990901, "Oakfield Junior School", "2015-08-31"),
    990106: (990902, "Brookside Primary School", "2021-08-31"),
}
NATIONAL = {  # England figures used as comparators in the demo (2021/22 to 2023/24)
    "ks2_rwm_expected": ("59", "59", "61"),
    "ks2_rwm_higher": ("7", "8", "8"),
    "ks2_reading_progress": ("0", "0", "0"),
    "ks2_maths_progress": ("0", "0", "0"),
    "ks4_attainment8": ("48.8", "46.3", "45.9"),
    "ks4_progress8": ("-0.03", "-0.03", "-0.03"),
    "ks4_english_maths_5": ("49.8", "45.3", "45.9"),
    "overall_absence": ("7.6", "6.7", "6.4"),
    "persistent_absence": ("22.3", "21.2", "18.7"),
}
LA_OFFSET = {"850": Decimal("1.5"), "936": Decimal("3.0")}
YEARS = (2021, 2022, 2023)
PRIMARY_MEASURES = (
    "ks2_rwm_expected",
    "ks2_rwm_higher",
    "ks2_reading_progress",
    "ks2_maths_progress",
    "overall_absence",
    "persistent_absence",
)
SECONDARY_MEASURES = (
    "ks4_attainment8",
    "ks4_progress8",
    "ks4_english_maths_5",
    "overall_absence",
    "persistent_absence",
)


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _save_if_changed(obj: models.Model, **fields: Any) -> None:
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, fields[name])
    if changed:
        obj.save(update_fields=[*changed, "updated_at"] if hasattr(obj, "updated_at") else changed)


def _upsert(model: type[models.Model], keys: dict[str, Any], **values: Any) -> None:
    obj, created = model.objects.get_or_create(**keys, defaults=values)
    if not created:
        _save_if_changed(obj, **values)


def _comparators() -> None:
    for measure, figures in NATIONAL.items():
        for year, figure in zip(YEARS, figures, strict=True):
            _upsert(
                ComparatorValue,
                {"level": ComparatorLevel.NATIONAL, "la_code": "", "measure": measure, "academic_year": year},
                value=Decimal(figure),
                missing_code="",
            )
            for la_code, offset in LA_OFFSET.items():
                la_value = Decimal(figure) + (offset if "progress" not in measure else offset / 10)
                _upsert(
                    ComparatorValue,
                    {
                        "level": ComparatorLevel.LOCAL_AUTHORITY,
                        "la_code": la_code,
                        "measure": measure,
                        "academic_year": year,
                    },
                    value=la_value,
                    missing_code="",
                )


def _results(school: School, rng: random.Random) -> None:
    secondary = school.phase == "Secondary"
    strength = {1: Decimal(8), 2: Decimal(2), 3: Decimal(-5), 4: Decimal(-12)}.get(rng.choice([1, 2, 2, 3, 4]))
    for measure in SECONDARY_MEASURES if secondary else PRIMARY_MEASURES:
        for index, year in enumerate(YEARS):
            national = Decimal(NATIONAL[measure][index])
            drift = Decimal(rng.randint(-30, 30)) / 10
            if "progress" in measure:
                value = (strength / 8 + drift / 10).quantize(Decimal("0.01"))
            elif "absence" in measure:
                value = (national - strength / 4 + drift / 3).quantize(Decimal("0.1"))
            else:
                value = (national + strength + drift).quantize(Decimal("0.1"))
            missing = ""
            # A small cohort in one year: the DfE suppressed it, and so do we.
            if school.urn == 990102 and measure == "ks2_rwm_higher" and year == 2022:
                value, missing = None, "SUPP"
            _upsert(
                MeasureValue,
                {"school": school, "measure": measure, "academic_year": year},
                value=value,
                missing_code=missing,
                source="Demo data",
            )


def _predictions(school: School, rng: random.Random, today: datetime.date) -> None:
    year = academic_year_for(today)
    groups = year_groups_for(school)
    for year_group in (groups[-1], groups[len(groups) // 2]):
        for subject in subjects_for(school):
            value = Decimal(rng.randint(550, 900)) / 10
            _upsert(
                InYearPrediction,
                {"school": school, "academic_year": year, "half_term": 1, "year_group": year_group, "subject": subject},
                percent_on_track=value,
            )


def seed_school_facts(schools: list[School], *, today: datetime.date) -> None:
    """Fill in the demo schools: call inside the trust's scope."""
    _comparators()
    for school in schools:
        facts = SCHOOL_FACTS.get(school.urn)
        if facts is None:
            continue
        phase, kind, la_code, la, postcode, pupils, head, joined, inspected, judgements = facts
        _save_if_changed(
            school,
            phase=phase,
            establishment_type=kind,
            la_code=la_code,
            la_name=la,
            postcode=postcode,
            number_of_pupils=pupils,
            headteacher_name=head,
            gias_status="Open",
            joined_trust_on=_date(joined),
        )
        if inspected:
            inspection_record(
                school=school,
                inspected_on=_date(inspected),
                judgements=judgements,
                safeguarding_met=True if _date(inspected) >= datetime.date(2025, 11, 10) else None,
                inspection_type="Full inspection",
                source=InspectionSource.GIAS,
            )
        if school.urn in PREDECESSORS:
            urn, name, linked = PREDECESSORS[school.urn]
            _upsert(
                SchoolLink,
                {"school": school, "predecessor_urn": urn},
                predecessor_name=name,
                link_type="Predecessor",
                linked_on=_date(linked),
            )
        rng = random.Random(school.urn)  # noqa: S311 -- demo figures, not secrets
        _results(school, rng)
        _predictions(school, rng, today)


JOINING = {
    "oakfield": (990301, "Fernhill Church of England Primary School", "Hampshire", "Primary", False),
    "riverside": (990302, "Longmead Community Primary School", "Surrey", "Primary", True),
}
DUE_DILIGENCE = {
    "outcomes": (
        "amber",
        "KS2 reading, writing and maths at the expected standard 58% (national 61%); "
        "disadvantaged pupils 22 points behind their peers.",
        "2023/24 performance tables; IDSR.",
    ),
    "compliance": (
        "green",
        "Single central record complete and checked; safeguarding training up to date.",
        "SCR audit on site; DSL interview.",
    ),
    "structure": (
        "amber",
        "Headteacher retiring in July; two middle leaders in their first year.",
        "Staffing structure; governors' minutes.",
    ),
    "finance": ("green", "Balanced budget with a 4% reserve; no deficit forecast.", "Three-year budget forecast."),
    "ofsted": ("amber", "Requires improvement (2022): quality of education and leadership.", "Ofsted report."),
    "school_improvement": (
        "amber",
        "Improvement plan has the right priorities but no milestones.",
        "School improvement plan 2025/26.",
    ),
    "self_evaluation": ("green", "Self-evaluation is candid and matches our visit.", "SEF; learning walk."),
    "statutory_data": ("green", "Census and attendance returns on time.", "DfE returns."),
}


def seed_joining(*, trust: Any, actor: Any, today: datetime.date) -> None:
    """A school joining each demo trust: one report in progress, one ratified with induction begun."""
    from schools.services.joining import (
        due_diligence_ratify,
        due_diligence_update,
        induction_item_complete,
        prospective_school_add,
    )

    spec = JOINING.get(trust.slug)
    if spec is None or School.objects.filter(trust=trust, urn=spec[0]).exists():
        return  # already seeded: a rerun changes nothing
    urn, name, la, phase, ratify = spec
    school = prospective_school_add(trust=trust, actor=actor, urn=urn, name=name, la_name=la, phase=phase)
    sections = DUE_DILIGENCE if ratify else dict(list(DUE_DILIGENCE.items())[:6])
    due_diligence_update(
        report=school.due_diligence,
        actor=actor,
        summary="A school with sound safeguarding and finances whose outcomes need the trust's support.",
        findings={
            key: {"rag": rag, "findings": text, "evidence": source} for key, (rag, text, source) in sections.items()
        },
    )
    if ratify:
        report = due_diligence_ratify(
            report=school.due_diligence,
            actor=actor,
            ratified_on=today - datetime.timedelta(days=40),
            notes="Ratified at the autumn board meeting.",
        )
        first = report.school.induction_items.order_by("id").first()
        if first is not None:
            induction_item_complete(item=first, actor=actor, completed_on=today - datetime.timedelta(days=20))

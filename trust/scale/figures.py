"""Performance figures: England's national figures by measure, local authority figures, and a school's own.

National figures are close to the published ones of recent years. There were no national tests or exams
in 2019/20 and 2020/21, so key stage measures have no values, school or national, for those years.
Comparators are shared by every trust and do not depend on the seed: a run creates only the missing ones.
"""

from collections.abc import Iterable
from decimal import Decimal

from schools.measures import MEASURES, Measure
from schools.models import ComparatorLevel, ComparatorValue
from trust.scale.randomness import rng_for
from trust.scale.words import LOCAL_AUTHORITIES

NO_EXAMS = frozenset({2019, 2020})
NATIONAL: dict[str, float] = {
    "ks2_rwm_expected": 60,
    "ks2_rwm_higher": 8,
    "ks2_rwm_expected_disadvantaged": 45,
    "ks2_reading_progress": 0,
    "ks2_writing_progress": 0,
    "ks2_maths_progress": 0,
    "ks2_reading_expected": 74,
    "ks2_writing_expected": 71,
    "ks2_maths_expected": 73,
    "ks2_gps_expected": 72,
    "ks4_attainment8": 46.2,
    "ks4_progress8": -0.03,
    "ks4_progress8_disadvantaged": -0.57,
    "ks4_english_maths_5": 45.5,
    "ks4_english_maths_4": 65.1,
    "ks4_ebacc_aps": 4.07,
    "overall_absence": 6.7,
    "persistent_absence": 20.5,
}
# How far a school of each support position (1 most support .. 4 least) sits from national, in points.
STRENGTH = {1: -12.0, 2: -5.0, 3: 1.0, 4: 7.0}


def measures_for(phase: str) -> tuple[Measure, ...]:
    wanted = {"all", "secondary" if phase == "Secondary" else "primary"}
    return tuple(m for m in MEASURES if m.phase in wanted)


def published(measure: Measure, year: int) -> bool:
    return measure.key_stage is None or year not in NO_EXAMS


def _quantize(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def national_value(measure: Measure, year: int) -> Decimal:
    # A gentle drift by year, so trend lines are not flat.
    drift = ((year * 7 + len(measure.code)) % 5 - 2) * (0.01 if measure.unit == "progress" else 0.4)
    return _quantize(NATIONAL[measure.code] + drift, max(measure.decimals, 1))


def school_value(measure: Measure, national: Decimal, position: int, noise: float) -> Decimal:
    """A school's figure from national, its support position and some noise (about -1..1)."""
    strength = STRENGTH[position] + noise * 4
    base = float(national)
    if measure.unit == "progress":
        value = strength / 10 + noise * 0.4
    elif measure.code == "ks4_attainment8":
        value = base + strength * 0.6
    elif measure.code == "ks4_ebacc_aps":
        value = base + strength * 0.06
    elif not measure.higher_is_better:  # absence: a stronger school has less
        value = max(1.0, base - strength * (0.12 if measure.code == "overall_absence" else 0.5))
    else:
        value = min(100.0, max(0.0, base + strength))
    return _quantize(value, measure.decimals)


def comparators_ensure(years: Iterable[int]) -> int:
    """National and local authority figures for every measure and year; only missing rows are created."""
    years = sorted(set(years))
    existing = set(
        ComparatorValue.objects.filter(academic_year__in=years).values_list(
            "level", "la_code", "measure", "academic_year"
        )
    )
    rows = []
    for measure in MEASURES:
        for year in years:
            if not published(measure, year):
                continue
            national = national_value(measure, year)
            wanted = [(ComparatorLevel.NATIONAL.value, "", national)]
            for code, _, _ in LOCAL_AUTHORITIES:
                # Each authority's offset is its own, not the seed's: comparators are shared by every run.
                offset = rng_for("la", code, measure.code, year).uniform(-1, 1)
                wanted.append((ComparatorLevel.LOCAL_AUTHORITY.value, code, school_value(measure, national, 3, offset)))
            rows += [
                ComparatorValue(level=level, la_code=la_code, measure=measure.code, academic_year=year, value=value)
                for level, la_code, value in wanted
                if (level, la_code, measure.code, year) not in existing
            ]
    ComparatorValue.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

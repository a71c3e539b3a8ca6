"""The measures Trustwide tracks, defined once: the importers, pages, charts and rules all read this.

A measure's `code` is what `MeasureValue.measure` and `ComparatorValue.measure` store.
`dfe_column` names the column of the DfE performance-tables file the value comes from
(checked against the real 2018/19 files and their field lists in tests/schools/test_measures.py);
measures with no DfE column are entered by the trust (or imported from another source).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str  # '%', 'score' or 'progress'
    phase: str  # 'primary', 'secondary' or 'all'
    key_stage: str | None  # 'ks2', 'ks4' or None
    higher_is_better: bool
    dfe_column: str | None
    decimals: int

    @property
    def is_entered(self) -> bool:
        return self.dfe_column is None

    def display(self, value: Decimal | None, missing_code: str = "") -> str:
        """The value as the DfE prints it ('63%', '-1.9', '46.0'), or its missing-value code."""
        if value is None:
            return missing_code or "no value"
        text = f"{value:.{self.decimals}f}"
        if self.unit == "progress" and value > 0:
            text = f"+{text}"
        return f"{text}%" if self.unit == "%" else text


MEASURES: tuple[Measure, ...] = (
    # Key stage 2 (DfE "Final key stage 2" file; percentages are published as whole numbers).
    Measure(
        "ks2_rwm_expected",
        "Reading, writing and maths: % meeting the expected standard",
        "%",
        "primary",
        "ks2",
        True,
        "PTRWM_EXP",
        0,
    ),
    Measure(
        "ks2_rwm_higher",
        "Reading, writing and maths: % at the higher standard",
        "%",
        "primary",
        "ks2",
        True,
        "PTRWM_HIGH",
        0,
    ),
    Measure(
        "ks2_rwm_expected_disadvantaged",
        "Reading, writing and maths: % of disadvantaged pupils meeting the expected standard",
        "%",
        "primary",
        "ks2",
        True,
        "PTRWM_EXP_FSM6CLA1A",
        0,
    ),
    Measure("ks2_reading_progress", "Reading progress", "progress", "primary", "ks2", True, "READPROG", 1),
    Measure("ks2_writing_progress", "Writing progress", "progress", "primary", "ks2", True, "WRITPROG", 1),
    Measure("ks2_maths_progress", "Maths progress", "progress", "primary", "ks2", True, "MATPROG", 1),
    Measure(
        "ks2_reading_expected", "Reading: % meeting the expected standard", "%", "primary", "ks2", True, "PTREAD_EXP", 0
    ),
    Measure(
        "ks2_writing_expected",
        "Writing (teacher assessment): % meeting the expected standard",
        "%",
        "primary",
        "ks2",
        True,
        "PTWRITTA_EXP",
        0,
    ),
    Measure(
        "ks2_maths_expected", "Maths: % meeting the expected standard", "%", "primary", "ks2", True, "PTMAT_EXP", 0
    ),
    Measure(
        "ks2_gps_expected",
        "Grammar, punctuation and spelling: % meeting the expected standard",
        "%",
        "primary",
        "ks2",
        True,
        "PTGPS_EXP",
        0,
    ),
    # Key stage 4 (DfE "Final key stage 4" file).
    Measure("ks4_attainment8", "Attainment 8 score", "score", "secondary", "ks4", True, "ATT8SCR", 1),
    Measure("ks4_progress8", "Progress 8 score", "progress", "secondary", "ks4", True, "P8MEA", 2),
    Measure(
        "ks4_progress8_disadvantaged",
        "Progress 8 score of disadvantaged pupils",
        "progress",
        "secondary",
        "ks4",
        True,
        "P8MEA_FSM6CLA1A",
        2,
    ),
    Measure(
        "ks4_english_maths_5",
        "English and maths: % at grade 5 or above",
        "%",
        "secondary",
        "ks4",
        True,
        "PTL2BASICS_95",
        0,
    ),
    Measure(
        "ks4_english_maths_4",
        "English and maths: % at grade 4 or above",
        "%",
        "secondary",
        "ks4",
        True,
        "PTL2BASICS_94",
        0,
    ),
    Measure("ks4_ebacc_aps", "EBacc average point score", "score", "secondary", "ks4", True, "EBACCAPS", 2),
    # Attendance: entered by the trust (the DfE absence file is a separate download, not one of these files).
    Measure("overall_absence", "Overall absence (% of sessions)", "%", "all", None, False, None, 1),
    Measure("persistent_absence", "Persistent absence (% of pupils)", "%", "all", None, False, None, 1),
)

_BY_CODE = {m.code: m for m in MEASURES}
_BY_DFE_COLUMN = {m.dfe_column: m for m in MEASURES if m.dfe_column}
assert len(_BY_CODE) == len(MEASURES), "measure codes must be unique"
assert len(_BY_DFE_COLUMN) == len([m for m in MEASURES if m.dfe_column]), "one measure per DfE column"

# GIAS phases ("Primary", "Middle deemed secondary", "All-through", ...) as the measures' phases.
_GIAS_PHASES = {
    "primary": {"primary"},
    "middle deemed primary": {"primary"},
    "infant": {"primary"},
    "junior": {"primary"},
    "secondary": {"secondary"},
    "middle deemed secondary": {"secondary"},
    "16 plus": {"secondary"},
    "all-through": {"primary", "secondary"},
    "all": {"primary", "secondary"},
}


def get(code: str) -> Measure:
    """The measure with this code; KeyError names the unknown code."""
    try:
        return _BY_CODE[code]
    except KeyError:
        raise KeyError(f"No measure with code '{code}'.") from None


def by_dfe_column(column: str) -> Measure | None:
    """The measure read from this DfE column, if any."""
    return _BY_DFE_COLUMN.get(column)


def for_phase(phase: str) -> list[Measure]:
    """Measures for a phase ('primary', 'secondary', 'all' or a GIAS phase name), always with the 'all' ones."""
    phases = _GIAS_PHASES.get((phase or "").strip().lower(), {"primary", "secondary"})
    return [m for m in MEASURES if m.phase == "all" or m.phase in phases]


def for_key_stage(key_stage: str) -> list[Measure]:
    """The measures read from one key stage's DfE file."""
    return [m for m in MEASURES if m.key_stage == key_stage]

"""The measures registry: one definition per measure, every DfE column real."""

import csv
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from schools import measures

PERFORMANCE = Path(settings.BASE_DIR).parent / "shared" / "data" / "real" / "performance"
FILES = {"ks2": ["2018-2019_850_ks2final.csv", "2018-2019_936_ks2final.csv"], "ks4": ["2018-2019_936_ks4final.csv"]}
META = {"ks2": ("ks2_meta_2018-2019.csv", "Field Name"), "ks4": ("ks4_final_meta_2018-2019.csv", "Metafile heading")}


def header(name: str) -> list[str]:
    with (PERFORMANCE / name).open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def meta_fields(key_stage: str) -> set[str]:
    name, column = META[key_stage]
    with (PERFORMANCE / "meta" / name).open(encoding="utf-8-sig", newline="") as handle:
        return {row[column].strip() for row in csv.DictReader(handle)}


@pytest.mark.parametrize("measure", [m for m in measures.MEASURES if m.dfe_column], ids=lambda m: m.code)
def test_every_dfe_column_is_in_the_real_files_and_the_dfe_field_list(measure):
    assert measure.key_stage in FILES
    for name in FILES[measure.key_stage]:
        assert measure.dfe_column in header(name), name
    assert measure.dfe_column in meta_fields(measure.key_stage)


def test_the_lead_measures_are_all_defined():
    columns = {m.dfe_column for m in measures.MEASURES}
    assert {"PTRWM_EXP", "PTRWM_HIGH", "READPROG", "WRITPROG", "MATPROG", "PTREAD_EXP", "PTMAT_EXP"} <= columns
    assert {"PTGPS_EXP", "ATT8SCR", "P8MEA", "PTL2BASICS_95", "PTL2BASICS_94", "EBACCAPS"} <= columns
    assert measures.get("overall_absence").is_entered
    assert measures.get("persistent_absence").higher_is_better is False


def test_every_measure_is_well_formed():
    for m in measures.MEASURES:
        assert m.unit in {"%", "score", "progress"}
        assert m.phase in {"primary", "secondary", "all"}
        assert m.key_stage in {"ks2", "ks4", None}
        assert (m.key_stage is None) == (m.dfe_column is None)
        assert len(m.code) <= 40  # MeasureValue.measure


def test_measures_are_found_by_code_column_and_phase():
    assert measures.get("ks2_rwm_expected").dfe_column == "PTRWM_EXP"
    assert measures.by_dfe_column("P8MEA") is measures.get("ks4_progress8")
    assert measures.by_dfe_column("TOTPUPS") is None
    with pytest.raises(KeyError, match="no_such_measure"):
        measures.get("no_such_measure")
    primary = {m.code for m in measures.for_phase("Primary")}  # GIAS's word works too
    assert "ks2_rwm_expected" in primary and "overall_absence" in primary and "ks4_progress8" not in primary
    secondary = {m.code for m in measures.for_phase("secondary")}
    assert "ks4_attainment8" in secondary and "ks2_reading_progress" not in secondary
    assert len(measures.for_phase("All-through")) == len(measures.MEASURES)
    assert [m.key_stage for m in measures.for_key_stage("ks4")] == ["ks4"] * 6


def test_values_are_shown_as_the_dfe_prints_them():
    assert measures.get("ks2_rwm_expected").display(Decimal("63.00")) == "63%"
    assert measures.get("ks2_reading_progress").display(Decimal("1.70")) == "+1.7"
    assert measures.get("ks2_reading_progress").display(Decimal("-1.90")) == "-1.9"
    assert measures.get("ks4_progress8").display(Decimal("-0.03")) == "-0.03"
    assert measures.get("ks2_rwm_expected_disadvantaged").display(None, "SUPP") == "SUPP"
    assert measures.get("ks4_attainment8").display(None) == "no value"

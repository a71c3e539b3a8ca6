"""A school's measures against its local authority and England, year by year, with charts."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from core.academic import HALF_TERMS, academic_year_label
from core.charts import LineChart, Series, line_chart_svg
from schools.models import ComparatorLevel, ComparatorValue, InYearPrediction, MeasureValue, School
from schools.services.predictions import subjects_for, year_groups_for


@dataclass
class Cell:
    value: Decimal | None
    code: str = ""
    via_predecessor: int | None = None

    @property
    def shown(self) -> str:
        if self.value is not None:
            return f"{self.value.normalize():f}"
        return self.code or "no value"


@dataclass
class MeasureRow:
    code: str
    label: str
    unit: str
    higher_is_better: bool
    years: list[int]
    school: dict[int, Cell] = field(default_factory=dict)
    la: dict[int, Cell] = field(default_factory=dict)
    national: dict[int, Cell] = field(default_factory=dict)
    chart: str = ""

    @property
    def year_labels(self) -> list[str]:
        return [academic_year_label(y) for y in self.years]

    @property
    def table(self) -> list[tuple[str, Cell, Cell, Cell]]:
        empty = Cell(None)
        return [
            (academic_year_label(y), self.school.get(y, empty), self.la.get(y, empty), self.national.get(y, empty))
            for y in self.years
        ]


def _measure_meta(code: str) -> tuple[str, str, bool]:
    try:
        from schools import measures

        measure = measures.get(code)
        return measure.label, measure.unit, measure.higher_is_better
    except (ImportError, KeyError, AttributeError):
        return code, "", True


def performance_of(school: School) -> list[MeasureRow]:
    """Every measure the school has a value for, with LA and national figures and a trend chart."""
    values = list(MeasureValue.objects.filter(school=school).order_by("measure", "academic_year"))
    codes = sorted({v.measure for v in values})
    years = sorted({v.academic_year for v in values})
    comparators = ComparatorValue.objects.filter(measure__in=codes, academic_year__in=years).filter(
        Q(level=ComparatorLevel.NATIONAL) | Q(level=ComparatorLevel.LOCAL_AUTHORITY, la_code=school.la_code)
    )
    rows: dict[str, MeasureRow] = {}
    for code in codes:
        label, unit, higher = _measure_meta(code)
        rows[code] = MeasureRow(code=code, label=label, unit=unit, higher_is_better=higher, years=years)
    for v in values:
        rows[v.measure].school[v.academic_year] = Cell(v.value, v.missing_code, v.source_urn)
    for c in comparators:
        target = rows[c.measure].national if c.level == ComparatorLevel.NATIONAL else rows[c.measure].la
        target[c.academic_year] = Cell(c.value, c.missing_code)
    for index, row in enumerate(rows.values()):
        if len(years) > 1:
            chart = LineChart(
                title=f"{row.label}: {school.name} against the local authority and England",
                x_labels=row.year_labels,
                unit=row.unit,
                series=[
                    Series(school.name, [row.school.get(y, Cell(None)).value for y in years]),
                    Series("Local authority", [row.la.get(y, Cell(None)).value for y in years]),
                    Series("England", [row.national.get(y, Cell(None)).value for y in years]),
                ],
            )
            row.chart = line_chart_svg(chart, f"chart-{index}")
    return list(rows.values())


@dataclass
class PredictionGrid:
    academic_year: int
    half_term: int
    year_groups: list[str]
    subjects: list[str]
    cells: dict[tuple[str, str], Decimal]

    @property
    def label(self) -> str:
        return f"{HALF_TERMS[self.half_term]} {academic_year_label(self.academic_year)}"

    @property
    def table(self) -> list[tuple[str, list[Decimal | None]]]:
        return [(yg, [self.cells.get((yg, subject)) for subject in self.subjects]) for yg in self.year_groups]


def latest_predictions(school: School) -> PredictionGrid | None:
    """The most recent half-term's predictions, as a year group x subject grid."""
    latest = InYearPrediction.objects.filter(school=school).order_by("-academic_year", "-half_term").first()
    if latest is None:
        return None
    return predictions_for(school, latest.academic_year, latest.half_term)


def predictions_for(school: School, academic_year: int, half_term: int) -> PredictionGrid:
    rows = InYearPrediction.objects.filter(school=school, academic_year=academic_year, half_term=half_term)
    cells = {(p.year_group, p.subject): p.percent_on_track for p in rows}
    return PredictionGrid(academic_year, half_term, year_groups_for(school), subjects_for(school), cells)

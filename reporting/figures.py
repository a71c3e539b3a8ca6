"""Charts built from a dashboard document: the dashboard page and the board pack PDF share these.

Each builder returns a `Figure`: the SVG itself (a SafeString, so `{{ figure }}` draws it) carrying
its title and its text alternative, which the SVG also holds in <desc>. Callers still put a table of
the same figures next to the chart.
"""

from collections.abc import Sequence

from django.utils.safestring import SafeString

from core.academic import academic_year_label
from core.charts import BarChart, LineChart, Series, bar_chart_svg, describe, describe_bars, line_chart_svg
from reporting.metrics_schema import Metrics, TrustMeasure

# The scales' RAG names, drawn in the colour-blind safe palette of core.charts; each bar also has its number.
RAG = {"red": "#D55E00", "amber": "#E69F00", "green": "#009E73", "blue": "#0072B2"}
UNRATED_COLOUR = "#999999"


class Figure(SafeString):
    """An SVG chart that also knows its title and its text alternative."""

    title: str
    text: str


def _figure(svg: str, *, title: str, text: str) -> Figure:
    figure = Figure(svg)
    figure.title = title
    figure.text = text
    return figure


def levels_chart(metrics: Metrics, *, chart_id: str = "levels-chart") -> Figure:
    """Schools on each support level, most intensive first, with the unrated schools last."""
    labels = [row["level"]["name"] for row in metrics["levels"]]
    values: list[int | float | None] = [row["schools"] for row in metrics["levels"]]
    colours = [RAG.get(row["level"]["colour"].lower(), "") for row in metrics["levels"]]
    if metrics["unrated"]:
        labels.append("Not yet rated")
        values.append(metrics["unrated"])
        colours.append(UNRATED_COLOUR)
    chart = BarChart(title=f"Schools by support level, {metrics['half_term_label']}", labels=labels, values=values)
    chart.colours = colours
    return _figure(bar_chart_svg(chart, chart_id), title=chart.title, text=describe_bars(chart))


def _latest_per_half_term(documents: Sequence[Metrics]) -> list[Metrics]:
    # Several snapshots can describe one half-term (on demand, then its end): the latest tells it.
    latest: dict[tuple[int, int], Metrics] = {}
    for doc in sorted(documents, key=lambda d: d["as_of"]):
        latest[(doc["academic_year"], doc["half_term"])] = doc
    return [latest[key] for key in sorted(latest)]


def levels_over_time(snapshots_metrics: Sequence[Metrics]) -> tuple[list[str], list[tuple[str, list[int | None]]]]:
    """Half-term labels oldest first, and per level (matched by name) its schools in each: the chart's figures."""
    documents = _latest_per_half_term(snapshots_metrics)
    names: list[str] = []
    # The newest scale orders the lines; a level since renamed or removed keeps its line after them.
    for doc in reversed(documents):
        for level in doc["scale"]:
            if level["name"] not in names:
                names.append(level["name"])
    counts = [{row["level"]["name"]: row["schools"] for row in doc["levels"]} for doc in documents]
    return [doc["half_term_label"] for doc in documents], [(name, [c.get(name) for c in counts]) for name in names]


def levels_over_time_chart(snapshots_metrics: Sequence[Metrics], *, chart_id: str = "levels-trend") -> Figure:
    """Schools on each level across half-terms, one line per level, oldest first (a line chart)."""
    labels, lines = levels_over_time(snapshots_metrics)
    chart = LineChart(
        title="Schools on each support level by half-term",
        x_labels=labels,
        series=[Series(name, list(values)) for name, values in lines],
    )
    return _figure(line_chart_svg(chart, chart_id), title=chart.title, text=describe(chart))


def measure_trend_chart(measure: TrustMeasure, *, chart_id: str = "") -> Figure:
    """The trust's average for a key measure against England's, by academic year."""
    trend = measure["trend"]
    chart = LineChart(
        title=f"{measure['label']}: trust average against England",
        x_labels=[academic_year_label(int(point[0])) for point in trend if point[0] is not None],
        unit="%" if measure["unit"] == "%" else "",
        series=[
            Series("Trust average", [point[1] for point in trend if point[0] is not None]),
            Series("England", [point[2] for point in trend if point[0] is not None]),
        ],
    )
    svg = line_chart_svg(chart, chart_id or f"measure-{measure['code']}")
    return _figure(svg, title=chart.title, text=describe(chart))

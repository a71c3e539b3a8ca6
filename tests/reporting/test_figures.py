"""Charts from a dashboard document: SVG with a title and a text alternative, shared by the page and the pack."""

import copy
import datetime
import re
from typing import Any

from core.academic import HALF_TERMS, academic_year_label
from core.charts import BarChart, bar_chart_svg, describe_bars
from reporting.figures import Figure, levels_chart, levels_over_time, levels_over_time_chart, measure_trend_chart
from reporting.metrics_schema import SCHEMA_VERSION, Metrics


def level(name: str, position: int, colour: str = "") -> dict[str, Any]:
    return {"name": name, "position": position, "colour": colour}


def metrics_document(
    *, academic_year: int = 2026, half_term: int = 2, counts: tuple[int, ...] = (1, 2, 0), unrated: int = 1
) -> Metrics:
    """A small valid dashboard document, built by hand: three levels, `counts` schools on each."""
    scale = [level("Stabilise", 1, "red"), level("Improve", 2, "amber"), level("Sustain", 3, "green")]
    label = f"{HALF_TERMS[half_term]} {academic_year_label(academic_year)}"
    schools = sum(counts) + unrated
    return {
        "schema_version": SCHEMA_VERSION,
        "trust": "Alder Trust",
        "as_of": (datetime.date(academic_year, 9, 1) + datetime.timedelta(days=60 * half_term)).isoformat(),
        "academic_year": academic_year,
        "half_term": half_term,
        "half_term_label": label,
        "previous_half_term_end": f"{academic_year}-09-01",
        "scale": scale,
        "areas": [],
        "headline": {
            "schools": schools,
            "rated": sum(counts),
            "most_support": counts[0],
            "moved_up": 0,
            "moved_down": 0,
            "overstays": 0,
            "inspections_likely_soon": 0,
            "active_interventions": 0,
            "overdue_checkpoints": 0,
            "plans_behind": 0,
            "visits_planned": 0,
            "visits_done": 0,
            "visits_missed": 0,
            "sef_submitted": 0,
        },
        "levels": [
            {"level": lv, "schools": n, "up": 0, "down": 0, "new": 0} for lv, n in zip(scale, counts, strict=True)
        ],
        "unrated": unrated,
        "ofsted_profile": [],
        "measures": [
            {
                "code": "ks2_rwm_expected",
                "label": "Reading, writing and maths: expected standard",
                "unit": "%",
                "higher_is_better": True,
                "academic_year": 2024,
                "schools_with_value": 2,
                "trust_average": 58.5,
                "national": 61.0,
                "trend": [[2022, 55.0, 59.0], [2023, None, 60.0], [2024, 58.5, 61.0]],
            }
        ],
        "interventions_by_status": {},
        "interventions_by_model": [],
        "sef_by_status": {},
        "schools": [],
    }


def desc_of(svg: str) -> str:
    return re.search(r"<desc id=\"[^\"]+\">(.*?)</desc>", svg).group(1)


def test_the_levels_chart_has_one_bar_per_level_and_one_for_the_unrated_with_their_numbers_in_words():
    figure = levels_chart(metrics_document(counts=(1, 2, 0), unrated=1))
    assert isinstance(figure, Figure) and str(figure).startswith("<svg")
    assert 'role="img"' in figure and "<title" in figure
    assert figure.text == "Stabilise: 1; Improve: 2; Sustain: 0; Not yet rated: 1."
    assert desc_of(figure) == figure.text
    assert figure.count("<rect") == 4  # every bar drawn, a zero one with no width
    assert "Schools by support level, Autumn 2 2026/27" in figure.title


def test_the_levels_chart_leaves_out_the_unrated_bar_when_every_school_is_rated():
    figure = levels_chart(metrics_document(unrated=0))
    assert "Not yet rated" not in figure and figure.count("<rect") == 3


def test_a_level_colour_is_never_the_only_meaning_each_bar_carries_its_number_as_text():
    svg = str(levels_chart(metrics_document(counts=(7, 2, 0), unrated=0)))
    assert ">7</text>" in svg and ">2</text>" in svg


def test_levels_over_time_draws_one_line_per_level_across_half_terms_oldest_first():
    autumn1 = metrics_document(half_term=1, counts=(3, 1, 0))
    autumn2 = metrics_document(half_term=2, counts=(2, 2, 0))
    labels, lines = levels_over_time([autumn2, autumn1])
    assert labels == ["Autumn 1 2026/27", "Autumn 2 2026/27"]
    assert lines == [("Stabilise", [3, 2]), ("Improve", [1, 2]), ("Sustain", [0, 0])]
    figure = levels_over_time_chart([autumn2, autumn1])
    assert "Stabilise: Autumn 1 2026/27 3, Autumn 2 2026/27 2." in figure.text
    assert figure.count("<polyline") == 3


def test_of_two_documents_for_one_half_term_the_later_one_counts():
    early = metrics_document(half_term=2, counts=(3, 1, 0))
    late = copy.deepcopy(metrics_document(half_term=2, counts=(1, 3, 0)))
    late["as_of"] = "2027-01-01"
    labels, lines = levels_over_time([late, early])
    assert labels == ["Autumn 2 2026/27"] and lines[0] == ("Stabilise", [1])


def test_a_level_missing_from_an_older_scale_has_no_value_there_rather_than_zero():
    old = metrics_document(half_term=1)
    old["scale"] = old["scale"][:2]
    old["levels"] = old["levels"][:2]
    new = metrics_document(half_term=2)
    labels, lines = levels_over_time([old, new])
    assert ("Sustain", [None, 0]) in lines
    assert "Autumn 1 2026/27 no value" in levels_over_time_chart([old, new]).text


def test_a_measure_trend_compares_the_trust_with_england_and_breaks_at_a_missing_year():
    measure = metrics_document()["measures"][0]
    figure = measure_trend_chart(measure)
    assert figure.title == "Reading, writing and maths: expected standard: trust average against England"
    assert figure.text == (
        "Trust average: 2022/23 55%, 2023/24 no value, 2024/25 58.5%. England: 2022/23 59%, 2023/24 60%, 2024/25 61%."
    )
    assert 'aria-labelledby="measure-ks2_rwm_expected-t measure-ks2_rwm_expected-d"' in figure
    assert figure.count("<polyline") == 1  # England joined; the trust's line broken by the missing year


def test_a_bar_chart_escapes_labels_and_says_no_value_for_a_missing_one():
    chart = BarChart(title="<Levels>", labels=["A & B", "C"], values=[3, None])
    svg = str(bar_chart_svg(chart, "b1"))
    assert "&lt;Levels&gt;" in svg and "A &amp; B" in svg
    assert describe_bars(chart) == "A & B: 3; C: no value."
    assert svg.count("<rect") == 1


def test_an_empty_bar_chart_says_so():
    assert describe_bars(BarChart(title="t", labels=[], values=[])) == "No data."

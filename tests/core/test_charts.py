from core.charts import LineChart, Series, describe, line_chart_svg


def test_a_chart_has_a_title_a_text_alternative_and_a_named_font():
    chart = LineChart(
        title="Reading <progress>",
        x_labels=["2021/22", "2022/23"],
        series=[Series("School", [1.5, None]), Series("England", [0, 0.1])],
    )
    svg = str(line_chart_svg(chart, "c1"))
    assert 'role="img"' in svg and 'aria-labelledby="c1-t c1-d"' in svg
    assert '<title id="c1-t">Reading &lt;progress&gt;</title>' in svg
    assert "font-family=" in svg
    assert "School: 2021/22 1.5, 2022/23 no value." in describe(chart)


def test_a_missing_value_breaks_the_line_instead_of_dropping_to_zero():
    chart = LineChart(title="t", x_labels=["a", "b", "c"], series=[Series("S", [10, None, 12])], unit="%")
    svg = str(line_chart_svg(chart, "c2"))
    assert "<polyline" not in svg  # no two neighbouring values to join
    assert svg.count("<circle") == 2

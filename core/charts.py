"""Charts drawn once, server-side, as SVG: the same markup serves pages and PDFs.

Every chart has a <title> and <desc> and is paired with a data table in the template,
so screen-reader users and printouts get the numbers, not just the picture.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"
# Colour-blind safe (Okabe-Ito); each series also gets its own dash pattern and marker.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]
DASHES = ["", "6 4", "2 3", "8 3 2 3", "4 2", "1 2"]


@dataclass
class Series:
    label: str
    values: list[float | Decimal | None]
    colour: str = ""
    dash: str = ""


@dataclass
class LineChart:
    title: str
    x_labels: list[str]
    series: list[Series] = field(default_factory=list)
    unit: str = ""
    width: int = 520
    height: int = 240


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{text}{unit if unit == '%' else ''}"


def describe(chart: LineChart) -> str:
    """One sentence per series: the text alternative for the chart."""
    parts = []
    for s in chart.series:
        points = [
            f"{x} {_fmt(float(v), chart.unit) if v is not None else 'no value'}"
            for x, v in zip(chart.x_labels, s.values, strict=False)
        ]
        parts.append(f"{s.label}: " + ", ".join(points) + ".")
    return " ".join(parts) or "No data."


def line_chart_svg(chart: LineChart, chart_id: str) -> SafeString:
    """An accessible SVG line chart; missing values break the line rather than drop to zero."""
    left, right, top, bottom = 48, 16, 16, 56
    plot_w, plot_h = chart.width - left - right, chart.height - top - bottom
    values = [float(v) for s in chart.series for v in s.values if v is not None]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = (hi - lo) * 0.15
    lo, hi = lo - pad, hi + pad
    if chart.unit == "%":
        lo, hi = max(lo, 0.0), min(hi, 100.0)
    n = max(len(chart.x_labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - (v - lo) / (hi - lo) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{FONT}" font-size="11" class="tw-chart">',
        f'<title id="{chart_id}-t">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-d">{escape(describe(chart))}</desc>',
    ]
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        out.append(f'<line x1="{left}" x2="{chart.width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        out.append(
            f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" fill="#333">{_fmt(v, chart.unit)}</text>'
        )
    for i, label in enumerate(chart.x_labels):
        out.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 16}" text-anchor="middle" fill="#333">{escape(label)}</text>'
        )
    for index, s in enumerate(chart.series):
        colour = s.colour or PALETTE[index % len(PALETTE)]
        dash = s.dash or DASHES[index % len(DASHES)]
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(float(v))))
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
            for px, py in run:
                out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
        ly = chart.height - 12
        # Legend entries sit one after another, spaced by the length of the labels before them.
        lx = left + sum(34 + 6.2 * len(other.label) for other in chart.series[:index])
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx:.1f}" x2="{lx + 22:.1f}" y1="{ly - 4}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash_attr}/>'
        )
        out.append(f'<text x="{lx + 26:.1f}" y="{ly}" fill="#222">{escape(s.label)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text inside is escaped above


@dataclass
class BarChart:
    """Horizontal bars, one per category; each bar is labelled with its number, so colour carries no meaning."""

    title: str
    labels: list[str]
    values: list[int | float | None]
    unit: str = ""
    width: int = 520
    bar_height: int = 22
    colours: list[str] = field(default_factory=list)  # one per bar; default: the first palette colour


def describe_bars(chart: BarChart) -> str:
    """The text alternative: each category and its value, in order."""
    parts = [
        f"{label}: {_fmt(float(v), chart.unit) if v is not None else 'no value'}"
        for label, v in zip(chart.labels, chart.values, strict=False)
    ]
    return ("; ".join(parts) + ".") if parts else "No data."


def bar_chart_svg(chart: BarChart, chart_id: str) -> SafeString:
    """An accessible SVG horizontal bar chart; a missing value draws no bar and says 'no value'."""
    gap, top, right = 8, 8, 48
    # Category names sit left of the bars; leave room for the longest (about 6.2px a character at 11px).
    left = min(max(60, int(6.2 * max((len(label) for label in chart.labels), default=0)) + 12), chart.width // 2)
    rows = max(len(chart.labels), 1)
    height = top * 2 + rows * chart.bar_height + (rows - 1) * gap
    plot_w = chart.width - left - right
    values = [float(v) for v in chart.values if v is not None]
    hi = max(values, default=0.0) or 1.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-t {chart_id}-d" '
        f'font-family="{FONT}" font-size="11" class="tw-chart">',
        f'<title id="{chart_id}-t">{escape(chart.title)}</title>',
        f'<desc id="{chart_id}-d">{escape(describe_bars(chart))}</desc>',
        f'<line x1="{left}" x2="{left}" y1="{top - 2}" y2="{height - top + 2}" stroke="#666"/>',
    ]
    for i, (label, v) in enumerate(zip(chart.labels, chart.values, strict=False)):
        y = top + i * (chart.bar_height + gap)
        mid = y + chart.bar_height / 2 + 4
        out.append(f'<text x="{left - 6}" y="{mid:.1f}" text-anchor="end" fill="#222">{escape(label)}</text>')
        if v is None:
            out.append(f'<text x="{left + 6}" y="{mid:.1f}" fill="#333">no value</text>')
            continue
        w = max(float(v), 0.0) / hi * plot_w
        colour = chart.colours[i] if i < len(chart.colours) and chart.colours[i] else PALETTE[0]
        out.append(
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{chart.bar_height}" fill="{colour}" stroke="#333" '
            'stroke-width="0.5"/>'
        )
        out.append(f'<text x="{left + w + 6:.1f}" y="{mid:.1f}" fill="#222">{_fmt(float(v), chart.unit)}</text>')
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 -- every text inside is escaped above

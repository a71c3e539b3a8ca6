"""The half-termly board pack: its content, built only from frozen dashboard documents, and its PDF.

`board_pack_context` reads nothing but a Snapshot's `metrics` document and the previous pack's
document (for "what changed since the last pack"), never live data, so a pack built from a
snapshot comes out the same however the trust's records change afterwards. The pack reads
exception first: what changed and what needs the board's attention come before the tables.
"""

import datetime
import math
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from core.pdf import PDF_FONT_FAMILY, static_base_url, static_roots
from reporting.boardpack_render import PART_LINK, PartRenderer, Setup
from reporting.figures import levels_chart, measure_trend_chart
from reporting.metrics_schema import Metrics, SchoolRow
from reviews.models import Grade

TEMPLATE = "reporting/pdf/board_pack.html"
PAGE_NUMBERS_TEMPLATE = "reporting/pdf/board_pack_page_numbers.html"
# The pack's parts, each starting on a new page: the front (laid out last, when the contents' page
# numbers are known) and the body, split by chapters and into runs of at most SCHOOLS_PER_PART schools.
FRONT = ("cover",)
BODY = ("opening", "overview", "schools", "closing", "appendix")
SCHOOLS_PER_PART = 10
# A pack of fewer schools takes seconds: its body is one part, laid out here, as more processes would
# cost more than they save.
PARTS_FROM_SCHOOLS = 20
PROPOSED = "proposed"  # InterventionStatus.PROPOSED: waiting for the board's agreement to commission

MOVEMENT_WORDS = {
    "up": "Moved up (needs less support)",
    "down": "Moved down (needs more support)",
    "same": "No change",
    "new": "Newly placed on a level",
    "unrated": "Not yet placed on a level",
    "left": "No longer in the trust",
}

# Plain-words definitions for the glossary; only the terms the pack uses are printed.
GLOSSARY = {
    "support level": (
        "Where the trust places a school on its support scale. Level 1 is the most intensive support; "
        "a higher level number means the school needs less help."
    ),
    "moved up / moved down": (
        "Moved up: the school is now on a level that needs less support. Moved down: it now needs more."
    ),
    "overstay": "A school that has been on its current level for longer than the level's expected stay.",
    "improvement plan": "The school's plan for the year: priorities, actions, owners and due dates.",
    "plan behind": "An improvement plan with at least one action off track or past its due date.",
    "intervention": "Time-limited support the trust arranges for one school's area of need.",
    "checkpoint": "A dated check on an intervention's progress; overdue when the date passes with no record.",
    "delivery model": (
        "Who gives the support: in-school (the school's own staff), school-to-school (another school in "
        "the trust), direct trust (the central team) or external (a paid provider)."
    ),
    "impact": "What changed for pupils because of an intervention, written when it closes.",
    "visit": "A planned visit to a school by a trust officer; missed when its date has passed and it is not done.",
    "SEF": "Self-evaluation form: the school's own judgement of its strengths and weaknesses in each area.",
    "heat map": "A table of schools against judgement areas showing the trust's latest grade in each.",
    "national": "The figure for all state-funded schools in England in the same year.",
    "key stage 2": "The last years of primary school (ages 7 to 11), ending with national tests in year 6.",
    "key stage 4": "Years 10 and 11 of secondary school, ending with GCSEs.",
    "Attainment 8": "A pupil's average grade across eight GCSE-level subjects, English and maths counted twice.",
    "Progress 8": (
        "How much progress pupils made from the end of primary to GCSE compared with pupils nationally "
        "with similar starting points. 0 is average; above 0 is better than average."
    ),
    "persistent absence": "Pupils missing 10% or more of their possible sessions.",
    "Ofsted": "The national inspectorate for schools in England.",
    "snapshot": "The trust's figures frozen at one moment; the whole pack is built from one snapshot.",
}


def grade_words(grade: int | None) -> str:
    if grade is None:
        return "Not judged"
    try:
        return f"{grade} {Grade(grade).label}"
    except ValueError:
        return str(grade)


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def headline_sentences(metrics: Metrics) -> list[str]:
    """The executive summary: each headline figure as a plain sentence."""
    h = metrics["headline"]
    return [
        f"{_plural(h['schools'], 'member school')}; {h['rated']} placed on a support level "
        f"and {h['most_support']} on the most intensive level.",
        f"Since the end of the previous half-term {h['moved_up']} moved up (needing less support) "
        f"and {h['moved_down']} moved down (needing more).",
        f"{_plural(h['overstays'], 'school has', 'schools have')} stayed on a level longer than expected.",
        f"{_plural(h['inspections_likely_soon'], 'school is', 'schools are')} likely to be inspected "
        "within the next 12 months.",
        f"{_plural(h['active_interventions'], 'intervention')} active; "
        f"{_plural(h['overdue_checkpoints'], 'checkpoint')} overdue.",
        f"{_plural(h['plans_behind'], 'improvement plan')} behind (an action off track or overdue).",
        f"Visits this term: {h['visits_planned']} planned, {h['visits_done']} done, {h['visits_missed']} missed.",
        f"{_plural(h['sef_submitted'], 'school has', 'schools have')} submitted this year's self-evaluation (SEF).",
    ]


def _movement(school: SchoolRow, before: SchoolRow | None, has_previous: bool) -> str:
    """Up, down, same, new or unrated, against the previous pack's document when there is one."""
    if not has_previous:
        return school["movement"]
    level = school["level"]
    if level is None:
        return "unrated"
    old = before["level"] if before else None
    if old is None:
        return "new"
    if level["position"] > old["position"]:
        return "up"
    if level["position"] < old["position"]:
        return "down"
    return "same"


def _level_moves(metrics: Metrics, previous: Metrics | None) -> list[dict[str, Any]]:
    before = {s["uuid"]: s for s in previous["schools"]} if previous else {}
    moves = []
    for school in metrics["schools"]:
        old = before.get(school["uuid"])
        earlier = (old["level"] if old else None) if previous else school["previous_level"]
        moves.append(
            {
                "name": school["name"],
                "uuid": school["uuid"],
                "before": earlier,
                "now": school["level"],
                "movement": _movement(school, old, previous is not None),
            }
        )
    current = {s["uuid"] for s in metrics["schools"]}
    for old in previous["schools"] if previous else []:
        if old["uuid"] not in current:
            moves.append(
                {"name": old["name"], "uuid": old["uuid"], "before": old["level"], "now": None, "movement": "left"}
            )
    for move in moves:
        move["movement_words"] = MOVEMENT_WORDS[move["movement"]]
    return moves


def _intervention(row: Any, school: SchoolRow) -> dict[str, Any]:
    return {**row, "school": school["name"], "starts": _date(row["starts_on"]), "ends": _date(row["ends_on"])}


def _interventions(schools: Iterable[SchoolRow]) -> list[dict[str, Any]]:
    return [_intervention(row, s) for s in schools for row in s["interventions"]]


def _school_page(school: SchoolRow, move: dict[str, Any]) -> dict[str, Any]:
    # Dates arrive as ISO strings; the template prints them in words.
    return {
        **school,
        "move": move,
        "level_since_date": _date(school["level_since"]),
        "inspected_date": _date(school["ofsted"]["inspected_on"]),
        "interventions": [_intervention(row, school) for row in school["interventions"]],
    }


def _changes(metrics: Metrics, moves: list[dict[str, Any]]) -> dict[str, Any]:
    schools = metrics["schools"]
    interventions = _interventions(schools)
    return {
        "moved_up": [m for m in moves if m["movement"] == "up"],
        "moved_down": [m for m in moves if m["movement"] == "down"],
        "new": [m for m in moves if m["movement"] == "new"],
        "left": [m for m in moves if m["movement"] == "left"],
        "plans_behind": [s for s in schools if s["plan"] and s["plan"]["behind"]],
        "ending_soon": [i for i in interventions if i["ending_soon"]],
        "overdue_checkpoints": [i for i in interventions if i["overdue_checkpoints"]],
        "missed_visits": [s for s in schools if s["visits"]["missed"]],
        "overstays": [s for s in schools if s["overstay"]],
    }


def _items(metrics: Metrics, moves: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Discussion: schools that need more support; approval: proposals; information: the rest."""
    movement = {m["uuid"]: m["movement"] for m in moves}
    discussion, approval, information = [], [], []
    for school in metrics["schools"]:
        name = school["name"]
        reasons = []
        if movement.get(school["uuid"]) == "down":
            reasons.append(f"moved down to {school['level']['name'] if school['level'] else 'no level'}")
        if school["overstay"]:
            o = school["overstay"]
            reasons.append(f"on its level for {o['months']} months against an expected {o['expected_months']}")
        if school["plan"] and school["plan"]["behind"]:
            p = school["plan"]
            reasons.append(f"improvement plan behind ({p['off_track']} off track, {p['overdue']} overdue)")
        if reasons:
            discussion.append(f"{name}: {'; '.join(reasons)}.")
        for row in school["interventions"]:
            if row["status"] == PROPOSED:
                approval.append(
                    f"{name}: commission “{row['title']}” ({row['delivery_model_label'].lower()}), "
                    f"{_long_date(row['starts_on'])} to {_long_date(row['ends_on'])}."
                )
        if movement.get(school["uuid"]) == "up":
            information.append(f"{name}: moved up to {school['level']['name'] if school['level'] else 'no level'}.")
        elif movement.get(school["uuid"]) == "new" and school["level"]:
            information.append(f"{name}: placed on {school['level']['name']} for the first time.")
        if school["ofsted"]["likely_soon"]:
            information.append(f"{name}: Ofsted inspection {school['ofsted']['likelihood'].lower()}.")
    h = metrics["headline"]
    information.append(
        f"Visits this term: {h['visits_done']} of {h['visits_planned']} planned visits done, "
        f"{h['visits_missed']} missed."
    )
    return {"discussion": discussion, "approval": approval, "information": information}


def _long_date(value: str | None) -> str:
    day = _date(value)
    return f"{day.day} {day:%B %Y}" if day else "no date"


def _heat(metrics: Metrics) -> list[dict[str, Any]]:
    areas = metrics["areas"]
    return [
        {
            "name": s["name"],
            "cells": [
                {"grade": s["heat"].get(a["code"]), "words": grade_words(s["heat"].get(a["code"]))} for a in areas
            ],
        }
        for s in metrics["schools"]
    ]


def _by_model(metrics: Metrics) -> list[dict[str, Any]]:
    interventions = _interventions(metrics["schools"])
    return [
        {**row, "interventions": [i for i in interventions if i["delivery_model"] == row["delivery_model"]]}
        for row in metrics["interventions_by_model"]
    ]


def _glossary(metrics: Metrics) -> list[tuple[str, str]]:
    codes = {m["code"] for s in metrics["schools"] for m in s["measures"]} | {m["code"] for m in metrics["measures"]}
    terms = dict(GLOSSARY)
    if not any(c.startswith("ks2") for c in codes):
        terms.pop("key stage 2")
    if not any(c.startswith("ks4") for c in codes):
        terms.pop("key stage 4")
    if "ks4_attainment8" not in codes:
        terms.pop("Attainment 8")
    if "ks4_progress8" not in codes:
        terms.pop("Progress 8")
    if "persistent_absence" not in codes:
        terms.pop("persistent absence")
    for level in metrics["scale"]:
        terms[level["name"]] = f"Support level {level['position']} of {len(metrics['scale'])} on the trust's scale."
    return sorted(terms.items(), key=lambda item: item[0].lower())


# The contents: each chapter's anchor and its line in the contents.
CONTENTS = (
    ("summary", "Executive summary"),
    ("changes", "What changed since the last pack"),
    ("items", "Items for discussion, approval and information"),
    ("levels", "Support levels and movements"),
    ("heat", "Judgements by area (heat map)"),
    ("schools", "School by school"),
    ("interventions", "Interventions and their impact"),
    ("visits", "Visits"),
    ("appendix", "Data appendix: key measures"),
    ("glossary", "Glossary"),
)


def board_pack_context(
    *,
    metrics: Metrics,
    previous: Metrics | None,
    version: int,
    snapshot_id: str,
    previous_label: str = "",
) -> dict[str, Any]:
    """Everything the board pack template shows, from the snapshot's document and the last pack's."""
    moves = _level_moves(metrics, previous)
    movement = {m["uuid"]: m for m in moves}
    schools = [_school_page(s, movement[s["uuid"]]) for s in metrics["schools"]]
    if previous:
        label = previous_label or previous["half_term_label"]
        since = f"the last board pack ({label}, figures of {_long_date(previous['as_of'])})"
    else:
        since = f"the end of the previous half-term ({_long_date(metrics['previous_half_term_end'])})"
    return {
        "m": metrics,
        "trust_name": metrics["trust"],
        "half_term_label": metrics["half_term_label"],
        "as_of": _date(metrics["as_of"]),
        "version": version,
        "snapshot_id": snapshot_id,
        "since": since,
        "first_pack": previous is None,
        "summary": headline_sentences(metrics),
        "changes": _changes(metrics, moves),
        "items": _items(metrics, moves),
        "moves": moves,
        "schools": schools,
        # Charts sit beside tables of the same figures; they are drawn from the document too.
        "levels_chart": levels_chart(metrics, chart_id="pack-levels"),
        "measure_charts": [
            measure_trend_chart(m, chart_id=f"pack-measure-{m['code']}")
            for m in metrics["measures"]
            if sum(1 for point in m["trend"] if point[1] is not None) >= 2
        ],
        "heat": _heat(metrics),
        "by_model": _by_model(metrics),
        "glossary": _glossary(metrics),
    }


def board_pack_contents(pages: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """The contents' lines: linked within one document (CSS counts the pages), or across parts with the pages given."""
    if pages is None:
        return [{"title": title, "href": f"#{anchor}", "page": None} for anchor, title in CONTENTS]
    return [{"title": title, "href": f"{PART_LINK}{anchor}", "page": pages[anchor]} for anchor, title in CONTENTS]


def board_pack_parts(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The body's parts in page order (everything after the cover and contents), the schools in runs."""
    schools = context["schools"]
    if len(schools) < PARTS_FROM_SCHOOLS:
        return [{"sections": BODY, "schools": schools, "first_schools": True}]
    size = math.ceil(len(schools) / math.ceil(len(schools) / SCHOOLS_PER_PART))
    parts: list[dict[str, Any]] = []
    for section in BODY:
        if section != "schools":
            parts.append({"sections": (section,)})
            continue
        for start in range(0, len(schools), size):
            run = schools[start : start + size]
            parts.append({"sections": ("schools",), "schools": run, "first_schools": start == 0})
    return parts


def board_pack_html(context: dict[str, Any], part: dict[str, Any], **extra: Any) -> str:
    """One part's HTML (or the whole pack's, with every section and all the schools)."""
    return render_to_string(TEMPLATE, {**context, "part": part, **extra})


def render_board_pack(context: dict[str, Any], *, processes: int | None = None) -> tuple[bytes, int]:
    """The PDF bytes and their page count; a long pack's parts are laid out in parallel processes.

    `processes` defaults to settings.BOARD_PACK_RENDER_PROCESSES; with 1 the parts are laid out one
    after another in this process. The bytes are the same either way.
    """
    parts = board_pack_parts(context)
    processes = min(processes or settings.BOARD_PACK_RENDER_PROCESSES, len(parts))
    setup = Setup(
        base_url=static_base_url(),
        static_roots=tuple(str(root) for root in static_roots()),
        base_css=f"html {{ font-family: {PDF_FONT_FAMILY}; }}",
    )
    with PartRenderer(processes=processes, setup=setup) as renderer:
        # Templates are rendered here (Django), while the processes start; they are sent HTML only.
        body = [board_pack_html(context, part) for part in parts]
        return renderer.render(
            body=body,
            front=lambda pages: board_pack_html(context, {"sections": FRONT}, contents=board_pack_contents(pages)),
            page_numbers=lambda total, unnumbered: render_to_string(
                PAGE_NUMBERS_TEMPLATE,
                {**context, "number_pages": True, "pages": [n < unnumbered for n in range(total)]},
            ),
            numbered_from="contents",  # the cover has no page number
        )

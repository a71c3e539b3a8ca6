"""The board pack laid out in parts, in parallel processes, and joined: page for page the document it would be whole.

The parts are small here (any pack is split, two schools a part) so that a few schools make several parts.
"""

import hashlib
import io
import re

import billiard
import psutil
import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.pdf import PDF_FONT_FAMILY, static_base_url
from reporting import boardpack
from reporting.boardpack import (
    BODY,
    FRONT,
    board_pack_contents,
    board_pack_context,
    board_pack_html,
    render_board_pack,
)
from reporting.boardpack_render import PartRenderer, Setup, StaticRootsFetcher
from tests.reporting.test_board_packs import metrics_document

SCHOOLS = 5


def split_small(patch: pytest.MonkeyPatch) -> None:
    patch.setattr(boardpack, "PARTS_FROM_SCHOOLS", 1)
    patch.setattr(boardpack, "SCHOOLS_PER_PART", 2)


@pytest.fixture(autouse=True)
def small_parts(monkeypatch):
    split_small(monkeypatch)


@pytest.fixture(scope="module")
def context():
    return board_pack_context(metrics=metrics_document(SCHOOLS), previous=None, version=3, snapshot_id="snap")


@pytest.fixture(scope="module")
def parallel(context):
    """The pack laid out by two processes (module scope: the layout takes a few seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        split_small(patch)
        pdf, _ = render_board_pack(context, processes=2)
    return pdf


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf), strict=True)  # strict: a broken cross-reference table fails the test


def page_texts(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader(pdf).pages]


def whole_document(context) -> bytes:
    """The pack as one WeasyPrint document (how it was laid out before it had parts)."""
    html = board_pack_html(
        context,
        {"sections": FRONT + BODY, "schools": context["schools"], "first_schools": True},
        contents=board_pack_contents(),
        number_pages=True,
    )
    fonts = FontConfiguration()
    stylesheet = CSS(string=f"html {{ font-family: {PDF_FONT_FAMILY}; }}", font_config=fonts)
    options = {"stylesheets": [stylesheet], "pdf_tags": True}
    return HTML(string=html, base_url=static_base_url()).render(font_config=fonts, **options).write_pdf(**options)


def outline(pdf: bytes) -> list[tuple[int, str, int, float]]:
    document = reader(pdf)
    items: list[tuple[int, str, int, float]] = []

    def walk(entries, depth):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry, depth + 1)
            else:
                items.append((depth, entry.title, document.get_destination_page_number(entry), round(entry.top, 1)))

    walk(document.outline, 0)
    return items


def destinations(pdf: bytes) -> dict[str, int]:
    document = reader(pdf)
    return {name: document.get_destination_page_number(d) for name, d in document.named_destinations.items()}


def test_the_pack_is_split_into_parts_that_each_start_a_page(context):
    parts = boardpack.board_pack_parts(context)
    assert [p["sections"] for p in parts] == [("opening",), ("overview",)] + [("schools",)] * 3 + [
        ("closing",),
        ("appendix",),
    ]
    assert [len(p["schools"]) for p in parts if "schools" in p] == [2, 2, 1]
    assert [p["first_schools"] for p in parts if "schools" in p] == [True, False, False]


def test_a_pack_of_a_few_schools_has_one_body_part(context, monkeypatch):
    monkeypatch.setattr(boardpack, "PARTS_FROM_SCHOOLS", SCHOOLS + 1)
    assert boardpack.board_pack_parts(context) == [
        {"sections": BODY, "schools": context["schools"], "first_schools": True}
    ]


def test_the_joined_parts_have_the_pages_the_whole_document_would_have(context, parallel):
    whole = whole_document(context)
    assert page_texts(parallel) == page_texts(whole)
    assert outline(parallel) == outline(whole)
    assert destinations(parallel) == destinations(whole)
    assert reader(parallel).metadata == reader(whole).metadata
    assert reader(parallel).metadata.title == "Oak Learning Trust: board pack Autumn 2 2026/27, version 3"
    assert reader(parallel).root_object["/Lang"] == "en-GB"


def test_every_page_but_the_cover_says_page_x_of_y(parallel):
    texts = page_texts(parallel)
    assert len(texts) > 10
    assert "Page" not in texts[0]
    for number, text in enumerate(texts[1:], start=2):
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {number} of {len(texts)}"]


def test_the_contents_give_the_page_each_chapter_starts_on_and_link_to_it(parallel):
    texts, pages = page_texts(parallel), destinations(parallel)
    for anchor, title in boardpack.CONTENTS:
        assert re.search(rf"{re.escape(title)} \.{{3,}} {pages[anchor] + 1}\b", texts[1]), title
    headings = ["1. Executive summary", "4. Support levels", "6. School by school", "10. Glossary"]
    for heading, anchor in zip(headings, ["summary", "levels", "schools", "glossary"], strict=True):
        assert texts[pages[anchor]].startswith(heading)
    links = [a.get_object() for a in reader(parallel).pages[1]["/Annots"]]
    assert sorted({str(link["/Dest"]) for link in links}) == sorted(anchor for anchor, _ in boardpack.CONTENTS)
    assert not any("/A" in link for link in links)  # the part links became links within the pack


def test_every_school_has_its_own_page(context, parallel):
    texts, pages = page_texts(parallel), destinations(parallel)
    for school in context["schools"]:
        page = pages[f"school-{school['uuid']}"]
        assert school["name"] in texts[page] and f"URN {school['urn']}" in texts[page]
    assert len({pages[f"school-{s['uuid']}"] for s in context["schools"]}) == SCHOOLS


def test_the_joined_pack_is_one_tagged_document(parallel):
    document = reader(parallel)
    root = document.root_object
    assert root["/MarkInfo"]["/Marked"] and root["/ViewerPreferences"]["/DisplayDocTitle"]
    tree = root["/StructTreeRoot"]
    (top,) = tree["/K"]
    top = top.get_object()
    assert top["/S"] == "/Document"
    nums = tree["/ParentTree"]["/Nums"]
    keys = list(nums[0::2])
    assert keys == list(range(len(keys)))
    assert [page["/StructParents"] for page in document.pages] == keys[: len(document.pages)]
    link_keys = [a.get_object()["/StructParent"] for page in document.pages for a in page.get("/Annots", ())]
    assert sorted(link_keys) == keys[len(document.pages) :]
    # Every element hangs from the one Document element, and table header IDs stay unique across parts.
    ids, stack = [], [top]
    while stack:
        element = stack.pop()
        kids = element.get("/K", [])
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(kid, DictionaryObject) and "/S" in kid:
                assert kid["/P"].get_object() is element
                ids += [str(kid["/ID"])] if "/ID" in kid else []
                stack.append(kid)
    assert len(ids) == len(set(ids)) > SCHOOLS


def test_the_cross_reference_stream_points_at_every_object(parallel):
    document = reader(parallel)
    in_file = document.xref[0]
    packed = document.xref_objStm
    assert len(in_file) + len(packed) == document.trailer["/Size"] - 1
    for number, offset in in_file.items():
        assert parallel[offset:].startswith(b"%d 0 obj" % number), number
    for number in packed:
        assert document.get_object(number) is not None


def test_one_process_and_several_give_the_same_bytes(context, parallel):
    again, _ = render_board_pack(context, processes=2)
    alone, pages = render_board_pack(context, processes=1)
    assert hashlib.sha256(again).digest() == hashlib.sha256(parallel).digest() == hashlib.sha256(alone).digest()
    assert pages == len(reader(alone).pages)


def _render_in_a_daemonic_process(context, results):
    pdf, _ = render_board_pack(context, processes=2)
    results.put(hashlib.sha256(pdf).hexdigest())


def test_a_celery_worker_process_can_start_the_render_processes(context, parallel):
    # Celery's prefork pool processes are billiard's daemonic processes, which multiprocessing forbids children.
    results = billiard.get_context("fork").Queue()
    worker = billiard.get_context("fork").Process(
        target=_render_in_a_daemonic_process, args=(context, results), daemon=True
    )
    worker.start()
    worker.join(timeout=300)
    assert worker.exitcode == 0
    assert results.get(timeout=5) == hashlib.sha256(parallel).hexdigest()


def test_a_part_that_fails_in_its_process_fails_the_pack_and_leaves_no_process_behind():
    broken = Setup(base_url="", static_roots=(None,), base_css="")  # Path(None) fails in the render process
    me = psutil.Process()
    with pytest.raises(TypeError), PartRenderer(processes=2, setup=broken) as renderer:
        renderer.render(body=["<p>One</p>", "<p>Two</p>"], front=str, page_numbers=str, numbered_from="x")
    assert [p for p in me.children() if "boardpack_render" in " ".join(p.cmdline())] == []


def test_a_part_may_load_only_the_apps_static_files(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (static / "logo.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("no")
    fetcher = StaticRootsFetcher([str(static)])
    logo = fetcher.fetch((static / "logo.svg").as_uri())
    assert (logo.read(), logo.content_type) == (b"<svg/>", "image/svg+xml")
    for url in ["http://example.com/logo.svg", (tmp_path / "secret.txt").as_uri(), f"{static.as_uri()}/../secret.txt"]:
        with pytest.raises(ValueError, match="may load only the app's static files"):
            fetcher.fetch(url)

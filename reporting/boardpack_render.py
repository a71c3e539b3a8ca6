"""Lay out a long PDF in parts, several processes at once, and join the parts into one tagged PDF.

A board pack for 120 schools is about 200 pages, and WeasyPrint lays a document out on one core.
Its chapters and school pages each start on a new page, so the pack is cut there into parts whose
pages are exactly those of the whole document; each part is laid out in a process of its own and
the PDFs are joined with pypdf. What one document would have worked out across all its pages is
put back when joining:
- page numbers: the parts print none; blank pages with the pack's footer and "Page X of Y" are laid
  out for the whole page count and drawn onto each page as an artifact (not text of the pack);
- the contents: laid out last, when every chapter's page is known (the numbers are written in);
  its links name chapters in other parts, so they are written as `PART_LINK` addresses and become
  links to the named destinations of the joined PDF;
- bookmarks (the outline), named destinations, and the tags: the parts' structure trees become
  children of one Document element, with page and link keys renumbered for the joined pages;
- the title, author and language come from the first part; the file identifier from the content.
The same HTML gives the same bytes, however many processes laid it out.

The processes are new Python processes, not forks of the caller: they start clean (no database
connection, broker socket or thread state of a Celery worker or web process), and are given HTML
strings only. This module imports no Django, so they load WeasyPrint and nothing of the project's.
They are plain child processes rather than multiprocessing's, which refuses to start any from a
Celery prefork pool process ("daemonic processes are not allowed to have children").
"""

import contextlib
import hashlib
import io
import logging
import mimetypes
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
import types
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

# A link from one part to a chapter in another: `board-pack-part:summary` becomes a link to #summary.
PART_LINK = "board-pack-part:"
PAGE_NUMBER_FORM = NameObject("/BoardPackPageNumber")
# A one-page cover and a one-page contents, checked once the front is laid out (and laid out again if wrong).
FRONT_PAGES_GUESS, UNNUMBERED_GUESS = 2, 1
OBJECTS_PER_STREAM = 200


class StaticRootsFetcher(URLFetcher):
    """Serves files under the given static directories and refuses every other URL.

    core.pdf's fetcher, without Django: `file:` URLs only (relative links resolve to one against the
    static base URL). The board pack loads nothing today; its CSS and charts are inline.
    """

    def __init__(self, roots: Sequence[str]) -> None:
        super().__init__()
        self.roots = tuple(Path(root) for root in roots)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
        if path is None or not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            raise ValueError(f"Refused to fetch {url[:200]!r}: a PDF may load only the app's static files.")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})


@dataclass(frozen=True)
class Setup:
    """What every part is laid out with: the base URL, the static directories and the default font."""

    base_url: str
    static_roots: tuple[str, ...]
    base_css: str


@dataclass(frozen=True)
class LaidOut:
    """One part as PDF bytes, with the page of each anchor and each page's bookmarks (for the outline)."""

    pdf: bytes
    anchors: dict[str, int]
    bookmarks: list[tuple[float, list[Any]]]  # per page: (height, [(level, label, (x, y), state)])

    @property
    def pages(self) -> int:
        return len(self.bookmarks)


def lay_out(html: str, setup: Setup, *, tagged: bool = True) -> LaidOut:
    """Lay out one part (in whichever process runs it) and write its PDF."""
    font_config = FontConfiguration()
    fetcher = StaticRootsFetcher(setup.static_roots)
    base_css = CSS(string=setup.base_css, font_config=font_config, url_fetcher=fetcher)
    options = {"stylesheets": [base_css], "pdf_tags": tagged}
    document = HTML(string=html, base_url=setup.base_url, url_fetcher=fetcher).render(
        font_config=font_config, **options
    )
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    bookmarks = [(page.height, list(page.bookmarks)) for page in document.pages]
    return LaidOut(pdf=document.write_pdf(**options), anchors=anchors, bookmarks=bookmarks)


def serve() -> None:
    """A render process's loop: (html, setup, tagged) pickled on stdin, (ok, part or error) pickled back on stdout."""
    requests = sys.stdin.buffer
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, never into the replies
    # WeasyPrint's warnings (a refused URL, a CSS error) reach the worker's log, on stderr.
    logging.basicConfig(level=logging.WARNING, format="board pack render process: %(levelname)s %(message)s")
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    while True:
        try:
            html, setup, tagged = pickle.load(requests)  # noqa: S301 -- sent by the parent process, over a pipe
        except EOFError:
            return
        try:
            reply: tuple[bool, Any] = (True, lay_out(html, setup, tagged=tagged))
        except Exception as error:
            reply = (False, error)
        try:
            data = pickle.dumps(reply)
        except Exception:
            data = pickle.dumps((False, RuntimeError(repr(reply[1]))))
        replies.write(data)
        replies.flush()


def _exit_with(parent: int) -> None:
    """Stop when the process that started this one is gone (a worker killed at its hard time limit)."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


class _Process:
    """One render process, started with the running Python; it imports WeasyPrint, not Django."""

    def __init__(self) -> None:
        # The project's directory, so that the process finds this module wherever it was started from.
        path = [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]
        self.popen = subprocess.Popen(  # noqa: S603 -- this Python running this module's loop, no shell
            [sys.executable, "-c", "from reporting.boardpack_render import serve; serve()"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, path))},
        )

    def lay_out(self, html: str, setup: Setup, tagged: bool) -> LaidOut:
        assert self.popen.stdin is not None and self.popen.stdout is not None
        try:
            pickle.dump((html, setup, tagged), self.popen.stdin)
            self.popen.stdin.flush()
            ok, value = pickle.load(self.popen.stdout)  # noqa: S301 -- our own child's reply, over a pipe
        except (OSError, EOFError) as error:
            raise RuntimeError(f"A board pack render process stopped (exit code {self.popen.poll()}).") from error
        if not ok:
            raise value
        return value

    def kill(self) -> None:
        self.popen.kill()

    def stop(self) -> None:
        assert self.popen.stdin is not None and self.popen.stdout is not None
        with contextlib.suppress(OSError):  # a process killed mid-request leaves its pipe broken
            self.popen.stdin.close()  # the loop ends at the end of its input
        self.popen.wait()
        self.popen.stdout.close()


class PartRenderer:
    """Lays parts out in `processes` processes of its own (or in this one when 1) and joins them.

    Each process is fed one part at a time by a thread here, so no more than `processes` parts are in
    memory at once. Use it as a context manager, entered before the HTML is prepared: the processes
    start (importing WeasyPrint takes a second) meanwhile.
    """

    def __init__(self, *, processes: int, setup: Setup) -> None:
        self.processes = max(1, processes)
        self.setup = setup
        self.queue: queue.SimpleQueue[tuple[Future[LaidOut], str, bool] | None] = queue.SimpleQueue()
        self.workers: list[tuple[_Process, threading.Thread]] = []
        self.stopping = False

    def __enter__(self) -> "PartRenderer":
        if self.processes > 1:
            for _ in range(self.processes):
                process = _Process()
                thread = threading.Thread(target=self._feed, args=(process,), daemon=True)
                thread.start()
                self.workers.append((process, thread))
        return self

    def __exit__(self, error_type: type[BaseException] | None, *exc_info: object) -> None:
        self.close(abandon=error_type is not None)

    def close(self, *, abandon: bool = False) -> None:
        """Stop the processes: once their work is done, or at once (after an error or a soft time limit)."""
        self.stopping = self.stopping or abandon
        for process, _ in self.workers:
            if abandon:
                process.kill()
            self.queue.put(None)
        for process, thread in self.workers:
            thread.join()
            process.stop()
        self.workers = []

    def _feed(self, process: _Process) -> None:
        while (task := self.queue.get()) is not None:
            future, html, tagged = task
            if self.stopping or not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(process.lay_out(html, self.setup, tagged))
            except BaseException as error:
                future.set_exception(error)

    def _submit(self, html: str, *, tagged: bool = True) -> "Future[LaidOut]":
        future: Future[LaidOut] = Future()
        if self.workers:
            self.queue.put((future, html, tagged))
            return future
        try:
            future.set_result(lay_out(html, self.setup, tagged=tagged))
        except Exception as error:
            future.set_exception(error)
        return future

    def render(
        self,
        *,
        body: Sequence[str],
        front: Callable[[dict[str, int]], str],
        page_numbers: Callable[[int, int], str],
        numbered_from: str,
    ) -> tuple[bytes, int]:
        """The joined PDF of the front and the body parts, and its page count.

        `front(pages)` gives the front's HTML from every anchor's page number; `page_numbers(total,
        unnumbered)` the blank numbered pages, the first `unnumbered` (the front's pages before its
        anchor `numbered_from`: a cover) without a number.
        """
        # Longest first, so that no process is left with a long part once the others are done.
        order = sorted(range(len(body)), key=lambda i: -len(body[i]))
        futures = {i: self._submit(body[i]) for i in order}
        parts = [futures[i].result() for i in range(len(body))]
        front_pages, unnumbered = FRONT_PAGES_GUESS, UNNUMBERED_GUESS
        for _ in range(2):
            total, pages = front_pages, {}
            for part in parts:
                for name, number in part.anchors.items():
                    pages.setdefault(name, total + number + 1)
                total += part.pages
            front_future = self._submit(front(pages))
            numbers_future = self._submit(page_numbers(total, unnumbered), tagged=False)
            front_part, numbers = front_future.result(), numbers_future.result()
            if (front_part.pages, front_part.anchors[numbered_from]) == (front_pages, unnumbered):
                break
            front_pages, unnumbered = front_part.pages, front_part.anchors[numbered_from]
        else:
            raise RuntimeError("The front of the pack changed its length when its page numbers were written in.")
        if numbers.pages != total:
            raise RuntimeError(f"The page numbers came out as {numbers.pages} pages for {total}.")
        self.close()  # the processes give their memory back before the parts are joined
        return join([front_part, *parts], numbers=numbers, unnumbered=unnumbered), total


# Joining -----------------------------------------------------------------------------------------


def _ref(writer: PdfWriter, obj: PdfObject) -> IndirectObject:
    # pypdf has no public way to add a new object to a writer; its own methods use this one.
    return writer._add_object(obj)


def _struct_children(element: DictionaryObject) -> Iterator[DictionaryObject]:
    kids = element.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        if isinstance(kid, IndirectObject):
            kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type", "/StructElem") == "/StructElem" and "/S" in kid:
            yield kid


def _prepare_structure(reader: PdfReader, document: IndirectObject, prefix: str) -> list[IndirectObject]:
    """Hang the part's structure under the joined Document element (before cloning) and return its top elements.

    Element IDs (table headers) get the part's prefix: each part numbered them on its own.
    """
    tree = reader.root_object["/StructTreeRoot"]
    part_document = tree["/K"][0] if isinstance(tree["/K"], ArrayObject) else tree["/K"]
    own = part_document.idnum
    top = list(part_document.get_object()["/K"])
    stack = []
    for reference in top:
        element = reference.get_object()
        element[NameObject("/P")] = document
        stack.append(element)
    seen = set()
    while stack:
        element = stack.pop()
        seen.add(id(element))
        if "/ID" in element:
            element[NameObject("/ID")] = TextStringObject(prefix + str(element["/ID"]))
        attributes = element.get("/A")
        if isinstance(attributes, DictionaryObject) and "/Headers" in attributes:
            attributes[NameObject("/Headers")] = ArrayObject(
                TextStringObject(prefix + str(header)) for header in attributes["/Headers"]
            )
        stack.extend(_struct_children(element))
    # Margin boxes (the footer) are tagged outside the tree, as WeasyPrint does; they hang from it too.
    nums = tree["/ParentTree"]["/Nums"]
    for value in nums[1::2]:
        for reference in value if isinstance(value, ArrayObject) else [value]:
            element = reference.get_object()
            while id(element) not in seen:
                seen.add(id(element))
                parent = element.get("/P")
                if not isinstance(parent, IndirectObject) or parent.pdf is not reader:
                    break
                if parent.idnum == own:
                    element[NameObject("/P")] = document
                    break
                element = parent.get_object()
    return top


def _fix_part_links(reader: PdfReader) -> None:
    """Turn `PART_LINK` addresses into links to named destinations (which the joined PDF holds)."""
    for page in reader.pages:
        for annotation in page.get("/Annots", ()):
            annotation = annotation.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if uri.startswith(PART_LINK):
                name = unquote(uri[len(PART_LINK) :])
                del annotation["/A"]
                annotation[NameObject("/Dest")] = TextStringObject(name)
                if "/Contents" in annotation:
                    annotation[NameObject("/Contents")] = TextStringObject(name)


def _outline(writer: PdfWriter, parts: Sequence[LaidOut]) -> None:
    """The bookmarks of the joined pages, nested by WeasyPrint's own rule (as one document would have them)."""
    pages = [types.SimpleNamespace(height=h, bookmarks=b) for part in parts for h, b in part.bookmarks]
    # 0.75: CSS pixels to PDF points, the scale WeasyPrint writes with.
    tree = Document.make_bookmark_tree(types.SimpleNamespace(pages=pages), scale=0.75, transform_pages=True)

    def add(subtrees: list[Any], parent: IndirectObject | None) -> None:
        for label, (page, x, y), children, state in subtrees:
            destination = ArrayObject(
                [
                    writer.pages[page].indirect_reference,
                    NameObject("/XYZ"),
                    FloatObject(x),
                    FloatObject(y),
                    NumberObject(0),
                ]
            )
            item = writer.add_outline_item_dict(
                DictionaryObject({NameObject("/Title"): TextStringObject(label), NameObject("/Dest"): destination}),
                parent=parent,
                is_open=state != "closed",
            )
            add(children, item)

    add(tree, None)


def _draw_page_numbers(writer: PdfWriter, numbers: LaidOut, unnumbered: int) -> None:
    """Draw each numbered page's footer number from the blank numbered pages, as a Form XObject artifact."""
    reader = PdfReader(io.BytesIO(numbers.pdf))
    # The pages' own content leaves its coordinate system changed: wrap it in q ... Q first.
    save = DecodedStreamObject()
    save.set_data(b"q\n")
    restore_and_draw = DecodedStreamObject()
    restore_and_draw.set_data(b"Q\n/Artifact BMC\nq " + PAGE_NUMBER_FORM.encode() + b" Do Q\nEMC\n")
    save_ref, draw_ref = _ref(writer, save), _ref(writer, restore_and_draw)
    for page, source in list(zip(writer.pages, reader.pages, strict=True))[unnumbered:]:
        form = source.raw_get("/Contents").clone(writer).get_object()
        form.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): source.mediabox.clone(writer),
                NameObject("/Resources"): source.raw_get("/Resources").clone(writer),
            }
        )
        resources = DictionaryObject(page["/Resources"].get_object())
        forms = DictionaryObject(resources.get("/XObject", DictionaryObject()))
        forms[PAGE_NUMBER_FORM] = form.indirect_reference
        resources[NameObject("/XObject")] = forms
        page[NameObject("/Resources")] = _ref(writer, resources)
        page[NameObject("/Contents")] = ArrayObject([save_ref, page.raw_get("/Contents"), draw_ref])


def _release(writer: PdfWriter, reader: PdfReader) -> None:
    """Let a part's parsed objects go once they are copied: the writer keeps every reader it copied from."""
    writer._id_translated.pop(id(reader), None)
    writer._merged_in_pages = {k: v for k, v in writer._merged_in_pages.items() if k is None or k.pdf is not reader}


def join(parts: Sequence[LaidOut], *, numbers: LaidOut, unnumbered: int) -> bytes:
    """One tagged PDF of the parts' pages in order, numbered from the `numbers` pages but for the first `unnumbered`."""
    writer = PdfWriter()
    first = PdfReader(io.BytesIO(parts[0].pdf))
    writer.pdf_header = first.pdf_header

    tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_ref = _ref(writer, tree)
    document = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/StructElem"),
            NameObject("/S"): NameObject("/Document"),
            NameObject("/P"): tree_ref,
            NameObject("/K"): ArrayObject(),
        }
    )
    document_ref = _ref(writer, document)
    page_keys: list[PdfObject] = []
    link_keys: list[tuple[int, PdfObject]] = []
    total = sum(part.pages for part in parts)
    destinations: dict[str, ArrayObject] = {}

    for index, part in enumerate(parts):
        reader = first if index == 0 else PdfReader(io.BytesIO(part.pdf))
        _fix_part_links(reader)
        top = _prepare_structure(reader, document_ref, prefix=f"part{index}-")
        part_tree = reader.root_object["/StructTreeRoot"]
        nums = part_tree["/ParentTree"]["/Nums"]
        mapping = dict(zip(nums[0::2], nums[1::2], strict=True))
        pages = [writer.add_page(page) for page in reader.pages]
        for number, page in enumerate(pages):
            page[NameObject("/StructParents")] = NumberObject(len(page_keys))
            page_keys.append(mapping[number].clone(writer))
            for annotation in page.get("/Annots", ()):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    key = total + len(link_keys)
                    link_keys.append((key, mapping[annotation["/StructParent"]].clone(writer)))
                    annotation[NameObject("/StructParent")] = NumberObject(key)
        document["/K"].extend(reference.clone(writer) for reference in top)
        names = reader.root_object.get("/Names", DictionaryObject()).get("/Dests", DictionaryObject())
        pairs = names.get_object().get("/Names", ArrayObject())
        for name, destination in zip(pairs[0::2], pairs[1::2], strict=True):
            if str(name) not in destinations:  # as in one document: the first anchor of a name wins
                destinations[str(name)] = destination.clone(writer)
        if index:
            _release(writer, reader)

    tree[NameObject("/K")] = ArrayObject([document_ref])
    parent_tree = ArrayObject()
    for key, value in [*enumerate(page_keys), *link_keys]:
        parent_tree.extend([NumberObject(key), value])
    tree[NameObject("/ParentTree")] = _ref(writer, DictionaryObject({NameObject("/Nums"): parent_tree}))

    root = writer.root_object
    root[NameObject("/StructTreeRoot")] = tree_ref
    for key in ("/Lang", "/MarkInfo", "/ViewerPreferences"):
        if key in first.root_object:
            root[NameObject(key)] = first.root_object[key].clone(writer)
    if destinations:
        dests = ArrayObject()
        for name in sorted(destinations):
            dests.extend([TextStringObject(name), destinations[name]])
        root[NameObject("/Names")] = DictionaryObject(
            {NameObject("/Dests"): _ref(writer, DictionaryObject({NameObject("/Names"): dests}))}
        )
    _outline(writer, parts)
    _draw_page_numbers(writer, numbers, unnumbered)

    writer.metadata = first.metadata or {}
    # A file identifier from the content: the same parts give the same bytes.
    digest = hashlib.sha256(b"".join(hashlib.sha256(part.pdf).digest() for part in [*parts, numbers])).digest()[:16]
    return _write_packed(writer, identifier=digest)


def _write_packed(writer: PdfWriter, *, identifier: bytes) -> bytes:
    """The writer's objects as a PDF file, the small ones packed in compressed object streams.

    pypdf writes each object as plain text, which makes a tagged pack (thousands of structure
    elements) five times the size of WeasyPrint's own file; packed as WeasyPrint packs them
    (object streams and a cross-reference stream, PDF 1.5), it comes out about the same size.
    """
    writer._resolve_links()  # what pypdf's write() does first: links between copied pages
    output = io.BytesIO()
    output.write(writer.pdf_header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    # Cross-reference entries: (1, offset, 0) for an object in the file, (2, stream, index) for a packed one.
    entries: dict[int, tuple[int, int, int]] = {0: (0, 0, 65535)}
    packable: list[tuple[int, PdfObject]] = []
    for number, obj in enumerate(writer._objects, start=1):
        if isinstance(obj, StreamObject):
            entries[number] = (1, output.tell(), 0)
            output.write(b"%d 0 obj\n" % number)
            obj.write_to_stream(output)
            output.write(b"\nendobj\n")
        elif obj is not None:
            packable.append((number, obj))
    number = len(writer._objects)
    for start in range(0, len(packable), OBJECTS_PER_STREAM):
        number += 1
        body, offsets = io.BytesIO(), []
        for index, (packed, obj) in enumerate(packable[start : start + OBJECTS_PER_STREAM]):
            offsets.append(b"%d %d" % (packed, body.tell()))
            obj.write_to_stream(body)
            body.write(b"\n")
            entries[packed] = (2, number, index)
        head = b" ".join(offsets) + b"\n"
        data = zlib.compress(head + body.getvalue())
        entries[number] = (1, output.tell(), 0)
        output.write(
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (number, len(offsets), len(head), len(data))
        )
        output.write(data + b"\nendstream\nendobj\n")
    number += 1
    entries[number] = (1, output.tell(), 0)
    table = zlib.compress(b"".join(struct.pack(">BIH", *entries.get(n, (0, 0, 0))) for n in range(number + 1)))
    assert writer._info is not None and writer._info.indirect_reference is not None
    trailer = b"/Root %d 0 R /Info %d 0 R /ID [<%s> <%s>]" % (
        writer.root_object.indirect_reference.idnum,
        writer._info.indirect_reference.idnum,
        identifier.hex().encode(),
        identifier.hex().encode(),
    )
    xref = output.tell()
    output.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] %s /Filter /FlateDecode /Length %d >>\nstream\n"
        % (number, number + 1, trailer, len(table))
    )
    output.write(table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return output.getvalue()

"""The N+1 detector (django-zeal) on in every test: a query per row fails the test that runs it.

zeal counts, within one unit of work, how often the same line loads the same relation (or runs the
same `.get()`); the second time is an N+1 and raises NPlusOneError. The units are those of production:
- each request: zeal's middleware, first in config/settings/test.py;
- each Celery task (eager tasks run inside the test): `task_prerun` / `task_postrun` below;
- in a test body, each call the test makes (a service, selector, serializer's `.data`, command):
  counting starts again when the test calls something else, so calling a service twice, or once
  per school, is not mistaken for a service that queries per row. The test's own code is judged on
  relations too (a loop in a test touching `school.trust` per school fails), but not on its own
  `.get()`s: helpers look rows up by name, and Django reads a session twice to sign a client in.
Fixtures only build data, so they run outside the detector, as factories do; their requests are judged.

Reading the same row again from the same line (the same relation of the same row, or the same `.get()`
with the same parameters) is a re-read, not a query per row: the second time is let through, a third
is counted. A write's response re-reads the row it changed; an audit trail snapshots a row's links
before and after a change.

What is excused is listed in BOUNDED below, each entry narrowed to the function it happens in and
saying why; everything else is fixed where it happens.

zeal has no hook for units inside one context or for excusing one function, so this wraps its
listener's `notify` and replaces its `get_caller` (which must now step over this file too). Both are
zeal internals (django-zeal is pinned, 2.3.0); tests/core/test_nplusone_detector.py fails if they change.
"""

import sys
from collections.abc import Iterator
from contextvars import ContextVar, Token
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path
from types import CodeType, FrameType
from typing import Any, TypedDict

import pytest
from celery.signals import task_postrun, task_prerun
from django.db.models import Model, QuerySet
from zeal import listeners as zeal_listeners
from zeal import setup, teardown, zeal_context
from zeal.util import _ZEAL_DIR, _is_internal_frame

ROOT = Path(__file__).resolve().parent.parent
TESTS = f"{ROOT}/tests/"
THIS_FILE = str(Path(__file__).resolve())


class Excuse(TypedDict, total=False):
    model: str  # app_label.Model, or *
    field: str  # the relation, or "get()", or *
    within: str  # path/from/the/repo.py:Qualified.name (fnmatch), on the stack when the query runs...
    unless: list[str]  # ...and none of these is


# Per-row work that is bounded, or not per row at all though zeal cannot tell: each says why.
BOUNDED: list[Excuse] = [
    # A form's or serializer's choice fields each look up their one choice: two fields of the same model
    # are two lookups from one line, but a fixed number. Lists of choices are still counted.
    {"model": "*", "field": "get()", "within": "*/django/forms/models.py:ModelChoiceField.to_python"},
    {
        "model": "*",
        "field": "get()",
        "within": "*/rest_framework/relations.py:SlugRelatedField.to_internal_value",
        "unless": ["*/rest_framework/*:*.run_child_validation", "*/rest_framework/relations.py:ManyRelatedField.*"],
    },
    # Django's admin widget for a raw-id field looks its one value's label up by itself, so an inline
    # of N rows looks up N labels (the operator's trust page lists its memberships' schools this way).
    # Only Django can batch these; the operator-only admin accepts it.
    {
        "model": "*",
        "field": "get()",
        "within": "*/django/contrib/admin/widgets.py:ForeignKeyRawIdWidget.label_and_url_for_value",
    },
    # The demo data set is a fixed handful of rows per trust, each made with get_or_create so that a
    # rerun writes nothing (`manage.py seed_demo`, and the tests that seed one capability's demo).
    {"model": "*", "field": "*", "within": "*/demo*.py:*"},
    # table_checksums() reads every many-to-many link of every row of the trust on purpose, to prove
    # that erasing the other trust left this one byte for byte as it was.
    {"model": "*", "field": "*", "within": "tests/trust/test_data_protection.py:table_checksums"},
]


@dataclass
class _TestBody:
    context: zeal_listeners.NPlusOneContext
    # The call being counted: the frame the test called into, or None for the test's own queries.
    call: FrameType | None = None


_test_body: ContextVar[_TestBody | None] = ContextVar("nplusone_test_body", default=None)
_hits: dict[CodeType, tuple[frozenset[int], frozenset[int]] | None] = {}


def _is_ours_or_a_library(filename: str) -> bool:
    return _is_internal_frame(filename) or filename == THIS_FILE


def _caller() -> tuple[str, int, str]:
    """zeal.util.get_caller: the first frame of the project's code, stepping over this file too."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_ours_or_a_library(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "<unknown>", 0, "<unknown>"
    return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name


def _call_from_the_test(frame: FrameType | None) -> FrameType | None:
    """The frame the test body called into, or None when the test itself is querying.

    A test reading a relation or iterating a queryset calls straight into Django's ORM (or zeal's
    patches of it): those are the test's own queries, counted together. Anything else it calls is
    one call, counted on its own.
    """
    callee = None
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(TESTS) and filename != THIS_FILE:
            if (
                callee is None
                or "/django/db/" in callee.f_code.co_filename
                or callee.f_code.co_filename.startswith(_ZEAL_DIR)
            ):
                return None
            return callee
        callee = frame
        frame = frame.f_back
    return None


def _where(code: CodeType) -> tuple[frozenset[int], frozenset[int]] | None:
    """Which BOUNDED entries this code runs within, and which it is an `unless` of; None for neither."""
    if code in _hits:
        return _hits[code]
    path = Path(code.co_filename)
    where = f"{path.relative_to(ROOT)}:{code.co_qualname}" if path.is_relative_to(ROOT) else ""
    within = frozenset(i for i, e in enumerate(BOUNDED) if where and fnmatch(where, e["within"]))
    unless = frozenset(
        i for i, e in enumerate(BOUNDED) if where and any(fnmatch(where, u) for u in e.get("unless", []))
    )
    hits = _hits[code] = (within, unless) if within or unless else None
    return hits


def _excused(model: type[Model], field: str, frame: FrameType | None) -> bool:
    within: set[int] = set()
    unless: set[int] = set()
    while frame is not None:
        hits = _where(frame.f_code)
        if hits is not None:
            within |= hits[0]
            unless |= hits[1]
        frame = frame.f_back
    if not within - unless:
        return False
    label = f"{model._meta.app_label}.{model.__name__}"
    return any(fnmatch(label, BOUNDED[i]["model"]) and fnmatch(field, BOUNDED[i]["field"]) for i in within - unless)


class _Get:
    """A .get()'s queryset and conditions, compiled to SQL only if another .get() from its line comes along."""

    def __init__(self, queryset: QuerySet[Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        self.queryset, self.args, self.kwargs = queryset, args, kwargs

    @cached_property
    def sql(self) -> object:
        try:
            sql, params = self.queryset.filter(*self.args, **self.kwargs).query.sql_with_params()
        except Exception:  # noqa: BLE001 -- one that cannot be compiled here matches nothing, so it is counted
            return object()
        return sql, repr(params)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Get) and self.sql == other.sql


def _what_is_read(field: str, instance_key: str | None, frame: FrameType) -> str | _Get | None:
    """What this query reads: the row whose relation it loads, or a .get()'s conditions."""
    if field != "get()":
        return instance_key
    # zeal's wrapper of QuerySet.get(self, *args, **kwargs) is the frame that called notify.
    args, kwargs = frame.f_locals.get("args"), frame.f_locals.get("kwargs")
    if not args or not isinstance(args[0], QuerySet):
        return None
    return _Get(args[0], args[1:], kwargs or {})


_zeal_notify = zeal_listeners.n_plus_one_listener.notify


def _notify(model: type[Model], field: str, instance_key: str | None) -> None:
    context = zeal_listeners._nplusone_context.get()
    if not context.enabled:
        return
    frame = sys._getframe(1)
    if _excused(model, field, frame):
        return
    reads: dict[Any, list[Any]] = context.__dict__.setdefault("nplusone_reads", {})
    body = _test_body.get()
    if body is not None and context is body.context:
        call = _call_from_the_test(frame)
        if call is not body.call:
            body.call = call
            context.calls.clear()
            reads.clear()
        if field == "get()" and _caller()[0].startswith(TESTS):
            return
    # The same row read again from the same line (a write's response re-reading what it changed, an
    # audit trail's after-snapshot) is a second read, not a read per row; a third is counted again.
    what = _what_is_read(field, instance_key, frame)
    if what is not None:
        earlier = reads.setdefault((model, field, _caller()[:2]), [])
        again = sum(1 for read in earlier if read == what) == 1
        earlier.append(what)
        if again:
            return
    _zeal_notify(model, field, instance_key)


zeal_listeners.n_plus_one_listener.notify = _notify
zeal_listeners.get_caller = _caller

_task_tokens: dict[str, Token[zeal_listeners.NPlusOneContext]] = {}


@task_prerun.connect
def _judge_each_task_on_its_own(task_id: str, **kwargs: Any) -> None:
    _task_tokens[task_id] = setup()


@task_postrun.connect
def _end_the_tasks_judgement(task_id: str, **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        teardown(token)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with zeal_context():
        token = _test_body.set(_TestBody(context=zeal_listeners._nplusone_context.get()))
        try:
            return (yield)
        finally:
            _test_body.reset(token)

"""Tenancy as a mechanism: every trust-owned model is scoped, and scopes are only disabled on purpose."""

import importlib
import re
from collections.abc import Iterator
from pathlib import Path

from django.apps import apps
from django.conf import settings

from trust.models import Trust

# Models outside any one trust, or the tenant itself.
SHARED_MODELS = {"trust.Trust", "trust.User"}
# Every file allowed to call scopes_disabled, and why (each call also carries a comment).
SCOPES_DISABLED_ALLOWED = {
    "trust/middleware.py": "the operator's admin crosses trusts by design",
    "trust/selectors.py": "a person's own trusts; invitation and API token lookups before a trust is known",
    "trust/calendar/feeds.py": "a calendar feed's token is looked up before its trust is known (public .ics URL)",
    "core/data_protection.py": "erasing a trust checks whether its people still belong to, or are named by, others",
    "trust/scale/writer.py": "seed_scale writes thousands of trusts at once, with no request or trust to scope to",
}
OUR_APPS = ["core", "trust", "schools", "reviews", "interventions", "reporting"]


def _is_scoped(manager) -> bool:
    # django-scopes builds each ScopedManager class in a factory, so there is no class to isinstance().
    return type(manager).__qualname__ == "ScopedManager.<locals>.Manager"


def _reaches_trust(model, seen=()) -> bool:
    targets = [f.related_model for f in model._meta.get_fields() if f.many_to_one and f.concrete and f.related_model]
    return any(t is Trust or (t not in seen and _reaches_trust(t, (*seen, model))) for t in targets)


def test_every_model_with_a_path_to_a_trust_uses_a_scoped_manager():
    unscoped = [
        model._meta.label
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label not in SHARED_MODELS and _reaches_trust(model) and not _is_scoped(model._default_manager)
    ]
    assert unscoped == []


# No raw SQL anywhere: every query goes through a scoped manager. A future entry names the file and why.
RAW_SQL_ALLOWED: dict[str, str] = {}
# What crosses trusts, and what bypasses the scoped managers, as written in code (imports do not match).
CROSSING_TRUSTS = re.compile(r"\bscopes_disabled\(|\.with_scopes_disabled\(|_enabled\s*=\s*False")
RAW_SQL = re.compile(r"\.raw\(|\.extra\(|\bRawSQL\(")
# Everything that runs in production: the apps and the settings (bench/ and tests/ are tooling).
SCANNED = [*OUR_APPS, "config"]


def _code(line: str) -> str:
    """The line without its comment (a comment may name what it warns against)."""
    return line.split("#", 1)[0]


def _code_lines() -> Iterator[tuple[str, list[str], int]]:
    """(file, its lines, index) for every line of the scanned Python files."""
    base = Path(settings.BASE_DIR)
    for app in SCANNED:
        for path in sorted((base / app).rglob("*.py")):
            lines = path.read_text().splitlines()
            for index in range(len(lines)):
                yield str(path.relative_to(base)), lines, index


def _says_why(lines: list[str], index: int) -> bool:
    """A comment on the line itself or on the line just above it (the end of a comment block)."""
    return "#" in lines[index] or (index > 0 and lines[index - 1].strip().startswith("#"))


def test_scopes_disabled_and_raw_sql_appear_only_where_allowed():
    offenders = []
    for rel, lines, index in _code_lines():
        if CROSSING_TRUSTS.search(_code(lines[index])) and rel not in SCOPES_DISABLED_ALLOWED:
            offenders.append(f"{rel}:{index + 1}: crosses trusts")
        if RAW_SQL.search(_code(lines[index])) and rel not in RAW_SQL_ALLOWED:
            offenders.append(f"{rel}:{index + 1}: raw SQL")
    assert offenders == []


def test_every_scopes_disabled_and_raw_sql_line_says_why():
    silent = [
        f"{rel}:{index + 1} needs a comment saying why"
        for rel, lines, index in _code_lines()
        if (CROSSING_TRUSTS.search(_code(lines[index])) or RAW_SQL.search(_code(lines[index])))
        and not _says_why(lines, index)
    ]
    assert silent == []


def test_every_allowed_place_still_needs_its_allowance():
    used = {rel for rel, lines, index in _code_lines() if CROSSING_TRUSTS.search(_code(lines[index]))}
    raw = {rel for rel, lines, index in _code_lines() if RAW_SQL.search(_code(lines[index]))}
    assert set(SCOPES_DISABLED_ALLOWED) <= used
    assert set(RAW_SQL_ALLOWED) <= raw


def test_no_code_opens_a_scope_on_no_trust():
    # django-scopes reads scope(trust=None) as "no filter": every trust's rows.
    offenders = [
        f"{rel}:{index + 1}"
        for rel, lines, index in _code_lines()
        if re.search(r"\bscope\([^)]*trust\s*=\s*None", _code(lines[index]))
    ]
    assert offenders == []


def test_every_celery_task_is_a_tenant_task():
    from config.celery import app
    from trust.tasks import TenantTask

    # A worker autodiscovers every app's tasks module; import them all so none escapes the check.
    base = Path(settings.BASE_DIR)
    for path in sorted(base.glob("*/tasks.py")) + sorted(base.glob("*/*/tasks.py")):
        importlib.import_module(".".join(path.relative_to(base).with_suffix("").parts))
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours, "no project task registered"
    assert [t.name for t in ours if not isinstance(t, TenantTask)] == []


def test_every_task_decorator_names_the_tenant_task_base():
    # Also catches a task module no one imports yet.
    offenders = [
        f"{rel}:{index + 1}"
        for rel, lines, index in _code_lines()
        if re.match(r"\s*@(shared_task|app\.task|\w+\.task)\b", _code(lines[index]))
        and "base=TenantTask" not in lines[index]
    ]
    assert offenders == []


# Installed only by `make setup-dev`: `make demo` and production must run without them.
DEV_ONLY_MODULES = {"pytest", "pytest_django", "factory", "playwright", "hypothesis", "xdist", "faker"}


def test_the_app_never_imports_a_package_that_only_the_tests_install():
    base = Path(settings.BASE_DIR)
    pattern = re.compile(r"^\s*(?:from|import)\s+([a-zA-Z_][\w]*)", re.MULTILINE)
    offenders = [
        f"{path.relative_to(base)}: {module}"
        for app in [*OUR_APPS, "config", "interventions"]
        for path in (base / app).rglob("*.py")
        for module in pattern.findall(path.read_text())
        if module in DEV_ONLY_MODULES
    ]
    assert offenders == []

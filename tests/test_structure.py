"""Tenancy as a mechanism: every trust-owned model is scoped, and scopes are only disabled on purpose."""

import re
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
}
OUR_APPS = ["core", "trust", "schools", "reviews", "interventions"]


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


def test_scopes_disabled_and_raw_sql_appear_only_where_allowed():
    base = Path(settings.BASE_DIR)
    offenders = []
    for app in OUR_APPS + ["config"]:
        for path in (base / app).rglob("*.py"):
            rel = str(path.relative_to(base))
            text = path.read_text()
            if "scopes_disabled(" in text and rel not in SCOPES_DISABLED_ALLOWED:
                offenders.append(f"{rel}: scopes_disabled")
            if re.search(r"\.raw\(", text):
                offenders.append(f"{rel}: .raw(")
    assert offenders == []


def test_every_scopes_disabled_call_says_why():
    base = Path(settings.BASE_DIR)
    for rel in SCOPES_DISABLED_ALLOWED:
        lines = (base / rel).read_text().splitlines()
        for number, line in enumerate(lines):
            if "with scopes_disabled()" in line:
                assert lines[number - 1].strip().startswith("#") or lines[number - 2].strip().startswith("#"), (
                    f"{rel}:{number + 1} needs a comment saying why it crosses trusts"
                )


def test_every_celery_task_is_a_tenant_task():
    from config.celery import app
    from trust.tasks import TenantTask

    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours, "no project task registered"
    assert [t.name for t in ours if not isinstance(t, TenantTask)] == []


# Installed only by `make setup-dev`: `make demo` and production must run without them.
DEV_ONLY_MODULES = {"pytest", "pytest_django", "factory", "playwright", "hypothesis", "pypdf", "xdist", "faker"}


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

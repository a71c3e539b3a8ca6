"""Every index the models declare says, on the comment line directly above it, which query it serves.

An index costs every write to its table and disk space forever; the comment is what lets the next
person decide whether it still earns that (docs/performance.md, "Indexes and query plans").
"""

import ast
import inspect
from pathlib import Path

from django.apps import apps
from django.conf import settings

OUR_APPS = ["core", "trust", "schools", "reviews", "interventions", "reporting"]


def _model_files() -> set[Path]:
    return {
        Path(inspect.getsourcefile(model)).resolve()
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=False)
    }


def _declared_indexes(source: str) -> list[int]:
    """The line of every index declared in the source: `Meta.indexes` entries and fields with db_index=True."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef) and node.name == "Meta":
            for statement in node.body:
                targets = statement.targets if isinstance(statement, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == "indexes" for t in targets):
                    entries = statement.value.elts if isinstance(statement.value, ast.List | ast.Tuple) else []
                    lines.extend(entry.lineno for entry in entries)
        elif isinstance(node, ast.Call) and any(
            k.arg == "db_index" and isinstance(k.value, ast.Constant) and k.value.value is True for k in node.keywords
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _uncommented(source: str) -> list[int]:
    """Lines of indexes whose line above is not a comment."""
    text = source.splitlines()
    return [line for line in _declared_indexes(source) if line < 2 or not text[line - 2].strip().startswith("#")]


def test_every_declared_index_has_a_comment_naming_the_query_it_serves():
    missing = []
    found = 0
    for path in sorted(_model_files()):
        source = path.read_text()
        found += len(_declared_indexes(source))
        missing += [f"{path.relative_to(settings.BASE_DIR)}:{line}" for line in _uncommented(source)]
    assert found >= 20, "the check found too few indexes: is it still reading the model files?"
    assert missing == []


def test_an_index_without_a_comment_above_it_is_caught():
    source = """
class Visit(models.Model):
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            # The calendar: a trust's visits by date.
            models.Index(fields=["trust", "at"], name="visit_trust_at"),
            models.Index(fields=["owner", "at"], name="visit_owner_at"),
        ]
"""
    assert _uncommented(source) == [3, 9]


def test_a_comment_above_a_one_line_list_of_indexes_counts_for_its_index():
    source = """
class Meta:
    # The board pack list: a trust's packs newest first.
    indexes = [models.Index(fields=["trust", "-version"], name="pack_recent")]
"""
    assert _uncommented(source) == []

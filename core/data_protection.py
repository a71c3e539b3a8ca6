"""Data-protection operations: a person's records, a trust's full export, its erasure, and retention.

Which models belong to a trust, and which refer to a person, is found by introspection of
`apps.get_models()`, never by a hand-kept list, so a new model is covered the day it is added:
- a model *belongs to a trust* when a chain of foreign keys leads from it to `Trust`; its rows are
  read through its own `ScopedManager` (the same tenancy path the app uses everywhere);
- a model *refers to a person* when it has a ForeignKey, OneToOne or ManyToMany to the user model.

Secrets (password hashes, token hashes, OTP keys) are never written to any export: see SECRET_FIELDS.
The commands in `core/management/commands/` are thin wrappers around the functions here.
"""

import csv
import datetime
import hashlib
import json
import logging
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, router, transaction
from django.db.models import Q, QuerySet
from django.db.models.deletion import Collector
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.audit import audit_record
from core.exports import neutralise
from trust.models import Membership, Trust, User

# Field names that hold secrets, and what each is. Excluded from every export of every model.
SECRET_FIELDS: dict[str, str] = {
    "password": "password hash",
    "token_hash": "hash of an invitation or calendar-feed token",
    "key_hash": "hash of an API key",
    "key": "OTP device secret key",
    "token": "OTP recovery code",
    "secret": "secret value",
    "session_key": "session key",
    "session_data": "session contents",
}
# Models that refer to a person but are not the trust's record of them, and why they are left out.
PERSON_NOT_EXPORTED: dict[str, str] = {
    "admin.LogEntry": "the operator's Django admin log, across trusts: the vendor's record, not the trust's",
}
# Record types the retention sweeper knows; settings.RETENTION_DAYS gives each a number of days (None: keep).
RETENTION_TYPES = ("evidence", "visits", "board_packs", "imports", "audit")
CHUNK = 2000
logger = logging.getLogger(__name__)


# --- Introspection -------------------------------------------------------------------------------


def _forward_relations(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.get_fields() if f.concrete and (f.many_to_one or f.one_to_one) and f.related_model]


def trust_paths(model: type[models.Model], _seen: tuple = ()) -> list[str]:
    """Every chain of foreign keys from the model to Trust, as lookups: ["school__trust", "trust"]."""
    paths = []
    for relation in _forward_relations(model):
        target = relation.related_model
        if target is Trust:
            paths.append(relation.name)
        elif target not in _seen and target is not model:
            paths.extend(f"{relation.name}__{rest}" for rest in trust_paths(target, (*_seen, model)))
    return paths


def trust_owned_models() -> list[type[models.Model]]:
    """Every model with a path to Trust (Trust itself and shared models like ComparatorValue are not)."""
    return [m for m in apps.get_models() if m is not Trust and trust_paths(m)]


def _is_scoped(manager: models.Manager) -> bool:
    # django-scopes builds each ScopedManager class in a factory, so there is no class to isinstance().
    return type(manager).__qualname__ == "ScopedManager.<locals>.Manager"


def trust_rows(model: type[models.Model], trust: Trust) -> QuerySet:
    """The trust's rows of a model, by the model's own tenancy path (its ScopedManager's)."""
    if _is_scoped(model._default_manager):
        return model._default_manager.with_scope(trust=trust.pk).all()
    return model._base_manager.filter(**{trust_paths(model)[0]: trust.pk})


def any_path_to(model: type[models.Model], trust_id: int) -> Q:
    """Rows reaching the trust by any chain of foreign keys (the strict test that nothing is left)."""
    condition = Q()
    for path in trust_paths(model):
        condition |= Q(**{path: trust_id})
    return condition


def user_reference_fields(model: type[models.Model]) -> list[str]:
    """Names of the model's ForeignKey, OneToOne and ManyToMany fields to the user model."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and not f.auto_created and f.related_model is user_model
    ]


def person_models() -> list[type[models.Model]]:
    """The user model and every model that refers to a person (the subject-access export covers each)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return [user_model] + [m for m in apps.get_models() if m is not user_model and user_reference_fields(m)]


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    """The model's concrete and many-to-many fields, secrets left out."""
    return [
        f
        for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if f.name not in SECRET_FIELDS and f.attname not in SECRET_FIELDS
    ]


def excluded_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in [*model._meta.concrete_fields, *model._meta.many_to_many] if f.name in SECRET_FIELDS]


def _file_fields(model: type[models.Model]) -> list[models.FileField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def trust_prefix(trust: Trust) -> str:
    """Every private file of a trust is stored under this prefix of the default storage."""
    return f"trusts/{trust.code}/"


# --- Rows as plain JSON ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _rows(queryset: QuerySet, fields: list[models.Field]) -> Iterator[dict[str, Any]]:
    """Each row as {field name: plain value}: foreign keys as ids, many-to-many as lists of ids."""
    m2m = [f.name for f in fields if f.many_to_many]
    for obj in queryset.prefetch_related(*m2m).order_by("pk").iterator(chunk_size=CHUNK):
        row: dict[str, Any] = {}
        for f in fields:
            if f.many_to_many:
                row[f.name] = sorted(related.pk for related in getattr(obj, f.name).all())
            elif f.is_relation:
                row[f.name] = getattr(obj, f.attname)
            else:
                row[f.name] = _plain(f.value_from_object(obj))
        yield row


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return neutralise(json.dumps(value, ensure_ascii=False))
    return neutralise(str(value)) if isinstance(value, str) else value


def _write_csv(path: Path, headers: list[str], rows: Iterable[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(row[h]) for h in headers])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def _new_folder(out: Path, name: str) -> Path:
    folder = out / f"{name}-{timezone.now():%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def _zip(folder: Path) -> Path:
    archive = Path(shutil.make_archive(str(folder), "zip", root_dir=folder))
    shutil.rmtree(folder)
    return archive


# --- Subject access: one person's records in one trust ---------------------------------------------


@dataclass
class PersonExport:
    path: Path
    counts: dict[str, int]
    not_exported: dict[str, str] = field(default_factory=dict)


def person_records(*, user: User, trust: Trust) -> dict[str, list[dict[str, Any]]]:
    """Every record of the trust that refers to the person, by model label; plus their own account rows."""
    records: dict[str, list[dict[str, Any]]] = {}
    with scope(trust=trust.pk):
        for model in person_models():
            label = model._meta.label
            if label in PERSON_NOT_EXPORTED:
                continue
            fields = exported_fields(model)
            if model is type(user):
                queryset = model._base_manager.filter(pk=user.pk)
            else:
                refers = Q()
                for name in user_reference_fields(model):
                    refers |= Q(**{name: user.pk})
                # Trust records are read in the trust's scope; account records (e.g. OTP devices) are the person's own.
                base = trust_rows(model, trust) if trust_paths(model) else model._base_manager.all()
                queryset = base.filter(pk__in=base.filter(refers).values("pk"))
            records[label] = list(_rows(queryset, fields))
    return records


def export_person(*, user: User, trust: Trust, out: Path, as_zip: bool = False) -> PersonExport:
    """A subject-access export: person.json (grouped by model) and one CSV per model with rows."""
    records = person_records(user=user, trust=trust)
    folder = _new_folder(Path(out), f"person-{trust.slug}-{user.uuid}")
    document = {
        "person": {"email": user.email, "full_name": user.full_name, "uuid": str(user.uuid)},
        "trust": {"slug": trust.slug, "name": trust.name},
        "exported_at": timezone.now().isoformat(),
        "models": sorted(records),
        "excluded_fields": {
            label: excluded_fields(apps.get_model(label)) for label in records if excluded_fields(apps.get_model(label))
        },
        "not_exported": PERSON_NOT_EXPORTED,
        "records": records,
    }
    (folder / "person.json").write_text(json.dumps(document, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder))
    (folder / "csv").mkdir()
    for label, rows in records.items():
        if rows:
            headers = [f.name for f in exported_fields(apps.get_model(label))]
            _write_csv(folder / "csv" / f"{label}.csv", headers, rows)
    path = _zip(folder) if as_zip else folder
    return PersonExport(path=path, counts={label: len(rows) for label, rows in records.items()})


# --- A trust's full export --------------------------------------------------------------------------


@dataclass
class TrustExport:
    path: Path
    rows: dict[str, int]
    files: int


def trust_file_names(trust: Trust) -> list[str]:
    """Every stored file of the trust: all under its prefix, and any file its rows name elsewhere."""
    names = set(_storage_walk(trust_prefix(trust).rstrip("/")))
    with scope(trust=trust.pk):
        for model in trust_owned_models():
            for file_field in _file_fields(model):
                for name in (
                    trust_rows(model, trust)
                    .exclude(**{file_field.attname: ""})
                    .values_list(file_field.attname, flat=True)
                ):
                    if name and default_storage.exists(name):
                        names.add(name)
    return sorted(names)


def _storage_walk(folder: str) -> Iterator[str]:
    try:
        directories, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from _storage_walk(f"{folder}/{directory}")


def _members(trust: Trust, referenced: set[int]) -> list[dict[str, Any]]:
    """The trust's members (and anyone its rows name) as email, name and role: nothing of their other trusts."""
    roles = {m.user_id: m for m in Membership.objects.with_scope(trust=trust.pk).select_related("school")}
    people = User.objects.filter(pk__in=set(roles) | referenced).order_by("email")
    return [
        {
            "id": person.pk,
            "email": person.email,
            "full_name": person.full_name,
            "role": roles[person.pk].role if person.pk in roles else None,
            "school_urn": roles[person.pk].school.urn if person.pk in roles and roles[person.pk].school else None,
        }
        for person in people
    ]


def export_trust(*, trust: Trust, out: Path, as_zip: bool = False) -> TrustExport:
    """Every row of every model with a path to the trust (JSON lines per model), its files, and a manifest."""
    folder = _new_folder(Path(out), f"trust-{trust.slug}")
    (folder / "data").mkdir()
    manifest: dict[str, Any] = {
        "format": "trustwide-trust-export/1",
        "trust": {"slug": trust.slug, "name": trust.name, "code": str(trust.code), "uuid": str(trust.uuid)},
        "exported_at": timezone.now().isoformat(),
        "models": {},
        "excluded_fields": {},
        "files": {},
    }
    referenced_people: set[int] = set()
    with scope(trust=trust.pk):
        for model in [Trust, *trust_owned_models()]:
            label = model._meta.label
            fields = exported_fields(model)
            queryset = Trust.objects.filter(pk=trust.pk) if model is Trust else trust_rows(model, trust)
            people = user_reference_fields(model)
            path = folder / "data" / f"{label}.jsonl"
            count = 0
            with path.open("w", encoding="utf-8") as handle:
                for row in _rows(queryset, fields):
                    handle.write(json.dumps({"model": label, "fields": row}, ensure_ascii=False) + "\n")
                    count += 1
                    for name in people:
                        value = row.get(name)
                        referenced_people.update(value if isinstance(value, list) else [value] if value else [])
            manifest["models"][label] = {"rows": count, "path": f"data/{label}.jsonl", "sha256": _sha256(path)}
            if excluded := excluded_fields(model):
                manifest["excluded_fields"][label] = excluded
        members = _members(trust, referenced_people)
    (folder / "members.json").write_text(json.dumps(members, indent=2, ensure_ascii=False))
    manifest["members"] = len(members)

    prefix = trust_prefix(trust)
    for name in trust_file_names(trust):
        relative = name[len(prefix) :] if name.startswith(prefix) else f"_elsewhere/{name}"
        target = folder / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as source, target.open("wb") as copy:
            shutil.copyfileobj(source, copy)
        manifest["files"][name] = {
            "path": f"files/{relative}",
            "sha256": _sha256(target),
            "size": target.stat().st_size,
        }

    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    path = _zip(folder) if as_zip else folder
    return TrustExport(
        path=path, rows={k: v["rows"] for k, v in manifest["models"].items()}, files=len(manifest["files"])
    )


# --- Erasure at the end of a contract ---------------------------------------------------------------


@dataclass
class TrustErasure:
    rows: dict[str, int]
    files: int
    users_deleted: list[str]
    users_kept: list[str]


def _deletion_order(models_: list[type[models.Model]]) -> list[type[models.Model]]:
    """Children first: a model is deleted only once no remaining model points at it.

    Then no delete cascades into rows another model PROTECTs (Django refuses those even when the
    protecting row would go in the same delete). Only PROTECT/RESTRICT links must hold in a cycle;
    the others are dropped until the cycle breaks.
    """

    def pointing_at(only_blocking: bool) -> dict[type[models.Model], set[type[models.Model]]]:
        return {
            m: {
                f.model
                for other in waiting
                for f in _forward_relations(other)
                if f.related_model is m
                and other is not m
                and (not only_blocking or f.remote_field.on_delete in (models.PROTECT, models.RESTRICT))
            }
            for m in waiting
        }

    waiting = list(models_)
    ordered: list[type[models.Model]] = []
    while waiting:
        ready = [m for m, sources in pointing_at(False).items() if not sources]
        ready = ready or [m for m, sources in pointing_at(True).items() if not sources]
        if not ready:
            raise RuntimeError(f"PROTECT cycle among {sorted(m._meta.label for m in waiting)}")
        for m in sorted(ready, key=lambda m: m._meta.label):
            ordered.append(m)
            waiting.remove(m)
    return ordered


def _erase_audit(trust_id: int) -> int:
    # Audit entries refuse every delete; core.audit owns the one way to erase a trust's trail.
    from core import audit

    return audit.erase_for_trust(trust_id)


def _still_referenced(user_id: int) -> bool:
    """Whether any trust's row still names the person (so deleting them would change another trust's data)."""
    for model in trust_owned_models():
        refers = Q()
        for name in user_reference_fields(model):
            refers |= Q(**{name: user_id})
        if user_reference_fields(model) and model._base_manager.filter(refers).exists():
            return True
    return False


def erase_trust(*, trust: Trust) -> TrustErasure:
    """Delete every row of the trust, every file under its storage prefix, and people who belonged only to it.

    Append-only records (ratings, snapshots, audit entries) refuse deletion through their managers and
    models; erasure at the end of a contract is the one place they go, so rows are deleted here through
    the plain base manager, children before the rows they PROTECT.
    """
    file_names = trust_file_names(trust)
    member_ids = list(Membership.objects.with_scope(trust=trust.pk).values_list("user_id", flat=True))
    counts: dict[str, int] = {}
    deleted_users: list[str] = []
    kept_users: list[str] = []
    # Erasure crosses trusts on purpose: it must see whether a person still belongs to, or is named
    # by, another trust before deleting them, and the collector follows references without a scope.
    with scopes_disabled(), transaction.atomic():
        counts["core.AuditEntry"] = _erase_audit(trust.pk)
        for model in _deletion_order(trust_owned_models()):
            ids = model._base_manager.filter(pk__in=trust_rows(model, trust).values("pk"))
            _, per_model = ids.delete()
            for label, number in per_model.items():
                counts[label] = counts.get(label, 0) + number
        Trust.objects.filter(pk=trust.pk).delete()
        for person in User.objects.filter(pk__in=member_ids).order_by("email"):
            if person.is_staff or person.is_superuser or person.memberships.exists() or _still_referenced(person.pk):
                kept_users.append(person.email)  # operators, and people another trust still knows, stay
            else:
                deleted_users.append(person.email)
                person.delete()
        transaction.on_commit(lambda: _delete_files(file_names))
    return TrustErasure(
        rows={k: v for k, v in counts.items() if v},
        files=len(file_names),
        users_deleted=deleted_users,
        users_kept=kept_users,
    )


def _delete_files(names: Iterable[str]) -> None:
    for name in names:
        default_storage.delete(name)


def rows_left(trust_id: int) -> dict[str, int]:
    """Rows of any model still reaching the trust by any chain of foreign keys (empty after an erasure)."""
    # Counting across every trust is the point: the check must not trust a scope.
    with scopes_disabled():
        counts = {m._meta.label: m._base_manager.filter(any_path_to(m, trust_id)).count() for m in trust_owned_models()}
    return {label: n for label, n in counts.items() if n}


# --- Retention ----------------------------------------------------------------------------------------


def retention_days() -> dict[str, int | None]:
    configured = getattr(settings, "RETENTION_DAYS", {}) or {}
    return {kind: configured.get(kind) for kind in RETENTION_TYPES}


def _retained(kind: str, trust: Trust, cutoff: datetime.date) -> QuerySet | None:
    """The trust's records of one type that are older than the cutoff (None for the audit trail)."""
    from interventions.models import Activity
    from reporting.models import BoardPack, BoardPackStatus
    from reviews.models import Evidence
    from schools.models import ImportRun, ImportStatus

    if kind == "evidence":
        return Evidence.objects.filter(observed_on__lt=cutoff)
    if kind == "visits":
        return Activity.objects.filter(planned_on__lt=cutoff)
    if kind == "board_packs":
        # A pack still being prepared is never swept from under its job.
        unfinished = [BoardPackStatus.QUEUED, BoardPackStatus.RUNNING]
        return BoardPack.objects.filter(created_at__date__lt=cutoff).exclude(status__in=unfinished)
    if kind == "imports":
        return ImportRun.objects.filter(created_at__date__lt=cutoff).exclude(
            status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
        )
    return None


def _delete_with_files(queryset: QuerySet) -> tuple[int, list[str]]:
    """Delete the rows and everything that cascades from them; returns the count and their stored files."""
    collector = Collector(using=router.db_for_write(queryset.model), origin=queryset)
    collector.collect(queryset)
    names: list[str] = []
    for model, instances in collector.data.items():
        for file_field in _file_fields(model):
            names += [getattr(obj, file_field.attname).name for obj in instances]
    for batch in collector.fast_deletes:
        for file_field in _file_fields(batch.model):
            names += list(batch.values_list(file_field.attname, flat=True))
    deleted, _ = collector.delete()
    return deleted, [name for name in names if name]


def retention_sweep(*, trust: Trust, today: datetime.date) -> dict[str, int]:
    """Delete the trust's records (and their files) older than each type's retention; off unless configured."""
    swept: dict[str, int] = {}
    with scope(trust=trust.pk):
        for kind, days in retention_days().items():
            if days is None:
                continue  # None keeps the records for ever: the default for every type
            cutoff = today - datetime.timedelta(days=days)
            if kind == "audit":
                swept[kind] = _sweep_audit(trust.pk, cutoff)
                continue
            queryset = _retained(kind, trust, cutoff)
            with transaction.atomic():
                swept[kind], files = _delete_with_files(queryset)
                transaction.on_commit(lambda files=files: _delete_files(files))
        if any(swept.values()):
            audit_record(
                trust=trust,
                actor=None,
                action="retention.swept",
                obj=trust,
                changes=swept,
                label=f"Records past their retention period, to {today:%d %b %Y}",
            )
    return swept


def _sweep_audit(trust_id: int, cutoff: datetime.date) -> int:
    # Audit entries refuse deletion through their manager; core.audit owns the dated erase.
    from core import audit

    return audit.erase_before(trust_id, cutoff)

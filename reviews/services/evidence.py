"""Recording, changing and deleting evidence, with its optional file.

A file is checked by `core.uploads.validate_upload` before anything is written. The stored
path comes from `evidence_upload_path` (a UUID per file), never from the person's file name.
If the database write fails after the file is stored, the file is removed again, so a
failure leaves no row and no file behind.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone

from core.audit import audit_record, diff, snapshot_fields
from core.dedupe import refuse_repeat
from core.exceptions import ApplicationError
from core.uploads import validate_upload
from reviews.models import Evidence, EvidenceType, JudgementArea
from reviews.selectors.evidence import may_change_evidence
from schools.models import School
from trust.models import Membership, User
from trust.permissions import Action, can
from trust.selectors import membership_for

EVIDENCE_FIELDS = [
    "evidence_type",
    "observed_on",
    "summary",
    "strengths",
    "areas_for_development",
    "shared_with_school",
]
# What the audit trail keeps of an item: its fields, its areas and its file's name (never the file).
AUDITED_FIELDS = [*EVIDENCE_FIELDS, "areas", "file_name"]


def _membership(actor: User, school: School) -> Membership:
    membership = membership_for(actor, school.trust)
    if membership is None:
        raise ApplicationError("You are not a member of this school's trust.")
    return membership


def _check(*, school: School, evidence_type: str, observed_on: datetime.date, areas: list[JudgementArea]) -> None:
    if evidence_type not in EvidenceType.values:
        raise ApplicationError("Choose a type of evidence from the list.", {"field": "evidence_type"})
    if observed_on > timezone.localdate():
        raise ApplicationError("The date of the evidence cannot be in the future.", {"field": "observed_on"})
    if any(area.trust_id != school.trust_id for area in areas):
        raise ApplicationError("Choose judgement areas of this school's trust.", {"field": "areas"})


def _store(evidence: Evidence, upload: Any) -> str:
    upload.seek(0)
    # The name passed here is ignored by evidence_upload_path: the stored path is <uuid>.bin.
    evidence.file.save("upload.bin", upload, save=False)
    return evidence.file.name


def _delete_after_commit(storage: Storage, name: str) -> None:
    # A rolled-back delete must keep its file: remove it only once the row is really gone.
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def evidence_record(
    *,
    school: School,
    actor: User,
    evidence_type: str,
    observed_on: datetime.date,
    summary: str,
    areas: Iterable[JudgementArea] = (),
    strengths: str = "",
    areas_for_development: str = "",
    shared_with_school: bool = False,
    upload: Any = None,
) -> Evidence:
    """Record an item of evidence for a school, with an optional file checked before it is stored."""
    membership = _membership(actor, school)
    if not can(membership, Action.RECORD_EVIDENCE):
        raise ApplicationError("Your role cannot record evidence.")
    areas = list(areas)
    _check(school=school, evidence_type=evidence_type, observed_on=observed_on, areas=areas)
    file_name, file_type = validate_upload(upload) if upload is not None else ("", "")
    refuse_repeat(
        Evidence.objects.filter(school=school, author=actor),
        what="evidence",
        evidence_type=evidence_type,
        observed_on=observed_on,
        summary=summary.strip(),
        file_name=file_name,
    )
    evidence = Evidence(
        school=school,
        evidence_type=evidence_type,
        observed_on=observed_on,
        author=actor,
        summary=summary.strip(),
        strengths=strengths.strip(),
        areas_for_development=areas_for_development.strip(),
        shared_with_school=shared_with_school,
        file_name=file_name,
        file_type=file_type,
        file_size=upload.size if upload is not None else 0,
    )
    evidence.full_clean()
    stored = ""
    try:
        with transaction.atomic():
            evidence.save()
            evidence.areas.set(areas)
            if upload is not None:
                stored = _store(evidence, upload)
                evidence.save(update_fields=["file", "updated_at"])
            audit_record(
                trust=school.trust_id,
                actor=actor,
                action="evidence.recorded",
                obj=evidence,
                changes=snapshot_fields(evidence, AUDITED_FIELDS),
            )
    except BaseException:
        if stored:
            evidence.file.storage.delete(stored)
        raise
    return evidence


def evidence_update(
    *,
    evidence: Evidence,
    actor: User,
    evidence_type: str,
    observed_on: datetime.date,
    summary: str,
    areas: Iterable[JudgementArea] = (),
    strengths: str = "",
    areas_for_development: str = "",
    shared_with_school: bool = False,
    upload: Any = None,
    remove_file: bool = False,
) -> Evidence:
    """Change an item (its school stays); a new file replaces the old one, which is removed on commit."""
    if not may_change_evidence(_membership(actor, evidence.school), evidence):
        raise ApplicationError("Only the author, an executive or an improvement lead can change this evidence.")
    areas = list(areas)
    _check(school=evidence.school, evidence_type=evidence_type, observed_on=observed_on, areas=areas)
    file_name, file_type = validate_upload(upload) if upload is not None else (None, None)
    old_name = evidence.file.name or ""
    storage = evidence.file.storage
    before = snapshot_fields(evidence, AUDITED_FIELDS)
    evidence.evidence_type = evidence_type
    evidence.observed_on = observed_on
    evidence.summary = summary.strip()
    evidence.strengths = strengths.strip()
    evidence.areas_for_development = areas_for_development.strip()
    evidence.shared_with_school = shared_with_school
    changed = [*EVIDENCE_FIELDS, "updated_at"]
    if upload is not None or (remove_file and old_name):
        evidence.file = None
        evidence.file_name, evidence.file_type, evidence.file_size = "", "", 0
        changed += ["file", "file_name", "file_type", "file_size"]
    if upload is not None:
        evidence.file_name, evidence.file_type, evidence.file_size = file_name, file_type, upload.size
    evidence.full_clean()
    stored = ""
    try:
        with transaction.atomic():
            if upload is not None:
                stored = _store(evidence, upload)
            evidence.save(update_fields=changed)
            evidence.areas.set(areas)
            if "file" in changed:
                _delete_after_commit(storage, old_name)
            audit_record(
                trust=evidence.school.trust_id,
                actor=actor,
                action="evidence.updated",
                obj=evidence,
                changes=diff(before, snapshot_fields(evidence, AUDITED_FIELDS)),
            )
    except BaseException:
        if stored:
            storage.delete(stored)
        raise
    return evidence


def evidence_delete(*, evidence: Evidence, actor: User) -> None:
    """Delete an item and, once the deletion is committed, its file."""
    if not may_change_evidence(_membership(actor, evidence.school), evidence):
        raise ApplicationError("Only the author, an executive or an improvement lead can delete this evidence.")
    if evidence.ratings.exists():
        # Ratings are an append-only record of decisions; the evidence they rest on stays.
        raise ApplicationError("This evidence is cited by a rating decision, so it is kept as part of that record.")
    name, storage = evidence.file.name or "", evidence.file.storage
    with transaction.atomic():
        audit_record(
            trust=evidence.school.trust_id,
            actor=actor,
            action="evidence.deleted",
            obj=evidence,
            changes=snapshot_fields(evidence, AUDITED_FIELDS),
        )
        evidence.delete()
        _delete_after_commit(storage, name)

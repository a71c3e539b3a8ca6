"""Self-evaluation: the headteacher writes and submits; the trust's leads return it with comments or accept it.

Status moves only draft -> submitted, returned -> submitted, submitted -> returned and
submitted -> accepted. Repeating the step just taken (a double click) changes nothing.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.academic import academic_year_for, academic_year_label
from core.audit import audit_record, diff
from core.exceptions import ApplicationError
from reviews.models import Evidence, Grade, JudgementArea, SelfEvaluation, SelfEvaluationEntry, SelfEvaluationStatus
from reviews.selectors.evidence import evidence_visible_to
from reviews.selectors.sef import missing_areas
from reviews.services.areas import judgement_areas_ensure
from schools.models import School
from trust.models import Membership, User
from trust.permissions import Action, can
from trust.selectors import membership_for

S = SelfEvaluationStatus
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.SUBMITTED},
    S.RETURNED: {S.SUBMITTED},
    S.SUBMITTED: {S.RETURNED, S.ACCEPTED},
}
VERBS = {S.SUBMITTED: "submitted", S.RETURNED: "returned", S.ACCEPTED: "accepted"}
WRITABLE = {S.DRAFT, S.RETURNED}


@dataclass(frozen=True)
class EntryInput:
    """What the headteacher wrote for one area."""

    self_grade: int | None = None
    strengths: str = ""
    areas_for_development: str = ""
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)


def current_academic_year(today: datetime.date | None = None) -> int:
    return academic_year_for(today or timezone.localdate())


def _membership(actor: User, school: School) -> Membership:
    membership = membership_for(actor, school.trust)
    if membership is None:
        raise ApplicationError("You are not a member of this school's trust.")
    return membership


def _writer(actor: User, school: School) -> Membership:
    membership = _membership(actor, school)
    if not can(membership, Action.WRITE_SEF) or membership.school_id != school.pk:
        raise ApplicationError("Only the school's headteacher can write and submit its self-evaluation.")
    return membership


def _reviewer(actor: User, school: School) -> None:
    if not can(_membership(actor, school), Action.REVIEW_SEF):
        raise ApplicationError("Only an executive or improvement lead can return or accept a self-evaluation.")


def _check_current_year(academic_year: int) -> None:
    if academic_year != current_academic_year():
        raise ApplicationError(
            f"Only this year's self-evaluation ({academic_year_label(current_academic_year())}) can be written; "
            "earlier years are kept as they were."
        )


def _audited(sef: SelfEvaluation) -> dict[str, object]:
    """The SEF as the trail keeps it: its summary and each area's self-grade, strengths and development areas."""
    values: dict[str, object] = {"summary": sef.summary}
    for entry in sef.entries.select_related("area").prefetch_related("evidence"):
        values[entry.area.label] = {
            "self_grade": entry.get_self_grade_display() if entry.self_grade else None,
            "strengths": entry.strengths,
            "areas_for_development": entry.areas_for_development,
            "evidence": sorted(str(item.uuid) for item in entry.evidence.all()),
        }
    return values


def _audit_move(sef: SelfEvaluation, actor: User, was: str, comments: str = "") -> None:
    changes: dict[str, object] = {"status": [S(was).label, sef.get_status_display()]}
    if comments:
        changes["review_comments"] = comments
    audit_record(trust=sef.school.trust_id, actor=actor, action=f"sef.{sef.status}", obj=sef, changes=changes)


def _locked(sef: SelfEvaluation) -> SelfEvaluation:
    return SelfEvaluation.objects.select_for_update().select_related("school").get(pk=sef.pk)


def _move(sef: SelfEvaluation, to: str) -> None:
    if to not in TRANSITIONS.get(sef.status, set()):
        raise ApplicationError(
            f"A self-evaluation that is {S(sef.status).label.lower()} cannot be {VERBS[to]}.",
            {"status": sef.status},
        )
    sef.status = to


def sef_save(
    *,
    school: School,
    actor: User,
    academic_year: int,
    summary: str = "",
    entries: Mapping[JudgementArea, EntryInput] | None = None,
) -> SelfEvaluation:
    """Save the headteacher's draft (creating the year's SEF the first time); only while draft or returned."""
    membership = _writer(actor, school)
    _check_current_year(academic_year)
    entries = dict(entries or {})
    for area, data in entries.items():
        if area.trust_id != school.trust_id or not area.is_active:
            raise ApplicationError("Choose judgement areas the trust uses.", {"field": "entries"})
        if data.self_grade is not None and data.self_grade not in Grade.values:
            raise ApplicationError(f"Choose a self-grade from the five-point scale for {area.label}.")
    linked = {item.pk for data in entries.values() for item in data.evidence}
    if linked:
        allowed = set(evidence_visible_to(membership, school).filter(pk__in=linked).values_list("pk", flat=True))
        if linked - allowed:
            raise ApplicationError("Link only evidence of this school that is shared with it.", {"field": "evidence"})

    with transaction.atomic():
        sef, _ = SelfEvaluation.objects.get_or_create(school=school, academic_year=academic_year)
        sef = _locked(sef)
        if sef.status not in WRITABLE:
            raise ApplicationError(
                f"This self-evaluation is {S(sef.status).label.lower()}: it can be changed again only if the trust "
                "returns it."
            )
        before = _audited(sef)
        sef.summary = summary.strip()
        sef.full_clean()
        sef.save(update_fields=["summary", "updated_at"])
        existing = {e.area_id: e for e in sef.entries.all()}
        links: set[tuple[int, int]] = set()
        for area, data in entries.items():
            entry = existing.get(area.pk) or SelfEvaluationEntry(self_evaluation=sef, area=area)
            entry.self_grade = data.self_grade
            entry.strengths = data.strengths.strip()
            entry.areas_for_development = data.areas_for_development.strip()
            entry.full_clean()
            entry.save()
            existing[area.pk] = entry
            links |= {(entry.pk, item.pk) for item in data.evidence}
        _link_evidence([existing[area.pk].pk for area in entries], links)
        audit_record(
            trust=school.trust_id, actor=actor, action="sef.saved", obj=sef, changes=diff(before, _audited(sef))
        )
    return sef


def _link_evidence(entry_ids: list[int], links: set[tuple[int, int]]) -> None:
    """Make the entries' evidence links exactly `links` (entry id, evidence id): three queries for the whole
    SEF, where each entry's evidence.set() would take two or three per area."""
    Link = SelfEvaluationEntry.evidence.through
    current = set(
        Link.objects.filter(selfevaluationentry_id__in=entry_ids).values_list("selfevaluationentry_id", "evidence_id")
    )
    gone = current - links
    if gone:
        Link.objects.filter(
            reduce(or_, (Q(selfevaluationentry_id=entry, evidence_id=item) for entry, item in gone))
        ).delete()
    Link.objects.bulk_create(
        [Link(selfevaluationentry_id=entry, evidence_id=item) for entry, item in sorted(links - current)]
    )


def sef_submit(*, self_evaluation: SelfEvaluation, actor: User) -> SelfEvaluation:
    """Submit to the trust; every active area needs a self-grade. Submitting twice has one effect."""
    _writer(actor, self_evaluation.school)
    _check_current_year(self_evaluation.academic_year)
    with transaction.atomic():
        sef = _locked(self_evaluation)
        if sef.status == S.SUBMITTED:
            return sef
        was = sef.status
        _move(sef, S.SUBMITTED)
        missing = missing_areas(sef, judgement_areas_ensure(trust=sef.school.trust))
        if missing:
            raise ApplicationError(
                "Give a self-grade for every area before submitting. Not yet graded: "
                + ", ".join(a.label for a in missing)
                + ".",
                {"missing_areas": [a.code for a in missing]},
            )
        sef.submitted_at = timezone.now()
        sef.submitted_by = actor
        sef.full_clean()
        sef.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        _audit_move(sef, actor, was)
    return sef


def sef_return(*, self_evaluation: SelfEvaluation, actor: User, comments: str) -> SelfEvaluation:
    """Send a submitted SEF back to the school with comments (required) saying what to change."""
    _reviewer(actor, self_evaluation.school)
    comments = comments.strip()
    if not comments:
        raise ApplicationError(
            "Say what the school should change: comments are required when returning a self-evaluation.",
            {"field": "comments"},
        )
    with transaction.atomic():
        sef = _locked(self_evaluation)
        if sef.status == S.RETURNED and sef.review_comments == comments:
            return sef
        was = sef.status
        _move(sef, S.RETURNED)
        return _reviewed(sef, actor, comments, was)


def sef_accept(*, self_evaluation: SelfEvaluation, actor: User, comments: str = "") -> SelfEvaluation:
    """Accept a submitted SEF, with optional comments. Accepting twice has one effect."""
    _reviewer(actor, self_evaluation.school)
    with transaction.atomic():
        sef = _locked(self_evaluation)
        if sef.status == S.ACCEPTED:
            return sef
        was = sef.status
        _move(sef, S.ACCEPTED)
        return _reviewed(sef, actor, comments.strip(), was)


def _reviewed(sef: SelfEvaluation, actor: User, comments: str, was: str) -> SelfEvaluation:
    sef.reviewed_at = timezone.now()
    sef.reviewed_by = actor
    sef.review_comments = comments
    sef.full_clean()
    sef.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_comments", "updated_at"])
    _audit_move(sef, actor, was, comments)
    return sef

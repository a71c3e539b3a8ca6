"""Joining the trust (seed 003): prospective school -> due diligence -> ratification -> induction."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record, diff
from core.exceptions import ApplicationError
from schools.models import RAG, DueDiligenceFinding, DueDiligenceReport, InductionItem, MembershipStatus, School
from schools.models.joining import DUE_DILIGENCE_SECTIONS, INDUCTION_ITEMS
from trust.models import Trust, User

URN_MIN, URN_MAX = 100000, 999999
FINDING_FIELDS = ("rag", "findings", "evidence")


def prospective_school_add(
    *, trust: Trust, actor: User, urn: int, name: str, la_name: str = "", phase: str = ""
) -> School:
    """Record a school that wants to join, with an empty due diligence report of the eight sections."""
    name = name.strip()
    if not name:
        raise ApplicationError("Enter the school's name.", {"field": "name"})
    if not URN_MIN <= int(urn) <= URN_MAX:
        raise ApplicationError("A URN is the six-digit number from Get Information About Schools.", {"field": "urn"})
    existing = School.objects.filter(trust=trust, urn=urn).first()
    if existing is not None:
        raise ApplicationError(
            f"URN {urn} is already in this trust as {existing.name} ({existing.get_status_display().lower()}).",
            {"field": "urn"},
        )

    school = School(
        trust=trust,
        urn=urn,
        name=name,
        la_name=la_name.strip(),
        phase=phase.strip(),
        status=MembershipStatus.PROSPECTIVE,
    )
    school.full_clean()
    try:
        with transaction.atomic():
            school.save()
            report = DueDiligenceReport(school=school, author=actor)
            report.full_clean()
            report.save()
            findings = [DueDiligenceFinding(report=report, section=section) for section in DUE_DILIGENCE_SECTIONS]
            for finding in findings:
                finding.full_clean(validate_unique=False, validate_constraints=False)
            DueDiligenceFinding.objects.bulk_create(findings)
            audit_record(
                trust=trust,
                actor=actor,
                action="school.prospective_added",
                obj=school,
                changes={"urn": school.urn, "name": school.name, "la_name": school.la_name, "phase": school.phase},
            )
    except IntegrityError as error:
        # Two people adding the same URN at once: the constraint decides, the message is the same.
        raise ApplicationError(f"URN {urn} is already in this trust.", {"field": "urn"}) from error
    return school


def _refuse_if_ratified(report: DueDiligenceReport) -> None:
    if report.ratified_on is not None:
        raise ApplicationError(
            f"The due diligence report on {report.school.name} was ratified on "
            f"{report.ratified_on:%-d %B %Y}; it can no longer be changed."
        )


def due_diligence_update(
    *, report: DueDiligenceReport, actor: User, summary: str, findings: dict[str, dict[str, Any]]
) -> DueDiligenceReport:
    """Write the summary and any sections' RAG rating, findings and evidence (sections not given stay as they are)."""
    _refuse_if_ratified(report)
    unknown = set(findings) - set(DUE_DILIGENCE_SECTIONS)
    if unknown:
        raise ApplicationError(f"Unknown due diligence section: {', '.join(sorted(unknown))}.")

    with transaction.atomic():
        current = {finding.section: finding for finding in report.findings.select_for_update()}
        before = {s: {f: getattr(finding, f) for f in FINDING_FIELDS} for s, finding in current.items()}
        before["summary"] = report.summary
        changed = []
        for section, values in findings.items():
            finding = current.get(section) or DueDiligenceFinding(report=report, section=section)
            rag = values.get("rag", finding.rag) or ""
            if rag not in RAG.values and rag != "":
                raise ApplicationError(
                    f"Choose red, amber, green or not yet rated for {DUE_DILIGENCE_SECTIONS[section]}.",
                    {"field": f"{section}_rag"},
                )
            finding.rag = rag
            finding.findings = (values.get("findings", finding.findings) or "").strip()
            finding.evidence = (values.get("evidence", finding.evidence) or "").strip()
            finding.full_clean(validate_unique=False, validate_constraints=False)
            changed.append(finding)
        DueDiligenceFinding.objects.bulk_create([f for f in changed if f.pk is None])
        DueDiligenceFinding.objects.bulk_update([f for f in changed if f.pk is not None], list(FINDING_FIELDS))

        report.summary = summary.strip()
        report.author = actor
        report.full_clean()
        report.save(update_fields=["summary", "author", "updated_at"])
        after = {**before, **{f.section: {name: getattr(f, name) for name in FINDING_FIELDS} for f in changed}}
        after["summary"] = report.summary
        audit_record(
            trust=report.school.trust_id,
            actor=actor,
            action="due_diligence.updated",
            obj=report,
            changes=diff(before, after),
        )
    return report


def due_diligence_ratify(
    *, report: DueDiligenceReport, actor: User, ratified_on: datetime.date, notes: str = ""
) -> DueDiligenceReport:
    """Record the directors' ratification: the school becomes a member and its induction checklist begins."""
    school = report.school
    _refuse_if_ratified(report)
    if school.status != MembershipStatus.PROSPECTIVE:
        raise ApplicationError(
            f"Only a prospective school can be ratified; {school.name} is {school.get_status_display().lower()}."
        )
    if ratified_on > timezone.localdate():
        raise ApplicationError("The date of ratification cannot be in the future.", {"field": "ratified_on"})
    rated = dict(report.findings.values_list("section", "rag"))
    unrated = [label for section, label in DUE_DILIGENCE_SECTIONS.items() if not rated.get(section)]
    if unrated:
        raise ApplicationError(
            f"Rate every section before ratifying. Not yet rated: {', '.join(unrated)}.", {"unrated": unrated}
        )

    report.ratified_on = ratified_on
    report.ratified_by = actor
    report.ratification_notes = notes.strip()
    report.full_clean()
    with transaction.atomic():
        # Compare-and-set: of two ratifications posted at once, exactly one changes the row.
        claimed = DueDiligenceReport.objects.filter(pk=report.pk, ratified_on__isnull=True).update(
            ratified_on=report.ratified_on,
            ratified_by=actor,
            ratification_notes=report.ratification_notes,
            updated_at=timezone.now(),
        )
        if not claimed:
            report.refresh_from_db()
            _refuse_if_ratified(report)
            raise ApplicationError("The report changed while you were ratifying it; try again.")
        school.status = MembershipStatus.MEMBER
        school.joined_trust_on = ratified_on
        school.full_clean()
        school.save(update_fields=["status", "joined_trust_on", "updated_at"])
        existing = set(InductionItem.objects.filter(school=school).values_list("code", flat=True))
        items = [InductionItem(school=school, code=code) for code in INDUCTION_ITEMS if code not in existing]
        for item in items:
            item.full_clean(validate_unique=False, validate_constraints=False)
        InductionItem.objects.bulk_create(items)
        audit_record(
            trust=school.trust_id,
            actor=actor,
            action="due_diligence.ratified",
            obj=report,
            changes={
                "ratified_on": ratified_on,
                "ratification_notes": report.ratification_notes,
                "school_status": [MembershipStatus.PROSPECTIVE.label, school.get_status_display()],
            },
        )
    return report


def induction_item_complete(*, item: InductionItem, actor: User, completed_on: datetime.date) -> InductionItem:
    """Mark a step of a new school's induction done on a date."""
    if item.completed_on is not None:
        raise ApplicationError(f"“{item.get_code_display()}” was already marked done on {item.completed_on:%-d %B %Y}.")
    if completed_on > timezone.localdate():
        raise ApplicationError("The date it was done cannot be in the future.", {"field": "completed_on"})
    item.completed_on = completed_on
    item.completed_by = actor
    item.full_clean()
    with transaction.atomic():
        item.save(update_fields=["completed_on", "completed_by", "updated_at"])
        audit_record(
            trust=item.school.trust_id,
            actor=actor,
            action="induction_item.completed",
            obj=item,
            changes={"completed_on": [None, completed_on]},
        )
    return item


def induction_item_reopen(*, item: InductionItem, actor: User) -> InductionItem:
    """Mark a step of induction not done after all (e.g. ticked by mistake)."""
    if item.completed_on is None:
        raise ApplicationError(f"“{item.get_code_display()}” is not marked done.")
    was = item.completed_on
    item.completed_on = None
    item.completed_by = None
    item.full_clean()
    with transaction.atomic():
        item.save(update_fields=["completed_on", "completed_by", "updated_at"])
        audit_record(
            trust=item.school.trust_id,
            actor=actor,
            action="induction_item.reopened",
            obj=item,
            changes={"completed_on": [was, None]},
        )
    return item

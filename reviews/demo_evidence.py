"""Demo evidence and self-evaluations for the demo trusts' schools. Idempotent.

Each row is found by its natural key (school, type and summary for evidence; school and
year for a SEF; SEF and area for an entry) and created only when missing, so a rerun
changes nothing. Evidence goes through `evidence_record`, so demo files are checked like
any upload. Call inside the trust's scope, e.g. from trust.demo.seed_demo:

    seed_evidence_and_sef(trust=trust, schools=schools, people={role: user, ...}, today=today)
"""

import datetime
import io
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import Workbook

from core.academic import academic_year_for
from reviews.models import (
    Evidence,
    EvidenceType,
    JudgementArea,
    SelfEvaluation,
    SelfEvaluationEntry,
    SelfEvaluationStatus,
)
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_record
from schools.models import School
from trust.models import Role, Trust, User

# (type, days before the first seeding, shared with the school, author role, areas, summary,
#  strengths, areas for development, file: "pdf", "xlsx" or "")
EVIDENCE = [
    (
        "learning_walk",
        21,
        True,
        Role.IMPROVEMENT_LEAD,
        ["curriculum_and_teaching"],
        "Learning walk: reading across Key Stage 2, with the English lead.",
        "Pupils in Years 3 to 6 read fluently from well-matched books; teachers model expression well. "
        "Reading areas are inviting and well used.",
        "Weaker readers in Year 5 are not reading aloud often enough to an adult. Check that the catch-up "
        "phonics group is timetabled daily.",
        "pdf",
    ),
    (
        "lesson_observation",
        45,
        True,
        Role.SPECIALIST,
        ["curriculum_and_teaching", "inclusion"],
        "Joint lesson observation: Year 4 maths, equivalent fractions.",
        "Clear small steps and good use of fraction walls; pupils with SEND supported by well-briefed "
        "teaching assistants.",
        "Questioning stayed with volunteers; use mini-whiteboards to check every pupil before moving on.",
        "",
    ),
    (
        "work_scrutiny",
        70,
        False,
        Role.IMPROVEMENT_LEAD,
        ["achievement", "curriculum_and_teaching"],
        "Work scrutiny: writing books in Years 5 and 6.",
        "Extended writing is frequent and shows progress in sentence structure since September.",
        "Editing and redrafting are inconsistent between classes; handwriting expectations vary.",
        "",
    ),
    (
        "data_analysis",
        120,
        False,
        Role.EXECUTIVE,
        ["achievement", "attendance_and_behaviour"],
        "Autumn data review: attainment and attendance against national.",
        "Reading at the expected standard is above national; attendance of disadvantaged pupils has improved.",
        "Maths at the higher standard is below national; persistent absence in Year 4 needs a named lead.",
        "xlsx",
    ),
    (
        "pupil_voice",
        30,
        True,
        Role.SPECIALIST,
        ["personal_development_and_wellbeing", "attendance_and_behaviour"],
        "Pupil voice: Year 6 on behaviour, bullying and feeling safe.",
        "Pupils say behaviour is good and adults sort out problems quickly; they name trusted adults.",
        "Some pupils are unsure how to report worries online; revisit in PSHE.",
        "",
    ),
    (
        "safeguarding_audit",
        420,
        True,
        Role.IMPROVEMENT_LEAD,
        ["leadership_and_governance", "personal_development_and_wellbeing"],
        "Annual safeguarding audit (last year's, due for renewal).",
        "Single central record complete; staff training up to date; referrals timely.",
        "Governor safeguarding visits were not minuted; record them in the governors' visit log.",
        "pdf",
    ),
]

# Current-year SEF state by the school's position in the trust, then last year's: accepted.
SEF_STATES = [
    SelfEvaluationStatus.ACCEPTED,
    SelfEvaluationStatus.SUBMITTED,
    SelfEvaluationStatus.RETURNED,
    SelfEvaluationStatus.DRAFT,
    SelfEvaluationStatus.SUBMITTED,
    SelfEvaluationStatus.DRAFT,
]
GRADE_WORDS = {
    1: ("Consistently exceptional practice that others in the trust learn from.", "Sustain and share practice."),
    2: ("Strong, consistent practice across the school.", "Make the strongest practice universal."),
    3: ("Secure practice in most classes.", "Tighten consistency between year groups."),
    4: ("Improving, but not yet consistent.", "A focused plan with half-termly checks by leaders."),
    5: ("Early signs of improvement only.", "Urgent, intensive support with the trust."),
}
RETURN_COMMENTS = (
    "Thank you. The grade for Achievement looks generous against the Key Stage 2 results and the autumn data "
    "review: please revisit it and link the work scrutiny evidence."
)


def _pdf(title: str, paragraphs: Iterable[str]) -> bytes:
    """A small, valid one-page PDF of plain text (Helvetica), written by hand."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    commands = ["BT", "/F1 16 Tf", "56 780 Td", f"({escape(title)}) Tj", "/F1 11 Tf", "0 -30 Td"]
    for paragraph in paragraphs:
        for line in textwrap.wrap(paragraph, 90) or [""]:
            commands += [f"({escape(line)}) Tj", "0 -15 Td"]
        commands.append("0 -8 Td")
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _xlsx(school: School) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Autumn review"
    sheet.append(["Measure", school.name, "National"])
    for row in [
        ["KS2 reading, expected standard (%)", 78, 74],
        ["KS2 writing, expected standard (%)", 70, 72],
        ["KS2 maths, expected standard (%)", 71, 73],
        ["KS2 maths, higher standard (%)", 17, 24],
        ["Attendance, all pupils (%)", 95.1, 94.5],
        ["Persistent absence, disadvantaged (%)", 19.8, 24.1],
    ]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _people(people: Mapping[str, User] | Iterable[tuple[User, str]]) -> dict[str, User]:
    if isinstance(people, Mapping):
        return {str(role): user for role, user in people.items()}
    return {str(role): user for user, role in people}


def _evidence(school: School, position: int, people: dict[str, User], areas: dict[str, JudgementArea], today: Any):
    made = []
    for kind, days, shared, author_role, codes, summary, strengths, development, file_kind in EVIDENCE:
        item = Evidence.objects.filter(school=school, evidence_type=kind, summary=summary).first()
        if item is None:
            upload = None
            if file_kind == "pdf":
                title = f"{EvidenceType(kind).label}: {school.name}"
                content = _pdf(title, [summary, "Strengths: " + strengths, "Areas for development: " + development])
                upload = ContentFile(content, name=f"{kind.replace('_', '-')}-{school.urn}.pdf")
            elif file_kind == "xlsx":
                upload = ContentFile(_xlsx(school), name=f"autumn-data-review-{school.urn}.xlsx")
            item = evidence_record(
                school=school,
                actor=people.get(author_role) or people[Role.IMPROVEMENT_LEAD],
                evidence_type=kind,
                observed_on=today - datetime.timedelta(days=days + 3 * position),
                summary=summary,
                areas=[areas[c] for c in codes if c in areas],
                strengths=strengths,
                areas_for_development=development,
                shared_with_school=shared,
                upload=upload,
            )
        made.append(item)
    return made


def _grade(school: School, position: int, area_index: int) -> int:
    # A believable spread: mostly 2s and 3s, the odd 1 or 4, steady per school.
    return [2, 3, 2, 3, 4, 2, 1, 3][(school.urn + position + area_index) % 8]


def _sef(
    *,
    school: School,
    year: int,
    status: str,
    areas: list[JudgementArea],
    people: dict[str, User],
    evidence: list[Evidence],
    today: datetime.date,
    position: int,
) -> SelfEvaluation:
    head = people.get(Role.HEADTEACHER)
    lead = people.get(Role.IMPROVEMENT_LEAD)
    moment = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9, 30)))
    if year < academic_year_for(today):
        moment = timezone.make_aware(datetime.datetime(year + 1, 6, 20, 9, 30))
    submitted = status != SelfEvaluationStatus.DRAFT
    reviewed = status in (SelfEvaluationStatus.RETURNED, SelfEvaluationStatus.ACCEPTED)
    sef, created = SelfEvaluation.objects.get_or_create(
        school=school,
        academic_year=year,
        defaults={
            "status": status,
            "summary": f"{school.name} is a happy, improving school. Leaders know its strengths and have a clear "
            "plan for the areas that need attention, especially mathematics at the higher standard.",
            "submitted_at": moment - datetime.timedelta(days=14) if submitted else None,
            "submitted_by": head if submitted and head and position == 0 else None,
            "reviewed_at": moment - datetime.timedelta(days=4) if reviewed else None,
            "reviewed_by": lead if reviewed else None,
            "review_comments": RETURN_COMMENTS if status == SelfEvaluationStatus.RETURNED else "",
        },
    )
    if not created:
        return sef
    # Only evidence the school can see is linked by the school.
    shared = [(e, set(e.areas.values_list("pk", flat=True))) for e in evidence if e.shared_with_school]
    # A draft is part-written: the last two areas are not graded yet.
    graded = areas if status != SelfEvaluationStatus.DRAFT else areas[:-2]
    for index, area in enumerate(areas):
        grade = _grade(school, position, index) if area in graded else None
        strengths, development = GRADE_WORDS[grade] if grade else ("", "")
        entry = SelfEvaluationEntry.objects.create(
            self_evaluation=sef,
            area=area,
            self_grade=grade,
            strengths=strengths,
            areas_for_development=development,
        )
        entry.evidence.set([e for e, area_ids in shared if area.pk in area_ids])
    return sef


def seed_evidence_and_sef(
    *,
    trust: Trust,
    schools: list[School],
    people: Mapping[str, User] | Iterable[tuple[User, str]],
    today: datetime.date,
) -> None:
    """Evidence for every demo school and a SEF per school for this year (varied states) and last year."""
    people = _people(people)
    areas = judgement_areas_ensure(trust=trust)
    by_code = {a.code: a for a in areas}
    year = academic_year_for(today)
    for position, school in enumerate(schools):
        evidence = _evidence(school, position, people, by_code, today)
        _sef(
            school=school,
            year=year - 1,
            status=SelfEvaluationStatus.ACCEPTED,
            areas=areas,
            people=people,
            evidence=[],
            today=today,
            position=position,
        )
        _sef(
            school=school,
            year=year,
            status=SEF_STATES[position % len(SEF_STATES)],
            areas=areas,
            people=people,
            evidence=evidence,
            today=today,
            position=position,
        )

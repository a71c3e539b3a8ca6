"""Data protection: a person's records, a trust's full export, and its erasure leaving other trusts untouched."""

import datetime
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db.models import Q
from django.utils import timezone
from django_scopes import scopes_disabled

from core.audit import audit_record
from core.data_protection import PERSON_NOT_EXPORTED, SECRET_FIELDS, rows_left, trust_owned_models, trust_prefix
from interventions.models import (
    Activity,
    Checkpoint,
    CheckpointProgress,
    Expert,
    ImprovementPlan,
    Intervention,
    InterventionLead,
    InterventionTarget,
    InterventionTransition,
    PlanAction,
    PlanPriority,
    PlanUpdate,
    ReminderSent,
    SupportRequest,
)
from reporting.models import BoardPack, Snapshot
from reviews.models import (
    Evidence,
    JudgementArea,
    Moderation,
    Rating,
    Review,
    ReviewJudgement,
    SelfEvaluation,
    SelfEvaluationEntry,
)
from schools.models import (
    DueDiligenceFinding,
    DueDiligenceReport,
    ImportFile,
    ImportRun,
    InductionItem,
    Inspection,
    InspectionJudgement,
    InYearPrediction,
    MeasureValue,
    SchoolLink,
)
from tests.conftest import TrustWorld
from tests.factories import MembershipFactory, UserFactory
from trust.models import (
    AcademicYear,
    ApiToken,
    CalendarFeed,
    HalfTerm,
    Invitation,
    Membership,
    SupportLevel,
    SupportScale,
    Trust,
    User,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fill(world: TrustWorld) -> dict[str, bytes]:
    """A row in every area of the trust, every text carrying the trust's slug; returns the stored files' bytes."""
    marker = world.trust.slug
    boss, lead, head = world.people["executive"], world.people["improvement_lead"], world.people["headteacher"]
    school = world.schools[0]
    files: dict[str, bytes] = {}
    with scopes_disabled():
        scale = SupportScale.objects.create(trust=world.trust, name=f"{marker} scale")
        level = SupportLevel.objects.create(scale=scale, position=1, name=f"{marker} red")
        year = AcademicYear.objects.create(trust=world.trust, start_year=2025)
        HalfTerm.objects.create(academic_year=year, number=1, starts_on=DAY, ends_on=DAY)
        Invitation.objects.create(
            trust=world.trust, email=f"new@{marker}.example.org", role="trustee", invited_by=boss,
            token_hash=f"invitation-secret-{marker}", expires_at=timezone.now(),
        )  # fmt: skip
        ApiToken.objects.create(
            user=boss, trust=world.trust, name="Sync", prefix="tw_", key_hash=f"api-secret-{marker}"
        )
        CalendarFeed.objects.create(user=boss, trust=world.trust, token_hash=f"feed-secret-{marker}")

        run = ImportRun.objects.create(trust=world.trust, kind="gias", requested_by=boss, error=f"{marker} import")
        upload = ImportFile(run=run, original_name=f"{marker}.csv", size=10)
        files["import"] = f"URN,Name\n1,{marker}\n".encode()
        upload.file.save("upload.csv", ContentFile(files["import"]), save=False)
        upload.save()
        inspection = Inspection.objects.create(school=school, inspected_on=DAY, era="report_card", recorded_by=boss)
        InspectionJudgement.objects.create(inspection=inspection, area="leadership", grade=2)
        report = DueDiligenceReport.objects.create(school=school, author=boss, ratified_by=boss)
        DueDiligenceFinding.objects.create(report=report, section="outcomes")
        InductionItem.objects.create(school=school, code="self_evaluation", completed_by=head)
        MeasureValue.objects.create(school=school, measure="ks2_rwm_expected", academic_year=2024)
        InYearPrediction.objects.create(
            school=school, academic_year=2025, half_term=2, year_group="6", subject="maths",
            percent_on_track=Decimal("61.5"), entered_by=head,
        )  # fmt: skip
        SchoolLink.objects.create(school=school, predecessor_urn=world.schools[1].urn + 50)

        area = JudgementArea.objects.create(trust=world.trust, code="leadership", label="Leadership")
        evidence = Evidence(
            school=school, evidence_type="learning_walk", observed_on=DAY, summary=f"{marker} walk", author=lead
        )
        files["evidence"] = f"%PDF-1.4 {marker} evidence %%EOF".encode()
        evidence.file.save("walk.pdf", ContentFile(files["evidence"]), save=False)
        evidence.save()
        evidence.areas.add(area)
        sef = SelfEvaluation.objects.create(school=school, academic_year=2025, submitted_by=head, reviewed_by=lead)
        entry = SelfEvaluationEntry.objects.create(self_evaluation=sef, area=area, self_grade=3)
        entry.evidence.add(evidence)
        review = Review.objects.create(school=school, review_type="annual_review", reviewed_on=DAY, author=lead)
        review.reviewers.add(boss, lead)
        review.evidence.add(evidence)
        ReviewJudgement.objects.create(review=review, area=area, grade=3)
        rating = Rating.objects.create(
            school=school, level=level, level_name=level.name, level_position=1, effective_on=DAY, decided_by=boss,
            rationale=f"{marker} rationale", review=review, self_evaluation=sef, inspection=inspection,
        )  # fmt: skip
        rating.evidence.add(evidence)
        Moderation.objects.create(
            school=school, area=area, academic_year=2025, agreed_grade=3, discussion=marker, moderated_by=lead,
            moderated_on=DAY,
        )  # fmt: skip

        expert = Expert.objects.create(trust=world.trust, name=f"{marker} expert", role="lead_practitioner", user=lead)
        request = SupportRequest.objects.create(
            school=school, area="send", need=f"{marker} need", requested_by=head, triaged_by=lead
        )
        intervention = Intervention.objects.create(
            school=school, title=f"{marker} coaching", area_of_need="send", delivery_model="in_school",
            success_criteria="Better", starts_on=DAY, ends_on=DAY, commissioned_by=boss, support_request=request,
            providing_school=world.schools[1],
        )  # fmt: skip
        intervention.impact_evidence.add(evidence)
        InterventionLead.objects.create(intervention=intervention, expert=expert, days=Decimal("2"))
        target = InterventionTarget.objects.create(intervention=intervention, description=f"{marker} target")
        InterventionTransition.objects.create(intervention=intervention, to_status="commissioned", by=boss)
        checkpoint = Checkpoint.objects.create(intervention=intervention, due_on=DAY, recorded_by=lead)
        checkpoint.evidence.add(evidence)
        CheckpointProgress.objects.create(checkpoint=checkpoint, target=target, progress="some")
        plan = ImprovementPlan.objects.create(school=school, academic_year=2025, agreed_by=boss)
        priority = PlanPriority.objects.create(plan=plan, title=f"{marker} priority", area=area)
        PlanAction.objects.create(priority=priority, description=marker, owner="Head", due_on=DAY)
        PlanUpdate.objects.create(plan=plan, body=f"{marker} update", author=lead)
        visit = Activity.objects.create(
            trust=world.trust, school=school, activity_type="health_check", title=f"{marker} visit", owner=lead,
            planned_on=DAY, level=level, recorded_by=lead,
        )  # fmt: skip
        visit.evidence.add(evidence)
        ReminderSent.objects.create(trust=world.trust, recipient=lead, key=f"before-visit:{marker}")

        snapshot = Snapshot.objects.create(
            trust=world.trust, academic_year=2025, half_term=3, kind="on_demand", as_of=DAY, taken_by=boss,
            metrics={"trust": marker},
        )  # fmt: skip
        pack = BoardPack(
            trust=world.trust, snapshot=snapshot, academic_year=2025, half_term=3, version=1, status="done",
            requested_by=boss,
        )  # fmt: skip
        files["board_pack"] = f"%PDF-1.7 {marker} board pack".encode()
        pack.file.save("pack.pdf", ContentFile(files["board_pack"]), save=False)
        pack.save()
    audit_record(trust=world.trust, actor=boss, action="rating.decided", obj=rating, changes={"level": level.name})
    return files


def every_user_referencing_model() -> set[str]:
    user_model = apps.get_model(django_settings.AUTH_USER_MODEL)
    return {
        model._meta.label
        for model in apps.get_models()
        for f in model._meta.get_fields()
        if f.concrete and f.is_relation and f.related_model is user_model
    }


def reaches(model, trust_id: int, seen=()) -> Q:
    """Rows reaching the trust by any chain of foreign keys, found independently of the code under test."""
    condition = Q(pk__in=[])
    for f in model._meta.get_fields():
        if not (f.concrete and (f.many_to_one or f.one_to_one) and f.related_model):
            continue
        if f.related_model is Trust:
            condition |= Q(**{f.name: trust_id})
        elif f.related_model not in seen and f.related_model is not model:
            inner = reaches(f.related_model, trust_id, (*seen, model))
            condition |= Q(**{f"{f.name}__in": f.related_model._base_manager.filter(inner).values("pk")})
    return condition


def rows_reaching(trust_id: int) -> dict[str, int]:
    with scopes_disabled():
        counts = {m._meta.label: m._base_manager.filter(reaches(m, trust_id)).count() for m in apps.get_models()}
    return {label: n for label, n in counts.items() if n and label != "trust.Trust"}


def table_checksums(world: TrustWorld) -> dict[str, str]:
    """A hash of each table's rows of the trust (every column and many-to-many link), and of its people."""
    sums = {}
    trust_id = world.trust.pk
    with scopes_disabled():
        for model in [m for m in apps.get_models() if m is not Trust]:
            rows = model._base_manager.filter(reaches(model, trust_id)).order_by("pk")
            values = [
                tuple(getattr(row, f.attname) for f in model._meta.concrete_fields)
                + tuple(
                    tuple(sorted(getattr(row, m.name).values_list("pk", flat=True))) for m in model._meta.many_to_many
                )
                for row in rows
            ]
            if values:
                sums[model._meta.label] = hashlib.sha256(repr(values).encode()).hexdigest()
        people = User.objects.filter(memberships__trust_id=trust_id).order_by("pk").values_list()
        sums["people"] = hashlib.sha256(repr(list(people)).encode()).hexdigest()
        sums["trust"] = hashlib.sha256(repr(list(Trust.objects.filter(pk=trust_id).values_list())).encode()).hexdigest()
    return sums


def stored_under(prefix: str) -> list[str]:
    root = Path(default_storage.location) / prefix
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def only_folder(path: Path) -> Path:
    (folder,) = [p for p in path.iterdir() if p.is_dir()]
    return folder


@pytest.fixture
def two_full_trusts(trust_a, trust_b):
    shared = UserFactory(email="shared@example.org", full_name="Sam Shared")
    for world in (trust_a, trust_b):
        with scopes_disabled():
            MembershipFactory(user=shared, trust=world.trust, role="specialist")
        world.people["shared"] = shared
        world.files = fill(world)
    return trust_a, trust_b


def test_the_test_data_fills_every_model_that_belongs_to_a_trust(two_full_trusts):
    trust_a, _ = two_full_trusts
    counts = rows_reaching(trust_a.trust.pk)
    assert [m._meta.label for m in trust_owned_models() if not counts.get(m._meta.label)] == []


def test_a_trust_export_holds_every_row_every_file_and_a_manifest_that_checks_them(two_full_trusts, tmp_path):
    trust_a, _ = two_full_trusts
    call_command("export_trust", "alder", out=str(tmp_path / "out"))
    folder = only_folder(tmp_path / "out")
    manifest = json.loads((folder / "manifest.json").read_text())

    expected = rows_reaching(trust_a.trust.pk)
    assert {label: entry["rows"] for label, entry in manifest["models"].items() if label != "trust.Trust"} == expected
    assert manifest["models"]["trust.Trust"]["rows"] == 1
    for entry in manifest["models"].values():
        data = folder / entry["path"]
        assert hashlib.sha256(data.read_bytes()).hexdigest() == entry["sha256"]
        assert len(data.read_text().splitlines()) == entry["rows"]

    assert len(manifest["files"]) == 3
    copied = {}
    for name, entry in manifest["files"].items():
        assert name.startswith(trust_prefix(trust_a.trust))
        content = (folder / entry["path"]).read_bytes()
        assert (
            hashlib.sha256(content).hexdigest()
            == entry["sha256"]
            == hashlib.sha256(default_storage.open(name).read()).hexdigest()
        )
        copied[name] = content
    assert sorted(copied.values()) == sorted(trust_a.files.values())


def test_a_trust_export_lists_its_members_and_leaves_out_secrets_and_other_trusts(two_full_trusts, tmp_path):
    call_command("export_trust", "alder", out=str(tmp_path / "out"))
    folder = only_folder(tmp_path / "out")
    members = json.loads((folder / "members.json").read_text())
    roles = ("executive", "improvement_lead", "headteacher", "specialist", "trustee", "governor")
    assert {m["email"] for m in members if m["role"]} == {
        *(f"{r}@alder.example.org" for r in roles),
        "shared@example.org",
    }
    everything = "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())
    assert "birch" not in everything.lower()
    assert "secret-alder" not in everything  # token and key hashes
    assert "md5$" not in everything  # password hashes
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["excluded_fields"]["trust.ApiToken"] == ["key_hash"]
    assert manifest["excluded_fields"]["trust.Invitation"] == ["token_hash"]


def test_a_trust_export_can_be_one_zip_file(two_full_trusts, tmp_path):
    call_command("export_trust", "alder", out=str(tmp_path), zip=True)
    (archive,) = list(tmp_path.glob("trust-alder-*.zip"))
    import zipfile

    names = zipfile.ZipFile(archive).namelist()
    assert "manifest.json" in names and any(n.startswith("files/") for n in names)


def test_erasing_refuses_without_confirm_and_says_to_export_first(two_full_trusts):
    with pytest.raises(CommandError, match="export_trust alder"):
        call_command("erase_trust", "alder")
    assert Trust.objects.filter(slug="alder").exists()


def test_erasing_a_trust_leaves_no_row_or_file_of_it_and_the_other_trust_unchanged(
    two_full_trusts, django_capture_on_commit_callbacks
):
    trust_a, trust_b = two_full_trusts
    a_id, a_prefix, b_prefix = trust_a.trust.pk, trust_prefix(trust_a.trust), trust_prefix(trust_b.trust)
    b_before, b_files = table_checksums(trust_b), stored_under(b_prefix)
    assert stored_under(a_prefix) and len(b_files) == 3

    with django_capture_on_commit_callbacks(execute=True):  # files go once the rows' deletion is committed
        call_command("erase_trust", "alder", confirm=True)

    assert rows_reaching(a_id) == {}
    assert rows_left(a_id) == {}
    assert not Trust.objects.filter(pk=a_id).exists()
    assert stored_under(a_prefix) == []
    assert table_checksums(trust_b) == b_before
    assert stored_under(b_prefix) == b_files


def test_erasing_deletes_people_who_belonged_only_to_that_trust(two_full_trusts):
    trust_a, trust_b = two_full_trusts
    call_command("erase_trust", "alder", confirm=True)
    assert not User.objects.filter(email__endswith="@alder.example.org").exists()
    shared = User.objects.get(email="shared@example.org")
    with scopes_disabled():
        assert list(Membership.objects.filter(user=shared).values_list("trust__slug", flat=True)) == ["birch"]
    assert User.objects.filter(email__endswith="@birch.example.org").count() == 6


def test_a_person_export_covers_every_model_that_refers_to_a_person(two_full_trusts, tmp_path):
    call_command("export_person", "executive@alder.example.org", trust="alder", out=str(tmp_path / "out"))
    document = json.loads((only_folder(tmp_path / "out") / "person.json").read_text())
    # A new model with a user reference is exported, or listed in PERSON_NOT_EXPORTED with a reason.
    assert set(document["models"]) | set(PERSON_NOT_EXPORTED) == every_user_referencing_model() | {"trust.User"}
    assert all(reason.strip() for reason in document["not_exported"].values())


def test_a_person_export_holds_their_records_in_that_trust_as_json_and_csv(two_full_trusts, tmp_path):
    trust_a, trust_b = two_full_trusts
    call_command("export_person", "executive@alder.example.org", trust="alder", out=str(tmp_path / "out"))
    folder = only_folder(tmp_path / "out")
    records = json.loads((folder / "person.json").read_text())["records"]
    made_by_the_executive = [
        "trust.User", "trust.Membership", "trust.Invitation", "trust.ApiToken", "trust.CalendarFeed",
        "schools.ImportRun", "schools.Inspection", "schools.DueDiligenceReport", "reviews.Review", "reviews.Rating",
        "interventions.Intervention", "interventions.InterventionTransition", "interventions.ImprovementPlan",
        "reporting.Snapshot", "reporting.BoardPack", "core.AuditEntry",
    ]  # fmt: skip
    assert [label for label in made_by_the_executive if len(records[label]) != 1] == []
    assert records["reviews.Evidence"] == []  # written by the improvement lead, not this person
    assert records["trust.User"][0]["email"] == "executive@alder.example.org"
    assert "password" not in records["trust.User"][0]
    assert "key_hash" not in records["trust.ApiToken"][0]
    assert (folder / "csv" / "reviews.Rating.csv").read_text(encoding="utf-8-sig").startswith("id,uuid,")
    assert not (folder / "csv" / "reviews.Evidence.csv").exists()


def test_a_person_in_two_trusts_gets_only_the_records_of_the_trust_asked_about(two_full_trusts, tmp_path):
    trust_a, trust_b = two_full_trusts
    call_command("export_person", "shared@example.org", trust="birch", out=str(tmp_path), zip=True)
    (archive,) = list(tmp_path.glob("*.zip"))
    import zipfile

    text = zipfile.ZipFile(archive).read("person.json").decode()
    records = json.loads(text)["records"]
    assert [m["trust"] for m in records["trust.Membership"]] == [trust_b.trust.pk]
    assert "alder" not in text.lower()


def test_every_secret_field_of_every_model_is_left_out_of_exports():
    from core.data_protection import exported_fields

    for model in apps.get_models():
        assert not {f.name for f in exported_fields(model)} & set(SECRET_FIELDS), model._meta.label

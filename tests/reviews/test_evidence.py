"""Evidence: who sees which items, recording and changing them, downloads, staleness and export."""

import csv
import datetime
import io
import os

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from core.academic import academic_year_for
from core.exceptions import ApplicationError
from reviews.demo_evidence import seed_evidence_and_sef
from reviews.models import Evidence, Rating, SelfEvaluation, SelfEvaluationEntry
from reviews.selectors.evidence import evidence_visible_to, is_stale, months_before
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_delete, evidence_record, evidence_update
from trust.models import SupportLevel, SupportScale

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TODAY = timezone.localdate()
YEAR = academic_year_for(TODAY)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


def record(world, *, school=0, author="improvement_lead", shared=False, file=None, days_ago=10, **fields):
    with scope(trust=world.trust.pk):
        return evidence_record(
            school=world.schools[school],
            actor=world.people[author],
            evidence_type=fields.pop("evidence_type", "learning_walk"),
            observed_on=TODAY - datetime.timedelta(days=days_ago),
            summary=fields.pop("summary", "Learning walk: phonics in Reception and Year 1."),
            shared_with_school=shared,
            upload=ContentFile(file, name="walk.pdf") if file else None,
            **fields,
        )


def test_headteacher_sees_their_schools_shared_evidence(trust_a):
    item = record(trust_a, school=0, shared=True, file=PDF)
    client = trust_a.client_for("headteacher")
    assert client.get(f"/t/alder/evidence/{item.uuid}/").status_code == 200
    assert client.get(f"/t/alder/evidence/{item.uuid}/download/").status_code == 200
    assert "phonics in Reception" in client.get("/t/alder/evidence/").content.decode()


def test_headteacher_cannot_open_another_schools_evidence_by_url_or_api(trust_a):
    item = record(trust_a, school=1, shared=True, file=PDF)
    client = trust_a.client_for("headteacher")
    for url in (
        f"/t/alder/evidence/{item.uuid}/",
        f"/t/alder/evidence/{item.uuid}/download/",
        f"/api/v1/t/alder/evidence/{item.uuid}/",
        f"/api/v1/t/alder/evidence/{item.uuid}/download/",
    ):
        assert client.get(url).status_code == 404, url
    assert "phonics in Reception" not in client.get("/t/alder/evidence/").content.decode()


def test_headteacher_cannot_open_a_trust_only_item_of_their_own_school(trust_a):
    item = record(trust_a, school=0, shared=False, file=PDF, summary="Trust-only concerns about leadership capacity.")
    client = trust_a.client_for("headteacher")
    for url in (
        f"/t/alder/evidence/{item.uuid}/",
        f"/t/alder/evidence/{item.uuid}/download/",
        f"/api/v1/t/alder/evidence/{item.uuid}/",
        f"/api/v1/t/alder/evidence/{item.uuid}/download/",
    ):
        assert client.get(url).status_code == 404, url
    assert "leadership capacity" not in client.get("/t/alder/evidence/").content.decode()
    assert client.get("/api/v1/t/alder/evidence/").json()["results"] == []


def test_governor_sees_only_their_own_schools_shared_items(trust_a):
    theirs = record(trust_a, school=1, shared=True, summary="Pupil voice: Year 6 on reading for pleasure.")
    record(trust_a, school=1, shared=False, summary="Trust-only safeguarding audit notes.")
    record(trust_a, school=0, shared=True, summary="School 1 work scrutiny.")
    data = trust_a.client_for("governor").get("/api/v1/t/alder/evidence/").json()["results"]
    assert [e["uuid"] for e in data] == [str(theirs.uuid)]


def test_specialist_sees_only_evidence_they_wrote(trust_a):
    own = record(trust_a, author="specialist", summary="Specialist's observation of Year 2 maths.")
    other = record(trust_a, author="improvement_lead", summary="Improvement lead's learning walk.", shared=True)
    client = trust_a.client_for("specialist")
    page = client.get("/t/alder/evidence/").content.decode()
    assert "Year 2 maths" in page and "Improvement lead&#x27;s learning walk" not in page
    assert client.get(f"/t/alder/evidence/{other.uuid}/").status_code == 404
    assert client.get(f"/t/alder/evidence/{own.uuid}/edit/").status_code == 200
    assert client.get(f"/t/alder/evidence/{other.uuid}/edit/").status_code == 404
    assert [e["uuid"] for e in client.get("/api/v1/t/alder/evidence/").json()["results"]] == [str(own.uuid)]


def test_trustees_have_no_evidence_pages(trust_a):
    assert trust_a.client_for("trustee").get("/t/alder/evidence/").status_code == 403


def test_another_trusts_evidence_is_not_found(trust_a, trust_b):
    theirs = record(trust_b, shared=True, file=PDF)
    client = trust_a.client_for("executive")
    assert client.get(f"/t/alder/evidence/{theirs.uuid}/").status_code == 404
    assert client.get(f"/t/alder/evidence/{theirs.uuid}/download/").status_code == 404
    assert client.get(f"/api/v1/t/alder/evidence/{theirs.uuid}/").status_code == 404
    # Trust B's members cannot reach trust A's pages at all.
    assert trust_b.client_for("executive").get("/t/alder/evidence/").status_code == 404


def test_download_is_an_attachment_with_the_clean_name_and_no_sniffing(trust_a):
    item = record(trust_a, shared=True, file=PDF)
    for url in (f"/t/alder/evidence/{item.uuid}/download/", f"/api/v1/t/alder/evidence/{item.uuid}/download/"):
        response = trust_a.client_for("headteacher").get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="walk.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert b"".join(response.streaming_content) == PDF


def test_evidence_without_a_file_has_no_download(trust_a):
    item = record(trust_a)
    assert trust_a.client_for("executive").get(f"/t/alder/evidence/{item.uuid}/download/").status_code == 404


def test_the_media_folder_is_not_served_by_any_url(trust_a, settings):
    item = record(trust_a, file=PDF)
    client = trust_a.client_for("executive")
    assert client.get("/" + item.file.name).status_code == 404
    assert client.get("/media/" + item.file.name).status_code == 404
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"  # nothing maps it into the URL space


def test_stale_items_are_flagged_after_the_trusts_window(trust_a):
    record(trust_a, days_ago=400, summary="Old moderation of writing.", evidence_type="moderation")
    record(trust_a, days_ago=30, summary="Recent learning walk.")
    page = trust_a.client_for("executive").get("/t/alder/evidence/").content.decode()
    rows = {row.split("</tr>")[0] for row in page.split("<tr>")[2:]}  # skip the header row
    old_row = next(r for r in rows if "Old moderation" in r)
    recent_row = next(r for r in rows if "Recent learning walk" in r)
    assert "Stale" in old_row and "older than 12 months" in old_row
    assert "Stale" not in recent_row and "Current" in recent_row


def test_is_stale_follows_the_trusts_setting(trust_a):
    item = record(trust_a, days_ago=200)
    trust = trust_a.trust
    assert not is_stale(item, trust, TODAY)
    trust.evidence_stale_months = 6
    assert is_stale(item, trust, TODAY)


def test_twelve_months_before_the_end_of_march_is_the_end_of_february():
    assert months_before(datetime.date(2025, 3, 31), 1) == datetime.date(2025, 2, 28)
    assert months_before(datetime.date(2024, 3, 31), 1) == datetime.date(2024, 2, 29)
    assert months_before(datetime.date(2025, 1, 15), 12) == datetime.date(2024, 1, 15)


def test_the_form_records_evidence_with_areas_and_sharing(trust_a):
    with scope(trust=trust_a.trust.pk):
        areas = judgement_areas_ensure(trust=trust_a.trust)
    response = trust_a.client_for("improvement_lead").post(
        "/t/alder/evidence/new/",
        {
            "school": str(trust_a.schools[1].uuid),
            "evidence_type": "work_scrutiny",
            "observed_on": str(TODAY - datetime.timedelta(days=3)),
            "areas": [str(areas[0].uuid), str(areas[1].uuid)],
            "summary": "Books show sequenced writing across Year 5.",
            "strengths": "Clear modelling.",
            "areas_for_development": "Editing is inconsistent.",
            "shared_with_school": "on",
            "file": ContentFile(PDF, name="scrutiny.pdf"),
        },
        follow=True,
    )
    assert "Evidence recorded." in response.content.decode()
    with scopes_disabled():
        item = Evidence.objects.get()
        assert item.school == trust_a.schools[1] and item.shared_with_school
        assert set(item.areas.all()) == {areas[0], areas[1]}
        assert (item.file_name, item.file_type, item.file_size) == ("scrutiny.pdf", "pdf", len(PDF))
        assert item.author == trust_a.people["improvement_lead"]


def test_a_future_date_is_refused(trust_a):
    response = trust_a.client_for("executive").post(
        "/t/alder/evidence/new/",
        {
            "school": str(trust_a.schools[0].uuid),
            "evidence_type": "learning_walk",
            "observed_on": str(TODAY + datetime.timedelta(days=1)),
            "summary": "Tomorrow's walk.",
        },
    )
    assert "cannot be in the future" in response.content.decode()
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="cannot be in the future"):
        record(trust_a, days_ago=-1)


def test_areas_of_another_trust_are_refused(trust_a, trust_b):
    with scope(trust=trust_b.trust.pk):
        foreign = judgement_areas_ensure(trust=trust_b.trust)[0]
    with pytest.raises(ApplicationError, match="areas of this school's trust"):
        record(trust_a, areas=[foreign])


def test_the_record_form_offers_only_the_trusts_schools(trust_a, trust_b):
    page = trust_a.client_for("specialist").get("/t/alder/evidence/new/").content.decode()
    assert "Alder Trust School 1" in page and "Birch Trust School 1" not in page
    response = trust_a.client_for("specialist").post(
        "/t/alder/evidence/new/",
        {
            "school": str(trust_b.schools[0].uuid),
            "evidence_type": "learning_walk",
            "observed_on": str(TODAY),
            "summary": "Wrong trust.",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not Evidence.objects.exists()


def test_headteachers_and_governors_cannot_record_or_change_evidence(trust_a):
    item = record(trust_a, shared=True)
    for role in ("headteacher", "governor", "trustee"):
        client = trust_a.client_for(role)
        assert client.get("/t/alder/evidence/new/").status_code == 403
        assert client.post(f"/t/alder/evidence/{item.uuid}/delete/").status_code == 403
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="cannot record evidence"):
        record(trust_a, author="headteacher")


def test_the_author_edits_an_item_and_a_new_file_replaces_the_old_one_on_commit(
    trust_a, media, django_capture_on_commit_callbacks
):
    item = record(trust_a, author="specialist", file=PDF)
    old_path = item.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = trust_a.client_for("specialist").post(
            f"/t/alder/evidence/{item.uuid}/edit/",
            {
                "evidence_type": "lesson_observation",
                "observed_on": str(TODAY - datetime.timedelta(days=2)),
                "summary": "Revised after the feedback meeting.",
                "shared_with_school": "on",
                "file": ContentFile(PDF + b"% revised\n", name="revised notes.pdf"),
            },
        )
    assert response.status_code == 302
    with scopes_disabled():
        item.refresh_from_db()
    assert item.summary == "Revised after the feedback meeting." and item.shared_with_school
    assert item.file_name == "revised notes.pdf"
    assert not os.path.exists(old_path)
    assert stored_files(media) == [item.file.path]


def test_deleting_removes_the_row_and_then_the_file(trust_a, media, django_capture_on_commit_callbacks):
    item = record(trust_a, author="specialist", file=PDF)
    with django_capture_on_commit_callbacks(execute=True):
        response = trust_a.client_for("executive").post(f"/t/alder/evidence/{item.uuid}/delete/")
    assert response.status_code == 302
    with scopes_disabled():
        assert not Evidence.objects.exists()
    assert stored_files(media) == []


def test_a_rolled_back_delete_keeps_its_file(trust_a, media):
    item = record(trust_a, file=PDF)
    # Without a commit, the on-commit removal never runs.
    with scope(trust=trust_a.trust.pk):
        evidence_delete(evidence=item, actor=trust_a.people["executive"])
    assert len(stored_files(media)) == 1


def test_evidence_cited_by_a_rating_is_kept(trust_a):
    item = record(trust_a)
    with scope(trust=trust_a.trust.pk):
        scale = SupportScale.objects.create(trust=trust_a.trust, name="RAG")
        level = SupportLevel.objects.create(scale=scale, position=2, name="Amber")
        rating = Rating(
            school=trust_a.schools[0],
            level=level,
            level_name="Amber",
            level_position=2,
            effective_on=TODAY,
            decided_by=trust_a.people["executive"],
            rationale="Reading outcomes below national for two years.",
        )
        rating.save()
        rating.evidence.add(item)
        with pytest.raises(ApplicationError, match="cited by a rating"):
            evidence_delete(evidence=item, actor=trust_a.people["executive"])


def test_if_the_database_write_fails_no_file_is_left_behind(trust_a, media, monkeypatch):
    real_save = Evidence.save

    def failing_save(self, *args, **kwargs):
        if "file" in (kwargs.get("update_fields") or []):
            raise IntegrityError("simulated failure after the file was stored")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", failing_save)
    with pytest.raises(IntegrityError):
        record(trust_a, file=PDF)
    assert stored_files(media) == []
    with scopes_disabled():
        assert not Evidence.objects.exists()


def test_a_specialist_cannot_update_someone_elses_item_through_the_service(trust_a):
    item = record(trust_a, author="improvement_lead")
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="Only the author"):
        evidence_update(
            evidence=item,
            actor=trust_a.people["specialist"],
            evidence_type="learning_walk",
            observed_on=item.observed_on,
            summary="Changed",
        )


def test_the_list_filters_by_school_type_and_area(trust_a):
    with scope(trust=trust_a.trust.pk):
        area = judgement_areas_ensure(trust=trust_a.trust)[0]
    record(trust_a, school=0, evidence_type="pupil_voice", summary="Pupil voice in school one.", areas=[area])
    record(trust_a, school=1, evidence_type="pupil_voice", summary="Pupil voice in school two.")
    record(trust_a, school=1, evidence_type="send_audit", summary="Provision map reviewed in school two.")
    client = trust_a.client_for("executive")
    page = client.get(f"/t/alder/evidence/?school={trust_a.schools[1].uuid}&evidence_type=pupil_voice").content
    assert b"school two" in page and b"school one" not in page and b"Provision map" not in page
    page = client.get(f"/t/alder/evidence/?area={area.uuid}").content
    assert b"school one" in page and b"school two" not in page


def test_the_export_uses_the_same_filters_and_flags_stale_items(trust_a):
    record(trust_a, school=1, days_ago=500, evidence_type="moderation", summary='=HYPERLINK("http://x")')
    record(trust_a, school=0, summary="Not in the export.")
    response = trust_a.client_for("improvement_lead").get(
        f"/t/alder/evidence/?school={trust_a.schools[1].uuid}&format=csv"
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["Date observed", "School", "URN", "Type"]
    assert len(rows) == 2
    assert rows[1][1] == "Alder Trust School 2" and rows[1][-1] == "Yes"
    assert rows[1][5].startswith("'=")  # a formula is neutralised
    xlsx = trust_a.client_for("improvement_lead").get("/t/alder/evidence/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_list_runs_a_fixed_number_of_queries(trust_a):
    def queries_for_list() -> int:
        client = trust_a.client_for("executive")
        client.get("/t/alder/evidence/")  # warm the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/t/alder/evidence/").status_code == 200
        return len(captured)

    with scope(trust=trust_a.trust.pk):
        areas = judgement_areas_ensure(trust=trust_a.trust)
    record(trust_a, areas=areas[:2])
    few = queries_for_list()
    for i in range(8):
        record(trust_a, school=i % 2, areas=areas[:3], summary=f"Item {i}")
    assert queries_for_list() == few


def test_the_selector_gives_leads_everything_and_schools_their_shared_slice(trust_a):
    shared = record(trust_a, school=0, shared=True)
    hidden = record(trust_a, school=0, shared=False)
    with scope(trust=trust_a.trust.pk):
        assert set(evidence_visible_to(trust_a.memberships["executive"])) == {shared, hidden}
        assert set(evidence_visible_to(trust_a.memberships["headteacher"])) == {shared}
        assert set(evidence_visible_to(trust_a.memberships["governor"])) == set()
        assert set(evidence_visible_to(trust_a.memberships["trustee"])) == set()


def test_the_demo_seeds_evidence_and_sefs_once(trust_a, media):
    def snapshot():
        with scopes_disabled():
            return (
                sorted(Evidence.objects.values_list("uuid", "updated_at")),
                sorted(SelfEvaluation.objects.values_list("uuid", "status", "updated_at")),
                sorted(SelfEvaluationEntry.objects.values_list("uuid", "updated_at")),
                sorted(stored_files(media)),
            )

    with scope(trust=trust_a.trust.pk):
        seed_evidence_and_sef(trust=trust_a.trust, schools=trust_a.schools, people=trust_a.people, today=TODAY)
    first = snapshot()
    with scope(trust=trust_a.trust.pk):
        seed_evidence_and_sef(trust=trust_a.trust, schools=trust_a.schools, people=trust_a.people, today=TODAY)
    assert snapshot() == first

    with scope(trust=trust_a.trust.pk):
        items = list(Evidence.objects.all())
        assert len(items) >= 10 and {e.shared_with_school for e in items} == {True, False}
        assert any(is_stale(e, trust_a.trust, TODAY) for e in items)
        assert {e.file_type for e in items} >= {"pdf", "xlsx", ""}
        states = dict(SelfEvaluation.objects.filter(academic_year=YEAR).values_list("school__name", "status"))
        assert states == {"Alder Trust School 1": "accepted", "Alder Trust School 2": "submitted"}
        assert set(SelfEvaluation.objects.filter(academic_year=YEAR - 1).values_list("status", flat=True)) == {
            "accepted"
        }
        report = next(e for e in items if e.file_type == "pdf")
        with report.file.open("rb") as handle:
            text = PdfReader(handle).pages[0].extract_text()
    assert report.summary[:30] in text.replace("\n", " ")

"""The board pack: built only from its snapshot, exception first, one pack per request, a fixed number of queries.

Today is Wednesday 25 November 2026, Autumn 2 of 2026/27 on the default calendar.
"""

import copy
import datetime
import hashlib
import io
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope
from pypdf import PdfReader

from core.exceptions import ApplicationError
from interventions.models import Intervention
from reporting import boardpack
from reporting.boardpack import board_pack_context, render_board_pack
from reporting.metrics_schema import SCHEMA_VERSION
from reporting.models import BoardPack, BoardPackStatus, Snapshot, SnapshotKind
from reporting.services.board_packs import board_pack_build, board_pack_request, board_pack_retry
from reporting.services.snapshots import snapshot_take
from reporting.tasks import build_board_pack
from reviews.models import Rating
from trust.models import SupportLevel
from trust.scales.services import scale_create_from_template

TODAY = datetime.date(2026, 11, 25)
D = datetime.date


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def stored(pack: BoardPack) -> bytes:
    with pack.file.open("rb") as handle:
        return handle.read()


def _rate(world, school, position, on):
    level = SupportLevel.objects.get(scale__trust=world.trust, position=position)
    return Rating.objects.create(
        school=school,
        level=level,
        level_name=level.name,
        level_position=level.position,
        effective_on=on,
        decided_by=world.people["executive"],
        rationale=f"{school.name} is at {level.name}.",
    )


@pytest.fixture
def rated(trust_a):
    """Trust A's two schools on the four-phase scale: school 1 moved down this half-term, school 2 is new."""
    with scope(trust=trust_a.trust.pk):
        scale_create_from_template(trust=trust_a.trust, actor=trust_a.people["executive"], template_key="four_phases")
        one, two = trust_a.schools
        _rate(trust_a, one, 3, D(2026, 9, 10))
        _rate(trust_a, one, 2, D(2026, 11, 10))
        _rate(trust_a, two, 4, D(2026, 11, 1))
        Intervention.objects.create(
            school=one,
            title="Phonics coaching",
            area_of_need="reading",
            delivery_model="school_to_school",
            success_criteria="Pupils read fluently.",
            starts_on=D(2027, 1, 4),
            ends_on=D(2027, 3, 26),
            status="proposed",
        )
    return trust_a


def _built(world, snapshot=None) -> BoardPack:
    with scope(trust=world.trust.pk):
        pack = board_pack_request(trust=world.trust, actor=world.people["executive"], snapshot=snapshot, today=TODAY)
        return board_pack_build(pack_id=pack.pk)


# A hand-built document for layout and timing: `n` schools, every section filled.
def metrics_document(n: int, *, trust: str = "Oak Learning Trust") -> dict:
    scale = [
        {"name": name, "position": i, "colour": ""}
        for i, name in enumerate(("Stabilise", "Repair", "Improve", "Sustain"), 1)
    ]
    areas = [
        {"code": c, "label": label}
        for c, label in (("quality", "Quality of education"), ("behaviour", "Behaviour"), ("leadership", "Leadership"))
    ]
    schools = []
    for i in range(n):
        level = scale[i % 4]
        schools.append(
            {
                "uuid": f"00000000-0000-0000-0000-{i:012d}",
                "name": f"School number {i:03d}",
                "urn": 100000 + i,
                "phase": "Secondary" if i % 2 else "Primary",
                "pupils": 300 + i,
                "level": level,
                "level_since": "2026-09-10",
                "rationale": "Reading results fell two years running.",
                "previous_level": scale[(i + 1) % 4],
                "movement": "down" if i % 4 < 3 else "up",
                "overstay": {"months": 14, "expected_months": 8} if i % 10 == 0 else None,
                "ofsted": {
                    "inspected_on": "2022-03-01",
                    "outcome": "Good",
                    "window_from": "2026-09-01",
                    "window_to": "2027-08-31",
                    "likelihood": "Due now",
                    "likely_soon": i % 3 == 0,
                },
                "measures": [
                    {
                        "code": "ks4_progress8" if i % 2 else "ks2_rwm_expected",
                        "label": "Progress 8"
                        if i % 2
                        else "Reading, writing and maths: % meeting the expected standard",
                        "unit": "progress" if i % 2 else "%",
                        "higher_is_better": True,
                        "academic_year": 2024,
                        "value": 0.1,
                        "display": "+0.10" if i % 2 else "63%",
                        "national": 0.0,
                        "national_display": "0.00" if i % 2 else "61%",
                        "versus_national": "better",
                        "trend": [[2024, 0.1, 0.0]],
                    }
                ],
                "predictions": None,
                "interventions": [
                    {
                        "uuid": f"10000000-0000-0000-0000-{i:012d}",
                        "title": f"Maths mastery {i}",
                        "status": "active" if i % 5 else "proposed",
                        "status_label": "Active" if i % 5 else "Proposed",
                        "delivery_model": "direct_trust",
                        "delivery_model_label": "Direct trust",
                        "starts_on": "2026-09-07",
                        "ends_on": "2026-12-10",
                        "overdue_checkpoints": i % 2,
                        "ending_soon": True,
                        "has_impact": False,
                    }
                ],
                "plan": {
                    "academic_year": 2026,
                    "status": "agreed",
                    "status_label": "Agreed",
                    "actions": 6,
                    "completed": 2,
                    "off_track": i % 2,
                    "overdue": 0,
                    "behind": bool(i % 2),
                },
                "visits": {"term_label": "Autumn 2026", "planned": 3, "done": 2, "missed": i % 2},
                "sef_status": "submitted",
                "sef_status_label": "Submitted",
                "heat": {"quality": 1 + i % 4, "behaviour": None, "leadership": 2},
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "trust": trust,
        "as_of": "2026-11-25",
        "academic_year": 2026,
        "half_term": 2,
        "half_term_label": "Autumn 2 2026/27",
        "previous_half_term_end": "2026-10-23",
        "scale": scale,
        "areas": areas,
        "headline": {
            "schools": n,
            "rated": n,
            "most_support": n // 4,
            "moved_up": n // 4,
            "moved_down": n - n // 4,
            "overstays": n // 10,
            "inspections_likely_soon": n // 3,
            "active_interventions": n,
            "overdue_checkpoints": n // 2,
            "plans_behind": n // 2,
            "visits_planned": 3 * n,
            "visits_done": 2 * n,
            "visits_missed": n // 2,
            "sef_submitted": n,
        },
        "levels": [{"level": lv, "schools": n // 4, "up": 0, "down": 0, "new": 0} for lv in scale],
        "unrated": 0,
        "ofsted_profile": [{"outcome": "Good", "schools": n}],
        "measures": [
            {
                "code": "ks4_progress8",
                "label": "Progress 8",
                "unit": "progress",
                "higher_is_better": True,
                "academic_year": 2024,
                "schools_with_value": n // 2,
                "trust_average": 0.1,
                "national": 0.0,
                "trend": [[2022, -0.1, 0.0], [2023, 0.0, 0.0], [2024, 0.1, 0.0]],
            }
        ],
        "interventions_by_status": {"proposed": 0, "active": n},
        "interventions_by_model": [
            {
                "delivery_model": "direct_trust",
                "label": "Direct trust",
                "total": n,
                "active": n,
                "closed": 0,
                "with_impact": 0,
            }
        ],
        "sef_by_status": {"submitted": n},
        "schools": schools,
    }


@pytest.mark.django_db
def test_the_pdf_names_every_school_its_level_and_the_summary_figures(rated, media):
    pack = _built(rated)
    assert pack.status == BoardPackStatus.DONE
    data = stored(pack)
    text = pdf_text(data)
    assert f"{rated.schools[0].name}" in text and f"{rated.schools[1].name}" in text
    assert "2. Repair" in text and "4. Sustain" in text
    assert "2 member schools; 2 placed on a support level" in text
    assert "0 moved up (needing less support) and 1 moved down" in text
    # Exception first: the move down and the proposal reach the board's items.
    assert "Moved down: Alder Trust School 1, from Improve to Repair." in text
    assert "commission “Phonics coaching”" in text
    assert "Self-evaluation form: the school's own judgement" in text  # jargon is explained
    assert pack.checksum == hashlib.sha256(data).hexdigest()
    assert pack.size == len(data)
    assert pack.pages == len(PdfReader(io.BytesIO(data)).pages) > 5
    assert pack.file.name == f"trusts/{rated.trust.code}/board-packs/{pack.uuid}.pdf"


@pytest.mark.django_db
def test_a_pack_built_from_a_snapshot_is_unchanged_after_later_data_changes(rated, media):
    with scope(trust=rated.trust.pk):
        snapshot = snapshot_take(trust=rated.trust, actor=None, today=TODAY)
    first = _built(rated, snapshot)
    with scope(trust=rated.trust.pk):
        school = rated.schools[0]
        school.name = "Renamed Academy"
        school.save()
        _rate(rated, school, 4, D(2026, 11, 20))
    again = _built(rated, snapshot)
    assert again.version == 2  # a rerun is a new version; the first file is untouched
    first_text, again_text = pdf_text(stored(first)), pdf_text(stored(again))
    assert "Renamed Academy" not in again_text
    # Word for word the same pack, but for its version number.
    assert re.sub(r"(?i)version\s+2", "version 1", again_text) == re.sub(r"(?i)version\s+1", "version 1", first_text)
    assert hashlib.sha256(stored(first)).hexdigest() == first.checksum


def test_what_changed_compares_the_two_snapshot_documents():
    before = metrics_document(3)
    now = copy.deepcopy(before)
    scale = now["scale"]
    now["schools"][0]["level"] = scale[3]  # was position 1: up
    now["schools"][1]["level"] = scale[0]  # was position 2: down
    before["schools"][2]["level"] = None  # unrated before: new
    now["schools"].append({**copy.deepcopy(now["schools"][0]), "uuid": "joined", "name": "Newcomer School"})
    before["schools"].append({**copy.deepcopy(before["schools"][0]), "uuid": "gone", "name": "Departed School"})
    context = board_pack_context(metrics=now, previous=before, version=1, snapshot_id="s", previous_label="Autumn 1")
    moves = {m["name"]: m["movement"] for m in context["moves"]}
    assert moves == {
        "School number 000": "up",
        "School number 001": "down",
        "School number 002": "new",
        "Newcomer School": "new",
        "Departed School": "left",
    }
    assert "the last board pack (Autumn 1" in context["since"]
    assert [i.split(":")[0] for i in context["items"]["discussion"]][:2] == ["School number 000", "School number 001"]


def test_without_a_previous_pack_the_documents_own_movements_are_used():
    context = board_pack_context(metrics=metrics_document(4), previous=None, version=1, snapshot_id="s")
    assert [m["movement"] for m in context["moves"]] == ["down", "down", "down", "up"]
    assert context["since"] == "the end of the previous half-term (23 October 2026)"
    assert context["first_pack"] is True


@pytest.mark.serial
def test_a_hundred_school_pack_renders_a_page_per_school_in_reasonable_time():
    context = board_pack_context(metrics=metrics_document(100), previous=None, version=1, snapshot_id="s")
    started = time.perf_counter()
    pdf, pages = render_board_pack(context)
    elapsed = time.perf_counter() - started
    text = pdf_text(pdf)
    assert all(f"School number {i:03d}" in text for i in range(100))
    assert pages > 100
    assert elapsed < 120, f"took {elapsed:.1f}s"


@pytest.mark.django_db
def test_a_second_request_while_one_is_in_preparation_joins_it(rated, media, django_capture_on_commit_callbacks):
    with scope(trust=rated.trust.pk), django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = board_pack_request(trust=rated.trust, actor=rated.people["executive"], today=TODAY)
        second = board_pack_request(trust=rated.trust, actor=rated.people["executive"], today=TODAY)
        assert second == first
        assert BoardPack.objects.count() == 1
    assert len(callbacks) == 1
    assert first.status == BoardPackStatus.QUEUED and first.version == 1


@pytest.mark.django_db
def test_the_job_delivered_twice_builds_one_pack(rated, media, django_capture_on_commit_callbacks):
    with scope(trust=rated.trust.pk), django_capture_on_commit_callbacks(execute=True):
        pack = board_pack_request(trust=rated.trust, actor=rated.people["executive"], today=TODAY)
    with scope(trust=rated.trust.pk):
        pack.refresh_from_db()
        assert pack.status == BoardPackStatus.DONE
        checksum, name = pack.checksum, pack.file.name
    # The same job again (a redelivery): nothing is rebuilt or overwritten.
    assert build_board_pack.delay(trust_id=rated.trust.pk, pack_id=pack.pk).get() == BoardPackStatus.DONE
    with scope(trust=rated.trust.pk):
        pack.refresh_from_db()
        assert (pack.checksum, pack.file.name, pack.attempts) == (checksum, name, 1)
        assert BoardPack.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_build_says_why_in_plain_words_and_can_be_retried(rated, media, monkeypatch):
    def broken(context):
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr("reporting.services.board_packs.render_board_pack", broken)
    pack = _built(rated)
    assert pack.status == BoardPackStatus.FAILED
    assert pack.error.startswith("The board pack could not be prepared because of a fault while laying out the PDF.")
    assert "cairo" not in pack.error
    assert not pack.file

    monkeypatch.setattr("reporting.services.board_packs.render_board_pack", boardpack.render_board_pack)
    with scope(trust=rated.trust.pk):
        retried = board_pack_retry(pack=pack, actor=rated.people["executive"])
        assert (retried.status, retried.attempts, retried.error) == (BoardPackStatus.QUEUED, 2, "")
        done = board_pack_build(pack_id=pack.pk)
    assert done.status == BoardPackStatus.DONE and done.version == 1 and done.pk == pack.pk


@pytest.mark.django_db
def test_only_a_failed_pack_can_be_retried(rated, media):
    pack = _built(rated)
    with scope(trust=rated.trust.pk), pytest.raises(ApplicationError, match="Only a failed board pack"):
        board_pack_retry(pack=pack, actor=rated.people["executive"])


@pytest.mark.django_db
def test_a_snapshot_of_another_trust_is_refused(rated, trust_b, media):
    with scope(trust=trust_b.trust.pk):
        theirs = snapshot_take(trust=trust_b.trust, actor=None, today=TODAY)
    with scope(trust=rated.trust.pk), pytest.raises(ApplicationError, match="does not belong"):
        board_pack_request(trust=rated.trust, actor=rated.people["executive"], snapshot=theirs, today=TODAY)


def _snapshot_of(world, n: int, as_of: datetime.date, half_term: int) -> Snapshot:
    document = metrics_document(n, trust=world.trust.name)
    document["half_term"] = half_term
    return Snapshot.objects.create(
        trust=world.trust,
        academic_year=2026,
        half_term=half_term,
        kind=SnapshotKind.ON_DEMAND,
        as_of=as_of,
        metrics=document,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("schools", [5, 50])
def test_building_a_pack_runs_a_fixed_number_of_queries(trust_a, media, schools):
    with scope(trust=trust_a.trust.pk):
        earlier = _snapshot_of(trust_a, schools, D(2026, 10, 20), 1)
        board_pack_build(
            pack_id=BoardPack.objects.create(
                trust=trust_a.trust, snapshot=earlier, academic_year=2026, half_term=1, version=1
            ).pk
        )
        pack = BoardPack.objects.create(
            trust=trust_a.trust,
            snapshot=_snapshot_of(trust_a, schools, TODAY, 2),
            academic_year=2026,
            half_term=2,
            version=1,
        )
        with CaptureQueriesContext(connection) as queries:
            built = board_pack_build(pack_id=pack.pk)
    assert built.status == BoardPackStatus.DONE
    assert "Changes are measured since the last board pack (Autumn 1 2026/27, version 1" in pdf_text(stored(built))
    # Claim, read the pack and its snapshot, read the previous pack and its snapshot, three progress
    # updates, store the result.
    assert len(queries) == 7

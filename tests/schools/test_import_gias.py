"""The GIAS import, read from the real files in ../shared/data/real/gias as they are."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django_scopes import scope

from core.exceptions import ApplicationError
from schools.importers import gias
from schools.importers.base import ImportFileError
from schools.models import (
    ImportFile,
    ImportKind,
    ImportRun,
    ImportStatus,
    Inspection,
    InspectionEra,
    InspectionJudgement,
    InspectionSource,
    MembershipStatus,
    School,
    SchoolLink,
)
from schools.services import imports
from schools.services.imports import import_run_execute
from schools.services.inspections import inspection_record
from tests.factories import SchoolFactory, TrustFactory

pytestmark = pytest.mark.django_db

REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "real" / "gias"
GROUP_LINKS = REAL / "group_links_20220331_pandas.csv"
PRIMARY_2022 = REAL / "establishments_primary_hampshire_surrey_20220420.csv"
SURREY_2021 = REAL / "establishments_surrey_open_20210506.csv"
LINKS = REAL / "links_edubasealldata20250422.csv"
GROUPS = REAL / "groups_20220331_pandas.csv"
ALL = [GROUP_LINKS, PRIMARY_2022, SURREY_2021, LINKS]

# The seven trusts of SOURCES.md and how many schools the group-links file links to each.
TRUST_SIZES = {"3201": 16, "15864": 10, "3039": 6, "3805": 5, "17444": 5, "5481": 4, "2386": 19}


def run(trust, group_uid, *paths, actor=None):
    files = [(Path(p).name, open(p, "rb")) for p in paths]  # noqa: SIM115 -- closed below
    try:
        with scope(trust=trust.pk):
            return gias.run_import(trust=trust, files=files, options={"group_uid": group_uid}, actor=actor)
    finally:
        for _, handle in files:
            handle.close()


def schools_of(trust):
    with scope(trust=trust.pk):
        return {s.urn: s for s in School.objects.filter(trust=trust)}


def snapshot(trust):
    """Every row the import writes for the trust, with its timestamps."""
    with scope(trust=trust.pk):
        return {
            "schools": list(School.objects.filter(trust=trust).order_by("pk").values()),
            "links": list(SchoolLink.objects.filter(school__trust=trust).order_by("pk").values()),
            "inspections": list(Inspection.objects.filter(school__trust=trust).order_by("pk").values()),
            "judgements": list(
                InspectionJudgement.objects.filter(inspection__school__trust=trust).order_by("pk").values()
            ),
        }


def edited_group_links(tmp_path, edit):
    """A copy of the real group-links file with `edit(row)` applied (return None to drop the row)."""
    with GROUP_LINKS.open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        rows = [edit(row) for row in reader]
        header = reader.fieldnames
    path = tmp_path / "group_links_edited.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row is not None)
    return path


@pytest.mark.parametrize(("group_uid", "size"), TRUST_SIZES.items())
def test_each_real_trust_gets_every_school_the_group_links_file_links_to_it(group_uid, size):
    trust = TrustFactory()
    report = run(trust, group_uid, *ALL)
    assert len(schools_of(trust)) == size
    assert report.created == size and report.updated == 0
    assert all(
        s.status == MembershipStatus.MEMBER and s.gias_group_uid == group_uid for s in schools_of(trust).values()
    )


def test_schools_carry_the_facts_of_the_establishment_and_group_links_files():
    trust = TrustFactory()
    run(trust, "3201", *ALL)
    holme = schools_of(trust)[139920]
    assert holme.name == "The Holme Church of England Primary School"
    assert (holme.la_code, holme.la_name) == ("850", "Hampshire")
    assert (holme.phase, holme.establishment_type) == ("Primary", "Academy sponsor led")
    assert (holme.postcode, holme.number_of_pupils) == ("GU35 8PQ", 172)
    assert holme.headteacher_name == "Mrs Sarah Stevenson"
    assert (holme.gias_status, holme.is_open) == ("Open", True)
    assert holme.opened_on == datetime.date(2013, 9, 1)
    assert holme.joined_trust_on == datetime.date(2013, 9, 1)
    assert not holme.is_incomplete


def test_the_join_date_is_the_group_links_date_not_the_opening_date():
    trust = TrustFactory()
    run(trust, "5481", *ALL)
    wallace = schools_of(trust)[143001]
    assert wallace.name == "Wallace Fields Infant School and Nursery" and wallace.la_name == "Surrey"
    assert wallace.opened_on == datetime.date(2016, 7, 1)
    assert wallace.joined_trust_on == datetime.date(2021, 9, 1)


@pytest.mark.parametrize("order", [[PRIMARY_2022, SURREY_2021], [SURREY_2021, PRIMARY_2022]])
def test_overlapping_establishment_files_the_latest_changed_row_wins_in_any_order(order):
    trust = TrustFactory()
    report = run(trust, "5481", GROUP_LINKS, *order)
    south_farnham = schools_of(trust)[136888]
    # 2022 file (changed 22-03-2022): 847 pupils, Miss Esther Whitbourn; 2021 file: 848, Mrs Claire Donnachie.
    assert south_farnham.number_of_pupils == 847
    assert south_farnham.headteacher_name == "Miss Esther Whitbourn"
    assert any("more than one establishment file" in note for note in report.notes)


def test_a_linked_school_missing_from_the_establishment_files_is_created_from_its_link_and_reported():
    trust = TrustFactory()
    report = run(trust, "2386", *ALL)
    incomplete = {s.urn: s for s in schools_of(trust).values() if s.is_incomplete}
    assert set(incomplete) == {138460, 143419, 143420, 145125}
    teddington = incomplete[138460]
    assert teddington.name == "Teddington School" and teddington.la_name == "Richmond upon Thames"
    assert teddington.phase == "Secondary" and teddington.joined_trust_on == datetime.date(2019, 12, 1)
    assert teddington.number_of_pupils is None and teddington.postcode == ""
    assert {s["urn"] for s in report.incomplete} == set(incomplete)
    assert any("marked incomplete" in note for note in report.notes)


def test_an_incomplete_school_is_completed_when_a_later_file_has_its_row():
    trust = TrustFactory()
    run(trust, "2386", GROUP_LINKS, PRIMARY_2022)
    assert schools_of(trust)[137595].is_incomplete  # Epsom and Ewell High School: only in the Surrey file
    report = run(trust, "2386", GROUP_LINKS, PRIMARY_2022, SURREY_2021)
    epsom = schools_of(trust)[137595]
    assert not epsom.is_incomplete and epsom.postcode == "KT19 9JW"
    [change] = [c for c in report.changes if c["urn"] == 137595]
    assert change["action"] == "updated" and change["fields"]["is_incomplete"] == ["yes", "no"]


def test_non_ascii_names_read_correctly_from_utf8_and_the_mojibake_is_repaired():
    trust = TrustFactory()
    run(trust, "17491", GROUP_LINKS)
    assert [s.name for s in schools_of(trust).values()] == ["North Star 82°"]
    with scope(trust=trust.pk):
        plan = gias.read(trust=trust, files=[("links.csv", GROUP_LINKS.open("rb"))], options={})
    names = {g.uid: g.name for g in plan.groups.values()}
    assert names["5188"] == "FIERTÉ MULTI-ACADEMY TRUST"
    # GIAS's Windows-1252 right quote, decoded as Latin-1 by the re-saving script, reads as ’ again.
    assert names["4741"] == "St Mary’s Academy Trust"


def test_the_windows_1252_links_file_reads_and_links_predecessors():
    trust = TrustFactory()
    report = run(trust, "3201", *ALL)
    assert report.predecessors_added == 16
    trust2 = TrustFactory()
    run(trust2, "5481", *ALL)
    with scope(trust=trust2.pk):
        link = SchoolLink.objects.get(school__urn=136888)
    assert (link.predecessor_urn, link.predecessor_name) == (125078, "South Farnham Community Junior School")
    assert (link.link_type, link.linked_on) == ("Predecessor", datetime.date(2011, 7, 1))


def test_every_trust_school_with_a_predecessor_row_is_linked_once():
    trust = TrustFactory()
    for group_uid in TRUST_SIZES:
        # Each trust is its own tenant in real life; one trust here just counts the links.
        run(trust, group_uid, *ALL)
    with scope(trust=trust.pk):
        assert SchoolLink.objects.filter(school__trust=trust).count() == 61
    run(trust, "3201", *ALL)
    with scope(trust=trust.pk):
        assert SchoolLink.objects.filter(school__trust=trust).count() == 61


def test_school_sponsor_rows_never_create_schools():
    trust = TrustFactory()
    # South Farnham's four schools also have a School sponsor row each (group 4574).
    run(trust, "5481", *ALL)
    assert len(schools_of(trust)) == 4
    other = TrustFactory()
    with pytest.raises(ApplicationError, match="is a School sponsor, not a trust"):
        run(other, "4574", *ALL)
    assert schools_of(other) == {}


def test_a_group_uid_not_in_the_file_is_refused_with_the_trusts_it_lists():
    trust = TrustFactory()
    with pytest.raises(ApplicationError, match="Group UID 99999 is not in the group-links file") as caught:
        run(trust, "99999", *ALL)
    assert "3201" in {g["uid"] for g in caught.value.extra["groups"]}
    assert schools_of(trust) == {}


def test_the_trusts_listed_for_choosing_are_trusts_only():
    trust = TrustFactory()
    with scope(trust=trust.pk):
        plan = gias.read(trust=trust, files=[(GROUP_LINKS.name, GROUP_LINKS.open("rb"))], options={})
    listed = {g["uid"]: g for g in plan.trust_groups()}
    assert set(TRUST_SIZES) <= set(listed)
    assert all(g["type"] in gias.TRUST_GROUP_TYPES for g in listed.values())
    assert "4574" not in listed and "2908" not in listed  # School sponsors
    assert listed["3201"] == {
        "uid": "3201",
        "name": "THE GOOD SHEPHERD TRUST",
        "type": "Multi-academy trust",
        "schools": 16,
    }


def test_the_latest_ofsted_grade_and_date_come_from_the_gias_columns():
    trust = TrustFactory()
    report = run(trust, "3201", *ALL)
    with scope(trust=trust.pk):
        ashley = Inspection.objects.get(school__urn=141294)
        assert ashley.inspected_on == datetime.date(2021, 11, 17)
        assert (ashley.era, ashley.source) == (InspectionEra.LEGACY, InspectionSource.GIAS)
        assert dict(ashley.judgements.values_list("area", "grade")) == {"overall_effectiveness": 3}
        # St John's: Good in 2021 (2022 file) and Good in 2016 (the 2021 file's latest): both kept as history.
        st_johns = Inspection.objects.filter(school__urn=139721).order_by("inspected_on")
        assert [i.inspected_on for i in st_johns] == [datetime.date(2016, 9, 21), datetime.date(2021, 12, 1)]
        assert Inspection.objects.filter(school__trust=trust).count() == report.inspections_recorded == 13


def test_a_changed_gias_grade_corrects_the_earlier_gias_record():
    trust = TrustFactory()
    run(trust, "3201", GROUP_LINKS, PRIMARY_2022)
    with scope(trust=trust.pk):
        InspectionJudgement.objects.filter(inspection__school__urn=141294).update(grade=1)
    report = run(trust, "3201", GROUP_LINKS, PRIMARY_2022)
    with scope(trust=trust.pk):
        ashley = Inspection.objects.get(school__urn=141294)
        assert dict(ashley.judgements.values_list("area", "grade")) == {"overall_effectiveness": 3}
    [change] = [c for c in report.changes if c["urn"] == 141294]
    assert change["inspections"] == [{"on": "2021-11-17", "grade": "Requires improvement", "outcome": "updated"}]
    assert (report.updated, report.inspections_recorded) == (1, 1)


def test_a_gias_grade_never_overwrites_an_inspection_recorded_from_ofsted():
    trust = TrustFactory()
    run(trust, "3201", GROUP_LINKS)
    ashley = schools_of(trust)[141294]
    with scope(trust=trust.pk):
        inspection_record(
            school=ashley,
            inspected_on=datetime.date(2021, 11, 17),
            judgements={"overall_effectiveness": 2, "quality_of_education": 2},
            source=InspectionSource.OFSTED_CSV,
        )
    report = run(trust, "3201", *ALL)
    with scope(trust=trust.pk):
        kept = Inspection.objects.get(school=ashley, inspected_on=datetime.date(2021, 11, 17))
        assert kept.source == InspectionSource.OFSTED_CSV
        assert dict(kept.judgements.values_list("area", "grade")) == {
            "overall_effectiveness": 2,
            "quality_of_education": 2,
        }
    assert any("differs and was kept" in s.reason and s.urn == "141294" for s in report.skipped)


def test_a_rerun_changes_nothing():
    trust = TrustFactory()
    run(trust, "2386", *ALL)
    before = snapshot(trust)
    report = run(trust, "2386", *reversed(ALL))
    assert snapshot(trust) == before
    assert (report.created, report.updated, report.unchanged) == (0, 0, 19)
    assert report.predecessors_added == report.inspections_recorded == 0


def test_a_rerun_updates_changed_fields_and_never_duplicates():
    trust = TrustFactory()
    run(trust, "5481", GROUP_LINKS, SURREY_2021)
    assert schools_of(trust)[136888].headteacher_name == "Mrs Claire Donnachie"
    report = run(trust, "5481", GROUP_LINKS, SURREY_2021, PRIMARY_2022)
    south_farnham = schools_of(trust)[136888]
    assert len(schools_of(trust)) == 4
    assert south_farnham.headteacher_name == "Miss Esther Whitbourn"
    [change] = [c for c in report.changes if c["urn"] == 136888]
    assert change["action"] == "updated"
    assert change["fields"]["headteacher_name"] == ["Mrs Claire Donnachie", "Miss Esther Whitbourn"]
    assert change["fields"]["number_of_pupils"] == ["848", "847"]


def test_a_school_no_longer_linked_is_marked_left_never_deleted_and_can_come_back(tmp_path):
    trust = TrustFactory()
    run(trust, "3201", *ALL)
    gone = edited_group_links(tmp_path, lambda row: None if row["URN"] == "139920" else row)
    report = run(trust, "3201", gone, PRIMARY_2022, SURREY_2021, LINKS)
    holme = schools_of(trust)[139920]
    assert (holme.status, holme.left_trust_on) == (MembershipStatus.LEFT, timezone.localdate())
    assert len(schools_of(trust)) == 16 and report.left == 1
    with scope(trust=trust.pk):
        assert SchoolLink.objects.filter(school=holme).exists()  # its history stays

    assert run(trust, "3201", gone, PRIMARY_2022).updated == 0  # still left: nothing to change
    back = run(trust, "3201", *ALL)
    holme = schools_of(trust)[139920]
    assert (holme.status, holme.left_trust_on) == (MembershipStatus.MEMBER, None)
    assert [c["action"] for c in back.changes if c["urn"] == 139920] == ["rejoined"]


def test_a_closed_link_marks_the_school_left_on_the_closed_date(tmp_path):
    trust = TrustFactory()
    run(trust, "3201", *ALL)

    def close(row):
        if row["URN"] == "141294" and row["Group UID"] == "3201":
            row.update({"Closed Date": "2022-03-01", "Group Status": "Closed"})
        return row

    report = run(trust, "3201", edited_group_links(tmp_path, close), PRIMARY_2022)
    ashley = schools_of(trust)[141294]
    assert (ashley.status, ashley.left_trust_on) == (MembershipStatus.LEFT, datetime.date(2022, 3, 1))
    [change] = [c for c in report.changes if c["urn"] == 141294]
    assert change["action"] == "left" and change["fields"]["status"] == ["member", "left"]


def test_without_a_group_links_file_only_the_trusts_known_schools_are_updated():
    trust = TrustFactory()
    run(trust, "3201", GROUP_LINKS, SURREY_2021)
    report = run(trust, "3201", PRIMARY_2022)
    schools = schools_of(trust)
    assert len(schools) == 16 and report.created == 0
    assert all(s.status == MembershipStatus.MEMBER for s in schools.values())
    assert schools[141294].number_of_pupils == 592  # from the 2022 file


def test_another_trusts_school_with_the_same_urn_is_untouched():
    trust, other = TrustFactory(), TrustFactory()
    with scope(trust=other.pk):
        theirs = SchoolFactory(trust=other, urn=136888, name="Their copy")
    run(trust, "5481", *ALL)
    with scope(trust=other.pk):
        theirs.refresh_from_db()
    assert theirs.name == "Their copy" and theirs.gias_group_uid == ""
    assert schools_of(trust)[136888].name == "South Farnham School"


def test_reading_reports_progress_as_it_goes():
    trust = TrustFactory()
    seen = []
    handles = [(p.name, p.open("rb")) for p in ALL]
    with scope(trust=trust.pk):
        plan = gias.read(trust=trust, files=handles, options={"group_uid": "3201"}, progress=seen.append)
    assert seen[-1] == plan.rows_read == 129 + 129 + 67 + 162
    assert [f["kind"] for f in plan.files] == [gias.GROUP_LINKS, gias.ESTABLISHMENTS, gias.ESTABLISHMENTS, gias.LINKS]


# Bad files: a clear message naming the file, and nothing changes.


def _cut_mid_row(path, tmp_path):
    data = path.read_bytes()
    cut = len(data) // 2
    while data[cut - 1 : cut] in (b"\n", b"\r"):
        cut += 7
    target = tmp_path / f"cut_{path.name}"
    target.write_bytes(data[:cut])
    return target


def _bad_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    binary = tmp_path / "spreadsheet.csv"
    binary.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 40)
    return {
        "wrong columns (allgroupsdata)": (GROUPS, "looks like the GIAS groups file"),
        "wrong columns (performance)": (
            REAL.parent / "performance" / "2018-2019_936_ks2final.csv",
            "is not a GIAS file this import reads",
        ),
        "truncated establishments": (_cut_mid_row(PRIMARY_2022, tmp_path), "cut off|could not be read"),
        "truncated group links": (_cut_mid_row(GROUP_LINKS, tmp_path), "cut off|could not be read"),
        "binary": (binary, "binary"),
        "empty": (empty, "empty"),
    }


def test_every_bad_file_is_refused_by_name_and_nothing_changes(tmp_path):
    trust = TrustFactory()
    run(trust, "3201", *ALL)
    before = snapshot(trust)
    for case, (bad, message) in _bad_files(tmp_path).items():
        good = [p for p in ALL if p.name not in bad.name]
        with pytest.raises(ImportFileError, match=message) as caught:
            run(trust, "3201", *good, bad)
        assert bad.name in caught.value.message, case
        assert snapshot(trust) == before, case


def test_a_bad_file_into_a_new_trust_creates_nothing(tmp_path):
    trust = TrustFactory()
    truncated = _cut_mid_row(SURREY_2021, tmp_path)
    with pytest.raises(ImportFileError, match=truncated.name):
        run(trust, "3201", GROUP_LINKS, PRIMARY_2022, truncated)
    assert schools_of(trust) == {}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_every_encoding_gias_uses_reads_the_same(tmp_path, encoding):
    text = GROUP_LINKS.read_text(encoding="utf-8")
    path = tmp_path / f"group_links_{encoding}.csv"
    # cp1252 has no C1 control characters: the mojibake sample becomes the real ’ it stood for.
    path.write_bytes(text.replace("\x92", "’").encode(encoding))
    trust = TrustFactory()
    run(trust, "17491", path)
    assert [s.name for s in schools_of(trust).values()] == ["North Star 82°"]


def test_dd_mm_yyyy_and_iso_dates_both_read():
    header = "URN,Group UID,Group Name,Group Type,Joined date,EstablishmentName\n"
    for joined in ("01-09-2013", "2013-09-01"):
        trust = TrustFactory()
        data = io.BytesIO(f"{header}139920,3201,T,Multi-academy trust,{joined},The Holme\n".encode())
        with scope(trust=trust.pk):
            gias.run_import(trust=trust, files=[("links.csv", data)], options={"group_uid": "3201"}, actor=None)
        assert schools_of(trust)[139920].joined_trust_on == datetime.date(2013, 9, 1)


def test_a_row_with_a_bad_date_is_skipped_with_its_reason():
    header = "URN,Group UID,Group Name,Group Type,Joined date,EstablishmentName\n"
    data = io.BytesIO(
        f"{header}139920,3201,T,Multi-academy trust,31-02-2013,The Holme\n"
        "141294,3201,T,Multi-academy trust,01-09-2014,Ashley\n".encode()
    )
    trust = TrustFactory()
    with scope(trust=trust.pk):
        report = gias.run_import(trust=trust, files=[("links.csv", data)], options={"group_uid": "3201"}, actor=None)
    assert set(schools_of(trust)) == {141294}
    [skip] = report.skipped
    assert (skip.row, skip.urn) == (2, "139920") and "Joined date" in skip.reason and "31-02-2013" in skip.reason


# The command and the run machinery.


def test_the_command_imports_any_mix_of_files_and_prints_the_report():
    trust = TrustFactory(slug="south-farnham")
    out = io.StringIO()
    call_command("import_gias", "--trust", "south-farnham", "--group-uid", "5481", *map(str, reversed(ALL)), stdout=out)
    text = out.getvalue()
    assert "GIAS import for group 5481 SOUTH FARNHAM EDUCATIONAL TRUST" in text
    assert "Schools created: 4, updated: 0, unchanged: 0" in text
    assert "Created: Wallace Fields Infant School and Nursery (URN 143001)" in text
    assert "Predecessor linked: South Farnham Community Junior School (URN 125078)" in text
    assert len(schools_of(trust)) == 4
    with scope(trust=trust.pk):
        run = ImportRun.objects.get()
    assert (run.status, run.group_uid, run.report["created"]) == (ImportStatus.DONE, "5481", 4)

    out = io.StringIO()
    call_command("import_gias", "--trust", "south-farnham", "--group-uid", "5481", *map(str, ALL), stdout=out)
    assert "Schools created: 0, updated: 0, unchanged: 4" in out.getvalue()


def test_the_command_dry_run_changes_nothing():
    trust = TrustFactory(slug="kite")
    out = io.StringIO()
    call_command("import_gias", "--trust", "kite", "--group-uid", "15864", "--dry-run", *map(str, ALL), stdout=out)
    assert "Dry run: nothing was changed" in out.getvalue() and "Schools created: 10" in out.getvalue()
    assert schools_of(trust) == {}
    with scope(trust=trust.pk):
        assert not ImportRun.objects.exists()


def test_the_command_refuses_a_bad_file_with_its_message(tmp_path):
    trust = TrustFactory(slug="lumen")
    cut = _cut_mid_row(LINKS, tmp_path)
    with pytest.raises(CommandError, match=f"{cut.name}.*Nothing was (changed|imported)"):
        call_command("import_gias", "--trust", "lumen", "--group-uid", "3805", str(GROUP_LINKS), str(cut))
    assert schools_of(trust) == {}
    with scope(trust=trust.pk):
        assert ImportRun.objects.get().status == ImportStatus.FAILED
    with pytest.raises(CommandError, match="no trust with the slug"):
        call_command("import_gias", "--trust", "nope", "--group-uid", "3805", str(GROUP_LINKS))


def test_a_job_runs_a_confirmed_import_once_only(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    trust = TrustFactory()
    with scope(trust=trust.pk):
        run = ImportRun.objects.create(trust=trust, kind=ImportKind.GIAS, group_uid="3805", status=ImportStatus.QUEUED)
        record = ImportFile(run=run, original_name=GROUP_LINKS.name, detected=gias.GROUP_LINKS)
        record.file.save(GROUP_LINKS.name, ContentFile(GROUP_LINKS.read_bytes()))
        assert import_run_execute(run_id=run.pk).status == ImportStatus.DONE
        assert len(schools_of(trust)) == 5
        # A redelivered job finds the run done and does nothing.
        ImportRun.objects.filter(pk=run.pk).update(report={"sentinel": True})
        assert import_run_execute(run_id=run.pk).report == {"sentinel": True}


def test_a_job_whose_file_fails_records_the_error_and_changes_nothing(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    trust = TrustFactory()
    with scope(trust=trust.pk):
        run = ImportRun.objects.create(trust=trust, kind=ImportKind.GIAS, group_uid="3805", status=ImportStatus.QUEUED)
        record = ImportFile(run=run, original_name="links.csv", detected=gias.GROUP_LINKS)
        data = GROUP_LINKS.read_bytes()
        record.file.save("links.csv", ContentFile(data[: data.index(b",", 3000)]))
        run = import_run_execute(run_id=run.pk)
    assert run.status == ImportStatus.FAILED and run.finished_at is not None
    assert run.error == "links.csv looks cut off: row 17 has 1 of 21 columns. Nothing was imported."
    assert schools_of(trust) == {}


@pytest.mark.django_db(transaction=True)
def test_progress_is_written_outside_the_import_transaction(monkeypatch):
    """So another connection (the page polling) sees it at once, on PostgreSQL and SQLite alike."""
    monkeypatch.setattr(imports, "PROGRESS_INTERVAL", 0)
    monkeypatch.setattr(gias, "PROGRESS_EVERY", 50)
    seen = []
    original = imports._Progress.__call__

    def spy(self, rows_done):
        seen.append((rows_done, connection.in_atomic_block))
        original(self, rows_done)

    monkeypatch.setattr(imports._Progress, "__call__", spy)
    trust = TrustFactory()
    handles = [(p.name, p.open("rb")) for p in ALL]
    with scope(trust=trust.pk):
        run = imports.import_run_now(
            trust=trust, actor=None, kind=ImportKind.GIAS, files=handles, options={"group_uid": "3201"}
        )
    for _, handle in handles:
        handle.close()
    assert run.status == ImportStatus.DONE and run.rows_done == run.rows_total == 487
    assert [done for done, _ in seen][:3] == [50, 100, 150]
    assert not any(in_atomic for _, in_atomic in seen)


def test_a_value_too_long_for_its_field_skips_the_school_with_the_reason():
    header = "URN,Group UID,Group Name,Group Type,Joined date,EstablishmentName\n"
    data = io.BytesIO(
        f"{header}139920,3201,T,Multi-academy trust,01-09-2013,{'A very long name ' * 15}\n"
        "141294,3201,T,Multi-academy trust,01-09-2014,Ashley\n".encode()
    )
    trust = TrustFactory()
    with scope(trust=trust.pk):
        report = gias.run_import(trust=trust, files=[("links.csv", data)], options={"group_uid": "3201"}, actor=None)
    assert set(schools_of(trust)) == {141294}
    [skip] = report.skipped
    assert skip.urn == "139920" and "name: Ensure this value has at most 200 characters" in skip.reason

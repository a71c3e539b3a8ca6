"""DfE performance tables imported from the real 2018/19 files (../shared/data/real/performance/).

Trusts are built from the real GIAS group-links file (their member URNs) and the real GIAS links
file (predecessor URNs), so these tests do not depend on the GIAS importer.
"""

import csv
import datetime
import io
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from schools.importers.base import ImportFileError, ImportReport
from schools.importers.performance import academic_year_of, detect, parse_value, run_import, wrong_columns_message
from schools.models import ComparatorLevel, ComparatorValue, MeasureValue, School, SchoolLink
from tests.factories import SchoolFactory, TrustFactory
from trust.models import Trust

pytestmark = pytest.mark.django_db

REAL = Path(settings.BASE_DIR).parent / "shared" / "data" / "real"
KS2_HAMPSHIRE = REAL / "performance" / "2018-2019_850_ks2final.csv"
KS2_SURREY = REAL / "performance" / "2018-2019_936_ks2final.csv"
KS4_SURREY = REAL / "performance" / "2018-2019_936_ks4final.csv"
GROUP_LINKS = REAL / "gias" / "group_links_20220331_pandas.csv"
LINKS = REAL / "gias" / "links_edubasealldata20250422.csv"

GOOD_SHEPHERD = "3201"  # THE GOOD SHEPHERD TRUST
KITE = "15864"  # THE KITE ACADEMY TRUST
WINCHESTER = "17444"  # UNIVERSITY OF WINCHESTER ACADEMY TRUST
BOURNE = "2386"  # BOURNE EDUCATION TRUST


def trust_members(group_uid: str) -> dict[int, str]:
    """URN -> name of a trust's schools, from the real GIAS group-links file."""
    with GROUP_LINKS.open(encoding="utf-8", newline="") as handle:
        return {
            int(row["URN"]): row["EstablishmentName"]
            for row in csv.DictReader(handle)
            if row["Group UID"] == group_uid and row["Group Type"] == "Multi-academy trust"
        }


def predecessor_links(urn: int) -> list[tuple[int, str, datetime.date]]:
    """(predecessor URN, name, date) from the real GIAS links file (Windows-1252)."""
    with LINKS.open(encoding="cp1252", newline="") as handle:
        return [
            (int(row["LinkURN"]), row["LinkName"], datetime.datetime.strptime(row["LinkEstablishedDate"], "%d-%m-%Y"))
            for row in csv.DictReader(handle)
            if row["URN"] == str(urn) and row["LinkType"].startswith("Predecessor")
        ]


def real_trust(group_uid: str, *, links: bool = True) -> Trust:
    """A trust holding the real group's schools and (optionally) their GIAS predecessor links."""
    with scopes_disabled():
        trust = TrustFactory(slug=f"group-{group_uid}")
        for urn, name in trust_members(group_uid).items():
            school = SchoolFactory(trust=trust, urn=urn, name=name)
            if links:
                for predecessor, link_name, linked in predecessor_links(urn):
                    SchoolLink.objects.create(
                        school=school,
                        predecessor_urn=predecessor,
                        predecessor_name=link_name,
                        link_type="Predecessor",
                        linked_on=linked.date(),
                    )
    return trust


def run(trust: Trust, *paths: Path, **options: object) -> ImportReport:
    handles = [(path.name, path.open("rb")) for path in paths]
    try:
        with scope(trust=trust.pk):
            return run_import(trust=trust, files=handles, options=options, actor=None)
    finally:
        for _, handle in handles:
            handle.close()


def value_of(urn: int, measure: str, trust: Trust | None = None, year: int = 2018) -> MeasureValue:
    with scopes_disabled():
        values = MeasureValue.objects.filter(school__urn=urn, measure=measure, academic_year=year)
        if trust is not None:
            values = values.filter(school__trust=trust)
        return values.get()


def all_values() -> list[tuple]:
    with scopes_disabled():
        return list(
            MeasureValue.objects.order_by("pk").values_list(
                "school__urn", "measure", "academic_year", "value", "missing_code", "source_urn", "updated_at"
            )
        )


def all_comparators() -> list[tuple]:
    return list(ComparatorValue.objects.order_by("pk").values_list("level", "la_code", "measure", "value"))


# --- values -------------------------------------------------------------------------------------


def test_dfe_cells_become_numbers_or_missing_codes_never_zero():
    assert parse_value("63%") == (Decimal("63"), "")
    assert parse_value("-1.9") == (Decimal("-1.9"), "")
    assert parse_value("SUPP") == (None, "SUPP")
    assert parse_value("LOWCOV") == (None, "LOWCOV")
    assert parse_value(" ") == (None, "")
    assert parse_value("") == (None, "")
    with pytest.raises(ValueError):
        parse_value("n/a")


def test_a_suppressed_ks2_value_is_stored_as_suppressed_not_zero():
    # Surrey KS2, URN 145543 (Wyke Primary Academy, Kite): PTRWM_EXP_FSM6CLA1A is "SUPP".
    trust = real_trust(KITE)
    run(trust, KS2_SURREY)
    suppressed = value_of(145543, "ks2_rwm_expected_disadvantaged")
    assert suppressed.value is None
    assert suppressed.missing_code == "SUPP"
    # The same school's headline figure is a real number: 78%.
    assert value_of(145543, "ks2_rwm_expected").value == Decimal("78")


def test_kite_academies_get_their_2018_ks2_results_through_urn_ac():
    # Surrey rows 125133 (URN_AC 146975, Hale) and Hampshire row 116240 (URN_AC 147128, The Ferns):
    # these academies have no KS2 row under their own URN. No predecessor links here: URN_AC alone.
    trust = real_trust(KITE, links=False)
    run(trust, KS2_HAMPSHIRE, KS2_SURREY)
    hale = value_of(146975, "ks2_rwm_expected")
    assert (hale.value, hale.source_urn) == (Decimal("68"), 125133)
    ferns = value_of(147128, "ks2_reading_progress")
    assert (ferns.value, ferns.source_urn) == (Decimal("0.5"), 116240)
    assert hale.source == "DfE KS2 2018/19"
    # Kite's own-URN rows carry no source URN.
    assert value_of(142356, "ks2_rwm_expected").source_urn is None


def test_winchester_academies_get_ks2_results_only_through_predecessor_links():
    # The five academies joined in 2020; the 2018/19 file has their predecessors 115856 (Awbridge),
    # 115959 (Wellow) and 116032 (Halterworth) with URN_AC 0, and nothing under the academy URNs.
    trust = real_trust(WINCHESTER)
    report = run(trust, KS2_HAMPSHIRE)
    found = {
        urn: (value_of(urn, "ks2_rwm_expected").value, value_of(urn, "ks2_rwm_expected").source_urn)
        for urn in (148213, 148214, 148216)
    }
    assert found == {
        148213: (Decimal("61"), 115856),
        148214: (Decimal("67"), 115959),
        148216: (Decimal("79"), 116032),
    }
    with scopes_disabled():
        assert not MeasureValue.objects.filter(school__urn__in=[147836, 147852]).exists()
    assert "3 rows for trust schools" in report.notes[0]


def test_an_academys_empty_row_does_not_hide_its_predecessors_results():
    # Surrey KS2: 146438 and 146781 (Good Shepherd, opened 2018/19) have short, empty rows (TOTPUPS "NEW");
    # their predecessors 135953 and 125185 (later in the file) have results. 125185's PTRWM_HIGH is a real 0%.
    trust = real_trust(GOOD_SHEPHERD)
    report = run(trust, KS2_SURREY)
    surrey_hills = value_of(146438, "ks2_rwm_expected")
    assert (surrey_hills.value, surrey_hills.source_urn) == (Decimal("79"), 135953)
    st_marks = value_of(146781, "ks2_rwm_higher")
    assert (st_marks.value, st_marks.missing_code, st_marks.source_urn) == (Decimal("0"), "", 125185)
    assert {s.urn for s in report.skipped} == {"146438", "146781"}


def test_without_predecessor_links_winchester_gets_nothing():
    trust = real_trust(WINCHESTER, links=False)
    report = run(trust, KS2_HAMPSHIRE)
    assert report.created == len(all_comparators())  # only the LA and England figures
    with scopes_disabled():
        assert MeasureValue.objects.count() == 0


def test_other_schools_rows_are_counted_not_listed():
    trust = real_trust(WINCHESTER)
    report = run(trust, KS2_HAMPSHIRE)
    # Hampshire has 11 school rows: 3 Winchester predecessors and 8 others (controls, other trusts).
    assert "3 rows for trust schools, 8 rows not a trust school, 2 rows local authority or England" in report.notes[0]
    assert report.skipped == []


def test_a_value_under_the_academys_own_urn_beats_a_predecessors_in_either_order():
    # Link each school to another real row of the same file, one before it and one after it.
    trust = real_trust(KITE, links=False)
    with scopes_disabled():
        wyke = School.objects.get(trust=trust, urn=145543)  # first row of the Surrey file: 78%
        grove = School.objects.get(trust=trust, urn=142380)  # 63%, after 124937
        SchoolLink.objects.create(school=wyke, predecessor_urn=124939)  # later row: 80%
        SchoolLink.objects.create(school=grove, predecessor_urn=124937)  # earlier row: 65%
    run(trust, KS2_SURREY)
    assert (value_of(145543, "ks2_rwm_expected").value, value_of(145543, "ks2_rwm_expected").source_urn) == (
        Decimal("78"),
        None,
    )
    assert (value_of(142380, "ks2_rwm_expected").value, value_of(142380, "ks2_rwm_expected").source_urn) == (
        Decimal("63"),
        None,
    )


def test_when_two_predecessors_have_results_the_first_is_kept_and_reported():
    trust = real_trust(WINCHESTER)
    with scopes_disabled():
        awbridge = School.objects.get(trust=trust, urn=148213)
        SchoolLink.objects.create(school=awbridge, predecessor_urn=116017)  # a later Hampshire row: 68%
    report = run(trust, KS2_HAMPSHIRE)
    assert (value_of(148213, "ks2_rwm_expected").value, value_of(148213, "ks2_rwm_expected").source_urn) == (
        Decimal("61"),
        115856,
    )
    conflicts = [n for n in report.notes if n.startswith("Awbridge Primary School (148213)")]
    assert len(conflicts) == 1
    assert "from URN 115856 kept" in conflicts[0] and "(predecessor URN 116017) has others" in conflicts[0]


def test_a_later_import_of_a_predecessor_does_not_overwrite_the_academys_own_value():
    trust = real_trust(KITE, links=False)
    with scopes_disabled():
        wyke = School.objects.get(trust=trust, urn=145543)
        SchoolLink.objects.create(school=wyke, predecessor_urn=115851)  # a Hampshire row: 63%
    run(trust, KS2_SURREY)
    report = run(trust, KS2_HAMPSHIRE)
    assert value_of(145543, "ks2_rwm_expected").value == Decimal("78")
    assert "Wyke Primary Academy (145543): kept 10 stored values rather than a predecessor's" in "".join(report.notes)


def test_the_academys_own_value_replaces_one_found_through_a_predecessor():
    trust = real_trust(KITE, links=False)
    with scopes_disabled():
        wyke = School.objects.get(trust=trust, urn=145543)
        SchoolLink.objects.create(school=wyke, predecessor_urn=115851)
    run(trust, KS2_HAMPSHIRE)
    assert (value_of(145543, "ks2_rwm_expected").value, value_of(145543, "ks2_rwm_expected").source_urn) == (
        Decimal("63"),
        115851,
    )
    report = run(trust, KS2_SURREY)
    assert (value_of(145543, "ks2_rwm_expected").value, value_of(145543, "ks2_rwm_expected").source_urn) == (
        Decimal("78"),
        None,
    )
    assert report.updated > 0


# --- comparators --------------------------------------------------------------------------------


def test_la_and_state_funded_england_rows_become_comparators():
    trust = real_trust(KITE)
    run(trust, KS2_HAMPSHIRE, KS2_SURREY, KS4_SURREY)

    def comparator(level: str, la: str, measure: str) -> ComparatorValue:
        return ComparatorValue.objects.get(level=level, la_code=la, measure=measure, academic_year=2018)

    # KS2 RECTYPE 3 is the LA, RECTYPE 5 England (state-funded).
    assert comparator(ComparatorLevel.LOCAL_AUTHORITY, "850", "ks2_rwm_expected").value == Decimal("68")
    assert comparator(ComparatorLevel.LOCAL_AUTHORITY, "936", "ks2_rwm_expected").value == Decimal("70")
    assert comparator(ComparatorLevel.LOCAL_AUTHORITY, "936", "ks2_reading_progress").value == Decimal("0.3")
    assert comparator(ComparatorLevel.NATIONAL, "", "ks2_rwm_expected").value == Decimal("65")
    # England's progress cells are a single space: no value, never 0.
    national_progress = comparator(ComparatorLevel.NATIONAL, "", "ks2_reading_progress")
    assert (national_progress.value, national_progress.missing_code) == (None, "")
    # KS4 RECTYPE 4 is the LA; RECTYPE 7 (state-funded) is England, not RECTYPE 5 (all schools, P8 blank).
    assert comparator(ComparatorLevel.LOCAL_AUTHORITY, "936", "ks4_attainment8").value == Decimal("50.3")
    assert comparator(ComparatorLevel.NATIONAL, "", "ks4_attainment8").value == Decimal("46.7")
    assert comparator(ComparatorLevel.NATIONAL, "", "ks4_progress8").value == Decimal("-0.03")


# --- key stage 4 ---------------------------------------------------------------------------------


def test_bourne_secondaries_get_attainment8_and_progress8():
    trust = real_trust(BOURNE)
    report = run(trust, KS4_SURREY)
    # Surrey KS4 2018/19: Epsom and Ewell High School (137595) and The Matthew Arnold School (138765).
    assert value_of(137595, "ks4_attainment8").value == Decimal("45.6")
    assert value_of(137595, "ks4_progress8").value == Decimal("0.13")
    assert value_of(137595, "ks4_english_maths_5").value == Decimal("39")
    assert value_of(137595, "ks4_english_maths_4").value == Decimal("61")
    assert value_of(137595, "ks4_ebacc_aps").value == Decimal("4.15")
    assert value_of(138765, "ks4_progress8").value == Decimal("0.23")
    assert value_of(137595, "ks4_attainment8").source == "DfE KS4 2018/19"
    # Chertsey High School (144741) opened in 2017: its row is there but empty.
    with scopes_disabled():
        assert not MeasureValue.objects.filter(school__urn=144741).exists()
    assert [s.urn for s in report.skipped] == ["144741"]
    assert "no KS4 results" in report.skipped[0].reason


# --- idempotence, atomicity, refusal ------------------------------------------------------------


def test_importing_the_same_files_again_changes_nothing():
    trust = real_trust(KITE)
    first = run(trust, KS2_HAMPSHIRE, KS2_SURREY)
    before, comparators = all_values(), all_comparators()
    second = run(trust, KS2_HAMPSHIRE, KS2_SURREY)
    assert first.created > 0
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert all_values() == before
    assert all_comparators() == comparators


def test_a_file_with_the_wrong_columns_is_refused_and_nothing_is_written():
    trust = real_trust(KITE)
    wrong = REAL / "gias" / "establishments_surrey_open_20210506.csv"
    with pytest.raises(ImportFileError, match="not a DfE key stage 2 or key stage 4"):
        run(trust, KS2_SURREY, wrong)  # the good file first: its rows must not stay
    assert all_values() == []
    assert all_comparators() == []


def test_the_upload_check_recognises_ks2_and_ks4_headers():
    def first_row(path: Path) -> list[str]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return next(csv.reader(handle))

    assert detect(first_row(KS2_HAMPSHIRE)) == "ks2"
    assert detect(first_row(KS2_SURREY)) == "ks2"
    assert detect(first_row(KS4_SURREY)) == "ks4"
    assert detect(first_row(GROUP_LINKS)) is None
    assert "group_links.csv is not a DfE key stage 2 or key stage 4" in wrong_columns_message(
        "group_links.csv", first_row(GROUP_LINKS)
    )


def test_a_file_with_the_marker_but_no_urn_column_is_refused():
    header = KS2_SURREY.read_bytes().split(b"\n", 1)[0].replace(b",URN,", b",SCHOOL_URN,")
    trust = real_trust(KITE)
    with scope(trust=trust.pk), pytest.raises(ImportFileError, match="no URN column"):
        run_import(
            trust=trust, files=[("2018-2019_936_ks2final.csv", io.BytesIO(header + b"\n"))], options={}, actor=None
        )


def test_the_academic_year_comes_from_the_options_or_the_file_name():
    assert academic_year_of("2018-2019_936_ks2final.csv", {}) == 2018
    assert academic_year_of("2018-2019_936_ks2final.csv", {"academic_year": 2017}) == 2017
    assert academic_year_of("ks2.csv", {"academic_year": "2018"}) == 2018
    with pytest.raises(ImportFileError, match="Which academic year"):
        academic_year_of("ks2final.csv", {})
    with pytest.raises(ImportFileError, match="Which academic year"):
        academic_year_of("2018-2020_ks2.csv", {})


def test_a_file_without_a_year_in_its_name_needs_the_year_option():
    trust = real_trust(KITE)
    with scope(trust=trust.pk), KS2_SURREY.open("rb") as handle:
        with pytest.raises(ImportFileError):
            run_import(trust=trust, files=[("surrey.csv", handle)], options={}, actor=None)
        report = run_import(trust=trust, files=[("surrey.csv", handle)], options={"academic_year": 2018}, actor=None)
    assert report.created > 0
    assert value_of(145543, "ks2_rwm_expected").academic_year == 2018


def test_a_dry_run_reports_but_writes_nothing():
    trust = real_trust(KITE)
    report = run(trust, KS2_SURREY, dry_run=True)
    assert report.created > 0
    assert all_values() == []
    assert all_comparators() == []


def test_another_trusts_school_with_the_same_urn_is_untouched():
    kite = real_trust(KITE)
    with scopes_disabled():
        other = SchoolFactory(urn=145543, name="Wyke Primary Academy (other trust's record)")
    run(kite, KS2_SURREY)
    with scopes_disabled():
        assert not MeasureValue.objects.filter(school=other).exists()
    assert value_of(145543, "ks2_rwm_expected", trust=kite).value == Decimal("78")


def test_the_callers_files_are_left_open():
    trust = real_trust(KITE)
    with KS2_SURREY.open("rb") as handle, scope(trust=trust.pk):
        run_import(trust=trust, files=[(KS2_SURREY.name, handle)], options={}, actor=None)
        assert not handle.closed


# --- command --------------------------------------------------------------------------------------


def test_import_performance_command_prints_the_report():
    trust = real_trust(WINCHESTER)
    out = StringIO()
    call_command("import_performance", "--trust", trust.slug, str(KS2_HAMPSHIRE), str(KS4_SURREY), stdout=out)
    text = out.getvalue()
    assert "Created " in text and "skipped 0" in text
    assert "3 rows for trust schools" in text
    assert value_of(148216, "ks2_rwm_expected").value == Decimal("79")


def test_import_performance_command_takes_the_year():
    trust = real_trust(WINCHESTER)
    call_command("import_performance", "--trust", trust.slug, "--year", "2017", str(KS2_HAMPSHIRE), stdout=StringIO())
    assert value_of(148216, "ks2_rwm_expected", year=2017).value == Decimal("79")


def test_import_performance_command_fails_clearly_on_a_wrong_file():
    trust = real_trust(WINCHESTER)
    with pytest.raises(CommandError, match="not a DfE key stage 2 or key stage 4"):
        call_command("import_performance", "--trust", trust.slug, str(GROUP_LINKS), stdout=StringIO())
    with pytest.raises(CommandError, match="No trust has the slug 'nowhere'"):
        call_command("import_performance", "--trust", "nowhere", str(KS2_HAMPSHIRE), stdout=StringIO())
    assert all_values() == []

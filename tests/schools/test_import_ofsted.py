"""Ofsted outcomes imported from the documented CSV (docs/ofsted-import.md).

tests/schools/data/ofsted_outcomes.csv holds real GIAS ratings (OfstedRating (name), OfstedLastInsp)
for THE GOOD SHEPHERD TRUST's schools plus one constructed report-card row; the first test proves
its graded rows are the GIAS values.
"""

import csv
import datetime
import io
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django_scopes import scope, scopes_disabled

from schools.importers.base import ImportFileError, ImportReport
from schools.importers.ofsted import detect, run_import, wrong_columns_message
from schools.models import Inspection, InspectionEra, InspectionSource
from tests.factories import SchoolFactory, TrustFactory, UserFactory
from tests.schools.test_import_performance import trust_members
from trust.models import Trust

pytestmark = pytest.mark.django_db

REAL_GIAS = Path(settings.BASE_DIR).parent / "shared" / "data" / "real" / "gias"
OUTCOMES = Path(__file__).parent / "data" / "ofsted_outcomes.csv"
GOOD_SHEPHERD = "3201"
HEADER = (
    "URN,Inspection date,Inspection type,Overall effectiveness,Quality of education,Inclusion,Achievement,Safeguarding"
)


def good_shepherd() -> Trust:
    with scopes_disabled():
        trust = TrustFactory(slug="good-shepherd")
        for urn, name in trust_members(GOOD_SHEPHERD).items():
            SchoolFactory(trust=trust, urn=urn, name=name)
    return trust


def run(trust: Trust, *files: tuple[str, bytes], actor=None, **options: object) -> ImportReport:
    with scope(trust=trust.pk):
        return run_import(
            trust=trust, files=[(name, io.BytesIO(data)) for name, data in files], options=options, actor=actor
        )


def run_outcomes(trust: Trust, **options: object) -> ImportReport:
    return run(trust, (OUTCOMES.name, OUTCOMES.read_bytes()), **options)


def inspections(urn: int) -> list[Inspection]:
    with scopes_disabled():
        return list(Inspection.objects.filter(school__urn=urn).prefetch_related("judgements").order_by("inspected_on"))


def grades(inspection: Inspection) -> dict[str, int]:
    return {j.area: j.grade for j in inspection.judgements.all()}


def test_the_test_files_graded_rows_are_the_real_gias_ratings():
    gias = set()
    for name in ("establishments_primary_hampshire_surrey_20220420.csv", "establishments_surrey_open_20210506.csv"):
        with (REAL_GIAS / name).open(encoding="utf-8-sig", newline="") as handle:
            gias |= {(r["URN"], r["OfstedLastInsp"], r["OfstedRating (name)"]) for r in csv.DictReader(handle)}
    with OUTCOMES.open(encoding="utf-8", newline="") as handle:
        graded = [(r["URN"], r["Inspection date"], r["Overall effectiveness"]) for r in csv.DictReader(handle)]
    legacy = [row for row in graded if row[2]]
    assert len(legacy) == 14
    assert set(legacy) <= gias


def test_good_shepherd_inspections_are_recorded_in_their_eras_words():
    trust = good_shepherd()
    report = run_outcomes(trust)
    # 15 rows: 13 graded inspections of 12 trust schools, 1 report card, 1 control school (115851).
    assert (report.created, report.updated, report.unchanged) == (14, 0, 0)
    st_johns = inspections(139721)  # Good in 2016 (2021 GIAS file) and again in 2021 (2022 file)
    assert [(i.inspected_on, grades(i)) for i in st_johns] == [
        (datetime.date(2016, 9, 21), {"overall_effectiveness": 2}),
        (datetime.date(2021, 12, 1), {"overall_effectiveness": 2}),
    ]
    assert all(i.era == InspectionEra.LEGACY and i.source == InspectionSource.OFSTED_CSV for i in st_johns)
    (christs,) = inspections(142490)
    assert grades(christs) == {"overall_effectiveness": 3}
    (weald,) = inspections(142083)  # GIAS: "Serious Weaknesses", a category of Inadequate
    assert grades(weald) == {"overall_effectiveness": 4}
    assert weald.notes == "Ofsted category: Serious weaknesses."


def test_a_report_card_row_is_recorded_as_a_report_card():
    trust = good_shepherd()
    run_outcomes(trust)
    (card,) = inspections(146438)
    assert card.era == InspectionEra.REPORT_CARD
    assert card.inspected_on == datetime.date(2026, 1, 21)
    assert card.inspection_type == "Report card inspection"
    assert card.safeguarding_met is True
    assert grades(card) == {
        "inclusion": 3,
        "curriculum_and_teaching": 2,
        "achievement": 3,
        "attendance_and_behaviour": 2,
        "personal_development_and_wellbeing": 3,
        "early_years": 3,
        "leadership_and_governance": 4,
    }


def test_a_school_outside_the_trust_is_skipped_with_its_reason():
    report = run_outcomes(good_shepherd())
    assert [(s.urn, s.row) for s in report.skipped] == [("115851", 4)]
    assert "ofsted_outcomes.csv row 4: URN '115851' is not a school of this trust" in report.skipped[0].reason
    assert inspections(115851) == []


def test_importing_the_file_again_changes_nothing():
    trust = good_shepherd()
    run_outcomes(trust)
    with scopes_disabled():
        before = list(Inspection.objects.order_by("pk").values())
    again = run_outcomes(trust)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 14)
    with scopes_disabled():
        assert list(Inspection.objects.order_by("pk").values()) == before


def test_a_corrected_row_updates_that_days_inspection():
    trust = good_shepherd()
    run_outcomes(trust)
    report = run(trust, ("fix.csv", f"{HEADER}\n142490,22/05/2019,Graded inspection,Good,Good,,,\n".encode()))
    assert (report.created, report.updated) == (0, 1)
    (christs,) = inspections(142490)
    assert grades(christs) == {"overall_effectiveness": 2, "quality_of_education": 2}
    assert christs.inspection_type == "Graded inspection"


def test_dates_are_read_in_the_three_documented_forms_and_words_or_numbers_for_grades():
    trust = good_shepherd()
    rows = (
        "139920,2017-09-20,Graded inspection,2,good,,,\n"
        "140026,06/02/2019,Graded inspection,Good,1,,,\n"
        "140028,25-01-2017,Graded inspection,REQUIRES IMPROVEMENT,Requires improvement,,,\n"
        "146419,2026-02-03,Report card inspection,,,strong,5,not met\n"
    )
    report = run(trust, ("forms.csv", f"{HEADER}\n{rows}".encode()))
    assert report.skipped == []
    assert grades(inspections(139920)[0]) == {"overall_effectiveness": 2, "quality_of_education": 2}
    assert grades(inspections(140026)[0]) == {"overall_effectiveness": 2, "quality_of_education": 1}
    assert grades(inspections(140028)[0]) == {"overall_effectiveness": 3, "quality_of_education": 3}
    card = inspections(146419)[0]
    assert (grades(card), card.safeguarding_met) == ({"inclusion": 2, "achievement": 5}, False)


def test_bad_dates_and_grades_are_skipped_with_a_reason_naming_the_row():
    trust = good_shepherd()
    rows = (
        "139920,31/02/2019,Graded inspection,Good,,,,\n"  # row 2: no such day
        "140026,06/02/2019,Graded inspection,Excellent,,,,\n"  # row 3: not a legacy grade
        "140028,25-01-2017,Graded inspection,5,,,,\n"  # row 4: out of range
        "141294,17-11-2021,Graded inspection,Good,,Strong standard,,\n"  # row 5: report-card grade in 2021
        "146419,2026-02-03,Report card inspection,,,Good,,Met\n"  # row 6: legacy word on a report card
        "146420,2026-02-03,Report card inspection,,,,,Partly\n"  # row 7: safeguarding
        "146781,,Graded inspection,Good,,,,\n"  # row 8: no date
        f"143627,{datetime.date.today() + datetime.timedelta(days=30):%d/%m/%Y},Graded inspection,Good,,,,\n"
        "144330,27/11/2019,Graded inspection,Good,,,,\n"  # row 10: fine
    )
    report = run(trust, ("bad.csv", f"{HEADER}\n{rows}".encode()))
    reasons = {s.row: s.reason for s in report.skipped}
    assert sorted(reasons) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert all(reason.startswith(f"bad.csv row {row}: ") for row, reason in reasons.items())
    assert "'31/02/2019' is not a date" in reasons[2]
    assert "Overall effectiveness 'Excellent' is not a grade" in reasons[3]
    assert "Overall effectiveness '5' is not a grade" in reasons[4]
    assert "an inspection before 10 November 2025 cannot have Inclusion grades" in reasons[5]
    assert "Inclusion 'Good' is not a grade" in reasons[6]
    assert "Safeguarding 'partly' is not Met or Not met" in reasons[7]
    assert "no inspection date" in reasons[8]
    assert "is in the future" in reasons[9]
    assert report.created == 1
    with scopes_disabled():
        assert list(Inspection.objects.values_list("school__urn", flat=True)) == [144330]


def test_safeguarding_on_a_graded_inspection_is_ignored_and_reported():
    trust = good_shepherd()
    report = run(trust, ("sg.csv", f"{HEADER}\n139920,20-09-2017,,Good,,,,Met\n".encode()))
    assert report.created == 1
    assert inspections(139920)[0].safeguarding_met is None
    assert any("ignored on 1 earlier row." in note for note in report.notes)


def test_a_file_without_the_required_columns_is_refused_and_nothing_is_written():
    trust = good_shepherd()
    gias = (REAL_GIAS / "establishments_surrey_open_20210506.csv").read_bytes()
    with pytest.raises(ImportFileError, match="'Inspection date', 'Inspection type'"):
        run(trust, (OUTCOMES.name, OUTCOMES.read_bytes()), ("gias.csv", gias))
    with scopes_disabled():
        assert Inspection.objects.count() == 0


def test_the_upload_check_recognises_the_documented_header():
    with OUTCOMES.open(encoding="utf-8", newline="") as handle:
        assert detect(next(csv.reader(handle))) == "ofsted"
    assert detect(["URN", "Inspection date"]) is None
    assert "has no 'Inspection type' column" in wrong_columns_message("x.csv", ["URN", "Inspection date"])


def test_column_names_are_matched_without_case_or_punctuation():
    trust = good_shepherd()
    header = "urn,INSPECTION DATE,inspection type,Personal development and wellbeing,Notes"
    report = run(trust, ("loose.csv", f"{header}\n146438,2026-01-21,,Exceptional,hello\n".encode()))
    assert grades(inspections(146438)[0]) == {"personal_development_and_wellbeing": 1}
    assert "columns not read: Notes" in report.notes[0]


def test_the_actor_is_recorded_and_a_dry_run_writes_nothing():
    trust = good_shepherd()
    with scopes_disabled():
        person = UserFactory()
    assert run_outcomes(trust, dry_run=True).created == 14
    with scopes_disabled():
        assert Inspection.objects.count() == 0
    run(trust, (OUTCOMES.name, OUTCOMES.read_bytes()), actor=person)
    assert inspections(142490)[0].recorded_by == person


def test_another_trusts_school_with_the_same_urn_is_untouched():
    trust = good_shepherd()
    with scopes_disabled():
        other = SchoolFactory(urn=142490)
    run_outcomes(trust)
    with scopes_disabled():
        assert not Inspection.objects.filter(school=other).exists()
        assert Inspection.objects.filter(school__trust=trust, school__urn=142490).count() == 1


def test_import_ofsted_command_prints_the_report():
    trust = good_shepherd()
    out = StringIO()
    call_command("import_ofsted", "--trust", trust.slug, str(OUTCOMES), stdout=out)
    text = out.getvalue()
    assert "Created 14, updated 0, unchanged 0, skipped 1." in text
    assert "Skipped (URN 115851): ofsted_outcomes.csv row 4: URN '115851' is not a school of this trust." in text


def test_import_ofsted_command_fails_clearly_on_a_wrong_file():
    trust = good_shepherd()
    with pytest.raises(CommandError, match="required columns are URN, Inspection date and Inspection type"):
        call_command(
            "import_ofsted", "--trust", trust.slug, str(REAL_GIAS / "groups_20220331_pandas.csv"), stdout=StringIO()
        )
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_ofsted", "--trust", trust.slug, "/nonexistent/outcomes.csv", stdout=StringIO())

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_scopes import scope, scopes_disabled
from openpyxl import Workbook, load_workbook

from schools.models import ComparatorValue, InspectionSource, InYearPrediction, MeasureValue, School
from schools.services.inspections import inspection_record

pytestmark = pytest.mark.django_db


def _school_facts(world):
    with scopes_disabled():
        a, b = world.schools
        School.objects.filter(pk=a.pk).update(
            phase="Primary",
            la_name="Hampshire",
            la_code="850",
            number_of_pupils=210,
            joined_trust_on=datetime.date(2019, 9, 1),
        )
        School.objects.filter(pk=b.pk).update(phase="Secondary", la_name="Surrey", la_code="936", number_of_pupils=900)
        a.refresh_from_db()
        b.refresh_from_db()
    return a, b


def test_the_list_filters_by_phase_and_local_authority(trust_a):
    _school_facts(trust_a)
    client = trust_a.client_for("executive")
    page = client.get("/t/alder/schools/?phase=Secondary").content.decode()
    assert "Alder Trust School 2" in page and "Alder Trust School 1" not in page
    page = client.get("/t/alder/schools/?la=Hampshire").content.decode()
    assert "Alder Trust School 1" in page and "Alder Trust School 2" not in page


def test_the_list_filters_by_ofsted_outcome_in_its_eras_words(trust_a):
    with scope(trust=trust_a.trust.pk):
        inspection_record(
            school=trust_a.schools[0],
            inspected_on=datetime.date(2022, 5, 4),
            judgements={"overall_effectiveness": 3},
            source=InspectionSource.FORM,
        )
    client = trust_a.client_for("executive")
    page = client.get("/t/alder/schools/?ofsted=requires_improvement").content.decode()
    assert "Alder Trust School 1" in page and "Alder Trust School 2" not in page
    assert "Requires improvement" in page
    page = client.get("/t/alder/schools/?ofsted=none").content.decode()
    assert "Alder Trust School 2" in page and "Alder Trust School 1" not in page


def test_the_list_sorts_by_pupils(trust_a):
    _school_facts(trust_a)
    page = trust_a.client_for("executive").get("/t/alder/schools/?sort=pupils").content.decode()
    assert page.index("Alder Trust School 2") < page.index("Alder Trust School 1")


def test_the_list_exports_what_is_filtered_to_csv_and_xlsx(trust_a):
    _school_facts(trust_a)
    client = trust_a.client_for("executive")
    csv_body = b"".join(client.get("/t/alder/schools/?phase=Primary&format=csv").streaming_content).decode()
    assert "Alder Trust School 1" in csv_body and "Alder Trust School 2" not in csv_body
    xlsx = client.get("/t/alder/schools/?format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "URN" and len(rows) == 3


def test_a_headteachers_export_holds_only_their_school(trust_a):
    body = b"".join(trust_a.client_for("headteacher").get("/t/alder/schools/?format=csv").streaming_content).decode()
    assert "Alder Trust School 1" in body and "Alder Trust School 2" not in body


def test_the_profile_shows_each_inspection_in_its_eras_words(trust_a):
    school = trust_a.schools[0]
    with scope(trust=trust_a.trust.pk):
        inspection_record(
            school=school,
            inspected_on=datetime.date(2019, 1, 10),
            judgements={"overall_effectiveness": 2, "quality_of_education": 2},
            source=InspectionSource.GIAS,
        )
        inspection_record(
            school=school,
            inspected_on=datetime.date(2025, 11, 20),
            judgements={"inclusion": 3, "achievement": 4},
            safeguarding_met=True,
            source=InspectionSource.FORM,
        )
    page = trust_a.client_for("trustee").get(f"/t/alder/schools/{school.uuid}/").content.decode()
    assert "Report card (from November 2025)" in page and "Needs attention" in page and "Expected standard" in page
    assert "Safeguarding: <strong>met</strong>" in page
    assert "Good" in page and "Quality of education" in page


def test_the_profile_shows_measures_against_la_and_england_keeping_suppressed_codes(trust_a):
    school, _ = _school_facts(trust_a)
    with scopes_disabled():
        MeasureValue.objects.create(school=school, measure="ks2_rwm_expected", academic_year=2017, value=Decimal("61"))
        MeasureValue.objects.create(
            school=school, measure="ks2_rwm_expected", academic_year=2018, value=None, missing_code="SUPP"
        )
        ComparatorValue.objects.create(
            level="la", la_code="850", measure="ks2_rwm_expected", academic_year=2018, value=Decimal("66")
        )
        ComparatorValue.objects.create(
            level="national", measure="ks2_rwm_expected", academic_year=2018, value=Decimal("65")
        )
        ComparatorValue.objects.create(
            level="la", la_code="936", measure="ks2_rwm_expected", academic_year=2018, value=Decimal("70")
        )
    page = trust_a.client_for("executive").get(f"/t/alder/schools/{school.uuid}/").content.decode()
    assert "<td>SUPP</td>" in page and "<td>66</td>" in page and "<td>65</td>" in page
    assert "<td>70</td>" not in page  # another LA's figure
    assert 'role="img"' in page and "<desc" in page


def test_an_improvement_lead_adds_a_report_card_inspection(trust_a):
    school = trust_a.schools[1]
    response = trust_a.client_for("improvement_lead").post(
        f"/t/alder/schools/{school.uuid}/inspections/new/",
        {
            "inspected_on": "2025-12-02",
            "inspection_type": "Full",
            "rc_inclusion": "2",
            "rc_achievement": "5",
            "safeguarding_met": "not_met",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        inspection = school.inspections.get()
        assert inspection.era == "report_card" and inspection.safeguarding_met is False
        assert dict(inspection.judgements.values_list("area", "grade")) == {"inclusion": 2, "achievement": 5}


def test_old_grades_on_a_report_card_date_are_refused(trust_a):
    school = trust_a.schools[1]
    response = trust_a.client_for("executive").post(
        f"/t/alder/schools/{school.uuid}/inspections/new/",
        {"inspected_on": "2026-01-15", "legacy_overall_effectiveness": "2"},
    )
    assert "inspections are report cards" in response.content.decode()
    with scopes_disabled():
        assert not school.inspections.exists()


def test_a_future_inspection_date_is_refused(trust_a):
    school = trust_a.schools[1]
    response = trust_a.client_for("executive").post(
        f"/t/alder/schools/{school.uuid}/inspections/new/", {"inspected_on": "2099-01-01"}
    )
    assert "cannot be in the future" in response.content.decode()


def test_correcting_an_inspection_changes_its_grades(trust_a):
    school = trust_a.schools[0]
    with scope(trust=trust_a.trust.pk):
        inspection, _ = inspection_record(
            school=school,
            inspected_on=datetime.date(2021, 6, 1),
            judgements={"overall_effectiveness": 3},
            source=InspectionSource.GIAS,
        )
    trust_a.client_for("executive").post(
        f"/t/alder/schools/{school.uuid}/inspections/{inspection.uuid}/", {"legacy_overall_effectiveness": "2"}
    )
    with scopes_disabled():
        assert inspection.judgements.get().grade == 2
        inspection.refresh_from_db()
        assert inspection.inspected_on == datetime.date(2021, 6, 1)


def test_a_headteacher_enters_predictions_for_their_school(trust_a):
    school = trust_a.schools[0]
    response = trust_a.client_for("headteacher").post(
        f"/t/alder/schools/{school.uuid}/predictions/", {"half_term": "2025-3", "cell-6-0": "72.5", "cell-6-2": "80"}
    )
    assert response.status_code == 302
    with scopes_disabled():
        cells = {(p.year_group, p.subject): p.percent_on_track for p in InYearPrediction.objects.all()}
    assert cells == {("Year 6", "Reading"): Decimal("72.5"), ("Year 6", "Maths"): Decimal("80.0")}


def test_a_prediction_over_100_is_refused_and_nothing_saved(trust_a):
    school = trust_a.schools[0]
    response = trust_a.client_for("headteacher").post(
        f"/t/alder/schools/{school.uuid}/predictions/", {"half_term": "2025-3", "cell-0-0": "70", "cell-1-0": "140"}
    )
    assert "not between 0 and 100" in response.content.decode()
    with scopes_disabled():
        assert not InYearPrediction.objects.exists()


def test_a_headteacher_cannot_enter_predictions_for_another_school(trust_a):
    other = trust_a.schools[1]
    response = trust_a.client_for("headteacher").post(f"/t/alder/schools/{other.uuid}/predictions/", {"cell-0-0": "5"})
    assert response.status_code == 404


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_filled_in_xlsx_template_is_uploaded(trust_a):
    school = trust_a.schools[0]
    client = trust_a.client_for("headteacher")
    template = client.get(f"/t/alder/schools/{school.uuid}/predictions/template.xlsx")
    rows = list(load_workbook(io.BytesIO(template.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("Year group", "Subject", "Percent on track") and ("Year 6", "Maths", None) in rows
    upload = _xlsx([["Year group", "Subject", "Percent on track"], ["Year 6", "Maths", 81], ["Year 5", "Reading", 64]])
    client.post(
        f"/t/alder/schools/{school.uuid}/predictions/upload/",
        {"half_term": "2025-2", "file": SimpleUploadedFile("p.xlsx", upload)},
    )
    with scopes_disabled():
        assert InYearPrediction.objects.filter(school=school, half_term=2).count() == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("p.csv", b"", "The submitted file is empty"),
        ("p.csv", b"\x00\x01\x02binary", "neither a CSV nor an XLSX"),
        ("p.xlsx", b"PK\x03\x04not really a zip", "not a readable XLSX"),
        ("p.csv", b"Name,Value\nYear 6,3\n", "The first row must be"),
        ("p.csv", b"Year group,Subject,Percent on track\nYear 6,Maths,abc\n", "not a percentage"),
        ("p.csv", b"Year group,Subject,Percent on track\nYear 13,Maths,50\n", "not a year group"),
    ],
)
def test_a_bad_predictions_file_is_refused_clearly_and_nothing_saved(trust_a, name, content, message):
    school = trust_a.schools[0]
    response = trust_a.client_for("headteacher").post(
        f"/t/alder/schools/{school.uuid}/predictions/upload/",
        {"half_term": "2025-2", "file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert message in response.content.decode()
    with scopes_disabled():
        assert not InYearPrediction.objects.exists()


def test_the_radar_groups_schools_by_when_they_are_likely_to_be_inspected(trust_a):
    with scope(trust=trust_a.trust.pk):
        inspection_record(
            school=trust_a.schools[0],
            inspected_on=datetime.date(2020, 1, 15),
            judgements={"overall_effectiveness": 2},
            source=InspectionSource.GIAS,
        )
    page = trust_a.client_for("trustee").get("/t/alder/schools/radar/").content.decode()
    this_year = page.index("Likely this academic year")
    assert this_year < page.index("Alder Trust School 1") < page.index("Likely next academic year")
    assert "usually inspected again within about four years" in page


def test_a_governor_sees_only_their_school_on_the_radar(trust_a):
    page = trust_a.client_for("governor").get("/t/alder/schools/radar/").content.decode()
    assert "Alder Trust School 2" in page and "Alder Trust School 1" not in page


def test_a_headteacher_enters_attendance_shown_against_england(trust_a):
    school, _ = _school_facts(trust_a)
    client = trust_a.client_for("headteacher")
    response = client.post(
        f"/t/alder/schools/{school.uuid}/attendance/",
        {"academic_year": "2025", "overall_absence": "5.8", "persistent_absence": ""},
    )
    assert response.status_code == 302
    with scopes_disabled():
        value = MeasureValue.objects.get(school=school, measure="overall_absence", academic_year=2025)
    assert value.value == Decimal("5.8") and value.source.startswith("Entered by")
    with scopes_disabled():
        assert not MeasureValue.objects.filter(measure="persistent_absence").exists()  # left blank


def test_attendance_over_100_percent_is_refused_and_nothing_saved(trust_a):
    school = trust_a.schools[0]
    page = trust_a.client_for("improvement_lead").post(
        f"/t/alder/schools/{school.uuid}/attendance/", {"academic_year": "2025", "overall_absence": "140"}
    )
    assert "not between 0 and 100" in page.content.decode()
    with scopes_disabled():
        assert not MeasureValue.objects.exists()


def test_the_timeline_shows_interventions_and_plan_milestones(trust_a):
    from interventions.models import ImprovementPlan, Intervention

    school = trust_a.schools[0]
    with scopes_disabled():
        Intervention.objects.create(
            school=school,
            title="Maths fluency",
            area_of_need="maths",
            delivery_model="in_school",
            success_criteria="Scores rise",
            starts_on=datetime.date(2025, 9, 8),
            ends_on=datetime.date(2025, 12, 12),
            status="closed",
            closed_on=datetime.date(2025, 12, 12),
        )
        ImprovementPlan.objects.create(
            school=school, academic_year=2025, status="agreed", agreed_on=datetime.date(2025, 10, 1)
        )
    page = trust_a.client_for("headteacher").get(f"/t/alder/schools/{school.uuid}/").content.decode()
    assert "Intervention began: Maths fluency" in page and "Intervention closed with its impact" in page
    assert "Improvement plan 2025/26 agreed with the trust" in page


def test_the_predictions_page_opens_on_the_half_term_of_the_trusts_own_calendar(trust_a):
    from django.utils import timezone

    from trust.calendar.selectors import current_half_term

    with scope(trust=trust_a.trust.pk):
        half_term = current_half_term(trust_a.trust, timezone.localdate())
    key = f"{half_term.academic_year.start_year}-{half_term.number}"
    page = trust_a.client_for("headteacher").get(f"/t/alder/schools/{trust_a.schools[0].uuid}/predictions/")
    assert f'<option value="{key}" selected>' in page.content.decode()

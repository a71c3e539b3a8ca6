import datetime
from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled

from schools.models import InspectionSource, MeasureValue
from schools.services.inspections import inspection_record

pytestmark = pytest.mark.django_db


def test_the_school_list_api_shows_the_trusts_schools(trust_a, trust_b):
    data = trust_a.client_for("trustee").get("/api/v1/t/alder/schools/").json()
    assert {s["name"] for s in data["results"]} == {"Alder Trust School 1", "Alder Trust School 2"}


def test_a_governor_sees_only_their_school_through_the_api(trust_a):
    client = trust_a.client_for("governor")
    assert [s["name"] for s in client.get("/api/v1/t/alder/schools/").json()["results"]] == ["Alder Trust School 2"]
    assert client.get(f"/api/v1/t/alder/schools/{trust_a.schools[0].uuid}/").status_code == 404


def test_another_trusts_school_is_404_through_the_api(trust_a, trust_b):
    client = trust_a.client_for("executive")
    assert client.get(f"/api/v1/t/alder/schools/{trust_b.schools[0].uuid}/").status_code == 404
    assert client.get(f"/api/v1/t/alder/schools/{trust_b.schools[0].uuid}/inspections/").status_code == 404


def test_an_inspection_is_added_and_corrected_through_the_api(trust_a):
    school = trust_a.schools[0]
    client = trust_a.client_for("improvement_lead")
    created = client.post(
        f"/api/v1/t/alder/schools/{school.uuid}/inspections/",
        {"inspected_on": "2025-11-24", "judgements": {"inclusion": 2, "achievement": 3}, "safeguarding_met": True},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["era"] == "report_card"
    corrected = client.put(
        f"/api/v1/t/alder/schools/{school.uuid}/inspections/{created.json()['uuid']}/",
        {"judgements": {"inclusion": 1}, "safeguarding_met": True},
        content_type="application/json",
    )
    assert corrected.status_code == 200 and corrected.json()["judgements"] == {"inclusion": 1}


def test_an_out_of_range_legacy_grade_is_a_clear_400(trust_a):
    response = trust_a.client_for("executive").post(
        f"/api/v1/t/alder/schools/{trust_a.schools[0].uuid}/inspections/",
        {"inspected_on": "2020-01-01", "judgements": {"overall_effectiveness": 5}},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "between 1 and 4" in response.json()["message"]


def test_measure_values_keep_suppressed_as_null_with_the_code(trust_a):
    school = trust_a.schools[0]
    with scopes_disabled():
        MeasureValue.objects.create(school=school, measure="ks2_rwm_expected", academic_year=2018, missing_code="SUPP")
        MeasureValue.objects.create(school=school, measure="ks2_rwm_high", academic_year=2018, value=Decimal("12"))
    data = trust_a.client_for("executive").get(f"/api/v1/t/alder/schools/{school.uuid}/measures/").json()["results"]
    suppressed = next(v for v in data if v["measure"] == "ks2_rwm_expected")
    assert suppressed["value"] is None and suppressed["missing_code"] == "SUPP" and suppressed["has_value"] is False


def test_the_school_list_api_reports_the_ofsted_outcome(trust_a):
    with scope(trust=trust_a.trust.pk):
        inspection_record(
            school=trust_a.schools[1],
            inspected_on=datetime.date(2023, 2, 2),
            judgements={"overall_effectiveness": 1},
            source=InspectionSource.GIAS,
        )
    data = trust_a.client_for("executive").get("/api/v1/t/alder/schools/?ofsted=outstanding").json()
    assert [(s["name"], s["ofsted_outcome"]) for s in data["results"]] == [("Alder Trust School 2", "Outstanding")]

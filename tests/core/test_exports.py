import io

import pytest
from openpyxl import load_workbook

from core.exports import export_response, neutralise


def test_cells_that_look_like_formulas_are_neutralised():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [neutralise(v) for v in ("+1", "-2", "@SUM(A1)")] == ["'+1", "'-2", "'@SUM(A1)"]
    assert neutralise("Oakfield Primary") == "Oakfield Primary"
    assert neutralise(-2) == -2


def test_csv_export_has_a_bom_and_neutralised_cells():
    response = export_response(headers=["Name"], rows=[["=1+1"], ["Ash"]], filename="t", fmt="csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeffName")
    assert "'=1+1" in body
    assert response["Content-Disposition"] == 'attachment; filename="t.csv"'


def test_xlsx_export_keeps_numbers_and_neutralises_text():
    response = export_response(headers=["Name", "Pupils"], rows=[["@cmd", 210]], filename="t", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]] == ["'@cmd", 210]


def test_xlsx_export_writes_aware_times_as_local_time():
    import datetime

    from django.utils import timezone

    summer_noon_utc = datetime.datetime(2026, 7, 1, 11, 0, tzinfo=datetime.UTC)
    response = export_response(headers=["At"], rows=[[summer_noon_utc]], filename="t", fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == datetime.datetime(2026, 7, 1, 12, 0)  # British Summer Time
    assert timezone.get_current_timezone_name() == "Europe/London"


@pytest.mark.django_db
def test_a_nul_in_a_query_parameter_is_refused_with_400_not_a_database_error(trust_a):
    page = trust_a.client_for("executive").get(f"/t/{trust_a.trust.slug}/schools/", {"phase": "Pri\x00mary"})
    api = trust_a.client_for("executive").get(f"/api/v1/t/{trust_a.trust.slug}/schools/", {"phase": "a\x00"})
    assert page.status_code == 400 and "NUL" in page.content.decode()
    assert api.status_code == 400 and "NUL" in api.json()["message"]

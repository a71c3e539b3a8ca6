import io

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

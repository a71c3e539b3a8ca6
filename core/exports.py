"""CSV and XLSX downloads of the tables people see, safe to open in a spreadsheet."""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        # Spreadsheets have no time zones (openpyxl refuses aware values): the trust's local time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, datetime.date | int | float):
        return value
    return neutralise(str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


def export_response(
    *, headers: Sequence[str], rows: Iterable[Sequence[Any]], filename: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    """A CSV (streamed, with a BOM so Excel reads UTF-8) or XLSX attachment of the rows."""
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31] or "Export")
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        response: HttpResponse | StreamingHttpResponse = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
        extension = "xlsx"
    else:
        writer = csv.writer(_Echo())

        def lines() -> Iterable[str]:
            yield "\ufeff" + writer.writerow(headers)
            for row in rows:
                yield writer.writerow([_cell(v) for v in row])

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        extension = "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response

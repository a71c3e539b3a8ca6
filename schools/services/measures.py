"""Measures a school enters itself (attendance), stored beside imported results."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.audit import audit_record
from core.exceptions import ApplicationError
from schools import measures
from schools.models import MeasureValue, School
from trust.models import User

ENTERED_MEASURES = [m for m in measures.MEASURES if m.dfe_column is None]


def measure_values_enter(*, school: School, actor: User, academic_year: int, values: dict[str, object]) -> int:
    """Record entered measures (e.g. attendance) for a year; blank leaves a value as it is. Returns values saved."""
    allowed = {m.code: m for m in ENTERED_MEASURES}
    parsed: dict[str, Decimal] = {}
    for code, raw in values.items():
        if code not in allowed:
            raise ApplicationError(f"'{code}' is not a measure a school enters; it comes from the DfE files.")
        text = str(raw if raw is not None else "").strip().rstrip("%")
        if not text:
            continue
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ApplicationError(f"{allowed[code].label}: '{raw}' is not a number.") from None
        if allowed[code].unit == "%" and not Decimal(0) <= value <= Decimal(100):
            raise ApplicationError(f"{allowed[code].label}: {value} is not between 0 and 100.")
        parsed[code] = value.quantize(Decimal("0.1"))
    with transaction.atomic():
        before = dict(
            MeasureValue.objects.filter(school=school, academic_year=academic_year, measure__in=parsed).values_list(
                "measure", "value"
            )
        )
        for code, value in parsed.items():
            MeasureValue.objects.update_or_create(
                school=school,
                measure=code,
                academic_year=academic_year,
                defaults={"value": value, "missing_code": "", "source": f"Entered by {actor}"[:40], "source_urn": None},
            )
        if parsed:
            audit_record(
                trust=school.trust_id,
                actor=actor,
                action="measures.entered",
                obj=school,
                label=f"{school.name}: measures for {academic_year}",
                changes={code: [before.get(code), value] for code, value in parsed.items()},
            )
    return len(parsed)

"""Academic years in England run September to August; 2018 names 2018/19."""

import datetime

HALF_TERMS = {1: "Autumn 1", 2: "Autumn 2", 3: "Spring 1", 4: "Spring 2", 5: "Summer 1", 6: "Summer 2"}


def academic_year_for(day: datetime.date) -> int:
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def half_term_for(day: datetime.date) -> int:
    """The usual English half-term a date falls in (the trust's own calendar refines this later)."""
    return {9: 1, 10: 1, 11: 2, 12: 2, 1: 3, 2: 3, 3: 4, 4: 4, 5: 5, 6: 6, 7: 6, 8: 6}[day.month]


TERMS = ("Autumn", "Spring", "Summer")


def term_bounds(day: datetime.date) -> tuple[str, datetime.date, datetime.date]:
    """The English school term a date falls in, with its usual bounds (the trust calendar refines this later).

    Autumn: 1 September to 31 December; Spring: 1 January to the Sunday after Easter, taken as 15 April;
    Summer: 16 April to 31 August. Holidays are inside these bounds on purpose: they are what a term spans.
    """
    if day.month >= 9:
        return "Autumn", datetime.date(day.year, 9, 1), datetime.date(day.year, 12, 31)
    if day < datetime.date(day.year, 4, 16):
        return "Spring", datetime.date(day.year, 1, 1), datetime.date(day.year, 4, 15)
    return "Summer", datetime.date(day.year, 4, 16), datetime.date(day.year, 8, 31)

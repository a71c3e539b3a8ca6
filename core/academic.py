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

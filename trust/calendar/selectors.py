"""Reads of a trust's academic calendar; a trust without its own year gets the default England dates.

Default half-terms are unsaved `HalfTerm` objects (pk None) with the same fields and `.term`, so callers
treat both alike. Working weeks are the Mondays of the weeks with at least one day inside a half-term.
"""

import datetime
from uuid import UUID

from core.academic import academic_year_for
from trust.calendar.services import default_half_terms
from trust.models import AcademicYear, HalfTerm, Trust


def academic_years_of(trust: Trust) -> list[AcademicYear]:
    """The trust's saved years, newest first, with their half-terms (two queries)."""
    return list(AcademicYear.objects.filter(trust=trust).prefetch_related("half_terms").order_by("-start_year"))


def academic_year_of(trust: Trust, year_uuid: UUID) -> AcademicYear | None:
    """One of the trust's saved years by its public id, or None."""
    return AcademicYear.objects.filter(trust=trust, uuid=year_uuid).prefetch_related("half_terms").first()


def half_terms_of_year(trust: Trust, start_year: int) -> list[HalfTerm]:
    """The six half-terms of the year starting in September `start_year`: the trust's own, else the default."""
    saved = list(
        HalfTerm.objects.filter(academic_year__trust=trust, academic_year__start_year=start_year).select_related(
            "academic_year"  # callers read each half-term's year (its label, its trust)
        )
    )
    if len(saved) == 6:
        return sorted(saved, key=lambda ht: ht.number)
    year = AcademicYear(trust=trust, start_year=start_year)
    by_number = {ht.number: ht for ht in saved}
    return [
        by_number.get(number) or HalfTerm(academic_year=year, number=number, starts_on=start, ends_on=end)
        for number, (start, end) in default_half_terms(start_year).items()
    ]


def half_terms_of_last_and_this_year(trust: Trust, day: datetime.date) -> list[HalfTerm]:
    """The twelve half-terms of the academic year before `day`'s and of `day`'s own, in order (two queries)."""
    this_year = academic_year_for(day)
    return half_terms_of_year(trust, this_year - 1) + half_terms_of_year(trust, this_year)


def half_terms_ended_before(trust: Trust, day: datetime.date) -> list[HalfTerm]:
    """Those of the last and this academic year that ended before `day`, oldest first."""
    return [half_term for half_term in half_terms_of_last_and_this_year(trust, day) if half_term.ends_on < day]


def half_term_for(trust: Trust, day: datetime.date) -> HalfTerm | None:
    """The half-term `day` falls in, or None in a holiday."""
    for half_term in half_terms_of_year(trust, academic_year_for(day)):
        if half_term.starts_on <= day <= half_term.ends_on:
            return half_term
    return None


def current_half_term(trust: Trust, day: datetime.date) -> HalfTerm:
    """The half-term `day` falls in; in a holiday, the next one to start (September's, in the summer)."""
    start_year = academic_year_for(day)
    # Next year's half-terms are read only in the summer holiday, after this year's last one has ended.
    for year in (start_year, start_year + 1):
        for half_term in half_terms_of_year(trust, year):
            if day <= half_term.ends_on:
                return half_term
    raise AssertionError("unreachable: next year's half-terms all end after `day`")


def working_weeks(half_term: HalfTerm) -> list[datetime.date]:
    """The Monday of each week with at least one day inside the half-term, in order."""
    monday = half_term.starts_on - datetime.timedelta(days=half_term.starts_on.weekday())
    weeks = []
    while monday <= half_term.ends_on:
        weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks

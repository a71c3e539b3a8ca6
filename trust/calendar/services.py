"""Every write to a trust's academic calendar: the default England year, editing a year's half-terms.

The default year (`default_half_terms`) follows the usual pattern of English local-authority term dates;
a trust edits the dates to match its own. Rules, for a year starting in September of `start_year`:

- Autumn 1: the first Wednesday on or after 1 September (INSET days usually fill the Monday and Tuesday)
  to the Friday before October half-term, the week of the last Monday of October.
- Autumn 2: the Monday after October half-term to the Friday on or before 21 December.
- Spring 1: the first Monday on or after 2 January (the Tuesday when that Monday is the New Year
  substitute bank holiday) to the Friday before February half-term, the week of the third Monday of February.
- Spring 2: the Monday after February half-term to the Friday a week before Good Friday: the Easter break
  is two weeks, Holy Week and Easter week, so it always holds Good Friday and Easter Monday.
- Summer 1: the Monday a week after Easter Monday to the Friday before the spring bank holiday, the last
  Monday of May, whose week is the May half-term.
- Summer 2: the Monday after May half-term to the last weekday on or before 22 July (the Friday before when
  that weekday is a Monday).

Six half-terms, in order, no overlaps, each starting and ending on a weekday.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.audit import audit_record, diff, plain_value
from core.exceptions import ApplicationError
from trust.models import AcademicYear, HalfTerm, Membership, Trust, User
from trust.permissions import Action, can

MON, TUE, WED, FRI = 0, 1, 2, 4
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)

HalfTermDates = dict[int, tuple[datetime.date, datetime.date]]


def easter_sunday(year: int) -> datetime.date:
    """Easter Sunday in the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _on_or_after(day: datetime.date, weekday: int) -> datetime.date:
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _on_or_before(day: datetime.date, weekday: int) -> datetime.date:
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def _last_monday(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return _on_or_before(first_of_next - DAY, MON)


def default_half_terms(start_year: int) -> HalfTermDates:
    """The default England half-term dates of the year starting in September `start_year` (see module doc)."""
    y, n = start_year, start_year + 1
    october_break = _last_monday(y, 10)
    autumn_1 = (_on_or_after(datetime.date(y, 9, 1), WED), october_break - 3 * DAY)
    autumn_2 = (october_break + WEEK, _on_or_before(datetime.date(y, 12, 21), FRI))

    spring_start = _on_or_after(datetime.date(n, 1, 2), MON)
    if datetime.date(n, 1, 1).weekday() >= 5 and spring_start <= datetime.date(n, 1, 3):
        spring_start += DAY  # New Year's Day fell at a weekend: this Monday is the substitute bank holiday.
    february_break = _on_or_after(datetime.date(n, 2, 1), MON) + 2 * WEEK  # the third Monday of February
    spring_1 = (spring_start, february_break - 3 * DAY)
    good_friday = easter_sunday(n) - 2 * DAY
    spring_2 = (february_break + WEEK, good_friday - WEEK)

    may_break = _last_monday(n, 5)
    summer_1 = (good_friday + 3 * DAY + WEEK, may_break - 3 * DAY)
    summer_end = datetime.date(n, 7, 22)
    while summer_end.weekday() >= 5:
        summer_end -= DAY
    if summer_end.weekday() == MON:
        summer_end -= 3 * DAY
    summer_2 = (may_break + WEEK, summer_end)
    return dict(enumerate((autumn_1, autumn_2, spring_1, spring_2, summer_1, summer_2), start=1))


def validate_half_terms(start_year: int, half_terms: HalfTermDates) -> None:
    """Refuse dates that are not six ordered, non-overlapping weekday ranges inside September to August."""
    if sorted(half_terms) != [1, 2, 3, 4, 5, 6]:
        raise ApplicationError("A year has six half-terms, numbered 1 to 6.", {"field": "half_terms"})
    first_day, last_day = datetime.date(start_year, 9, 1), datetime.date(start_year + 1, 8, 31)
    previous_end: datetime.date | None = None
    for number in range(1, 7):
        starts_on, ends_on = half_terms[number]
        field = f"half_term_{number}"
        if starts_on > ends_on:
            raise ApplicationError(f"Half-term {number} ends before it starts.", {"field": field})
        if starts_on.weekday() >= 5 or ends_on.weekday() >= 5:
            raise ApplicationError(
                f"Half-term {number} must start and end on a weekday (Monday to Friday).", {"field": field}
            )
        if starts_on < first_day or ends_on > last_day:
            raise ApplicationError(
                f"Half-term {number} must fall between 1 September {start_year} and 31 August {start_year + 1}.",
                {"field": field},
            )
        if previous_end is not None and starts_on <= previous_end:
            raise ApplicationError(
                f"Half-term {number} must start after half-term {number - 1} ends.", {"field": field}
            )
        previous_end = ends_on


def _require_manager(*, trust: Trust, actor: User | None) -> None:
    if actor is None:  # a platform command or job, not a person
        return
    membership = Membership.objects.filter(trust=trust, user=actor).first()
    if not can(membership, Action.MANAGE_CALENDAR):
        raise PermissionDenied


def academic_year_default(trust: Trust, start_year: int, *, actor: User | None = None) -> AcademicYear:
    """The trust's year starting in September `start_year`, made with the default England dates if missing.

    Idempotent: an existing year keeps its (possibly edited) dates; only missing half-terms are added.
    """
    _require_manager(trust=trust, actor=actor)
    if not 2000 <= start_year <= 2100:
        raise ApplicationError("Choose a year between 2000 and 2100.", {"field": "start_year"})
    with transaction.atomic():
        year, created = AcademicYear.objects.get_or_create(trust=trust, start_year=start_year)
        existing = set(HalfTerm.objects.filter(academic_year=year).values_list("number", flat=True))
        missing = [
            HalfTerm(academic_year=year, number=number, starts_on=starts_on, ends_on=ends_on)
            for number, (starts_on, ends_on) in default_half_terms(start_year).items()
            if number not in existing
        ]
        for half_term in missing:
            half_term.full_clean(exclude=["academic_year"], validate_unique=False, validate_constraints=False)
        HalfTerm.objects.bulk_create(missing)
        if created or missing:
            audit_record(
                trust=trust,
                actor=actor,
                action="academic_year.created" if created else "academic_year.completed",
                obj=year,
                label=f"Academic year {year}",
                changes={f"half_term_{ht.number}": [ht.starts_on, ht.ends_on] for ht in missing},
            )
    return year


def academic_year_update(*, year: AcademicYear, actor: User | None, half_terms: HalfTermDates) -> AcademicYear:
    """Set all six half-terms of the year at once, after checking order, overlaps and the September-August span."""
    _require_manager(trust=year.trust, actor=actor)
    validate_half_terms(year.start_year, half_terms)
    with transaction.atomic():
        current = {ht.number: ht for ht in HalfTerm.objects.select_for_update().filter(academic_year=year)}
        before = {f"half_term_{n}": [ht.starts_on, ht.ends_on] for n, ht in current.items()}
        for number, (starts_on, ends_on) in half_terms.items():
            half_term = current.get(number) or HalfTerm(academic_year=year, number=number)
            half_term.starts_on, half_term.ends_on = starts_on, ends_on
            half_term.full_clean(exclude=["academic_year"], validate_unique=False, validate_constraints=False)
            half_term.save()
        after = {**before, **{f"half_term_{n}": [starts_on, ends_on] for n, (starts_on, ends_on) in half_terms.items()}}
        audit_record(
            trust=year.trust_id,
            actor=actor,
            action="academic_year.updated",
            obj=year,
            label=f"Academic year {year}",
            changes=diff(plain_value(before), plain_value(after)),
        )
    return year

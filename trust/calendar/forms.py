"""Forms for the academic calendar: create a year with the default dates, edit a year's six half-terms."""

import datetime
from typing import Any

from django import forms

from core.academic import HALF_TERMS, academic_year_for, academic_year_label
from core.forms import DateInput
from trust.calendar.services import HalfTermDates
from trust.models import AcademicYear


def _year_choices() -> list[tuple[int, str]]:
    this_year = academic_year_for(datetime.date.today())
    return [(year, academic_year_label(year)) for year in range(this_year - 1, this_year + 3)]


class CreateYearForm(forms.Form):
    start_year = forms.TypedChoiceField(label="Academic year", coerce=int, choices=_year_choices)


class EditYearForm(forms.Form):
    """Twelve date fields, `half_term_<n>_starts_on` and `half_term_<n>_ends_on`; the service checks the order."""

    def __init__(self, *args: Any, year: AcademicYear, **kwargs: Any) -> None:
        current = {ht.number: ht for ht in year.half_terms.all()}
        initial = {}
        for number in HALF_TERMS:
            if number in current:
                initial[f"half_term_{number}_starts_on"] = current[number].starts_on
                initial[f"half_term_{number}_ends_on"] = current[number].ends_on
        super().__init__(*args, initial=initial, **kwargs)
        for number, name in HALF_TERMS.items():
            for edge, word in (("starts_on", "starts"), ("ends_on", "ends")):
                self.fields[f"half_term_{number}_{edge}"] = forms.DateField(
                    label=f"{name} {word}", widget=DateInput(attrs={"class": "form-control"})
                )

    def rows(self) -> list[tuple[int, str, forms.BoundField, forms.BoundField]]:
        """One row per half-term for the template's table: number, name, start field, end field."""
        for name, field in self.fields.items():
            if self.is_bound and self.errors.get(name):
                # Screen readers announce the error with the field (the template gives it this id).
                field.widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}-err"})
        return [
            (number, name, self[f"half_term_{number}_starts_on"], self[f"half_term_{number}_ends_on"])
            for number, name in HALF_TERMS.items()
        ]

    def half_terms(self) -> HalfTermDates:
        data = self.cleaned_data
        return {n: (data[f"half_term_{n}_starts_on"], data[f"half_term_{n}_ends_on"]) for n in HALF_TERMS}

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone

from core.academic import HALF_TERMS, academic_year_for, academic_year_label, half_term_for
from core.forms import DateInput
from schools.models import MembershipStatus
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS, LegacyGrade, ReportCardGrade
from schools.selectors.schools import OFSTED_FILTERS, SORTS
from schools.services.inspections import era_for


class SchoolFilterForm(forms.Form):
    phase = forms.ChoiceField(required=False)
    la = forms.ChoiceField(label="Local authority", required=False)
    ofsted = forms.ChoiceField(label="Ofsted outcome", required=False, choices=[("", "Any"), *OFSTED_FILTERS.items()])
    status = forms.ChoiceField(required=False, choices=[("", "Any"), *MembershipStatus.choices])
    sort = forms.ChoiceField(required=False, choices=[(k, k.title()) for k in SORTS], initial="name")

    def __init__(self, *args: Any, phases: list[str], las: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [("", "Any"), *((p, p) for p in phases)]
        self.fields["la"].choices = [("", "Any"), *((la, la) for la in las)]
        self.fields["sort"].choices = [
            ("name", "Name"),
            ("urn", "URN"),
            ("la", "Local authority"),
            ("phase", "Phase"),
            ("pupils", "Most pupils"),
            ("joined", "Most recently joined"),
            ("inspected", "Longest since inspection"),
        ]


def _grade_field(label: str, grades: type[LegacyGrade] | type[ReportCardGrade]) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Not judged"), *((g.value, f"{g.value} – {g.label}") for g in grades)],
    )


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label="Date of inspection", widget=DateInput())
    inspection_type = forms.CharField(
        label="Type of inspection",
        required=False,
        max_length=60,
        help_text="For example: full inspection, ungraded, monitoring.",
    )
    safeguarding_met = forms.TypedChoiceField(
        label="Safeguarding (report cards)",
        required=False,
        empty_value=None,
        coerce=lambda v: v == "met",
        choices=[("", "Not recorded"), ("met", "Met"), ("not_met", "Not met")],
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for area, label in LEGACY_AREAS.items():
            self.fields[f"legacy_{area}"] = _grade_field(label, LegacyGrade)
        for area, label in REPORT_CARD_AREAS.items():
            self.fields[f"rc_{area}"] = _grade_field(label, ReportCardGrade)

    @property
    def legacy_fields(self) -> list[forms.BoundField]:
        return [self[f"legacy_{a}"] for a in LEGACY_AREAS]

    @property
    def report_card_fields(self) -> list[forms.BoundField]:
        return [self[f"rc_{a}"] for a in REPORT_CARD_AREAS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("inspected_on")
        if day is None:
            return data
        if day > timezone.localdate():
            self.add_error("inspected_on", "An inspection date cannot be in the future.")
            return data
        era = era_for(day)
        legacy = {a: data.get(f"legacy_{a}") for a in LEGACY_AREAS if data.get(f"legacy_{a}")}
        cards = {a: data.get(f"rc_{a}") for a in REPORT_CARD_AREAS if data.get(f"rc_{a}")}
        if era == "legacy" and (cards or data.get("safeguarding_met") is not None):
            raise forms.ValidationError(
                "This date is before report cards began (10 November 2025): "
                "use the graded judgements, not report-card grades."
            )
        if era == "report_card" and legacy:
            raise forms.ValidationError(
                "From 10 November 2025 inspections are report cards: use the report-card areas, not the old grades."
            )
        data["era"] = era
        data["judgements"] = legacy if era == "legacy" else cards
        return data


def half_term_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    this_year = academic_year_for(today)
    return [
        (f"{year}-{ht}", f"{name} {academic_year_label(year)}")
        for year in (this_year, this_year - 1)
        for ht, name in HALF_TERMS.items()
    ]


def current_half_term_key(trust: Any = None) -> str:
    """'<academic year>-<half-term>' for today: from the trust's own calendar when there is one."""
    today = timezone.localdate()
    if trust is not None:
        from trust.calendar.selectors import current_half_term

        half_term = current_half_term(trust, today)
        return f"{half_term.academic_year.start_year}-{half_term.number}"
    return f"{academic_year_for(today)}-{half_term_for(today)}"


class PredictionUploadForm(forms.Form):
    half_term = forms.ChoiceField(label="Half-term")
    file = forms.FileField(label="Filled-in template (CSV or XLSX)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["half_term"].choices = half_term_choices()
        self.fields["half_term"].initial = current_half_term_key()
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.add_input(Submit("upload", "Upload predictions"))

"""Forms for joining the trust; layouts are crispy FormHelpers, services do the writing."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms
from django.utils import timezone
from django.utils.html import format_html

from core.forms import DateInput
from schools.models import RAG, DueDiligenceReport
from schools.models.joining import DUE_DILIGENCE_SECTIONS
from schools.services.joining import FINDING_FIELDS, URN_MAX, URN_MIN

RAG_CHOICES = [("", "Not yet rated"), *RAG.choices]


class ProspectiveSchoolForm(forms.Form):
    urn = forms.IntegerField(
        label="URN",
        min_value=URN_MIN,
        max_value=URN_MAX,
        help_text="The six-digit Unique Reference Number from Get Information About Schools.",
        error_messages={
            "min_value": "A URN has six digits.",
            "max_value": "A URN has six digits.",
            "invalid": "Enter the URN as six digits.",
        },
    )
    name = forms.CharField(label="School name", max_length=200)
    la_name = forms.CharField(label="Local authority", max_length=100, required=False)
    phase = forms.CharField(
        label="Phase of education", max_length=60, required=False, help_text="For example primary or secondary."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Add prospective school"))


def _field_name(section: str, part: str) -> str:
    return f"{section}_{part}"


class DueDiligenceForm(forms.Form):
    """The report's summary and, per section, a RAG select and findings and evidence text, each labelled."""

    summary = forms.CharField(
        label="Summary for the directors",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The overall picture and recommendation, in a few sentences.",
    )

    def __init__(self, *args: Any, report: DueDiligenceReport, **kwargs: Any) -> None:
        current = {finding.section: finding for finding in report.sections}
        initial = {"summary": report.summary}
        for section, finding in current.items():
            for part in FINDING_FIELDS:
                initial[_field_name(section, part)] = getattr(finding, part)
        super().__init__(*args, initial=initial, **kwargs)

        fieldsets = []
        for number, (section, title) in enumerate(DUE_DILIGENCE_SECTIONS.items(), start=1):
            self.fields[_field_name(section, "rag")] = forms.ChoiceField(
                label="RAG rating", choices=RAG_CHOICES, required=False
            )
            self.fields[_field_name(section, "findings")] = forms.CharField(
                label="Findings", required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
            self.fields[_field_name(section, "evidence")] = forms.CharField(
                label="Evidence",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="What the findings rest on: documents seen, visits, data, conversations.",
            )
            fieldsets.append(
                Fieldset(
                    format_html("{}. {}", number, title),
                    *(_field_name(section, part) for part in FINDING_FIELDS),
                    css_class="border rounded p-3 mb-4",
                )
            )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "summary",
            HTML('<h2 class="h4 mt-4">The eight sections</h2>'),
            *fieldsets,
        )
        self.helper.add_input(Submit("submit", "Save due diligence"))

    def findings(self) -> dict[str, dict[str, str]]:
        """The cleaned data as the service wants it: {section: {rag, findings, evidence}}."""
        return {
            section: {part: self.cleaned_data[_field_name(section, part)] for part in FINDING_FIELDS}
            for section in DUE_DILIGENCE_SECTIONS
        }


class RatifyForm(forms.Form):
    ratified_on = forms.DateField(
        label="Date the directors ratified",
        widget=DateInput,
        help_text="The date of the board meeting that ratified the report; not in the future.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the meeting and minute reference, and any conditions.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault("initial", {"ratified_on": today})
        super().__init__(*args, **kwargs)
        self.fields["ratified_on"].widget.attrs["max"] = today.isoformat()
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Record ratification"))


class InductionCompleteForm(forms.Form):
    completed_on = forms.DateField(label="Done on", widget=DateInput)

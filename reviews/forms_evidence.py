"""Forms for evidence: the list's filters and the record / edit form (parsing only; rules live in services)."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.forms import DateInput
from core.uploads import DEFAULT_ALLOWED, EXTENSIONS, max_upload_bytes
from reviews.models import EvidenceType, JudgementArea
from schools.models import School

ACCEPT = ",".join(f".{ext}" for kind in sorted(DEFAULT_ALLOWED) for ext in EXTENSIONS[kind])


def style_fields(form: forms.Form) -> None:
    """Bootstrap classes by widget, so templates can render fields one by one."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class EvidenceFilterForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, to_field_name="uuid", empty_label="All schools"
    )
    evidence_type = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *EvidenceType.choices])
    area = forms.ModelChoiceField(
        label="Judgement area",
        queryset=JudgementArea.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="All areas",
    )

    def __init__(self, *args: Any, schools: QuerySet[School], areas: QuerySet[JudgementArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["area"].queryset = areas
        style_fields(self)


class EvidenceForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), to_field_name="uuid", empty_label="Choose a school")
    evidence_type = forms.ChoiceField(label="Type of evidence", choices=[("", "Choose a type"), *EvidenceType.choices])
    observed_on = forms.DateField(
        label="Date observed",
        widget=DateInput(),
        help_text="The day the evidence was gathered (not in the future).",
    )
    areas = forms.ModelMultipleChoiceField(
        label="Judgement areas it informs",
        queryset=JudgementArea.objects.none(),
        required=False,
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    areas_for_development = forms.CharField(
        label="Areas for development", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    file = forms.FileField(
        label="File (optional)",
        required=False,
        allow_empty_file=True,  # so the upload check refuses it with a message naming the file
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )
    remove_file = forms.BooleanField(label="Remove the current file", required=False)
    shared_with_school = forms.BooleanField(
        label="Share with the school",
        required=False,
        help_text="The school's headteacher and governors can read shared evidence; otherwise only the trust can.",
    )

    def __init__(
        self,
        *args: Any,
        schools: QuerySet[School],
        areas: QuerySet[JudgementArea],
        editing: bool = False,
        has_file: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["areas"].queryset = areas
        self.fields["file"].help_text = (
            f"PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), PNG or JPEG, up to "
            f"{max_upload_bytes() // (1024 * 1024)} MB. Files with macros, links to other files or scripts "
            "are refused."
        )
        if editing:
            # Evidence stays with the school it was recorded for.
            del self.fields["school"]
            if has_file:
                self.fields["file"].label = "Replace the file (optional)"
        if not has_file:
            del self.fields["remove_file"]
        style_fields(self)

    def clean_file(self) -> Any:
        # A crafted post can carry several files under one name; Django would keep the last one silently.
        if len(self.files.getlist(self.add_prefix("file"))) > 1:
            raise forms.ValidationError("Upload one file per piece of evidence; record each file separately.")
        return self.cleaned_data.get("file")

    def clean_observed_on(self) -> Any:
        day = self.cleaned_data["observed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("The date observed cannot be in the future.")
        return day

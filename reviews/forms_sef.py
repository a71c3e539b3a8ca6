"""Forms for self-evaluation: one section per judgement area, the year selector and the review decision."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.academic import academic_year_label
from reviews.forms_evidence import style_fields
from reviews.models import Evidence, Grade, JudgementArea
from reviews.services.sef import EntryInput

GRADE_CHOICES = [("", "Not graded yet"), *((g.value, g.label) for g in Grade)]


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        return f"{obj.observed_on:%d %b %Y}: {obj.get_evidence_type_display()} ({obj.summary[:60]})"


class SefForm(forms.Form):
    summary = forms.CharField(
        label="Overall summary",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The school's view of itself this year, in a few sentences.",
    )

    def __init__(self, *args: Any, areas: list[JudgementArea], evidence: QuerySet[Evidence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        for area in areas:
            self.fields[f"{area.code}-grade"] = forms.TypedChoiceField(
                label=f"Self-grade for {area.label}",
                choices=GRADE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.fields[f"{area.code}-strengths"] = forms.CharField(
                label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fields[f"{area.code}-development"] = forms.CharField(
                label="Areas for development", required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
            self.fields[f"{area.code}-evidence"] = EvidenceChoiceField(
                label="Linked evidence",
                queryset=evidence,
                required=False,
                to_field_name="uuid",
                widget=forms.CheckboxSelectMultiple,
            )
        style_fields(self)

    def sections(self) -> list[dict[str, Any]]:
        """Bound fields grouped by area, for a fieldset per area."""
        return [
            {
                "area": area,
                "grade": self[f"{area.code}-grade"],
                "strengths": self[f"{area.code}-strengths"],
                "development": self[f"{area.code}-development"],
                "evidence": self[f"{area.code}-evidence"],
            }
            for area in self.areas
        ]

    def entries(self) -> dict[JudgementArea, EntryInput]:
        data = self.cleaned_data
        return {
            area: EntryInput(
                self_grade=data.get(f"{area.code}-grade"),
                strengths=data.get(f"{area.code}-strengths") or "",
                areas_for_development=data.get(f"{area.code}-development") or "",
                evidence=tuple(data.get(f"{area.code}-evidence") or ()),
            )
            for area in self.areas
        }


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, academic_year_label(y)) for y in years]
        style_fields(self)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("accept", "Accept the self-evaluation"), ("return", "Return it to the school with comments")],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Comments for the school",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required when returning it: say what the school should change.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "return" and not (data.get("comments") or "").strip():
            self.add_error("comments", "Say what the school should change: comments are required when returning it.")
        return data

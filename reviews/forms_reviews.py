"""Forms for recording a review and a moderation; the services check every rule again."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from core.academic import academic_year_for, academic_year_label
from core.forms import DateInput
from reviews.models import Capacity, Evidence, Grade, JudgementArea, Review, ReviewType
from reviews.services.reviews import FUTURE_DATE
from schools.models import School
from trust.models import Role, User

GRADE_CHOICES = [(g.value, f"{g.value} – {g.label}") for g in Grade]


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class SchoolChoiceForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), label="School reviewed", to_field_name="uuid", empty_label="Choose a school"
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        _style(self)


class ReviewerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        role = getattr(obj, "trust_role", "")
        return f"{obj.full_name or obj.email} ({Role(role).label})" if role else obj.full_name or obj.email


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        return f"{obj.observed_on:%d %b %Y}, {obj.get_evidence_type_display()}: {obj.summary[:80]}"


class ReviewForm(forms.Form):
    review_type = forms.ChoiceField(label="Type of review", choices=ReviewType.choices)
    reviewed_on = forms.DateField(label="Date of the review", widget=DateInput())
    reviewers = ReviewerChoiceField(
        queryset=User.objects.none(),
        required=False,
        help_text="Members of the trust who carried out the review. Hold Ctrl (Cmd on a Mac) to choose several.",
    )
    capacity = forms.ChoiceField(
        label="Capacity for improvement", required=False, choices=[("", "Not judged"), *Capacity.choices]
    )
    strengths = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    areas_for_development = forms.CharField(
        label="Areas for development", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    agreed_actions = forms.CharField(label="Agreed actions", widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Evidence this review rests on",
    )
    shared_with_school = forms.BooleanField(
        label="Share this review with the school",
        required=False,
        initial=True,
        help_text="The headteacher and governors see shared reviews; unshared ones stay with the trust.",
    )

    def __init__(
        self,
        *args: Any,
        areas: list[JudgementArea],
        reviewers: QuerySet[User],
        evidence: QuerySet[Evidence],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas
        self.fields["reviewers"].queryset = reviewers
        self.fields["reviewers"].widget.attrs["size"] = 8
        self.fields["evidence"].queryset = evidence
        for area in areas:
            self.fields[f"grade_{area.code}"] = forms.TypedChoiceField(
                label=area.label,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[("", "Not judged"), *GRADE_CHOICES],
            )
        _style(self)

    @classmethod
    def initial_for(cls, review: Review) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "review_type": review.review_type,
            "reviewed_on": review.reviewed_on,
            "reviewers": list(review.reviewers.all()),
            "capacity": review.capacity,
            "strengths": review.strengths,
            "areas_for_development": review.areas_for_development,
            "agreed_actions": review.agreed_actions,
            "evidence": list(review.evidence.all()),
            "shared_with_school": review.shared_with_school,
        }
        initial.update({f"grade_{j.area.code}": j.grade for j in review.judgements.all()})
        return initial

    @property
    def grade_fields(self) -> list[forms.BoundField]:
        return [self[f"grade_{area.code}"] for area in self.areas]

    def clean_reviewed_on(self) -> Any:
        day = self.cleaned_data["reviewed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return day

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        judgements = {area: data[f"grade_{area.code}"] for area in self.areas if data.get(f"grade_{area.code}")}
        return {
            "review_type": data["review_type"],
            "reviewed_on": data["reviewed_on"],
            "reviewers": list(data["reviewers"]),
            "judgements": judgements,
            "capacity": data["capacity"],
            "strengths": data["strengths"],
            "areas_for_development": data["areas_for_development"],
            "agreed_actions": data["agreed_actions"],
            "evidence": list(data["evidence"]),
            "shared_with_school": data["shared_with_school"],
        }


def moderation_year_choices() -> list[tuple[int, str]]:
    year = academic_year_for(timezone.localdate())
    return [(y, academic_year_label(y)) for y in (year, year - 1)]


class ModerationForm(forms.Form):
    academic_year = forms.TypedChoiceField(label="Academic year", coerce=int, choices=moderation_year_choices)
    agreed_grade = forms.TypedChoiceField(
        label="Agreed judgement", coerce=int, choices=[("", "Choose the agreed judgement"), *GRADE_CHOICES]
    )
    discussion = forms.CharField(
        label="Discussion",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Who took part, the evidence looked at, and why this judgement was agreed.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ReviewFilterForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, to_field_name="uuid", empty_label="All schools"
    )
    review_type = forms.ChoiceField(label="Type", required=False, choices=[("", "All types"), *ReviewType.choices])

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        _style(self)

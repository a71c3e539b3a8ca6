"""Forms for improvement plans (parsing only; the rules live in interventions.services.plans)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.academic import TERMS, academic_year_label
from core.forms import DateInput
from interventions.models import ActionStatus
from interventions.services.plans import ActionInput
from reviews.forms_evidence import style_fields
from reviews.models import JudgementArea


class PlanYearForm(forms.Form):
    year = forms.TypedChoiceField(label="Academic year", coerce=int)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, academic_year_label(y)) for y in years]
        style_fields(self)


class PlanStartForm(forms.Form):
    academic_year = forms.TypedChoiceField(
        label="Academic year", coerce=int, required=False, empty_value=None, help_text="Default: this year."
    )
    from_checklist = forms.BooleanField(
        label="Start from my level's checklist",
        required=False,
        help_text="Each domain of your current support level's strategic-plan checklist becomes a priority, "
        "its items the actions.",
    )
    from_review = forms.BooleanField(
        label="Start from the latest review's areas for development",
        required=False,
        help_text="Each area for development in the latest review shared with the school becomes a priority "
        "with a first action.",
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["academic_year"].choices = [(y, academic_year_label(y)) for y in years]
        style_fields(self)


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: JudgementArea) -> str:
        return obj.label


class PriorityForm(forms.Form):
    title = forms.CharField(label="Priority", max_length=300)
    area = AreaChoiceField(
        label="Judgement area",
        queryset=JudgementArea.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="No particular area",
    )
    source = forms.CharField(
        label="Where it comes from",
        max_length=200,
        required=False,
        help_text="For example 'Review of 3 Mar 2026' or 'Self-evaluation'.",
    )

    def __init__(self, *args: Any, areas: QuerySet[JudgementArea], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        style_fields(self)


class ActionForm(forms.Form):
    description = forms.CharField(label="Action", widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.CharField(label="Owner", max_length=200, help_text="Who leads it, e.g. 'Maths lead'.")
    due_on = forms.DateField(label="Due date", widget=DateInput())
    success_criteria = forms.CharField(
        label="Success criteria", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, initial=ActionStatus.NOT_STARTED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def action_input(self) -> ActionInput:
        return ActionInput(**self.cleaned_data)


class PlanPostForm(forms.Form):
    term = forms.ChoiceField(label="Term", choices=[(t, t) for t in TERMS])
    body = forms.CharField(label="Update", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, body_label: str = "Update", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].label = body_label
        style_fields(self)

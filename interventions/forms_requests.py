"""Forms for support requests (parsing only; the rules live in services)."""

from typing import Any

from django import forms

from interventions.models import ExpertiseArea, Urgency
from reviews.forms_evidence import style_fields


class SupportRequestForm(forms.Form):
    area = forms.ChoiceField(label="Area of need", choices=[("", "Choose an area"), *ExpertiseArea.choices])
    need = forms.CharField(
        label="What is needed, and why now", widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    urgency = forms.ChoiceField(choices=Urgency.choices, initial=Urgency.MEDIUM, widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for declining",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The headteacher will read this.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

"""The rating decision form: a level from the trust's scale, a date, a rationale, evidence, and a reason to override."""

from typing import Any

from django import forms
from django.utils import timezone

from core.forms import DateInput
from reviews.models import Evidence
from reviews.services.ratings import UNKNOWN_EVIDENCE, UNKNOWN_LEVEL
from trust.models import SupportLevel


class RatingForm(forms.Form):
    level = forms.ModelChoiceField(
        queryset=SupportLevel.objects.none(),
        to_field_name="uuid",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,  # the service says what is missing, in the same words as the API
        # Unknown, or another trust's: the same words either way.
        error_messages={"invalid_choice": UNKNOWN_LEVEL},
    )
    effective_on = forms.DateField(
        label="Takes effect on",
        widget=DateInput(attrs={"class": "form-control"}),
        help_text="Today or earlier.",
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        required=False,
        help_text="Why this level: cite what the evidence shows.",
    )
    evidence = forms.ModelMultipleChoiceField(
        queryset=Evidence.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        error_messages={"invalid_choice": UNKNOWN_EVIDENCE, "invalid_pk_value": UNKNOWN_EVIDENCE},
    )
    override_reason = forms.CharField(
        label="Reason for choosing a level other than the suggested one",
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
    )

    def __init__(self, *args: Any, levels: list[SupportLevel], evidence: list[Evidence], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"effective_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.ModelChoiceField)
        level_field.queryset = SupportLevel.objects.filter(pk__in=[level.pk for level in levels]).order_by("position")
        evidence_field = self.fields["evidence"]
        assert isinstance(evidence_field, forms.ModelChoiceField)
        evidence_field.queryset = Evidence.objects.filter(pk__in=[item.pk for item in evidence])

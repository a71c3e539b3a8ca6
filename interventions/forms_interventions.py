"""Forms for interventions (parsing only; the rules live in services)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import DateInput
from interventions.models import (
    DeliveryModel,
    Expert,
    ExpertiseArea,
    InterventionStatus,
    InterventionTarget,
    Progress,
)
from reviews.forms_evidence import style_fields
from reviews.models import Evidence, EvidenceType
from schools.models import School

LEAD_SLOTS = 3
CHECKPOINT_SLOTS = 4


class InterventionFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "All statuses"), *InterventionStatus.choices])
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, to_field_name="uuid", empty_label="All schools"
    )
    delivery_model = forms.ChoiceField(
        label="Delivery model", required=False, choices=[("", "All delivery models"), *DeliveryModel.choices]
    )

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        style_fields(self)


class NeedForm(forms.Form):
    """The need the brokering list answers: read from the query string."""

    school = forms.ModelChoiceField(queryset=School.objects.none(), to_field_name="uuid", empty_label="Choose a school")
    area = forms.ChoiceField(label="Area of need", choices=[("", "Choose an area"), *ExpertiseArea.choices])
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    ends_on = forms.DateField(label="Ends on", widget=DateInput())
    days = forms.DecimalField(label="Days needed", min_value=0, max_digits=6, decimal_places=1, required=False)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        style_fields(self)


class CommissionForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.none(), to_field_name="uuid", empty_label="Choose a school")
    title = forms.CharField(max_length=200)
    area_of_need = forms.ChoiceField(label="Area of need", choices=[("", "Choose an area"), *ExpertiseArea.choices])
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    delivery_model = forms.ChoiceField(
        label="Delivery model", choices=DeliveryModel.choices, widget=forms.RadioSelect, initial=DeliveryModel.IN_SCHOOL
    )
    providing_school = forms.ModelChoiceField(
        label="Providing school",
        queryset=School.objects.none(),
        to_field_name="uuid",
        required=False,
        empty_label="None",
        help_text="For school-to-school support: another school of the trust.",
    )
    provider_name = forms.CharField(label="External provider", max_length=200, required=False)
    cost = forms.DecimalField(label="Cost (£)", min_value=0, max_digits=10, decimal_places=2, required=False)
    targets = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="One target per line: clear and measurable."
    )
    success_criteria = forms.CharField(label="Success criteria", widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    ends_on = forms.DateField(label="Ends on", widget=DateInput(), help_text="Interventions are time-limited.")
    days = forms.DecimalField(label="Days", min_value=0, max_digits=6, decimal_places=1, required=False)
    budget = forms.DecimalField(label="Budget (£)", min_value=0, max_digits=10, decimal_places=2, required=False)
    confirm_over_commitment = forms.BooleanField(
        label="Go ahead even though a lead would be over-committed this term", required=False
    )

    def __init__(self, *args: Any, schools: QuerySet[School], experts: QuerySet[Expert], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        self.fields["providing_school"].queryset = schools
        for i in range(1, LEAD_SLOTS + 1):
            self.fields[f"lead_{i}"] = forms.ModelChoiceField(
                label=f"Lead {i}", queryset=experts, to_field_name="uuid", required=False, empty_label="No one"
            )
            self.fields[f"lead_{i}_days"] = forms.DecimalField(
                label=f"Lead {i}: days", min_value=0, max_digits=5, decimal_places=1, required=False
            )
        for i in range(1, CHECKPOINT_SLOTS + 1):
            self.fields[f"checkpoint_{i}"] = forms.DateField(
                label=f"Checkpoint {i}", widget=DateInput(), required=False
            )
        style_fields(self)

    def lead_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"lead_{i}"], self[f"lead_{i}_days"]) for i in range(1, LEAD_SLOTS + 1)]

    def checkpoint_fields(self) -> list[Any]:
        return [self[f"checkpoint_{i}"] for i in range(1, CHECKPOINT_SLOTS + 1)]

    def leads(self) -> list[tuple[Expert, Any]]:
        data = self.cleaned_data
        return [
            (data[f"lead_{i}"], data.get(f"lead_{i}_days") or 0)
            for i in range(1, LEAD_SLOTS + 1)
            if data.get(f"lead_{i}")
        ]

    def checkpoints(self) -> list[Any]:
        return [d for i in range(1, CHECKPOINT_SLOTS + 1) if (d := self.cleaned_data.get(f"checkpoint_{i}"))]

    def target_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["targets"].splitlines() if line.strip()]


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=InterventionStatus.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    impact_practice = forms.CharField(label="Impact on practice", widget=forms.Textarea(attrs={"rows": 3}))
    impact_systems = forms.CharField(label="Impact on systems", widget=forms.Textarea(attrs={"rows": 3}))
    impact_organisation = forms.CharField(label="Impact on organisation", widget=forms.Textarea(attrs={"rows": 3}))
    impact_outcomes = forms.CharField(label="Impact on pupil outcomes", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.ModelMultipleChoiceField(
        label="Evidence of impact",
        queryset=Evidence.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one item about this school.",
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, evidence: QuerySet[Evidence], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence
        style_fields(self)


class CheckpointForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    evidence = forms.ModelMultipleChoiceField(
        label="Evidence this checkpoint rests on",
        queryset=Evidence.objects.none(),
        to_field_name="uuid",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    new_evidence_type = forms.ChoiceField(
        label="Type of new evidence", required=False, choices=[("", "No new evidence"), *EvidenceType.choices]
    )
    new_evidence_summary = forms.CharField(
        label="Summary of new evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Recorded as evidence for the school today (trust only), and linked to this checkpoint.",
    )

    def __init__(
        self, *args: Any, targets: list[InterventionTarget], evidence: QuerySet[Evidence], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["evidence"].queryset = evidence
        for target in targets:
            self.fields[f"progress_{target.pk}"] = forms.ChoiceField(
                label=f"Progress: {target.description}", choices=Progress.choices, widget=forms.RadioSelect
            )
            self.fields[f"note_{target.pk}"] = forms.CharField(
                label=f"Note on: {target.description}", required=False, max_length=2000
            )
        style_fields(self)

    def target_fields(self) -> list[tuple[InterventionTarget, Any, Any]]:
        return [(t, self[f"progress_{t.pk}"], self[f"note_{t.pk}"]) for t in self.targets]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("new_evidence_type")) != bool((data.get("new_evidence_summary") or "").strip()):
            raise forms.ValidationError("For new evidence, give both its type and a summary.")
        return data

    def new_evidence(self, today: Any) -> dict[str, Any] | None:
        data = self.cleaned_data
        if not data.get("new_evidence_type"):
            return None
        return {
            "evidence_type": data["new_evidence_type"],
            "observed_on": today,
            "summary": data["new_evidence_summary"],
        }

    def progress(self) -> dict[InterventionTarget, tuple[str, str]]:
        data = self.cleaned_data
        return {t: (data[f"progress_{t.pk}"], data.get(f"note_{t.pk}") or "") for t in self.targets}

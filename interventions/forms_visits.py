"""Forms for visits and the calendar (parsing only; the rules live in services)."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import DateInput
from interventions.models import ActivityStatus, ActivityType
from reviews.forms_evidence import style_fields
from reviews.models import EvidenceType
from schools.models import School
from trust.models import User


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name or obj.email


class CalendarFilterForm(forms.Form):
    person = _PersonChoice(queryset=User.objects.none(), required=False, empty_label="Everyone", to_field_name="uuid")
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, empty_label="All schools", to_field_name="uuid"
    )
    type = forms.ChoiceField(label="Type", choices=[("", "All types"), *ActivityType.choices], required=False)

    def __init__(self, *args: Any, people: QuerySet[User], schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["school"].queryset = schools
        style_fields(self)

    def filters(self) -> dict[str, Any]:
        """Keyword filters for the selectors; invalid input is ignored rather than refused."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {"owner": data.get("person"), "school": data.get("school"), "activity_type": data.get("type") or ""}


class VisitForm(forms.Form):
    school = forms.ModelChoiceField(
        queryset=School.objects.none(),
        required=False,
        empty_label="None: a trust-wide event",
        to_field_name="uuid",
    )
    activity_type = forms.ChoiceField(label="Type", choices=[("", "Choose a type"), *ActivityType.choices])
    title = forms.CharField(max_length=200, required=False, help_text="Left empty, the type's name is used.")
    owner = _PersonChoice(queryset=User.objects.none(), required=False, empty_label="Nobody yet", to_field_name="uuid")
    planned_on = forms.DateField(label="Date", widget=DateInput())

    def __init__(
        self, *args: Any, people: QuerySet[User], schools: QuerySet[School], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["school"].queryset = schools
        if editing:
            # A visit's school and type stay; only owner, date and title change.
            del self.fields["school"]
            del self.fields["activity_type"]
            self.fields["title"].required = True
            self.fields["title"].help_text = ""
        style_fields(self)


class RecordForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[(s.value, s.label) for s in ActivityStatus if s != ActivityStatus.PLANNED],
        widget=forms.RadioSelect,
    )
    cancelled_reason = forms.CharField(
        label="Reason for cancelling",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when the visit was cancelled.",
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    notes_shared_with_school = forms.BooleanField(
        label="Share these notes with the school",
        required=False,
        help_text="The headteacher and governor can read them.",
    )
    evidence_type = forms.ChoiceField(
        label="Type of evidence",
        choices=[("", "No evidence"), *EvidenceType.choices],
        required=False,
        help_text="Only for a visit that was done; the evidence goes to the school's evidence.",
    )
    summary = forms.CharField(label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    strengths = forms.CharField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    areas_for_development = forms.CharField(
        label="Areas for development", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    shared_with_school = forms.BooleanField(label="Share this evidence with the school", required=False)
    file = forms.FileField(label="File", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        evidence = None
        if data.get("evidence_type"):
            evidence = {
                "evidence_type": data["evidence_type"],
                "summary": data.get("summary", ""),
                "strengths": data.get("strengths", ""),
                "areas_for_development": data.get("areas_for_development", ""),
                "shared_with_school": data.get("shared_with_school", False),
                "upload": data.get("file"),
            }
        return {
            "status": data["status"],
            "notes": data.get("notes", ""),
            "notes_shared_with_school": data.get("notes_shared_with_school", False),
            "cancelled_reason": data.get("cancelled_reason", ""),
            "evidence": evidence,
        }


class EventsCreateForm(forms.Form):
    year = forms.IntegerField(
        label="Academic year (its first year)", min_value=2000, max_value=2100, help_text="2026 means 2026/27."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

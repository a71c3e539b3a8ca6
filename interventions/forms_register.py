"""Forms for the register of expertise and the "Find support" page (parsing only; rules live in services)."""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from core.forms import DateInput
from interventions.models import ExpertiseArea, ExpertRole
from reviews.forms_evidence import style_fields
from schools.models import School
from trust.models import User


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class RegisterFilterForm(forms.Form):
    area = forms.ChoiceField(
        label="Area of expertise", required=False, choices=[("", "All areas"), *ExpertiseArea.choices]
    )
    role = forms.ChoiceField(required=False, choices=[("", "All roles"), *ExpertRole.choices])
    home_school = forms.ModelChoiceField(
        label="Home school", queryset=School.objects.none(), required=False, to_field_name="uuid", empty_label="All"
    )
    include_inactive = forms.BooleanField(label="Include people no longer offered", required=False)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_school"].queryset = schools
        style_fields(self)


class ExpertForm(forms.Form):
    name = forms.CharField(max_length=200)
    role = forms.ChoiceField(choices=[("", "Choose a role"), *ExpertRole.choices])
    home_school = forms.ModelChoiceField(
        label="Home school",
        queryset=School.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="None (trust staff or external)",
        help_text="The member school they work at. Leave empty for central trust staff and external providers.",
    )
    organisation = forms.CharField(
        max_length=200, required=False, help_text="For external providers: the organisation they come from."
    )
    email = forms.EmailField(required=False)
    user = MemberChoiceField(
        label="Trustwide account",
        queryset=User.objects.none(),
        required=False,
        to_field_name="uuid",
        empty_label="No account",
        help_text="Link a member of the trust so they see the interventions they lead.",
    )
    areas = forms.MultipleChoiceField(
        label="Areas of expertise", choices=ExpertiseArea.choices, widget=forms.CheckboxSelectMultiple
    )
    days_per_term = forms.DecimalField(
        label="Days available per term",
        min_value=Decimal(0),
        max_digits=5,
        decimal_places=1,
        help_text="Days they can give to other schools each term, to one decimal place.",
    )

    def __init__(self, *args: Any, schools: QuerySet[School], members: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["home_school"].queryset = schools
        self.fields["user"].queryset = members
        style_fields(self)


class BrokerForm(forms.Form):
    school = forms.ModelChoiceField(
        label="School needing support", queryset=School.objects.none(), to_field_name="uuid", empty_label="Choose"
    )
    area = forms.ChoiceField(label="Area of need", choices=[("", "Choose an area"), *ExpertiseArea.choices])
    starts_on = forms.DateField(label="Starts on", widget=DateInput())
    ends_on = forms.DateField(label="Ends on", widget=DateInput())
    days = forms.DecimalField(label="Days needed", min_value=Decimal(0), max_digits=6, decimal_places=1)

    def __init__(self, *args: Any, schools: QuerySet[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be on or after the start date.")
        return data

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from schools.models import School
from trust.models import Role, Trust


class _SchoolForRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    school = forms.ModelChoiceField(
        queryset=School._base_manager.none(),  # narrowed to the trust in __init__
        required=False,
        to_field_name="uuid",
        help_text="Required for a headteacher or governor; leave empty for trust-wide roles.",
    )

    def __init__(self, *args: Any, trust: Trust, submit_label: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this trust's schools can be chosen; a foreign id is just "not a valid choice".
        self.fields["school"].queryset = School.objects.filter(trust=trust).order_by("name")
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", submit_label))


class InvitationForm(_SchoolForRoleForm):
    email = forms.EmailField(label="Email address")
    field_order = ["email", "role", "school"]

    def __init__(self, *args: Any, trust: Trust, **kwargs: Any) -> None:
        super().__init__(*args, trust=trust, submit_label="Send invitation", **kwargs)


class RoleChangeForm(_SchoolForRoleForm):
    def __init__(self, *args: Any, trust: Trust, **kwargs: Any) -> None:
        super().__init__(*args, trust=trust, submit_label="Save role", **kwargs)


class AcceptWithNewAccountForm(forms.Form):
    full_name = forms.CharField(label="Your full name", max_length=200)
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput,
        strip=False,
        help_text="At least 12 characters; not a common password.",
    )
    password2 = forms.CharField(label="Repeat the password", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create account and join"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords do not match.")
        return data


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'MIS sync'.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create token"))


class SignInForm(AuthenticationForm):
    """Django's sign-in form without autofocus, so keyboard users meet the skip link first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)
        self.fields["username"].label = "Email"

    def clean_username(self) -> str:
        # Emails are stored in lower case; "Ann@School.org" is the same account.
        return self.cleaned_data["username"].strip().lower()


class _OneFieldForm(forms.Form):
    submit_label = "Continue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class AuthenticatorConfirmForm(_OneFieldForm):
    submit_label = "Confirm and turn on"
    code = forms.CharField(
        label="6-digit code from your app",
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class SecondStepForm(_OneFieldForm):
    submit_label = "Verify"
    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=20,
        help_text="Six digits from the app; a recovery code works once.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )


class PasswordConfirmForm(_OneFieldForm):
    submit_label = "Confirm"
    password = forms.CharField(label="Your password", strip=False, widget=forms.PasswordInput)


class TrustSecurityForm(_OneFieldForm):
    submit_label = "Save"
    require_two_factor_for_everyone = forms.BooleanField(
        label="Require two-factor sign-in for everyone in the trust",
        required=False,
        help_text="Executives, improvement leads and trustees always need it. "
        "With this on, headteachers, specialists and governors need it too.",
    )

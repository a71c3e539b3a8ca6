"""Form pieces every app shares."""

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """A browser date picker; its value must be ISO 8601 whatever the locale's display format."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

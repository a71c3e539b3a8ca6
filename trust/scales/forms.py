"""Forms for choosing a scale template and editing a level. Lists are typed one item per line."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Fieldset, Layout, Submit
from django import forms

from core.exceptions import ApplicationError
from reviews.suggestions import INDICATOR_HELP, OPS, parse_rule_lines, rule_line
from trust.models import SupportLevel
from trust.scales.templates import TEMPLATES


def lines_to_list(text: str) -> list[str]:
    return [line.strip().lstrip("•●-–*").strip() for line in (text or "").splitlines() if line.strip()]


def list_to_lines(items: list[str]) -> str:
    return "\n".join(items)


def checklist_to_text(checklist: dict[str, list[str]]) -> str:
    return "\n\n".join(f"{domain}:\n" + "\n".join(items) for domain, items in checklist.items())


def text_to_checklist(text: str) -> dict[str, list[str]]:
    """'Domain:' heading lines, each followed by its items one per line."""
    checklist: dict[str, list[str]] = {}
    domain: str | None = None
    for line in lines_to_list(text):
        if line.endswith(":"):
            domain = line[:-1].strip()
            checklist.setdefault(domain, [])
        elif domain is None:
            raise forms.ValidationError(
                "Start the checklist with a domain heading ending in a colon, e.g. 'Governance:'."
            )
        else:
            checklist[domain].append(line)
    return checklist


class ChooseTemplateForm(forms.Form):
    template = forms.ChoiceField(
        label="Template",
        choices=[(t.key, t.name) for t in TEMPLATES.values()],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose one of the three templates."},
    )
    replace = forms.BooleanField(
        label="Yes, replace the trust's current scale and the edits made to it",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


def _lines_field(label: str, help_text: str = "One item per line.", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


RULES_HELP = (
    "One rule per line: indicator, operator, value, and an optional note after #. Operators: "
    + ", ".join(OPS)
    + ". Indicators: "
    + "; ".join(f"{code} ({words})" for code, words in INDICATOR_HELP.items())
    + ". Example: ofsted_grade >= 4  # Ofsted grade 4. The most intensive level with a rule that fires is "
    "suggested; when none fires, the least intensive level is."
)


class LevelForm(forms.Form):
    name = forms.CharField(max_length=100)
    colour = forms.CharField(
        max_length=20, required=False, help_text="A RAG colour name if the scale uses one (red, amber, green)."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    key_indicators = _lines_field("Key indicators")
    support_offer = _lines_field("Support offer", rows=8)
    leadership_qualities = _lines_field("Key leadership qualities")
    plan_checklist = _lines_field(
        "Strategic-plan checklist",
        help_text="A domain heading ending in a colon (e.g. 'Governance:'), then its items, one per line.",
        rows=10,
    )
    visit_cadence = forms.CharField(label="Visits", max_length=100, required=False)
    monitoring_cadence = forms.CharField(label="Monitoring", max_length=100, required=False)
    reporting_cadence = forms.CharField(label="Reporting", max_length=100, required=False)
    expected_duration_months = forms.IntegerField(
        label="Expected duration (months)",
        required=False,
        min_value=1,
        max_value=120,
        help_text="Leave blank when the level has no expected duration (e.g. ongoing). A school staying longer "
        "is flagged as an overstay.",
    )
    rules = _lines_field("Suggestion rules", help_text=RULES_HELP, rows=6)

    def __init__(self, *args: Any, level: SupportLevel, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "name": level.name,
                "colour": level.colour,
                "description": level.description,
                "key_indicators": list_to_lines(level.key_indicators),
                "support_offer": list_to_lines(level.support_offer),
                "leadership_qualities": list_to_lines(level.leadership_qualities),
                "plan_checklist": checklist_to_text(level.plan_checklist),
                "visit_cadence": level.visit_cadence,
                "monitoring_cadence": level.monitoring_cadence,
                "reporting_cadence": level.reporting_cadence,
                "expected_duration_months": level.expected_duration_months,
                "rules": "\n".join(rule_line(rule) for rule in level.rules),
            },
        )
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "name",
            "colour",
            "description",
            "key_indicators",
            "support_offer",
            "leadership_qualities",
            "plan_checklist",
            Fieldset("Cadences", "visit_cadence", "monitoring_cadence", "reporting_cadence"),
            "expected_duration_months",
            "rules",
            HTML('<p class="form-text">Saving changes the level from now on; past ratings keep their level name.</p>'),
        )
        self.helper.add_input(Submit("submit", "Save level"))

    def clean_plan_checklist(self) -> dict[str, list[str]]:
        return text_to_checklist(self.cleaned_data["plan_checklist"])

    def clean_rules(self) -> list[dict[str, Any]]:
        try:
            return parse_rule_lines(self.cleaned_data["rules"])
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from None

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **{k: data[k] for k in ("name", "colour", "description", "plan_checklist", "rules")},
            **{k: data[k] for k in ("visit_cadence", "monitoring_cadence", "reporting_cadence")},
            **{k: lines_to_list(data[k]) for k in ("key_indicators", "support_offer", "leadership_qualities")},
            "expected_duration_months": data["expected_duration_months"],
        }

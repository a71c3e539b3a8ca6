import datetime

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel

# Ofsted's report cards replaced single-word judgements for inspections from this date.
REPORT_CARD_START = datetime.date(2025, 11, 10)


class InspectionEra(models.TextChoices):
    LEGACY = "legacy", "Graded judgements (to November 2025)"
    REPORT_CARD = "report_card", "Report card (from November 2025)"


class LegacyGrade(models.IntegerChoices):
    OUTSTANDING = 1, "Outstanding"
    GOOD = 2, "Good"
    REQUIRES_IMPROVEMENT = 3, "Requires improvement"
    INADEQUATE = 4, "Inadequate"


class ReportCardGrade(models.IntegerChoices):
    EXCEPTIONAL = 1, "Exceptional"
    STRONG = 2, "Strong standard"
    EXPECTED = 3, "Expected standard"
    NEEDS_ATTENTION = 4, "Needs attention"
    URGENT_IMPROVEMENT = 5, "Urgent improvement"


LEGACY_AREAS = {
    "overall_effectiveness": "Overall effectiveness",
    "quality_of_education": "Quality of education",
    "behaviour_and_attitudes": "Behaviour and attitudes",
    "personal_development": "Personal development",
    "leadership_and_management": "Leadership and management",
    "early_years": "Early years provision",
    "sixth_form": "Sixth form provision",
}
REPORT_CARD_AREAS = {
    "inclusion": "Inclusion",
    "curriculum_and_teaching": "Curriculum and teaching",
    "achievement": "Achievement",
    "attendance_and_behaviour": "Attendance and behaviour",
    "personal_development_and_wellbeing": "Personal development and well-being",
    "early_years": "Early years",
    "post_16": "Post-16",
    "leadership_and_governance": "Leadership and governance",
}


class InspectionSource(models.TextChoices):
    GIAS = "gias", "GIAS import"
    OFSTED_CSV = "ofsted_csv", "Ofsted outcomes import"
    FORM = "form", "Entered by the trust"


class Inspection(BaseModel):
    """One Ofsted inspection of a school, in the words of its era."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField()
    inspection_type = models.CharField(max_length=60, blank=True, help_text="e.g. Full inspection, Ungraded.")
    era = models.CharField(max_length=20, choices=InspectionEra.choices)
    safeguarding_met = models.BooleanField(null=True, blank=True, help_text="Report cards: met or not met.")
    source = models.CharField(max_length=20, choices=InspectionSource.choices, default=InspectionSource.FORM)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    notes = models.TextField(blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-inspected_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "inspected_on"], name="one_inspection_per_school_and_day")
        ]
        indexes = [
            # latest_inspections: each school's newest inspection, id breaking ties (schools/selectors/inspections.py,
            # the dashboard's Ofsted radar, the rating page); holding the id, it also gives the trust's inspections
            # to the judgements' prefetch from the index alone, where PostgreSQL otherwise read the whole table.
            models.Index(fields=["school", "-inspected_on", "-id"], name="inspection_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.school} inspected {self.inspected_on:%d %b %Y}"


class InspectionJudgement(models.Model):
    """A grade for one area: 1-4 in the legacy era, 1-5 on report cards."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=60)
    grade = models.PositiveSmallIntegerField()

    objects = ScopedManager(trust="inspection__school__trust")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["inspection", "area"], name="one_grade_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.grade}"

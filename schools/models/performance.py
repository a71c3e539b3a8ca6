from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel


class MeasureValue(BaseModel):
    """A school's result on one measure (see schools.measures) for one academic year.

    A suppressed or missing value has `value` None and keeps the DfE code (SUPP, NE, ...).
    """

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="measure_values")
    measure = models.CharField(max_length=40)
    academic_year = models.PositiveSmallIntegerField(help_text="The year the academic year starts: 2018 is 2018/19.")
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    missing_code = models.CharField(max_length=10, blank=True)
    source = models.CharField(max_length=40, blank=True, help_text="e.g. 'DfE KS2 2018/19' or 'entered'.")
    source_urn = models.PositiveIntegerField(null=True, blank=True, help_text="Set when found under a predecessor.")

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["measure", "academic_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "measure", "academic_year"], name="one_value_per_measure_year")
        ]

    def __str__(self) -> str:
        shown = self.value if self.value is not None else self.missing_code
        return f"{self.school} {self.measure} {self.academic_year}: {shown}"


class ComparatorLevel(models.TextChoices):
    LOCAL_AUTHORITY = "la", "Local authority"
    NATIONAL = "national", "England"


class ComparatorValue(models.Model):
    """Public LA and national figures from the DfE files: shared by every trust, owned by none."""

    level = models.CharField(max_length=10, choices=ComparatorLevel.choices)
    la_code = models.CharField(max_length=8, blank=True)
    measure = models.CharField(max_length=40)
    academic_year = models.PositiveSmallIntegerField()
    value = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    missing_code = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "la_code", "measure", "academic_year"], name="one_comparator_per_measure_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} {self.la_code} {self.measure} {self.academic_year}"


class InYearPrediction(BaseModel):
    """A headteacher's half-termly prediction: % of a year group on track in a subject."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="predictions")
    academic_year = models.PositiveSmallIntegerField()
    half_term = models.PositiveSmallIntegerField(help_text="1 (Autumn 1) to 6 (Summer 2).")
    year_group = models.CharField(max_length=20)
    subject = models.CharField(max_length=40)
    percent_on_track = models.DecimalField(max_digits=4, decimal_places=1)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["academic_year", "half_term", "year_group", "subject"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "half_term", "year_group", "subject"],
                name="one_prediction_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year_group} {self.subject}: {self.percent_on_track}%"

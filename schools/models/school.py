from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel


class MembershipStatus(models.TextChoices):
    PROSPECTIVE = "prospective", "Prospective (joining)"
    MEMBER = "member", "Member school"
    LEFT = "left", "Left the trust"


class School(BaseModel):
    """A school in, joining or formerly in a trust; identified publicly by its DfE URN."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.PositiveIntegerField(help_text="Unique Reference Number from Get Information About Schools.")
    # Facts from GIAS.
    la_code = models.CharField("local authority code", max_length=8, blank=True)
    la_name = models.CharField("local authority", max_length=100, blank=True)
    phase = models.CharField("phase of education", max_length=60, blank=True)
    establishment_type = models.CharField("type of establishment", max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    headteacher_name = models.CharField(max_length=200, blank=True)
    gias_status = models.CharField("GIAS status", max_length=60, blank=True, help_text="e.g. Open, Closed.")
    is_open = models.BooleanField(default=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    # The school's relationship with the trust.
    status = models.CharField(max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.MEMBER)
    joined_trust_on = models.DateField(null=True, blank=True)
    left_trust_on = models.DateField(null=True, blank=True)
    gias_group_uid = models.CharField("GIAS group UID", max_length=20, blank=True)
    is_incomplete = models.BooleanField(
        default=False, help_text="Known only from the group-links file: the establishment file had no row for it."
    )

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "urn"], name="one_school_per_urn_and_trust")]
        indexes = [
            # select_school_list: the school list and API, a trust's schools by name, a page at a time
            # (schools/selectors/schools.py); the SEF list's schools (reviews/views/sef.py).
            models.Index(fields=["trust", "name"], name="school_trust_name"),
            # select_school_list filtered by status; trust_metrics' member schools by name
            # (reporting/selectors/metrics.py _member_schools).
            models.Index(fields=["trust", "status", "name"], name="school_trust_status"),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolLink(BaseModel):
    """A predecessor establishment (from GIAS links) whose history belongs on this school's profile."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="predecessor_links")
    predecessor_urn = models.PositiveIntegerField()
    predecessor_name = models.CharField(max_length=200, blank=True)
    link_type = models.CharField(max_length=60, blank=True, help_text="GIAS LinkType, e.g. 'Predecessor'.")
    linked_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-linked_on", "predecessor_urn"]
        constraints = [
            models.UniqueConstraint(fields=["school", "predecessor_urn"], name="one_link_per_school_and_predecessor")
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_name or self.predecessor_urn} → {self.school}"

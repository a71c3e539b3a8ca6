from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel


class School(BaseModel):
    """A school in (or joining) a trust, identified publicly by its DfE URN."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="schools")
    name = models.CharField(max_length=200)
    urn = models.PositiveIntegerField(help_text="Unique Reference Number from Get Information About Schools.")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["trust", "urn"], name="one_school_per_urn_and_trust")]

    def __str__(self) -> str:
        return self.name

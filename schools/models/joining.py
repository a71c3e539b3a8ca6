from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel

# Seed 003's due diligence report: the eight sections, in its order.
DUE_DILIGENCE_SECTIONS = {
    "outcomes": "Outcomes for pupils",
    "compliance": "Compliance: safeguarding and registration",
    "structure": "Structure and organisation",
    "finance": "Finance",
    "ofsted": "Ofsted rating and issues",
    "school_improvement": "School improvement",
    "self_evaluation": "Self-evaluation",
    "statutory_data": "Statutory data",
}
INDUCTION_ITEMS = {
    "self_evaluation": "Self-evaluation written",
    "induction_review": "Induction review held",
    "first_rating": "First rating on the trust's support scale",
    "improvement_plan": "Improvement plan agreed",
}


class RAG(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


class DueDiligenceReport(BaseModel):
    """The trust's due diligence on a school that wants to join; ratified by the directors."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="due_diligence")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True)
    ratified_on = models.DateField(null=True, blank=True)
    ratified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ratification_notes = models.TextField(blank=True)

    objects = ScopedManager(trust="school__trust")

    def __str__(self) -> str:
        return f"Due diligence: {self.school}"


class DueDiligenceFinding(BaseModel):
    """One section of a due diligence report: a RAG rating, findings and evidence."""

    report = models.ForeignKey(DueDiligenceReport, on_delete=models.CASCADE, related_name="findings")
    section = models.CharField(max_length=40, choices=list(DUE_DILIGENCE_SECTIONS.items()))
    rag = models.CharField("RAG rating", max_length=10, choices=RAG.choices, blank=True)
    findings = models.TextField(blank=True)
    evidence = models.TextField(blank=True)

    objects = ScopedManager(trust="report__school__trust")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["report", "section"], name="one_finding_per_section")]

    def __str__(self) -> str:
        return f"{self.get_section_display()}: {self.rag or 'not rated'}"


class InductionItem(BaseModel):
    """A step of a new member school's induction; later capabilities complete them."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="induction_items")
    code = models.CharField(max_length=40, choices=list(INDUCTION_ITEMS.items()))
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["school", "code"], name="one_induction_item_per_code")]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_code_display()}"

"""Evidence, self-evaluation, reviews, ratings and moderation of judgements."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.exceptions import ApplicationError
from core.models import BaseModel


class Grade(models.IntegerChoices):
    """The five-point scale used for self-grades and trust judgements (Ofsted's report-card words)."""

    EXCEPTIONAL = 1, "Exceptional"
    STRONG = 2, "Strong standard"
    EXPECTED = 3, "Expected standard"
    NEEDS_ATTENTION = 4, "Needs attention"
    URGENT_IMPROVEMENT = 5, "Urgent improvement"


class JudgementArea(BaseModel):
    """An area a school is judged on; by default the Ofsted report-card areas, editable per trust."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="judgement_areas")
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["trust", "code"], name="one_area_per_code_and_trust")]

    def __str__(self) -> str:
        return self.label


class EvidenceType(models.TextChoices):
    LEARNING_WALK = "learning_walk", "Learning walk"
    LESSON_OBSERVATION = "lesson_observation", "Lesson observation"
    WORK_SCRUTINY = "work_scrutiny", "Work scrutiny"
    WILO = "wilo", "A week in the life of (WILO)"
    PUPIL_VOICE = "pupil_voice", "Pupil voice"
    DATA_ANALYSIS = "data_analysis", "Data analysis"
    GOVERNANCE_AUDIT = "governance_audit", "Governance audit"
    SAFEGUARDING_AUDIT = "safeguarding_audit", "Safeguarding audit"
    SEND_AUDIT = "send_audit", "SEND audit"
    MODERATION = "moderation", "Moderation"
    OTHER = "other", "Other"


def evidence_upload_path(instance: "Evidence", filename: str) -> str:
    # The stored name never comes from the person: one prefix per trust, a UUID per file.
    return f"trusts/{instance.school.trust.code}/evidence/{instance.uuid}.bin"


class Evidence(BaseModel):
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="evidence")
    evidence_type = models.CharField(max_length=30, choices=EvidenceType.choices)
    observed_on = models.DateField()
    areas = models.ManyToManyField(JudgementArea, blank=True, related_name="evidence")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    summary = models.TextField()
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    file = models.FileField(upload_to=evidence_upload_path, blank=True)
    file_name = models.CharField(max_length=200, blank=True, help_text="The uploaded file's cleaned name.")
    file_type = models.CharField(max_length=10, blank=True, help_text="Detected from the content: pdf, docx, ...")
    file_size = models.PositiveBigIntegerField(default=0)
    shared_with_school = models.BooleanField(default=False)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-observed_on", "-created_at"]
        indexes = [
            # evidence_list, evidence_for_rating and the SEF's evidence: a school's evidence newest first
            # (reviews/selectors/evidence.py, reviews/selectors/ratings.py, reviews/views/sef.py).
            models.Index(fields=["school", "-observed_on"], name="evidence_school_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_evidence_type_display()} at {self.school}, {self.observed_on:%d %b %Y}"


class SelfEvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned with comments"
    ACCEPTED = "accepted", "Accepted"


class SelfEvaluation(BaseModel):
    """A school's self-evaluation (SEF) for one academic year."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="self_evaluations")
    academic_year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=SelfEvaluationStatus.choices, default=SelfEvaluationStatus.DRAFT)
    summary = models.TextField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_comments = models.TextField(blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-academic_year"]
        constraints = [models.UniqueConstraint(fields=["school", "academic_year"], name="one_sef_per_school_year")]

    def __str__(self) -> str:
        return f"Self-evaluation of {self.school}, {self.academic_year}"


class SelfEvaluationEntry(BaseModel):
    self_evaluation = models.ForeignKey(SelfEvaluation, on_delete=models.CASCADE, related_name="entries")
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="+")
    self_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="+")

    objects = ScopedManager(trust="self_evaluation__school__trust")

    class Meta:
        ordering = ["area__position"]
        constraints = [models.UniqueConstraint(fields=["self_evaluation", "area"], name="one_sef_entry_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.self_grade}"


class ReviewType(models.TextChoices):
    ANNUAL_REVIEW = "annual_review", "Annual review"
    TRUST_INSPECTION = "trust_inspection", "Trust inspection"
    MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
    HEALTH_CHECK = "health_check", "Health-check visit"
    INDUCTION_REVIEW = "induction_review", "Induction review"
    DUE_DILIGENCE = "due_diligence", "Due diligence"


class Capacity(models.TextChoices):
    WEAK = "weak", "Weak"
    NOT_YET_GOOD = "not_yet_good", "Not yet good"
    GOOD = "good", "Good"
    STRONG = "strong", "Strong"


class Review(BaseModel):
    """The trust's review of a school: judgements per area, capacity to improve, agreed actions."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="reviews")
    review_type = models.CharField(max_length=30, choices=ReviewType.choices)
    reviewed_on = models.DateField()
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    capacity = models.CharField("capacity for improvement", max_length=20, choices=Capacity.choices, blank=True)
    strengths = models.TextField(blank=True)
    areas_for_development = models.TextField(blank=True)
    agreed_actions = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="reviews")
    shared_with_school = models.BooleanField(default=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        indexes = [
            # latest_reviews and review_list: a school's reviews newest first (reviews/selectors/reviews.py);
            # the rating page's latest review with a capacity judgement (reviews/suggestions.py).
            models.Index(fields=["school", "-reviewed_on"], name="review_school_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_review_type_display()} of {self.school}, {self.reviewed_on:%d %b %Y}"


class ReviewJudgement(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="judgements")
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="+")
    grade = models.PositiveSmallIntegerField(choices=Grade.choices)

    objects = ScopedManager(trust="review__school__trust")

    class Meta:
        ordering = ["area__position"]
        constraints = [models.UniqueConstraint(fields=["review", "area"], name="one_review_grade_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_grade_display()}"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused: there is no path that rewrites a decision."""

    def update(self, **kwargs: object) -> int:
        raise ApplicationError("Ratings cannot be changed once decided; record a new decision instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ApplicationError("Ratings cannot be deleted: the history of decisions is kept whole.")


class Rating(BaseModel):
    """A decision placing a school on the trust's support scale. Append-only: never edited or deleted.

    The level's name and position are copied, so editing the scale never rewrites the history.
    """

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="ratings")
    level = models.ForeignKey("trust.SupportLevel", on_delete=models.PROTECT, related_name="ratings")
    level_name = models.CharField(max_length=100)
    level_position = models.PositiveSmallIntegerField()
    effective_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rationale = models.TextField()
    suggested_level = models.ForeignKey(
        "trust.SupportLevel", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    suggested_level_name = models.CharField(max_length=100, blank=True)
    suggestion_reasons = models.JSONField(default=list, blank=True)
    overrode_suggestion = models.BooleanField(default=False)
    override_reason = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="ratings")
    inspection = models.ForeignKey(
        "schools.Inspection", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review = models.ForeignKey(Review, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    self_evaluation = models.ForeignKey(
        SelfEvaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(trust="school__trust", _manager_class=models.Manager.from_queryset(AppendOnlyQuerySet))

    class Meta:
        ordering = ["-effective_on", "-created_at"]
        indexes = [
            # current_ratings and rating_history: a school's decisions newest first in RATING_ORDER, id included so
            # the "latest" subquery stops at the first entry without sorting (reviews/selectors/ratings.py); the
            # dashboard's level stays read them in the same order (reporting/selectors/metrics.py).
            models.Index(fields=["school", "-effective_on", "-created_at", "-id"], name="rating_school_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.school}: {self.level_name} from {self.effective_on:%d %b %Y}"

    def save(self, *args: object, **kwargs: object) -> None:
        # The history is the audit: a correction is a new decision, never an edit.
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ApplicationError("A rating cannot be changed once decided; record a new decision instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ApplicationError("A rating cannot be deleted: the history of decisions is kept whole.")


class Moderation(BaseModel):
    """The improvement lead's record of a school-and-trust discussion of one area, and the agreed judgement."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="moderations")
    area = models.ForeignKey(JudgementArea, on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField()
    school_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    trust_grade = models.PositiveSmallIntegerField(choices=Grade.choices, null=True, blank=True)
    agreed_grade = models.PositiveSmallIntegerField(choices=Grade.choices)
    discussion = models.TextField()
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    moderated_on = models.DateField()

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-moderated_on", "-created_at"]
        indexes = [
            # latest_moderations: the latest moderation of each (school, area) for the dashboard's heat map and the
            # judgements grid, read from the index alone (reviews/selectors/grid.py); without it the subquery run for
            # each of a trust's moderations combined two single-column indexes and sorted.
            models.Index(fields=["school", "area", "-moderated_on", "-created_at", "-id"], name="moderation_latest"),
        ]

    def __str__(self) -> str:
        return f"Moderation of {self.area} at {self.school}"

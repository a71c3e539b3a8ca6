"""Support for schools: the expertise register, interventions, improvement plans and support requests."""

from django.conf import settings
from django.db import models
from django_scopes import ScopedManager

from core.models import BaseModel


class ExpertiseArea(models.TextChoices):
    """The register's areas of expertise (seed 003's register, widened by the domain model)."""

    LEADERSHIP = "leadership_and_management", "Leadership and management"
    SEND = "send", "SEND"
    EARLY_YEARS = "early_years", "Early years"
    KS1 = "ks1", "Key stage 1"
    LOWER_KS2 = "lower_ks2", "Lower key stage 2"
    UPPER_KS2 = "upper_ks2", "Upper key stage 2"
    TEACHING_ASSISTANTS = "teaching_assistants", "Teaching assistants"
    HLTAS = "hltas", "Higher level teaching assistants"
    MFL = "mfl", "Modern foreign languages"
    ENGLISH = "english", "English"
    MATHS = "maths", "Maths"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    GOVERNANCE = "governance", "Governance"
    FINANCE = "finance", "Finance"
    BEHAVIOUR_ATTENDANCE = "behaviour_and_attendance", "Behaviour and attendance"
    CURRICULUM = "curriculum", "Curriculum"


class ExpertRole(models.TextChoices):
    TRUST_STAFF = "trust_staff", "Trust staff"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
    STRATEGIC_HEAD = "strategic_head", "Strategic headteacher"
    ASSOCIATE_HEAD = "associate_head", "Associate headteacher"
    SLE = "sle", "Specialist leader of education (SLE)"
    NLE = "nle", "National leader of education (NLE)"
    LLE = "lle", "Local leader of education (LLE)"
    EXTERNAL = "external", "External provider"


class Expert(BaseModel):
    """A person on the trust's expertise register; they may or may not have an account."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="experts")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=30, choices=ExpertRole.choices)
    home_school = models.ForeignKey(
        "schools.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experts",
        help_text="None for central and external people.",
    )
    organisation = models.CharField(max_length=200, blank=True, help_text="For external providers.")
    areas = models.JSONField(default=list, help_text="Codes from ExpertiseArea.")
    days_per_term = models.DecimalField(max_digits=5, decimal_places=1, default=0)
    is_active = models.BooleanField(default=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeliveryModel(models.TextChoices):
    IN_SCHOOL = "in_school", "In-school"
    SCHOOL_TO_SCHOOL = "school_to_school", "School-to-school"
    DIRECT_TRUST = "direct_trust", "Direct trust"
    EXTERNAL = "external", "External"


class InterventionStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    COMMISSIONED = "commissioned", "Commissioned"
    ACTIVE = "active", "Active"
    IMPACT_REVIEW = "impact_review", "Impact review"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Intervention(BaseModel):
    """Time-limited support for one school's area of need (seed 004 steps 2-3)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="interventions")
    title = models.CharField(max_length=200)
    area_of_need = models.CharField(max_length=40, choices=ExpertiseArea.choices)
    description = models.TextField(blank=True)
    delivery_model = models.CharField(max_length=30, choices=DeliveryModel.choices)
    providing_school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="interventions_provided"
    )
    provider_name = models.CharField(max_length=200, blank=True, help_text="External provider.")
    cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    success_criteria = models.TextField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    days = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    budget = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(max_length=20, choices=InterventionStatus.choices, default=InterventionStatus.PROPOSED)
    cancelled_reason = models.TextField(blank=True)
    commissioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    support_request = models.ForeignKey(
        "interventions.SupportRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="interventions"
    )
    # Impact, judged at close on the four dimensions of seed 004's accountability step.
    impact_practice = models.TextField(blank=True)
    impact_systems = models.TextField(blank=True)
    impact_organisation = models.TextField(blank=True)
    impact_outcomes = models.TextField(blank=True)
    impact_evidence = models.ManyToManyField("reviews.Evidence", blank=True, related_name="interventions")
    closed_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-starts_on", "title"]
        indexes = [
            # interventions_visible_to filtered by status, and status_counts: the interventions page and API
            # (interventions/selectors/interventions.py).
            models.Index(fields=["school", "status"], name="intervention_school_status"),
            # interventions_ending_soon: the interventions page's "ending soon"
            # (interventions/selectors/interventions.py). Not led by the school: at national scale PostgreSQL
            # reaches a trust's interventions through its schools instead (docs/performance.md, "Indexes and
            # query plans").
            models.Index(fields=["status", "ends_on"], name="intervention_status_end"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.school})"


class InterventionLead(models.Model):
    """A person from the register leading an intervention, with the days they commit to it."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="leads")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    days = models.DecimalField(max_digits=5, decimal_places=1, default=0)

    objects = ScopedManager(trust="intervention__school__trust")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intervention", "expert"], name="one_lead_row_per_expert")]

    def __str__(self) -> str:
        return f"{self.expert} on {self.intervention}"


class InterventionTarget(models.Model):
    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="targets")
    description = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(trust="intervention__school__trust")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description[:60]


class InterventionTransition(models.Model):
    """Who moved an intervention from one status to another, and when."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=InterventionStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=InterventionStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    objects = ScopedManager(trust="intervention__school__trust")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class Checkpoint(BaseModel):
    """A review checkpoint of an intervention; progress is recorded against each target."""

    intervention = models.ForeignKey(Intervention, on_delete=models.CASCADE, related_name="checkpoints")
    due_on = models.DateField()
    title = models.CharField(max_length=200, blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True)
    evidence = models.ManyToManyField("reviews.Evidence", blank=True, related_name="checkpoints")

    objects = ScopedManager(trust="intervention__school__trust")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # overdue_checkpoints: the interventions page's overdue checkpoints
            # (interventions/selectors/interventions.py). Not led by the intervention: at national scale PostgreSQL
            # reaches them through the trust's interventions instead (docs/performance.md, "Indexes and query
            # plans").
            models.Index(fields=["due_on", "recorded_at"], name="checkpoint_due"),
        ]

    def __str__(self) -> str:
        return f"Checkpoint {self.due_on:%d %b %Y} of {self.intervention}"


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    SOME = "some", "Some progress"
    GOOD = "good", "Good progress"
    MET = "met", "Target met"


class CheckpointProgress(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="progress")
    target = models.ForeignKey(InterventionTarget, on_delete=models.CASCADE, related_name="progress")
    progress = models.CharField(max_length=20, choices=Progress.choices)
    note = models.TextField(blank=True)

    objects = ScopedManager(trust="checkpoint__intervention__school__trust")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["checkpoint", "target"], name="one_progress_per_target")]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_progress_display()}"


class Urgency(models.TextChoices):
    LOW = "low", "Low: within the term"
    MEDIUM = "medium", "Medium: within the half-term"
    HIGH = "high", "High: as soon as possible"


class SupportRequestStatus(models.TextChoices):
    OPEN = "open", "Waiting for the trust"
    ACCEPTED = "accepted", "Accepted into an intervention"
    DECLINED = "declined", "Declined"


class SupportRequest(BaseModel):
    """A headteacher's request for additional support (seed 000), triaged by the trust."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="support_requests")
    area = models.CharField(max_length=40, choices=ExpertiseArea.choices)
    need = models.TextField(help_text="What is needed, and why now.")
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.MEDIUM)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=20, choices=SupportRequestStatus.choices, default=SupportRequestStatus.OPEN)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Request from {self.school}: {self.get_area_display()}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AGREED = "agreed", "Agreed with the trust"


class ImprovementPlan(BaseModel):
    """A school's improvement plan for one academic year."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="improvement_plans")
    academic_year = models.PositiveSmallIntegerField()
    summary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="school__trust")

    class Meta:
        ordering = ["-academic_year"]
        constraints = [models.UniqueConstraint(fields=["school", "academic_year"], name="one_plan_per_school_year")]

    def __str__(self) -> str:
        return f"Improvement plan of {self.school}, {self.academic_year}"


class PlanPriority(BaseModel):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="priorities")
    title = models.CharField(max_length=300)
    area = models.ForeignKey(
        "reviews.JudgementArea", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=200, blank=True, help_text="e.g. 'Review of 3 Mar 2026' or a checklist.")
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(trust="plan__school__trust")

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


class PlanAction(BaseModel):
    priority = models.ForeignKey(PlanPriority, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField()
    owner = models.CharField(max_length=200)
    due_on = models.DateField()
    success_criteria = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    completed_on = models.DateField(null=True, blank=True)

    objects = ScopedManager(trust="priority__plan__school__trust")

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            # trust_plan_health: a trust's overdue and off-track plan actions (interventions/selectors/plans.py). Not
            # led by the plan: at national scale PostgreSQL reaches them through the trust's plans instead
            # (docs/performance.md, "Indexes and query plans").
            models.Index(fields=["status", "due_on"], name="planaction_status_due"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class PlanUpdate(BaseModel):
    """A progress update by the school, or a comment by the trust's improvement lead."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    is_trust_comment = models.BooleanField(default=False)
    term = models.CharField(max_length=20, blank=True, help_text="Autumn, Spring or Summer.")
    body = models.TextField()

    objects = ScopedManager(trust="plan__school__trust")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Update on {self.plan}"


class ActivityType(models.TextChoices):
    # Visits planned from a school's level (seed 003's calendar; seed 000's universal offer).
    HEALTH_CHECK = "health_check", "Health-check visit"
    MONITORING_VISIT = "monitoring_visit", "Monitoring visit"
    EVALUATION_MEETING = "evaluation_meeting", "Evaluation meeting and visit"
    WEEKLY_MONITORING = "weekly_monitoring", "Weekly monitoring visit"
    ANNUAL_REVIEW = "annual_review", "Annual review"
    # Trust-wide events (seed 003's calendar).
    HT_PERFORMANCE_MANAGEMENT = "ht_performance_management", "Headteacher performance management"
    HT_PM_REVIEW = "ht_pm_review", "Headteacher performance management review"
    MODERATION = "moderation", "Moderation"
    PLAN_AGREED = "plan_agreed", "Improvement plan agreed"
    PLAN_REVIEWED = "plan_reviewed", "Improvement plan reviewed and written"
    MIDDLE_LEADERS_SYMPOSIUM = "middle_leaders_symposium", "Middle leaders' symposium"
    REPORT_TO_DIRECTORS = "report_to_directors", "Report to directors"
    EVALUATION_OF_IMPACT = "evaluation_of_impact", "Evaluation of impact"
    HEADTEACHERS_NETWORK = "headteachers_network", "Headteachers' network meeting"
    OTHER = "other", "Other"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Missed"


class ActivitySource(models.TextChoices):
    LEVEL = "level", "Planned from the school's level"
    TRUST_EVENT = "trust_event", "Trust calendar"
    MANUAL = "manual", "Added by hand"


class Activity(BaseModel):
    """A visit to a school or a trust-wide event on the calendar; visits are planned from the school's level."""

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="activities")
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        help_text="Empty for a trust-wide event.",
    )
    activity_type = models.CharField(max_length=40, choices=ActivityType.choices)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    planned_on = models.DateField()
    status = models.CharField(max_length=20, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    source = models.CharField(max_length=20, choices=ActivitySource.choices, default=ActivitySource.MANUAL)
    level = models.ForeignKey(
        "trust.SupportLevel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The level a planned visit came from.",
    )
    cancelled_reason = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    notes_shared_with_school = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    evidence = models.ManyToManyField("reviews.Evidence", blank=True, related_name="visits")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [
            # activity_list: the calendar month and week, the visits API; the dashboard's visits this term
            # (reporting/selectors/metrics.py _visits); the weekly digest and visit reminders: a trust's activities
            # between two dates (interventions/selectors/visits.py, interventions/reminders.py).
            models.Index(fields=["trust", "planned_on"], name="activity_trust_date"),
            # activity_list for a person ("my visits", a specialist's calendar) and their calendar feed: an owner's
            # activities by date (interventions/selectors/visits.py, trust/calendar/feeds.py).
            models.Index(fields=["owner", "planned_on"], name="activity_owner_date"),
            # visits_replan: a school's planned visits from today (interventions/services/planning.py).
            models.Index(fields=["school", "status", "planned_on"], name="activity_school_status"),
        ]

    def __str__(self) -> str:
        return f"{self.title} on {self.planned_on:%d %b %Y}"


class ReminderSent(models.Model):
    """One reminder email, recorded so a job that runs twice sends it once.

    `key` names the reminder exactly, e.g. "weekly:2026-W48:<user uuid>" or "before-visit:<activity uuid>".
    """

    trust = models.ForeignKey("trust.Trust", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(trust="trust")

    def __str__(self) -> str:
        return self.key

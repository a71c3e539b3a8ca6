import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_scopes import ScopedManager

from core.models import BaseModel


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; email is the sign-in. Roles live on Membership, one per trust."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Operator: may use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()


class Trust(BaseModel):
    """The tenant: a multi-academy trust. Every other record belongs to exactly one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    evidence_stale_months = models.PositiveSmallIntegerField(
        default=12, help_text="Evidence older than this is flagged as stale wherever it is cited."
    )
    # Executives, improvement leads and trustees always need two-factor sign-in; this extends it to every role.
    require_two_factor_for_everyone = models.BooleanField(
        default=False, help_text="Ask every member, not only the trust's leaders, for a second step at sign-in."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    EXECUTIVE = "executive", "Executive"
    IMPROVEMENT_LEAD = "improvement_lead", "Improvement lead"
    HEADTEACHER = "headteacher", "Headteacher"
    SPECIALIST = "specialist", "Specialist"
    TRUSTEE = "trustee", "Trustee"
    GOVERNOR = "governor", "Governor"


SCHOOL_ROLES = frozenset({Role.HEADTEACHER, Role.GOVERNOR})


class Membership(BaseModel):
    """A person's role in one trust; school-level roles name their school."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "trust"], name="one_membership_per_user_and_trust"),
            models.CheckConstraint(
                condition=(Q(role__in=sorted(SCHOOL_ROLES)) & Q(school__isnull=False))
                | (~Q(role__in=sorted(SCHOOL_ROLES)) & Q(school__isnull=True)),
                name="school_set_exactly_for_school_roles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} at {self.trust}"

    @property
    def is_school_level(self) -> bool:
        return self.role in SCHOOL_ROLES


class Invitation(BaseModel):
    """A single-use, expiring offer of a role; only the token's hash is stored."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=32, choices=Role.choices)
    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Posting the invite form twice must not create two live invitations.
            models.UniqueConstraint(
                fields=["trust", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email_and_trust",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.trust}"

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and not self.is_expired


class ApiToken(BaseModel):
    """An API key bound to one person and one trust; stored as a hash, shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SupportScale(BaseModel):
    """The trust's ordered support levels; made from one of the seed templates, then edited."""

    trust = models.OneToOneField(Trust, on_delete=models.CASCADE, related_name="support_scale")
    name = models.CharField(max_length=100)
    template = models.CharField(max_length=40, blank=True, help_text="The template it started from.")

    objects = ScopedManager(trust="trust")

    def __str__(self) -> str:
        return self.name


class SupportLevel(BaseModel):
    """One level of a scale. `position` 1 is the most intensive support (e.g. Red, Stabilise).

    `rules` are the suggestion rules as data: a list of {"indicator", "op", "value"} that,
    when any fires for a school, suggest this level (see reviews.suggestions).
    """

    scale = models.ForeignKey(SupportScale, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    colour = models.CharField(max_length=20, blank=True, help_text="A RAG colour name where the scale has one.")
    description = models.TextField(blank=True)
    key_indicators = models.JSONField(default=list, blank=True)
    support_offer = models.JSONField(default=list, blank=True)
    leadership_qualities = models.JSONField(default=list, blank=True)
    plan_checklist = models.JSONField(default=dict, blank=True, help_text="Strategic-plan items by domain.")
    visit_cadence = models.CharField(max_length=100, blank=True)
    monitoring_cadence = models.CharField(max_length=100, blank=True)
    reporting_cadence = models.CharField(max_length=100, blank=True)
    activities = models.JSONField(default=list, blank=True, help_text="Calendar activities this level entitles.")
    expected_duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    rules = models.JSONField(default=list, blank=True)

    objects = ScopedManager(trust="scale__trust")

    class Meta:
        ordering = ["scale", "position"]
        constraints = [models.UniqueConstraint(fields=["scale", "position"], name="one_level_per_position")]

    def __str__(self) -> str:
        return self.name


class AcademicYear(BaseModel):
    """The trust's academic year (start year 2026 = 2026/27): three terms of two half-terms each."""

    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="academic_years")
    start_year = models.PositiveSmallIntegerField()

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-start_year"]
        constraints = [models.UniqueConstraint(fields=["trust", "start_year"], name="one_year_per_trust")]

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


class HalfTerm(BaseModel):
    """One of the six half-terms: 1-2 Autumn, 3-4 Spring, 5-6 Summer; teaching days between the dates."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="half_terms")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()

    objects = ScopedManager(trust="academic_year__trust")

    class Meta:
        ordering = ["academic_year", "number"]
        constraints = [models.UniqueConstraint(fields=["academic_year", "number"], name="one_half_term_per_number")]

    def __str__(self) -> str:
        return f"{self.term} {2 - self.number % 2} {self.academic_year}"

    @property
    def term(self) -> str:
        return ("Autumn", "Spring", "Summer")[(self.number - 1) // 2]


class CalendarFeed(BaseModel):
    """A person's private iCalendar feed for one trust; the token is stored hashed and can be revoked."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    trust = models.ForeignKey(Trust, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(trust="trust")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} in {self.trust}"

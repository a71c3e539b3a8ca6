"""Settings shared by every environment; each value comes from the environment."""

import datetime
import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="insecure-dev-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "core",
    "trust",
    "schools",
    "reviews",
    "interventions",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.RefuseNulInQueryMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "trust.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "trust.middleware.TrustScopeMiddleware",
    "trust.middleware.TwoFactorMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trust.context_processors.acting_as",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# Connections are kept a minute (a new one costs ~9 ms on PostgreSQL) and checked before reuse, so a
# restarted PostgreSQL costs each process one failed check, not a restart. Celery's Django fixup
# closes unusable or too-old connections before and after every task.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "trust.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "trust-picker"
LOGOUT_REDIRECT_URL = "login"
# Axes first: it refuses a locked-out account before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions live in the database so a cache or Redis outage never signs people out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# 30 minutes idle: a signed-in request pushes the expiry on, at most once a minute, and the 12-hour
# absolute limit is kept, both by `trust.middleware.SessionLifetimeMiddleware` (SESSION_MAX_AGE_HOURS).
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_MAX_AGE_HOURS = 12
# Changing roles or removing people asks for the password again if it was last given longer ago.
PASSWORD_CONFIRM_MINUTES = 10

# Sign-in throttling (django-axes): 5 failures for one account from one address lock that pair
# for 30 minutes; an executive can unlock their own members sooner (Sign-in security page).
AXES_ENABLED = True
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_RESET_ON_SUCCESS = True
# The sign-in form's field is "username" (holding the email); the callable lower-cases it.
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "trust.mfa.sign_in_username"
AXES_LOCKOUT_CALLABLE = "trust.views_security.locked_out"
# The address is REMOTE_ADDR, which the production proxy sets to the client's (as core.audit reads it).

# Two-factor sign-in (django-otp): the issuer is the name authenticator apps show.
OTP_TOTP_ISSUER = "Trustwide"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads are private: never under STATIC_ROOT and never served by URL.
MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Trustwide <no-reply@trustwide.example>")
# The mail server, when EMAIL_BACKEND is django.core.mail.backends.smtp.EmailBackend.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = 10  # seconds: a slow mail server must not hold a worker for ever

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "trust.authentication.TrustTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Trustwide API",
    "DESCRIPTION": (
        "School improvement across a multi-academy trust. Trust-scoped endpoints live under /api/v1/t/<trust-slug>/."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents its error answers (400/401/403/404) in the {"message", "extra"} shape.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.postprocess_error_responses"],
    # Several models share field names such as `status`: give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "InterventionStatusEnum": "interventions.models.InterventionStatus",
        "SupportRequestStatusEnum": "interventions.models.SupportRequestStatus",
        "ExpertiseAreaEnum": "interventions.models.ExpertiseArea",
        "ActionStatusEnum": "interventions.models.ActionStatus",
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# Jobs never lost (core/jobs.py): a message is acknowledged only once its job has run, and put back
# if the worker process running it dies; a job row's conditional claim makes a second delivery a no-op.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A job that finishes while the broker blinks still records its result on its row (the redelivered
# message then does nothing): cancelling it would only throw the work away and leave the row running.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# A worker started while Redis is down waits for it rather than exiting.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A 120-school board pack peaks near 300 MB in the pool process (its parts are laid out in separate
# processes, reporting/boardpack_render.py): recycle a worker process that has grown past 1 GB.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 1_000_000  # KiB
# Board packs (minutes of WeasyPrint each) have their own queue, so a night of packs before a board
# meeting never holds up the reminders and imports on the default "celery" queue. Workers must
# consume both: `celery -A config worker -Q celery,board_packs` (docs/deploy.md).
CELERY_TASK_ROUTES = {"reporting.build_board_pack": {"queue": "board_packs"}}
# A long board pack is laid out in parts by this many processes at once (reporting/boardpack_render.py),
# started by the worker process building it; by default one per CPU this process may run on.
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
BOARD_PACK_RENDER_PROCESSES = env.int("BOARD_PACK_RENDER_PROCESSES", default=0) or _CPUS
# A web request must never hang on a broker that is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# An unacknowledged message goes back to the queue after visibility_timeout: longer than the longest
# job (imports, 31 minutes), or a job still running would be delivered again (harmless, but wasted).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
    "visibility_timeout": 3600,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2

INVITATION_VALID_DAYS = 7
DEMO_PASSWORD_DEFAULT = "trustwide-demo-2026"  # noqa: S105 -- the demo's published sign-in, not a secret

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Content Security Policy and other response headers, in every environment (so browser tests see them).
from .security_headers import *  # noqa: E402

# The dashboard's figures are kept in each process's memory until the trust's data changes
# (reporting.selectors.cached); 0 builds them on every request.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=3600)
# ...and rebuilt at most this often when colleagues change things (the person who changed it sees it at once).
DASHBOARD_STALE_SECONDS = env.int("DASHBOARD_STALE_SECONDS", default=60)

# Retention (docs/data-protection.md): days to keep each record type before the daily sweep deletes it
# with its files. Unset (None) keeps the records for ever, the default: retention is off unless chosen.
RETENTION_DAYS: dict[str, int | None] = {
    "evidence": env.int("RETENTION_EVIDENCE_DAYS", default=None),
    "visits": env.int("RETENTION_VISITS_DAYS", default=None),
    "board_packs": env.int("RETENTION_BOARD_PACKS_DAYS", default=None),
    "imports": env.int("RETENTION_IMPORTS_DAYS", default=None),
    "audit": env.int("RETENTION_AUDIT_DAYS", default=None),
}

"""The test suite: fast hashing, local memory email, N+1 queries fail the test, everything else from the environment."""

import os

from .base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One folder per pytest-xdist worker (gw0, gw1...; "main" without xdist), so parallel test processes
# never read, overwrite or clean up each other's files. Processes a test starts inherit the variable.
MEDIA_ROOT = BASE_DIR / ".test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")
ALLOWED_HOSTS = ["*"]

# django-zeal: a query repeated per row (a relation loaded, or a .get() run, again from the same
# line) raises NPlusOneError, so a page, task, service or command that queries per row fails its test.
# Its middleware comes first so that each request is judged on its own, whole; tests/nplusone.py
# judges each task, and each call a test body makes, the same way.
INSTALLED_APPS = [*INSTALLED_APPS, "zeal"]
MIDDLEWARE = ["zeal.middleware.zeal_middleware", *MIDDLEWARE]
ZEAL_RAISE = True
# zeal's default: the second identical query is one too many (the test trusts have two schools each).
ZEAL_NPLUSONE_THRESHOLD = 2

# Test data is written by factories, which leave no audit entry to move the dashboard's change clock;
# tests/reporting/test_dashboard_cache.py turns the cache on where it is the subject.
DASHBOARD_CACHE_SECONDS = 0

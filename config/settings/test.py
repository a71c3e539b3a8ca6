"""The test suite: fast hashing, local memory email, everything else from the environment."""

from .base import *

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / ".test-media"
ALLOWED_HOSTS = ["*"]

# Test data is written by factories, which leave no audit entry to move the dashboard's change clock;
# tests/reporting/test_dashboard_cache.py turns the cache on where it is the subject.
DASHBOARD_CACHE_SECONDS = 0

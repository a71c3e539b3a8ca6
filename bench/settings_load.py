"""Settings for the load test (bench/load.py): production's, served over plain HTTP on 127.0.0.1.

Everything production sets (DEBUG off, CONN_MAX_AGE, secure headers, whitenoise, database sessions)
except what a local plain-HTTP run cannot have: no redirect to HTTPS, a fixed throwaway secret key
(the load test prepares its sessions with it before gunicorn starts), the local host allowed, and
static files served by whitenoise from the source directories (no collectstatic manifest needed).
"""

import os

os.environ.setdefault("SECRET_KEY", "bench-load-test-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("CONN_MAX_AGE", "60")

from config.settings.production import *  # noqa: E402, F403 -- production's settings, then the local changes below
from config.settings.production import STORAGES  # noqa: E402 -- after the environment above is set

STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None  # nothing collected: whitenoise serves from the finders and need not look for the directory
# No broker in the load test: nothing it does enqueues a job (visits recorded, plan actions changed).
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True

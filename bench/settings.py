"""Settings for the in-process benchmarks (bench/pages.py, the board pack step): the app's own settings
with DEBUG off, persistent connections, eager Celery and the bench urlconf (which adds the floor page).

The database comes from DATABASE_URL as usual; bench/run.py points it at the national database.
"""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403 -- settings extend the base by star import, as config/settings/ do
from config.settings.base import DATABASES, env

DEBUG = False
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# As in production: one connection per process, kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = 60
# No broker: a board pack requested in the measuring process is built there, so its time and memory are seen.
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Board pack files go to a scratch directory, never into the working tree.
MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(Path(tempfile.gettempdir()) / "trustwide-bench-media"))

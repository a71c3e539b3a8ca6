"""The Celery app: eager (in-process) when REDIS_URL is unset, Redis broker when it is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("trustwide")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

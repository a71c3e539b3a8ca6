"""The Celery app: eager (in-process) when REDIS_URL is unset, Redis broker when it is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("trustwide")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic jobs run per trust (every task needs a trust id): trust.beat.TrustScheduler adds one beat
# entry per trust for each job in trust.beat.PER_TRUST_JOBS. `manage.py send_reminders` does the
# same fan-out once, for cron or by hand.
app.conf.beat_scheduler = "trust.beat:TrustScheduler"

"""Celery beat with one schedule entry per trust for each per-trust job.

Every task is a TenantTask that needs a trust id, which a static beat entry cannot name: this
scheduler reads the trusts when it starts and again every few minutes, so a new trust gets its
jobs without a restart. Run beat with `celery -A config beat` (config/celery.py selects it).
"""

import time
from typing import Any

from celery.beat import PersistentScheduler
from celery.schedules import crontab

# job name -> (task name, when). Times are in the app's time zone (Europe/London).
PER_TRUST_JOBS: dict[str, tuple[str, crontab]] = {
    # Hourly through the morning rather than once: a run lost to a broker outage is made up by the
    # next, and each email's ReminderSent key sends it once however often the job runs.
    "weekly-digest": ("interventions.send_weekly_digests", crontab(minute=30, hour="6-11", day_of_week="mon")),
    "visit-reminders": ("interventions.send_visit_reminders", crontab(minute=0, hour="7-12")),
    # Off unless settings.RETENTION_DAYS names a period; at night, when nobody is working.
    "retention-sweep": ("trust.retention_sweep", crontab(minute=15, hour=2)),
    # After the school day: a half-term's last day is then complete.
    "half-term-snapshot": ("reporting.freeze_half_term", crontab(minute=0, hour=19)),
    # Sends the jobs a down broker never got and requeues those whose worker died (core/jobs.py).
    "jobs-sweep": ("trust.jobs_sweep", crontab(minute="*/5")),
}
REFRESH_SECONDS = 300


def per_trust_entries(trust_ids: list[int]) -> dict[str, dict[str, Any]]:
    """The beat entries for these trusts: `<job>:<trust id>` calling the job's task with that trust id."""
    return {
        f"{job}:{trust_id}": {"task": task, "schedule": when, "kwargs": {"trust_id": trust_id}}
        for trust_id in trust_ids
        for job, (task, when) in PER_TRUST_JOBS.items()
    }


class TrustScheduler(PersistentScheduler):
    _refreshed_at = 0.0

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if time.monotonic() - self._refreshed_at > REFRESH_SECONDS:
            self.refresh_trust_entries()
        return super().tick(*args, **kwargs)

    def refresh_trust_entries(self) -> None:
        from trust.models import Trust

        entries = per_trust_entries(list(Trust.objects.order_by("pk").values_list("pk", flat=True)))
        for name in [n for n in self.schedule if n.split(":")[0] in PER_TRUST_JOBS and n not in entries]:
            del self.schedule[name]  # the trust has gone
        self.update_from_dict(entries)
        self._refreshed_at = time.monotonic()

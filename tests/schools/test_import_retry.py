"""Retrying a failed import: from its stored files, once, by an executive of its own trust only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from kombu.exceptions import OperationalError as BrokerUnavailable

from core.models import AuditEntry
from schools.models import ImportRun, ImportStatus, School
from schools.services.imports import import_run_confirm, import_run_create, import_run_retry
from schools.tasks import import_run_task
from tests.schools.test_import_api import api, imports_url
from tests.schools.test_import_gias import GROUP_LINKS, LINKS, PRIMARY_2022, SURREY_2021
from tests.schools.test_import_views import upload
from trust.tasks import jobs_sweep

pytestmark = pytest.mark.django_db

GROUP = "3805"  # LUMEN LEARNING TRUST: five schools in these files


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def previewed_run(world) -> ImportRun:
    with scope(trust=world.trust.pk):
        return import_run_create(
            trust=world.trust,
            actor=world.people["executive"],
            kind="gias",
            uploaded_files=upload(GROUP_LINKS, PRIMARY_2022, SURREY_2021, LINKS),
            options={"group_uid": GROUP},
        )


def failed_run(world, django_capture_on_commit_callbacks) -> ImportRun:
    """A confirmed run whose worker died at every attempt, failed by the sweeper as in production."""
    run = previewed_run(world)
    with scope(trust=world.trust.pk):
        with django_capture_on_commit_callbacks(execute=False):  # the message is lost with the worker
            import_run_confirm(run=run, actor=world.people["executive"])
        long_ago = timezone.now() - datetime.timedelta(hours=2)
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, started_at=long_ago, attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        jobs_sweep.delay(trust_id=world.trust.pk).get()
    return fresh(world, run)


def fresh(world, run: ImportRun) -> ImportRun:
    with scope(trust=world.trust.pk):
        return ImportRun.objects.get(pk=run.pk)


def lumen_schools(world) -> int:
    with scope(trust=world.trust.pk):
        return School.objects.filter(trust=world.trust, gias_group_uid=GROUP).count()


def retried_entries(world) -> int:
    with scope(trust=world.trust.pk):
        return AuditEntry.objects.filter(trust=world.trust, action="import.retried").count()


def page(name: str, world, run: ImportRun) -> str:
    return reverse(name, kwargs={"trust_slug": world.trust.slug, "import_run_uuid": run.uuid})


def test_a_failed_import_is_retried_from_its_page_and_completes(trust_a, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.FAILED and "interrupted 3 times" in run.error
    assert lumen_schools(trust_a) == 0
    client = trust_a.client_for("executive")
    shown = client.get(page("import-detail", trust_a, run)).content.decode()
    assert "Retry this import" in shown and f'action="{page("import-retry", trust_a, run)}"' in shown
    assert "csrfmiddlewaretoken" in shown

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page("import-retry", trust_a, run), follow=True)
    assert response.redirect_chain == [(page("import-detail", trust_a, run), 302)]
    assert "The import is running again." in response.content.decode()
    run = fresh(trust_a, run)
    assert run.status == ImportStatus.DONE and run.error == "" and run.attempts == 4
    assert run.report["created"] == 5 and run.rows_done == run.rows_total > 0
    assert lumen_schools(trust_a) == 5
    with scope(trust=trust_a.trust.pk):
        entry = AuditEntry.objects.get(action="import.retried")
    assert entry.actor == trust_a.people["executive"] and entry.changes["attempts"] == 4
    assert "Retry this import" not in client.get(page("import-detail", trust_a, run)).content.decode()


def test_a_failed_import_is_retried_through_the_api(trust_a, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    client = api(trust_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(imports_url(trust_a, str(run.uuid), "retry"))
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "queued" and response.json()["attempts"] == 4
    detail = client.get(imports_url(trust_a, str(run.uuid))).json()
    assert detail["status"] == "done" and detail["error"] == "" and detail["report"]["created"] == 5
    assert lumen_schools(trust_a) == 5


@pytest.mark.parametrize("status", [ImportStatus.DONE, ImportStatus.RUNNING, ImportStatus.PREVIEW])
def test_only_a_failed_import_can_be_retried(trust_a, status):
    run = previewed_run(trust_a)
    with scope(trust=trust_a.trust.pk):
        ImportRun.objects.filter(pk=run.pk).update(status=status, attempts=1)
    before = fresh(trust_a, run)

    response = trust_a.client_for("executive").post(page("import-retry", trust_a, run), follow=True)
    label = ImportStatus(status).label.lower()
    assert f"Only a failed import can be retried; this one is {label}." in response.content.decode()
    refused = api(trust_a).post(imports_url(trust_a, str(run.uuid), "retry"))
    assert refused.status_code == 400 and refused.json()["extra"] == {"status": status.value}
    after = fresh(trust_a, run)
    assert (after.status, after.attempts, after.updated_at) == (before.status, before.attempts, before.updated_at)
    assert retried_entries(trust_a) == 0


def test_an_import_whose_files_are_gone_cannot_be_retried(trust_a, private_media, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    with scope(trust=trust_a.trust.pk):
        first = run.files.first()
        first.file.storage.delete(first.file.name)

    response = api(trust_a).post(imports_url(trust_a, str(run.uuid), "retry"))
    assert response.status_code == 400
    assert response.json()["message"].startswith("This import's files are no longer stored")
    assert response.json()["extra"] == {"missing": [first.original_name]}
    assert fresh(trust_a, run).status == ImportStatus.FAILED and retried_entries(trust_a) == 0


def test_a_retry_waits_while_another_import_of_the_trust_runs(trust_a, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    other = previewed_run(trust_a)
    with scope(trust=trust_a.trust.pk):
        ImportRun.objects.filter(pk=other.pk).update(status=ImportStatus.RUNNING)
        with pytest.raises(Exception, match="Another import for this trust is still running"):
            import_run_retry(run=run, actor=trust_a.people["executive"])
    assert fresh(trust_a, run).status == ImportStatus.FAILED


def test_retry_pressed_twice_retries_once(trust_a, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    client = trust_a.client_for("executive")
    # No worker picks the job up between the two presses: the run is still queued at the second.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        client.post(page("import-retry", trust_a, run))
        second = client.post(page("import-retry", trust_a, run), follow=True)
    assert "Only a failed import can be retried; this one is queued." in second.content.decode()
    assert len(sent) == 1 and retried_entries(trust_a) == 1
    assert fresh(trust_a, run).attempts == 4


# Committed for real, as in production: the page can only tell the message was not sent once the
# retry's transaction has committed and tried to send it.
@pytest.mark.django_db(transaction=True)
def test_a_retry_while_the_broker_is_down_says_it_will_start_later_and_the_sweeper_sends_it(
    trust_a, django_capture_on_commit_callbacks, monkeypatch
):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)

    def refuse(self, args=None, kwargs=None, **options):
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as down:
        down.setattr(type(import_run_task._get_current_object()), "apply_async", refuse)
        response = trust_a.client_for("executive").post(page("import-retry", trust_a, run), follow=True)
    shown = response.content.decode()
    assert "The import is queued and will start when the background service resumes." in shown
    assert "Queued: the import will start when the background service resumes." in shown
    run = fresh(trust_a, run)
    assert run.status == ImportStatus.QUEUED and run.enqueued_at is None

    with django_capture_on_commit_callbacks(execute=True):
        jobs_sweep.delay(trust_id=trust_a.trust.pk).get()
    assert fresh(trust_a, run).status == ImportStatus.DONE and lumen_schools(trust_a) == 5


@pytest.mark.parametrize("role", ["improvement_lead", "headteacher", "specialist", "trustee", "governor"])
def test_only_an_executive_may_retry_an_import(trust_a, role, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    assert trust_a.client_for(role).post(page("import-retry", trust_a, run)).status_code == 403
    assert api(trust_a, role).post(imports_url(trust_a, str(run.uuid), "retry")).status_code == 403
    assert fresh(trust_a, run).status == ImportStatus.FAILED and retried_entries(trust_a) == 0


def test_another_trusts_import_is_not_found(trust_a, trust_b, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    other = trust_b.client_for("executive")
    # Trust B's executive, on trust B's own address with trust A's run, and on trust A's address.
    on_own = reverse("import-retry", kwargs={"trust_slug": trust_b.trust.slug, "import_run_uuid": run.uuid})
    assert other.post(on_own).status_code == 404
    assert other.post(page("import-retry", trust_a, run)).status_code == 404
    assert api(trust_b).post(imports_url(trust_b, str(run.uuid), "retry")).status_code == 404
    assert fresh(trust_a, run).status == ImportStatus.FAILED and retried_entries(trust_a) == 0


def test_the_retry_button_is_a_post_form_and_the_address_refuses_get(trust_a, django_capture_on_commit_callbacks):
    run = failed_run(trust_a, django_capture_on_commit_callbacks)
    client = trust_a.client_for("executive")
    assert client.get(page("import-retry", trust_a, run)).status_code == 405
    shown = client.get(page("import-detail", trust_a, run)).content.decode()
    assert '<form method="post" action="' + page("import-retry", trust_a, run) in shown
    assert "<script>" not in shown and "onclick" not in shown

"""Snapshots freeze the dashboard: on demand by an executive, and once at the end of each half-term."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from openpyxl import load_workbook

from core.exceptions import ApplicationError
from reporting.models import Snapshot, SnapshotKind
from reporting.services.snapshots import half_term_end_snapshot_take, snapshot_take

D = datetime.date


def _snapshots(world):
    with scope(trust=world.trust.pk):
        return list(Snapshot.objects.filter(trust=world.trust))


@pytest.mark.django_db
def test_an_executive_takes_a_snapshot_and_reads_it_back(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(reverse("snapshot-take", args=[trust_a.trust.slug]))
    [snapshot] = _snapshots(trust_a)
    assert response.status_code == 302 and response.url.endswith(f"/snapshots/{snapshot.uuid}/")
    assert snapshot.taken_by == trust_a.people["executive"] and snapshot.kind == SnapshotKind.ON_DEMAND
    assert [row["name"] for row in snapshot.metrics["schools"]] == [s.name for s in trust_a.schools]

    page = trust_a.client_for("trustee").get(response.url).content.decode()
    assert trust_a.schools[0].name in page and "never change" in page
    listing = trust_a.client_for("trustee").get(reverse("snapshot-list", args=[trust_a.trust.slug])).content.decode()
    assert snapshot.metrics["half_term_label"] in listing


@pytest.mark.django_db
def test_taking_a_snapshot_twice_in_a_row_keeps_one(trust_a):
    client = trust_a.client_for("executive")
    client.post(reverse("snapshot-take", args=[trust_a.trust.slug]))
    client.post(reverse("snapshot-take", args=[trust_a.trust.slug]))
    assert len(_snapshots(trust_a)) == 1


@pytest.mark.django_db
def test_a_snapshot_cannot_be_changed(trust_a):
    with scope(trust=trust_a.trust.pk):
        snapshot = snapshot_take(trust=trust_a.trust, actor=None, today=timezone.localdate())
        snapshot.metrics = {}
        with pytest.raises(ApplicationError):
            snapshot.save()
        with pytest.raises(ApplicationError):
            Snapshot.objects.filter(pk=snapshot.pk).update(metrics={})
        assert Snapshot.objects.get(pk=snapshot.pk).metrics["schools"]


@pytest.mark.django_db
def test_the_half_term_end_job_freezes_each_half_term_once(trust_a):
    with scope(trust=trust_a.trust.pk):
        # Autumn 1 2026 ends on Friday 23 October.
        assert half_term_end_snapshot_take(trust=trust_a.trust, today=D(2026, 10, 22)) is None
        first = half_term_end_snapshot_take(trust=trust_a.trust, today=D(2026, 10, 23))
        assert (first.academic_year, first.half_term, first.as_of) == (2026, 1, D(2026, 10, 23))
        assert first.metrics["half_term_label"] == "Autumn 1 2026/27"
        assert half_term_end_snapshot_take(trust=trust_a.trust, today=D(2026, 10, 24)) is None
        assert Snapshot.objects.filter(kind=SnapshotKind.HALF_TERM_END).count() == 1


@pytest.mark.django_db
def test_a_missed_evening_is_caught_up_but_a_new_trust_gets_no_back_dated_snapshot(trust_a):
    with scope(trust=trust_a.trust.pk):
        caught_up = half_term_end_snapshot_take(trust=trust_a.trust, today=D(2026, 10, 28))
        assert (caught_up.half_term, caught_up.as_of) == (1, D(2026, 10, 23))
        assert half_term_end_snapshot_take(trust=trust_a.trust, today=D(2026, 9, 30)) is None


@pytest.mark.django_db
def test_the_snapshot_list_and_a_snapshot_export_to_csv_and_xlsx(trust_a):
    with scope(trust=trust_a.trust.pk):
        snapshot = snapshot_take(trust=trust_a.trust, actor=None, today=timezone.localdate())
    client = trust_a.client_for("trustee")
    detail = reverse("snapshot-detail", args=[trust_a.trust.slug, snapshot.uuid])
    csv_text = b"".join(client.get(detail + "?format=csv").streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("School,URN,Level")
    assert trust_a.schools[1].name in csv_text
    xlsx = client.get(reverse("snapshot-list", args=[trust_a.trust.slug]) + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:2] == ["Half-term", "Figures as of"] and sheet.max_row == 2


@pytest.mark.django_db
def test_the_api_lists_reads_and_takes_snapshots(trust_a, trust_b):
    client = trust_a.client_for("executive")
    base = f"/api/v1/t/{trust_a.trust.slug}/snapshots/"
    created = client.post(base)
    assert created.status_code == 201 and created.json()["metrics"]["headline"]["schools"] == 2
    uuid = created.json()["uuid"]
    assert [s["uuid"] for s in trust_a.client_for("trustee").get(base).json()] == [uuid]
    assert client.get(f"{base}{uuid}/").json()["metrics"]["trust"] == trust_a.trust.name
    other = trust_b.client_for("executive")
    assert other.get(f"/api/v1/t/{trust_b.trust.slug}/snapshots/{uuid}/").status_code == 404


@pytest.mark.django_db
def test_the_evening_job_freezes_the_half_term_that_ended_today(trust_a):
    from reporting.tasks import freeze_half_term

    assert freeze_half_term.delay(trust_id=trust_a.trust.pk, today="2026-10-23").get()
    assert freeze_half_term.delay(trust_id=trust_a.trust.pk, today="2026-10-23").get() == ""
    assert [s.half_term for s in _snapshots(trust_a)] == [1]

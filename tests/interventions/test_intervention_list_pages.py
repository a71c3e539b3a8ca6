"""The interventions list shows a page of 50 at a time, keeps its filters across pages, and exports them all."""

import uuid

import pytest
from django_scopes import scope

from interventions.models import Intervention
from tests.interventions.test_interventions import make_intervention

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(trust_a):
    """51 interventions at trust A's first school."""
    first = make_intervention(trust_a, lead_role=None)
    with scope(trust=trust_a.trust.pk):
        copies = []
        for n in range(50):
            copy = Intervention.objects.get(pk=first.pk)
            copy.pk, copy.uuid, copy.title = None, uuid.uuid4(), f"Reading support {n:02d}"
            copies.append(copy)
        Intervention.objects.bulk_create(copies)
    return trust_a


def test_the_list_shows_fifty_interventions_a_page_and_counts_them_all(many):
    client = many.client_for("executive")
    first = client.get("/t/alder/interventions/").content.decode()
    assert "51 interventions" in first
    assert first.count("/interventions/") > 50 and "Page 1 of 2" in first
    second = client.get("/t/alder/interventions/?page=2").content.decode()
    assert "Page 2 of 2" in second and second.count('<th scope="row">') == 1


def test_the_next_page_keeps_the_filters(many):
    page = many.client_for("executive").get("/t/alder/interventions/?status=proposed").content.decode()
    assert "?status=proposed&amp;page=2" in page


def test_the_export_holds_every_intervention_not_one_page(many):
    response = many.client_for("executive").get("/t/alder/interventions/?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert body.count("Reading support") == 50 and body.count("Maths mastery") == 1

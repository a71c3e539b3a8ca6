"""The dashboard API: the live document of the trust's figures, as the page shows it, described in the schema."""

import json

import pytest
from django.test import Client
from django_scopes import scope
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from reporting.selectors.metrics import trust_metrics
from tests.matrix.common import GV, HT, SP, TR, E
from tests.reporting.test_dashboard_pages import trust as trust  # noqa: PLC0414 -- the fixture
from tests.reviews.test_ratings import TODAY
from tests.reviews.test_ratings import world as world  # noqa: PLC0414 -- the fixture `trust` builds on

pytestmark = pytest.mark.django_db
URL = "/api/v1/t/alder/dashboard/"


def test_the_api_returns_the_live_document_exactly_as_the_selector_builds_it(trust):
    response = trust.client_for(TR).get(URL)
    assert response.status_code == 200
    with scope(trust=trust.trust.pk):
        expected = json.loads(json.dumps(trust_metrics(trust.trust, today=TODAY)))
    assert response.json() == expected


def test_the_document_carries_the_headline_and_each_schools_row(trust):
    data = trust.client_for(E).get(URL).json()
    assert data["headline"]["schools"] == 2 and data["headline"]["moved_up"] == 1
    assert data["headline"]["overdue_checkpoints"] == 1
    rows = {row["name"]: row for row in data["schools"]}
    school1, school2 = trust.schools
    assert rows[school1.name]["level"]["name"] == "Stabilise" and rows[school1.name]["overstay"]["expected_months"] == 8
    assert rows[school2.name]["movement"] == "up" and rows[school2.name]["previous_level"]["name"] == "Repair"


@pytest.mark.parametrize("role", [HT, GV, SP])
def test_schools_and_specialists_cannot_read_the_trust_figures(trust, role):
    assert trust.client_for(role).get(URL).status_code == 403


def test_another_trusts_member_finds_nothing(trust, trust_b):
    assert trust_b.client_for(E).get(URL).status_code == 404


def test_an_anonymous_request_is_refused(trust):
    assert Client().get(URL).status_code == 401


def test_the_openapi_schema_describes_the_document_without_warnings(db):
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/t/{trust_slug}/dashboard/"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Metrics"
    }
    document = schema["components"]["schemas"]["Metrics"]["properties"]
    assert {"headline", "levels", "schools", "measures", "interventions_by_model"} <= set(document)
    ours = [m for m in [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] if "reporting/api/dashboard" in m]
    assert ours == []


def test_the_schema_page_lists_the_dashboard_endpoint(db):
    paths = set(Client().get("/api/schema/?format=json").json()["paths"])
    assert "/api/v1/t/{trust_slug}/dashboard/" in paths

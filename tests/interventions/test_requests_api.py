"""The support requests API."""

import pytest
from django_scopes import scopes_disabled

from interventions.models import Intervention, SupportRequest
from tests.interventions.test_interventions import DAY, TODAY, make_intervention

pytestmark = pytest.mark.django_db
API = "/api/v1/t/alder/support-requests/"


def post(client, path, data):
    return client.post(path, data, content_type="application/json")


def ask(world):
    response = post(world.client_for("headteacher"), API, {"area": "maths", "need": "Year 6 reasoning."})
    assert response.status_code == 201, response.json()
    return response.json()


def test_a_headteacher_asks_and_a_double_submit_is_refused(trust_a):
    data = ask(trust_a)
    assert data["status"] == "open" and data["school"]["uuid"] == str(trust_a.schools[0].uuid)
    again = post(trust_a.client_for("headteacher"), API, {"area": "maths", "need": "Year 6 reasoning."})
    assert again.status_code == 400 and "already asked" in again.json()["message"]
    assert post(trust_a.client_for("executive"), API, {"area": "maths", "need": "x"}).status_code == 403


def test_accept_into_a_new_intervention(trust_a):
    data = ask(trust_a)
    response = post(
        trust_a.client_for("executive"),
        f"{API}{data['uuid']}/accept/",
        {
            "title": "Reasoning in Year 6",
            "delivery_model": "in_school",
            "targets": ["Reasoning paper at expected standard"],
            "success_criteria": "75% at expected.",
            "starts_on": str(TODAY),
            "ends_on": str(TODAY + 30 * DAY),
        },
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted" and len(response.json()["interventions"]) == 1
    with scopes_disabled():
        assert Intervention.objects.get().area_of_need == "maths"


def test_accept_by_linking_an_existing_intervention(trust_a):
    data = ask(trust_a)
    intervention = make_intervention(trust_a)
    response = post(
        trust_a.client_for("improvement_lead"), f"{API}{data['uuid']}/accept/", {"intervention": str(intervention.uuid)}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["interventions"] == [str(intervention.uuid)]


def test_decline_needs_a_reason_and_the_headteacher_reads_it(trust_a, trust_b):
    data = ask(trust_a)
    client = trust_a.client_for("executive")
    assert post(client, f"{API}{data['uuid']}/decline/", {"reason": ""}).status_code == 400
    assert post(client, f"{API}{data['uuid']}/decline/", {"reason": "Not this term."}).status_code == 200
    mine = trust_a.client_for("headteacher").get(API).json()["results"]
    assert mine[0]["status"] == "declined" and mine[0]["decline_reason"] == "Not this term."
    assert trust_a.client_for("specialist").get(API).status_code == 403
    assert trust_b.client_for("executive").get(API).status_code == 404
    assert post(trust_b.client_for("executive"), f"{API}{data['uuid']}/decline/", {"reason": "x"}).status_code == 404
    with scopes_disabled():
        assert SupportRequest.objects.get().status == "declined"

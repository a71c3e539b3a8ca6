"""The register and brokering API: the same rules as the pages, in JSON."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from core.academic import term_bounds
from interventions.models import Expert
from tests.interventions import make_expert, make_intervention

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def api(world, tail=""):
    return f"/api/v1/t/{world.trust.slug}/register/{tail}"


def payload(world, **fields):
    data = {
        "name": "Priya Raman",
        "role": "lead_practitioner",
        "areas": ["maths", "upper_ks2"],
        "days_per_term": "6",
        "home_school": str(world.schools[0].uuid),
    }
    data.update(fields)
    return data


def test_an_executive_creates_and_reads_a_person(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(
        api(trust_a), payload(trust_a, user=str(trust_a.people["specialist"].uuid)), content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["home_school"]["uuid"] == str(trust_a.schools[0].uuid)
    assert data["user"]["uuid"] == str(trust_a.people["specialist"].uuid)
    assert data["areas"] == ["upper_ks2", "maths"]
    assert data["days_per_term"] == 6.0
    assert data["this_term"] == {
        "name": term_bounds(TODAY)[0],
        "starts_on": term_bounds(TODAY)[1].isoformat(),
        "ends_on": term_bounds(TODAY)[2].isoformat(),
        "days_committed": 0.0,
        "days_left": 6.0,
    }
    detail = trust_a.client_for("improvement_lead").get(api(trust_a, f"{data['uuid']}/"))
    assert detail.status_code == 200 and detail.json()["name"] == "Priya Raman"


@pytest.mark.parametrize("field", ["home_school", "user"])
def test_another_trusts_school_or_account_reads_as_unknown(trust_a, trust_b, field):
    foreign = {"home_school": trust_b.schools[0].uuid, "user": trust_b.people["specialist"].uuid}[field]
    unknown = "00000000-0000-4000-8000-000000000000"
    client = trust_a.client_for("executive")
    answers = [
        client.post(api(trust_a), payload(trust_a, **{field: str(value)}), content_type="application/json")
        for value in (foreign, unknown)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["extra"]["field"] == field


def test_validation_errors_use_the_shared_shape(trust_a):
    response = trust_a.client_for("executive").post(
        api(trust_a), payload(trust_a, areas=["astrology"], days_per_term="-1"), content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()["extra"]["fields"]) == {"areas", "days_per_term"}


def test_list_filters_and_days_this_term(trust_a):
    _, start, end = term_bounds(TODAY)
    with scope(trust=trust_a.trust.pk):
        maths = make_expert(trust_a.trust, "Maths Person", home_school=trust_a.schools[0])
        make_expert(trust_a.trust, "English Person", role="sle", areas=["english"])
        make_intervention(trust_a.schools[1], starts_on=start, ends_on=end, leads={maths: "2.5"})
    client = trust_a.client_for("improvement_lead")
    everyone = client.get(api(trust_a)).json()
    assert [p["name"] for p in everyone] == ["English Person", "Maths Person"]
    assert everyone[1]["this_term"]["days_committed"] == 2.5
    assert everyone[1]["this_term"]["days_left"] == 7.5
    assert [p["name"] for p in client.get(api(trust_a), {"area": "maths"}).json()] == ["Maths Person"]
    assert [p["name"] for p in client.get(api(trust_a), {"role": "sle"}).json()] == ["English Person"]
    assert client.get(api(trust_a), {"home_school": str(trust_a.schools[1].uuid)}).json() == []
    assert client.get(api(trust_a), {"area": "astrology"}).json() == []


def test_patch_changes_only_what_is_sent_and_deactivates(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Priya Raman", home_school=trust_a.schools[0])
    client = trust_a.client_for("executive")
    response = client.patch(
        api(trust_a, f"{expert.uuid}/"), {"days_per_term": "7.5", "is_active": False}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["days_per_term"] == 7.5 and response.json()["is_active"] is False
    with scope(trust=trust_a.trust.pk):
        expert.refresh_from_db()
    assert expert.home_school == trust_a.schools[0] and expert.areas == ["maths"] and not expert.is_active


def test_improvement_leads_read_but_cannot_write(trust_a):
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Priya Raman")
    client = trust_a.client_for("improvement_lead")
    assert client.post(api(trust_a), payload(trust_a), content_type="application/json").status_code == 403
    assert (
        client.patch(api(trust_a, f"{expert.uuid}/"), {"name": "X"}, content_type="application/json").status_code == 403
    )


def test_another_trusts_person_is_not_found(trust_a, trust_b):
    with scope(trust=trust_b.trust.pk):
        other = make_expert(trust_b.trust, "Birch Person")
    client = trust_a.client_for("executive")
    assert client.get(api(trust_a, f"{other.uuid}/")).status_code == 404
    assert (
        client.patch(api(trust_a, f"{other.uuid}/"), {"name": "X"}, content_type="application/json").status_code == 404
    )
    with scope(trust=trust_b.trust.pk):
        assert Expert.objects.get(pk=other.pk).name == "Birch Person"


def test_brokering_suggestions_with_reasons(trust_a, trust_b):
    with scope(trust=trust_a.trust.pk):
        make_expert(trust_a.trust, "Own Staff", home_school=trust_a.schools[0])
        make_expert(trust_a.trust, "Helper", home_school=trust_a.schools[1], days_per_term=Decimal("2"))
        make_expert(trust_a.trust, "Central", role="trust_staff")
    start = TODAY + datetime.timedelta(days=3)
    params = {
        "school": str(trust_a.schools[0].uuid),
        "area": "maths",
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=20)).isoformat(),
        "days": "3",
    }
    response = trust_a.client_for("improvement_lead").get(api(trust_a, "broker/"), params)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert [(s["rank"], s["expert"]["name"], s["tier"]) for s in data] == [(1, "Helper", 1), (2, "Central", 2)]
    assert data[0]["over_committed"] is True and data[0]["over_by"] == 1.0
    assert "Would be over-committed by 1 day." in data[0]["reasons"]
    # Another trust's school reads as unknown.
    foreign = trust_a.client_for("executive").get(
        api(trust_a, "broker/"), {**params, "school": str(trust_b.schools[0].uuid)}
    )
    assert foreign.status_code == 400 and foreign.json()["extra"]["field"] == "school"
    missing = trust_a.client_for("executive").get(api(trust_a, "broker/"), {"area": "maths"})
    assert missing.status_code == 400

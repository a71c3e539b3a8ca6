"""Support requests: a headteacher asks, the trust accepts into an intervention or declines with a reason."""

import pytest
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from interventions.models import Intervention, SupportRequest
from interventions.services.requests import support_request_decline, support_request_submit
from tests.interventions.test_interventions import DAY, TODAY

pytestmark = pytest.mark.django_db
NEED = "Our Year 2 team is new and needs help with phonics."


def submit(world, *, actor="headteacher", school=0, need=NEED):
    with scope(trust=world.trust.pk):
        return support_request_submit(
            school=world.schools[school], actor=world.people[actor], area="ks1", need=need, urgency="high"
        )


def test_a_headteacher_asks_for_support_and_a_double_submit_makes_one_request(trust_a):
    submit(trust_a)
    with pytest.raises(ApplicationError, match="already asked"):
        submit(trust_a, need=f"  {NEED.upper()} ")
    with scopes_disabled():
        assert SupportRequest.objects.count() == 1


@pytest.mark.parametrize(("actor", "school"), [("headteacher", 1), ("governor", 1), ("executive", 0)])
def test_only_the_schools_headteacher_may_ask(trust_a, actor, school):
    with pytest.raises(ApplicationError, match="Only the school's headteacher"):
        submit(trust_a, actor=actor, school=school)


def test_declining_needs_a_reason_and_the_headteacher_reads_it(trust_a):
    request = submit(trust_a)
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError, match="reason"):
            support_request_decline(support_request=request, actor=trust_a.people["executive"], reason=" ")
        with pytest.raises(ApplicationError, match="Only an executive"):
            support_request_decline(support_request=request, actor=trust_a.people["headteacher"], reason="No.")
        support_request_decline(
            support_request=request, actor=trust_a.people["executive"], reason="The KS1 network covers this."
        )
        with pytest.raises(ApplicationError, match="already been declined"):
            support_request_decline(support_request=request, actor=trust_a.people["executive"], reason="Again.")
    page = trust_a.client_for("headteacher").get("/t/alder/support-requests/").content.decode()
    assert "Declined" in page and "The KS1 network covers this." in page


def test_accepting_opens_the_commission_form_prefilled_and_commissioning_accepts(trust_a):
    request = submit(trust_a)
    client = trust_a.client_for("executive")
    listing = client.get("/t/alder/support-requests/").content.decode()
    assert f"/t/alder/interventions/new/?request={request.uuid}" in listing
    form = client.get(f"/t/alder/interventions/new/?request={request.uuid}").content.decode()
    assert NEED in form and '<option value="ks1" selected>' in form
    response = client.post(
        f"/t/alder/interventions/new/?request={request.uuid}",
        {
            "school": str(trust_a.schools[0].uuid),
            "title": "Phonics for Year 2",
            "area_of_need": "ks1",
            "delivery_model": "in_school",
            "targets": "Phonics screening at 85%",
            "success_criteria": "85% pass.",
            "starts_on": str(TODAY),
            "ends_on": str(TODAY + 40 * DAY),
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        request.refresh_from_db()
        intervention = Intervention.objects.get()
    assert request.status == "accepted" and request.triaged_by == trust_a.people["executive"]
    assert intervention.support_request == request
    head = trust_a.client_for("headteacher").get("/t/alder/support-requests/").content.decode()
    assert "Accepted into an intervention" in head and "Phonics for Year 2" in head


def test_the_request_pages(trust_a, trust_b):
    head = trust_a.client_for("headteacher")
    assert head.get("/t/alder/support-requests/new/").status_code == 200
    response = head.post("/t/alder/support-requests/new/", {"area": "send", "need": "EHCP advice", "urgency": "low"})
    assert response.status_code == 302
    again = head.post("/t/alder/support-requests/new/", {"area": "send", "need": "EHCP advice", "urgency": "low"})
    assert again.status_code == 200 and "already asked" in again.content.decode()
    with scopes_disabled():
        request = SupportRequest.objects.get()
    decline = f"/t/alder/support-requests/{request.uuid}/decline/"
    lead = trust_a.client_for("improvement_lead")
    assert lead.post(decline, {"reason": ""}).status_code == 200
    assert lead.post(decline, {"reason": "Covered by the SEND network."}).status_code == 302
    assert trust_a.client_for("specialist").get("/t/alder/support-requests/").status_code == 403
    assert head.post(decline, {"reason": "x"}).status_code == 403
    assert trust_b.client_for("executive").get(decline).status_code == 404
    # The governor governs school 2: school 1's requests are not theirs.
    assert "EHCP advice" not in trust_a.client_for("governor").get("/t/alder/support-requests/").content.decode()

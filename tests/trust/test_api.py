import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from trust import services
from trust.models import ApiToken, Invitation, Membership, Role

pytestmark = pytest.mark.django_db


def _token(world, role="executive"):
    with scope(trust=world.trust.pk):
        _, raw = services.api_token_create(user=world.people[role], trust=world.trust, name="test")
    return raw


def _api(raw: str) -> Client:
    return Client(headers={"Authorization": f"Token {raw}"})


def test_me_lists_the_trusts_and_roles(trust_a):
    data = trust_a.client_for("headteacher").get("/api/v1/me/").json()
    assert data["email"] == trust_a.people["headteacher"].email
    [membership] = data["memberships"]
    assert membership["trust"]["slug"] == "alder" and membership["role"] == "headteacher"
    assert membership["school"]["urn"] == trust_a.schools[0].urn
    assert membership["allowed_actions"]["manage_members"] is False


def test_a_token_speaks_for_its_own_trust_only(trust_a, trust_b):
    raw = _token(trust_a)
    assert _api(raw).get("/api/v1/t/alder/members/").status_code == 200
    assert _api(raw).get("/api/v1/t/birch/members/").status_code == 404


def test_a_token_records_when_it_was_last_used(trust_a):
    raw = _token(trust_a)
    _api(raw).get("/api/v1/me/")
    with scopes_disabled():
        assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_or_unknown_token_is_refused(trust_a):
    raw = _token(trust_a)
    with scopes_disabled():
        services.api_token_revoke(token=ApiToken.objects.get(), actor=trust_a.people["executive"])
    assert _api(raw).get("/api/v1/me/").status_code == 401
    assert _api("made-up").get("/api/v1/me/").status_code == 401


def test_members_list_is_paginated_and_complete(trust_a):
    data = _api(_token(trust_a)).get("/api/v1/t/alder/members/").json()
    assert data["count"] == 6
    assert {m["role"] for m in data["results"]} == {r.value for r in Role}


def test_invite_through_the_api(trust_a):
    response = _api(_token(trust_a)).post(
        "/api/v1/t/alder/members/",
        {"email": "api.head@example.org", "role": "headteacher", "school": str(trust_a.schools[1].uuid)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["school"]["name"] == trust_a.schools[1].name


def test_a_foreign_school_id_gets_the_same_400_as_a_random_one(trust_a, trust_b):
    client = _api(_token(trust_a))
    body = {"email": "x@example.org", "role": "headteacher"}
    foreign = client.post(
        "/api/v1/t/alder/members/", {**body, "school": str(trust_b.schools[0].uuid)}, content_type="application/json"
    )
    random = client.post(
        "/api/v1/t/alder/members/",
        {**body, "school": "00000000-0000-4000-8000-000000000000"},
        content_type="application/json",
    )
    assert foreign.status_code == random.status_code == 400
    assert foreign.json()["extra"]["fields"]["school"][0].replace(str(trust_b.schools[0].uuid), "ID") == random.json()[
        "extra"
    ]["fields"]["school"][0].replace("00000000-0000-4000-8000-000000000000", "ID")
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_a_clear_400(trust_a):
    response = _api(_token(trust_a)).post(
        "/api/v1/t/alder/members/",
        {"email": trust_a.people["trustee"].email, "role": "trustee"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "already a member" in response.json()["message"]


def test_change_role_and_remove_through_the_api(trust_a):
    client = _api(_token(trust_a))
    member = trust_a.memberships["trustee"]
    response = client.patch(
        f"/api/v1/t/alder/members/{member.uuid}/", {"role": "improvement_lead"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["role"] == "improvement_lead"
    assert client.delete(f"/api/v1/t/alder/members/{member.uuid}/").status_code == 204
    with scopes_disabled():
        assert not Membership.objects.filter(pk=member.pk).exists()


def test_the_last_executive_cannot_be_removed_through_the_api(trust_a):
    me = trust_a.memberships["executive"]
    response = _api(_token(trust_a)).delete(f"/api/v1/t/alder/members/{me.uuid}/")
    assert response.status_code == 400
    assert "last executive" in response.json()["message"]


def test_another_trusts_member_is_404_through_the_api(trust_a, trust_b):
    foreign = trust_b.memberships["trustee"]
    client = _api(_token(trust_a))
    assert client.get(f"/api/v1/t/alder/members/{foreign.uuid}/").status_code == 404
    assert client.delete(f"/api/v1/t/alder/members/{foreign.uuid}/").status_code == 404


def test_a_trustee_token_cannot_manage_members(trust_a):
    client = _api(_token(trust_a, "trustee"))
    response = client.post(
        "/api/v1/t/alder/members/", {"email": "y@example.org", "role": "trustee"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["message"]


def test_the_openapi_schema_documents_the_endpoints(db):
    schema = Client().get("/api/schema/?format=json").json()
    assert {"/api/v1/me/", "/api/v1/t/{trust_slug}/members/", "/api/v1/t/{trust_slug}/members/{member_uuid}/"} <= set(
        schema["paths"]
    )


def test_the_api_docs_use_local_assets(db):
    page = Client().get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn." not in page

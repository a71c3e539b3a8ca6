import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from tests.factories import MembershipFactory, UserFactory
from trust import services
from trust.models import Invitation, Membership, Role, User

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password_goes_to_the_trust(trust_a, password):
    # A headteacher: trustees and other leaders are asked for a second step first (test_two_factor.py).
    response = Client().post(
        reverse("login"), {"username": trust_a.people["headteacher"].email, "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/t/alder/"
    assert "Acting as" in response.content.decode() and "Alder Trust" in response.content.decode()


def test_sign_in_with_a_wrong_password_is_refused(trust_a):
    response = Client().post(reverse("login"), {"username": trust_a.people["trustee"].email, "password": "nope"})
    assert response.status_code == 200
    assert "correct email" in response.content.decode().lower()


def test_sign_out_ends_the_session(trust_a):
    client = trust_a.client_for("trustee")
    client.post(reverse("logout"))
    assert client.get("/t/alder/").status_code == 302


def test_password_reset_through_the_console_email(trust_a):
    user = trust_a.people["headteacher"]
    client = Client()
    client.post(reverse("password_reset"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")


def test_a_person_in_several_trusts_picks_one_and_can_switch(trust_a, trust_b):
    person = UserFactory()
    with scopes_disabled():
        MembershipFactory(user=person, trust=trust_a.trust, role=Role.SPECIALIST)
        MembershipFactory(user=person, trust=trust_b.trust, role=Role.SPECIALIST)
    client = Client()
    client.force_login(person)
    picker = client.get(reverse("trust-picker")).content.decode()
    assert "/t/alder/" in picker and "/t/birch/" in picker
    home = client.get("/t/birch/").content.decode()
    assert "Switch trust" in home and "Birch Trust" in home


def test_an_unknown_trust_slug_is_404(trust_a):
    assert trust_a.client_for("executive").get("/t/no-such-trust/").status_code == 404


def test_a_trust_the_person_does_not_belong_to_is_404(trust_a, trust_b):
    assert trust_a.client_for("executive").get("/t/birch/members/").status_code == 404


def test_navigation_shows_only_what_the_role_may_do(trust_a):
    executive = trust_a.client_for("executive").get("/t/alder/").content.decode()
    headteacher = trust_a.client_for("headteacher").get("/t/alder/").content.decode()
    specialist = trust_a.client_for("specialist").get("/t/alder/").content.decode()
    assert "/t/alder/members/" in executive
    assert "/t/alder/members/" not in headteacher and "My school" in headteacher
    assert "/t/alder/schools/" not in specialist
    assert "Headteacher</strong> of Alder Trust School 1" in headteacher


def test_headteacher_sees_only_their_school(trust_a):
    page = trust_a.client_for("headteacher").get("/t/alder/schools/").content.decode()
    assert "Alder Trust School 1" in page and "Alder Trust School 2" not in page
    other = trust_a.client_for("headteacher").get(f"/t/alder/schools/{trust_a.schools[1].uuid}/")
    assert other.status_code == 404


def test_executive_invites_a_headteacher_for_a_school(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(
        "/t/alder/members/invite/",
        {"email": "New.Head@Example.org", "role": "headteacher", "school": str(trust_a.schools[1].uuid)},
        follow=True,
    )
    assert "Invitation sent to new.head@example.org" in response.content.decode()
    with scopes_disabled():
        invitation = Invitation.objects.get(email="new.head@example.org")
    assert invitation.school == trust_a.schools[1]


def test_inviting_a_school_of_another_trust_is_refused_like_an_unknown_school(trust_a, trust_b):
    client = trust_a.client_for("executive")
    response = client.post(
        "/t/alder/members/invite/",
        {"email": "x@example.org", "role": "headteacher", "school": str(trust_b.schools[0].uuid)},
    )
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not Invitation.objects.exists()


def test_inviting_a_current_member_shows_a_clear_message(trust_a):
    response = trust_a.client_for("executive").post(
        "/t/alder/members/invite/", {"email": trust_a.people["trustee"].email, "role": "trustee"}
    )
    assert "is already a member of this trust" in response.content.decode()


def test_posting_the_invitation_form_twice_sends_one_invitation(trust_a, django_capture_on_commit_callbacks):
    client = trust_a.client_for("executive")
    data = {"email": "twice@example.org", "role": "trustee"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/t/alder/members/invite/", data)
        second = client.post("/t/alder/members/invite/", data)
    assert "already waiting to be accepted" in second.content.decode()
    assert len(mail.outbox) == 1
    with scopes_disabled():
        assert Invitation.objects.filter(email="twice@example.org").count() == 1


def _invite(world, email="invitee@example.org", role=Role.TRUSTEE):
    with scope(trust=world.trust.pk):
        _, path = services.invitation_create(trust=world.trust, actor=world.people["executive"], email=email, role=role)
    return path


def test_accepting_an_invitation_creates_the_account_and_signs_in(trust_a):
    path = _invite(trust_a)
    client = Client()
    response = client.post(
        path, {"full_name": "Ivy Invitee", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    )
    assert response.status_code == 302 and response["Location"] == "/t/alder/"
    # A trustee needs two-factor sign-in: the first trust page asks them to set it up, then returns.
    assert client.get("/t/alder/")["Location"] == "/accounts/two-factor/set-up/?next=%2Ft%2Falder%2F"


def test_a_used_invitation_shows_a_clear_page_and_changes_nothing(trust_a):
    path = _invite(trust_a)
    data = {"full_name": "Ivy", "password1": "a-long-passphrase-42", "password2": "a-long-passphrase-42"}
    Client().post(path, data)
    again = Client().post(path, data)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert User.objects.filter(email="invitee@example.org").count() == 1


def test_an_unknown_invitation_link_is_404(db):
    response = Client().get("/invitations/not-a-real-token/")
    assert response.status_code == 404
    assert "not a valid invitation" in response.content.decode()


def test_an_existing_person_signs_in_then_accepts(trust_a, trust_b, password):
    person = trust_b.people["specialist"]
    path = _invite(trust_a, email=person.email, role=Role.SPECIALIST)
    client = Client()
    assert "Sign in to accept" in client.get(path).content.decode()
    client.post(reverse("login"), {"username": person.email, "password": password})
    response = client.post(path)
    assert response.status_code == 302
    with scopes_disabled():
        assert Membership.objects.filter(user=person).count() == 2


def test_executive_changes_a_role(trust_a):
    member = trust_a.memberships["trustee"]
    client = trust_a.client_for("executive")
    response = client.post(f"/t/alder/members/{member.uuid}/", {"role": "improvement_lead"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == Role.IMPROVEMENT_LEAD


def test_the_last_executive_cannot_demote_themself_in_the_page(trust_a):
    member = trust_a.memberships["executive"]
    response = trust_a.client_for("executive").post(f"/t/alder/members/{member.uuid}/", {"role": "trustee"})
    assert "last executive" in response.content.decode()
    member.refresh_from_db()
    assert member.role == Role.EXECUTIVE


def test_removing_a_member_twice_has_one_effect(trust_a):
    member = trust_a.memberships["governor"]
    client = trust_a.client_for("executive")
    assert client.post(f"/t/alder/members/{member.uuid}/remove/").status_code == 302
    assert client.post(f"/t/alder/members/{member.uuid}/remove/").status_code == 404


def test_a_member_of_another_trust_cannot_be_edited_by_id(trust_a, trust_b):
    foreign = trust_b.memberships["trustee"]
    client = trust_a.client_for("executive")
    assert client.get(f"/t/alder/members/{foreign.uuid}/").status_code == 404
    assert client.post(f"/t/alder/members/{foreign.uuid}/remove/").status_code == 404
    with scopes_disabled():
        assert Membership.objects.filter(pk=foreign.pk).exists()


def test_an_invitation_of_another_trust_cannot_be_withdrawn(trust_a, trust_b):
    _invite(trust_b)
    with scopes_disabled():
        foreign = Invitation.objects.get(trust=trust_b.trust)
    response = trust_a.client_for("executive").post(f"/t/alder/invitations/{foreign.uuid}/revoke/")
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_api_token_page_shows_the_key_once(trust_a):
    client = trust_a.client_for("trustee")
    created = client.post("/t/alder/api-tokens/", {"name": "Power BI"}).content.decode()
    key = re.search(r'data-testid="new-key"[^>]*|value="([^"]+)" data-testid', created)
    assert "Copy it now" in created and key
    assert "Copy it now" not in client.get("/t/alder/api-tokens/").content.decode()

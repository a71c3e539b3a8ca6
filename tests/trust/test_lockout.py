"""Sign-in throttling: 5 failures for one account from one address lock it; time or an executive unlocks it."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from core.models import AuditEntry
from trust import mfa

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def sign_in(email: str, password: str, address: str = "203.0.113.7", client: Client | None = None):
    return (client or Client()).post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address)


def fail_five_times(email: str, address: str = "203.0.113.7"):
    return [sign_in(email, "not-the-password", address) for _ in range(5)]


def test_four_failures_still_allow_the_right_password(trust_a, password):
    email = trust_a.people["headteacher"].email
    for _ in range(4):
        assert sign_in(email, "not-the-password").status_code == 200
    assert sign_in(email, password).status_code == 302


def test_the_fifth_failure_locks_the_account_from_that_address_with_a_clear_message(trust_a, password):
    email = trust_a.people["headteacher"].email
    responses = fail_five_times(email)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    page = responses[-1].content.decode()
    assert "Too many failed sign-ins." in page
    assert "try again in 30 minutes, or ask an executive of your trust to unlock it" in page
    # Even the right password is refused while locked.
    locked = sign_in(email, password)
    assert locked.status_code == 429 and "_auth_user_id" not in locked.client.session


def test_the_lock_is_for_that_account_and_address_together(trust_a, password):
    email = trust_a.people["headteacher"].email
    fail_five_times(email)
    assert sign_in(email, password, address="198.51.100.9").status_code == 302
    assert sign_in(trust_a.people["governor"].email, password).status_code == 302


def test_the_email_is_one_account_whatever_its_capitals(trust_a):
    email = trust_a.people["headteacher"].email
    for variant in [email, email.upper(), email.title(), email, email.upper()]:
        response = sign_in(variant, "not-the-password")
    assert response.status_code == 429


def test_the_lock_ends_by_itself_after_30_minutes(trust_a, password):
    email = trust_a.people["headteacher"].email
    fail_five_times(email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert sign_in(email, password).status_code == 302


def test_an_executive_sees_locked_out_members_and_unlocks_them(trust_a, password):
    head = trust_a.people["headteacher"]
    fail_five_times(head.email)
    executive = trust_a.client_for("executive")
    page = executive.get("/t/alder/security/").content.decode()
    assert "Members who cannot sign in now" in page and head.email in page
    unlock = f"/t/alder/security/unlock/{trust_a.memberships['headteacher'].uuid}/"
    assert executive.post(unlock).status_code == 302
    assert "No member is locked out." in executive.get("/t/alder/security/").content.decode()
    assert sign_in(head.email, password).status_code == 302
    with scopes_disabled():
        assert AuditEntry.objects.filter(
            action="membership.sign_in_unlocked", object_uuid=trust_a.memberships["headteacher"].uuid
        ).exists()


def test_the_members_page_points_executives_to_unlocking(trust_a):
    page = trust_a.client_for("executive").get("/t/alder/members/").content.decode()
    assert 'href="/t/alder/security/"' in page


def test_an_executive_cannot_unlock_another_trusts_member(trust_a, trust_b):
    fail_five_times(trust_a.people["headteacher"].email)
    response = trust_b.client_for("executive").post(
        f"/t/birch/security/unlock/{trust_a.memberships['headteacher'].uuid}/"
    )
    assert response.status_code == 404
    assert AccessAttempt.objects.filter(username=trust_a.people["headteacher"].email).exists()


def test_only_executives_unlock(trust_a):
    fail_five_times(trust_a.people["headteacher"].email)
    unlock = f"/t/alder/security/unlock/{trust_a.memberships['headteacher'].uuid}/"
    assert trust_a.client_for("improvement_lead").post(unlock).status_code == 403
    with pytest.raises(PermissionDenied):
        mfa.member_sign_in_unlock(
            trust=trust_a.trust, actor=trust_a.people["trustee"], membership=trust_a.memberships["headteacher"]
        )
    assert AccessAttempt.objects.exists()


def test_test_clients_signed_in_directly_are_not_throttled(trust_a):
    # force_login skips authenticate(): the fixtures' clients never meet django-axes.
    assert trust_a.client_for("executive").get("/t/alder/").status_code == 200

"""Sessions and passwords: strong passwords, short idle and absolute lifetimes, a new id at sign-in,
and the password again before changing someone's role or removing them."""

import datetime
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from tests.factories import PASSWORD
from trust.middleware import LAST_SEEN_AT, PASSWORD_CONFIRMED_AT, SIGNED_IN_AT
from trust.models import Membership, Role

pytestmark = pytest.mark.django_db

TWELVE_HOURS = 12 * 3600


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short-pass1", "at least 12 characters"),
        ("password1234", "too common"),
        ("839201748392017", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, why):
    with pytest.raises(ValidationError, match=why):
        validate_password(password)


def test_the_demo_and_test_passwords_meet_the_rules():
    validate_password(settings.DEMO_PASSWORD_DEFAULT)
    validate_password(PASSWORD)


def test_production_session_cookies_are_secure_http_only_and_same_site_lax():
    # In a separate process: production settings change shared lists (middleware, storages) as they load.
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "trustwide.example",
    }
    result = subprocess.run(  # noqa: S603 -- our own interpreter, fixed arguments
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["True", "True", "Lax"]


def test_sessions_live_in_the_database_and_end_after_30_idle_minutes():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_a_request_pushes_the_idle_limit_on_at_most_once_a_minute(trust_a):
    client = trust_a.client_for("headteacher")
    session = client.session
    session[LAST_SEEN_AT] = time.time() - 61  # last seen over a minute ago
    session.save()
    response = client.get("/t/alder/")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == 1800 and cookie["httponly"] and cookie["samesite"] == "Lax"
    expires = Session.objects.get(session_key=cookie.value).expire_date
    # Within the minute: no write, the expiry stays where the first request put it.
    assert settings.SESSION_COOKIE_NAME not in client.get("/t/alder/").cookies
    assert Session.objects.get(session_key=cookie.value).expire_date == expires
    session = client.session
    session[LAST_SEEN_AT] = time.time() - 61
    session.save()
    pushed = client.get("/t/alder/").cookies[settings.SESSION_COOKIE_NAME]
    assert pushed["max-age"] == 1800
    assert Session.objects.get(session_key=cookie.value).expire_date >= expires


def test_a_session_idle_for_30_minutes_is_signed_out(trust_a):
    client = trust_a.client_for("headteacher")
    client.get("/t/alder/")
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get("/t/alder/").status_code == 302


def test_the_session_id_changes_at_sign_in(trust_a):
    client = Client()
    before = client.session.session_key  # an anonymous session, as a visitor would have
    assert before and Session.objects.filter(session_key=before).exists()
    response = client.post("/accounts/login/", {"username": trust_a.people["headteacher"].email, "password": PASSWORD})
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_in_records_the_time(trust_a):
    client = Client()
    client.post("/accounts/login/", {"username": trust_a.people["headteacher"].email, "password": PASSWORD})
    assert time.time() - client.session[SIGNED_IN_AT] < 60
    assert client.session[LAST_SEEN_AT] == client.session[SIGNED_IN_AT]


def test_a_session_ends_12_hours_after_sign_in_however_active(trust_a):
    client = trust_a.client_for("headteacher")
    session = client.session
    session[SIGNED_IN_AT] = time.time() - TWELVE_HOURS - 1
    session.save()
    response = client.get("/t/alder/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "signed out 12 hours after signing in" in response.content.decode()
    assert client.get("/t/alder/").status_code == 302


def test_a_session_younger_than_12_hours_carries_on(trust_a):
    client = trust_a.client_for("headteacher")
    session = client.session
    session[SIGNED_IN_AT] = time.time() - TWELVE_HOURS + 60
    session.save()
    assert client.get("/t/alder/").status_code == 200


def _stale_password(client: Client, minutes: int = 11) -> None:
    session = client.session
    session[PASSWORD_CONFIRMED_AT] = time.time() - minutes * 60
    session.save()


@pytest.mark.parametrize("page", ["", "remove/"])
def test_changing_a_role_or_removing_someone_asks_for_the_password_again(trust_a, page):
    client = trust_a.client_for("executive")
    _stale_password(client)
    form = f"/t/alder/members/{trust_a.memberships['trustee'].uuid}/{page}"
    response = client.get(form)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/confirm-password/?next=")
    confirm = client.get(response["Location"])
    assert "Confirm your password" in confirm.content.decode()
    back = client.post("/accounts/confirm-password/", {"password": PASSWORD, "next": form})
    assert back["Location"] == form
    assert client.get(form).status_code == 200


def test_a_post_without_a_recent_password_changes_nothing(trust_a):
    client = trust_a.client_for("executive")
    _stale_password(client)
    member = trust_a.memberships["trustee"]
    response = client.post(f"/t/alder/members/{member.uuid}/remove/")
    assert response["Location"].startswith("/accounts/confirm-password/")
    with scopes_disabled():
        assert Membership.objects.filter(pk=member.pk).exists()


def test_a_wrong_password_does_not_confirm(trust_a):
    client = trust_a.client_for("executive")
    _stale_password(client)
    response = client.post("/accounts/confirm-password/", {"password": "not-my-password", "next": "/t/alder/members/"})
    assert response.status_code == 200 and "That password is not right." in response.content.decode()
    assert client.get(f"/t/alder/members/{trust_a.memberships['trustee'].uuid}/").status_code == 302


def test_a_password_typed_in_the_last_10_minutes_is_enough(trust_a):
    client = trust_a.client_for("executive")
    _stale_password(client, minutes=9)
    member = trust_a.memberships["trustee"]
    response = client.post(f"/t/alder/members/{member.uuid}/", {"role": Role.IMPROVEMENT_LEAD})
    assert response.status_code == 302 and response["Location"] == "/t/alder/members/"
    with scopes_disabled():
        assert Membership.objects.get(pk=member.pk).role == Role.IMPROVEMENT_LEAD


def test_confirming_the_password_never_leads_off_the_site(trust_a):
    client = trust_a.client_for("executive")
    response = client.post("/accounts/confirm-password/", {"password": PASSWORD, "next": "//evil.example/"})
    assert response["Location"] == "/trusts/"

"""Two-factor sign-in: who must use it, setting it up, the second step, recovery codes, the trust's rule."""

import base64
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from core.models import AuditEntry
from tests.conftest import signed_in_client
from trust import mfa, services
from trust.models import Trust

pytestmark = pytest.mark.django_db

SET_UP = "/accounts/two-factor/set-up/"
VERIFY = "/accounts/two-factor/verify/"


def password_only(user) -> Client:
    """Signed in with the password, no second step yet."""
    client = Client()
    client.force_login(user)
    return client


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name=mfa.AUTHENTICATOR_NAME, confirmed=True)


@pytest.mark.parametrize("role", ["executive", "improvement_lead", "trustee"])
def test_leaders_without_an_authenticator_are_sent_to_set_one_up_before_any_trust_page(trust_a, role):
    response = password_only(trust_a.people[role]).get("/t/alder/schools/")
    assert response.status_code == 302
    assert response["Location"] == f"{SET_UP}?next=%2Ft%2Falder%2Fschools%2F"


@pytest.mark.parametrize("role", ["headteacher", "specialist", "governor"])
def test_other_roles_are_not_asked_for_a_second_step(trust_a, role):
    assert password_only(trust_a.people[role]).get("/t/alder/").status_code == 200


def test_leaders_with_an_authenticator_are_sent_to_verify_then_back_where_they_were_going(trust_a):
    executive = trust_a.people["executive"]
    device = enrolled(executive)
    client = password_only(executive)
    response = client.get("/t/alder/members/")
    assert response["Location"] == f"{VERIFY}?next=%2Ft%2Falder%2Fmembers%2F"
    answer = client.post(VERIFY, {"code": code_for(device), "next": "/t/alder/members/"})
    assert answer.status_code == 302 and answer["Location"] == "/t/alder/members/"
    assert client.get("/t/alder/members/").status_code == 200


def test_signing_in_with_the_password_then_a_code_reaches_the_trust(trust_a, password):
    trustee = trust_a.people["trustee"]
    device = enrolled(trustee)
    client = Client()
    response = client.post("/accounts/login/", {"username": trustee.email, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Ft%2Falder%2F"
    response = client.post(VERIFY, {"code": code_for(device), "next": "/t/alder/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/alder/"
    assert "Acting as" in response.content.decode()


def test_a_wrong_code_is_refused_and_the_trust_stays_closed(trust_a):
    executive = trust_a.people["executive"]
    device = enrolled(executive)
    client = password_only(executive)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong, "next": "/t/alder/"})
    assert response.status_code == 200
    assert "That code did not work" in response.content.decode()
    assert client.get("/t/alder/").status_code == 302


def test_a_code_cannot_be_used_twice(trust_a):
    executive = trust_a.people["executive"]
    device = enrolled(executive)
    code = code_for(device)
    assert mfa.second_step_verify(user=executive, code=code) is not None
    assert mfa.second_step_verify(user=executive, code=code) is None


def test_setting_up_shows_a_qr_code_and_the_key_as_text_and_asks_for_a_code(trust_a):
    executive = trust_a.people["executive"]
    client = password_only(executive)
    page = client.get(f"{SET_UP}?next=/t/alder/").content.decode()
    assert '<div class="qr-code" role="img" aria-label="QR code for your authenticator app"><svg' in page
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert "Or type this key into the app" in page and "6-digit code from your app" in page
    # Reloading keeps the same key, so a half-finished scan still works.
    assert secret in client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=executive, confirmed=False)
    typed = secret.replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == device.bin_key


def test_confirming_the_code_turns_it_on_shows_ten_recovery_codes_once_and_returns(trust_a):
    executive = trust_a.people["executive"]
    client = password_only(executive)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=executive)
    response = client.post(SET_UP, {"code": code_for(device), "next": "/t/alder/"})
    assert response["Location"] == "/accounts/two-factor/recovery-codes/?next=%2Ft%2Falder%2F"
    page = client.get(response["Location"]).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/t/alder/"' in page
    again = client.get(response["Location"]).content.decode()
    assert "shown only once" in again and not re.findall(r"<li>([a-z2-7]{8})</li>", again)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/t/alder/").status_code == 200  # the session completed the second step


def test_a_wrong_code_at_set_up_leaves_it_off(trust_a):
    executive = trust_a.people["executive"]
    client = password_only(executive)
    client.get(SET_UP)
    response = client.post(SET_UP, {"code": "000000"})
    assert "That code did not match" in response.content.decode()
    assert not mfa.has_two_factor(executive)


def test_a_recovery_code_works_once_instead_of_the_phone(trust_a):
    executive = trust_a.people["executive"]
    enrolled(executive)
    codes = mfa.recovery_codes_regenerate(user=executive)
    client = password_only(executive)
    response = client.post(VERIFY, {"code": codes[0].upper(), "next": "/t/alder/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/t/alder/"
    assert "You used a recovery code; 9 left" in response.content.decode()
    assert password_only(executive).post(VERIFY, {"code": codes[0]}).status_code == 200  # refused the second time


def test_new_recovery_codes_replace_the_old_ones(trust_a):
    executive = trust_a.people["executive"]
    old = mfa.recovery_codes_regenerate(user=executive)
    client = trust_a.client_for("executive")
    response = client.post("/accounts/two-factor/recovery-codes/")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    new = re.findall(r"<li>([a-z2-7]{8})</li>", page)
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=executive).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)


def test_someone_with_only_a_password_cannot_replace_the_authenticator(trust_a):
    executive = trust_a.people["executive"]
    enrolled(executive)
    response = password_only(executive).get(SET_UP)
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=executive, confirmed=False).count() == 0


def test_a_headteacher_may_turn_it_on_from_their_settings_and_is_then_asked_for_it(trust_a, password):
    head = trust_a.people["headteacher"]
    client = trust_a.client_for("headteacher")
    assert "Two-factor sign-in" in client.get("/t/alder/").content.decode()
    assert "Set up two-factor sign-in" in client.get("/accounts/two-factor/").content.decode()
    client.get(SET_UP)
    client.post(SET_UP, {"code": code_for(TOTPDevice.objects.get(user=head))})
    assert mfa.has_two_factor(head)
    assert password_only(head).get("/t/alder/")["Location"].startswith(VERIFY)


def test_a_headteacher_may_turn_it_off_but_an_executive_may_not(trust_a):
    head = trust_a.people["headteacher"]
    enrolled(head)
    signed_in_client(head).post("/accounts/two-factor/turn-off/")
    assert not mfa.has_two_factor(head)

    executive = trust_a.people["executive"]
    response = trust_a.client_for("executive").post("/accounts/two-factor/turn-off/", follow=True)
    assert "cannot be turned off" in response.content.decode()
    assert mfa.has_two_factor(executive)


def test_turning_it_off_needs_the_second_step_first(trust_a):
    head = trust_a.people["headteacher"]
    enrolled(head)
    password_only(head).post("/accounts/two-factor/turn-off/")
    assert mfa.has_two_factor(head)


def test_the_trust_can_require_it_for_everyone(trust_a):
    client = trust_a.client_for("executive")
    assert "Sign-in security" in client.get("/t/alder/").content.decode()
    response = client.post("/t/alder/security/", {"require_two_factor_for_everyone": "on"})
    assert response.status_code == 302
    assert Trust.objects.get(pk=trust_a.trust.pk).require_two_factor_for_everyone
    for role in ["headteacher", "specialist", "governor"]:
        assert password_only(trust_a.people[role]).get("/t/alder/")["Location"].startswith(SET_UP)
    assert "cannot be turned off" in trust_a.client_for("governor").get("/accounts/two-factor/").content.decode()
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="trust.security_changed")
    assert entry.changes == {"require_two_factor_for_everyone": [False, True]}


def test_only_executives_change_the_trust_rule(trust_a):
    assert trust_a.client_for("improvement_lead").get("/t/alder/security/").status_code == 403
    with pytest.raises(PermissionDenied):
        mfa.trust_security_update(
            trust=trust_a.trust, actor=trust_a.people["improvement_lead"], require_two_factor_for_everyone=True
        )
    assert not Trust.objects.get(pk=trust_a.trust.pk).require_two_factor_for_everyone


def test_an_api_token_is_its_own_credential_and_is_never_asked_for_a_second_step(trust_a):
    executive = trust_a.people["executive"]
    assert not mfa.has_two_factor(executive)
    with scope(trust=trust_a.trust.pk):
        _, key = services.api_token_create(user=executive, trust=trust_a.trust, name="MIS sync")
    response = Client().get("/api/v1/t/alder/members/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200


def test_a_browser_session_without_the_second_step_gets_a_clear_refusal_from_the_api(trust_a):
    response = password_only(trust_a.people["executive"]).get("/api/v1/t/alder/members/")
    assert response.status_code == 403
    assert "two-factor sign-in" in response.json()["message"]


def test_verify_sends_someone_without_an_authenticator_to_set_one_up(trust_a):
    response = password_only(trust_a.people["executive"]).get(f"{VERIFY}?next=/t/alder/")
    assert response["Location"] == f"{SET_UP}?next=%2Ft%2Falder%2F"


def test_next_never_leads_off_the_site(trust_a):
    executive = trust_a.people["executive"]
    device = enrolled(executive)
    response = password_only(executive).post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/trusts/"

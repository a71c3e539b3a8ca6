"""A test client signed in as someone, past two-factor sign-in: for the tests and for bench/pages.py."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from trust import mfa
from trust.middleware import PASSWORD_CONFIRMED_AT, SIGNED_IN_AT
from trust.models import User


def signed_in_client(user: User) -> Client:
    """A client signed in as someone who has just typed their password, and a code where they need one."""
    client = Client()
    client.force_login(user)
    session = client.session
    if mfa.two_factor_required_anywhere(user) or mfa.has_two_factor(user):
        device = mfa.authenticator_of(user) or TOTPDevice.objects.create(
            user=user, name=mfa.AUTHENTICATOR_NAME, confirmed=True
        )
        # What django_otp.login() records once a code is accepted.
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SIGNED_IN_AT] = session[PASSWORD_CONFIRMED_AT] = time.time()
    session.save()
    return client

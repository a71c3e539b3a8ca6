"""Cache errors never become 500s, and sessions live in the database, so a cache that is down costs time only.

The cache is replaced by one whose server is unreachable: every call raises what Django's Redis
cache raises then. Reading every trust page as each role, signing in (password, code, a wrong
password that django-axes records) and reading the API must all answer as usual. The test also
checks that the pages did ask the broken cache, or it would prove nothing.
"""

from typing import Any, ClassVar

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope
from redis.exceptions import ConnectionError as RedisUnreachable

from tests.conftest import ROLES, TrustWorld
from tests.test_cache_isolation import _path, _trust_paths
from tests.trust.test_two_factor import code_for
from trust import mfa, services

pytestmark = pytest.mark.django_db

LOGIN, VERIFY = "/accounts/login/", "/accounts/two-factor/verify/"


class UnreachableCache(BaseCache):
    """A cache whose server is down: each call fails as django.core.cache.backends.redis does then."""

    calls: ClassVar[list[str]] = []

    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)

    def _down(self, operation: str) -> Any:
        UnreachableCache.calls.append(operation)
        raise RedisUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def add(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("add")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("get")

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("set")

    def touch(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("touch")

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("delete")

    def has_key(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("has_key")

    def incr(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("incr")

    def get_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("get_many")

    def set_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("set_many")

    def delete_many(self, *args: Any, **kwargs: Any) -> Any:
        return self._down("delete_many")

    def clear(self) -> Any:
        return self._down("clear")


# Every cache alias down, and the dashboard's cache switched on (the test settings turn it off).
CACHE_DOWN = override_settings(
    CACHES={"default": {"BACKEND": f"{__name__}.UnreachableCache"}}, DASHBOARD_CACHE_SECONDS=3600
)


@pytest.fixture
def cache_down():
    UnreachableCache.calls.clear()
    with CACHE_DOWN:
        with pytest.raises(RedisUnreachable):
            caches["default"].get("anything")  # the broken cache is the one in use
        UnreachableCache.calls.clear()
        yield UnreachableCache.calls


def test_every_trust_page_answers_as_usual_while_the_cache_is_down(trust_a: TrustWorld, cache_down):
    templates = _trust_paths()
    assert len(templates) > 40, "the page list looks too short to prove anything"
    server_errors, answered = [], 0
    for role in ROLES:
        client = trust_a.client_for(role)
        for template in templates:
            response = client.get(_path(template, trust_a))
            answered += response.status_code == 200
            if response.status_code >= 500:
                server_errors.append(f"{role} {_path(template, trust_a)}: {response.status_code}")
    assert server_errors == []
    assert answered > 100, "most pages should still answer 200"
    dashboard = trust_a.client_for("trustee").get(f"/t/{trust_a.trust.slug}/dashboard/")
    assert dashboard.status_code == 200 and trust_a.schools[0].name in dashboard.content.decode()
    assert cache_down, "no page asked the cache: this test no longer proves a failing cache is survived"


def test_signing_in_with_a_password_and_a_code_works_while_the_cache_is_down(trust_a: TrustWorld, password, cache_down):
    executive = trust_a.people["executive"]
    device = TOTPDevice.objects.create(user=executive, name=mfa.AUTHENTICATOR_NAME, confirmed=True)
    client = Client()
    # A wrong password first: django-axes records the failure and the form says so.
    refused = client.post(LOGIN, {"username": executive.email, "password": "not-the-password"})
    assert refused.status_code == 200 and refused.context["form"].errors

    response = client.post(LOGIN, {"username": executive.email, "password": password}, follow=True)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    home = f"/t/{trust_a.trust.slug}/"
    response = client.post(VERIFY, {"code": code_for(device), "next": home}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == home

    # The session is a database row: the cache being down signed nobody out.
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    assert client.get(f"/t/{trust_a.trust.slug}/dashboard/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_the_api_answers_while_the_cache_is_down(trust_a: TrustWorld, cache_down):
    with scope(trust=trust_a.trust.pk):
        _, raw = services.api_token_create(user=trust_a.people["executive"], trust=trust_a.trust, name="cache")
    client = Client(headers={"Authorization": f"Token {raw}"})
    base = f"/api/v1/t/{trust_a.trust.slug}"
    for path in ["/api/v1/me/", f"{base}/dashboard/", f"{base}/schools/", f"{base}/board-packs/"]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

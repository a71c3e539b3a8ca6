import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_admin_is_for_the_operator_only(trust_a):
    assert trust_a.client_for("executive").get("/admin/").status_code == 302
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/").status_code == 200


def test_the_admin_manages_trusts_people_and_memberships_only(trust_a):
    operator = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    index = client.get("/admin/").content.decode()
    assert "/admin/trust/trust/" in index and "/admin/trust/membership/" in index and "/admin/trust/user/" in index
    assert "/admin/schools/" not in index and "/admin/trust/invitation/" not in index
    assert client.get("/admin/trust/membership/").status_code == 200
    assert client.get(f"/admin/trust/trust/{trust_a.trust.pk}/change/").status_code == 200

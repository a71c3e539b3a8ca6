import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django_scopes import scopes_disabled

from reporting.models import BoardPack, Snapshot
from schools.models import School
from trust.models import Invitation, Trust

pytestmark = pytest.mark.django_db


def _all_rows() -> dict[str, list]:
    """Every row of every model of ours: a rerun of the demo must leave all of them as they were."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for app in ("trust", "schools", "reviews", "interventions", "reporting")
        if apps.is_installed(app)
        for model in apps.get_app_config(app).get_models()
    }


def test_seed_demo_builds_two_trusts_with_every_role():
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    sign_ins = json.loads(out.getvalue())
    assert {s["trust_slug"] for s in sign_ins} == {"oakfield", "riverside"}
    for slug in ("oakfield", "riverside"):
        roles = {s["role"] for s in sign_ins if s["trust_slug"] == slug}
        assert roles == {"executive", "improvement_lead", "headteacher", "specialist", "trustee", "governor"}
    assert {"email", "password", "role", "trust_slug", "school_urn"} == set(sign_ins[0])
    heads = [s for s in sign_ins if s["role"] == "headteacher"]
    assert all(isinstance(s["school_urn"], int) for s in heads)
    assert all(s["school_urn"] is None for s in sign_ins if s["role"] == "executive")
    shared = [s for s in sign_ins if s["email"] == "adviser@trustwide.example"]
    assert {s["trust_slug"] for s in shared} == {"oakfield", "riverside"}
    with scopes_disabled():
        for trust in Trust.objects.all():
            assert School.objects.filter(trust=trust).count() >= 6
            # Past half-terms frozen, and one board pack built from the latest of them.
            assert Snapshot.objects.filter(trust=trust, kind="half_term_end").count() >= 3
            assert list(BoardPack.objects.filter(trust=trust).values_list("status", flat=True)) == ["done"]


def test_seed_demo_rerun_changes_nothing():
    call_command("seed_demo", stdout=StringIO())
    before = _all_rows()
    call_command("seed_demo", stdout=StringIO())
    assert _all_rows() == before


def test_trust_create_command_invites_the_executive():
    out = StringIO()
    call_command("trust_create", "Hawthorn Schools Trust", "--executive", "ceo@hawthorn.example", stdout=out)
    assert "/t/hawthorn-schools-trust/" in out.getvalue()
    with scopes_disabled():
        assert Invitation.objects.get(trust__slug="hawthorn-schools-trust").email == "ceo@hawthorn.example"
    assert connection.vendor in {"sqlite", "postgresql"}


def test_demo_people_who_need_a_second_step_get_a_code_from_demo_code():
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_code", "ceo@oakfield.example", stdout=out)
    with scopes_disabled():
        device = TOTPDevice.objects.get(user__email="ceo@oakfield.example")
    assert TOTP(device.bin_key).token() == int(out.getvalue())
    assert device.verify_token(out.getvalue().strip())
    with pytest.raises(CommandError):
        call_command("demo_code", "someone@real-school.org.uk", stdout=StringIO())

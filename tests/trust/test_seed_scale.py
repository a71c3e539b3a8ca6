"""The scale data: trust sizes, determinism, the people benchmarks sign in as, and pages that work on it."""

import datetime
import hashlib
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from interventions.models import Activity, Intervention, PlanAction
from reviews.models import Evidence, Rating, Review, SelfEvaluationEntry
from schools.models import Inspection, MeasureValue, School
from tests.conftest import signed_in_client
from trust.mfa import AUTHENTICATOR_NAME
from trust.models import Membership, Role, Trust, User
from trust.scale import AUTHENTICATOR_KEY, SCALE_PASSWORD, build_scale, trust_sizes, trust_slugs
from trust.scale import build as scale_build

TODAY = datetime.date(2026, 3, 18)  # a spring day: visits both done and planned, reviews of this year held
REFERENCE = ["bench-120-a", "bench-120-b", "bench-120-c", "bench-050", "bench-010"]
# Values that are new on every run whatever the seed: keys, UUIDs, clocks and salted password hashes.
VOLATILE = {"id", "uuid", "code", "created_at", "updated_at", "date_joined", "password", "file", "at"}
KEY_MODELS = [
    Trust,
    User,
    School,
    Rating,
    Review,
    Evidence,
    SelfEvaluationEntry,
    MeasureValue,
    Inspection,
    PlanAction,
    Intervention,
    Activity,
]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Each scale trust writes one evidence file; keep them out of the shared test media folder.
    settings.MEDIA_ROOT = tmp_path


def _checksum() -> tuple[str, dict[str, int]]:
    """A digest of every key table's own values (sorted, so insertion order does not matter), and row counts."""
    digest, counts = hashlib.sha256(), {}
    with scopes_disabled():
        for model in KEY_MODELS:
            names = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE and not f.is_relation]
            rows = sorted(repr(row) for row in model._base_manager.values_list(*names))
            digest.update(f"{model._meta.label}:{len(rows)}\n".encode())
            digest.update("\n".join(rows).encode())
            counts[model._meta.label] = len(rows)
    return digest.hexdigest(), counts


def _built(seed: int) -> tuple[str, dict[str, int]]:
    """Build a small set in a savepoint, take its checksum, and roll it back."""
    with transaction.atomic():
        build_scale(trusts=3, schools=9, years=2, seed=seed, today=TODAY)
        result = _checksum()
        transaction.set_rollback(True)
    return result


# --- sizes --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("trusts", "schools"), [(1000, 10000), (8, 220), (8, 420), (3, 9), (1, 1), (2, 240)])
def test_trust_sizes_sum_to_the_schools_with_every_trust_between_1_and_120(trusts, schools):
    sizes = trust_sizes(trusts, schools, seed=1)
    assert len(sizes) == trusts
    assert sum(sizes) == schools
    assert all(1 <= size <= 120 for size in sizes)


def test_the_reference_trusts_come_first_largest_first_when_they_fit():
    assert trust_slugs(1000, 10000)[:6] == [*REFERENCE, "trust-0001"]
    assert trust_sizes(1000, 10000, seed=1)[:5] == [120, 120, 120, 50, 10]
    # 8 trusts of 220 schools: one 120 fits (the other seven share 100), a second would not.
    assert trust_slugs(8, 220)[:4] == ["bench-120-a", "bench-050", "bench-010", "trust-0001"]
    # 8 trusts of 420 schools: after three 120s and the 50, four trusts share 10, too few for bench-010.
    assert trust_slugs(8, 420)[:5] == [*REFERENCE[:4], "trust-0001"]
    assert trust_slugs(3, 9) == ["trust-0001", "trust-0002", "trust-0003"]


def test_the_national_set_is_long_tailed_like_england():
    sizes = trust_sizes(1000, 10000, seed=1)
    assert sum(size <= 10 for size in sizes) > 600  # many small trusts
    assert 5 <= sum(size >= 50 for size in sizes) <= 50  # and a few large ones


def test_sizes_follow_the_seed():
    assert trust_sizes(100, 1000, seed=1) == trust_sizes(100, 1000, seed=1)
    assert trust_sizes(100, 1000, seed=1) != trust_sizes(100, 1000, seed=2)


def test_impossible_sizes_are_refused():
    for trusts, schools in ((3, 2), (2, 241), (0, 0)):
        with pytest.raises(ValueError, match="trust"):
            trust_sizes(trusts, schools, seed=1)


# --- the data -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_seed_builds_identical_data_and_another_seed_different_data():
    first, counts = _built(seed=1)
    again, _ = _built(seed=1)
    other, _ = _built(seed=2)
    assert first == again
    assert other != first
    assert counts["schools.School"] == 9
    assert all(counts[model._meta.label] > 0 for model in KEY_MODELS)


@pytest.mark.django_db
def test_every_trust_has_its_people_and_its_leaders_pass_two_factor_with_the_documented_key():
    counts = build_scale(trusts=3, schools=9, years=1, seed=1, today=TODAY)
    assert counts["trust.Trust"] == 3
    with scopes_disabled():
        for trust in Trust.objects.all():
            roles = Counter(Membership.objects.filter(trust=trust).values_list("role", flat=True))
            schools = list(School.objects.filter(trust=trust))
            leaders = {Role.EXECUTIVE: 1, Role.IMPROVEMENT_LEAD: 1, Role.TRUSTEE: 1}
            assert roles == {**leaders, Role.HEADTEACHER: len(schools)}
            for school in schools:
                head = Membership.objects.get(user__email=f"head-{school.urn}@{trust.slug}.example")
                assert (head.role, head.school) == (Role.HEADTEACHER, school)
            for prefix in ("executive", "lead", "trustee"):
                user = User.objects.get(email=f"{prefix}@{trust.slug}.example")
                assert user.check_password(SCALE_PASSWORD)
                device = TOTPDevice.objects.get(user=user, confirmed=True)
                assert device.name == AUTHENTICATOR_NAME
                assert device.verify_token(totp(bytes.fromhex(AUTHENTICATOR_KEY)))


# Outside a test transaction, so that on PostgreSQL the run takes its real path: a writer thread with its own
# connection and transaction (on SQLite chunks are written as they come; the rule is the same).
@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_part_way_leaves_no_rows(monkeypatch):
    monkeypatch.setattr(scale_build, "CHUNK_SCHOOLS", 1)  # every trust its own chunk, written before the failure
    real_trust_add = scale_build.trust_add

    def trust_add_failing_at_the_third(rows, **kwargs):
        if kwargs["slug"] == "trust-0003":
            raise RuntimeError("disk full")
        return real_trust_add(rows, **kwargs)

    monkeypatch.setattr(scale_build, "trust_add", trust_add_failing_at_the_third)
    written = []
    with pytest.raises(RuntimeError, match="disk full"):
        build_scale(trusts=4, schools=8, years=1, seed=1, today=TODAY, progress=lambda done, _: written.append(done))
    assert written == [1, 2]
    with scopes_disabled():
        assert (Trust.objects.count(), School.objects.count(), User.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_seed_scale_refuses_a_database_that_already_holds_trusts(trust_a):
    with pytest.raises(CommandError, match="already holds 1 trust"):
        call_command("seed_scale", "--trusts", "2", "--schools", "4", stdout=StringIO())
    with scopes_disabled():
        assert Trust.objects.count() == 1


@pytest.mark.django_db
def test_after_a_small_seed_scale_the_largest_trusts_pages_work_for_its_executive_and_a_headteacher():
    out = StringIO()
    call_command("seed_scale", "--trusts", "8", "--schools", "220", "--years", "2", "--today", str(TODAY), stdout=out)
    assert "8 of 8 trusts written" in out.getvalue()
    assert "trust.Trust" in out.getvalue()
    with scopes_disabled():
        trust = Trust.objects.get(slug="bench-120-a")
        school = School.objects.filter(trust=trust).order_by("urn").first()
        intervention = Intervention.objects.filter(school__trust=trust).first()
        executive = User.objects.get(email="executive@bench-120-a.example")
        head = User.objects.get(email=f"head-{school.urn}@bench-120-a.example")
        assert School.objects.filter(trust=trust).count() == 120
        assert Rating.objects.filter(school=school).exists()
    slug, pk = trust.slug, school.uuid
    pages = {
        "dashboard": reverse("dashboard", args=[slug]),
        "school list": reverse("school-list", args=[slug]),
        "school profile": reverse("school-detail", args=[slug, pk]),
        "ratings": reverse("rating-school", args=[slug, pk]),
        "self-evaluations": reverse("sef-list", args=[slug]),
        "self-evaluation": reverse("sef-school", args=[slug, pk]),
        "interventions": reverse("intervention-list", args=[slug]),
        "intervention": reverse("intervention-detail", args=[slug, intervention.uuid]),
        "plan": reverse("plan-school", args=[slug, pk]),
        "calendar month": reverse("calendar-month", args=[slug]),
        "board packs": reverse("board-pack-list", args=[slug]),
    }
    client = signed_in_client(executive)
    answers = {name: client.get(url).status_code for name, url in pages.items()}
    assert answers == dict.fromkeys(pages, 200)
    plan = signed_in_client(head).get(pages["plan"])
    assert plan.status_code == 200
    assert school.name in plan.content.decode()

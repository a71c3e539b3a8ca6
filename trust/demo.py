"""The demo: two trusts, their schools and one person per role. Idempotent."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope

from interventions.demo_interventions import seed_interventions
from interventions.demo_plans import seed_plans
from interventions.demo_register import seed_register
from interventions.demo_visits import seed_visits
from reporting.demo import seed_reporting
from reviews.demo_evidence import seed_evidence_and_sef
from reviews.demo_ratings import seed_ratings
from reviews.demo_reviews import seed_reviews
from schools.demo import seed_joining, seed_school_facts
from schools.models import School
from trust.mfa import ROLES_REQUIRING_TWO_FACTOR
from trust.models import SCHOOL_ROLES, Membership, Role, Trust, User

DEMO_TRUSTS = [
    {
        "name": "Oakfield Learning Trust",
        "slug": "oakfield",
        "domain": "oakfield.example",
        "schools": [
            (990101, "Oakfield Primary Academy"),
            (990102, "Meadowbank Infant School"),
            (990103, "St Aldhelm's CofE Junior School"),
            (990104, "Hazelwood Primary School"),
            (990105, "Kingsmead Academy"),
            (990106, "Brookside Church of England Primary"),
        ],
    },
    {
        "name": "Riverside Academies Trust",
        "slug": "riverside",
        "domain": "riverside.example",
        "schools": [
            (990201, "Riverside Primary Academy"),
            (990202, "Willow Lane Nursery and Infant School"),
            (990203, "Thameside Junior Academy"),
            (990204, "Harbour View Secondary School"),
            (990205, "Castle Hill Primary"),
            (990206, "Ashcombe Community Academy"),
        ],
    },
]

PEOPLE = [
    (Role.EXECUTIVE, "ceo", "Chief Executive"),
    (Role.IMPROVEMENT_LEAD, "sio", "School Improvement Officer"),
    (Role.HEADTEACHER, "head", "Headteacher"),
    (Role.SPECIALIST, "specialist", "Lead Practitioner"),
    (Role.TRUSTEE, "trustee", "Trustee"),
    (Role.GOVERNOR, "governor", "Local Governor"),
]
SHARED_SPECIALIST = "adviser@trustwide.example"


@dataclass
class SignIn:
    email: str
    password: str
    role: str
    trust_slug: str
    school_urn: int | None


def demo_authenticator_key(email: str) -> str:
    """A fixed TOTP key per demo person (hex), so `manage.py demo_code <email>` can show today's code."""
    return hashlib.sha1(f"trustwide-demo-authenticator:{email}".encode()).hexdigest()  # noqa: S324 -- a demo key


def _demo_authenticator(user: User) -> None:
    # Executives, improvement leads and trustees need a second step at sign-in; the demo gives each an
    # authenticator whose codes `manage.py demo_code` prints, so the demo needs no phone.
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(
            user=user, name="Demo authenticator", key=demo_authenticator_key(user.email), confirmed=True
        )


def _user(email: str, full_name: str, password: str) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"full_name": full_name})
    # Re-hashing would change the row on every run; only set the password when it differs.
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_demo(*, password: str) -> list[SignIn]:
    """Create (or leave as they are) the demo trusts, schools and people."""
    sign_ins: list[SignIn] = []
    adviser = _user(SHARED_SPECIALIST, "Sam Adeyemi (external adviser)", password)
    for spec in DEMO_TRUSTS:
        trust, _ = Trust.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
        with scope(trust=trust.pk):
            schools = [
                School.objects.get_or_create(trust=trust, urn=urn, defaults={"name": name})[0]
                for urn, name in spec["schools"]
            ]
            seed_school_facts(schools, today=timezone.localdate())
            people = [
                (_user(f"{prefix}@{spec['domain']}", f"{title}, {spec['name']}", password), role)
                for role, prefix, title in PEOPLE
            ]
            people.append((adviser, Role.SPECIALIST))
            for user, role in people:
                school = None
                if role in SCHOOL_ROLES:
                    school = schools[0] if role == Role.HEADTEACHER else schools[1]
                Membership.objects.get_or_create(user=user, trust=trust, defaults={"role": role, "school": school})
                if role in ROLES_REQUIRING_TWO_FACTOR:
                    _demo_authenticator(user)
                sign_ins.append(SignIn(user.email, password, role.value, trust.slug, school.urn if school else None))
            _seed_capabilities(trust=trust, schools=schools, people=people[:-1])
    return sign_ins


def _seed_capabilities(*, trust: Trust, schools: list[School], people: list[tuple[User, Role]]) -> None:
    """Each capability's demo data, in the order the improvement cycle needs it."""
    today = timezone.localdate()
    executive = next(user for user, role in people if role == Role.EXECUTIVE)
    seed_joining(trust=trust, actor=executive, today=today)
    seed_evidence_and_sef(trust=trust, schools=schools, people=people, today=today)
    seed_reviews(trust=trust, schools=schools, people=people, today=today)
    seed_ratings(trust=trust, schools=schools, people=people, today=today)
    seed_register(trust=trust, schools=schools, people=people, today=today)
    seed_interventions(trust=trust, schools=schools, people=people, today=today)
    seed_plans(trust=trust, schools=schools, people=people, today=today)
    seed_visits(trust=trust, schools=schools, people=people, today=today)
    seed_reporting(trust=trust, people=people, today=today)

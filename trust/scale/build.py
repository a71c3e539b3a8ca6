"""Building the scale data: trusts in chunks, each trust's people, scale, areas, register and calendar, then
every school's history (trust/scale/history.py), written with bulk inserts.
"""

import datetime
import uuid
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.academic import academic_year_for
from interventions.models import Activity, ActivitySource, ActivityStatus, Expert, ExpertiseArea, ExpertRole
from reviews.demo_evidence import _pdf
from reviews.models import Evidence, JudgementArea
from reviews.services.areas import DEFAULT_AREAS
from schools.models import MembershipStatus, School
from trust.calendar.services import default_half_terms
from trust.mfa import AUTHENTICATOR_NAME
from trust.models import Membership, Role, SupportLevel, SupportScale, Trust, User
from trust.scale.history import TrustParts, history_add
from trust.scale.randomness import rng_for
from trust.scale.rows import Rows
from trust.scale.sizes import REFERENCE_TRUSTS, trust_sizes, trust_slugs
from trust.scale.visits import trust_events
from trust.scale.words import (
    LOCAL_AUTHORITIES,
    PLACES,
    PRIMARY_KINDS,
    PRIMARY_VOICE,
    SECONDARY_KINDS,
    SECONDARY_VOICE,
    TRUST_SUFFIXES,
    Writer,
    person_name,
    postcode,
)
from trust.scale.writer import ChunkWriter, Progress
from trust.scales.templates import TEMPLATES

SCALE_PASSWORD = "scale-password-2026"  # noqa: S105 -- the documented sign-in of throwaway benchmark data
# RFC 6238's test secret ("12345678901234567890" as hex): every scale authenticator shares it, so a benchmark
# computes a current code with django_otp.oath.totp(bytes.fromhex(AUTHENTICATOR_KEY)).
AUTHENTICATOR_KEY = "3132333435363738393031323334353637383930"
SCALE_TEMPLATE = "four_phases"
FIRST_URN = 400001
# Trusts are written once this many schools are waiting: enough for large inserts, little enough memory.
CHUNK_SCHOOLS = 250


def _trust_name(slug: str, seed: int) -> str:
    reference = dict(REFERENCE_TRUSTS)
    if slug in reference:
        return f"Bench {slug.removeprefix('bench-').replace('-', ' ').upper()} Learning Trust"
    rng = rng_for("trust-name", seed, slug)
    return f"{rng.choice(PLACES)} {rng.choice(TRUST_SUFFIXES)}"


def _evidence_file(trust: Trust) -> tuple[str, int]:
    """One small PDF per trust in private storage, which the trust's documented evidence items share."""
    content = _pdf(
        f"{trust.name}: evidence pack",
        ["Scale data for benchmarks: every documented item of this trust's evidence shares this file."],
    )
    storage = Evidence._meta.get_field("file").storage
    file_id = uuid.uuid5(trust.code, "scale-evidence")
    name = storage.save(f"trusts/{trust.code}/evidence/{file_id}.bin", ContentFile(content))
    return name, len(content)


def _user(rows: Rows, email: str, full_name: str, password: str) -> User:
    return rows.add(User, email=email, full_name=full_name, password=password)


def _member(rows: Rows, user: User, trust: Trust, role: str, school: School | None = None) -> None:
    rows.add(Membership, user=user, trust=trust, role=role, school=school)
    if school is None:  # executives, improvement leads and trustees must give a code at sign-in
        rows.add(TOTPDevice, user=user, name=AUTHENTICATOR_NAME, key=AUTHENTICATOR_KEY, confirmed=True)


def trust_add(
    rows: Rows,
    *,
    slug: str,
    name: str,
    size: int,
    first_urn: int,
    today: datetime.date,
    years: int,
    seed: int,
    password: str,
) -> Trust:
    """Add one trust, its people and its schools' histories to `rows` (its evidence file is written now)."""
    rng = rng_for("trust", seed, slug)
    this_year = academic_year_for(today)
    trust = rows.add(Trust, name=name, slug=slug)
    domain = f"{slug}.example"
    executive = _user(rows, f"executive@{domain}", f"{person_name(rng)}, Chief Executive", password)
    lead = _user(rows, f"lead@{domain}", f"{person_name(rng)}, School Improvement Lead", password)
    trustee = _user(rows, f"trustee@{domain}", f"{person_name(rng)}, Trustee", password)
    for user, role in ((executive, Role.EXECUTIVE), (lead, Role.IMPROVEMENT_LEAD), (trustee, Role.TRUSTEE)):
        _member(rows, user, trust, role)

    template = TEMPLATES[SCALE_TEMPLATE]
    scale = rows.add(SupportScale, trust=trust, name=template.name, template=template.key)
    levels = [
        rows.add(SupportLevel, scale=scale, position=position, **level.as_fields())
        for position, level in enumerate(template.levels, start=1)
    ]
    areas = [
        rows.add(JudgementArea, trust=trust, code=code, label=label, position=position)
        for position, (code, label) in enumerate(DEFAULT_AREAS.items(), start=1)
    ]
    # The default England year, unsaved, as for any trust that has not edited its calendar.
    half_terms = default_half_terms(this_year)

    authorities = rng.sample(LOCAL_AUTHORITIES, k=min(size, rng.randint(1, 3)))
    names = rng.sample([(place, True) for place in PLACES] + [(place, False) for place in PLACES], k=size)
    schools, heads = [], []
    for index, (place, primary) in enumerate(names):
        primary = primary or rng.random() < 0.6  # about four in five are primary schools, as in England
        la_code, la_name, area = rng.choice(authorities)
        urn = first_urn + index
        head_name = person_name(rng)
        opened = datetime.date(rng.randint(2011, 2019), 9, 1)
        joined = datetime.date(min(opened.year + rng.randint(1, 4), this_year), rng.choice((1, 4, 9)), 1)
        school = rows.add(
            School,
            trust=trust,
            name=f"{place} {rng.choice(PRIMARY_KINDS if primary else SECONDARY_KINDS)}",
            urn=urn,
            la_code=la_code,
            la_name=la_name,
            phase="Primary" if primary else "Secondary",
            establishment_type=rng.choice(("Academy converter", "Academy sponsor led", "Free schools")),
            postcode=postcode(rng, area),
            number_of_pupils=rng.randint(90, 480) if primary else rng.randint(600, 1700),
            headteacher_name=head_name,
            gias_status="Open",
            opened_on=opened,
            status=MembershipStatus.MEMBER,
            joined_trust_on=min(joined, today),
        )
        head = _user(rows, f"head-{urn}@{domain}", f"{head_name}, Headteacher", password)
        _member(rows, head, trust, Role.HEADTEACHER, school)
        schools.append(school)
        heads.append(head)

    experts = []
    for n in range(min(40, 3 + size // 3)):
        central = n < 2  # the trust's own improvement staff; the rest work in its schools
        expert_name = person_name(rng)
        home = None if central else rng.choice(schools)
        expert = rows.add(
            Expert,
            trust=trust,
            name=expert_name,
            email=f"{expert_name.lower().replace(' ', '.').replace(chr(39), '')}@{domain}",
            role=ExpertRole.TRUST_STAFF if central else rng.choice(ExpertRole.values[1:-1]),
            home_school=home,
            areas=rng.sample(ExpertiseArea.values, k=rng.randint(2, 3)),
            days_per_term=Decimal(rng.randint(4, 20)),
        )
        experts.append((expert, home))

    file_name, file_size = _evidence_file(trust)
    parts = TrustParts(
        trust=trust,
        executive=executive,
        lead=lead,
        levels=levels,
        areas=areas,
        experts=experts,
        schools=schools,
        today=today,
        this_year=this_year,
        years=years,
        half_terms=half_terms,
        evidence_file=file_name,
        evidence_file_size=file_size,
    )
    for school, head in zip(schools, heads, strict=True):
        voice = SECONDARY_VOICE if school.phase == "Secondary" else PRIMARY_VOICE
        history_add(rows=rows, parts=parts, school=school, head=head, rng=rng, w=Writer(rng, voice))
    for slot, day in trust_events(half_terms):
        for school in schools if slot.per_school else [None]:
            title = f"{slot.title}: {school.name}" if school else slot.title
            rows.add(
                Activity,
                trust=trust,
                school=school,
                activity_type=slot.activity_type,
                title=title[:200],
                planned_on=day,
                status=ActivityStatus.DONE if day < today else ActivityStatus.PLANNED,
                source=ActivitySource.TRUST_EVENT,
            )
    rows.schools += size
    return trust


def build_scale(
    *, trusts: int, schools: int, years: int, seed: int, today: datetime.date, progress: Progress | None = None
) -> dict[str, int]:
    """Build `trusts` trusts sharing `schools` schools with `years` years of history; rows made per model.

    `progress(trusts_done, trusts_total)` is called as each chunk is written. One transaction: a failed run
    leaves no rows (evidence files already written stay, unreferenced).
    """
    sizes = trust_sizes(trusts, schools, seed)
    slugs = trust_slugs(trusts, schools)
    password = make_password(SCALE_PASSWORD)  # hashed once: hashing per person would take hours
    references = dict(REFERENCE_TRUSTS)
    with ChunkWriter(today=today, years=years, total=len(sizes), progress=progress) as writer:
        rows, urn = Rows(), FIRST_URN
        for done, (slug, size) in enumerate(zip(slugs, sizes, strict=True), start=1):
            trust = trust_add(
                rows,
                slug=slug,
                name=_trust_name(slug, seed),
                size=size,
                first_urn=urn,
                today=today,
                years=years,
                seed=seed,
                password=password,
            )
            urn += size
            if slug in references:
                # The benchmarks read these trusts: give their dashboards past half-terms to trend.
                writer.snapshot_trusts.append(trust)
            if rows.schools >= CHUNK_SCHOOLS or done == len(sizes):
                writer.send(rows, done)
                rows = Rows()
    return dict(writer.counts)


def build_trust_history(
    *, name: str, slug: str, schools: int, today: datetime.date, years: int = 5, seed: int = 1, urn_base: int = 500000
) -> Trust:
    """One trust of `schools` schools with `years` years of history (bench/history.py's former builder)."""
    with ChunkWriter(today=today, years=years, total=1) as writer:
        rows = Rows()
        trust = trust_add(
            rows,
            slug=slug,
            name=name,
            size=schools,
            first_urn=urn_base,
            today=today,
            years=years,
            seed=seed,
            password=make_password(SCALE_PASSWORD),
        )
        writer.send(rows, 1)
    return trust

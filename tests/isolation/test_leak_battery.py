"""Trust A's people ask for trust B's objects every way the app offers, and learn nothing of them.

Every route naming an object by UUID is requested by each of trust A's six people with trust B's
ids (GET and every write method the route accepts, exports too), in trust A's address and in trust
B's; every list and export is asked with trust B's ids as filters; every API field that takes an id
is sent trust B's. Each attempt must get 404 (or 403 where the role may not use the route at all),
and afterwards no response, email or new file holds one of trust B's markers and no row of trust B
has changed.
"""

import uuid

from django.core import mail
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.conftest import ROLES
from tests.isolation.battery import (
    Attempts,
    Route,
    id_variants,
    list_routes,
    markers_in,
    object_routes,
    url_for,
)
from tests.isolation.world import B_PREFIX, IsolationWorld, media_files, table_checksums

MINIMUM_ATTEMPTS = 2000
# API keys are tried for one trust-wide and one school-level person (sessions cover all six).
TOKEN_ROLES = ("executive", "governor")
EXPORTS = ("format=csv", "format=xlsx")
# Query parameters the list pages and API lists read, and which of trust B's ids each is given.
FILTERS = {
    "school": "school_uuid",
    "home_school": "school_uuid",
    "providing_school": "school_uuid",
    "area": "judgement_area_uuid",
    "owner": "member_uuid",
    "actor": "member_uuid",
    "lead": "expert_uuid",
    "request": "support_request_uuid",
    "snapshot": "snapshot_uuid",
    "intervention": "intervention_uuid",
    "plan": "plan_uuid",
    "year": "year_uuid",
}


def allowed_for_foreign_object(route: Route, method: str, role: str) -> set[int]:
    """404; or the same refusal the person gets for their own trust's object (role not allowed, method not allowed)."""
    own = route.expected_for_own(method, role)
    return {404} | ({own} if own in (403, 405) else set())


def _b_people_uuids(b: IsolationWorld) -> list[uuid.UUID]:
    return [p.uuid for p in b.people.values()]


def token_client(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {raw}")


def run_object_routes(a: IsolationWorld, b: IsolationWorld, attempts: Attempts) -> None:
    for route in object_routes():
        variants = id_variants(route, a, b)
        for role in ROLES:
            clients = [("session", a.client_for(role))]
            if route.is_api and role in TOKEN_ROLES:
                clients.append(("token", token_client(a.api_keys[role])))
            for how, client in clients:
                who = f"{role} ({how})"
                for method in route.methods:
                    allowed = allowed_for_foreign_object(route, method, role)
                    for ids in variants:
                        url = url_for(route, a.slug, ids)
                        response = attempts.request(client, method, url, who=who, api=route.is_api)
                        attempts.expect(response, allowed, f"{method} {url} as {who}")
                    # Trust B's own address: trust A's people are not members there.
                    url = url_for(route, b.slug, variants[0])
                    response = attempts.request(client, method, url, who=who, api=route.is_api)
                    attempts.expect(response, {404}, f"{method} {url} as {who}")
                if "GET" in route.methods and how == "session":
                    for query in EXPORTS:
                        url = url_for(route, a.slug, variants[0], query)
                        response = attempts.request(client, "GET", url, who=who, api=route.is_api)
                        attempts.expect(response, allowed_for_foreign_object(route, "GET", role), f"GET {url} as {who}")


def run_list_filters(a: IsolationWorld, b: IsolationWorld, attempts: Attempts) -> None:
    foreign = {param: b.first(kwarg) for param, kwarg in FILTERS.items()}
    foreign["owner"] = foreign["actor"] = b.people["executive"].uuid
    everything = "&".join(f"{param}={value}" for param, value in foreign.items())
    for route in list_routes():
        for role in ROLES:
            client = a.client_for(role)
            queries = [everything, *(f"school={s}&{fmt}" for s in b.ids["school_uuid"][:1] for fmt in EXPORTS)]
            if role == "executive":  # sees every list: each filter on its own
                queries += [f"{param}={value}" for param, value in foreign.items()]
                queries += [f"area={code}" for code in ("curriculum_and_teaching",)]
            for query in queries:
                url = url_for(route, a.slug, {}, query)
                attempts.request(client, "GET", url, who=role, api=route.is_api)


def run_calendar_feeds(a: IsolationWorld, b: IsolationWorld, attempts: Attempts) -> None:
    """A feed is its token: trust A's feeds never show trust B's visits, whatever is added to the address."""
    for role in ROLES:
        url = reverse("calendar-feed-ics", kwargs={"feed_token": a.feed_tokens[role]})
        for query in ("", f"?school={b.first('school_uuid')}", f"?trust={b.slug}"):
            response = attempts.request(Client(), "GET", url + query, who=f"{role}'s feed", api=False)
            attempts.expect(response, {200}, f"GET {url}{query}")
    # Trust B's feed addresses are secrets: a made-up one is simply not found.
    missing = reverse("calendar-feed-ics", kwargs={"feed_token": "not-a-token"})
    attempts.expect(attempts.request(Client(), "GET", missing, who="anyone", api=False), {404}, missing)


# --- Foreign ids inside a request body --------------------------------------------------------


def _strip(text: str, *ids: object) -> str:
    for value in ids:
        text = text.replace(str(value), "<id>")
    return text


def post_both(attempts: Attempts, client: Client, method: str, url: str, body: dict, foreign: object, who: str) -> None:
    """Send the body with trust B's id and with a random one: the same 400, in the same words."""

    def fill(value: object, the_id: object) -> object:
        if value == "<id>":
            return str(the_id)
        if isinstance(value, list):
            return [fill(v, the_id) for v in value]
        if isinstance(value, dict):
            return {k: fill(v, the_id) for k, v in value.items()}
        return value

    answers = []
    for the_id in (foreign, uuid.uuid4()):
        response = attempts.request(client, method, url, who=who, api=True, data=fill(body, the_id))
        answers.append((response.status_code, _strip(response.content.decode(), the_id)))
    (status_b, text_b), (status_r, text_r) = answers
    if status_b != 400 or status_r != 400 or text_b != text_r:
        attempts.problems.append(
            f"{method} {url} as {who} with a foreign id in the body: {status_b} {text_b[:300]!r}"
            f" but for a random id {status_r} {text_r[:300]!r}"
        )


def body_cases(a: IsolationWorld, b: IsolationWorld) -> list[tuple[str, str, str, dict, object]]:
    """(role, method, url, body with "<id>" where trust B's id goes, that id)."""
    s = a.slug
    api = lambda name, **kw: reverse(name, kwargs={"trust_slug": s, **kw})  # noqa: E731
    b_school, b_user = b.first("school_uuid"), b.people["headteacher"].uuid
    today = "2025-01-15"
    commission = {
        "school": str(a.first("school_uuid")), "title": "Reading", "area_of_need": "maths",
        "delivery_model": "in_school", "targets": ["One"], "success_criteria": "Better.",
        "starts_on": "2030-01-01", "ends_on": "2030-03-01",
    }  # fmt: skip
    return [
        (
            "executive",
            "POST",
            api("api-member-list"),
            {"email": "x@example.org", "role": "headteacher", "school": "<id>"},
            b_school,
        ),
        (
            "executive",
            "PATCH",
            api("api-member-detail", member_uuid=a.first("member_uuid")),
            {"role": "governor", "school": "<id>"},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-register-list"),
            {"name": "N", "role": "external", "areas": ["maths"], "days_per_term": 1, "home_school": "<id>"},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-register-list"),
            {"name": "N", "role": "external", "areas": ["maths"], "days_per_term": 1, "user": "<id>"},
            b_user,
        ),
        (
            "executive",
            "PATCH",
            api("api-register-detail", expert_uuid=a.first("expert_uuid")),
            {"home_school": "<id>"},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-visit-list"),
            {"school": "<id>", "activity_type": "monitoring_visit", "planned_on": today},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-visit-list"),
            {
                "school": str(a.first("school_uuid")),
                "activity_type": "monitoring_visit",
                "planned_on": today,
                "owner": "<id>",
            },
            b_user,
        ),
        (
            "executive",
            "PATCH",
            api("api-visit-detail", activity_uuid=a.first("activity_uuid")),
            {"owner": "<id>"},
            b_user,
        ),
        ("executive", "POST", api("api-intervention-list"), {**commission, "school": "<id>"}, b_school),
        (
            "executive",
            "POST",
            api("api-intervention-list"),
            {**commission, "delivery_model": "school_to_school", "providing_school": "<id>"},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-intervention-list"),
            {**commission, "leads": [{"expert": "<id>", "days": 1}]},
            b.first("expert_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-intervention-list"),
            {**commission, "support_request": "<id>"},
            b.first("support_request_uuid"),
        ),
        (
            "executive",
            "POST",
            api(
                "api-intervention-checkpoint",
                intervention_uuid=a.first("intervention_uuid"),
                checkpoint_uuid=a.first("checkpoint_uuid"),
            ),
            {"notes": "N", "progress": [], "evidence": ["<id>"]},
            b.first("evidence_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-intervention-close", intervention_uuid=a.first("intervention_uuid")),
            {
                "impact_practice": "",
                "impact_systems": "",
                "impact_organisation": "",
                "impact_outcomes": "",
                "evidence": ["<id>"],
            },
            b.first("evidence_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-request-accept", support_request_uuid=a.first("support_request_uuid")),
            {"intervention": "<id>"},
            b.first("intervention_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-evidence-list"),
            {"school": "<id>", "evidence_type": "learning_walk", "observed_on": today, "summary": "S"},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-evidence-list"),
            {
                "school": str(a.first("school_uuid")),
                "evidence_type": "learning_walk",
                "observed_on": today,
                "summary": "S",
                "areas": ["<id>"],
            },
            b.first("judgement_area_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-review-list"),
            {"school": "<id>", "review_type": "annual_review", "reviewed_on": today},
            b_school,
        ),
        (
            "executive",
            "POST",
            api("api-review-list"),
            {
                "school": str(a.first("school_uuid")),
                "review_type": "annual_review",
                "reviewed_on": today,
                "reviewers": ["<id>"],
            },
            b_user,
        ),
        (
            "executive",
            "POST",
            api("api-review-list"),
            {
                "school": str(a.first("school_uuid")),
                "review_type": "annual_review",
                "reviewed_on": today,
                "evidence": ["<id>"],
            },
            b.first("evidence_uuid"),
        ),
        (
            "executive",
            "PUT",
            api("api-review-detail", review_uuid=a.first("review_uuid")),
            {"review_type": "annual_review", "reviewed_on": today, "evidence": ["<id>"]},
            b.first("evidence_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-rating-list", school_uuid=a.first("school_uuid")),
            {"level": "<id>", "rationale": "R", "evidence": []},
            b.first("level_uuid"),
        ),
        (
            "executive",
            "POST",
            api("api-rating-list", school_uuid=a.first("school_uuid")),
            {"level": str(a.first("level_uuid")), "rationale": "R", "evidence": ["<id>"], "override_reason": "O"},
            b.first("evidence_uuid"),
        ),
        (
            "headteacher",
            "PUT",
            api("api-sef-detail", school_uuid=a.first("school_uuid")),
            {"summary": "S", "entries": [{"area": "curriculum_and_teaching", "evidence": ["<id>"]}]},
            b.first("evidence_uuid"),
        ),
        ("executive", "POST", api("api-board-pack-list"), {"snapshot": "<id>"}, b.first("snapshot_uuid")),
    ]


def run_body_ids(a: IsolationWorld, b: IsolationWorld, attempts: Attempts) -> None:
    for role, method, url, body, foreign in body_cases(a, b):
        post_both(attempts, a.client_for(role), method, url, body, foreign, who=role)


def test_trust_a_learns_nothing_of_trust_b_and_changes_nothing(isolation, db):
    a, b = isolation
    b_before, files_before = table_checksums(b), media_files()
    attempts = Attempts(prefixes=(B_PREFIX,))

    run_object_routes(a, b, attempts)
    run_list_filters(a, b, attempts)
    run_calendar_feeds(a, b, attempts)
    run_body_ids(a, b, attempts)

    assert attempts.problems == [], "\n".join(attempts.problems)
    assert attempts.count >= MINIMUM_ATTEMPTS, attempts.count
    print(f"leak battery: {attempts.count} attempts")
    leaked_mail = [m.subject for m in mail.outbox if markers_in(f"{m.subject}\n{m.body}\n{m.alternatives}", [B_PREFIX])]
    assert leaked_mail == []
    # Trust A's actions store files under trust A's prefix (or, wrongly, outside any trust's); other
    # trusts' prefixes are left out because tests running alongside (xdist) write their own there.
    files_after = media_files()
    a_prefix, b_prefix = f"trusts/{a.trust.code}/", f"trusts/{b.trust.code}/"
    written = [
        n
        for n, digest in files_after.items()
        if files_before.get(n) != digest and (n.startswith(a_prefix) or not n.startswith("trusts/"))
    ]
    assert [n for n in written if B_PREFIX.lower() in _read_media(n).lower()] == []
    b_files = {n: d for n, d in files_before.items() if n.startswith(b_prefix)}
    assert b_files and {n: files_after.get(n) for n in b_files} == b_files
    assert table_checksums(b) == b_before


def _read_media(name: str) -> str:
    from django.conf import settings

    return (settings.MEDIA_ROOT / name).read_bytes().decode("utf-8", errors="replace")


def test_the_world_gives_every_area_of_trust_b_a_marker(isolation, db):
    a, b = isolation
    assert len(b.marks.all()) > 150 and a.marks.markers.get(B_PREFIX) is None
    with scopes_disabled():
        sums = table_checksums(b)
    empty = sorted(label for label, (count, _) in sums.items() if count == 0)
    # Tables trust B has no rows in, on purpose: no one has been reminded, predicted or measured.
    assert set(empty) <= {
        "interventions.ReminderSent",
        "schools.InYearPrediction",
        "schools.MeasureValue",
        "schools.SchoolLink",
    }, empty

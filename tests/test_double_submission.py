"""Every create form and POST endpoint, posted twice, gives one row or a clear refusal, never a 500.

For each URL pattern that takes a POST, the table below names who posts and what: `FORM` fills
the body from the form the page shows (its current and first-choice values) plus the given
values; API bodies are built from trust A's objects. The same body is posted twice by the same
person. The first post must be accepted; the second must create no row of its own, or be
refused in words (a 4xx with a message, the form shown again with its errors, or a warning
message after a redirect). A POST route missing from the table fails the test.

Rows are counted over every model of the project's apps except the audit trail (an attempt is
worth recording even when refused) and sessions. Each route runs in a rolled-back savepoint,
so one route's post never changes what the next one sees.
"""

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.messages import get_messages
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_for
from reviews.models import JudgementArea
from tests.conftest import ROLES, TrustWorld
from tests.factories import PASSWORD
from tests.matrix.common import HT, E
from tests.test_permission_matrix import AREAS, EXPECTED, _kwargs_for, _patterns

PROJECT_APPS = {"core", "trust", "schools", "reviews", "interventions", "reporting"}
NOT_COUNTED = {"core.auditentry"}
TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


class _Form(HTMLParser):
    """The fields of the page's POST forms, as a browser would send them untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, Any]]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen: list[str] = []
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append((a.get("method", "get").lower() + " " + a.get("action", ""), {}))
            return
        if not self.forms:
            return
        data = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in {"submit", "file", "button", "reset"}:
            if a.get("type") in {"checkbox", "radio"}:
                if "checked" in a:
                    data.setdefault(name, []).append(a.get("value", "on"))
                elif a.get("type") == "radio" and name not in data:
                    data[name] = [a.get("value", "on")]  # none chosen: take the first choice
            else:
                data[name] = [a.get("value", "")]
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, []
            self._multiple = "multiple" in a
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if "selected" in a:
                self._select_chosen.append(value)
            if self._select_first is None and value:
                self._select_first = value
        elif tag == "textarea" and name:
            self._textarea = name
            data[name] = [""]

    def handle_data(self, text: str) -> None:
        if self._textarea and self.forms:
            # Browsers drop the newline Django writes right after <textarea>.
            before = self.forms[-1][1][self._textarea][0]
            self.forms[-1][1][self._textarea] = [before + (text.removeprefix("\n") if not before else text)]

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select and self.forms:
            data = self.forms[-1][1]
            chosen = [value for value in self._select_chosen if value]
            if chosen:
                data[self._select] = chosen
            elif not self._multiple and self._select_first is not None:
                data[self._select] = [self._select_first]
            self._select = None


@dataclass
class Post:
    """Who posts to the route, and how the body is made."""

    role: str
    body: Callable[["Ctx"], dict[str, Any]] | dict[str, Any] | None = None
    form: bool = True  # fill from the page's form first
    json: bool = False
    query: str = ""  # e.g. the school chosen on the page before the form
    repeat_allowed: str = ""  # why a second identical row is legitimate, when it is
    # Why the fixture cannot make a first post succeed (a file, a code, a state); both posts must then
    # still be answered without a 5xx and without a row.
    refused: str = ""
    expect_first: set[int] = field(default_factory=lambda: {200, 201, 202, 204, 302})


@dataclass
class Ctx:
    world: TrustWorld
    kwargs: dict[str, Any]

    def uuid(self, key: str) -> str:
        return str(self.kwargs[key])

    @property
    def school(self) -> str:
        return str(self.world.schools[0].uuid)

    @property
    def area_code(self) -> str:
        return JudgementArea.objects.get(uuid=self.kwargs["judgement_area_uuid"]).code

    @property
    def academic_year(self) -> int:
        return academic_year_for(TODAY)


def api(role: str, body: Callable[[Ctx], dict[str, Any]] | dict[str, Any] | None = None, **kw: Any) -> Post:
    return Post(role=role, body=body, form=False, json=True, **kw)


def page(role: str, body: dict[str, Any] | Callable[[Ctx], dict[str, Any]] | None = None, **kw: Any) -> Post:
    return Post(role=role, body=body, **kw)


ROUTES: dict[str, Post] = {
    "api-activity-trust-events": api(E, {"year": TODAY.year}),
    "api-audit-log": api(E, refused="read only: POST is answered 405"),
    "api-board-pack-list": api(E, lambda c: {}),
    "api-board-pack-retry": api(E, refused="only a failed pack can be retried; the fixture's is ready"),
    "api-calendar-year-create-default": api(E, {"start_year": 2030}),
    "api-evidence-list": api(
        E,
        lambda c: {
            "school": c.school,
            "evidence_type": "learning_walk",
            "observed_on": YESTERDAY.isoformat(),
            "summary": "Phonics walk.",
        },
    ),
    "api-import-cancel": api(E, lambda c: {}),
    "api-import-confirm": api(E, refused="the fixture's import run has no files"),
    "api-import-group": api(E, refused="the fixture has no GIAS group to choose"),
    "api-import-list": api(E, refused="an import needs CSV files (tests/schools cover uploads)"),
    "api-inspection-list": api(E, {"inspected_on": YESTERDAY.isoformat(), "judgements": {"inclusion": 2}}),
    "api-intervention-checkpoint": api(E, {"notes": "On track."}),
    "api-intervention-close": api(E, refused="closing needs cited evidence of impact, which the fixture lacks"),
    "api-intervention-list": api(
        E,
        lambda c: {
            "school": c.school,
            "title": "Maths recovery",
            "area_of_need": "send",
            "delivery_model": "in_school",
            "success_criteria": "Gap closed",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=120)).isoformat(),
            "targets": ["Close the gap"],
        },
    ),
    "api-intervention-transition": api(E, {"to_status": "impact_review"}),
    "api-member-list": api(E, {"email": "api.person@example.org", "role": "trustee"}),
    "api-plan-action-list": api(
        HT, {"description": "Coach Year 3", "owner": "Maths lead", "due_on": TODAY.isoformat()}
    ),
    "api-plan-agree": api(E, lambda c: {}),
    "api-plan-comment-list": api(E, {"body": "Well judged."}),
    "api-plan-priority-list": api(HT, {"title": "Improve attendance"}),
    "api-plan-school": api(HT, {}),
    "api-plan-update-list": api(HT, {"body": "Staff trained."}),
    "api-rating-list": api(
        E,
        lambda c: {
            "level": c.uuid("level_uuid"),
            "rationale": "Sound leadership.",
            "evidence": [c.uuid("evidence_uuid")],
            "override_reason": "Judged on visits.",
        },
    ),
    "api-register-list": api(
        E, {"name": "Alex Adviser", "role": "trust_staff", "areas": ["send"], "days_per_term": "2.0"}
    ),
    "api-request-accept": api(
        E,
        {
            "title": "Phonics support",
            "delivery_model": "in_school",
            "success_criteria": "Phonics check up",
            "starts_on": TODAY.isoformat(),
            "ends_on": (TODAY + datetime.timedelta(days=120)).isoformat(),
            "targets": ["Phonics"],
        },
    ),
    "api-request-decline": api(E, {"reason": "Covered by the hub."}),
    "api-request-list": api(HT, {"area": "send", "need": "SEND review needed."}),
    "api-review-list": api(
        E, lambda c: {"school": c.school, "review_type": "annual_review", "reviewed_on": YESTERDAY.isoformat()}
    ),
    "api-review-moderation-list": api(
        E,
        lambda c: {
            "area": c.area_code,
            "academic_year": c.academic_year,
            "agreed_grade": 2,
            "discussion": "Agreed.",
        },
    ),
    "api-scale-choose": api(E, refused="schools are rated on the fixture's scale, so it cannot be replaced"),
    "api-sef-accept": api(E, refused="the school has not submitted a self-evaluation"),
    "api-sef-return": api(E, refused="the school has not submitted a self-evaluation"),
    "api-sef-submit": api(HT, refused="the school has not started its self-evaluation"),
    "api-snapshot-list": api(E, lambda c: {}),
    "api-token-list": page(
        E, {"name": "Reporting tool"}, repeat_allowed="each token is a new secret shown once; two are two keys"
    ),
    "api-token-revoke": page(E),
    "api-visit-list": api(
        E, lambda c: {"school": c.school, "activity_type": "monitoring_visit", "planned_on": TODAY.isoformat()}
    ),
    "api-visit-record": api(E, {"status": "done", "notes": "Went well."}),
    "board-pack-generate": page(E),
    "board-pack-retry": page(E, refused="only a failed pack can be retried; the fixture's is ready"),
    "calendar-events-create": page(E),
    "calendar-feed-regenerate": page(
        E, repeat_allowed="each press gives a new address, shown once, and revokes the one before"
    ),
    "calendar-feed-revoke": page(E),
    "calendar-year-create-default": page(E),
    "calendar-year-edit": page(E),
    "evidence-create": page(E, {"summary": "Reading walk in Year 4."}),
    "evidence-delete": page(E),
    "evidence-edit": page(E),
    "import-cancel": page(E),
    "import-confirm": page(E, refused="the fixture's import run has no files"),
    "import-group": page(E, refused="the fixture has no GIAS group to choose"),
    "import-new": page(E, refused="an import needs CSV files (tests/schools cover uploads)"),
    "inspection-add": page(E, refused="the form's first choices mix report-card and graded judgements"),
    "inspection-edit": page(
        E, refused="the fixture's inspection predates report cards; the form's first choices are report-card grades"
    ),
    "intervention-checkpoint": page(E, {"notes": "On track.", "new_evidence_type": ""}),
    "intervention-close": page(E, refused="closing needs cited evidence of impact, which the fixture lacks"),
    "intervention-commission": page(
        E,
        {
            "title": "Reading recovery",
            "targets": "Raise reading",
            "success_criteria": "80% at expected",
            "ends_on": (TODAY + datetime.timedelta(days=120)).isoformat(),
            "lead_2": "",
            "lead_3": "",
        },
    ),
    "intervention-transition": page(E, {"to_status": "impact_review"}),
    "invitation-accept": page(E, refused="a signed-in person with another email may not accept it (409)"),
    "invitation-revoke": page(E),
    "joining-induction-complete": page(E, refused="the form names its date field per item"),
    "joining-induction-reopen": page(E, refused="the fixture's induction item is not done"),
    "joining-report-edit": page(E),
    "joining-report-ratify": page(E, refused="the fixture's report has unrated sections"),
    "joining-school-add": page(E, {"urn": "799001", "name": "Rowan Primary"}),
    "login": page(E),
    "logout": page(E),
    "member-edit": page(E, {"school": ""}),
    "member-invite": page(E, {"email": "new.person@example.org", "role": "trustee", "school": ""}),
    "member-remove": page(E),
    "password-confirm": page(E, {"password": PASSWORD}),
    "password_reset": page(E, {"email": "executive@alder.example.org"}),
    "password_reset_confirm": page(E, refused="the fixture's link token is not a real one"),
    "plan-action-add": page(HT, {"description": "Coach Year 6", "owner": "English lead", "due_on": TODAY.isoformat()}),
    "plan-action-edit": page(HT),
    "plan-agree": page(E),
    "plan-comment-add": page(E, {"body": "Good start."}),
    "plan-priority-add": page(HT, {"title": "Improve maths"}),
    "plan-priority-edit": page(HT),
    "plan-priority-remove": page(HT),
    "plan-start": page(HT),
    "plan-update-add": page(HT, {"body": "Training done."}),
    "rating-school": page(
        E,
        lambda c: {
            "rationale": "Strong leadership.",
            "override_reason": "Judged on visits.",
            "evidence": [c.uuid("evidence_uuid")],
        },
    ),
    "register-add": page(E, {"name": "Sam Expert", "areas": ["send"]}),
    "register-deactivate": page(E),
    "register-edit": page(E),
    "request-create": page(HT, {"need": "Help with phonics."}),
    "request-decline": page(E, {"reason": "Covered by the reading hub."}),
    "review-add": page(E, {"reviewed_on": YESTERDAY.isoformat()}, query="school={school}"),
    "review-edit": page(E),
    "review-moderate": page(E, {"discussion": "Agreed after talking."}),
    "scale-choose": page(E, refused="schools are rated on the fixture's scale, so it cannot be replaced"),
    "scale-level-edit": page(E),
    "school-attendance": page(E),
    "school-predictions": page(E),
    "school-predictions-upload": page(E, refused="an upload needs a file (tests/schools cover it)"),
    "sef-edit": page(HT),
    "sef-review": page(E, refused="the school has not submitted a self-evaluation"),
    "snapshot-take": page(E),
    "trust-security": page(E),
    "trust-security-unlock": page(E),
    "two-factor-disable": page(E, refused="an executive must keep two-factor sign-in"),
    "two-factor-enrol": page(E, refused="needs a code from an authenticator app"),
    "two-factor-recovery-codes": page(E, form=False),  # a button: new codes replace the old
    "two-factor-verify": page(E),
    "visit-add": page(E),
    "visit-edit": page(E),
    "visit-record": page(E, {"status": "done", "evidence_type": "", "summary": ""}),
}


def _post_routes() -> dict[str, str]:
    patterns = dict(_patterns(get_resolver()))
    return {name: patterns[name] for name, methods in EXPECTED.items() if "POST" in methods}


def test_every_post_route_is_in_the_table():
    routes = _post_routes()
    assert routes.keys() - ROUTES.keys() == set(), "say how to post these new routes twice"
    assert ROUTES.keys() - routes.keys() == set(), "these entries name no POST route"


def _row_counts() -> dict[str, int]:
    with scopes_disabled():
        return {
            model._meta.label_lower: model._base_manager.count()
            for model in apps.get_models()
            if model._meta.app_label in PROJECT_APPS and model._meta.label_lower not in NOT_COUNTED
        }


def _created(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {label: after[label] - before[label] for label in after if after[label] > before[label]}


def _form_body(client: Client, url: str) -> dict[str, Any] | None:
    """The page's form values; None when the page shows no form that posts to this URL."""
    response = client.get(url)
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}  # a POST-only route (a button on another page)
    parser = _Form()
    parser.feed(response.content.decode())
    path = url.split("?")[0]
    posts = [(action, data) for action, data in parser.forms if action.startswith("post")]
    for action, data in posts:
        if action.split(" ", 1)[1] in {"", path, url}:
            return {name: values if len(values) != 1 else values[0] for name, values in data.items()}
    return None


def _refusal(response: Any) -> str:
    """What makes this answer a clear refusal, or "" when it is not one."""
    if 400 <= response.status_code < 500:
        if "json" in response.get("Content-Type", ""):
            answer = json.loads(response.content)
            return f"{answer.get('message', '')} {answer.get('extra') or ''}".strip()
        return response.content.decode()[:200] if response.content else ""
    if response.status_code == 200 and response.context is not None:
        for value in (response.context[key] for key in response.context.keys()):  # noqa: SIM118 -- a ContextList iterates contexts
            if isinstance(value, (BaseForm, BaseFormSet)) and not value.is_valid() and value.is_bound:
                return f"form errors: {value.errors}"
    if response.status_code in {200, 302}:
        warnings = [str(m) for m in get_messages(response.wsgi_request) if m.level >= messages.WARNING]
        return "; ".join(warnings)
    return ""


def _send(client: Client, url: str, post: Post, body: dict[str, Any]) -> Any:
    if post.json:
        return client.post(url, json.dumps(body, default=str), content_type="application/json")
    return client.post(url, body)


@pytest.mark.django_db
def test_posting_twice_gives_one_row_or_a_clear_refusal(trust_a: TrustWorld):
    with scope(trust=trust_a.trust.pk):
        kwargs: dict[str, Any] = {}
        for area in AREAS:
            if hasattr(area, "url_kwargs"):
                kwargs.update(area.url_kwargs(trust_a))
    ctx = Ctx(world=trust_a, kwargs=kwargs)
    clients = {role: trust_a.client_for(role) for role in ROLES}
    clients["anonymous"] = Client()
    sessions = {role: c.cookies.get(settings.SESSION_COOKIE_NAME) for role, c in clients.items()}

    problems: list[str] = []
    for name, pattern in sorted(_post_routes().items()):
        post = ROUTES.get(name)
        if post is None:
            continue
        url = reverse(name, kwargs=_kwargs_for(pattern, kwargs))
        if post.query:
            url += "?" + post.query.format(school=trust_a.schools[0].uuid)
        client = clients[post.role]
        client.cookies = SimpleCookie()
        if sessions[post.role] is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[post.role].value
        with transaction.atomic():
            with scope(trust=trust_a.trust.pk):
                body = post.body(ctx) if callable(post.body) else dict(post.body or {})
            if post.form:
                shown = _form_body(client, url)
                if shown is None and not post.refused:
                    problems.append(f"{name}: the page shows no form that posts to {url}")
                body = {**(shown or {}), **body}
            start = _row_counts()
            first = _send(client, url, post, body)
            after_first = _row_counts()
            second = _send(client, url, post, body)
            after_second = _row_counts()
            transaction.set_rollback(True)
        if first.status_code >= 500 or second.status_code >= 500:
            problems.append(f"{name}: {first.status_code} then {second.status_code}")
            continue
        first_refused = _refusal(first) if first.status_code not in {201, 202, 204} else ""
        if post.refused:
            made = _created(start, after_second)
            if made:
                problems.append(f"{name}: refused posts made {made}")
            continue
        if first.status_code not in post.expect_first or first_refused:
            problems.append(f"{name}: the first post was not accepted ({first.status_code}): {first_refused[:300]}")
            continue
        again = _created(after_first, after_second)
        if again and not _refusal(second) and not post.repeat_allowed:
            problems.append(f"{name}: the second post made {again} ({second.status_code})")
    assert not problems, "\n".join(problems)

"""Every create form and POST endpoint, posted twice, gives one row or a clear refusal, never a 500.

For each URL pattern that takes a POST, the table below names who posts and what: a page's body
is filled from the form the page shows (its current and first-choice values) plus the given
values; API bodies are built from trust A's objects. Where the first post needs an object in a
particular state (a failed job, a submitted self-evaluation, an import's stored files), `setup`
makes it first. The same body is posted twice by the same person. The first post must be
accepted; the second must create no row of its own, or be refused in words (a 4xx with a message,
the form shown again with its errors, or a warning message after a redirect). A POST route
missing from the table fails the test.

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
from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_for
from interventions.models import Intervention, InterventionStatus
from reporting.models import BoardPack, BoardPackStatus
from reviews.models import JudgementArea
from reviews.services.areas import judgement_areas_ensure
from reviews.services.sef import EntryInput, current_academic_year, sef_save, sef_submit
from schools.forms import half_term_choices
from schools.models import DueDiligenceReport, ImportRun, ImportStatus, InductionItem
from schools.models.inspections import LEGACY_AREAS, REPORT_CARD_AREAS
from schools.models.joining import DUE_DILIGENCE_SECTIONS
from schools.services.imports import import_run_create
from schools.services.joining import due_diligence_update, induction_item_complete
from tests.conftest import ROLES, TrustWorld, build_trust_world, signed_in_client
from tests.factories import PASSWORD
from tests.matrix.common import HT, E
from tests.schools.test_import_gias import GROUP_LINKS
from tests.test_permission_matrix import AREAS, EXPECTED, _kwargs_for, _patterns
from tests.trust.test_two_factor import code_for
from trust.models import User

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
    # Why no first post can succeed (the route takes no POST at all); both posts must then still be
    # answered without a 5xx and without a row.
    refused: str = ""
    expect_first: set[int] = field(default_factory=lambda: {200, 201, 202, 204, 302})
    # Makes what a successful first post needs (inside the route's rolled-back savepoint and trust A's
    # scope); returns URL parameters to use instead of the shared ones, if any.
    setup: Callable[["Ctx"], dict[str, Any] | None] | None = None
    # Fresh uploads for each post (a file object is read once), sent as multipart with the body.
    files: Callable[["Ctx"], dict[str, Any]] | None = None
    # Who posts, when it is nobody's fixture client (someone set up by `setup`, or a session it prepared).
    client: Callable[["Ctx"], Client] | None = None


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

    @property
    def executive(self) -> User:
        return self.world.people[E]


# -- What a successful first post needs, made in the route's savepoint ---------------------------


def upload(*paths: Any) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv") for p in paths]


def gias_files(c: Ctx) -> dict[str, Any]:
    return {"files": upload(GROUP_LINKS)}


def gias_run(c: Ctx, *, group_uid: str = "3805", status: str = "") -> dict[str, Any]:
    """A GIAS import of the group-links file, previewed (for a group, unless group_uid is blank)."""
    run = import_run_create(
        trust=c.world.trust, actor=c.executive, kind="gias", uploaded_files=upload(GROUP_LINKS),
        options={"group_uid": group_uid},
    )  # fmt: skip
    if status:
        ImportRun.objects.filter(pk=run.pk).update(status=status, error="The worker stopped.", attempts=1)
    return {"import_run_uuid": run.uuid}


def failed_pack(c: Ctx) -> None:
    BoardPack.objects.filter(uuid=c.kwargs["pack_uuid"]).update(status=BoardPackStatus.FAILED, error="Stopped.")


def in_impact_review(c: Ctx) -> None:
    Intervention.objects.filter(uuid=c.kwargs["intervention_uuid"]).update(status=InterventionStatus.IMPACT_REVIEW)


def closing(c: Ctx) -> dict[str, Any]:
    impacts = ("impact_practice", "impact_systems", "impact_organisation", "impact_outcomes")
    return {**dict.fromkeys(impacts, "Clear gains."), "evidence": [c.uuid("evidence_uuid")]}


def graded_sef(c: Ctx, *, submitted: bool = True) -> None:
    school, head = c.world.schools[0], c.world.people[HT]
    entries = {area: EntryInput(self_grade=2) for area in judgement_areas_ensure(trust=c.world.trust)}
    sef = sef_save(school=school, actor=head, academic_year=current_academic_year(), entries=entries)
    if submitted:
        sef_submit(self_evaluation=sef, actor=head)


def ungraded_except(era: str) -> dict[str, str]:
    """Blank every judgement of the other era (the page's first choices fill both)."""
    other = LEGACY_AREAS if era == "report_card" else REPORT_CARD_AREAS
    prefix = "legacy_" if era == "report_card" else "rc_"
    blanks = {f"{prefix}{area}": "" for area in other}
    return blanks if era == "report_card" else {**blanks, "safeguarding_met": ""}


def rated_report(c: Ctx) -> None:
    due_diligence_update(
        report=DueDiligenceReport.objects.get(uuid=c.kwargs["report_uuid"]),
        actor=c.executive,
        summary="Ready to join.",
        findings={section: {"rag": "green"} for section in DUE_DILIGENCE_SECTIONS},
    )


def done_induction_item(c: Ctx) -> None:
    item = InductionItem.objects.get(uuid=c.kwargs["induction_item_uuid"])
    induction_item_complete(item=item, actor=c.executive, completed_on=TODAY)


def reset_link(c: Ctx) -> dict[str, Any]:
    return {"uidb64": urlsafe_base64_encode(force_bytes(c.executive.pk)), "token": "set-password"}


def following_reset_link(c: Ctx) -> Client:
    """A visitor who opened the emailed link: Django keeps its token in the session and drops it from the URL."""
    client = Client()
    uidb64 = urlsafe_base64_encode(force_bytes(c.executive.pk))
    token = default_token_generator.make_token(c.executive)
    opened = client.get(reverse("password_reset_confirm", kwargs={"uidb64": uidb64, "token": token}))
    assert opened.status_code == 302, "the reset link should forward to the set-password page"
    return client


def head_with_authenticator(c: Ctx) -> None:
    TOTPDevice.objects.create(user=c.world.people[HT], name="Authenticator app", confirmed=True)


def code_of_new_authenticator(c: Ctx) -> dict[str, Any]:
    # The page has just made the authenticator waiting to be scanned; its app would show this code.
    return {"code": code_for(TOTPDevice.objects.get(user=c.world.people[HT], confirmed=False))}


def trust_without_scale(c: Ctx) -> dict[str, Any]:
    """A third trust, made here, with no support scale yet (trust A's is rated, so it is never replaced)."""
    world = build_trust_world("Cedar Trust", "cedar", 730_000)
    return {"trust_slug": world.trust.slug, "poster": world.people[E]}


def as_poster(c: Ctx) -> Client:
    return signed_in_client(c.kwargs["poster"])


def as_head(c: Ctx) -> Client:
    # Signed in again once the setup has given the headteacher an authenticator, so the code step is done.
    return signed_in_client(c.world.people[HT])


def predictions_file(c: Ctx) -> dict[str, Any]:
    rows = b"Year group,Subject,Percent on track\nYear 6,Maths,81\n"
    return {"file": SimpleUploadedFile("predictions.csv", rows, content_type="text/csv")}


def api(role: str, body: Callable[[Ctx], dict[str, Any]] | dict[str, Any] | None = None, **kw: Any) -> Post:
    return Post(role=role, body=body, form=False, json=True, **kw)


def page(role: str, body: dict[str, Any] | Callable[[Ctx], dict[str, Any]] | None = None, **kw: Any) -> Post:
    return Post(role=role, body=body, **kw)


ROUTES: dict[str, Post] = {
    "api-activity-trust-events": api(E, {"year": TODAY.year}),
    "api-audit-log": api(E, refused="read only: POST is answered 405"),
    "api-board-pack-list": api(E, lambda c: {}),
    "api-board-pack-retry": api(E, lambda c: {}, setup=failed_pack),
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
    "api-import-confirm": api(E, lambda c: {}, setup=gias_run),
    "api-import-group": api(E, {"group_uid": "3805"}, setup=lambda c: gias_run(c, group_uid="")),
    "api-import-list": Post(E, {"kind": "gias", "group_uid": "3805"}, form=False, files=gias_files),
    "api-import-retry": api(E, lambda c: {}, setup=lambda c: gias_run(c, status=ImportStatus.FAILED)),
    "api-inspection-list": api(E, {"inspected_on": YESTERDAY.isoformat(), "judgements": {"inclusion": 2}}),
    "api-intervention-checkpoint": api(E, {"notes": "On track."}),
    "api-intervention-close": api(E, closing, setup=in_impact_review),
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
    "api-scale-choose": Post(
        E, {"template": "four_phases"}, form=False, json=True, setup=trust_without_scale, client=as_poster
    ),
    "api-sef-accept": api(E, {"comments": "Well evidenced."}, setup=graded_sef),
    "api-sef-return": api(E, {"comments": "Add the attendance figures."}, setup=graded_sef),
    "api-sef-submit": api(HT, lambda c: {}, setup=lambda c: graded_sef(c, submitted=False)),
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
    "board-pack-retry": page(E, setup=failed_pack),
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
    "import-confirm": page(E, setup=gias_run),
    "import-group": page(E, {"group_uid_typed": "3805"}, setup=lambda c: gias_run(c, group_uid="")),
    "import-new": page(E, {"group_uid": "3805"}, files=gias_files),
    "import-retry": page(E, setup=lambda c: gias_run(c, status=ImportStatus.FAILED)),
    # The page's first choices fill both eras' judgements: keep the ones of the inspection's era.
    "inspection-add": page(E, {"inspected_on": YESTERDAY.isoformat(), **ungraded_except("report_card")}),
    "inspection-edit": page(E, ungraded_except("legacy")),
    "intervention-checkpoint": page(E, {"notes": "On track.", "new_evidence_type": ""}),
    "intervention-close": page(E, closing, setup=in_impact_review),
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
    # The invitee, new to Trustwide, makes an account as they accept (signed in, another email is refused).
    "invitation-accept": page(
        "anonymous",
        {"full_name": "Ines Invitee", "password1": "long enough passphrase 7", "password2": "long enough passphrase 7"},
    ),
    "invitation-revoke": page(E),
    "joining-induction-complete": page(E, {"completed_on": TODAY.isoformat()}),
    "joining-induction-reopen": page(E, setup=done_induction_item),
    "joining-report-edit": page(E),
    "joining-report-ratify": page(E, {"ratified_on": TODAY.isoformat()}, setup=rated_report),
    "joining-school-add": page(E, {"urn": "799001", "name": "Rowan Primary"}),
    "login": page(E),
    "logout": page(E),
    "member-edit": page(E, {"school": ""}),
    "member-invite": page(E, {"email": "new.person@example.org", "role": "trustee", "school": ""}),
    "member-remove": page(E),
    "password-confirm": page(E, {"password": PASSWORD}),
    "password_reset": page(E, {"email": "executive@alder.example.org"}),
    "password_reset_confirm": page(
        "anonymous",
        {"new_password1": "another long passphrase 9", "new_password2": "another long passphrase 9"},
        setup=reset_link,
        client=following_reset_link,
    ),
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
    "scale-choose": page(E, {"template": "four_phases"}, setup=trust_without_scale, client=as_poster),
    "scale-level-edit": page(E),
    "school-attendance": page(E),
    "school-predictions": page(E),
    "school-predictions-upload": page(E, lambda c: {"half_term": half_term_choices()[0][0]}, files=predictions_file),
    "sef-edit": page(HT),
    "sef-review": page(E, {"comments": "Well evidenced."}, setup=graded_sef),
    "snapshot-take": page(E),
    "trust-security": page(E),
    "trust-security-unlock": page(E),
    # A headteacher may turn it off (a leader may not); the setup gives them an authenticator first.
    "two-factor-disable": page(HT, setup=head_with_authenticator, client=as_head),
    "two-factor-enrol": page(HT, code_of_new_authenticator),
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


def _send(client: Client, url: str, post: Post, body: dict[str, Any], ctx: Ctx) -> Any:
    if post.json:
        return client.post(url, json.dumps(body, default=str), content_type="application/json")
    if post.files is not None:
        with scope(trust=ctx.world.trust.pk):
            return client.post(url, {**body, **post.files(ctx)})
    return client.post(url, body)


@pytest.mark.django_db
def test_posting_twice_gives_one_row_or_a_clear_refusal(trust_a: TrustWorld, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # imports store their uploads
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
        client = clients[post.role]
        client.cookies = SimpleCookie()
        if sessions[post.role] is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = sessions[post.role].value
        with transaction.atomic():
            route = ctx
            with scope(trust=trust_a.trust.pk):
                if post.setup is not None:
                    route = Ctx(world=trust_a, kwargs={**kwargs, **(post.setup(ctx) or {})})
                if post.client is not None:
                    client = post.client(route)
            url = reverse(name, kwargs=_kwargs_for(pattern, route.kwargs))
            if post.query:
                url += "?" + post.query.format(school=trust_a.schools[0].uuid)
            shown = _form_body(client, url) if post.form else {}
            if shown is None:
                problems.append(f"{name}: the page shows no form that posts to {url}")
            # After the page is shown: some bodies answer what the page made (a new authenticator's code).
            with scope(trust=trust_a.trust.pk):
                body = {**(shown or {}), **(post.body(route) if callable(post.body) else dict(post.body or {}))}
            start = _row_counts()
            first = _send(client, url, post, body, route)
            after_first = _row_counts()
            second = _send(client, url, post, body, route)
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

"""Every main page, as the people who use it, checked with axe-core in a real browser."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import Page

from reporting.services.snapshots import snapshot_take
from reviews.services.areas import judgement_areas_ensure
from reviews.services.reviews import review_record
from schools.models import InspectionSource
from schools.services.inspections import inspection_record
from schools.services.joining import prospective_school_add
from tests.conftest import TrustWorld
from tests.e2e.conftest import assert_accessible, sign_in
from tests.factories import PASSWORD
from trust.scales.services import scale_create_from_template

EXECUTIVE_PAGES = [
    ("school-list", {}),
    ("school-detail", {"school": 0}),
    ("inspection-radar", {}),
    ("inspection-add", {"school": 0}),
    ("school-attendance", {"school": 0}),
    ("school-predictions", {"school": 0}),
    ("import-list", {}),
    ("import-new", {"import_kind": "gias"}),
    ("import-new", {"import_kind": "performance"}),
    ("joining-home", {}),
    ("joining-school-add", {}),
    ("joining-report-edit", {"report": True}),
    ("scale-detail", {}),
    ("evidence-list", {}),
    ("evidence-create", {}),
    ("sef-list", {}),
    ("review-list", {}),
    ("review-due", {}),
    ("review-grid", {"school": 0}),
    ("review-heat-map", {}),
    ("rating-school", {"school": 0}),
    ("rating-overstays", {}),
    ("register-list", {}),
    ("register-add", {}),
    ("register-broker", {}),
    ("plan-school", {"school": 0}),
    ("plan-health", {}),
    ("intervention-list", {}),
    ("intervention-commission", {}),
    ("request-list", {}),
    ("calendar-month", {}),
    ("calendar-week", {}),
    ("visit-mine", {}),
    ("visit-summary", {}),
    ("visit-load", {}),
    ("visit-add", {}),
    ("calendar-year-list", {}),
    ("calendar-feed", {}),
    ("dashboard", {}),
    *[
        ("dashboard-tile", {"tile": tile})
        for tile in ("levels", "movement", "overstays", "ofsted", "measures", "interventions", "visits", "plans", "sef")
    ],
    ("school-summary", {"school": 0}),
    ("snapshot-list", {}),
    ("snapshot-detail", {"snapshot": True}),
    ("board-pack-list", {}),
    ("board-pack-generate", {}),
]
HEADTEACHER_PAGES = [
    ("school-detail", {"school": 0}),
    ("school-predictions", {"school": 0}),
    ("sef-edit", {"school": 0}),
    ("rating-school", {"school": 0}),
    ("plan-school", {"school": 0}),
    ("evidence-list", {}),
    ("intervention-list", {}),
    ("request-create", {}),
    ("calendar-month", {}),
    ("visit-school", {"school": 0}),
    ("calendar-feed", {}),
    ("school-summary", {"school": 0}),
]


def _url(world: TrustWorld, name: str, params: dict, report_uuid: object, snapshot_uuid: object = None) -> str:
    kwargs: dict[str, object] = {"trust_slug": world.trust.slug}
    if "school" in params:
        kwargs["school_uuid"] = world.schools[params["school"]].uuid
    if "import_kind" in params:
        kwargs["import_kind"] = params["import_kind"]
    if params.get("report"):
        kwargs["report_uuid"] = report_uuid
    if params.get("snapshot"):
        kwargs["snapshot_uuid"] = snapshot_uuid
    if "tile" in params:
        kwargs["tile"] = params["tile"]
    return reverse(name, kwargs=kwargs)


def test_every_main_page_has_no_serious_accessibility_violation(live_server, page: Page, trust_a: TrustWorld):
    with scope(trust=trust_a.trust.pk):
        executive = trust_a.people["executive"]
        scale_create_from_template(trust=trust_a.trust, actor=executive, template_key="four_phases")
        inspection_record(
            school=trust_a.schools[0],
            inspected_on=datetime.date(2023, 5, 17),
            judgements={"overall_effectiveness": 3},
            source=InspectionSource.GIAS,
        )
        joining = prospective_school_add(trust=trust_a.trust, actor=executive, urn=731234, name="Rowan Primary")
        # Every grade in the heat map and grid, so their shading is checked for contrast too.
        areas = judgement_areas_ensure(trust=trust_a.trust)
        review_record(
            school=trust_a.schools[0],
            actor=executive,
            review_type="annual_review",
            reviewed_on=datetime.date(2026, 10, 1),
            judgements={area: index % 5 + 1 for index, area in enumerate(areas)},
            capacity="good",
        )
        report_uuid = joining.due_diligence.uuid
        snapshot_uuid = snapshot_take(trust=trust_a.trust, actor=None, today=timezone.localdate()).uuid

    base = live_server.url
    sign_in(page, base, trust_a.people["executive"].email, PASSWORD)
    for name, params in EXECUTIVE_PAGES:
        response = page.goto(base + _url(trust_a, name, params, report_uuid, snapshot_uuid))
        assert response is not None and response.status == 200, name
        assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, base, trust_a.people["headteacher"].email, PASSWORD)
    for name, params in HEADTEACHER_PAGES:
        response = page.goto(base + _url(trust_a, name, params, report_uuid, snapshot_uuid))
        assert response is not None and response.status == 200, name
        assert_accessible(page)

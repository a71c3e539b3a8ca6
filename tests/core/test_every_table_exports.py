"""Every table a person can see downloads as CSV and as Excel, with the filters the page shows.

Each page below is opened as someone allowed to see it; it must offer a CSV and an XLSX link,
and every such link must answer with a file of the right type that starts with a header row.
Trust A's objects come from the permission matrix's builders, so these are the same pages the
matrix checks for access.
"""

import csv
import datetime
import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from openpyxl import load_workbook

from core.academic import academic_year_for, academic_year_label
from core.exports import XLSX_TYPE
from interventions.models import Expert, PlanAction, PlanPriority
from reviews.models import Evidence, EvidenceType
from reviews.selectors.ratings import add_months
from reviews.services.ratings import rating_decide
from schools.models import ImportRun, MeasureValue
from schools.services.predictions import predictions_save, subjects_for, year_groups_for
from tests.matrix import (
    calendar_years,
    imports,
    interventions,
    joining,
    plans,
    ratings,
    register,
    requests,
    reviews,
    schools,
    visits,
)
from tests.matrix import trust as trust_area
from tests.matrix.common import HT, IL, SP, E
from trust.models import SupportLevel

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LAST_YEAR = academic_year_for(TODAY) - 1  # the predictions page offers this year's and last year's half-terms
LINK = re.compile(r'href="(\?[^"]*format=(csv|xlsx)[^"]*)"')


@pytest.fixture
def world(trust_a: Any) -> Any:
    """Trust A with something in every table: the matrix's objects, an overstay, predictions and figures."""
    with scope(trust=trust_a.trust.pk):
        found: dict[str, Any] = {}
        for area in (trust_area, calendar_years, imports, interventions, joining, plans, ratings):
            found.update(area.url_kwargs(trust_a))
        for area in (register, requests, reviews, schools, visits):
            found.update(area.url_kwargs(trust_a))
        first, second = trust_a.schools
        stabilise = SupportLevel.objects.get(scale__trust=trust_a.trust, name="Stabilise")
        for school, months in ((second, 11), (first, 2)):
            walk = Evidence.objects.create(
                school=school,
                evidence_type=EvidenceType.LEARNING_WALK,
                observed_on=add_months(TODAY, -months) - datetime.timedelta(days=7),
                summary="=HYPERLINK() walk",
            )
            rating_decide(
                school=school,
                actor=trust_a.people[E],
                level=stabilise,
                effective_on=add_months(TODAY, -months),
                rationale="Stabilise first.",
                override_reason="Not yet secure.",
                evidence=[walk],
            )
        grid = {(yg, subject): "55" for yg in year_groups_for(first) for subject in subjects_for(first)}
        predictions_save(school=first, actor=trust_a.people[E], academic_year=LAST_YEAR, half_term=2, cells=grid)
        PlanAction.objects.create(
            priority=PlanPriority.objects.get(uuid=found["priority_uuid"]),
            description="Overdue: book the moderation",
            owner="Deputy head",
            due_on=TODAY - datetime.timedelta(days=10),
        )
        ImportRun.objects.filter(uuid=found["import_run_uuid"]).update(
            preview={
                "created": 0,
                "updated": 1,
                "unchanged": 1,
                "changes": [
                    {"urn": first.urn, "name": first.name, "action": "update", "fields": {"name": ["Old", "New"]}}
                ],
                "skipped": [{"row": 7, "urn": "", "reason": "No URN"}],
            }
        )
        for year, value in ((2022, 61), (2023, 64)):
            MeasureValue.objects.create(school=first, measure="ks2_rwm_expected", academic_year=year, value=value)
        found["specialist_expert_uuid"] = Expert.objects.get(user=trust_a.people[SP]).uuid
        trust_a.found = found
    return trust_a


@dataclass(frozen=True)
class Page:
    name: str
    kwargs: Callable[[Any], dict[str, Any]]
    headers: list[str]  # the first download on the page starts with these columns
    role: str = E
    query: str = ""


def none(world: Any) -> dict[str, Any]:
    return {}


def school_1(world: Any) -> dict[str, Any]:
    return {"school_uuid": world.schools[0].uuid}


def found(*names: str, **renamed: str) -> Callable[[Any], dict[str, Any]]:
    def kwargs(world: Any) -> dict[str, Any]:
        return {**{n: world.found[n] for n in names}, **{k: world.found[v] for k, v in renamed.items()}}

    return kwargs


def broker_query(world: Any) -> str:
    start = TODAY + datetime.timedelta(days=7)
    end = start + datetime.timedelta(days=30)
    return f"school={world.schools[1].uuid}&area=maths&starts_on={start}&ends_on={end}&days=2"


def load_query(world: Any) -> str:
    return f"date={TODAY - datetime.timedelta(days=3)}&weeks=2"


PAGES = [
    # trust/
    Page("member-list", none, ["Name", "Email", "Role", "School"]),
    Page("api-token-list", none, ["Name", "Created", "Last used"]),
    Page("calendar-year-list", none, ["Academic year", "Half-term", "Starts", "Ends"]),
    Page("scale-detail", none, ["Position", "Level", "Description"]),
    # schools/
    Page("school-list", none, ["URN", "School", "Phase"]),
    Page("inspection-radar", none, ["Likely inspected", "URN", "School"]),
    Page("school-detail", school_1, ["Inspected on", "Era", "Source", "Type", "Area", "Judgement"]),
    Page("school-predictions", school_1, ["Half-term", "Year group"], query=f"half_term={LAST_YEAR}-2"),
    Page("import-list", none, ["Started", "Import", "GIAS group", "Files", "Status"]),
    Page("import-detail", found("import_run_uuid"), ["School", "URN", "Change", "Details"]),
    Page("joining-home", none, ["School", "URN", "Local authority", "Due diligence sections rated", "Sections"]),
    Page("joining-report", found("report_uuid"), ["Section", "RAG rating", "Findings", "Evidence"]),
    Page("joining-induction", found("joining_school_uuid"), ["Step", "Status", "Done on", "Done by"]),
    # reviews/
    Page("evidence-list", none, ["Date observed"]),
    Page("review-list", none, ["School", "URN", "Type", "Date"]),
    Page("review-due", none, ["School", "URN", "Ofsted outcome"]),
    Page("review-detail", found("review_uuid"), ["School", "Review", "Date", "Area", "Judgement"]),
    Page("review-school", school_1, ["School", "URN", "Type", "Date"]),
    Page("review-grid", school_1, ["Area", "School's self-grade", "Trust's latest judgement"]),
    Page("review-heat-map", none, ["School", "URN", "Area", "Grade"]),
    Page("sef-list", none, ["School", "URN", "Academic year", "Status", "Submitted", "Reviewed", "Last changed"]),
    Page("rating-school", school_1, ["Indicator", "Value", "Why"]),
    Page("rating-school", school_1, ["Took effect", "Level", "Why"], role=HT),
    Page("rating-overstays", none, ["School", "URN", "Level", "Since"]),
    # interventions/
    Page("intervention-list", none, []),
    Page("intervention-mine", none, []),
    Page("intervention-detail", found("intervention_uuid"), ["Person", "Role", "Home school", "Days"]),
    Page("plan-school", school_1, ["Priority", "Action", "Owner", "Due"]),
    Page("plan-health", none, []),
    Page("register-list", none, ["Name", "Role", "Home school"]),
    Page("register-broker", none, ["Rank", "Person", "Role"], query="broker"),
    Page("register-detail", found(expert_uuid="specialist_expert_uuid"), ["Intervention", "School", "Starts"]),
    Page("request-list", none, ["Asked on", "School", "Area", "Urgency", "Need", "Answer"]),
    Page("calendar-month", none, ["Date", "Visit", "School", "Type", "Owner", "Status"]),
    Page("visit-mine", none, ["List", "Date", "Visit"]),
    Page("visit-school", school_1, ["When", "Date", "Visit"]),
    Page("visit-summary", none, ["School", "Term", "Planned", "Done"]),
    Page("visit-load", none, ["Owner"], query="load"),
]


def page_url(world: Any, page: Page) -> str:
    url = reverse(page.name, kwargs={"trust_slug": world.trust.slug, **page.kwargs(world)})
    query = {"broker": broker_query, "load": load_query}.get(page.query, lambda w: page.query)(world)
    return f"{url}?{query}" if query else url


def export_links(client: Client, url: str) -> list[tuple[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [(html.unescape(href), fmt) for href, fmt in LINK.findall(response.content.decode())]


def header_row(response: Any, fmt: str) -> list[str]:
    if fmt == "csv":
        assert response["Content-Type"].startswith("text/csv")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return next(csv.reader(io.StringIO(text)))
    assert response["Content-Type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [str(cell.value) for cell in next(sheet.iter_rows(max_row=1))]


def rows_of(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.name}-as-{p.role}")
def test_each_table_page_links_to_csv_and_xlsx_and_both_download(world, page):
    client = world.client_for(page.role)
    url = page_url(world, page)
    links = export_links(client, url)
    assert {fmt for _, fmt in links} == {"csv", "xlsx"}, f"{page.name} has no CSV and Excel links"
    base = url.split("?")[0]
    for position, (href, fmt) in enumerate(links):
        response = client.get(base + href)
        assert response.status_code == 200, href
        assert "attachment" in response["Content-Disposition"]
        assert f"{world.trust.slug}-" in response["Content-Disposition"]
        headers = header_row(response, fmt)
        assert headers and all(headers), href
        if position < 2:  # the first table's pair
            assert headers[: len(page.headers)] == page.headers


def test_export_links_keep_the_filters_and_drop_the_page_number(world):
    client = world.client_for(E)
    url = reverse("sef-list", kwargs={"trust_slug": world.trust.slug})
    links = export_links(client, f"{url}?year=2023&page=3")
    assert sorted(href for href, _ in links) == ["?year=2023&format=csv", "?year=2023&format=xlsx"]


def test_the_self_evaluation_download_is_of_the_year_chosen(world):
    client = world.client_for(E)
    url = reverse("sef-list", kwargs={"trust_slug": world.trust.slug})
    rows = rows_of(client.get(f"{url}?year=2023&format=csv"))
    assert {row[2] for row in rows[1:]} == {academic_year_label(2023)}
    assert {world.schools[0].name, world.schools[1].name} <= {row[0] for row in rows[1:]}


def test_the_calendar_download_honours_the_school_filter(world):
    client = world.client_for(E)
    url = reverse("calendar-month", kwargs={"trust_slug": world.trust.slug})
    visit_day = TODAY - datetime.timedelta(days=3)
    month = f"year={visit_day.year}&month={visit_day.month}"
    everything = rows_of(client.get(f"{url}?{month}&format=csv"))
    assert "Matrix visit" in {row[1] for row in everything}
    other = rows_of(client.get(f"{url}?{month}&school={world.schools[1].uuid}&format=csv"))
    assert "Matrix visit" not in {row[1] for row in other}
    assert {row[2] for row in other[1:]} <= {world.schools[1].name, "Trust-wide"}


def test_find_support_downloads_the_suggestions_for_the_need_asked(world):
    client = world.client_for(E)
    url = reverse("register-broker", kwargs={"trust_slug": world.trust.slug})
    rows = rows_of(client.get(f"{url}?{broker_query(world)}&format=csv"))
    assert "Priya Raman" in {row[1] for row in rows[1:]}
    # Without a need there are no suggestions, so no download: the page is shown instead.
    assert client.get(f"{url}?format=csv")["Content-Type"].startswith("text/html")


def test_the_predictions_download_is_of_the_half_term_chosen(world):
    client = world.client_for(E)
    url = reverse("school-predictions", kwargs={"trust_slug": world.trust.slug, "school_uuid": world.schools[0].uuid})
    chosen = rows_of(client.get(f"{url}?half_term={LAST_YEAR}-2&format=csv"))
    assert {float(row[-1]) for row in chosen[1:]} == {55.0}
    other = rows_of(client.get(f"{url}?half_term={LAST_YEAR}-1&format=csv"))
    assert {cell for row in other[1:] for cell in row[2:]} == {""}


def test_owners_load_download_covers_the_weeks_shown(world):
    client = world.client_for(E)
    url = reverse("visit-load", kwargs={"trust_slug": world.trust.slug})
    rows = rows_of(client.get(f"{url}?{load_query(world)}&format=csv"))
    assert len(rows[0]) == 1 + 2 + 2  # owner, two weeks, total, clash days
    totals = {row[0]: int(row[-2]) for row in rows[1:]}
    assert totals[str(world.people[IL])] >= 1


def test_members_and_open_invitations_are_separate_downloads(world):
    client = world.client_for(E)
    url = reverse("member-list", kwargs={"trust_slug": world.trust.slug})
    members = rows_of(client.get(f"{url}?format=csv"))
    invitations = rows_of(client.get(f"{url}?table=invitations&format=csv"))
    assert len(members) == 1 + len(world.people)
    assert invitations[0] == ["Email", "Role", "School", "Expires"]
    assert [row[0] for row in invitations[1:]] == ["invitee@example.org"]


def test_api_tokens_download_never_holds_the_key(world):
    client = world.client_for(E)
    url = reverse("api-token-list", kwargs={"trust_slug": world.trust.slug})
    rows = rows_of(client.get(f"{url}?format=csv"))
    assert rows[0] == ["Name", "Created", "Last used"]
    assert [row[0] for row in rows[1:]] == ["matrix"]


def test_a_school_level_reader_downloads_only_what_its_page_shows(world):
    headteacher = world.client_for(HT)
    url = reverse("rating-school", kwargs={"trust_slug": world.trust.slug, "school_uuid": world.schools[0].uuid})
    rows = rows_of(headteacher.get(f"{url}?format=csv"))
    assert rows[0] == ["Took effect", "Level", "Why"]
    other = reverse("rating-school", kwargs={"trust_slug": world.trust.slug, "school_uuid": world.schools[1].uuid})
    assert headteacher.get(f"{other}?format=csv").status_code == 404


def test_the_current_academic_year_is_the_default_for_self_evaluation(world):
    client = world.client_for(E)
    url = reverse("sef-list", kwargs={"trust_slug": world.trust.slug})
    rows = rows_of(client.get(f"{url}?format=csv"))
    assert rows[1][2] == academic_year_label(academic_year_for(TODAY))

"""The trust dashboard, the lists behind its tiles (with filters and exports) and the one-page school summary."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled
from openpyxl import load_workbook

from interventions.models import Activity, ActivitySource, InterventionStatus
from reporting.metrics_schema import trust_wide_part
from reporting.models import Snapshot, SnapshotKind
from reporting.selectors.metrics import trust_metrics
from schools.models import ComparatorLevel, ComparatorValue, InYearPrediction, MeasureValue
from tests.conftest import signed_in_client
from tests.factories import MembershipFactory, SchoolFactory, TrustFactory
from tests.interventions.test_interventions import make_intervention
from tests.interventions.test_visits import add, record
from tests.matrix.common import GV, HT, IL, TR, E
from tests.reporting.test_figures import metrics_document
from tests.reviews.test_ratings import TODAY, decide, evidence, months_ago
from tests.reviews.test_ratings import world as world  # noqa: PLC0414 -- the fixture: four phases, school 1 inspected

pytestmark = pytest.mark.django_db
BASE = "/t/alder"
TILES = ["levels", "movement", "overstays", "ofsted", "measures", "interventions", "visits", "plans", "sef"]


@pytest.fixture
def trust(world):
    """School 1 in Stabilise for ten months (an overstay) with an active intervention whose checkpoint is overdue;
    school 2 moved up from Repair to Improve today. This term: three visits, one done, one missed."""
    school1, school2 = world.schools
    with scope(trust=world.trust.pk):
        decide(world, effective_on=months_ago(10), rationale="Inadequate; the trust directs improvement.")
        decide(
            world,
            "Repair",
            school=school2,
            effective_on=months_ago(10),
            items=[evidence(school2)],
            override_reason="Weak outcomes.",
        )
        decide(
            world,
            "Improve",
            school=school2,
            items=[evidence(school2)],
            rationale="Leadership now secure; outcomes rising.",
            override_reason="Secure leadership.",
        )
        # Deciding a level plans that level's visits across the year: left out, so this term's counts are known.
        Activity.objects.filter(source=ActivitySource.LEVEL).delete()
    make_intervention(world, status=InterventionStatus.ACTIVE, title="Phonics catch-up")
    record(world, add(world, school=0, on=TODAY), status="done")
    record(world, add(world, school=1, on=TODAY), status="missed")
    add(world, school=1, on=TODAY)
    return world


def page(world, url, role=E):
    response = world.client_for(role).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows_of_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- the dashboard ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [E, TR, IL])
def test_the_dashboard_leads_with_the_headline_figures_in_words(trust, role):
    html = page(trust, f"{BASE}/dashboard/", role)
    headline = html[html.index('data-testid="headline"') : html.index("</ul>", html.index('data-testid="headline"'))]
    assert "<strong>2</strong> schools in the trust; <strong>2</strong> have a support level" in headline
    assert "<strong>1</strong> school needs the most intensive support" in headline
    assert "<strong>1</strong> moved up (needing less support), <strong>0</strong> moved down" in headline
    assert "<strong>1</strong> school has stayed on a level longer than expected" in headline
    assert "<strong>1</strong> intervention under way, with <strong>1</strong> overdue checkpoint" in headline
    assert "<strong>3</strong> planned, <strong>1</strong> done, <strong>1</strong> missed" in headline
    assert html.index('data-testid="headline"') < html.index('id="levels-h"')


def test_the_levels_tile_counts_schools_per_level_with_a_chart_and_links_to_its_list(trust):
    html = page(trust, f"{BASE}/dashboard/")
    assert '<a href="/t/alder/dashboard/levels/?level=1">Stabilise</a></th>\n      <td>1</td>' in html
    assert '<a href="/t/alder/dashboard/levels/?level=3">Improve</a></th>\n      <td>1</td><td>1</td>' in html
    assert '<title id="levels-chart-t">Schools by support level' in html
    assert "Stabilise: 1; Repair: 0; Improve: 1; Sustain: 0." in html  # the chart's text alternative


def test_every_tile_links_to_its_list(trust):
    html = page(trust, f"{BASE}/dashboard/")
    for tile in TILES:
        assert f'href="/t/alder/dashboard/{tile}/' in html


def test_the_overstay_and_the_school_links_go_to_the_timeline_and_the_summary(trust):
    html = page(trust, f"{BASE}/dashboard/")
    school1 = trust.schools[0]
    assert f'<a href="/t/alder/schools/{school1.uuid}/">{school1.name}</a>' in html
    assert f'href="/t/alder/schools/{school1.uuid}/summary/"' in html
    assert "Stabilise for 10 months (expected 8)" in html


def test_the_levels_trend_reads_past_snapshots_and_ends_with_today(trust):
    with scope(trust=trust.trust.pk):
        earlier = metrics_document(academic_year=2020, half_term=1, counts=(2, 0, 0), unrated=0)
        earlier["scale"] = [{"name": "Stabilise", "position": 1, "colour": ""}]
        earlier["levels"] = earlier["levels"][:1]
        Snapshot.objects.create(
            trust=trust.trust,
            academic_year=2020,
            half_term=1,
            kind=SnapshotKind.HALF_TERM_END,
            as_of="2020-10-20",
            metrics=earlier,
            summary=trust_wide_part(earlier),
        )
    html = page(trust, f"{BASE}/dashboard/")
    assert '<title id="levels-trend-t">Schools on each support level by half-term</title>' in html
    assert "Stabilise: Autumn 1 2020/21 2, " in html


def test_without_earlier_snapshots_there_is_no_trend_line_and_the_page_says_why(trust):
    html = page(trust, f"{BASE}/dashboard/")
    assert "levels-trend-t" not in html
    assert "A trend over half-terms appears once the trust has a snapshot from an earlier half-term." in html


def test_interventions_are_counted_by_status_and_impact_by_delivery_model(trust):
    html = page(trust, f"{BASE}/dashboard/")
    assert '<a href="/t/alder/dashboard/interventions/?status=active">Active</a></th><td>1</td>' in html
    assert '<a href="/t/alder/dashboard/interventions/?overdue=1">1 overdue checkpoint</a>' in html
    assert "<caption>Impact by delivery model</caption>" in html


def test_a_new_trust_with_no_schools_or_ratings_renders_in_plain_words(db):
    with scopes_disabled():
        new = TrustFactory(slug="rowan")
        executive = MembershipFactory(trust=new, role=E).user
    client = signed_in_client(executive)  # an executive completes two-factor sign-in too
    html = client.get("/t/rowan/dashboard/").content.decode()
    assert "The trust has no member schools yet" in html
    assert "The trust has not chosen a support scale yet" in html
    assert "No interventions yet." in html
    for tile in TILES:
        response = client.get(f"/t/rowan/dashboard/{tile}/")
        assert "The trust has no member schools yet." in response.content.decode()


def test_schools_without_ratings_are_shown_as_not_yet_rated(trust_a):
    html = page(trust_a, f"{BASE}/dashboard/movement/")
    assert html.count("Not yet rated") >= 2


def test_the_dashboard_takes_the_same_number_of_queries_for_5_or_50_schools(trust):
    def queries_with(extra: int) -> int:
        with scope(trust=trust.trust.pk):
            for _ in range(extra):
                school = SchoolFactory(trust=trust.trust)
                decide(trust, "Repair", school=school, items=[evidence(school)], override_reason="Early view.")
        client = trust.client_for(E)
        client.get(f"{BASE}/dashboard/")  # warm the session
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/dashboard/").status_code == 200
        return len(queries)

    five = queries_with(3)
    fifty = queries_with(45)
    assert fifty == five


# --- the lists behind the tiles --------------------------------------------------------------------------------


@pytest.mark.parametrize("tile", TILES)
def test_every_list_renders_for_a_trustee(trust, tile):
    assert "<h1>" in page(trust, f"{BASE}/dashboard/{tile}/", TR)


def test_an_unknown_tile_is_not_found(trust):
    assert trust.client_for(E).get(f"{BASE}/dashboard/nonsense/").status_code == 404


def test_the_levels_list_filters_by_level(trust):
    school1, school2 = trust.schools
    html = page(trust, f"{BASE}/dashboard/levels/?level=1")
    assert school1.name in html and school2.name not in html
    assert '<option value="1" selected>Stabilise</option>' in html
    html = page(trust, f"{BASE}/dashboard/levels/?level=unrated")
    assert "No schools match these choices." in html


def test_the_movement_list_filters_by_movement(trust):
    school1, school2 = trust.schools
    html = page(trust, f"{BASE}/dashboard/movement/?movement=up")
    assert school2.name in html and school1.name not in html
    assert "Moved up (needs less support)" in html


def test_an_unknown_filter_value_is_ignored_rather_than_hiding_everything(trust):
    html = page(trust, f"{BASE}/dashboard/movement/?movement=sideways")
    assert all(school.name in html for school in trust.schools)


def test_each_school_in_a_list_links_to_its_timeline_and_summary(trust):
    html = page(trust, f"{BASE}/dashboard/overstays/")
    school1 = trust.schools[0]
    assert f'<a href="/t/alder/schools/{school1.uuid}/">{school1.name}</a>' in html
    assert f'href="/t/alder/schools/{school1.uuid}/summary/"' in html
    assert trust.schools[1].name not in html


def test_the_csv_export_holds_exactly_the_filtered_rows(trust):
    response = trust.client_for(E).get(f"{BASE}/dashboard/movement/?movement=up&format=csv")
    assert response["Content-Disposition"] == 'attachment; filename="alder-dashboard-movement.csv"'
    rows = rows_of_csv(response)
    assert rows[0] == ["School", "URN", "Level at the end of last half-term", "Level now", "Movement"]
    school2 = trust.schools[1]
    assert rows[1:] == [[school2.name, str(school2.urn), "Repair", "Improve", "Moved up (needs less support)"]]


def test_the_page_offers_exports_with_the_same_filters(trust):
    html = page(trust, f"{BASE}/dashboard/movement/?movement=up")
    assert 'href="?movement=up&amp;format=csv"' in html and 'href="?movement=up&amp;format=xlsx"' in html


def test_the_xlsx_export_opens_and_holds_the_interventions(trust):
    response = trust.client_for(TR).get(f"{BASE}/dashboard/interventions/?overdue=1&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="alder-dashboard-interventions.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["School", "URN", "Intervention", "Status"]
    assert len(rows) == 2
    assert rows[1][0] == trust.schools[0].name and rows[1][2] == "Phonics catch-up" and rows[1][3] == "Active"
    assert rows[1][rows[0].index("Overdue checkpoints")] == 1


def test_the_visits_list_shows_planned_done_and_missed_per_school(trust):
    rows = rows_of_csv(trust.client_for(E).get(f"{BASE}/dashboard/visits/?format=csv"))
    by_school = {row[0]: row[3:] for row in rows[1:]}
    assert by_school[trust.schools[0].name] == ["1", "1", "0"]
    assert by_school[trust.schools[1].name] == ["2", "0", "1"]  # one recorded missed, one still to come today


# --- the school summary -------------------------------------------------------------------------------------------


def test_a_trustee_reads_a_schools_level_rationale_interventions_and_visits_on_one_page(trust):
    school1 = trust.schools[0]
    html = page(trust, f"{BASE}/schools/{school1.uuid}/summary/", TR)
    assert "<strong>Stabilise</strong> since" in html
    assert "Inadequate; the trust directs improvement." in html
    assert "Stayed longer than expected:" in html
    assert "Phonics catch-up" in html
    assert "1 planned, 1 done, 0 missed." in html
    assert "Not started." in html  # no self-evaluation this year
    assert f'href="/t/alder/schools/{school1.uuid}/"' in html  # its timeline


def test_the_summary_says_how_a_school_moved(trust):
    html = page(trust, f"{BASE}/schools/{trust.schools[1].uuid}/summary/")
    assert "<strong>Improve</strong> since" in html
    assert "Moved up (needs less support) (was Repair at the end of last half-term)" in html


def test_a_headteacher_reads_their_own_schools_summary_only(trust):
    client = trust.client_for(HT)
    assert client.get(f"{BASE}/schools/{trust.schools[0].uuid}/summary/").status_code == 200
    assert client.get(f"{BASE}/schools/{trust.schools[1].uuid}/summary/").status_code == 404


def test_a_governor_of_school_2_does_not_find_school_1(trust):
    client = trust.client_for(GV)
    assert client.get(f"{BASE}/schools/{trust.schools[0].uuid}/summary/").status_code == 404
    assert client.get(f"{BASE}/schools/{trust.schools[1].uuid}/summary/").status_code == 200


def test_another_trusts_school_is_not_found(trust, trust_b):
    assert trust.client_for(E).get(f"{BASE}/schools/{trust_b.schools[0].uuid}/summary/").status_code == 404
    assert trust_b.client_for(E).get(f"{BASE}/dashboard/").status_code == 404


def test_the_summary_reads_the_same_figures_as_the_dashboard(trust):
    with scope(trust=trust.trust.pk):
        whole = trust_metrics(trust.trust, today=TODAY)
        one = trust_metrics(trust.trust, today=TODAY, school_ids=[trust.schools[0].pk])
    assert one["schools"] == [whole["schools"][0]]


@pytest.fixture
def with_results(trust):
    """Two years of the KS2 headline measure for both schools, England's figures, and school 1's predictions."""
    school1, school2 = trust.schools
    with scope(trust=trust.trust.pk):
        for school, values in ((school1, (50, 60)), (school2, (70, 64))):
            for year, value in zip((2023, 2024), values, strict=True):
                MeasureValue.objects.create(school=school, measure="ks2_rwm_expected", academic_year=year, value=value)
        for year, value in ((2023, 59), (2024, 61)):
            ComparatorValue.objects.create(
                level=ComparatorLevel.NATIONAL, measure="ks2_rwm_expected", academic_year=year, value=value
            )
        for subject, percent in (("Reading", 40), ("Maths", 60)):
            InYearPrediction.objects.create(
                school=school1,
                academic_year=2026,
                half_term=1,
                year_group="Year 6",
                subject=subject,
                percent_on_track=percent,
            )
    return trust


def test_key_measures_show_the_trust_average_against_england_with_a_trend_chart(with_results):
    html = page(with_results, f"{BASE}/dashboard/")
    row = html[html.index('?measure=ks2_rwm_expected">') :]
    row = row[: row.index("</tr>")]
    assert "<td>2024/25</td>" in row and "<td>2</td><td>62%</td><td>61%</td><td>Better than England</td>" in row
    assert '<title id="measure-ks2_rwm_expected-t">' in html
    assert "Trust average: 2023/24 60%, 2024/25 62%. England: 2023/24 59%, 2024/25 61%." in html


def test_the_predictions_tile_shows_each_schools_average_on_track(with_results):
    html = page(with_results, f"{BASE}/dashboard/")
    section = html[html.index('id="predictions-h"') : html.index('id="interventions-h"')]
    assert with_results.schools[0].name in section and "<td>50%</td>" in section
    assert with_results.schools[1].name not in section


def test_the_measures_list_filters_to_predictions_and_to_worse_than_england(with_results):
    school1, school2 = with_results.schools
    rows = rows_of_csv(with_results.client_for(E).get(f"{BASE}/dashboard/measures/?measure=predictions&format=csv"))
    assert [r[0] for r in rows[1:]] == [school1.name] and rows[1][4] == "50%"
    rows = rows_of_csv(with_results.client_for(E).get(f"{BASE}/dashboard/measures/?versus=worse&format=csv"))
    assert [(r[0], r[2], r[4], r[5]) for r in rows[1:]] == [
        (school1.name, "Reading, writing and maths: % meeting the expected standard", "60%", "61%")
    ]


def test_a_schools_summary_shows_its_key_data_against_england_and_its_predictions(with_results):
    html = page(with_results, f"{BASE}/schools/{with_results.schools[0].uuid}/summary/", TR)
    assert "<td>60%</td><td>61%</td><td>Worse than England</td>" in html
    assert "on average <strong>50%</strong> of pupils on track" in html


def test_measures_a_school_never_had_a_figure_for_are_left_out_of_its_summary_and_the_list(with_results):
    html = page(with_results, f"{BASE}/schools/{with_results.schools[0].uuid}/summary/")
    assert "Progress 8 score" not in html
    rows = rows_of_csv(with_results.client_for(E).get(f"{BASE}/dashboard/measures/?format=csv"))
    assert {r[2] for r in rows[1:]} == {"Reading, writing and maths: % meeting the expected standard"} | {
        r[2] for r in rows[1:] if r[2].startswith("In-year predictions")
    }

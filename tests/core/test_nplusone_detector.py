"""The N+1 detector is on in every test: a query per row fails the test that runs it (tests/nplusone.py)."""

import pytest
from celery import shared_task
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django_scopes import scopes_disabled
from zeal import NPlusOneError

from core.audit import plain_value
from schools.models import School
from tests.factories import SchoolFactory, TrustFactory
from trust.tasks import TenantTask


@pytest.fixture
def three_schools_in_three_trusts(db: None) -> None:
    with scopes_disabled():
        for _ in range(3):
            SchoolFactory(trust=TrustFactory())


def trust_names_one_query_per_school() -> list[str]:
    with scopes_disabled():
        return [school.trust.name for school in School.objects.all()]


def test_touching_each_schools_trust_without_select_related_fails_the_test(three_schools_in_three_trusts):
    with pytest.raises(NPlusOneError, match=r"N\+1 detected on schools\.School\.trust at .*test_nplusone_detector"):
        trust_names_one_query_per_school()


def test_the_same_loop_with_select_related_passes(three_schools_in_three_trusts):
    with scopes_disabled():
        assert len({school.trust.name for school in School.objects.select_related("trust")}) == 3


def test_app_code_that_queries_per_row_fails_the_test_that_calls_it(three_schools_in_three_trusts):
    # plain_value() names each row with str(), and a school link names its school: one query per link.
    with scopes_disabled(), pytest.raises(NPlusOneError, match=r"SchoolLink\.school at .*schools/models/school\.py"):
        plain_value(_links_without_their_schools())


def _links_without_their_schools() -> list[object]:
    from schools.models import SchoolLink

    for school in School.objects.all():
        SchoolLink.objects.create(school=school, predecessor_urn=school.urn + 1)
    return list(SchoolLink.objects.all())


def test_a_test_that_calls_a_service_once_per_row_is_not_the_services_n_plus_one(three_schools_in_three_trusts):
    with scopes_disabled():
        links = _links_without_their_schools()
        assert [plain_value([link]) for link in links]  # each call reads its one link's school


def test_a_test_body_may_look_rows_up_one_by_one(three_schools_in_three_trusts):
    with scopes_disabled():
        pks = list(School.objects.values_list("pk", flat=True))
        assert [School.objects.get(pk=pk).pk for pk in pks] == pks


def n_plus_one_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(", ".join(trust_names_one_query_per_school()))


def each_school_by_its_own_get_page(request: HttpRequest) -> HttpResponse:
    with scopes_disabled():
        pks = School.objects.values_list("pk", flat=True)
        return HttpResponse(", ".join(School.objects.get(pk=pk).name for pk in pks))


def the_same_school_read_again_page(request: HttpRequest, pk: int, times: int) -> HttpResponse:
    with scopes_disabled():
        return HttpResponse(", ".join(School.objects.get(pk=pk).name for _ in range(times)))


urlpatterns = [
    path("n-plus-one/", n_plus_one_page),
    path("get-per-row/", each_school_by_its_own_get_page),
    path("school/<int:pk>/<int:times>/", the_same_school_read_again_page),
]


@pytest.mark.urls(__name__)
def test_a_page_that_queries_per_row_fails_the_test(three_schools_in_three_trusts):
    with pytest.raises(NPlusOneError, match=r"schools\.School\.trust"):
        Client().get("/n-plus-one/")


@pytest.mark.urls(__name__)
def test_a_page_that_runs_a_get_per_row_fails_the_test(three_schools_in_three_trusts):
    with pytest.raises(NPlusOneError, match=r"schools\.School\.get\(\)"):
        Client().get("/get-per-row/")


@pytest.mark.urls(__name__)
def test_a_page_may_read_its_row_again_after_a_change_but_not_a_third_time(three_schools_in_three_trusts):
    with scopes_disabled():
        pk = School.objects.values_list("pk", flat=True)[0]
    client = Client()
    assert client.get(f"/school/{pk}/2/").status_code == 200
    with pytest.raises(NPlusOneError, match=r"schools\.School\.get\(\)"):
        client.get(f"/school/{pk}/3/")


@pytest.mark.urls(__name__)
def test_each_request_is_judged_on_its_own_not_summed_with_the_test_around_it(three_schools_in_three_trusts):
    with scopes_disabled():
        pks = list(School.objects.values_list("pk", flat=True))
    client = Client()
    for pk in pks:
        assert client.get(f"/school/{pk}/1/").status_code == 200


@shared_task(base=TenantTask, name="tests.nplusone_detector.trust_names")
def trust_names_task(*, trust_id: int) -> list[str]:
    return trust_names_one_query_per_school()


def test_a_task_that_queries_per_row_fails_the_test(three_schools_in_three_trusts):
    with scopes_disabled():
        trust_id = School.objects.values_list("trust_id", flat=True)[0]
    with pytest.raises(NPlusOneError, match=r"schools\.School\.trust"):
        trust_names_task.apply(kwargs={"trust_id": trust_id}).get()

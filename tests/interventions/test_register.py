"""The register of expertise: services, the list with days this term, pages and the demo data."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope
from openpyxl import load_workbook

from core.academic import term_bounds
from core.exceptions import ApplicationError
from interventions.demo_register import seed_register
from interventions.models import Expert
from interventions.selectors.register import register_list
from interventions.services.register import expert_add, expert_deactivate, expert_update
from tests.interventions import make_expert, make_intervention

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
TERM = term_bounds(TODAY)


def add(world, **fields):
    fields.setdefault("name", "Priya Raman")
    fields.setdefault("role", "lead_practitioner")
    fields.setdefault("areas", ["maths", "upper_ks2"])
    fields.setdefault("days_per_term", Decimal("6"))
    fields.setdefault("home_school", world.schools[0])
    with scope(trust=world.trust.pk):
        return expert_add(trust=world.trust, actor=world.people[fields.pop("actor", "executive")], **fields)


# Services


def test_an_executive_adds_a_person_with_areas_in_the_registers_order(trust_a):
    expert = add(trust_a, areas=["maths", "upper_ks2", "maths"], email=" priya@hazelwood.sch.uk ")
    assert expert.areas == ["upper_ks2", "maths"]  # deduplicated, in ExpertiseArea's order
    assert expert.email == "priya@hazelwood.sch.uk"
    assert expert.trust == trust_a.trust and expert.is_active


@pytest.mark.parametrize("role", ["improvement_lead", "headteacher", "specialist", "trustee", "governor"])
def test_only_executives_manage_the_register(trust_a, role):
    with pytest.raises(PermissionDenied):
        add(trust_a, actor=role)


def test_a_home_school_of_another_trust_is_refused_as_unknown(trust_a, trust_b):
    with pytest.raises(ApplicationError, match="Choose one of the trust's schools.") as refused:
        add(trust_a, home_school=trust_b.schools[0])
    assert refused.value.extra["field"] == "home_school"


def test_a_linked_account_must_be_a_member_of_the_trust_with_the_same_message_as_unknown(trust_a, trust_b):
    with pytest.raises(ApplicationError, match="Choose a member of this trust.") as refused:
        add(trust_a, user=trust_b.people["specialist"])
    assert refused.value.extra["field"] == "user"
    expert = add(trust_a, user=trust_a.people["specialist"])
    assert expert.user == trust_a.people["specialist"]
    with pytest.raises(ApplicationError, match="already linked to Priya Raman"):
        add(trust_a, name="Someone Else", user=trust_a.people["specialist"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"areas": ["maths", "astrology"]}, "areas"),
        ({"areas": []}, "areas"),
        ({"days_per_term": Decimal("-1")}, "days_per_term"),
        ({"days_per_term": "lots"}, "days_per_term"),
        ({"role": "wizard"}, "role"),
        ({"role": "external", "organisation": "Maths Hub"}, "home_school"),
        ({"role": "external", "home_school": None}, "organisation"),
    ],
)
def test_invalid_entries_are_refused_on_the_field_they_name(trust_a, fields, field):
    with pytest.raises(ApplicationError) as refused:
        add(trust_a, **fields)
    assert refused.value.extra["field"] == field
    with scope(trust=trust_a.trust.pk):
        assert not Expert.objects.exists()


def test_a_blank_name_is_refused_by_the_model(trust_a):
    with pytest.raises(ValidationError):
        add(trust_a, name="  ")


def test_update_and_deactivate(trust_a):
    expert = add(trust_a)
    with scope(trust=trust_a.trust.pk):
        expert_update(
            expert=expert,
            actor=trust_a.people["executive"],
            name="Priya Raman-Shah",
            role="sle",
            areas=["english"],
            days_per_term=Decimal("7.5"),
            home_school=None,
        )
        expert.refresh_from_db()
        assert (expert.name, expert.role, expert.areas, expert.days_per_term) == (
            "Priya Raman-Shah",
            "sle",
            ["english"],
            Decimal("7.5"),
        )
        assert expert.home_school is None
        with pytest.raises(PermissionDenied):
            expert_deactivate(expert=expert, actor=trust_a.people["improvement_lead"])
        expert_deactivate(expert=expert, actor=trust_a.people["executive"])
        expert.refresh_from_db()
        assert not expert.is_active


# Selector


def test_the_list_filters_and_shows_days_committed_and_left_this_term(trust_a):
    with scope(trust=trust_a.trust.pk):
        trust = trust_a.trust
        maths = make_expert(trust, "Maths Person", home_school=trust_a.schools[0], days_per_term=Decimal("6"))
        make_expert(trust, "English Person", role="sle", areas=["english"], home_school=trust_a.schools[1])
        make_expert(trust, "Gone Person", is_active=False)
        _, start, end = TERM
        make_intervention(trust_a.schools[1], starts_on=start, ends_on=end, leads={maths: "8"})
        rows = register_list(trust, term=TERM)
        assert [r.expert.name for r in rows] == ["English Person", "Maths Person"]
        row = rows[1]
        assert (row.committed, row.days_left, row.over_committed) == (Decimal("8.0"), Decimal("-2.0"), True)
        assert [r.expert.name for r in register_list(trust, term=TERM, area="maths")] == ["Maths Person"]
        assert [r.expert.name for r in register_list(trust, term=TERM, role="sle")] == ["English Person"]
        assert [r.expert.name for r in register_list(trust, term=TERM, home_school=trust_a.schools[0])] == [
            "Maths Person"
        ]
        assert len(register_list(trust, term=TERM, include_inactive=True)) == 3


def test_the_list_reads_in_a_fixed_number_of_queries(trust_a, django_assert_num_queries):
    with scope(trust=trust_a.trust.pk):
        for i in range(20):
            make_expert(trust_a.trust, f"Person {i}", home_school=trust_a.schools[i % 2])
        with django_assert_num_queries(2):
            rows = register_list(trust_a.trust, term=TERM)
            [(r.expert.home_school.name, r.area_labels) for r in rows]


# Pages


def url(world, tail=""):
    return f"/t/{world.trust.slug}/register/{tail}"


def test_an_improvement_lead_sees_the_register_with_days(trust_a):
    with scope(trust=trust_a.trust.pk):
        make_expert(trust_a.trust, "Priya Raman", home_school=trust_a.schools[0])
    response = trust_a.client_for("improvement_lead").get(url(trust_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Priya Raman" in body and "Add a person" not in body
    assert '<th scope="col" class="text-end">Left this term</th>' in body


def test_the_register_page_has_an_empty_state(trust_a):
    body = trust_a.client_for("executive").get(url(trust_a)).content.decode()
    assert "No one is on the register yet." in body


def test_the_register_exports_csv_and_xlsx(trust_a):
    with scope(trust=trust_a.trust.pk):
        make_expert(trust_a.trust, "=Formula Person", areas=["maths", "send"])
    client = trust_a.client_for("executive")
    csv_text = b"".join(client.get(url(trust_a), {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Name,Role,Home school")
    assert "'=Formula Person" in csv_text and "Maths; SEND" in csv_text
    response = client.get(url(trust_a), {"format": "xlsx", "area": "send"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=1).value == "'=Formula Person"


def test_an_executive_adds_edits_and_deactivates_through_the_pages(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(
        url(trust_a, "new/"),
        {
            "name": "Tom Whitfield",
            "role": "sle",
            "home_school": str(trust_a.schools[1].uuid),
            "areas": ["english", "ks1"],
            "days_per_term": "8",
            "user": str(trust_a.people["specialist"].uuid),
        },
    )
    assert response.status_code == 302, response.content.decode()
    with scope(trust=trust_a.trust.pk):
        expert = Expert.objects.get(name="Tom Whitfield")
    assert expert.user == trust_a.people["specialist"]
    assert response.url == url(trust_a, f"{expert.uuid}/")
    detail = client.get(response.url).content.decode()
    assert "Tom Whitfield" in detail and "leads no interventions yet" in detail
    response = client.post(
        url(trust_a, f"{expert.uuid}/edit/"),
        {"name": "Tom Whitfield", "role": "sle", "areas": ["english"], "days_per_term": "9.5"},
    )
    assert response.status_code == 302
    response = client.post(url(trust_a, f"{expert.uuid}/deactivate/"))
    assert response.status_code == 302
    with scope(trust=trust_a.trust.pk):
        expert.refresh_from_db()
    assert (expert.days_per_term, expert.home_school, expert.is_active) == (Decimal("9.5"), None, False)


def test_a_service_refusal_shows_on_the_form(trust_a, trust_b):
    response = trust_a.client_for("executive").post(
        url(trust_a, "new/"),
        {"name": "Ed External", "role": "external", "areas": ["mfl"], "days_per_term": "4"},
    )
    assert response.status_code == 200
    assert "Name the external provider&#x27;s organisation." in response.content.decode()


def test_another_trusts_school_in_the_form_is_not_a_choice(trust_a, trust_b):
    response = trust_a.client_for("executive").post(
        url(trust_a, "new/"),
        {
            "name": "Sly",
            "role": "sle",
            "home_school": str(trust_b.schools[0].uuid),
            "areas": ["maths"],
            "days_per_term": "4",
        },
    )
    assert response.status_code == 200
    with scope(trust=trust_a.trust.pk):
        assert not Expert.objects.exists()


def test_another_trusts_person_is_not_found(trust_a, trust_b):
    with scope(trust=trust_b.trust.pk):
        other = make_expert(trust_b.trust, "Birch Person")
    client = trust_a.client_for("executive")
    assert client.get(url(trust_a, f"{other.uuid}/")).status_code == 404
    assert client.post(url(trust_a, f"{other.uuid}/deactivate/")).status_code == 404


def test_the_detail_page_lists_assignments_with_days_this_term(trust_a):
    _, start, end = TERM
    with scope(trust=trust_a.trust.pk):
        expert = make_expert(trust_a.trust, "Priya Raman")
        make_intervention(trust_a.schools[0], starts_on=start, ends_on=end, leads={expert: "4"})
        make_intervention(trust_a.schools[1], starts_on=start, ends_on=end, leads={expert: "9"}, status="cancelled")
    body = trust_a.client_for("improvement_lead").get(url(trust_a, f"{expert.uuid}/")).content.decode()
    assert "Maths support at Alder Trust School 1" in body
    assert "Not counted" in body
    assert "4.0 days committed, 6.0 left" in body


def test_find_support_ranks_people_with_reasons(trust_a):
    with scope(trust=trust_a.trust.pk):
        make_expert(trust_a.trust, "Own Staff", home_school=trust_a.schools[0])
        make_expert(trust_a.trust, "Helper", home_school=trust_a.schools[1])
    start = TODAY + datetime.timedelta(days=7)
    response = trust_a.client_for("improvement_lead").get(
        url(trust_a, "find-support/"),
        {
            "school": str(trust_a.schools[0].uuid),
            "area": "maths",
            "starts_on": start.isoformat(),
            "ends_on": (start + datetime.timedelta(days=30)).isoformat(),
            "days": "3",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Helper" in body and "Own Staff" not in body
    assert "School-to-school: Alder Trust School 2 has no rating yet." in body
    assert "<caption>1 person who could support Alder Trust School 1 in Maths" in body


def test_find_support_without_parameters_shows_the_form_and_bad_dates_an_error(trust_a):
    client = trust_a.client_for("executive")
    body = client.get(url(trust_a, "find-support/")).content.decode()
    assert '<label class="form-label" for="id_school">School needing support</label>' in body
    body = client.get(
        url(trust_a, "find-support/"),
        {
            "school": str(trust_a.schools[0].uuid),
            "area": "maths",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
            "days": "3",
        },
    ).content.decode()
    assert "The end date must be on or after the start date." in body


# Demo


def test_the_demo_register_is_realistic_idempotent_and_links_the_specialist(trust_a):
    people = dict(trust_a.people)
    first = seed_register(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY)
    with scope(trust=trust_a.trust.pk):
        stamps = dict(Expert.objects.values_list("name", "updated_at"))
        assert len(first) == 8
        roles = {e.role for e in first}
        assert {"lead_practitioner", "sle", "strategic_head", "trust_staff", "external"} <= roles
        assert Expert.objects.filter(user=trust_a.people["specialist"]).count() == 1
        external = next(e for e in first if e.role == "external")
        assert external.organisation and external.home_school is None
        assert all(e.home_school is None or e.home_school.trust_id == trust_a.trust.pk for e in first)
    seed_register(trust=trust_a.trust, schools=trust_a.schools, people=people, today=TODAY)
    with scope(trust=trust_a.trust.pk):
        assert dict(Expert.objects.values_list("name", "updated_at")) == stamps

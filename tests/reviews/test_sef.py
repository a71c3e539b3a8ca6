"""Self-evaluation: the headteacher writes and submits; the trust's leads return or accept it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.academic import academic_year_label
from core.exceptions import ApplicationError
from reviews.models import SelfEvaluation, SelfEvaluationEntry
from reviews.services.areas import judgement_areas_ensure
from reviews.services.evidence import evidence_record
from reviews.services.sef import EntryInput, current_academic_year, sef_accept, sef_return, sef_save, sef_submit

pytestmark = pytest.mark.django_db

YEAR = current_academic_year()
TODAY = timezone.localdate()


def areas_of(world):
    with scope(trust=world.trust.pk):
        return judgement_areas_ensure(trust=world.trust)


def save(world, grades=None, *, school=0, summary="A school that knows itself well.", evidence=()):
    """Save the headteacher's draft; `grades` maps an area's position (0-based) to a grade."""
    areas = areas_of(world)
    grades = dict.fromkeys(range(len(areas)), 2) if grades is None else grades
    with scope(trust=world.trust.pk):
        return sef_save(
            school=world.schools[school],
            actor=world.people["headteacher"],
            academic_year=YEAR,
            summary=summary,
            entries={
                areas[i]: EntryInput(self_grade=g, strengths=f"Strength {i}", evidence=tuple(evidence))
                for i, g in grades.items()
            },
        )


def submitted(world):
    sef = save(world)
    with scope(trust=world.trust.pk):
        return sef_submit(self_evaluation=sef, actor=world.people["headteacher"])


def form_data(world, grades: dict[int, int | None], action: str = "save") -> dict[str, str]:
    data = {"summary": "Leaders have an accurate view of the school.", "action": action}
    for i, area in enumerate(areas_of(world)):
        grade = grades.get(i)
        data[f"{area.code}-grade"] = "" if grade is None else str(grade)
        data[f"{area.code}-strengths"] = f"Strengths in {area.label}."
        data[f"{area.code}-development"] = ""
    return data


def sef_url(world, suffix: str = "", school: int = 0) -> str:
    return f"/t/{world.trust.slug}/self-evaluation/{world.schools[school].uuid}/{suffix}"


def test_the_headteacher_saves_a_draft_and_reads_it_back(trust_a):
    client = trust_a.client_for("headteacher")
    assert client.get(sef_url(trust_a, "edit/")).status_code == 200
    response = client.post(sef_url(trust_a, "edit/"), form_data(trust_a, {0: 1, 1: 4}), follow=True)
    page = response.content.decode()
    assert "Draft saved." in page
    assert "1 – Exceptional" in page and "4 – Needs attention" in page
    with scopes_disabled():
        sef = SelfEvaluation.objects.get()
    assert (sef.status, sef.academic_year) == ("draft", YEAR)


def test_submitting_with_areas_missing_lists_them_and_keeps_the_draft(trust_a):
    areas = areas_of(trust_a)
    client = trust_a.client_for("headteacher")
    response = client.post(sef_url(trust_a, "edit/"), form_data(trust_a, {0: 2}, action="submit"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your draft is saved, but it cannot be submitted yet." in page
    assert "Not yet graded: " + ", ".join(a.label for a in areas[1:]) in page
    with scopes_disabled():
        sef = SelfEvaluation.objects.get()
        assert sef.status == "draft"
        assert sef.entries.get(area=areas[0]).self_grade == 2


def test_the_headteacher_submits_when_every_area_is_graded(trust_a):
    grades = dict.fromkeys(range(len(areas_of(trust_a))), 3)
    response = trust_a.client_for("headteacher").post(
        sef_url(trust_a, "edit/"), form_data(trust_a, grades, action="submit"), follow=True
    )
    assert "Self-evaluation submitted to the trust." in response.content.decode()
    with scopes_disabled():
        sef = SelfEvaluation.objects.get()
    assert sef.status == "submitted" and sef.submitted_by == trust_a.people["headteacher"]


def test_a_double_submit_has_one_effect(trust_a):
    sef = submitted(trust_a)
    first = sef.submitted_at
    with scope(trust=trust_a.trust.pk):
        again = sef_submit(self_evaluation=sef, actor=trust_a.people["headteacher"])
    assert again.status == "submitted" and again.submitted_at == first


def test_returning_needs_comments_and_the_school_sees_them(trust_a):
    submitted(trust_a)
    lead = trust_a.client_for("improvement_lead")
    response = lead.post(sef_url(trust_a, "review/"), {"decision": "return", "comments": " "})
    assert "comments are required" in response.content.decode()
    response = lead.post(
        sef_url(trust_a, "review/"),
        {"decision": "return", "comments": "Quality of education is graded too generously: see the scrutiny."},
        follow=True,
    )
    assert "returned to the school with your comments" in response.content.decode()
    page = trust_a.client_for("headteacher").get(sef_url(trust_a)).content.decode()
    assert "Returned with comments" in page and "graded too generously" in page
    assert "Continue writing" in page


def test_a_returned_sef_is_corrected_and_submitted_again(trust_a):
    sef = submitted(trust_a)
    with scope(trust=trust_a.trust.pk):
        sef_return(self_evaluation=sef, actor=trust_a.people["improvement_lead"], comments="Add evidence.")
    sef = save(trust_a, summary="Now with evidence.")
    with scope(trust=trust_a.trust.pk):
        sef = sef_submit(self_evaluation=sef, actor=trust_a.people["headteacher"])
    assert sef.status == "submitted"


def test_the_executive_accepts_a_submitted_sef(trust_a):
    submitted(trust_a)
    response = trust_a.client_for("executive").post(
        sef_url(trust_a, "review/"), {"decision": "accept", "comments": ""}, follow=True
    )
    assert "Self-evaluation accepted." in response.content.decode()
    with scopes_disabled():
        sef = SelfEvaluation.objects.get()
    assert sef.status == "accepted" and sef.reviewed_by == trust_a.people["executive"]
    # Accepted: no longer open for the school to edit.
    response = trust_a.client_for("headteacher").get(sef_url(trust_a, "edit/"), follow=True)
    assert "it can be changed again only if the trust returns it" in response.content.decode()


@pytest.mark.parametrize(
    ("state", "step", "message"),
    [
        ("draft", "accept", "A self-evaluation that is draft cannot be accepted."),
        ("draft", "return", "A self-evaluation that is draft cannot be returned."),
        ("accepted", "submit", "A self-evaluation that is accepted cannot be submitted."),
        ("accepted", "return", "A self-evaluation that is accepted cannot be returned."),
        ("returned", "accept", "A self-evaluation that is returned with comments cannot be accepted."),
    ],
)
def test_illegal_status_changes_are_refused(trust_a, state, step, message):
    sef = save(trust_a)
    lead, head = trust_a.people["improvement_lead"], trust_a.people["headteacher"]
    with scope(trust=trust_a.trust.pk):
        if state != "draft":
            sef = sef_submit(self_evaluation=sef, actor=head)
            if state == "accepted":
                sef = sef_accept(self_evaluation=sef, actor=lead)
            else:
                sef = sef_return(self_evaluation=sef, actor=lead, comments="Please revisit.")
        steps = {
            "accept": lambda: sef_accept(self_evaluation=sef, actor=lead),
            "return": lambda: sef_return(self_evaluation=sef, actor=lead, comments="Again."),
            "submit": lambda: sef_submit(self_evaluation=sef, actor=head),
        }
        with pytest.raises(ApplicationError) as refused:
            steps[step]()
    assert refused.value.message == message
    with scopes_disabled():
        assert SelfEvaluation.objects.get().status == state


def test_a_submitted_sef_cannot_be_changed_by_the_school(trust_a):
    submitted(trust_a)
    with pytest.raises(ApplicationError, match="only if the trust returns it"):
        save(trust_a)


def test_only_the_schools_headteacher_writes_and_only_leads_review(trust_a):
    sef = save(trust_a)
    with scope(trust=trust_a.trust.pk):
        with pytest.raises(ApplicationError, match="Only the school's headteacher"):
            sef_submit(self_evaluation=sef, actor=trust_a.people["executive"])
        with pytest.raises(ApplicationError, match="Only the school's headteacher"):
            sef_save(school=trust_a.schools[1], actor=trust_a.people["headteacher"], academic_year=YEAR)
        with pytest.raises(ApplicationError, match="Only an executive or improvement lead"):
            sef_accept(self_evaluation=sef, actor=trust_a.people["trustee"])


def test_earlier_years_stay_readable_and_closed(trust_a):
    areas = areas_of(trust_a)
    with scopes_disabled():
        old = SelfEvaluation.objects.create(
            school=trust_a.schools[0], academic_year=YEAR - 1, status="accepted", summary="Last year's view."
        )
        SelfEvaluationEntry.objects.create(self_evaluation=old, area=areas[0], self_grade=3, strengths="Phonics.")
    client = trust_a.client_for("headteacher")
    page = client.get(sef_url(trust_a) + f"?year={YEAR - 1}").content.decode()
    assert f"Self-evaluation {academic_year_label(YEAR - 1)}" in page
    assert "Last year&#x27;s view." in page and "3 – Expected standard" in page
    assert "Continue writing" not in page and "Start this year" not in page
    assert f'<option value="{YEAR - 1}" selected>{academic_year_label(YEAR - 1)}</option>' in page
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="earlier years are kept as they were"):
        sef_save(school=trust_a.schools[0], actor=trust_a.people["headteacher"], academic_year=YEAR - 1)


def test_a_headteacher_of_another_school_gets_404(trust_a):
    client = trust_a.client_for("headteacher")
    assert client.get(sef_url(trust_a, school=1)).status_code == 404
    assert client.get(sef_url(trust_a, "edit/", school=1)).status_code == 404
    assert client.get(f"/api/v1/t/alder/sef/{trust_a.schools[1].uuid}/").status_code == 404


def test_the_governor_reads_their_own_schools_sef_only(trust_a):
    client = trust_a.client_for("governor")
    assert client.get(sef_url(trust_a, school=1)).status_code == 200
    assert client.get(sef_url(trust_a, school=0)).status_code == 404
    assert client.get(sef_url(trust_a, "edit/", school=1)).status_code == 403


def test_specialists_have_no_sef_pages_and_other_trusts_get_404(trust_a, trust_b):
    assert trust_a.client_for("specialist").get("/t/alder/self-evaluation/").status_code == 403
    assert trust_b.client_for("executive").get(sef_url(trust_a)).status_code == 404
    assert trust_a.client_for("executive").get(sef_url(trust_b).replace("birch", "alder")).status_code == 404


def test_the_status_list_shows_every_school_this_year(trust_a):
    submitted(trust_a)
    for role in ("executive", "improvement_lead", "trustee"):
        page = trust_a.client_for(role).get("/t/alder/self-evaluation/").content.decode()
        rows = {row.split("</tr>")[0] for row in page.split("<tr>")[2:]}
        assert any("Alder Trust School 1" in r and "Submitted" in r for r in rows)
        assert any("Alder Trust School 2" in r and "Not started" in r for r in rows)
    own = trust_a.client_for("headteacher").get("/t/alder/self-evaluation/").content.decode()
    assert "Alder Trust School 1" in own and "Alder Trust School 2" not in own


def test_the_status_list_runs_a_fixed_number_of_queries(trust_a):
    client = trust_a.client_for("executive")
    client.get("/t/alder/self-evaluation/")
    with CaptureQueriesContext(connection) as before:
        client.get("/t/alder/self-evaluation/")
    submitted(trust_a)
    with CaptureQueriesContext(connection) as after:
        client.get("/t/alder/self-evaluation/")
    assert len(after) == len(before)


def test_linked_evidence_must_be_shared_with_the_school(trust_a):
    with scope(trust=trust_a.trust.pk):
        common = {
            "school": trust_a.schools[0],
            "actor": trust_a.people["improvement_lead"],
            "evidence_type": "learning_walk",
            "observed_on": TODAY - datetime.timedelta(days=7),
        }
        shared = evidence_record(summary="Shared learning walk on reading.", shared_with_school=True, **common)
        hidden = evidence_record(summary="Trust-only note on staffing.", **common)
    page = trust_a.client_for("headteacher").get(sef_url(trust_a, "edit/")).content.decode()
    assert "Shared learning walk" in page and "Trust-only note" not in page
    sef = save(trust_a, evidence=[shared])
    with scopes_disabled():
        assert [list(e.evidence.all()) for e in sef.entries.prefetch_related("evidence")][0] == [shared]
    with pytest.raises(ApplicationError, match="shared with it"):
        save(trust_a, evidence=[hidden])

"""Joining the trust (seed 003): prospective school -> due diligence -> ratification -> induction."""

import datetime
import io
import socket
import time
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from core.exceptions import ApplicationError
from schools.models import DueDiligenceReport, InductionItem, MembershipStatus, School
from schools.models.joining import DUE_DILIGENCE_SECTIONS, INDUCTION_ITEMS
from schools.selectors import joining as selectors
from schools.services import joining as services

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
ALL_GREEN = {section: {"rag": "green", "findings": "Fine.", "evidence": "Seen."} for section in DUE_DILIGENCE_SECTIONS}
RAGS = ["red", "amber", "green", "green", "amber", "green", "red", "green"]


@pytest.fixture
def in_a(trust_a) -> Iterator[None]:
    """Run the test body inside trust A's scope, as a request would."""
    with scope(trust=trust_a.trust.pk):
        yield


def add_prospective(world, urn: int = 730001, name: str = "Oakfield Primary") -> School:
    with scope(trust=world.trust.pk):
        return services.prospective_school_add(
            trust=world.trust, actor=world.people["executive"], urn=urn, name=name, la_name="Devon", phase="Primary"
        )


def rated_report(world, urn: int = 730001, name: str = "Oakfield Primary") -> DueDiligenceReport:
    school = add_prospective(world, urn, name)
    with scope(trust=world.trust.pk):
        report = school.due_diligence
        findings = {
            section: {"rag": rag, "findings": f"Findings on {label}.", "evidence": f"Evidence for {label}."}
            for (section, label), rag in zip(DUE_DILIGENCE_SECTIONS.items(), RAGS, strict=True)
        }
        services.due_diligence_update(
            report=report, actor=world.people["improvement_lead"], summary="Recommend joining.", findings=findings
        )
    return report


def ratified(world, urn: int = 730001, name: str = "Oakfield Primary", on: datetime.date | None = None) -> School:
    report = rated_report(world, urn, name)
    with scope(trust=world.trust.pk):
        services.due_diligence_ratify(
            report=report, actor=world.people["executive"], ratified_on=on or TODAY(), notes="Board minute 4.2"
        )
        return School.objects.get(pk=report.school_id)


def url(name: str, world, **kwargs) -> str:
    return reverse(name, kwargs={"trust_slug": world.trust.slug, **kwargs})


# Services


def test_adding_a_prospective_school_creates_an_empty_report_of_the_eight_sections(trust_a, in_a):
    school = services.prospective_school_add(
        trust=trust_a.trust, actor=trust_a.people["executive"], urn=730001, name="  Oakfield Primary "
    )
    assert school.status == MembershipStatus.PROSPECTIVE and school.name == "Oakfield Primary"
    report = school.due_diligence
    assert report.author == trust_a.people["executive"]
    assert list(report.findings.values_list("section", "rag")) == [(s, "") for s in DUE_DILIGENCE_SECTIONS]


def test_a_urn_already_in_the_trust_is_refused_with_a_clear_message(trust_a, in_a):
    with pytest.raises(ApplicationError, match=r"URN 700001 is already in this trust as Alder Trust School 1"):
        services.prospective_school_add(trust=trust_a.trust, actor=trust_a.people["executive"], urn=700001, name="X")
    add_prospective(trust_a)
    with pytest.raises(ApplicationError, match="prospective") as refused:
        add_prospective(trust_a)
    assert refused.value.extra == {"field": "urn"}


def test_the_same_urn_may_be_joining_another_trust(trust_a, trust_b):
    add_prospective(trust_a, urn=730001)
    assert add_prospective(trust_b, urn=730001).trust == trust_b.trust


def test_a_urn_has_six_digits(trust_a, in_a):
    with pytest.raises(ApplicationError, match="six-digit"):
        services.prospective_school_add(trust=trust_a.trust, actor=trust_a.people["executive"], urn=12345, name="X")


def test_due_diligence_update_writes_the_summary_and_the_sections_given(trust_a, in_a):
    report = add_prospective(trust_a).due_diligence
    services.due_diligence_update(
        report=report,
        actor=trust_a.people["improvement_lead"],
        summary=" Strong leadership. ",
        findings={"finance": {"rag": "amber", "findings": "Small deficit.", "evidence": "Budget 2025-26."}},
    )
    services.due_diligence_update(
        report=report, actor=trust_a.people["improvement_lead"], summary="Strong leadership.", findings={}
    )
    report.refresh_from_db()
    finance = report.findings.get(section="finance")
    assert (finance.rag, finance.findings, finance.evidence) == ("amber", "Small deficit.", "Budget 2025-26.")
    assert report.summary == "Strong leadership." and report.author == trust_a.people["improvement_lead"]
    assert report.findings.exclude(section="finance").filter(rag="").count() == 7


def test_due_diligence_update_refuses_an_unknown_section_or_rating(trust_a, in_a):
    report = add_prospective(trust_a).due_diligence
    actor = trust_a.people["executive"]
    with pytest.raises(ApplicationError, match="Unknown due diligence section: catering"):
        services.due_diligence_update(report=report, actor=actor, summary="", findings={"catering": {"rag": "red"}})
    with pytest.raises(ApplicationError, match="Choose red, amber, green") as refused:
        services.due_diligence_update(report=report, actor=actor, summary="", findings={"finance": {"rag": "purple"}})
    assert refused.value.extra == {"field": "finance_rag"}


def test_ratification_requires_every_section_rated(trust_a, in_a):
    report = add_prospective(trust_a).due_diligence
    findings = {s: v for s, v in ALL_GREEN.items() if s not in {"finance", "statutory_data"}}
    services.due_diligence_update(report=report, actor=trust_a.people["executive"], summary="", findings=findings)
    with pytest.raises(ApplicationError, match="Not yet rated: Finance, Statutory data") as refused:
        services.due_diligence_ratify(report=report, actor=trust_a.people["executive"], ratified_on=TODAY())
    assert refused.value.extra["unrated"] == ["Finance", "Statutory data"]
    report.refresh_from_db()
    assert report.ratified_on is None and report.school.status == MembershipStatus.PROSPECTIVE


def test_ratification_makes_the_school_a_member_from_that_date_with_four_induction_items(trust_a):
    board_day = TODAY() - datetime.timedelta(days=3)
    school = ratified(trust_a, on=board_day)
    with scope(trust=trust_a.trust.pk):
        report = DueDiligenceReport.objects.get(school=school)
        assert school.status == MembershipStatus.MEMBER and school.joined_trust_on == board_day
        assert (report.ratified_on, report.ratified_by) == (board_day, trust_a.people["executive"])
        assert report.ratification_notes == "Board minute 4.2"
        items = InductionItem.objects.filter(school=school)
        assert sorted(items.values_list("code", flat=True)) == sorted(INDUCTION_ITEMS)
        assert not items.filter(completed_on__isnull=False).exists()


def test_a_second_ratification_is_refused_and_changes_nothing(trust_a):
    first_day = TODAY() - datetime.timedelta(days=10)
    school = ratified(trust_a, on=first_day)
    with scope(trust=trust_a.trust.pk):
        report = DueDiligenceReport.objects.get(school=school)
        with pytest.raises(ApplicationError, match="already|was ratified on"):
            services.due_diligence_ratify(report=report, actor=trust_a.people["executive"], ratified_on=TODAY())
        report.refresh_from_db()
        school.refresh_from_db()
        assert report.ratified_on == first_day and school.joined_trust_on == first_day
        assert InductionItem.objects.filter(school=school).count() == 4


def test_a_stale_copy_of_the_report_cannot_ratify_twice(trust_a):
    report = rated_report(trust_a)
    with scope(trust=trust_a.trust.pk):
        # A second request read the report (and its prospective school) before the first one saved.
        stale = DueDiligenceReport.objects.select_related("school").get(pk=report.pk)
        services.due_diligence_ratify(report=report, actor=trust_a.people["executive"], ratified_on=TODAY())
        assert stale.ratified_on is None and stale.school.status == MembershipStatus.PROSPECTIVE
        with pytest.raises(ApplicationError, match="was ratified on"):
            services.due_diligence_ratify(report=stale, actor=trust_a.people["executive"], ratified_on=TODAY())
        assert InductionItem.objects.filter(school_id=report.school_id).count() == 4


def test_a_ratification_date_in_the_future_is_refused(trust_a):
    report = rated_report(trust_a)
    with scope(trust=trust_a.trust.pk), pytest.raises(ApplicationError, match="cannot be in the future") as refused:
        services.due_diligence_ratify(
            report=report, actor=trust_a.people["executive"], ratified_on=TODAY() + datetime.timedelta(days=1)
        )
    assert refused.value.extra == {"field": "ratified_on"}


def test_only_a_prospective_school_can_be_ratified(trust_a):
    report = rated_report(trust_a)
    with scope(trust=trust_a.trust.pk):
        School.objects.filter(pk=report.school_id).update(status=MembershipStatus.LEFT)
        report = DueDiligenceReport.objects.select_related("school").get(pk=report.pk)
        with pytest.raises(ApplicationError, match="Only a prospective school can be ratified"):
            services.due_diligence_ratify(report=report, actor=trust_a.people["executive"], ratified_on=TODAY())


def test_a_ratified_report_can_no_longer_be_changed(trust_a):
    school = ratified(trust_a)
    with scope(trust=trust_a.trust.pk):
        report = DueDiligenceReport.objects.get(school=school)
        with pytest.raises(ApplicationError, match="can no longer be changed"):
            services.due_diligence_update(report=report, actor=trust_a.people["executive"], summary="x", findings={})


def test_induction_items_are_completed_and_reopened(trust_a):
    school = ratified(trust_a)
    with scope(trust=trust_a.trust.pk):
        item = InductionItem.objects.get(school=school, code="self_evaluation")
        lead = trust_a.people["improvement_lead"]
        services.induction_item_complete(item=item, actor=lead, completed_on=TODAY())
        item.refresh_from_db()
        assert (item.completed_on, item.completed_by) == (TODAY(), lead)
        with pytest.raises(ApplicationError, match="already marked done"):
            services.induction_item_complete(item=item, actor=lead, completed_on=TODAY())
        services.induction_item_reopen(item=item, actor=lead)
        item.refresh_from_db()
        assert (item.completed_on, item.completed_by) == (None, None)
        with pytest.raises(ApplicationError, match="is not marked done"):
            services.induction_item_reopen(item=item, actor=lead)
        with pytest.raises(ApplicationError, match="cannot be in the future"):
            services.induction_item_complete(item=item, actor=lead, completed_on=TODAY() + datetime.timedelta(days=1))


# Selectors


def test_prospective_schools_show_progress_in_a_fixed_number_of_queries(trust_a, django_assert_num_queries):
    rated_report(trust_a, 730001, "Beech Primary")
    report = add_prospective(trust_a, 730002, "Ash Primary").due_diligence
    with scope(trust=trust_a.trust.pk):
        services.due_diligence_update(
            report=report, actor=trust_a.people["executive"], summary="", findings={"finance": {"rag": "red"}}
        )
        with django_assert_num_queries(1):
            rows = [
                (s.name, s.sections_rated, s.due_diligence.uuid)
                for s in selectors.prospective_schools(trust=trust_a.trust)
            ]
    assert [(name, n) for name, n, _ in rows] == [("Ash Primary", 1), ("Beech Primary", 8)]


def test_the_report_lists_its_sections_in_the_seed_order(trust_a, in_a):
    report = add_prospective(trust_a).due_diligence
    # Rows written in another order still read back in the seed's order.
    report.findings.all().delete()
    services.due_diligence_update(
        report=report,
        actor=trust_a.people["executive"],
        summary="",
        findings={section: {} for section in reversed(DUE_DILIGENCE_SECTIONS)},
    )
    found = selectors.due_diligence_report(trust=trust_a.trust, report_uuid=report.uuid)
    assert [f.section for f in found.sections] == list(DUE_DILIGENCE_SECTIONS)


def test_another_trusts_report_is_not_found_by_the_selector(trust_a, trust_b):
    report = add_prospective(trust_a).due_diligence
    with scope(trust=trust_b.trust.pk):
        assert selectors.due_diligence_report(trust=trust_b.trust, report_uuid=report.uuid) is None


def test_recent_joiners_are_those_joined_within_a_year_or_still_in_induction(trust_a):
    ratified(trust_a, 730001, "Recent Primary", on=TODAY() - datetime.timedelta(days=30))
    old_open = ratified(trust_a, 730002, "Old Open Primary", on=TODAY() - datetime.timedelta(days=500))
    old_done = ratified(trust_a, 730003, "Old Done Primary", on=TODAY() - datetime.timedelta(days=500))
    with scope(trust=trust_a.trust.pk):
        for item in InductionItem.objects.filter(school=old_done):
            services.induction_item_complete(item=item, actor=trust_a.people["executive"], completed_on=TODAY())
        item = InductionItem.objects.filter(school=old_open).first()
        services.induction_item_complete(item=item, actor=trust_a.people["executive"], completed_on=TODAY())
        joiners = {s.name: (s.induction_done, s.induction_total) for s in selectors.recent_joiners(trust=trust_a.trust)}
    # The fixture's member schools never went through due diligence here, so they are not "joiners".
    assert joiners == {"Recent Primary": (0, 4), "Old Open Primary": (1, 4)}


# Views: permissions and tenancy


def test_headteacher_governor_and_specialist_cannot_see_joining(trust_a):
    report = add_prospective(trust_a).due_diligence
    for role in ("headteacher", "governor", "specialist"):
        client = trust_a.client_for(role)
        for page in (
            url("joining-home", trust_a),
            url("joining-report", trust_a, report_uuid=report.uuid),
            url("joining-report-pdf", trust_a, report_uuid=report.uuid),
        ):
            assert client.get(page).status_code == 403, (role, page)


def test_another_trusts_report_is_404_even_under_ones_own_trust(trust_a, trust_b):
    report = add_prospective(trust_a).due_diligence
    executive_b = trust_b.client_for("executive")
    for name in ("joining-report", "joining-report-edit", "joining-report-pdf", "joining-report-ratify"):
        assert executive_b.get(url(name, trust_b, report_uuid=report.uuid)).status_code == 404, name
        assert executive_b.get(url(name, trust_a, report_uuid=report.uuid)).status_code == 404, name


def test_another_trusts_induction_items_are_404(trust_a, trust_b):
    school = ratified(trust_a)
    with scope(trust=trust_a.trust.pk):
        item = InductionItem.objects.filter(school=school).first()
    executive_b = trust_b.client_for("executive")
    assert executive_b.get(url("joining-induction", trust_b, joining_school_uuid=school.uuid)).status_code == 404
    page = url("joining-induction-complete", trust_b, induction_item_uuid=item.uuid)
    assert executive_b.post(page, {"completed_on": TODAY().isoformat()}).status_code == 404
    with scope(trust=trust_a.trust.pk):
        item.refresh_from_db()
    assert item.completed_on is None


def test_trustee_reads_the_report_and_downloads_the_pdf_but_cannot_change_it(trust_a):
    report = rated_report(trust_a)
    client = trust_a.client_for("trustee")
    page = client.get(url("joining-report", trust_a, report_uuid=report.uuid))
    assert page.status_code == 200 and "Oakfield Primary" in page.content.decode()
    assert "Edit due diligence" not in page.content.decode() and "Record ratification" not in page.content.decode()
    pdf = client.get(url("joining-report-pdf", trust_a, report_uuid=report.uuid))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(url("joining-report-edit", trust_a, report_uuid=report.uuid)).status_code == 403
    assert client.get(url("joining-report-ratify", trust_a, report_uuid=report.uuid)).status_code == 403
    assert client.get(url("joining-school-add", trust_a)).status_code == 403


def test_only_an_executive_records_ratification(trust_a):
    report = rated_report(trust_a)
    response = trust_a.client_for("improvement_lead").post(
        url("joining-report-ratify", trust_a, report_uuid=report.uuid), {"ratified_on": TODAY().isoformat()}
    )
    assert response.status_code == 403
    lead_page = trust_a.client_for("improvement_lead").get(url("joining-report", trust_a, report_uuid=report.uuid))
    assert "Record ratification" not in lead_page.content.decode()


def test_navigation_shows_joining_to_those_who_may_see_it(trust_a):
    for role, shown in [("executive", True), ("improvement_lead", True), ("trustee", True), ("headteacher", False)]:
        home = trust_a.client_for(role).get(url("trust-home", trust_a)).content.decode()
        assert (url("joining-home", trust_a) in home) is shown, role


# Views: the journey


def test_the_joining_page_has_empty_states(trust_a):
    page = trust_a.client_for("executive").get(url("joining-home", trust_a)).content.decode()
    assert "No school is joining at the moment" in page and "No school has joined in the last year" in page
    assert "Add a prospective school" in page
    trustee_page = trust_a.client_for("trustee").get(url("joining-home", trust_a)).content.decode()
    assert "Add a prospective school" not in trustee_page


def test_executive_adds_writes_ratifies_and_starts_induction(trust_a):
    client = trust_a.client_for("executive")
    response = client.post(
        url("joining-school-add", trust_a), {"urn": "730009", "name": "Hazel Primary", "la_name": "Devon"}, follow=True
    )
    assert "Hazel Primary was added as a prospective school" in response.content.decode()
    with scope(trust=trust_a.trust.pk):
        report = DueDiligenceReport.objects.get(school__urn=730009)
    assert response.redirect_chain[-1][0] == url("joining-report-edit", trust_a, report_uuid=report.uuid)

    home = client.get(url("joining-home", trust_a)).content.decode()
    assert "Hazel Primary" in home and "0 of 8 sections rated" in home

    data = {"summary": "Recommend."}
    for section in DUE_DILIGENCE_SECTIONS:
        data |= {f"{section}_rag": "green", f"{section}_findings": "Good.", f"{section}_evidence": "Visit."}
    data["finance_rag"] = ""
    response = client.post(url("joining-report-edit", trust_a, report_uuid=report.uuid), data, follow=True)
    assert "saved: 7 of 8 rated" in response.content.decode()

    refused = client.post(
        url("joining-report-ratify", trust_a, report_uuid=report.uuid), {"ratified_on": TODAY().isoformat()}
    )
    assert refused.status_code == 200 and "Not yet rated: Finance" in refused.content.decode()

    form = client.get(url("joining-report-ratify", trust_a, report_uuid=report.uuid)).content.decode()
    assert f'type="date" name="ratified_on" value="{TODAY().isoformat()}"' in form  # ISO, as date pickers need

    data["finance_rag"] = "amber"
    client.post(url("joining-report-edit", trust_a, report_uuid=report.uuid), data)
    response = client.post(
        url("joining-report-ratify", trust_a, report_uuid=report.uuid),
        {"ratified_on": TODAY().isoformat(), "notes": "Board 3 March"},
        follow=True,
    )
    body = response.content.decode()
    assert "Hazel Primary is now a member school of Alder Trust" in body
    assert "0 of 4 steps done" in body and "Open improvement plans" in body
    with scope(trust=trust_a.trust.pk):
        school = School.objects.get(urn=730009)
        item = InductionItem.objects.get(school=school, code="induction_review")
    assert school.status == MembershipStatus.MEMBER

    done = client.post(
        url("joining-induction-complete", trust_a, induction_item_uuid=item.uuid),
        {"completed_on": TODAY().isoformat()},
        follow=True,
    ).content.decode()
    assert "“Induction review held” is marked done" in done and "1 of 4 steps done" in done
    reopened = client.post(url("joining-induction-reopen", trust_a, induction_item_uuid=item.uuid), follow=True)
    assert "marked not done again" in reopened.content.decode()

    again = client.get(url("joining-report-ratify", trust_a, report_uuid=report.uuid), follow=True)
    assert "already ratified" in again.content.decode()
    edit = client.get(url("joining-report-edit", trust_a, report_uuid=report.uuid), follow=True)
    assert "can no longer be changed" in edit.content.decode()
    assert "Hazel Primary" in client.get(url("joining-home", trust_a)).content.decode()


def test_form_errors_are_shown_in_words(trust_a):
    client = trust_a.client_for("executive")
    duplicate = client.post(url("joining-school-add", trust_a), {"urn": "700001", "name": "Again"}).content.decode()
    assert "URN 700001 is already in this trust as Alder Trust School 1" in duplicate
    short = client.post(url("joining-school-add", trust_a), {"urn": "123", "name": "Short"}).content.decode()
    assert "A URN has six digits." in short
    report = rated_report(trust_a)
    tomorrow = (TODAY() + datetime.timedelta(days=1)).isoformat()
    future = client.post(url("joining-report-ratify", trust_a, report_uuid=report.uuid), {"ratified_on": tomorrow})
    assert "cannot be in the future" in future.content.decode()
    item_missing = client.post(url("joining-induction-complete", trust_a, induction_item_uuid=ratified_item(trust_a)))
    assert item_missing.status_code == 302


def ratified_item(world):
    school = ratified(world, 730050, "Elm Primary")
    with scope(trust=world.trust.pk):
        return InductionItem.objects.filter(school=school).first().uuid


def test_due_diligence_form_labels_every_field_within_its_section(trust_a):
    report = add_prospective(trust_a).due_diligence
    page = trust_a.client_for("improvement_lead").get(url("joining-report-edit", trust_a, report_uuid=report.uuid))
    body = page.content.decode()
    for number, (section, title) in enumerate(DUE_DILIGENCE_SECTIONS.items(), start=1):
        assert f"{number}. {title}</legend>" in body
        for part in ("rag", "findings", "evidence"):
            assert f'for="id_{section}_{part}"' in body and f'id="id_{section}_{part}"' in body


def test_the_report_shows_rag_as_words_and_escapes_html_in_findings(trust_a):
    report = add_prospective(trust_a).due_diligence
    with scope(trust=trust_a.trust.pk):
        services.due_diligence_update(
            report=report,
            actor=trust_a.people["executive"],
            summary="<script>alert(1)</script>",
            findings={"finance": {"rag": "red", "findings": '<img src="http://127.0.0.1:9/x.png">Deficit'}},
        )
    body = trust_a.client_for("trustee").get(url("joining-report", trust_a, report_uuid=report.uuid)).content.decode()
    assert (
        '<img src="http://127.0.0.1:9/x.png">' not in body
        and "&lt;img src=&quot;http://127.0.0.1:9/x.png&quot;&gt;" in body
    )
    assert "<script>alert(1)</script>" not in body
    assert '<span class="badge text-bg-danger">Red</span>' in body and "Not yet rated" in body


# The PDF


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.serial
def test_the_pdf_is_an_attachment_named_from_the_urn_and_reads_back_as_the_report(trust_a):
    report = rated_report(trust_a)
    started = time.perf_counter()
    response = trust_a.client_for("trustee").get(url("joining-report-pdf", trust_a, report_uuid=report.uuid))
    elapsed = time.perf_counter() - started
    assert response["Content-Disposition"] == 'attachment; filename="due-diligence-730001.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.content).split())
    assert "Oakfield Primary" in text and "730001" in text and "Alder Trust" in text
    for title in DUE_DILIGENCE_SECTIONS.values():
        assert title in text, title
    for word in ("Red", "Amber", "Green"):
        assert word in text
    assert "Findings on Finance." in text and "Evidence for Statutory data." in text
    assert elapsed < 10, f"PDF took {elapsed:.2f} s"


def test_user_html_in_the_pdf_opens_no_socket(trust_a, monkeypatch):
    report = add_prospective(trust_a).due_diligence
    with scope(trust=trust_a.trust.pk):
        services.due_diligence_update(
            report=report,
            actor=trust_a.people["executive"],
            summary='<link rel="stylesheet" href="http://127.0.0.1:9/s.css">',
            findings={"finance": {"rag": "red", "findings": '<img src="http://127.0.0.1:9/x.png"> Deficit'}},
        )
    client = trust_a.client_for("trustee")  # signed in before the network is watched
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise AssertionError("the PDF tried to open a socket")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    response = client.get(url("joining-report-pdf", trust_a, report_uuid=report.uuid))
    assert response.status_code == 200 and attempts == []
    # The markup is shown as the text it is.
    assert '<img src="http://127.0.0.1:9/x.png"> Deficit' in " ".join(pdf_text(response.content).split())


def test_an_induction_step_links_to_its_capability_once_that_page_exists(trust_a, monkeypatch):
    school = ratified(trust_a)
    # Stand in for the later self-evaluation page with one that takes the same parameters.
    monkeypatch.setitem(selectors.INDUCTION_CAPABILITIES, "self_evaluation", ("self-evaluation", "school-detail"))
    # And one whose page does not exist (yet).
    monkeypatch.setitem(selectors.INDUCTION_CAPABILITIES, "improvement_plan", ("improvement plans", "no-such-page"))
    body = trust_a.client_for("trustee").get(url("joining-induction", trust_a, joining_school_uuid=school.uuid))
    text = body.content.decode()
    assert f'href="{url("school-detail", trust_a, school_uuid=school.uuid)}">Open self-evaluation' in text
    assert "Available when the self-evaluation feature arrives" not in text
    assert "Available when the improvement plans feature arrives" in text
    assert "Mark done" not in text  # trustees read; they do not tick


def test_the_joining_page_costs_the_same_queries_however_many_schools_are_joining(trust_a):
    client = trust_a.client_for("trustee")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("joining-home", trust_a)).status_code == 200
        return len(captured)

    add_prospective(trust_a, 730001, "One Prospective")
    ratified(trust_a, 730002, "One Joiner")
    few = queries()
    for n in range(3, 7):
        add_prospective(trust_a, 730000 + n, f"Prospective {n}")
        ratified(trust_a, 730010 + n, f"Joiner {n}")
    assert queries() == few

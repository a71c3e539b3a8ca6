"""Support scales: each template reproduces its seed; choosing and editing a scale; pages and API."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.exceptions import ApplicationError
from reviews.models import Evidence, EvidenceType, Rating
from reviews.services.ratings import rating_decide
from tests.matrix.common import HT, IL, E
from trust.models import SupportLevel, SupportScale
from trust.scales.forms import checklist_to_text, text_to_checklist
from trust.scales.services import level_update, scale_create_from_template
from trust.scales.templates import EDITS, FOUR_PHASES, PLAN_DOMAINS, RAG, TEMPLATES, THREE_CATEGORIES

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def seed_text(number: str) -> str:
    return next(SEEDS.glob(f"{number}_*.txt")).read_text()


def normalise(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip().lower()


def in_seed(item: str, seed: str) -> bool:
    """The item is the seed's words: verbatim, or a documented edit of them; sub-items checked one by one."""
    if item in EDITS:
        return normalise(EDITS[item]).rstrip(".") in seed
    fragments = re.split(r": |; ", item)
    return all(normalise(EDITS.get(f, f)).rstrip(".:,") in seed for f in fragments)


def every_text_item(level) -> list[str]:
    items = [*level.key_indicators, *level.support_offer, *level.leadership_qualities]
    for domain_items in level.plan_checklist.values():
        items += list(domain_items)
    return items


@pytest.mark.parametrize("template", TEMPLATES.values(), ids=lambda t: t.key)
def test_every_line_of_a_template_is_its_seeds_words(template):
    seed = normalise(seed_text(template.source))
    missing = [item for level in template.levels for item in every_text_item(level) if not in_seed(item, seed)]
    assert missing == []


def test_every_documented_edit_quotes_a_seed():
    seeds = normalise(" ".join(seed_text(n) for n in ("000", "002", "003")))
    assert [original for original in EDITS.values() if normalise(original).rstrip(".") not in seeds] == []


def test_three_categories_has_seed_000s_three_headings_in_order():
    seed = seed_text("000")
    # Each category heading is the line before its "Key indicators" line.
    lines = [line.strip() for line in seed.splitlines() if line.strip()]
    headings = [lines[i - 1] for i, line in enumerate(lines) if line.lower() == "key indicators"]
    assert [level.heading for level in THREE_CATEGORIES.levels] == headings
    assert [level.name for level in THREE_CATEGORIES.levels] == [
        "Significant cause for concern",
        "Improving, some areas of concern",
        "Performing well",
    ]
    for level in THREE_CATEGORIES.levels:
        assert set(re.findall(r"\w+", level.name.lower())) <= set(re.findall(r"\w+", level.heading.lower()))
    assert len(THREE_CATEGORIES.levels[0].key_indicators) == 6
    assert len(THREE_CATEGORIES.levels[1].key_indicators) == 4
    assert len(THREE_CATEGORIES.levels[2].key_indicators) == 6


def test_every_school_gets_the_universal_offer_in_three_categories():
    for level in THREE_CATEGORIES.levels:
        assert any(item.startswith("Universal offer: termly visits") for item in level.support_offer)


def test_four_phases_are_stabilise_repair_improve_sustain_with_the_seeds_durations():
    seed = seed_text("002")
    assert [level.name for level in FOUR_PHASES.levels] == ["Stabilise", "Repair", "Improve", "Sustain"]
    assert all(level.heading in seed for level in FOUR_PHASES.levels)
    stabilise, repair, improve, sustain = FOUR_PHASES.levels
    assert stabilise.duration == "1 – 2 terms" and stabilise.expected_duration_months == 8
    assert repair.duration == "12 – 18 months" and repair.expected_duration_months == 18
    assert improve.expected_duration_months is None
    assert sustain.duration == "Ongoing" and sustain.expected_duration_months is None
    assert "Ofsted Grade 4" in stabilise.key_indicators and "Ofsted Grade 1" in sustain.key_indicators


def test_every_phase_has_leadership_qualities_and_the_six_checklist_domains():
    assert PLAN_DOMAINS == (
        "Governance",
        "Finance and legal",
        "Leadership",
        "Teaching and learning",
        "Behaviour and safety",
        "Communication",
    )
    for level in FOUR_PHASES.levels:
        assert level.leadership_qualities, level.name
        assert tuple(level.plan_checklist) == PLAN_DOMAINS, level.name
        assert all(level.plan_checklist[domain] for domain in PLAN_DOMAINS), level.name
    assert "TUPE of all staff to MAT" in FOUR_PHASES.levels[0].plan_checklist["Finance and legal"]
    assert "Press release" in FOUR_PHASES.levels[0].plan_checklist["Communication"]


def test_rag_levels_are_red_amber_green_with_cumulative_activities():
    red, amber, green = RAG.levels
    assert [level.name for level in RAG.levels] == ["Red", "Amber", "Green"]
    assert [level.colour for level in RAG.levels] == ["red", "amber", "green"]
    assert [level.heading for level in RAG.levels] == ["Level 3", "Level 2", "Level 1"]
    # "Activities are cumulative": Amber has all of Green's, Red all of Amber's.
    assert set(green.support_offer) < set(amber.support_offer) < set(red.support_offer)
    assert "Impact to be seen within 12 months." in amber.support_offer
    assert amber.expected_duration_months == 12
    assert red.visit_cadence == "Weekly monitoring visits (SIO/CEO)"


def test_the_least_intensive_level_of_each_template_needs_no_rule_and_the_others_have_some():
    for template in TEMPLATES.values():
        *others, least = template.levels
        assert least.rules == ()
        assert all(level.rules for level in others), template.key


# --- choosing and editing a scale -------------------------------------------------------------------------


@pytest.fixture
def world(trust_a):
    with scope(trust=trust_a.trust.pk):
        yield trust_a


def test_choosing_a_template_copies_its_levels_in_order(world):
    scale = scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="four_phases")
    levels = list(scale.levels.order_by("position"))
    assert [(level.position, level.name) for level in levels] == [
        (1, "Stabilise"),
        (2, "Repair"),
        (3, "Improve"),
        (4, "Sustain"),
    ]
    assert levels[0].plan_checklist["Governance"][0] == "Vision of MAT used to direct activity"
    assert levels[0].rules[0] == {"indicator": "ofsted_grade", "op": ">=", "value": 4, "note": "Ofsted Grade 4"}
    assert scale.template == "four_phases"


def test_only_an_executive_may_choose_the_scale(world):
    with pytest.raises(PermissionDenied):
        scale_create_from_template(trust=world.trust, actor=world.people[IL], template_key="rag")


def test_unknown_template_is_refused(world):
    with pytest.raises(ApplicationError, match="one of the three templates"):
        scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="five_stars")


def test_picking_again_needs_confirmation_and_replaces_the_scale(world):
    scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="four_phases")
    with pytest.raises(ApplicationError, match="Confirm"):
        scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="rag")
    scale = scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="rag", replace=True)
    assert list(SupportLevel.objects.filter(scale__trust=world.trust).values_list("name", flat=True)) == [
        "Red",
        "Amber",
        "Green",
    ]
    assert SupportScale.objects.filter(trust=world.trust).get() == scale


def _rate(world, level):
    evidence = Evidence.objects.create(
        school=world.schools[0],
        evidence_type=EvidenceType.LEARNING_WALK,
        observed_on=timezone.localdate() - datetime.timedelta(days=10),
        author=world.people[E],
        summary="Walk",
    )
    return rating_decide(
        school=world.schools[0],
        actor=world.people[E],
        level=level,
        effective_on=timezone.localdate(),
        rationale="Because.",
        evidence=[evidence],
        override_reason="Deliberately chosen.",
    )


def test_a_scale_with_ratings_cannot_be_replaced(world):
    scale = scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="four_phases")
    _rate(world, scale.levels.get(position=2))
    with pytest.raises(ApplicationError, match="already been rated"):
        scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="rag", replace=True)
    assert SupportScale.objects.get(trust=world.trust).template == "four_phases"


def test_editing_a_level_does_not_change_past_ratings_level_name(world):
    scale = scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="four_phases")
    repair = scale.levels.get(name="Repair")
    rating = _rate(world, repair)
    level_update(level=repair, actor=world.people[E], name="Rebuild", expected_duration_months=12)
    with scopes_disabled():
        stored = Rating.objects.get(pk=rating.pk)
    assert stored.level_name == "Repair" and stored.level_position == 2
    assert stored.level.name == "Rebuild"


def test_level_update_validates_and_keeps_what_it_is_not_given(world):
    scale = scale_create_from_template(trust=world.trust, actor=world.people[E], template_key="rag")
    amber = scale.levels.get(name="Amber")
    offer = list(amber.support_offer)
    level_update(level=amber, actor=world.people[E], visit_cadence="Fortnightly", rules=[])
    amber.refresh_from_db()
    assert amber.visit_cadence == "Fortnightly" and amber.rules == [] and amber.support_offer == offer
    with pytest.raises(ApplicationError, match="already called"):
        level_update(level=amber, actor=world.people[E], name="red")
    with pytest.raises(ApplicationError, match="unknown indicator"):
        level_update(level=amber, actor=world.people[E], rules=[{"indicator": "vibes", "op": ">=", "value": 1}])
    with pytest.raises(ApplicationError, match="between 1 and 120"):
        level_update(level=amber, actor=world.people[E], expected_duration_months=0)
    with pytest.raises(PermissionDenied):
        level_update(level=amber, actor=world.people[IL], name="Orange")


def test_checklist_text_round_trips():
    checklist = {domain: list(items) for domain, items in FOUR_PHASES.levels[1].plan_checklist.items()}
    assert text_to_checklist(checklist_to_text(checklist)) == checklist


# --- pages and API ----------------------------------------------------------------------------------------


def test_scale_page_without_a_scale_links_the_executive_to_the_templates(trust_a):
    url = reverse("scale-detail", args=[trust_a.trust.slug])
    page = trust_a.client_for(E).get(url).content.decode()
    assert "has not chosen a support scale yet" in page
    assert reverse("scale-choose", args=[trust_a.trust.slug]) in page
    head_page = trust_a.client_for(HT).get(url).content.decode()
    assert "An executive of the trust chooses it" in head_page


def test_choose_page_shows_the_three_templates_and_choosing_one_makes_the_scale(trust_a):
    client = trust_a.client_for(E)
    url = reverse("scale-choose", args=[trust_a.trust.slug])
    page = client.get(url).content.decode()
    for name in ("Three categories", "Four phases", "RAG levels", "Stabilise", "Significant cause for concern"):
        assert name in page
    assert "<legend" in page
    response = client.post(url, {"template": "rag"})
    assert response.status_code == 302
    page = client.get(reverse("scale-detail", args=[trust_a.trust.slug])).content.decode()
    assert "Weekly monitoring visits" in page and "Amber" in page


def test_edit_level_page_saves_lists_typed_one_per_line(trust_a):
    with scope(trust=trust_a.trust.pk):
        scale = scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="rag")
        green = scale.levels.get(name="Green")
    client = trust_a.client_for(E)
    url = reverse("scale-level-edit", args=[trust_a.trust.slug, green.uuid])
    page = client.get(url).content.decode()
    assert "Limited intervention from the trust." in page
    response = client.post(
        url,
        {
            "name": "Green",
            "colour": "green",
            "description": "Level 1.",
            "key_indicators": "First\n\n  Second  \n",
            "support_offer": "Annual review",
            "leadership_qualities": "",
            "plan_checklist": "Governance:\nGovernors hold leaders to account",
            "visit_cadence": "Termly",
            "monitoring_cadence": "",
            "reporting_cadence": "Termly report",
            "expected_duration_months": "",
            "rules": "attendance_gap <= -1  # better than national",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        green.refresh_from_db()
    assert green.key_indicators == ["First", "Second"]
    assert green.plan_checklist == {"Governance": ["Governors hold leaders to account"]}
    assert green.rules == [{"indicator": "attendance_gap", "op": "<=", "value": -1, "note": "better than national"}]


def test_edit_level_page_shows_a_bad_rule_as_an_error(trust_a):
    with scope(trust=trust_a.trust.pk):
        scale = scale_create_from_template(trust=trust_a.trust, actor=trust_a.people[E], template_key="rag")
        red = scale.levels.get(name="Red")
    response = trust_a.client_for(E).post(
        reverse("scale-level-edit", args=[trust_a.trust.slug, red.uuid]), {"name": "Red", "rules": "ofsted_grade >>"}
    )
    assert response.status_code == 200
    assert "write a rule as" in response.content.decode()


def test_another_trusts_level_is_not_found(trust_a, trust_b):
    with scope(trust=trust_b.trust.pk):
        scale = scale_create_from_template(trust=trust_b.trust, actor=trust_b.people[E], template_key="rag")
        level = scale.levels.first()
    client = trust_a.client_for(E)
    assert client.get(reverse("scale-level-edit", args=[trust_a.trust.slug, level.uuid])).status_code == 404
    api = reverse("api-scale-level-detail", args=[trust_a.trust.slug, level.uuid])
    assert client.patch(api, {"name": "Mine"}, content_type="application/json").status_code == 404


def test_api_reads_the_scale_and_an_executive_chooses_and_edits(trust_a):
    client = trust_a.client_for(E)
    slug = trust_a.trust.slug
    assert client.get(reverse("api-scale-detail", args=[slug])).status_code == 404
    templates = client.get(reverse("api-scale-templates", args=[slug])).json()
    assert [t["key"] for t in templates] == ["three_categories", "four_phases", "rag"]
    created = client.post(reverse("api-scale-choose", args=[slug]), {"template": "four_phases"}, "application/json")
    assert created.status_code == 201
    levels = created.json()["levels"]
    assert [level["name"] for level in levels] == ["Stabilise", "Repair", "Improve", "Sustain"]
    assert levels[0]["expected_duration_months"] == 8
    url = reverse("api-scale-level-detail", args=[slug, levels[0]["uuid"]])
    changed = client.patch(url, {"visit_cadence": "Weekly"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["visit_cadence"] == "Weekly"
    assert changed.json()["support_offer"] == levels[0]["support_offer"]
    refused = trust_a.client_for(HT).patch(url, {"visit_cadence": "Never"}, content_type="application/json")
    assert refused.status_code == 403
    bad = client.patch(url, {"rules": [{"indicator": "ofsted_grade", "op": ">", "value": 3}]}, "application/json")
    assert bad.status_code == 400 and "unknown operator" in bad.json()["message"]

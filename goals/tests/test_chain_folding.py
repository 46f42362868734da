"""The chain folds per area, committee and goal, open where the reader works, with badges."""

import re

import pytest

from goals.models import ASSESSMENT_SYMBOLS, DirectionGoal, GoalAssessment, Submission

pytestmark = pytest.mark.django_db


def details(html: str, cls: str) -> list[tuple[bool, str]]:
    """(open?, summary text) of each <details class="cls"> on the page."""
    found = re.findall(
        rf'<details class="{cls}"( open)?>\s*<summary>(.*?)</summary>', html, flags=re.S
    )
    return [
        (bool(is_open), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip())
        for is_open, text in found
    ]


def test_committee_editor_finds_own_committee_open_and_others_folded(client_for):
    html = client_for("namnd").get("/styrkedja/").content.decode()
    committees = details(html, "tree__committee")
    assert committees, "the chain has committee folds"
    assert all(is_open for is_open, text in committees if "Utbildningsnämnden" in text)
    goals = details(html, "tree__goal")
    assert goals and all(is_open for is_open, _ in goals)
    # Areas without Utbildningsnämnden's goals stay folded.
    areas = details(html, "tree__area")
    assert any(is_open for is_open, _ in areas)


def test_unit_member_finds_its_committee_open(client_for):
    html = client_for("enhet").get("/styrkedja/").content.decode()
    committees = details(html, "tree__committee")
    assert committees and all(is_open for is_open, _ in committees)


def test_municipality_reader_gets_every_committee_folded(client_for):
    html = client_for("politiker").get("/styrkedja/").content.decode()
    committees = details(html, "tree__committee")
    assert len({text for _, text in committees}) > 1
    assert not any(is_open for is_open, _ in committees)
    assert not any(is_open for is_open, _ in details(html, "tree__goal"))
    # The committee chosen in the filter opens.
    html = client_for("politiker").get("/styrkedja/?namnd=SN").content.decode()
    assert all(is_open for is_open, _ in details(html, "tree__committee"))


def test_each_goal_shows_its_latest_published_assessment_as_symbol_and_word(client_for):
    latest = (
        GoalAssessment.objects.filter(
            submission__state=Submission.State.PUBLISHED,
            submission__org_unit__code="SN",
            submission__occasion__plan_year__year=2026,
            submission__occasion__name__startswith="Tertial",
        )
        .exclude(level="")
        .select_related("direction_goal")
        .first()
    )
    assert latest is not None, "the demo has a published tertial report for SN"
    html = client_for("politiker").get("/styrkedja/?namnd=SN").content.decode()
    goal = latest.direction_goal
    summary = next(text for _, text in details(html, "tree__goal") if goal.code in text)
    symbol = ASSESSMENT_SYMBOLS[latest.level]
    assert f"{symbol} {latest.get_level_display()} i ( Tertialrapport 1 2026 )" in summary
    # A goal whose committee published no follow-up says so rather than guessing.
    un_goal = DirectionGoal.objects.filter(committee__code="UN", valid_to__gte=2026).first()
    html = client_for("namnd").get("/styrkedja/").content.decode()
    summary = next(text for _, text in details(html, "tree__goal") if un_goal.code in text)
    assert "Verksamhetsberättelse 2025" in summary or "Ingen bedömning" in summary
    assert "Verksamhetsplan" not in summary

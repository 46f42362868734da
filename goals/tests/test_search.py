"""Search at /sok/: by code and words, Swedish letters in any case, only what the user may see."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import Activity, DirectionGoal, OperationalPlan
from goals.selectors.search import SEARCH_HITS_PER_KIND
from governance.models import Assignment, GoverningDocument

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(response, label: str) -> str:
    """The text of the result group headed `label`, '' when there is none."""
    html = response.content.decode()
    for part in re.findall(r"<section .*?</section>", html, flags=re.S):
        if re.search(rf"<h2[^>]*>{re.escape(label)} ", part):
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part))
    return ""


def results(response) -> str:
    """The text of every result group, without the query echoed above them."""
    html = response.content.decode()
    parts = re.findall(r'<div class="search-results">(.*?)</div>', html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", " ".join(parts)))


def test_every_page_has_a_search_field_in_the_header(client_for):
    html = client_for("enhet").get("/styrkedja/").content.decode()
    assert 'role="search"' in html and 'action="/sok/"' in html and 'name="q"' in html


def test_a_goal_is_found_by_its_code_with_its_place_in_the_chain(client_for):
    goal = DirectionGoal.objects.filter(committee__code="UN").order_by("code").first()
    response = client_for("namnd").get("/sok/", {"q": goal.code.lower()})
    assert response.status_code == 200
    goals = section(response, "Inriktningsmål")
    assert goal.code in goals and goal.title in goals
    assert f"Utbildningsnämnden › Strategiområde {goal.strategic_area.number}" in goals
    indicators = section(response, "Indikatorer")
    for indicator in goal.indicators.all()[:3]:
        assert indicator.name in indicators
    assert f"Utbildningsnämnden › {goal.code}" in indicators


def test_swedish_letters_match_in_any_case(client_for):
    goal = next(
        g
        for g in DirectionGoal.objects.filter(committee__code="UN")
        if re.search(r"\b\w*[åäö]\w*\b", g.title)
    )
    word = re.search(r"\b\w*[åäö]\w*\b", goal.title).group(0)
    for typed in (word.upper(), word.lower(), word.capitalize()):
        goals = section(client_for("namnd").get("/sok/", {"q": typed}), "Inriktningsmål")
        assert goal.code in goals, typed


def test_search_finds_only_what_the_user_may_see(client_for):
    other = DirectionGoal.objects.filter(committee__code="SN").order_by("code").first()
    assert other.code not in results(client_for("namnd").get("/sok/", {"q": other.code}))
    assert "Inga träffar" in text_of(client_for("outsider").get("/sok/", {"q": other.code}))
    assert other.code in section(
        client_for("politiker").get("/sok/", {"q": other.code}), "Inriktningsmål"
    )
    # A unit sees only its own activities.
    theirs = Activity.objects.exclude(plan__org_unit__code="UF-ENS").first()
    mine = Activity.objects.filter(plan__org_unit__code="UF-ENS").first()
    page = section(client_for("enhet").get("/sok/", {"q": theirs.title}), "Aktiviteter")
    assert theirs.title not in page
    page = section(client_for("enhet").get("/sok/", {"q": mine.title}), "Aktiviteter")
    assert mine.title in page and mine.direction_goal.code in page


def test_documents_and_assignments_are_found_through_governance(client_for):
    document = GoverningDocument.objects.select_related("owning_unit").first()
    assignment = Assignment.objects.select_related("receiving_unit").first()
    page = section(client_for("klk").get("/sok/", {"q": document.title}), "Styrdokument")
    assert document.title in page and document.owning_unit.name in page
    words = " ".join(assignment.short_text.split()[:3])
    page = section(client_for("klk").get("/sok/", {"q": words}), "Uppdrag")
    assert assignment.receiving_unit.name in page
    assert not section(client_for("outsider").get("/sok/", {"q": document.title}), "Styrdokument")


def test_a_too_short_query_asks_for_more(client_for):
    assert "Skriv minst 2 tecken" in text_of(client_for("namnd").get("/sok/", {"q": "u"}))


def test_many_hits_are_bounded_per_kind_in_a_fixed_number_of_queries(client_for):
    plan = OperationalPlan.objects.filter(org_unit__code="UF-ENS").first()
    goal = plan.activities.first().direction_goal
    client = client_for("enhet")
    client.get("/sok/", {"q": "Läsfrämjande"})
    with CaptureQueriesContext(connection) as few:
        client.get("/sok/", {"q": "Läsfrämjande"})
    Activity.objects.bulk_create(
        Activity(plan=plan, direction_goal=goal, title=f"Läsfrämjande insats {n}")
        for n in range(SEARCH_HITS_PER_KIND + 5)
    )
    with CaptureQueriesContext(connection) as many:
        response = client.get("/sok/", {"q": "läsfrämjande"})
    assert len(many) == len(few) <= 25
    activities = section(response, "Aktiviteter")
    assert activities.count("Läsfrämjande insats") == SEARCH_HITS_PER_KIND
    assert "Fler träffar bland aktiviteter" in activities

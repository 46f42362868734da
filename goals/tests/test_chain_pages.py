"""The read-only chain: who sees what, the path up to the vision, a fixed query count."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    StrategicArea,
    Strategy,
    Target,
    Vision,
)
from goals.selectors import CHAIN_GOALS_PER_PAGE

pytestmark = pytest.mark.django_db

AREAS = [
    "Hög kvalitet",
    "Stor valfrihet",
    "Hög effektivitet",
    "Hög attraktivitet",
    "Stark utveckling",
]


def text_of(response) -> str:
    """The page as a reader meets it: tags dropped, white space folded."""
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def goal_codes(response) -> set[str]:
    return set(re.findall(r'class="code">([A-ZÅÄÖ]+-[A-Z]+-\d+)<', response.content.decode()))


def test_anonymous_is_sent_to_login(client):
    response = client.get("/styrkedja/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_namnd_sees_vision_areas_and_own_committee_goals(client_for):
    response = client_for("namnd").get("/styrkedja/")
    assert response.status_code == 200
    page = text_of(response)
    assert "Danderyd – Sveriges bästa kommun att leva, bo och verka i" in page
    for area in AREAS:
        assert area in page
    assert goal_codes(response) == set(
        DirectionGoal.objects.filter(committee__code="UN").values_list("code", flat=True)
    )
    assert "Enebybergs skola" in page and "Fribergaskolan" in page
    assert "Socialnämnden" not in page


def test_enhet_sees_committee_goals_but_only_own_unit_activities(client_for):
    response = client_for("enhet").get("/styrkedja/")
    page = text_of(response)
    assert {"UN-HK-1", "UN-HK-2"} <= goal_codes(response)
    assert "Kollegialt lärande i matematik för årskurs 4–6" in page
    assert "Studiestöd efter skoltid för elever i årskurs 7–9" not in page  # Fribergaskolan


def test_reviewer_and_politician_see_every_committee(client_for):
    every = set(DirectionGoal.objects.values_list("code", flat=True))
    for persona in ["klk", "politiker", "admin"]:
        assert goal_codes(client_for(persona).get("/styrkedja/")) == every


def test_outsider_sees_the_common_chain_but_no_committee(client_for):
    response = client_for("outsider").get("/styrkedja/")
    assert response.status_code == 200
    assert "Hög kvalitet" in text_of(response)
    assert goal_codes(response) == set()


def test_filter_by_committee_and_year(client_for):
    client = client_for("politiker")
    response = client.get("/styrkedja/", {"namnd": "SN"})
    assert goal_codes(response) == {"SN-HK-1", "SN-SV-1", "SN-HA-1"}
    page_2025 = text_of(client.get("/styrkedja/", {"namnd": "UN", "ar": "2025"}))
    assert "Gemensam bedömning av nationella prov" in page_2025  # a 2025 activity
    assert "Kollegialt lärande i matematik" not in page_2025  # a 2026 activity
    assert client.get("/styrkedja/", {"namnd": "FINNS-INTE"}).status_code == 404


def test_committee_filter_offers_only_committees_to_whoever_sees_everything(client_for):
    committees = set(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).values_list("code", flat=True)
    )
    unit = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT).first()
    for persona in ["klk", "politiker"]:
        client = client_for(persona)
        html = client.get("/styrkedja/").content.decode()
        select = re.search(r'<select name="namnd".*?</select>', html, re.S).group(0)
        assert set(re.findall(r'<option value="([^"]+)"', select)) == committees
        # A unit is no committee: filtering on one is as unknown as a made-up code.
        assert client.get("/styrkedja/", {"namnd": unit.code}).status_code == 404


def test_namnd_cannot_filter_on_another_committee(client_for):
    assert client_for("namnd").get("/styrkedja/", {"namnd": "SN"}).status_code == 404


def test_goal_page_shows_path_up_and_what_lies_under(client_for):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    response = client_for("namnd").get(goal.get_absolute_url())
    assert response.status_code == 200
    crumbs = re.search(r'<nav aria-label="Sökväg".*?</nav>', response.content.decode(), re.S)
    assert re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", crumbs.group(0))).split() == [
        "Vision",
        "Hög",
        "kvalitet",
        "Utbildningsnämnden",
        "UN-HK-1",
    ]
    page = text_of(response)
    assert "3. Danderydsborna ska erbjudas en bra och attraktiv service." in page
    assert "1. Hög tillgänglighet, öppen dialog och gott bemötande" in page
    assert "Andel elever i årskurs 9 som uppnått kunskapskraven i alla ämnen" in page
    assert "Kollegialt lärande i matematik för årskurs 4–6" in page


def test_activity_page_traces_to_the_vision(client_for):
    activity = Activity.objects.get(title="Trygghetsvandringar med elevrådet")
    response = client_for("enhet").get(activity.get_absolute_url())
    page = text_of(response)
    for step in ["Vision", "Hög kvalitet", "Utbildningsnämnden", "UN-HK-2"]:
        assert step in page
    assert "Enebybergs skola" in page


def test_every_node_kind_has_a_detail_page(client_for):
    client = client_for("politiker")
    urls = [
        Vision.objects.get().get_absolute_url(),
        StrategicArea.objects.get(number=4).get_absolute_url(),
        OverarchingGoal.objects.get(number=1).get_absolute_url(),
        Strategy.objects.get(number=6).get_absolute_url(),
        OrgUnit.objects.get(code="UN").get_absolute_url(),
        OrgUnit.objects.get(code="UF-ENS").get_absolute_url(),
        DirectionGoal.objects.get(code="KS-HE-1").get_absolute_url(),
        Indicator.objects.get(code="KS-HE-1-1").get_absolute_url(),
        OperationalPlan.objects.filter(org_unit__code="FK-FF").get().get_absolute_url(),
        Activity.objects.get(title="Byte till LED-belysning i tre skolor").get_absolute_url(),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_area_page_shows_its_bilaga_1_links(client_for):
    area = StrategicArea.objects.get(name="Hög attraktivitet")
    page = text_of(client_for("politiker").get(area.get_absolute_url()))
    assert "1. Danderyd ska vara en bra och attraktiv kommun att bo och verka i." in page
    assert "6. En attraktiv arbetsgivare ger möjligheter för medarbetare och chefer" in page
    assert "Från visionen" in page


def test_strategy_3_page_warns_it_is_carried_by_no_area(client_for):
    strategy = Strategy.objects.get(number=3)
    page = text_of(client_for("politiker").get(strategy.get_absolute_url()))
    assert "Inget strategiområde bär kommunövergripande strategi" in page


def test_outside_the_subtree_is_404(client_for):
    namnd = client_for("namnd")
    assert (
        namnd.get(DirectionGoal.objects.get(code="SN-HK-1").get_absolute_url()).status_code == 404
    )
    assert namnd.get(Indicator.objects.get(code="SN-HK-1-1").get_absolute_url()).status_code == 404
    assert namnd.get(OrgUnit.objects.get(code="SN").get_absolute_url()).status_code == 404
    enhet = client_for("enhet")
    other_plan = OperationalPlan.objects.get(org_unit__code="UF-FRI")
    assert enhet.get(other_plan.get_absolute_url()).status_code == 404
    other_activity = other_plan.activities.first()
    assert enhet.get(other_activity.get_absolute_url()).status_code == 404
    assert enhet.get(OrgUnit.objects.get(code="UF-FRI").get_absolute_url()).status_code == 404
    # …while her own committee and her own plan are there.
    assert enhet.get(OrgUnit.objects.get(code="UN").get_absolute_url()).status_code == 200
    own_plan = OperationalPlan.objects.filter(org_unit__code="UF-ENS").first()
    assert enhet.get(own_plan.get_absolute_url()).status_code == 200


def multiply_demo(copies: int) -> None:
    """Add `copies` more of every committee's goals, indicators, outcomes and activities."""
    goals = list(DirectionGoal.objects.prefetch_related("overarching_goals", "strategies"))
    for n in range(1, copies + 1):
        for goal in goals:
            clone = DirectionGoal.objects.create(
                committee=goal.committee,
                strategic_area=goal.strategic_area,
                code=f"{goal.code}{n}",
                title=f"{goal.title} ({n})",
                valid_from=goal.valid_from,
                valid_to=goal.valid_to,
            )
            clone.overarching_goals.set(goal.overarching_goals.all())
            clone.strategies.set(goal.strategies.all())
            for ind in Indicator.objects.filter(direction_goal=goal):
                targets = list(ind.targets.all())
                measurements = list(ind.measurements.all())
                ind.pk, ind.code, ind.direction_goal = None, f"{ind.code}-{n}", clone
                ind.save()
                Target.objects.bulk_create(
                    Target(indicator=ind, year=t.year, value=t.value) for t in targets
                )
                Measurement.objects.bulk_create(
                    Measurement(indicator=ind, occasion=m.occasion, value=m.value)
                    for m in measurements
                )
            for act in Activity.objects.filter(direction_goal=goal):
                act.pk, act.title, act.direction_goal = None, f"{act.title} ({n})", clone
                act.save()


def test_chain_page_query_count_does_not_grow_with_the_data(client_for):
    client = client_for("politiker")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/styrkedja/").status_code == 200
    goals_before = DirectionGoal.objects.count()
    multiply_demo(2)
    assert DirectionGoal.objects.count() == 3 * goals_before
    with CaptureQueriesContext(connection) as large:
        response = client.get("/styrkedja/")
    assert response.status_code == 200
    # A page of goals at a time; the second page has the rest.
    first_page = goal_codes(response)
    assert len(first_page) == min(3 * goals_before, CHAIN_GOALS_PER_PAGE)
    assert f"av {3 * goals_before}" in text_of(response)
    second_page = goal_codes(client.get("/styrkedja/", {"sida": 2}))
    assert not first_page & second_page
    assert len(first_page | second_page) == 3 * goals_before
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 25


def test_coverage_page_query_count_does_not_grow_with_the_data(client_for):
    client = client_for("politiker")
    with CaptureQueriesContext(connection) as small:
        client.get("/styrkedja/tackning/")
    multiply_demo(2)
    with CaptureQueriesContext(connection) as large:
        client.get("/styrkedja/tackning/")
    assert len(large.captured_queries) == len(small.captured_queries)

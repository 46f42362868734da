"""Chain coverage: what carries nothing, or is carried by nothing, shown as warnings."""

import re

import pytest

from goals.models import Activity, DirectionGoal, Strategy

pytestmark = pytest.mark.django_db


def warnings_of(response) -> list[str]:
    html = response.content.decode()
    items = re.findall(r'<li class="warning">(.*?)</li>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", i)).strip() for i in items]


def test_strategy_3_is_carried_by_no_area(client_for):
    response = client_for("politiker").get("/styrkedja/tackning/")
    assert response.status_code == 200
    strategy = Strategy.objects.get(number=3)
    assert any(
        w.startswith("⚠ Varning: Strategi 3. Civilsamhälle och näringsliv")
        and w.endswith("bärs inte av något strategiområde.")
        for w in warnings_of(response)
    )
    assert f'href="{strategy.get_absolute_url()}"' in response.content.decode()
    assert not any("Övergripande mål" in w for w in warnings_of(response))


def test_areas_where_a_committee_has_no_goal(client_for):
    warnings = warnings_of(client_for("politiker").get("/styrkedja/tackning/"))
    building = next(w for w in warnings if "Byggnadsnämnden saknar" in w)
    assert "Stor valfrihet" in building and "Hög effektivitet" in building
    assert "Hög kvalitet" not in building  # BN-HK-1


def test_goal_without_indicator_and_goals_without_activity(client_for):
    warnings = warnings_of(client_for("politiker").get("/styrkedja/tackning/"))
    assert any("MHN-HK-1" in w and "har ingen indikator" in w for w in warnings)
    without_activity = {
        w.split()[2] for w in warnings if "har ingen aktivitet i någon verksamhetsplan" in w
    }
    expected = set(DirectionGoal.objects.values_list("code", flat=True)) - set(
        Activity.objects.filter(plan__plan_year__year=2026).values_list(
            "direction_goal__code", flat=True
        )
    )
    assert without_activity == expected
    assert "UN-HK-1" not in without_activity and "KS-HE-1" in without_activity


def test_adding_an_indicator_clears_the_warning(client_for):
    goal = DirectionGoal.objects.get(code="MHN-HK-1")
    goal.indicators.create(code="MHN-HK-1-1", name="Handläggningstid för tillstånd")
    warnings = warnings_of(client_for("politiker").get("/styrkedja/tackning/"))
    assert not any("MHN-HK-1" in w and "har ingen indikator" in w for w in warnings)


def test_committee_staff_see_only_their_committee(client_for):
    warnings = warnings_of(client_for("namnd").get("/styrkedja/tackning/"))
    assert any("Utbildningsnämnden saknar" in w for w in warnings)
    assert not any("Byggnadsnämnden" in w or "MHN-" in w for w in warnings)

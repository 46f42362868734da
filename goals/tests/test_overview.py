"""The måluppfyllelse overview (/oversikt/): the report's counts, scoped to the user, drilled
down by links, and the state of unpublished follow-ups said out loud."""

import re

import pytest
from django.urls import reverse

from goals.models import Assessment, DirectionGoal, OrgUnit, ReportingOccasion
from goals.permissions import access_for
from goals.selectors.overview import LEVELS, overview, overview_occasions
from reporting.data import municipality_report_data

pytestmark = pytest.mark.django_db


def _occasion(year, name):
    return ReportingOccasion.objects.get(plan_year__year=year, name=name)


def _cells(html: str, table_heading: str) -> dict:
    """Per row label of the table under the <h2> `table_heading`: its four counts."""
    section = html.split(f">{table_heading}</h2>", 1)[1].split("</section>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]:
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, re.S)[1]).strip()
        counts = [int(n) for n in re.findall(r'data-level="[a-z_]+">(\d+)</td>', row)]
        rows[label] = counts
    return rows


@pytest.mark.parametrize(
    ("year", "name"), [(2026, "Tertialrapport 1"), (2025, "Verksamhetsberättelse")]
)
def test_the_overview_counts_what_the_municipality_report_counts(client_for, year, name):
    occasion = _occasion(year, name)
    report = municipality_report_data(occasion=occasion, org_unit=None)["summary"]
    html = client_for("klk").get(reverse("overview"), {"tillfalle": occasion.pk}).content.decode()
    by_area = _cells(html, "Per strategiområde")
    by_committee = _cells(html, "Per nämnd")
    for row in report["by_area"]:
        assert by_area[row["label"]] == [row["counts"][str(level)] for level in LEVELS]
    for row in report["by_committee"]:
        assert by_committee[row["label"]] == [row["counts"][str(level)] for level in LEVELS]
    assert len(by_committee) == len(report["by_committee"])
    # Something is really counted, not only zeros on both sides.
    assert sum(sum(c) for c in by_committee.values()) == sum(report["counts"].values()) > 0


def test_default_is_the_latest_occasion_with_published_follow_ups_and_says_it_is_preliminary(
    client_for,
):
    _occasions, default = overview_occasions()
    # Delårsrapport 2026 has only a submitted follow-up; Tertialrapport 1 has published ones.
    assert (default.plan_year.year, default.name) == (2026, "Tertialrapport 1")
    html = client_for("politiker").get(reverse("overview")).content.decode()
    assert "Måluppfyllelse – Tertialrapport 1 2026" in html
    assert "Preliminärt: 3 av 7 nämnders uppföljningar är publicerade" in html
    # Each committee's state stands beside its counts.
    assert re.search(r"Fastighetsnämnden.*?Inlämnad", html, re.S)
    annual = _occasion(2025, "Verksamhetsberättelse")
    html = client_for("politiker").get(reverse("overview"), {"tillfalle": annual.pk})
    assert "Alla 7 nämnders uppföljningar är publicerade." in html.content.decode()


def test_each_user_sees_only_the_committees_they_see(client_for, users):
    occasion = _occasion(2026, "Tertialrapport 1")
    html = client_for("namnd").get(reverse("overview")).content.decode()
    committees = _cells(html, "Per nämnd")
    assert list(committees) == ["Utbildningsnämnden"]
    data = overview(access=access_for(users["namnd"]), occasion=occasion, occasions=[occasion])
    assert {g.committee.code for g in data.goals} == {"UN"}
    html = client_for("outsider").get(reverse("overview")).content.decode()
    assert "Du har ingen nämnd att se måluppfyllelse för." in html
    assert "Per nämnd</h2>" not in html and "Utbildningsnämnden" not in html


def test_drill_down_area_then_committee_then_goal_with_indicators(client_for):
    occasion = _occasion(2025, "Verksamhetsberättelse")
    client = client_for("klk")
    top = client.get(reverse("overview"), {"tillfalle": occasion.pk}).content.decode()
    area_link = re.search(r'href="\?(tillfalle=\d+&amp;omrade=1)"', top)[1]
    area_page = client.get(reverse("overview") + "?" + area_link.replace("&amp;", "&"))
    html = area_page.content.decode()
    assert "Per strategiområde</h2>" not in html  # the area is chosen
    committee_link = re.search(r'href="\?(tillfalle=\d+&amp;omrade=1&amp;namnd=UN)"', html)[1]
    html = client.get(
        reverse("overview") + "?" + committee_link.replace("&amp;", "&")
    ).content.decode()
    codes = re.findall(r'namnd=UN&amp;mal=(\d+)"', html)
    assert codes
    goals = DirectionGoal.objects.filter(pk__in=codes)
    assert {g.committee.code for g in goals} == {"UN"}
    assert {g.strategic_area.number for g in goals} == {1}
    goal = goals.first()
    html = client.get(
        reverse("overview"), {"tillfalle": occasion.pk, "namnd": "UN", "mal": goal.pk}
    ).content.decode()
    assert "<h3>Indikatorer</h3>" in html
    assert "Målvärde 2025" in html
    assert "Enheternas bedömningar" in html
    indicator = goal.indicators.first()
    if indicator is not None:
        assert indicator.name in html


def test_goals_not_met_come_first_with_their_justification(client_for):
    occasion = _occasion(2025, "Verksamhetsberättelse")
    html = client_for("klk").get(reverse("overview"), {"tillfalle": occasion.pk}).content.decode()
    section = html.split('id="ov-mal"', 1)[1]
    assert "6 inriktningsmål bedöms inte uppfyllas." in section
    shown = re.findall(
        r'data-label="Bedömning"><span class="assessment assessment--(\w+)"', section
    )
    assert len(shown) == 17
    assert shown[:6] == [Assessment.NOT_FULFILLED] * 6
    assert Assessment.NOT_FULFILLED not in shown[6:]
    assert shown[6:8] == [Assessment.PARTLY] * 2
    assert 'data-label="Motivering"' in section


def test_a_goal_of_another_committee_is_not_found(client_for):
    occasion = _occasion(2026, "Tertialrapport 1")
    sn_goal = DirectionGoal.objects.filter(committee__code="SN").first()
    response = client_for("namnd").get(
        reverse("overview"), {"tillfalle": occasion.pk, "mal": sn_goal.pk}
    )
    assert response.status_code == 404
    assert OrgUnit.objects.filter(code="SN").exists()


# --- the goal level: trend over the years, Riket, the units' activities ------------------------


def _goal_with_history():
    """A UN goal whose first indicator has outcomes at the Verksamhetsberättelse of 2023–2025
    in the demo; Riket's values (as import_kolada keeps them) added for two of those years."""
    from django.utils import timezone

    from goals.models import Measurement, ReferenceValue

    measurement = (
        Measurement.objects.filter(
            indicator__direction_goal__committee__code="UN",
            occasion__name="Verksamhetsberättelse",
            occasion__plan_year__year=2025,
        )
        .select_related("indicator__direction_goal")
        .order_by("indicator__code")
        .first()
    )
    indicator = measurement.indicator
    for year, value in [(2024, "71.5"), (2025, "72.25")]:
        ReferenceValue.objects.create(
            indicator=indicator,
            year=year,
            area_code="0000",
            area_name="Riket",
            value=value,
            fetched_at=timezone.now(),
        )
    return indicator.direction_goal, indicator


def test_the_goal_level_draws_each_indicators_trend_with_riket_and_its_numbers(client_for):
    goal, indicator = _goal_with_history()
    occasion = _occasion(2025, "Verksamhetsberättelse")
    html = (
        client_for("klk")
        .get(reverse("overview"), {"tillfalle": occasion.pk, "namnd": "UN", "mal": goal.pk})
        .content.decode()
    )
    assert "Utveckling över åren" in html
    figure = html.split(f'aria-labelledby="trend-{indicator.pk}-cap"', 1)[1].split("</figure>")[0]
    # A server-drawn chart with a text alternative that carries the numbers, year by year.
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"' in figure
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", figure, re.S)[1]
    outcome_2025 = indicator.measurements.get(
        occasion__plan_year__year=2025, occasion__name="Verksamhetsberättelse"
    ).value
    from core.formats import format_swedish_number

    assert f"2025: utfall {format_swedish_number(outcome_2025.normalize())}" in desc
    assert "riket 72,25" in desc and "riket 71,5" in desc
    assert "2026" not in desc  # nothing after the occasion's year
    # The same numbers in a table, with Riket's column.
    assert ">Riket</th>" in figure and "72,25" in figure
    assert "<polyline" in figure


def test_the_trend_shows_this_years_outcome_at_the_occasion_not_later(client_for):
    """Mid-year the trend's last point is the outcome at the occasion, not a later one."""
    from goals.models import Measurement

    occasion = _occasion(2026, "Tertialrapport 1")
    later = _occasion(2026, "Delårsrapport")
    m = (
        Measurement.objects.filter(
            occasion=occasion, indicator__direction_goal__committee__code="UN"
        )
        .select_related("indicator")
        .first()
    )
    if not Measurement.objects.filter(indicator=m.indicator, occasion=later).exists():
        Measurement.objects.create(indicator=m.indicator, occasion=later, value=m.value + 1000)
    html = (
        client_for("klk")
        .get(
            reverse("overview"),
            {"tillfalle": occasion.pk, "namnd": "UN", "mal": m.indicator.direction_goal_id},
        )
        .content.decode()
    )
    figure = html.split(f'aria-labelledby="trend-{m.indicator.pk}-cap"', 1)[1].split("</figure>")[0]
    desc = re.search(r"<desc[^>]*>(.*?)</desc>", figure, re.S)[1]
    from core.formats import format_swedish_number

    assert f"2026: utfall {format_swedish_number(m.value.normalize())}" in desc


def test_the_goal_level_lists_the_units_activities_the_user_sees(client_for, users):
    from goals.models import Activity

    activity = (
        Activity.objects.filter(direction_goal__committee__code="UN", plan__plan_year__year=2025)
        .select_related("plan__org_unit")
        .first()
    )
    occasion = _occasion(2025, "Verksamhetsberättelse")
    params = {"tillfalle": occasion.pk, "namnd": "UN", "mal": activity.direction_goal_id}
    html = client_for("klk").get(reverse("overview"), params).content.decode()
    section = html.split("Enheternas aktiviteter 2025</h3>", 1)[1]
    assert activity.title in section and activity.plan.org_unit.name in section
    # A unit head sees only their own unit's activities.
    client = client_for("enhet")
    html = client.get(reverse("overview"), params).content.decode()
    section = html.split("Enheternas aktiviteter 2025</h3>", 1)[1].split("</section>")[0]
    others = Activity.objects.filter(
        direction_goal_id=activity.direction_goal_id, plan__plan_year__year=2025
    ).exclude(plan__org_unit__code="UF-ENS")
    assert all(a.title not in section for a in others)


def test_the_goal_level_makes_the_same_queries_however_many_years_and_activities(
    client_for, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    goal, indicator = _goal_with_history()
    occasion = _occasion(2025, "Verksamhetsberättelse")
    url = reverse("overview") + f"?tillfalle={occasion.pk}&namnd=UN&mal={goal.pk}"
    client = client_for("klk")
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    from goals.models import Activity, Indicator, Target

    plan = (
        Activity.objects.filter(direction_goal__committee__code="UN", plan__plan_year__year=2025)
        .select_related("plan")
        .first()
        .plan
    )
    for n in range(5):
        Activity.objects.create(plan=plan, direction_goal=goal, title=f"Extra aktivitet {n}")
        extra = Indicator.objects.create(direction_goal=goal, code=f"OV-EXTRA-{n}", name=f"X{n}")
        Target.objects.create(indicator=extra, year=2025, value=n)
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert "Extra aktivitet 4" in html and 'aria-labelledby="trend-' in html
    assert len(before.captured_queries) <= 25


def test_the_goal_list_shows_the_first_fifty_not_met_first_and_says_how_many_more(
    client_for, monkeypatch
):
    """The charts count every goal; the list under them stops, so that a large municipality's
    overview does not print hundreds of rows (choosing an area or committee narrows it)."""
    monkeypatch.setattr("goals.views.overview.GOALS_SHOWN", 5)
    occasion = _occasion(2025, "Verksamhetsberättelse")
    html = client_for("klk").get(reverse("overview"), {"tillfalle": occasion.pk}).content.decode()
    section = html.split('id="ov-mal"', 1)[1]
    shown = re.findall(
        r'data-label="Bedömning"><span class="assessment assessment--(\w+)"', section
    )
    assert shown == [Assessment.NOT_FULFILLED] * 5
    assert "Visar de 5 första av 17 inriktningsmål, ej uppfyllda först." in section
    assert "6 inriktningsmål bedöms inte uppfyllas." in section  # counted over all of them

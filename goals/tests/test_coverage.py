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


# --- the nämnd × strategiområde grid of the report's coverage appendix -------------------------


def grid_of(html: str) -> dict:
    """Per committee row of the grid: its counts per area (0 where the cell says so)."""
    table = html.split('id="t-grid"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        name = re.sub(r"<[^>]+>", "", re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)[1])
        cells = [
            re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        rows[name.strip()] = cells
    return rows


def test_the_grid_counts_what_the_reports_coverage_appendix_counts(client_for):
    from goals.models import ReportingOccasion
    from reporting.data import municipality_report_data

    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    matrix = municipality_report_data(occasion=occasion, org_unit=None)["coverage"]["matrix"]
    html = client_for("klk").get("/styrkedja/tackning/", {"ar": 2026}).content.decode()
    grid = grid_of(html)
    assert len(grid) == len(matrix) == 7
    for row in matrix:
        cells = grid[row["name"]]
        shown = [0 if c.startswith("⚠") else int(c) for c in cells[:-1]]
        assert shown == row["cells"], row["name"]
        assert int(cells[-1]) == sum(row["cells"])
    assert sum(sum(r["cells"]) for r in matrix) > 0


def test_the_grid_marks_an_empty_cell_by_sign_and_words_and_heads_rows_and_columns(client_for):
    html = client_for("politiker").get("/styrkedja/tackning/").content.decode()
    building = grid_of(html)["Byggnadsnämnden"]
    assert "⚠ 0 – saknar inriktningsmål" in building
    table = html.split('id="t-grid"', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="col"') == 1 + 5 + 1  # Nämnd, the five areas, Totalt
    assert "Alla nämnder" in table  # a totals row
    assert all("data-label=" in td for td in re.findall(r"<td[^>]*>", table))


def test_the_grid_shows_only_the_committees_the_user_sees(client_for):
    grid = grid_of(client_for("namnd").get("/styrkedja/tackning/").content.decode())
    assert list(grid) == ["Utbildningsnämnden"]


def test_the_coverage_page_makes_a_fixed_number_of_queries(client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from goals.models import OrgUnit
    from goals.services import org_unit_save

    client = client_for("klk")
    client.get("/styrkedja/tackning/")
    with CaptureQueriesContext(connection) as before:
        client.get("/styrkedja/tackning/")
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    for n in range(3):
        org_unit_save(
            org_unit=OrgUnit(
                name=f"Extranämnd {n}", code=f"XN{n}", kind=OrgUnit.Kind.COMMITTEE, parent=root
            )
        )
    with CaptureQueriesContext(connection) as after:
        html = client.get("/styrkedja/tackning/").content.decode()
    assert "Extranämnd 2" in grid_of(html)
    assert len(after) == len(before) <= 25

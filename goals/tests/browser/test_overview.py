"""The måluppfyllelse overview in a real browser, at 1366 and 390 px: the charts and their
tables are there and fit the screen, the drill-down is a chain of links down to a goal's
indicators, and axe finds nothing serious on any level."""

import re

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1366, id="1366"), pytest.param(390, id="390")]


def _fits(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, scroll


@pytest.mark.parametrize("width", WIDTHS)
def test_the_overview_drills_down_to_a_goal_and_stays_accessible(demo, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, "politiker")
    page.goto(f"{live_server.url}/oversikt/")
    page.select_option("#ov-tillfalle", label="2025 Verksamhetsberättelse")
    page.get_by_role("button", name="Visa").click()
    assert page.get_by_role("heading", level=1).inner_text().endswith("Verksamhetsberättelse 2025")
    assert page.locator("svg.chart").count() == 2
    assert page.get_by_role("img", name="Måluppfyllelse per nämnd").is_visible()
    assert page.locator("[data-testid=ov-state]").inner_text().startswith("Alla 7 nämnders")
    for chart in page.locator("svg.chart").all():
        assert chart.bounding_box()["width"] <= width
    _fits(page, width)
    assert_no_serious_axe_violations(page)

    page.get_by_role("link", name="Utbildningsnämnden").first.click()
    assert page.locator("nav.breadcrumbs").inner_text().count("Utbildningsnämnden") == 1
    _fits(page, width)
    assert_no_serious_axe_violations(page)

    page.locator("section[aria-labelledby=ov-mal] tbody a").first.click()
    assert page.get_by_role("heading", name="Indikatorer").is_visible()
    assert page.get_by_role("heading", name="Enheternas bedömningar").is_visible()
    _fits(page, width)
    assert_no_serious_axe_violations(page)


def _add_riket():
    """Riket's values for the first UN indicator with a 2025 annual outcome, as import_kolada
    keeps them (the demo has none). Returns the indicator."""
    from django.utils import timezone

    from goals.models import Measurement, ReferenceValue

    measurement = (
        Measurement.objects.filter(
            indicator__direction_goal__committee__code="UN",
            occasion__name="Verksamhetsberättelse",
            occasion__plan_year__year=2025,
        )
        .select_related("indicator")
        .order_by("indicator__code")
        .first()
    )
    for year, value in [(2023, "70"), (2024, "71.5"), (2025, "72.25")]:
        ReferenceValue.objects.get_or_create(
            indicator=measurement.indicator,
            year=year,
            area_code="0000",
            defaults={"area_name": "Riket", "value": value, "fetched_at": timezone.now()},
        )
    return measurement.indicator


@pytest.mark.parametrize("width", WIDTHS)
def test_the_goal_level_shows_each_indicators_trend_with_riket(demo, live_server, page, width):
    from goals.models import ReportingOccasion

    indicator = _add_riket()
    occasion = ReportingOccasion.objects.get(plan_year__year=2025, name="Verksamhetsberättelse")
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, "politiker")
    page.goto(
        f"{live_server.url}/oversikt/?tillfalle={occasion.pk}&namnd=UN"
        f"&mal={indicator.direction_goal_id}"
    )
    assert page.get_by_role("heading", name="Utveckling över åren").is_visible()
    figure = page.locator(f"figure[aria-labelledby=trend-{indicator.pk}-cap]")
    chart = figure.get_by_role("img")
    # The chart's title says what it shows; its description has the numbers, year by year.
    assert "utfall och målvärde och riket per år" in figure.locator("title").text_content()
    assert "riket 72,25" in figure.locator("desc").text_content()
    assert chart.is_visible()
    box = chart.bounding_box()
    assert 0 < box["width"] <= width and box["height"] > 40
    # The numbers behind the chart, one click away, with Riket's column.
    figure.locator("summary").click()
    table = figure.locator("table")
    assert table.is_visible()
    assert "Riket" in table.inner_text() and "72,25" in table.inner_text()
    assert page.get_by_role("heading", name=re.compile("Enheternas aktiviteter 2025")).is_visible()
    _fits(page, width)
    assert_no_serious_axe_violations(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_committee_plan_shows_the_outcome_beside_each_target(demo, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/planer/namnd/UN/?ar=2026")
    statuses = page.locator("td[data-label='Når målet'] .assessment")
    assert statuses.count() > 0
    words = {statuses.nth(i).inner_text().strip() for i in range(statuses.count())}
    # Symbol and word, never colour alone.
    assert words <= {"● Når målet", "✕ Når inte målet", "– Utfall saknas", "– Målvärde saknas"}
    assert words & {"● Når målet", "✕ Når inte målet"}
    assert statuses.first.is_visible()
    _fits(page, width)
    assert_no_serious_axe_violations(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_coverage_grid_is_a_table_read_by_headers(demo, live_server, page, width):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, "politiker")
    page.goto(f"{live_server.url}/styrkedja/tackning/")
    grid = page.locator("table.coverage-grid")
    assert grid.is_visible()
    assert grid.locator("thead th[scope=col]").count() == 7
    assert grid.locator("tbody th[scope=row]").count() == 7
    row = grid.locator("tbody tr", has_text="Byggnadsnämnden")
    assert "⚠ 0" in row.inner_text()
    _fits(page, width)
    assert_no_serious_axe_violations(page)

"""The måluppfyllelse overview in a real browser, at 1366 and 390 px: the charts and their
tables are there and fit the screen, the drill-down is a chain of links down to a goal's
indicators, and axe finds nothing serious on any level."""

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

"""Smoke test in a real browser: log in, open the main pages, run axe-core on each."""

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

PAGES = [
    pytest.param("/", "Välkommen, Per", id="start"),
    pytest.param("/styrkedja/", "Styrkedja", id="chain"),
    pytest.param("/styrkedja/tackning/", "Täckning av styrkedjan", id="coverage"),
]


def test_stylesheet_is_served(live_server, page):
    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response.ok
    css = page.request.get(f"{live_server.url}/static/css/app.css")
    assert css.ok, css.status
    rules = page.evaluate(
        "() => [...document.styleSheets].filter(s => s.href && s.href.endsWith('/app.css'))"
        ".map(s => s.cssRules.length)"
    )
    assert rules and rules[0] > 0, rules


@pytest.mark.parametrize(("path", "heading"), PAGES)
def test_page_heading_and_accessibility(demo, live_server, page, path, heading):
    login(page, live_server.url, "politiker")
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, response.status
    h1 = page.get_by_role("heading", level=1)
    assert heading in h1.inner_text()
    assert_no_serious_axe_violations(page)

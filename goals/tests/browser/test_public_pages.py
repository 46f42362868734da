"""The open pages (/oppet/) in a real browser, as an anonymous visitor: every page reached
from /oppet/ is axe clean at 1366 and 390 px, reflows without sideways scrolling at 390
and 320 px (tables stacked by data-label), and reads without JavaScript."""

from urllib.parse import urlsplit

import pytest

from .conftest import assert_no_serious_axe_violations, watch_console

pytestmark = pytest.mark.browser

WIDTHS = [1366, 390, 320]


@pytest.fixture
def open_pages(settings):
    settings.PUBLIC_PAGES = True


def _links_within(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        # Pages end in "/"; the data files (/oppet/data/x.csv) are downloads.
        if parts.path.startswith("/oppet/") and parts.path.endswith("/"):
            found.append(path)
    return found


def _walk(page, base: str) -> list[str]:
    """Every HTML page reachable from /oppet/ within /oppet/ (data files are downloads)."""
    seen, queue = [], ["/oppet/"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        response = page.goto(f"{base}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        seen.append(path)
        for link in _links_within(page):
            if link not in seen and link not in queue:
                queue.append(link)
        assert len(seen) < 120
    return seen


def _check_layout(page, path: str, width: int):
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {width}px"
    unlabelled = page.eval_on_selector_all(
        "table.data tbody td, table.data tbody th",
        "cells => cells.filter(c => !c.hasAttribute('data-label')).length",
    )
    assert unlabelled == 0, f"{path}: {unlabelled} table cells without data-label"


def test_open_pages_are_accessible_and_reflow_for_an_anonymous_visitor(
    demo, live_server, browser, open_pages
):
    for width in WIDTHS:
        context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 900})
        page = context.new_page()
        watch_console(page)
        paths = _walk(page, live_server.url)
        assert any(p.startswith("/oppet/namnd/") for p in paths)
        assert "/oppet/maluppfyllelse/" in paths
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            assert page.locator("nav[aria-label='Huvudmeny']").count() == 0
            assert page.get_by_role("button", name="Logga ut").count() == 0
            _check_layout(page, path, width)
            if width in (1366, 390):
                assert_no_serious_axe_violations(page)
        context.close()


def test_open_pages_work_without_javascript(demo, live_server, browser, open_pages):
    context = browser.new_context(locale="sv-SE", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/oppet/")
    page.get_by_role("link", name="Måluppfyllelse").first.click()
    page.wait_for_url("**/oppet/maluppfyllelse/**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Måluppfyllelse")
    # Drill down from the table to a committee's goals, and to another occasion, by links.
    page.locator("table.data tbody th a[href*='/oppet/namnd/']").first.click()
    page.wait_for_url("**/oppet/namnd/**")
    assert page.locator("article.public-goal").count() > 0
    page.goto(f"{live_server.url}/oppet/data/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Utfall som CSV").click()
    assert download.value.suggested_filename.startswith("oppna-data-utfall-")
    context.close()

"""The start page in a real browser: the next step is the first thing seen, at 1366 and 390 px,
the folded items open without JavaScript's help, and axe finds nothing serious."""

import pytest

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

WIDTHS = [pytest.param(1366, id="1366"), pytest.param(390, id="390")]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("who", ["admin", "klk", "namnd", "enhet", "politiker"])
def test_the_next_step_is_seen_first_and_the_page_is_accessible(
    demo, live_server, page, who, width
):
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server.url, who)
    page.goto(f"{live_server.url}/")
    block = page.locator("section.next-step")
    heading = block.get_by_role("heading", level=2)
    assert heading.is_visible()
    # On the first screen, not below a list.
    box = heading.bounding_box()
    assert box["y"] + box["height"] <= 800, box
    # The block itself fits the screen (the whole page's reflow is test_reflow's).
    assert block.bounding_box()["width"] <= width
    assert_no_serious_axe_violations(page)


def test_the_folded_follow_ups_open_on_a_click(demo, live_server, page):
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/")
    todo = page.locator("section#s-uppfoljning, section[aria-labelledby=s-uppfoljning]")
    hidden = todo.locator("details li").first
    assert not hidden.is_visible()
    todo.locator("details summary").first.click()
    assert hidden.is_visible()

"""Browser: the header search and the folding chain, at a desktop's and a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

DESKTOP, PHONE = 1366, 390


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def first_goal(committee: str):
    from goals.models import DirectionGoal

    return (
        DirectionGoal.objects.filter(committee__code=committee, valid_to__gte=2026)
        .select_related("committee")
        .order_by("code")
        .first()
    )


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_a_goal_is_found_from_the_header_search(demo, live_server, page, width):
    goal = first_goal("UN")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server.url, "namnd")
    field = page.get_by_role("searchbox", name="Sök")
    if width == PHONE:
        # On a phone the field is folded into the menu, so the header stays compact.
        expect(field).to_be_hidden()
        page.get_by_text("Meny", exact=True).click()
    expect(field).to_be_visible()
    field.fill(goal.code.lower())
    with page.expect_navigation():
        field.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Sök: {goal.code.lower()}")
    goals = page.get_by_role("region", name=re.compile("^Inriktningsmål"))
    expect(goals.get_by_role("link", name=f"{goal.code} {goal.title}")).to_be_visible()
    expect(goals).to_contain_text(f"{goal.committee.name} › Strategiområde")
    assert page_width(page) <= width
    assert_no_serious_axe_violations(page)
    goals.get_by_role("link", name=f"{goal.code} {goal.title}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(goal.code)


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
def test_the_chain_folds_and_opens_where_the_reader_works(demo, live_server, page, width):
    un, sn = first_goal("UN"), first_goal("SN")
    page.set_viewport_size({"width": width, "height": 900})

    # The committee editor finds their own goals open.
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/styrkedja/")
    expect(page.get_by_role("link", name=f"{un.code} {un.title}")).to_be_visible()
    assert page_width(page) <= width
    assert_no_serious_axe_violations(page)

    # A politician sees every area folded, and unfolds one to a goal without any script.
    page.context.clear_cookies()
    login(page, live_server.url, "politiker")
    page.goto(f"{live_server.url}/styrkedja/")
    goal_link = page.get_by_role("link", name=f"{sn.code} {sn.title}")
    expect(goal_link).to_be_hidden()
    area = page.locator("details.tree__area").filter(has=page.get_by_text(sn.code))
    expect(area.locator("summary").first).to_be_visible()
    area.locator("summary").first.click()
    committee = area.locator("details.tree__committee").filter(has_text=sn.committee.name)
    committee.locator("summary").first.click()
    goal = committee.locator("details.tree__goal").filter(has_text=sn.code)
    expect(goal.locator("summary")).to_be_visible()
    expect(goal.locator("summary .assessment")).to_be_visible()
    goal.locator("summary").click()
    expect(goal_link).to_be_visible()
    assert page_width(page) <= width
    assert_no_serious_axe_violations(page)

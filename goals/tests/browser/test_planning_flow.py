"""Planning through the real UI: a committee editor adds a goal and an indicator, a unit
editor plans an activity under it, and the steering chain shows both.

Every control is reached by its accessible name (links, buttons) or by its label (form
fields), so the tests also prove that the labels, legends and names are wired up; axe-core
checks the planning pages, including a form showing its error summary.
"""

import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, login

pytestmark = pytest.mark.browser

COMMITTEE = "Utbildningsnämnden"
UNIT = "Enebybergs skola"
YEAR = 2026

GOAL_CODE = "UN-HK-7"
GOAL_TITLE = "Fler elever läser med god förståelse när de lämnar årskurs 3."
INDICATOR_NAME = "Andel elever i årskurs 3 med godtagbar läsförståelse"
ACTIVITY_TITLE = "Läsfrämjande tisdagar med skolbiblioteket"


def field(scope, label):
    """The form control labelled exactly `label`, with or without "(obligatoriskt)"."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoriskt\))?$"))


def heading(page):
    return page.get_by_role("heading", level=1)


def save(page):
    with page.expect_navigation():
        page.get_by_role("button", name="Spara", exact=True).click()


def assert_on(page, pattern):
    """The page's URL matches `pattern`; otherwise show the form's error summary."""
    if not re.search(pattern, page.url):
        alerts = page.get_by_role("alert")
        errors = alerts.first.inner_text() if alerts.count() else "(no error summary)"
        raise AssertionError(f"Expected {pattern} but on {page.url}:\n{errors}")


def fill_new_goal(page):
    """Fill the new-goal form (already open) with GOAL_CODE and save it."""
    field(page, "Strategiområde").select_option(label="Hög kvalitet")
    field(page, "Kod").fill(GOAL_CODE)
    field(page, "Inriktningsmål").fill(GOAL_TITLE)
    field(page, "Gäller från år").fill(str(YEAR))
    field(page, "Gäller till år").fill(str(YEAR + 1))
    overarching = page.get_by_role("group", name=re.compile(r"^Övergripande mål som målet tjänar"))
    # Bilaga 1 marks the goals it maps to the area; tick the first of those.
    overarching.get_by_role("checkbox", name=re.compile(r"Bilaga 1: .*Hög kvalitet")).first.check()
    save(page)


def test_committee_goal_indicator_and_unit_activity(demo, live_server, page):
    url = live_server.url

    # 1. The committee editor adds a direction goal and an indicator with a target.
    login(page, url, "namnd")
    page.goto(f"{url}/planer/")
    page.get_by_role("link", name=COMMITTEE, exact=True).click()
    expect(heading(page)).to_have_text(COMMITTEE)
    page.get_by_role("link", name="Nytt inriktningsmål").click()
    expect(heading(page)).to_have_text("Nytt inriktningsmål")
    fill_new_goal(page)

    assert_on(page, r"/styrkedja/mal/\d+/$")
    expect(heading(page)).to_contain_text(GOAL_CODE)
    expect(heading(page)).to_contain_text(GOAL_TITLE)
    expect(page.get_by_role("status")).to_contain_text(f"Inriktningsmålet {GOAL_CODE} är skapat.")

    page.get_by_role("link", name="Lägg till indikator").click()
    expect(heading(page)).to_have_text("Ny indikator")
    field(page, "Namn").fill(INDICATOR_NAME)
    field(page, "Enhet").fill("%")
    expect(page.get_by_role("radio", name="Högre värde är bättre")).to_be_checked()
    # The form proposes a free code under the goal.
    expect(field(page, "Kod")).to_have_value(f"{GOAL_CODE}-1")
    targets = page.get_by_role("table", name="Målvärden")
    # The target rows come with the goal's years; the second is left as offered, unused.
    expect(field(targets, "År, rad 1")).to_have_value(str(YEAR))
    expect(field(targets, "År, rad 2")).to_have_value(str(YEAR + 1))
    field(targets, "Målvärde, rad 1").fill("85,5")
    field(page, "Ansvarig").select_option(label="Nils Ek")
    save(page)

    assert_on(page, r"/styrkedja/indikator/\d+/$")
    expect(heading(page)).to_have_text(INDICATOR_NAME)
    expect(page.get_by_role("status")).to_contain_text(f"Indikatorn {GOAL_CODE}-1 är skapad.")
    targets = page.get_by_role("table").filter(
        has=page.get_by_role("columnheader", name="Målvärde (%)", exact=True)
    )
    # floatformat:"-2g" pads to two decimals (85,50) while the form and the history show
    # 85,5; both are the value typed, so either is accepted here.
    expect(targets.get_by_role("row")).to_have_count(2)
    # Beside the target: the year's outcome (none yet) and whether it is reached.
    expect(targets.get_by_role("row").nth(1).get_by_role("cell")).to_have_text(
        [str(YEAR), re.compile(r"^85,50?$"), re.compile("Inget utfall"), "– Utfall saknas"]
    )

    # 2. The unit editor plans an activity under the new goal.
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()
    login(page, url, "enhet")
    page.get_by_role("region", name=re.compile(r"Dina verksamhetsplaner")).get_by_role(
        "link", name=UNIT, exact=True
    ).click()
    expect(heading(page)).to_have_text(UNIT)
    expect(page).to_have_title(re.compile(rf"^Verksamhetsplan {YEAR} – {UNIT} "))
    page.get_by_role("link", name="Ny aktivitet").click()
    expect(heading(page)).to_have_text("Ny aktivitet")
    field(page, "Inriktningsmål som aktiviteten tjänar").select_option(
        label=f"{GOAL_CODE} {GOAL_TITLE} (Hög kvalitet)"
    )
    field(page, "Aktivitet").fill(ACTIVITY_TITLE)
    field(page, "Ansvarig").fill("Skolbibliotekarie")
    field(page, "Startdatum").fill(f"{YEAR}-03-01")
    field(page, "Slutdatum").fill(f"{YEAR}-06-30")
    field(page, "Status").select_option(label="Pågående")
    save(page)

    assert_on(page, r"/styrkedja/plan/\d+/#aktivitet-\d+$")
    expect(heading(page)).to_have_text(UNIT)
    expect(page.get_by_role("status")).to_contain_text(f"Aktiviteten ”{ACTIVITY_TITLE}” är sparad.")
    section = page.locator("details.goal-section").filter(
        has=page.get_by_role("heading", name=re.compile(rf"^{re.escape(GOAL_CODE)} "))
    )
    row = section.get_by_role("row", name=re.compile(re.escape(ACTIVITY_TITLE)))
    expect(row.get_by_role("link", name=ACTIVITY_TITLE, exact=True)).to_be_visible()
    expect(row).to_contain_text("Skolbibliotekarie")
    expect(row).to_contain_text(f"{YEAR}-03-01")
    expect(row).to_contain_text(f"{YEAR}-06-30")
    expect(row).to_contain_text("Pågående")

    # 3. The steering chain shows the goal with the activity under it.
    page.goto(f"{url}/styrkedja/")
    goal_link = page.get_by_role("link", name=f"{GOAL_CODE} {GOAL_TITLE}")
    expect(goal_link).to_be_visible()
    activities = page.get_by_role("list", name=f"Aktiviteter för {GOAL_CODE}")
    expect(activities.get_by_role("link", name=ACTIVITY_TITLE, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=INDICATOR_NAME)).to_be_visible()


def test_planning_pages_accessibility(demo, live_server, page):
    from goals.models import OperationalPlan

    url = live_server.url
    login(page, url, "namnd")

    page.goto(f"{url}/planer/")
    expect(heading(page)).to_have_text(f"Planer {YEAR}")
    assert_no_serious_axe_violations(page)

    page.goto(f"{url}/planer/namnd/UN/")
    expect(heading(page)).to_have_text(COMMITTEE)
    assert_no_serious_axe_violations(page)

    # The new-goal form, empty and then with its error summary and field errors.
    page.get_by_role("link", name="Nytt inriktningsmål").click()
    expect(heading(page)).to_have_text("Nytt inriktningsmål")
    assert_no_serious_axe_violations(page)
    field(page, "Gäller från år").fill("")
    field(page, "Gäller till år").fill("")
    save(page)
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Formuläret har fel som behöver rättas")
    expect(summary.get_by_role("link").first).to_be_visible()
    expect(field(page, "Kod")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_axe_violations(page)
    # The summary's links lead to the fields.
    summary.get_by_role("link", name=re.compile(r"^Kod:")).click()
    expect(field(page, "Kod")).to_be_focused()

    # A saved goal's page shows its history table.
    fill_new_goal(page)
    expect(heading(page)).to_contain_text(GOAL_CODE)
    expect(
        page.get_by_role("table", name="Vem som ändrade vad och när, senaste först")
    ).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The indicator form, empty and after an invalid target value.
    page.get_by_role("link", name="Lägg till indikator").click()
    expect(heading(page)).to_have_text("Ny indikator")
    assert_no_serious_axe_violations(page)
    field(page, "Målvärde, rad 1").fill("mycket")
    save(page)
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # The unit's plan and its activity form (the committee editor may edit below it).
    plan = OperationalPlan.objects.get(org_unit__name=UNIT, plan_year__year=YEAR)
    page.goto(f"{url}/styrkedja/plan/{plan.pk}/")
    expect(heading(page)).to_have_text(UNIT)
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name="Ny aktivitet").click()
    expect(heading(page)).to_have_text("Ny aktivitet")
    assert_no_serious_axe_violations(page)
    save(page)
    expect(page.get_by_role("alert")).to_be_visible()
    assert_no_serious_axe_violations(page)


def test_new_indicator_form_proposes_a_code(demo, live_server, page):
    from goals.models import DirectionGoal

    goal = DirectionGoal.objects.get(code="UN-HK-1")
    login(page, live_server.url, "namnd")
    page.goto(f"{live_server.url}/planer/namnd/UN/")
    page.get_by_role("link", name=f"Lägg till indikator för {goal.code}").click()
    expect(heading(page)).to_have_text("Ny indikator")
    expect(field(page, "Kod")).to_have_value(
        f"{goal.code}-{goal.indicators.count() + 1}", timeout=2_000
    )

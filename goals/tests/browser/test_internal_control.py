"""Intern kontroll in a real browser, at 1366 and 390 px, under axe-core: committee staff
assess a risk, build and adopt the plan, report a control with a deviation; the reviewer
returns the follow-up and approves it; the committee's report shows the result."""

import re

import pytest

from .conftest import assert_no_serious_axe_violations, login, watch_console

pytestmark = pytest.mark.browser

RISK = "Fel i schemaläggningen av lärare"
CONTROL = "Att schemat bemannas enligt tjänstefördelningen"
DEVIATION = "Två klasser saknade behörig lärare"


def _check(page, *, width: int) -> None:
    """axe clean, and (at phone width) nothing wider than the viewport."""
    assert_no_serious_axe_violations(page)
    if width < 500:
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{page.url} is {wide} px wide at {width} px"


def _hand_in(unit_code: str, occasion_name: str) -> None:
    """The follow-up handed in as the demo does it (its own pages are tested elsewhere)."""
    from django.contrib.auth import get_user_model

    from goals import cycle, selectors
    from goals.models import OrgUnit, ReportingOccasion

    writer = get_user_model().objects.get(username="namnd")
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name=occasion_name)
    submission = cycle.submission_get_or_create(
        occasion=occasion, org_unit=OrgUnit.objects.get(code=unit_code)
    )
    if submission.state == "draft":
        suggestions = selectors.suggestions_for(submission)
        data = cycle.FollowUpInput(
            analysis="Analys.",
            assessments={
                g.pk: {
                    "level": suggestions.get(g.pk, "not_assessed"),
                    "forecast_level": suggestions.get(g.pk, "not_assessed"),
                    "justification": "",
                    "comment": "",
                }
                for g in selectors.goals_for(submission)
            },
        )
        submission = cycle.followup_save(
            submission=submission, user=writer, base_version=submission.version, data=data
        )
    cycle.submission_submit(submission=submission, user=writer, today=occasion.opens_on)


@pytest.mark.parametrize("width", [1366, 390])
def test_risk_plan_result_review_and_report(demo, live_server, browser, width):
    from django.urls import reverse
    from django.utils import timezone

    from goals.models import OrgUnit, ReportingOccasion, Submission
    from internal_control.models import ControlPlan
    from reporting import render

    # The demo's 2026 plan is adopted; the journey builds it, so it starts as a draft.
    ControlPlan.objects.filter(committee__code="UN", plan_year__year=2026).update(
        adopted_on=None, adopted_by=""
    )
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Delårsrapport")
    context = browser.new_context(locale="sv-SE", viewport={"width": width, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch_console(page)
    base = live_server.url
    login(page, base, "namnd")

    # 1. The risk analysis: a new risk, assessed 3 × 4.
    page.goto(base + reverse("ic_committee", args=["UN", 2026]))
    assert page.get_by_role("table", name=re.compile("Riskmatris")).is_visible()
    _check(page, width=width)
    page.get_by_role("link", name="Ny risk").click()
    page.locator("#id_title").fill(RISK)
    page.get_by_role("group", name=re.compile("Sannolikhet")).get_by_label("3 – Möjlig").check()
    page.get_by_role("group", name=re.compile("Konsekvens")).get_by_label("4 – Allvarlig").check()
    page.get_by_label("Till internkontrollplanen").check()
    _check(page, width=width)
    page.get_by_role("button", name="Spara").click()
    row = page.get_by_role("row").filter(has_text=RISK)
    assert "12 Mycket hög" in row.inner_text()

    # 2. The plan: a control for it, then the adoption, after which the plan is locked.
    page.goto(base + reverse("ic_control_create", args=["UN", 2026]))
    page.locator("#id_risk").select_option(label=RISK)
    page.get_by_label("Vad som kontrolleras").fill(CONTROL)
    page.get_by_label("Rapporteras vid").select_option(
        label=f"Delårsrapport ({occasion.period_end})"
    )
    _check(page, width=width)
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("row").filter(has_text=CONTROL).count() == 1
    page.get_by_label("Beslutande organ").fill("Utbildningsnämnden")
    page.get_by_label("Beslutsdatum").fill("2025-11-20")
    page.get_by_label("Paragraf (§)").fill("87")
    _check(page, width=width)
    page.get_by_role("button", name=re.compile("Registrera beslutet")).click()
    assert "Antagen av Utbildningsnämnden 2025-11-20, § 87" in page.inner_text("main")
    assert page.get_by_role("link", name="Nytt kontrollmoment").count() == 0

    # 3. The result at the Delårsrapport, with a deviation and an action.
    page.goto(base + reverse("ic_results", args=["UN", occasion.pk]))
    _check(page, width=width)
    page.get_by_role("link", name=re.compile(f"Rapportera {CONTROL}")).click()
    page.get_by_label("Genomförd", exact=True).check()
    page.get_by_label("Vad kontrollen visade").fill("Två av tolv klasser saknade behörig lärare.")
    page.get_by_label("Delvis uppfyllt").check()
    page.locator("#id_deviation_title").fill(DEVIATION)
    page.locator("#id_action").fill("Rekrytering av behöriga lärare")
    page.get_by_label("Ansvarig för åtgärden").fill("Rektor")
    page.get_by_label("Åtgärdas senast").fill("2026-10-31")
    _check(page, width=width)
    page.get_by_role("button", name="Spara").click()
    assert DEVIATION in page.inner_text("main")
    _hand_in("UN", "Delårsrapport")

    # 4. The reviewer sees it in the follow-up, returns it, then approves it.
    submission = Submission.objects.get(occasion=occasion, org_unit__code="UN")
    review = context.new_page()
    watch_console(review)
    context.clear_cookies()
    login(review, base, "klk")
    review.goto(base + reverse("review_submission", args=[submission.pk]))
    section = review.locator("#intern-kontroll")
    assert DEVIATION in section.inner_text()
    _check(review, width=width)
    review.get_by_label(re.compile("Motivering")).fill("Beskriv åtgärden närmare.")
    review.get_by_role("button", name=re.compile("Skicka tillbaka")).click()
    submission.refresh_from_db()
    assert submission.state == "returned"
    _hand_in("UN", "Delårsrapport")
    review.goto(base + reverse("review_submission", args=[submission.pk]))
    review.get_by_role("button", name="Godkänn").click()
    submission.refresh_from_db()
    assert submission.state == "approved"
    context.close()

    # 5. The committee's report shows the control, its result and the deviation.
    data = render.gather(
        kind="committee", occasion=occasion, org_unit=OrgUnit.objects.get(code="UN")
    )
    html = render.render_html(kind="committee", data=data, generated_at=timezone.now())
    assert "Risker och intern kontroll" in html
    assert CONTROL in html and DEVIATION in html and "Rekrytering av behöriga lärare" in html

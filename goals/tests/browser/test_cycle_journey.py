"""The follow-up and review cycle through the real UI.

The committee editor reports Tertialrapport 1, kommunledningskontoret comments and sends it
back, the committee answers and submits again, the reviewer approves and publishes, and the
published follow-up is read-only, also to a hand-made POST. Every control is reached by
its accessible name or its label; axe-core checks the overviews, the follow-up form (empty,
with errors, returned with comments, published) and the review page.
"""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, expect_console_error, login

pytestmark = pytest.mark.browser

COMMITTEE = "Utbildningsnämnden"
COMMITTEE_CODE = "UN"
OCCASION = "Tertialrapport 1"
YEAR = 2026

# The first goal is assessed below its suggestion, so it needs a justification.
JUSTIFICATION = "Resultaten i årskurs 9 är preliminära; vårterminens betyg saknas ännu."
ANALYSIS = "Läsåret går enligt plan. Andelen legitimerade förskollärare ökar långsamt."
COMMENT = "Beskriv hur ni följer upp förskollärarnas legitimationer under hösten."
RETURN_REASON = "Kommentaren om legitimationerna behöver besvaras innan vi godkänner."
ANSWER = "Vi redovisar legitimationerna per förskola i delårsrapporten."
ECONOMY = {
    "Budgetram (tkr)": ("812 400", Decimal("812400")),
    "Utfall hittills i år (tkr)": ("265 310,5", Decimal("265310.5")),
    "Prognos för helåret (tkr)": ("809 900", Decimal("809900")),
}


def field(scope, label):
    """The form control labelled exactly `label`, with or without "(obligatoriskt)"."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoriskt\))?$"))


def heading(page):
    return page.get_by_role("heading", level=1)


def sv(value: Decimal) -> str:
    """A number as a Swedish user types it: 91,5."""
    return f"{value:.1f}".replace(".", ",")


def click_and_wait(page, button):
    with page.expect_navigation():
        button.click()


def expect_state(page, label):
    """The page's "Status: …" line shows the submission state `label`."""
    expect(page.get_by_text(re.compile(r"^Status: "))).to_have_text(
        re.compile(rf"^Status: {re.escape(label)}\b")
    )


def expect_message(page, text):
    expect(page.get_by_role("status")).to_contain_text(text)


def logout(page):
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("button", name="Logga in")).to_be_visible()


def menu(page, label):
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name=label, exact=True
    ).click()


def open_followup(page, state):
    """From any page: the main menu's Uppföljning, then the committee's Tertialrapport 1."""
    menu(page, "Uppföljning")
    expect(heading(page)).to_have_text(f"Uppföljning {YEAR}")
    page.get_by_role("link", name=f"{state} – {OCCASION}, {COMMITTEE}", exact=True).click()
    expect(heading(page)).to_have_text(COMMITTEE)
    expect(page).to_have_title(re.compile(rf"^{OCCASION} {YEAR} – {COMMITTEE} "))


def open_review(page, state):
    """From any page: the main menu's Granskning, then the committee's Tertialrapport 1."""
    menu(page, "Granskning")
    expect(heading(page)).to_have_text(f"Granskning {YEAR}")
    page.get_by_role("link", name=f"{state} – {COMMITTEE}, {OCCASION}", exact=True).click()
    expect(heading(page)).to_have_text(COMMITTEE)
    expect(page).to_have_title(re.compile(rf"^Granska {OCCASION} – {COMMITTEE} "))


def goal_section(page, goal):
    return page.locator("details.goal-section").filter(
        has=page.get_by_role("heading", level=2, name=re.compile(rf"^{re.escape(goal.code)} "))
    )


def committee_goals():
    """The committee's goals of the year with each indicator's target for the year."""
    from goals.models import DirectionGoal, Target

    goals = list(
        DirectionGoal.objects.filter(
            committee__code=COMMITTEE_CODE,
            archived=False,
            valid_from__lte=YEAR,
            valid_to__gte=YEAR,
        ).order_by("strategic_area__number", "code")  # as the page lists them
    )
    assert len(goals) >= 2, goals
    for goal in goals:
        goal.year_indicators = list(goal.indicators.order_by("code"))
        assert goal.year_indicators, goal.code
        for indicator in goal.year_indicators:
            indicator.year_target = Target.objects.get(indicator=indicator, year=YEAR).value
            # Every outcome reaches its target, so every goal is suggested "Uppfyllt".
            step = Decimal("0.5") if indicator.higher_is_better else Decimal("-0.5")
            indicator.typed = indicator.year_target + step
    return goals


def the_submission():
    from goals.models import Submission

    return Submission.objects.get(
        occasion__plan_year__year=YEAR, occasion__name=OCCASION, org_unit__code=COMMITTEE_CODE
    )


def fill_followup(page, goals):
    """Outcomes, assessments and forecasts per goal; the economy and the analysis."""
    for index, goal in enumerate(goals):
        section = goal_section(page, goal)
        expect(section).to_have_count(1)
        for indicator in goal.year_indicators:
            section.get_by_label(f"Utfall, {indicator.name}", exact=True).fill(sv(indicator.typed))
        if index == 0:
            field(section, "Bedömning").select_option(label="Delvis uppfyllt")
            field(section, "Motivering om bedömningen avviker från förslaget").fill(JUSTIFICATION)
        else:
            field(section, "Bedömning").select_option(label="Uppfyllt")
        field(section, "Prognos för helåret").select_option(label="Uppfyllt")
    for label, (typed, _value) in ECONOMY.items():
        field(page, label).fill(typed)
    field(page, "Analys").fill(ANALYSIS)


def test_followup_review_publish_journey(demo, live_server, page):
    from goals.models import (
        Assessment,
        GoalAssessment,
        Measurement,
        ReviewComment,
        Submission,
    )

    url = live_server.url
    goals = committee_goals()
    first = goals[0]
    State = Submission.State

    # 1. The committee editor fills in Tertialrapport 1 and submits it.
    login(page, url, "namnd")
    open_followup(page, "Ej påbörjad")
    expect_state(page, "Ej påbörjad")
    expect(page.get_by_text("Tillfället är inte öppet för inlämning.")).to_have_count(0)
    fill_followup(page, goals)
    # The units have not handed in: the form names them, and handing in anyway is a choice.
    expect(page.locator("#enheter-ej-inne")).to_contain_text("har inte lämnat in")
    page.get_by_label(re.compile("^Lämna in ändå")).check()
    click_and_wait(page, page.get_by_role("button", name="Spara och lämna in"))
    if page.get_by_role("alert").count():
        raise AssertionError(page.get_by_role("alert").inner_text())
    expect_message(page, "Uppföljningen är inlämnad för granskning.")
    expect_state(page, "Inlämnad")

    submission = the_submission()
    assert submission.state == State.SUBMITTED
    assert submission.analysis == ANALYSIS
    assert submission.budget_frame_tkr == ECONOMY["Budgetram (tkr)"][1]
    assert submission.outcome_tkr == ECONOMY["Utfall hittills i år (tkr)"][1]
    assert submission.forecast_tkr == ECONOMY["Prognos för helåret (tkr)"][1]
    for goal in goals:
        for indicator in goal.year_indicators:
            measurement = Measurement.objects.get(indicator=indicator, occasion=submission.occasion)
            assert measurement.value == indicator.typed, indicator.code
        assessment = GoalAssessment.objects.get(submission=submission, direction_goal=goal)
        assert assessment.suggested_level == Assessment.FULFILLED, goal.code
        assert assessment.forecast_level == Assessment.FULFILLED, goal.code
    overridden = GoalAssessment.objects.get(submission=submission, direction_goal=first)
    assert overridden.level == Assessment.PARTLY
    assert overridden.justification == JUSTIFICATION

    # Submitted, the follow-up is read-only to the committee.
    expect(page.get_by_role("button", name="Spara och lämna in")).to_have_count(0)
    section = goal_section(page, first)
    expect(section).to_contain_text("Delvis uppfyllt")
    expect(section).to_contain_text(JUSTIFICATION)
    expect(page.get_by_role("paragraph").filter(has_text=ANALYSIS)).to_be_visible()

    # 2. Kommunledningskontoret comments on the first goal and sends the follow-up back.
    logout(page)
    login(page, url, "klk")
    open_review(page, "Inlämnad")
    expect_state(page, "Inlämnad")
    assert_no_serious_axe_violations(page)
    section = goal_section(page, first)
    field(section, f"Kommentar till {first.code}").fill(COMMENT)
    click_and_wait(page, section.get_by_role("button", name=f"Spara kommentar till {first.code}"))
    expect_message(page, "Kommentaren är sparad.")
    expect(goal_section(page, first)).to_contain_text(COMMENT)
    # An open comment stops the approval: 409, the page as it stands, with the reason.
    click_and_wait(page, page.get_by_role("button", name="Godkänn"))
    expect_message(page, "1 granskningskommentar är inte löst.")
    expect_state(page, "Inlämnad")
    expect_console_error("status of 409 (Conflict)")  # Chromium's note of the 409 itself
    # Sending back needs a reason.
    click_and_wait(page, page.get_by_role("button", name="Skicka tillbaka till nämnden"))
    expect_message(page, "Skriv varför uppföljningen skickas tillbaka.")
    expect_state(page, "Inlämnad")
    field(page, "Motivering (krävs för att skicka tillbaka)").fill(RETURN_REASON)
    click_and_wait(page, page.get_by_role("button", name="Skicka tillbaka till nämnden"))
    expect_message(page, "Uppföljningen är återsänd till nämnden.")
    expect_state(page, "Återsänd")
    expect(page.get_by_role("region", name="Granskningens gång")).to_contain_text(RETURN_REASON)
    assert the_submission().state == State.RETURNED

    # 3. The committee reads the reason and the comment, answers, resolves and resubmits.
    logout(page)
    login(page, url, "namnd")
    open_followup(page, "Återsänd")
    expect_state(page, "Återsänd")
    expect(page.get_by_role("region", name="Granskningens gång")).to_contain_text(RETURN_REASON)
    comments = page.get_by_role("region", name="Granskningskommentarer")
    expect(comments).to_contain_text(COMMENT)
    expect(comments).to_contain_text("Öppen")
    # The goal points to its comment.
    expect(goal_section(page, first).get_by_role("link", name=COMMENT[:40])).to_be_visible()
    # The form keeps what was submitted.
    expect(
        field(goal_section(page, first), "Motivering om bedömningen avviker från förslaget")
    ).to_have_value(JUSTIFICATION)
    assert_no_serious_axe_violations(page)

    field(comments, "Svar på kommentaren").fill(ANSWER)
    click_and_wait(page, comments.get_by_role("button", name="Spara svar"))
    expect_message(page, "Svaret är sparat.")
    comments = page.get_by_role("region", name="Granskningskommentarer")
    expect(comments).to_contain_text(ANSWER)
    click_and_wait(page, comments.get_by_role("button", name="Markera som löst"))
    expect_message(page, "Kommentaren är markerad som löst.")
    comments = page.get_by_role("region", name="Granskningskommentarer")
    expect(comments).to_contain_text("Löst")
    expect(comments.get_by_role("button", name="Markera som löst")).to_have_count(0)
    comment = ReviewComment.objects.get(submission=submission)
    assert comment.answer == ANSWER
    assert comment.resolved_at is not None
    assert comment.direction_goal_id == first.pk

    page.get_by_label(re.compile("^Lämna in ändå")).check()
    click_and_wait(page, page.get_by_role("button", name="Spara och lämna in"))
    expect_message(page, "Uppföljningen är inlämnad för granskning.")
    expect_state(page, "Inlämnad")

    # 4. Kommunledningskontoret approves and publishes.
    logout(page)
    login(page, url, "klk")
    open_review(page, "Inlämnad")
    expect(goal_section(page, first)).to_contain_text(ANSWER)
    click_and_wait(page, page.get_by_role("button", name="Godkänn"))
    expect_message(page, "Uppföljningen är godkänd.")
    expect_state(page, "Godkänd")
    click_and_wait(page, page.get_by_role("button", name="Publicera"))
    # Publishing is final: a page says so first, and nothing is published until confirmed.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publicera")
    expect(page.get_by_text("Det går inte att ångra.")).to_be_visible()
    assert_no_serious_axe_violations(page)
    click_and_wait(page, page.get_by_role("button", name="Ja, publicera"))
    expect_message(page, "Uppföljningen är publicerad.")
    expect_state(page, "Publicerad")
    expect(page.get_by_text("Uppföljningen är publicerad och kan inte ändras.")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # 5. Published, the follow-up is read-only to the committee, in the page and to a POST.
    logout(page)
    login(page, url, "namnd")
    open_followup(page, "Publicerad")
    expect_state(page, "Publicerad")
    expect(page.get_by_role("button", name="Spara och lämna in")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara utkast")).to_have_count(0)
    expect(page.get_by_role("button", name="Spara svar")).to_have_count(0)
    expect(page.get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    expect(goal_section(page, first)).to_contain_text("Delvis uppfyllt")
    assert_no_serious_axe_violations(page)

    published = the_submission()
    before = GoalAssessment.objects.get(submission=published, direction_goal=first)
    indicator = first.year_indicators[0]
    measured = Measurement.objects.get(indicator=indicator, occasion=published.occasion).value
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        page.url,
        form={
            "csrfmiddlewaretoken": token,
            "version": str(published.version),
            "action": "submit",
            f"ind-{indicator.pk}-value": "1",
            f"mal-{first.pk}-level": Assessment.NOT_FULFILLED,
            f"mal-{first.pk}-justification": "Ändrad i efterhand",
            "analysis": "Ändrad i efterhand",
        },
    )
    # Refused with 409, and what was typed comes back labelled, to copy (nothing is lost).
    assert response.status == 409, response.status
    refused = response.text()
    assert "Det du skrev har inte sparats" in refused
    assert "Uppföljningen har publicerats av" in refused
    assert "Ändrad i efterhand</textarea>" in refused
    answer = page.request.post(
        f"{url}/uppfoljning/kommentar/{comment.pk}/",
        form={"csrfmiddlewaretoken": token, "action": "answer", "answer": "Ändrat svar"},
    )
    assert answer.ok, answer.status
    review = page.request.post(
        f"{url}/granskning/{published.pk}/",
        form={"csrfmiddlewaretoken": token, "action": "comment", "text": "Från nämnden"},
    )
    assert review.status == 403, review.status

    after = the_submission()
    assert after.state == State.PUBLISHED
    assert after.version == published.version
    assert after.analysis == ANALYSIS
    unchanged = GoalAssessment.objects.get(submission=after, direction_goal=first)
    assert (unchanged.level, unchanged.justification) == (before.level, before.justification)
    assert Measurement.objects.get(indicator=indicator, occasion=after.occasion).value == measured
    comment.refresh_from_db()
    assert comment.answer == ANSWER
    assert ReviewComment.objects.filter(submission=after).count() == 1


def test_cycle_pages_accessibility(demo, live_server, page):
    from goals.models import Submission

    url = live_server.url
    goals = committee_goals()
    first = goals[0]
    indicator = first.year_indicators[0]

    login(page, url, "namnd")
    page.goto(f"{url}/uppfoljning/")
    expect(heading(page)).to_have_text(f"Uppföljning {YEAR}")
    assert_no_serious_axe_violations(page)

    # The empty follow-up form.
    page.get_by_role("link", name=f"Ej påbörjad – {OCCASION}, {COMMITTEE}", exact=True).click()
    expect(heading(page)).to_have_text(COMMITTEE)
    expect(page.get_by_role("button", name="Spara och lämna in")).to_be_visible()
    assert_no_serious_axe_violations(page)

    # An outcome that is no number, an assessment against the suggestion without a
    # justification and an amount in words: nothing is saved, and the error summary names
    # each field as its label does and leads to it.
    section = goal_section(page, first)
    section.get_by_label(f"Utfall, {indicator.name}", exact=True).fill("abc")
    for other in first.year_indicators[1:]:
        section.get_by_label(f"Utfall, {other.name}", exact=True).fill(sv(other.year_target))
    field(section, "Bedömning").select_option(label="Ej uppfyllt")
    field(page, "Budgetram (tkr)").fill("åttahundra")
    click_and_wait(page, page.get_by_role("button", name="Spara utkast"))
    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("Uppföljningen har fel som behöver rättas")
    expect(summary.get_by_role("link")).to_have_text(
        [
            f"Utfall, {indicator.name}: Skriv ett tal, till exempel 1 234,5.",
            f"{first.code} – Motivering om bedömningen avviker från förslaget: "
            "Motivera varför bedömningen avviker från den föreslagna (Uppfyllt).",
            "Budgetram (tkr): Skriv ett tal, till exempel 1 234,5.",
        ]
    )
    section = goal_section(page, first)
    outcome = section.get_by_label(f"Utfall, {indicator.name}", exact=True)
    justification = field(section, "Motivering om bedömningen avviker från förslaget")
    expect(outcome).to_have_value("abc")
    expect(outcome).to_have_attribute("aria-invalid", "true")
    expect(justification).to_have_attribute("aria-invalid", "true")
    expect(field(section, "Bedömning")).to_have_value("not_fulfilled")
    assert_no_serious_axe_violations(page)
    summary.get_by_role("link", name=re.compile(r"^Utfall, ")).click()
    expect(outcome).to_be_focused()
    summary.get_by_role("link", name=re.compile(rf"^{re.escape(first.code)} – Motivering")).click()
    expect(justification).to_be_focused()
    assert not Submission.objects.filter(
        occasion__plan_year__year=YEAR, occasion__name=OCCASION, org_unit__code=COMMITTEE_CODE
    ).exists()

    # A valid draft that is not complete: saved, but not submitted, with what is missing.
    outcome.fill(sv(indicator.typed))
    field(section, "Bedömning").select_option(label="Välj bedömning")
    field(page, "Budgetram (tkr)").fill("812 400")
    click_and_wait(page, page.get_by_role("button", name="Spara och lämna in"))
    expect_message(page, "Utkastet är sparat men kunde inte lämnas in")
    expect_state(page, "Utkast")
    missing = page.get_by_role("region", name="Spara och lämna in")
    expect(missing).to_contain_text(f"{first.code}: bedömning saknas")
    assert_no_serious_axe_violations(page)

    # The review pages, for kommunledningskontoret.
    logout(page)
    login(page, url, "klk")
    page.goto(f"{url}/granskning/")
    expect(heading(page)).to_have_text(f"Granskning {YEAR}")
    assert_no_serious_axe_violations(page)
    page.get_by_role("link", name=f"Utkast – {COMMITTEE}, {OCCASION}", exact=True).click()
    expect(heading(page)).to_have_text(COMMITTEE)
    expect_state(page, "Utkast")
    assert_no_serious_axe_violations(page)

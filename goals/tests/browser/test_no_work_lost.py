"""No work lost, in Chromium (issue 17, points 3, 4 and 6).

A committee editor answers the reviewer's comment with other edits not yet saved (nothing is
lost), is warned before leaving a page with changes, and two windows save the same follow-up
(the second sees the first one's changes field by field, and saving again reverts nothing).
The reviewer comments on the last goal and lands back at it, reads the decision after the
content, and sees what changed when the follow-up comes back.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe_violations, expect_console_error, login

pytestmark = pytest.mark.browser

A_DAY_IT_IS_OPEN = datetime.date(2026, 5, 10)
COMMENT = "Hur följer ni upp läsningen under hösten?"


def returned_followup():
    """Utbildningsnämnden's Tertialrapport 1: handed in, commented, sent back."""
    from django.contrib.auth import get_user_model

    from goals import cycle
    from goals.models import Assessment, OrgUnit, ReportingOccasion

    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=["namnd", "klk"])}
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    submission = cycle.submission_get_or_create(
        occasion=occasion, org_unit=OrgUnit.objects.get(code="UN")
    )
    suggestions = cycle.suggestions_for(submission)
    goals = cycle.goals_for(submission)
    data = cycle.FollowUpInput(
        analysis="Analysen.",
        assessments={
            g.pk: {
                "level": suggestions.get(g.pk, Assessment.NOT_ASSESSED),
                "forecast_level": Assessment.PARTLY,
                "justification": "",
                "comment": "",
            }
            for g in goals
        },
    )
    submission = cycle.followup_save(
        submission=submission, user=users["namnd"], base_version=submission.version, data=data
    )
    submission = cycle.submission_submit(
        submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN
    )
    comment = cycle.comment_add(
        submission=submission, user=users["klk"], text=COMMENT, direction_goal=goals[0]
    )
    submission = cycle.submission_return(
        submission=submission, user=users["klk"], reason="Svara på kommentaren."
    )
    return submission, comment, goals


def followup_url(base, submission):
    return f"{base}/uppfoljning/{submission.occasion_id}/{submission.org_unit.code}/"


def goal_section(page, goal):
    return page.locator("details.goal-section").filter(
        has=page.get_by_role("heading", level=2, name=re.compile(rf"^{re.escape(goal.code)} "))
    )


def click_and_wait(page, button):
    with page.expect_navigation():
        button.click()


def test_answering_a_comment_with_unsaved_edits_loses_nothing(demo, live_server, page):
    from goals.models import GoalAssessment, ReviewComment, Submission

    submission, comment, goals = returned_followup()
    url = live_server.url
    login(page, url, "namnd")
    page.goto(followup_url(url, submission))
    # Edits in the follow-up, not saved yet, then an answer to the comment.
    page.get_by_label("Analys", exact=True).fill("Analysen, skriven om innan svaret.")
    goal_section(page, goals[1]).get_by_label("Kommentar till bedömningen").fill(
        "Läsningen följs upp varje månad."
    )
    comments = page.get_by_role("region", name="Granskningskommentarer")
    comments.get_by_label("Svar på kommentaren").fill("Vi följer upp den varje månad.")
    click_and_wait(page, comments.get_by_role("button", name=re.compile("^Spara svar")))
    expect(page.get_by_role("status")).to_contain_text("Svaret är sparat.")
    assert page.url.endswith(f"#kommentar-{comment.pk}")
    # Everything typed is still there, and saved.
    expect(page.get_by_label("Analys", exact=True)).to_have_value(
        "Analysen, skriven om innan svaret."
    )
    expect(goal_section(page, goals[1]).get_by_label("Kommentar till bedömningen")).to_have_value(
        "Läsningen följs upp varje månad."
    )
    assert Submission.objects.get(pk=submission.pk).analysis == (
        "Analysen, skriven om innan svaret."
    )
    assert (
        GoalAssessment.objects.get(submission=submission, direction_goal=goals[1]).comment
        == "Läsningen följs upp varje månad."
    )
    assert ReviewComment.objects.get(pk=comment.pk).answer == "Vi följer upp den varje månad."
    assert_no_serious_axe_violations(page)


def test_leaving_a_page_with_changes_warns_and_saving_does_not(demo, live_server, page):
    submission, _comment, _goals = returned_followup()
    url = live_server.url
    login(page, url, "namnd")
    page.goto(followup_url(url, submission))
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    page.on("dialog", stay)
    # Untouched: leaving does not warn.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Start").click()
    expect(page).not_to_have_url(re.compile("/uppfoljning/"))
    assert dialogs == []
    page.go_back()
    field = page.get_by_label("Analys", exact=True)
    field.fill("Ändrad men inte sparad.")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Start").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(field).to_have_value("Ändrad men inte sparad.")
    assert "/uppfoljning/" in page.url
    # Saving the form itself does not warn.
    click_and_wait(page, page.get_by_role("button", name="Spara utkast"))
    expect(page.get_by_role("status")).to_contain_text("Utkastet är sparat.")
    assert dialogs == ["beforeunload"]


def test_two_windows_a_conflict_never_silently_reverts(demo, live_server, browser):
    from goals.models import GoalAssessment, Submission

    submission, _comment, goals = returned_followup()
    url = live_server.url
    windows = []
    for who in ("namnd", "admin"):
        context = browser.new_context(locale="sv-SE")
        context.set_default_timeout(15_000)
        window = context.new_page()
        login(window, url, who)
        window.goto(followup_url(url, submission))
        windows.append(window)
    nils, anna = windows
    # Anna changes the analysis and saves; Nils, with the form open, changes a goal comment.
    anna.get_by_label("Analys", exact=True).fill("Annas analys.")
    click_and_wait(anna, anna.get_by_role("button", name="Spara utkast"))
    expect(anna.get_by_role("status")).to_contain_text("Utkastet är sparat.")
    section = goal_section(nils, goals[1])
    section.get_by_label("Kommentar till bedömningen").fill("Nils kommentar.")
    click_and_wait(nils, nils.get_by_role("button", name="Spara utkast"))

    panel = nils.get_by_role("region", name=re.compile("^Ändrat av Anna Berg"))
    expect(panel).to_be_visible()
    row = panel.get_by_role("row").filter(has_text="Analys")
    expect(row).to_contain_text("Annas analys.")
    expect(row).to_contain_text("Analysen.")
    expect(row.get_by_role("radio", name="Behåll deras")).to_be_checked()
    # The form holds Anna's analysis (Nils did not touch it) and Nils's own comment.
    expect(nils.get_by_label("Analys", exact=True)).to_have_value("Annas analys.")
    expect(goal_section(nils, goals[1]).get_by_label("Kommentar till bedömningen")).to_have_value(
        "Nils kommentar."
    )
    assert_no_serious_axe_violations(nils)
    # Choosing puts the value in the field; choosing back restores Anna's.
    row.get_by_role("radio", name="Använd mitt").check()
    expect(nils.get_by_label("Analys", exact=True)).to_have_value("Analysen.")
    row.get_by_role("radio", name="Behåll deras").check()
    expect(nils.get_by_label("Analys", exact=True)).to_have_value("Annas analys.")
    click_and_wait(nils, panel.get_by_role("button", name="Spara igen"))
    expect(nils.get_by_role("status")).to_contain_text("Utkastet är sparat.")

    saved = Submission.objects.get(pk=submission.pk)
    assert saved.analysis == "Annas analys."  # not reverted
    assert (
        GoalAssessment.objects.get(submission=saved, direction_goal=goals[1]).comment
        == "Nils kommentar."
    )
    for window in windows:
        window.context.close()


def test_the_reviewer_returns_to_the_goal_and_sees_what_changed(demo, live_server, page):
    from django.contrib.auth import get_user_model

    from goals import cycle

    submission, comment, goals = returned_followup()
    namnd = get_user_model().objects.get(username="namnd")
    cycle.comment_answer(comment=comment, user=namnd, answer="Varje månad.")
    data = cycle.FollowUpInput(
        analysis="Analysen, med läsningen.",
        assessments={
            a.direction_goal_id: {
                "level": a.level,
                "forecast_level": a.forecast_level,
                "justification": a.justification,
                "comment": a.comment,
            }
            for a in submission.assessments.all()
        },
    )
    submission.refresh_from_db()
    submission = cycle.followup_save(
        submission=submission, user=namnd, base_version=submission.version, data=data
    )
    cycle.submission_submit(submission=submission, user=namnd, today=A_DAY_IT_IS_OPEN)

    url = live_server.url
    login(page, url, "klk")
    page.goto(f"{url}/granskning/{submission.pk}/")
    changes = page.get_by_role("region", name="Ändrat sedan förra inlämningen")
    expect(changes).to_contain_text("Analysen, med läsningen.")
    expect(changes).to_contain_text("Varje månad.")
    # The decision comes after the content.
    last = goal_section(page, goals[-1])
    decision = page.get_by_role("heading", name="Åtgärder")
    assert decision.bounding_box()["y"] > last.bounding_box()["y"]
    expect(page.get_by_role("link", name=re.compile("^Gå till åtgärderna"))).to_be_visible()
    assert_no_serious_axe_violations(page)
    # A comment on the last goal: back at that goal, not at the top.
    last.get_by_label(f"Kommentar till {goals[-1].code}").fill("Och skrivandet?")
    click_and_wait(page, last.get_by_role("button", name=f"Spara kommentar till {goals[-1].code}"))
    expect(page.get_by_role("status")).to_contain_text("Kommentaren är sparad.")
    assert page.url.endswith(f"#mal-{goals[-1].pk}")
    expect(goal_section(page, goals[-1])).to_contain_text("Och skrivandet?")
    expect(goal_section(page, goals[-1])).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0


def test_a_planning_form_with_changes_warns_before_leaving(demo, live_server, page):
    from goals.models import DirectionGoal

    goal = DirectionGoal.objects.filter(committee__code="UN").order_by("code").first()
    url = live_server.url
    login(page, url, "namnd")
    page.goto(f"{url}/planer/mal/{goal.pk}/andra/")
    dialogs = []

    def stay(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    title = page.get_by_role("textbox").first
    title.fill(title.input_value() + " (ändrad)")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Start").click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert "/andra/" in page.url


@pytest.mark.parametrize("width", [1366, 390])
def test_a_follow_up_handed_in_while_writing_gives_back_what_was_typed(
    demo, live_server, page, width
):
    """The chair hands the follow-up in while the editor writes: the save answers 409, the
    page shows the follow-up as it now stands and what was typed, labelled, to copy."""
    from django.contrib.auth import get_user_model

    from goals import cycle
    from goals.models import Submission

    submission, _comment, goals = returned_followup()
    page.set_viewport_size({"width": width, "height": 900})
    url = live_server.url
    login(page, url, "namnd")
    page.goto(followup_url(url, submission))
    page.get_by_label("Analys", exact=True).fill("En analys som inte får försvinna.")
    goal_section(page, goals[1]).get_by_label("Kommentar till bedömningen").fill(
        "Läsningen följs upp varje vecka."
    )
    admin = get_user_model().objects.get(username="admin")
    cycle.submission_submit(
        submission=Submission.objects.get(pk=submission.pk), user=admin, today=A_DAY_IT_IS_OPEN
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Spara utkast").click()
    assert navigation.value.status == 409
    expect_console_error("status of 409 (Conflict)")  # Chromium's note of the 409 itself
    panel = page.get_by_role("region", name="Det du skrev har inte sparats")
    expect(panel).to_contain_text("Uppföljningen har lämnats in av")
    expect(panel.get_by_label("Analys")).to_have_value("En analys som inte får försvinna.")
    expect(panel.get_by_label(f"{goals[1].code} – Kommentar till bedömningen")).to_have_value(
        "Läsningen följs upp varje vecka."
    )
    expect(panel.get_by_label("Analys")).not_to_be_editable()
    expect(page.get_by_role("button", name="Spara utkast")).to_have_count(0)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow} px sideways at {width} px"
    assert_no_serious_axe_violations(page)
    assert Submission.objects.get(pk=submission.pk).analysis == "Analysen."

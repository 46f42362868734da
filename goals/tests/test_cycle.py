"""The cycle: follow-up, review moves per persona, immutability, roll-up, next year, notices."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from goals import cycle
from goals.models import (
    Activity,
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    Priority,
    PublishedError,
    ReportingOccasion,
    Submission,
    SubmissionEvent,
)

pytestmark = pytest.mark.django_db

A_DAY_IT_IS_OPEN = datetime.date(2026, 5, 10)


@pytest.fixture
def tertial():
    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


@pytest.fixture
def un():
    return OrgUnit.objects.get(code="UN")


def complete_input(submission, **overrides) -> cycle.FollowUpInput:
    """A follow-up with every goal assessed as suggested (and a forecast at mid-year)."""
    suggestions = cycle.suggestions_for(submission)
    data = cycle.FollowUpInput(
        analysis="Analysen.",
        assessments={
            g.pk: {
                "level": suggestions.get(g.pk, Assessment.NOT_ASSESSED),
                "forecast_level": Assessment.PARTLY,
                "justification": "",
                "comment": "",
            }
            for g in cycle.goals_for(submission)
        },
        activities={a.pk: ("ongoing", "") for a in cycle.activities_for(submission)},
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


def submitted(tertial, unit, users, who="namnd", day=A_DAY_IT_IS_OPEN):
    """The unit's follow-up, complete, handed in on `day` by `who`."""
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=unit)
    submission = cycle.followup_save(
        submission=submission,
        user=users[who],
        base_version=submission.version,
        data=complete_input(submission),
    )
    return cycle.submission_submit(submission=submission, user=users[who], today=day)


# --- the suggested assessment ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        ([], Assessment.NOT_ASSESSED),
        ([(None, 10, True), (5, None, True)], Assessment.NOT_ASSESSED),
        ([(10, 10, True)], Assessment.FULFILLED),  # exactly the target reaches it
        ([(Decimal("9.99"), 10, True)], Assessment.NOT_FULFILLED),
        ([(10, 10, False), (9, 10, False)], Assessment.FULFILLED),  # lower is better
        ([(11, 10, False)], Assessment.NOT_FULFILLED),
        ([(10, 10, True), (1, 10, True)], Assessment.PARTLY),  # exactly half
        ([(10, 10, True), (1, 10, True), (1, 10, True)], Assessment.NOT_FULFILLED),
        ([(10, 10, True), (10, 10, True), (1, 10, True)], Assessment.PARTLY),
        ([(10, 10, True), (None, 10, True)], Assessment.FULFILLED),  # missing ones not counted
    ],
)
def test_suggestion_rule_boundaries(pairs, expected):
    assert cycle.suggest_assessment(pairs) == expected


def test_the_page_states_the_rule_in_words(client_for, tertial):
    page = client_for("namnd").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    assert page.status_code == 200
    assert "minst hälften" in page.content.decode()


def test_suggestion_follows_the_outcomes_entered(tertial, un, users):
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    targets = {
        i.pk: i.targets.get(year=2026).value
        for i in goal.indicators.all()
        if i.targets.filter(year=2026)
    }
    data = complete_input(submission)
    data.measurements = {pk: (target, "") for pk, target in targets.items()}
    data.assessments[goal.pk]["level"] = Assessment.FULFILLED
    cycle.followup_save(submission=submission, user=users["namnd"], base_version=1, data=data)
    assert cycle.suggestions_for(submission)[goal.pk] == Assessment.FULFILLED
    assert Measurement.objects.filter(
        occasion=tertial, indicator__direction_goal=goal
    ).count() == len(targets)


def _page_data(page) -> dict:
    """What the follow-up page sends back untouched: every field with its shown value."""
    from core.formats import format_swedish_number

    forms = page.context["forms"]
    data = {"version": forms["main"]["version"].value() or "0"}
    for group in ("measurements", "assessments", "activities"):
        for form in forms[group].values():
            for field in form:
                value = field.value()
                if field.name == "value":
                    value = format_swedish_number(value)
                data[field.html_name] = "" if value is None else value
    return data


def test_override_needs_a_justification_and_both_are_kept(client_for, tertial, un):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    goal = page.context["goals"][0]
    suggested = page.context["suggestions"][goal.pk]
    other = next(v for v, _l in Assessment.choices if v != suggested)
    data = _page_data(page)
    data.update({"analysis": "Text", "action": "save", f"mal-{goal.pk}-level": other})
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_mal-{goal.pk}-justification_fel"' in html
    assert "Motivera varför bedömningen avviker" in html
    assert "Text</textarea>" in html  # input kept
    data[f"mal-{goal.pk}-justification"] = "Indikatorerna fångar inte hela bilden."
    assert client.post(url, data).status_code == 302
    saved = GoalAssessment.objects.get(submission__occasion=tertial, direction_goal=goal)
    assert saved.level == other and saved.suggested_level == suggested
    assert saved.justification.startswith("Indikatorerna")


# --- moves per persona ------------------------------------------------------------------------


def test_editor_submits_when_open_and_complete(tertial, un, users):
    submission = submitted(tertial, un, users)
    assert submission.state == Submission.State.SUBMITTED
    event = submission.events.get()
    assert (event.action, event.actor.username, event.from_state) == ("submit", "namnd", "draft")


def test_submit_lists_what_is_missing(tertial, un, users):
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    with pytest.raises(cycle.MoveRefused) as refused:
        cycle.submission_submit(submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN)
    goals = cycle.goals_for(submission)
    # Everything at once: each goal's assessment and, mid-year, its forecast.
    assert refused.value.problems == [
        text
        for g in goals
        for text in (f"{g.code}: bedömning saknas", f"{g.code}: prognos för helåret saknas")
    ]


def test_submit_only_while_the_occasion_is_open(tertial, un, users):
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    cycle.followup_save(
        submission=submission, user=users["namnd"], base_version=1, data=complete_input(submission)
    )
    with pytest.raises(cycle.MoveRefused, match="inte öppet"):
        cycle.submission_submit(
            submission=submission, user=users["namnd"], today=datetime.date(2026, 4, 1)
        )
    tertial.closes_on = datetime.date(2026, 6, 30)
    tertial.save()
    with pytest.raises(cycle.MoveRefused, match="inte öppet"):
        cycle.submission_submit(
            submission=submission, user=users["namnd"], today=datetime.date(2026, 7, 1)
        )


@pytest.mark.parametrize("persona", ["enhet", "klk", "politiker", "outsider"])
def test_others_cannot_write_or_submit_a_committees_follow_up(tertial, un, users, persona):
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    with pytest.raises(cycle.MoveRefused):
        cycle.followup_save(
            submission=submission,
            user=users[persona],
            base_version=1,
            data=complete_input(submission),
        )
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_submit(submission=submission, user=users[persona], today=A_DAY_IT_IS_OPEN)


@pytest.mark.parametrize("persona", ["namnd", "enhet", "politiker", "admin", "outsider"])
def test_only_a_reviewer_returns_or_approves(tertial, un, users, persona):
    submission = submitted(tertial, un, users)
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_return(submission=submission, user=users[persona], reason="Nej")
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_approve(submission=submission, user=users[persona])
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED


def test_return_needs_a_reason_and_is_recorded(tertial, un, users):
    submission = submitted(tertial, un, users)
    with pytest.raises(cycle.MoveRefused, match="varför"):
        cycle.submission_return(submission=submission, user=users["klk"], reason="  ")
    cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera UN-HK-1.")
    submission.refresh_from_db()
    assert submission.state == Submission.State.RETURNED
    event = submission.events.last()
    assert (event.action, event.actor.username, event.reason) == (
        "return",
        "klk",
        "Komplettera UN-HK-1.",
    )
    # Returned: the committee writes again and resubmits.
    submission = cycle.followup_save(
        submission=submission,
        user=users["namnd"],
        base_version=submission.version,
        data=complete_input(submission, analysis="Kompletterad."),
    )
    cycle.submission_submit(submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN)
    assert [e.action for e in submission.events.all()] == ["submit", "return", "submit"]


def test_moves_from_the_wrong_state_are_refused(tertial, un, users):
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_approve(submission=submission, user=users["klk"])  # a draft
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_publish(submission=submission, user=users["klk"])  # not approved
    submission = submitted(tertial, un, users)
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_submit(submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN)
    with pytest.raises(cycle.MoveRefused):
        cycle.submission_publish(submission=submission, user=users["admin"])  # not approved


def test_unresolved_comments_block_approval(tertial, un, users):
    submission = submitted(tertial, un, users)
    goal = cycle.goals_for(submission)[0]
    comment = cycle.comment_add(
        submission=submission, user=users["klk"], text="Varför?", direction_goal=goal
    )
    with pytest.raises(cycle.MoveRefused, match=r"1 granskningskommentar är inte löst\."):
        cycle.submission_approve(submission=submission, user=users["klk"])
    with pytest.raises(cycle.MoveRefused):
        cycle.comment_add(submission=submission, user=users["namnd"], text="Själv")
    cycle.comment_answer(comment=comment, user=users["namnd"], answer="Därför.")
    cycle.comment_resolve(comment=comment, user=users["namnd"])
    cycle.submission_approve(submission=submission, user=users["klk"])
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED


@pytest.mark.parametrize(
    ("persona", "allowed"), [("klk", True), ("admin", True), ("namnd", False), ("politiker", False)]
)
def test_publish_is_for_reviewers_and_admins(tertial, un, users, persona, allowed):
    submission = submitted(tertial, un, users)
    cycle.submission_approve(submission=submission, user=users["klk"])
    if allowed:
        cycle.submission_publish(submission=submission, user=users[persona])
        submission.refresh_from_db()
        assert submission.state == Submission.State.PUBLISHED
        assert submission.events.last().actor == users[persona]
    else:
        with pytest.raises(cycle.MoveRefused):
            cycle.submission_publish(submission=submission, user=users[persona])


def test_unit_head_submits_own_unit_and_not_anothers(users):
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    ens = OrgUnit.objects.get(code="UF-ENS")
    submission = submitted(tertial, ens, users, who="enhet")
    assert submission.state == Submission.State.SUBMITTED
    assert ActivityFollowUp_count(submission) == len(cycle.activities_for(submission))
    other = (
        OrgUnit.objects.filter(code__startswith="UF-", operational_plans__plan_year__year=2026)
        .exclude(code="UF-ENS")
        .first()
    )
    foreign = cycle.submission_get_or_create(occasion=tertial, org_unit=other)
    with pytest.raises(cycle.MoveRefused):
        cycle.followup_save(
            submission=foreign, user=users["enhet"], base_version=1, data=complete_input(foreign)
        )


def ActivityFollowUp_count(submission):  # noqa: N802 - reads as the model it counts
    return submission.activity_followups.count()


# --- published is final ------------------------------------------------------------------------


def published(tertial, un, users):
    submission = submitted(tertial, un, users)
    cycle.submission_approve(submission=submission, user=users["klk"])
    return cycle.submission_publish(submission=submission, user=users["klk"])


def test_published_content_cannot_be_changed_through_services_or_models(tertial, un, users):
    submission = published(tertial, un, users)
    with pytest.raises(PublishedError):
        cycle.followup_save(
            submission=submission,
            user=users["namnd"],
            base_version=submission.version,
            data=complete_input(submission, analysis="Ändrad i efterhand"),
        )
    assessment = submission.assessments.first()
    assessment.comment = "Ändrad direkt"
    with pytest.raises(PublishedError):
        assessment.save()
    with pytest.raises(PublishedError):
        assessment.delete()
    submission.refresh_from_db()
    submission.analysis = "Ändrad direkt"
    with pytest.raises(PublishedError):
        submission.save()
    indicator = Indicator.objects.filter(direction_goal__committee=un).first()
    with pytest.raises(PublishedError):
        Measurement(indicator=indicator, occasion=tertial, value=1).save()
    with pytest.raises(PublishedError):
        Priority(submission=submission, direction_goal=assessment.direction_goal, text="x").save()
    submission.refresh_from_db()
    assert submission.analysis == "Analysen."


def test_published_follow_up_page_is_read_only(client_for, tertial, un, users):
    submission = published(tertial, un, users)
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    assert page.context["can_write"] is False
    assert "Spara och lämna in" not in page.content.decode()
    response = client.post(url, {"version": submission.version, "analysis": "Ändrad"})
    # Refused with 409; the text typed comes back to copy, and nothing is written.
    assert response.status_code == 409
    assert [(t.label, t.value) for t in response.context["not_saved"]] == [("Analys", "Ändrad")]
    submission.refresh_from_db()
    assert submission.analysis == "Analysen."


# --- roll-up -----------------------------------------------------------------------------------


def test_committee_sees_its_units_submissions_and_assessments(client_for, tertial, users):
    ens = OrgUnit.objects.get(code="UF-ENS")
    unit_submission = submitted(tertial, ens, users, who="enhet")
    page = client_for("namnd").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    rows = {row.unit.code: row for row in page.context["rollup"]}
    assert rows["UF-ENS"].submission == unit_submission
    assessed = {a.direction_goal_id: a.level for a in unit_submission.assessments.all()}
    assert {k: a.level for k, a in rows["UF-ENS"].levels.items()} == assessed
    assert "Enebybergs skola" in page.content.decode()


# --- the analysis feeds the next year ----------------------------------------------------------


def test_start_next_year_builds_plans_from_priorities_and_is_idempotent(users):
    annual = ReportingOccasion.objects.get(plan_year__year=2026, kind="annual_report")
    un = OrgUnit.objects.get(code="UN")
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    goal.valid_to = 2027
    goal.save()
    submission = cycle.submission_get_or_create(occasion=annual, org_unit=un)
    data = complete_input(submission, priorities=[(goal.pk, "Fler elever ska läsa varje dag")])
    submission = cycle.followup_save(
        submission=submission, user=users["namnd"], base_version=1, data=data
    )
    priority = Priority.objects.get(submission=submission)
    # Saving the draft again keeps the very same priority (next year's activities link to it).
    submission = cycle.followup_save(
        submission=submission, user=users["namnd"], base_version=submission.version, data=data
    )
    assert Priority.objects.get(submission=submission).pk == priority.pk
    # A draft analysis steers nothing: only approved (or published) priorities count.
    draft_year = cycle.plan_year_start_next(plan_year=annual.plan_year, user=users["klk"])
    assert not Activity.objects.filter(
        plan__plan_year=draft_year, source_priority=priority
    ).exists()
    cycle.submission_submit(submission=submission, user=users["namnd"], today=annual.opens_on)
    cycle.submission_approve(submission=submission, user=users["klk"])
    plan_2026 = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__year=2026)
    unfinished = plan_2026.activities.filter(direction_goal=goal).first()
    unfinished.status = Activity.Status.ONGOING
    unfinished.save()

    with pytest.raises(cycle.MoveRefused):
        cycle.plan_year_start_next(plan_year=annual.plan_year, user=users["namnd"])
    next_year = cycle.plan_year_start_next(plan_year=annual.plan_year, user=users["klk"])
    assert next_year.year == 2027 and next_year.reporting_occasions.count() == 4
    plan_2027 = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year=next_year)
    assert plan_2027.previous == plan_2026
    from_priority = plan_2027.activities.get(source_priority=priority)
    assert from_priority.title == "Fler elever ska läsa varje dag"
    assert from_priority.direction_goal == goal
    assert plan_2027.activities.filter(carried_from=unfinished).exists()
    # Goals that end in 2026 bring nothing along.
    assert not plan_2027.activities.exclude(direction_goal=goal).exists()
    count = plan_2027.activities.count()
    cycle.plan_year_start_next(plan_year=annual.plan_year, user=users["klk"])
    assert plan_2027.activities.count() == count
    assert PlanYear.objects.filter(year=2027).count() == 1


# --- notices ---------------------------------------------------------------------------------


def test_moves_send_notices(tertial, un, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submitted(tertial, un, users)
    assert [m.to for m in mail.outbox] == [["klk@example.invalid"]]
    assert "Inlämnad för granskning" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera.")
    assert mail.outbox[-1].to == ["namnd@example.invalid"]
    assert "Komplettera." in mail.outbox[-1].body


def test_notices_link_to_the_address_the_service_is_served_on(
    tertial, un, users, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://styr.danderyd.se/"
    with django_capture_on_commit_callbacks(execute=True):
        submission = submitted(tertial, un, users)
    link = f"https://styr.danderyd.se/granskning/{submission.pk}/"
    assert link in mail.outbox[-1].body, mail.outbox[-1].body
    assert "127.0.0.1" not in mail.outbox[-1].body


def test_deadline_notice_is_sent_once_not_twice(tertial):
    seven_days_before = tertial.deadline - datetime.timedelta(days=7)
    call_command("send_deadline_notices", date=seven_days_before.isoformat())
    first = len(mail.outbox)
    recipients = {address for m in mail.outbox for address in m.to}
    assert (
        first > 0
        and "namnd@example.invalid" in recipients
        and "enhet@example.invalid" in recipients
    )
    assert all("Påminnelse" in m.subject for m in mail.outbox)
    call_command("send_deadline_notices", date=seven_days_before.isoformat())
    call_command(
        "send_deadline_notices", date=(seven_days_before + datetime.timedelta(days=1)).isoformat()
    )
    assert len(mail.outbox) == first


def test_no_deadline_notice_for_who_has_submitted(tertial, un, users):
    submitted(tertial, un, users)
    call_command(
        "send_deadline_notices", date=(tertial.deadline - datetime.timedelta(days=7)).isoformat()
    )
    assert not any(
        "Utbildningsnämnden" in m.body and m.to == ["namnd@example.invalid"] for m in mail.outbox
    )


def test_events_cannot_be_edited(tertial, un, users):
    event = submitted(tertial, un, users).events.get()
    event.reason = "Efterhandskonstruktion"
    with pytest.raises(Exception, match="kan inte ändras"):
        event.save()
    assert SubmissionEvent.objects.get(pk=event.pk).reason == ""


def test_start_page_says_what_to_do_now(client_for, tertial, un, users):
    submission = submitted(tertial, un, users)
    reviewer = client_for("klk").get(reverse("start"))
    assert reviewer.context["review_waiting"] >= 1
    assert "väntar på granskning" in reviewer.content.decode()
    cycle.submission_return(
        submission=submission, user=users["klk"], reason="Komplettera analysen."
    )
    page = client_for("namnd").get(reverse("start"))
    todo = {(t.occasion.pk, t.unit.code): t for t in page.context["followup_todo"]}
    assert todo[(tertial.pk, "UN")].return_reason == "Komplettera analysen."
    assert "Komplettera analysen." in page.content.decode()
    assert "Uppföljning att lämna in" in client_for("enhet").get(reverse("start")).content.decode()


def test_frame_shows_the_phase_of_the_year_the_page_is_about(client_for):
    annual_2025 = ReportingOccasion.objects.get(plan_year__year=2025, kind="annual_report")
    page = client_for("namnd").get(reverse("followup_edit", args=[annual_2025.pk, "UN"]))
    assert page.context["frame"]["plan_year"].year == 2025
    assert 'aria-label="Verksamhetsår 2025"' in page.content.decode()


def test_the_verksamhetsplan_occasion_hands_in_the_plan_without_assessments(users):
    plan_occasion = ReportingOccasion.objects.get(plan_year__year=2027 - 1, kind="operational_plan")
    ens = OrgUnit.objects.get(code="UF-ENS")
    submission = cycle.submission_get_or_create(occasion=plan_occasion, org_unit=ens)
    assert cycle.missing_for_submit(submission) == []
    cycle.submission_submit(
        submission=submission, user=users["enhet"], today=plan_occasion.opens_on
    )
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED


def test_verksamhetsplan_page_shows_targets_not_assessment_fields(client_for):
    plan_occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="operational_plan")
    ens_page = client_for("enhet").get(reverse("followup_edit", args=[plan_occasion.pk, "UF-ENS"]))
    html = ens_page.content.decode()
    assert ens_page.status_code == 200
    assert "Bedömning" not in html and "målvärde 2026" in html


# --- found in review ---------------------------------------------------------------------------


def test_admin_cannot_delete_or_change_published_outcomes(client_for, tertial, un, users):
    published(tertial, un, users)
    measurement = Measurement.objects.filter(
        occasion=tertial, indicator__direction_goal__committee=un
    ).first()
    assert measurement is not None and measurement.is_published
    admin = client_for("admin")
    admin.post(
        reverse("admin:goals_measurement_changelist"),
        {"action": "delete_selected", "_selected_action": [measurement.pk], "post": "yes"},
    )
    assert Measurement.objects.filter(pk=measurement.pk).exists()
    change = admin.get(reverse("admin:goals_measurement_change", args=[measurement.pk]))
    assert change.status_code == 200 and "Spara" not in change.content.decode().split("<form")[-1]
    delete = admin.get(reverse("admin:goals_indicator_delete", args=[measurement.indicator_id]))
    assert delete.status_code == 403


def test_committee_level_reviewer_sees_and_starts_only_what_is_theirs(client, users):
    from goals.models import Membership

    reviewer = users["outsider"]
    Membership.objects.create(
        user=reviewer, org_unit=OrgUnit.objects.get(code="UN"), role="reviewer"
    )
    client.force_login(reviewer)
    page = client.get(reverse("review"), {"ar": 2026})
    assert [row.unit.code for row in page.context["rows"]] == ["UN"]
    assert "Starta 2027" not in page.content.decode()
    response = client.post(reverse("review_start_next_year", args=[2026]))
    assert response.status_code == 403
    assert not PlanYear.objects.filter(year=2027).exists()


def test_unit_head_sees_only_own_unit_in_the_committee_roll_up(client_for, tertial):
    page = client_for("enhet").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    assert [row.unit.code for row in page.context["rollup"]] == ["UF-ENS"]


def test_a_comment_without_an_outcome_is_an_error_not_lost(client_for, tertial):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page = client.get(url)
    data = _page_data(page)
    indicator = page.context["goals"][0].followup_indicators[0]
    data[f"ind-{indicator.pk}-value"] = ""
    data[f"ind-{indicator.pk}-comment"] = "Siffran kommer i maj."
    data["action"] = "save"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Skriv utfallet som kommentaren gäller" in response.content.decode()
    assert "Siffran kommer i maj." in response.content.decode()


def test_a_published_follow_up_shows_what_was_handed_in(client_for, tertial, un, users):
    submission = published(tertial, un, users)
    goal = submission.assessments.first().direction_goal
    goal.archived = True
    goal.save()
    page = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    assert goal in page.context["goals"]
    assert (
        page.context["suggestions"][goal.pk]
        == submission.assessments.get(direction_goal=goal).suggested_level
    )


def test_a_failed_deadline_mail_is_sent_on_the_next_run(tertial, monkeypatch):
    from goals import notices

    day = (tertial.deadline - datetime.timedelta(days=7)).isoformat()
    real_send = notices.send_mail
    calls = {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("SMTP nere")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(notices, "send_mail", flaky)
    call_command("send_deadline_notices", date=day)
    first = len(mail.outbox)
    call_command("send_deadline_notices", date=day)
    assert len(mail.outbox) == first + 1  # the failed one, and only it, went out now


def test_comments_on_published_follow_up_are_final(tertial, un, users):
    submission = submitted(tertial, un, users)
    comment = cycle.comment_add(submission=submission, user=users["klk"], text="Fråga")
    cycle.comment_resolve(comment=comment, user=users["klk"])  # a reviewer may resolve
    cycle.submission_approve(submission=submission, user=users["klk"])
    with pytest.raises(cycle.MoveRefused):
        cycle.comment_answer(comment=comment, user=users["namnd"], answer="Sent svar")
    cycle.submission_publish(submission=submission, user=users["klk"])
    comment.refresh_from_db()
    comment.text = "Ändrad"
    with pytest.raises(PublishedError):
        comment.save()


def test_a_returned_follow_up_can_be_handed_in_after_the_occasion_closed(tertial, un, users):
    submission = submitted(tertial, un, users)
    cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera.")
    tertial.closes_on = datetime.date(2026, 6, 30)
    tertial.save()
    after_closing = datetime.date(2026, 7, 15)
    cycle.submission_submit(submission=submission, user=users["namnd"], today=after_closing)
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED


def test_a_units_follow_up_goes_back_to_the_unit_not_the_committee(client_for, tertial, users):
    ens = OrgUnit.objects.get(code="UF-ENS")
    submission = submitted(tertial, ens, users, who="enhet")
    client = client_for("klk")
    url = reverse("review_submission", args=[submission.pk])
    page = client.get(url).content.decode()
    assert "Skicka tillbaka till enheten</button>" in page
    assert "till nämnden" not in page
    response = client.post(url, {"action": "return", "reason": "Komplettera."}, follow=True)
    assert "Uppföljningen är återsänd till enheten." in response.content.decode()
    committee = submitted(tertial, OrgUnit.objects.get(code="UN"), users)
    page = client_for("klk").get(reverse("review_submission", args=[committee.pk]))
    assert "Skicka tillbaka till nämnden</button>" in page.content.decode()


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "1 granskningskommentar är inte löst. Skicka tillbaka uppföljningen eller markera den"),
        (
            2,
            "2 granskningskommentarer är inte lösta. Skicka tillbaka uppföljningen eller markera",
        ),
    ],
)
def test_open_comments_are_counted_in_proper_swedish(tertial, un, users, count, message):
    submission = submitted(tertial, un, users)
    for n in range(count):
        cycle.comment_add(submission=submission, user=users["klk"], text=f"Fråga {n}")
    with pytest.raises(cycle.MoveRefused, match=message):
        cycle.submission_approve(submission=submission, user=users["klk"], reason="")


def test_a_reviewers_comment_is_shown_whole_beside_its_goal(client_for, tertial, un, users):
    submission = submitted(tertial, un, users)
    goal = cycle.goals_for(submission)[0]
    text = (
        "Angående trygghetsmåttet: " + "jämför med förra årets enkät och förklara skillnaden. " * 3
    )
    cycle.comment_add(submission=submission, user=users["klk"], text=text, direction_goal=goal)
    cycle.submission_return(submission=submission, user=users["klk"], reason="Se kommentaren.")
    page = client_for("namnd").get(reverse("followup_edit", args=[tertial.pk, "UN"]))
    html = page.content.decode()
    beside_goal = html.split("Granskaren har kommenterat målet:")[1].split("</p>")[0]
    assert text.strip() in beside_goal.replace("&#x27;", "'")


def test_publishing_asks_first_and_says_what_will_happen(client_for, tertial, un, users):
    submission = submitted(tertial, un, users)
    cycle.submission_approve(submission=submission, user=users["klk"])
    client = client_for("klk")
    url = reverse("review_submission", args=[submission.pk])
    page = client.post(url, {"action": "publish"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Det går inte att ångra." in html and "Ja, publicera</button>" in html
    assert 'name="bekraftat" value="1"' in html
    assert "Nämndens rapport för Tertialrapport 1 2026 skapas i bakgrunden" in html
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED
    response = client.post(url, {"action": "publish", "bekraftat": "1"})
    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.state == Submission.State.PUBLISHED


def test_a_unit_head_posting_publish_gets_no_confirmation_page(client_for, tertial, users):
    ens = OrgUnit.objects.get(code="UF-ENS")
    submission = submitted(tertial, ens, users, who="enhet")
    response = client_for("enhet").post(
        reverse("review_submission", args=[submission.pk]), {"action": "publish"}
    )
    assert response.status_code == 403
    assert "Ja, publicera" not in response.content.decode()


def test_starting_next_year_asks_first_and_counts_what_it_creates(client_for):
    client = client_for("klk")
    url = reverse("review_start_next_year", args=[2026])
    page = client.post(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Starta verksamhetsår 2027?" in html and "Ja, starta 2027</button>" in html
    plans = OperationalPlan.objects.filter(plan_year__year=2026).count()
    assert f"{plans} verksamhetsplaner för 2026 får ett utkast för 2027" in html
    assert not PlanYear.objects.filter(year=2027).exists()
    response = client.post(url, {"bekraftat": "1"})
    assert response.status_code == 302
    assert PlanYear.objects.filter(year=2027).exists()


# --- late hand-ins and the grace period ----------------------------------------------------------


def _handed_in_on(day, tertial, unit, users, who="namnd"):
    return submitted(tertial, unit, users, who=who, day=day)


def test_a_late_hand_in_is_marked_with_its_days_on_the_review_pages(client_for, tertial, un, users):
    submission = _handed_in_on(tertial.deadline + datetime.timedelta(days=3), tertial, un, users)
    mark = "Inlämnad efter sista dag (3 dagar)"
    klk = client_for("klk")
    assert mark in klk.get(reverse("review"), {"ar": 2026}).content.decode()
    assert mark in klk.get(reverse("review_submission", args=[submission.pk])).content.decode()
    overview = client_for("namnd").get(reverse("followup"), {"ar": 2026}).content.decode()
    assert mark in overview


def test_a_hand_in_on_the_deadline_or_within_the_grace_period_is_on_time(tertial, un, users):
    on_time = _handed_in_on(tertial.deadline, tertial, un, users)
    assert on_time.days_late == 0
    ens = OrgUnit.objects.get(code="UF-ENS")
    late = _handed_in_on(
        tertial.deadline + datetime.timedelta(days=4), tertial, ens, users, "enhet"
    )
    assert late.days_late == 4
    ReportingOccasion.objects.filter(pk=tertial.pk).update(grace_days=5)
    late.occasion.refresh_from_db()
    assert late.days_late == 0
    ReportingOccasion.objects.filter(pk=tertial.pk).update(grace_days=2)
    late.occasion.refresh_from_db()
    assert late.days_late == 4  # counted from the deadline, not from the end of the grace


def test_the_first_hand_in_decides_lateness_not_a_resubmission(tertial, un, users):
    submission = _handed_in_on(tertial.deadline, tertial, un, users)
    cycle.submission_return(submission=submission, user=users["klk"], reason="Komplettera.")
    again = cycle.submission_submit(
        submission=submission, user=users["namnd"], today=tertial.deadline + datetime.timedelta(9)
    )
    assert again.submitted_on == tertial.deadline and again.days_late == 0


def test_nothing_is_overdue_during_the_grace_period(client_for, tertial, users):
    from goals.selectors import review_overview

    ReportingOccasion.objects.filter(pk=tertial.pk).update(grace_days=3)
    within = review_overview(
        year=2026, today=tertial.deadline + datetime.timedelta(days=3), user=users["klk"]
    )
    after = review_overview(
        year=2026, today=tertial.deadline + datetime.timedelta(days=4), user=users["klk"]
    )

    def overdue(result):
        return {
            row.unit.code
            for row in result["rows"]
            for c in row.cells
            if c.overdue
            if c.occasion.pk == tertial.pk
        }

    assert overdue(within) == set()
    assert "UN" in overdue(after)


def test_a_published_follow_up_keeps_its_late_mark_as_published(client_for, tertial, un, users):
    submission = _handed_in_on(tertial.deadline + datetime.timedelta(days=1), tertial, un, users)
    cycle.submission_approve(submission=submission, user=users["klk"])
    cycle.submission_publish(submission=submission, user=users["klk"])
    ReportingOccasion.objects.filter(pk=tertial.pk).update(grace_days=10)
    page = client_for("klk").get(reverse("review_submission", args=[submission.pk]))
    assert "Inlämnad efter sista dag (1 dag)" in page.content.decode()


# --- a committee handing in before its units ------------------------------------------------------


def _complete_page_data(client, url, submission):
    page = client.get(url)
    data = _page_data(page)
    for field in page.context["forms"]["main"]:
        if field.name != "version":
            value = field.value()
            data[field.html_name] = "" if value is None else str(value)
    data["action"] = "submit"
    return page, data


def test_a_committee_handing_in_before_its_units_is_told_which_and_asked(
    client_for, tertial, un, users
):
    submission = cycle.submission_get_or_create(occasion=tertial, org_unit=un)
    cycle.followup_save(
        submission=submission,
        user=users["namnd"],
        base_version=submission.version,
        data=complete_input(submission),
    )
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    page, data = _complete_page_data(client, url, submission)
    waiting = page.context["units_not_in"]
    assert waiting and "Enebybergs skola" in [u.name for u in waiting]
    html = page.content.decode()
    assert f"{len(waiting)} enheter har inte lämnat in sina uppföljningar" in html
    assert 'name="lamna_in_anda"' in html

    refused = client.post(url, data, follow=True)
    submission.refresh_from_db()
    assert submission.state == Submission.State.DRAFT
    html = refused.content.decode()
    assert "Utkastet är sparat men inte inlämnat" in html
    assert "Enebybergs skola" in html
    assert 'aria-describedby="lamna_in_anda_fel"' in html

    data["lamna_in_anda"] = "1"
    data["version"] = str(submission.version)
    client.post(url, data)
    submission.refresh_from_db()
    assert submission.state == Submission.State.SUBMITTED


def test_a_committee_whose_units_are_all_in_is_not_asked(client_for, tertial, un, users):
    client = client_for("namnd")
    url = reverse("followup_edit", args=[tertial.pk, "UN"])
    rollup = client.get(url).context["rollup"]
    for row in rollup:
        _handed_in_on(A_DAY_IT_IS_OPEN, tertial, row.unit, users, "namnd")
    page = client.get(url)
    assert page.context["units_not_in"] == []
    assert 'name="lamna_in_anda"' not in page.content.decode()

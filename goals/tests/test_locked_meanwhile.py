"""A follow-up handed in, approved or published while someone had it open: their save is
refused with 409, nothing is written, and everything they typed comes back on the page,
labelled, in read-only fields to copy (nothing typed is lost)."""

import pytest
from django.test import Client

from goals import cycle
from goals.models import GoalAssessment, ReviewComment, Submission

from . import test_no_work_lost
from .test_cycle import A_DAY_IT_IS_OPEN
from .test_no_work_lost import followup_form, press, url_of

# The set-up of the no-work-lost tests: Utbildningsnämnden's Tertialrapport 1, sent back.
tertial = test_no_work_lost.tertial
returned = test_no_work_lost.returned

pytestmark = pytest.mark.django_db


def _open_form(users, submission):
    client = Client()
    client.force_login(users["namnd"])
    return client, followup_form(client.get(url_of(submission)))


def _typed(response) -> dict[str, str]:
    return {t.label: t.value for t in response.context["not_saved"]}


def test_a_save_after_someone_handed_it_in_keeps_what_was_typed_and_writes_nothing(
    returned,
    users,
):
    submission, comment, goal = returned
    client, page = _open_form(users, submission)
    answer_field = next(k for k in page.fields if k.startswith(f"svar-{comment.pk}"))
    # Meanwhile, the committee's chair hands the follow-up in as it stands.
    cycle.submission_submit(submission=submission, user=users["admin"], today=A_DAY_IT_IS_OPEN)
    before = Submission.objects.get(pk=submission.pk)
    history = before.history.count()

    data = press(
        page,
        "Spara utkast",
        analysis="En ny analys som inte får försvinna.",
        **{
            f"mal-{goal.pk}-comment": "Läsningen följs upp varje vecka.",
            answer_field: "Vårt svar på kommentaren.",
        },
    )
    response = client.post(url_of(submission), data)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Det du skrev har inte sparats" in html
    assert "Uppföljningen har lämnats in av Anna Berg" in html
    assert "medan du redigerade" in html
    typed = _typed(response)
    assert typed["Analys"] == "En ny analys som inte får försvinna."
    assert typed[f"{goal.code} – Kommentar till bedömningen"] == "Läsningen följs upp varje vecka."
    answer_label = next(label for label in typed if label.startswith("Svar på kommentaren"))
    assert typed[answer_label] == "Vårt svar på kommentaren."
    # Only what differs from the saved follow-up is listed.
    assert len(typed) == 3
    # Each value is in a labelled, read-only field, and the page offers no save.
    assert 'readonly rows="2">En ny analys som inte får försvinna.</textarea>' in html
    assert "Spara utkast" not in html
    # Nothing was written.
    after = Submission.objects.get(pk=submission.pk)
    assert after.state == Submission.State.SUBMITTED
    assert after.analysis == before.analysis
    assert after.version == before.version
    assert after.history.count() == history
    comment.refresh_from_db()
    assert comment.answer == ""
    assessment = GoalAssessment.objects.get(submission=submission, direction_goal=goal)
    assert assessment.comment != "Läsningen följs upp varje vecka."


def test_a_choice_and_an_emptied_field_are_said_in_words(returned, users):
    submission, comment, goal = returned
    client, page = _open_form(users, submission)
    saved_level = page.fields[f"mal-{goal.pk}-level"]
    new_level = "not_fulfilled" if saved_level != "not_fulfilled" else "fulfilled"
    cycle.submission_submit(submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN)
    cycle.comment_resolve(comment=comment, user=users["klk"])
    cycle.submission_approve(submission=Submission.objects.get(pk=submission.pk), user=users["klk"])

    response = client.post(
        url_of(submission),
        press(page, "Spara utkast", analysis="", **{f"mal-{goal.pk}-level": new_level}),
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "Uppföljningen har godkänts av" in html
    typed = _typed(response)
    level = typed[f"{goal.code} – Bedömning"]
    assert level in {"Ej uppfyllt", "Uppfyllt"}  # the level's words, not its code
    assert typed["Analys"] == ""
    assert "<strong>Analys</strong>: du tömde fältet." in html
    assert Submission.objects.get(pk=submission.pk).analysis == "Analysen."


def test_the_reviewers_comments_stay_untouched(returned, users):
    submission, comment, _goal = returned
    client, page = _open_form(users, submission)
    cycle.submission_submit(submission=submission, user=users["namnd"], today=A_DAY_IT_IS_OPEN)
    client.post(url_of(submission), press(page, "Spara och lämna in", analysis="Ändrad"))
    assert ReviewComment.objects.get(pk=comment.pk).answer == ""

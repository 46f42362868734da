"""Two reviewers on one follow-up: an action refused because the other moved it first answers
409 with the page as it now stands, and what the reviewer typed is still there."""

import pytest
from django.urls import reverse

from goals import cycle
from goals.models import Membership, OrgUnit, ReviewComment, Submission, SubmissionEvent

from .test_cycle import submitted
from .test_no_work_lost import tertial  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(users):
    """A second reviewer at kommunledningskontoret, with klk's groups and roles."""
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user(
        username="klk2", password="x-Pass-1234", first_name="Karin", last_name="Ek"
    )
    other.groups.set(users["klk"].groups.all())
    for m in Membership.objects.filter(user=users["klk"]):
        Membership.objects.create(user=other, org_unit=m.org_unit, role=m.role)
    return other


@pytest.fixture
def handed_in(tertial, users):  # noqa: F811
    return submitted(tertial, OrgUnit.objects.get(code="UN"), users)


def _url(submission):
    return reverse("review_submission", args=[submission.pk])


def test_a_comment_after_someone_approved_comes_back_with_409_and_the_text(
    client_for, handed_in, colleague
):
    reviewer = client_for("klk")
    assert reviewer.get(_url(handed_in)).status_code == 200
    cycle.submission_approve(submission=handed_in, user=colleague)  # the other reviewer
    text = "Hur följs läsningen upp i årskurs 3?"
    response = reviewer.post(_url(handed_in), {"action": "comment", "text": text})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Det du skrev har inte sparats" in html
    assert "Kommentarer skrivs medan uppföljningen är inlämnad för granskning." in html
    assert f'readonly rows="2">{text}</textarea>' in html
    assert "Publicera</button>" in html  # the page as it stands: approved
    assert not ReviewComment.objects.filter(submission=handed_in).exists()


def test_a_return_after_someone_approved_is_refused_and_the_reason_kept(
    client_for, handed_in, colleague
):
    reviewer = client_for("klk")
    cycle.submission_approve(submission=handed_in, user=colleague)
    reason = "Bedömningen av mål 2 saknar motivering."
    response = reviewer.post(_url(handed_in), {"action": "return", "reason": reason})
    assert response.status_code == 409
    assert [(t.label, t.value) for t in response.context["not_saved"]] == [("Motivering", reason)]
    handed_in.refresh_from_db()
    assert handed_in.state == Submission.State.APPROVED
    assert not SubmissionEvent.objects.filter(
        submission=handed_in, action=SubmissionEvent.Action.RETURN
    ).exists()


def test_an_approval_stopped_by_a_comment_written_meanwhile_keeps_the_reason_in_its_field(
    client_for, handed_in, colleague
):
    reviewer = client_for("klk")
    cycle.comment_add(submission=handed_in, user=colleague, text="Saknas en siffra?")
    response = reviewer.post(_url(handed_in), {"action": "approve", "reason": "Bra."})
    assert response.status_code == 409
    html = response.content.decode()
    assert "1 granskningskommentar är inte löst." in html
    # Still handed in: the reason stays in its own field, marked, not in a panel apart.
    assert 'aria-invalid="true" aria-describedby="motivering_fel">Bra.</textarea>' in html
    assert "Det du skrev har inte sparats" not in html
    handed_in.refresh_from_db()
    assert handed_in.state == Submission.State.SUBMITTED


def test_an_empty_reason_is_still_an_input_error_not_a_conflict(client_for, handed_in):
    response = client_for("klk").post(_url(handed_in), {"action": "return", "reason": ""})
    assert response.status_code == 302  # the page again, with the error beside the field
    page = client_for("klk").get(_url(handed_in))
    assert "Skriv varför uppföljningen skickas tillbaka." in page.content.decode()

"""Two people make conflicting moves on one follow-up at the same moment: one move wins."""

import datetime
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from goals import cycle
from goals.models import OrgUnit, ReportingOccasion, Submission, SubmissionEvent

OPEN_DAY = datetime.date(2026, 5, 10)


def _ready_submission(state):
    """UN's Tertialrapport 1, complete, in the given state."""
    User = get_user_model()
    namnd, klk = User.objects.get(username="namnd"), User.objects.get(username="klk")
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    submission = cycle.submission_get_or_create(
        occasion=occasion, org_unit=OrgUnit.objects.get(code="UN")
    )
    suggestions = cycle.suggestions_for(submission)
    data = cycle.FollowUpInput(
        assessments={
            g.pk: {"level": suggestions[g.pk], "forecast_level": suggestions[g.pk]}
            for g in cycle.goals_for(submission)
        }
    )
    submission = cycle.followup_save(
        submission=submission, user=namnd, base_version=submission.version, data=data
    )
    cycle.submission_submit(submission=submission, user=namnd, today=OPEN_DAY)
    if state == "returned":
        cycle.submission_return(submission=submission, user=klk, reason="Komplettera.")
    submission.refresh_from_db()
    return submission


def _race(monkeypatch, moves):
    """Run the moves in threads that start together; slow down the write to widen the window."""
    original_save = Submission.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Submission, "save", slow_save)
    start = threading.Barrier(len(moves))
    outcome = {}

    def run(name, move):
        try:
            start.wait(timeout=10)
            move()
            outcome[name] = "done"
        except cycle.MoveRefused:
            outcome[name] = "refused"
        except Exception as exc:  # pragma: no cover - shown in the assertion
            outcome[name] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in moves.items()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcome


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approve_at_once_one_move_is_recorded(demo, monkeypatch):
    submission = _ready_submission("submitted")
    User = get_user_model()
    klk = User.objects.get(username="klk")
    second = User.objects.create_user(username="granskare2", password="x-Pass-9876")
    from goals.models import Membership

    Membership.objects.create(user=second, org_unit=OrgUnit.objects.get(code="DK"), role="reviewer")
    events_before = SubmissionEvent.objects.filter(submission=submission).count()
    outcome = _race(
        monkeypatch,
        {
            "klk": lambda: cycle.submission_approve(submission=submission, user=klk),
            "granskare2": lambda: cycle.submission_approve(submission=submission, user=second),
        },
    )
    assert sorted(outcome.values()) == ["done", "refused"], outcome
    assert SubmissionEvent.objects.filter(submission=submission).count() == events_before + 1
    submission.refresh_from_db()
    assert submission.state == Submission.State.APPROVED


@pytest.mark.django_db(transaction=True)
def test_return_and_approve_at_once_end_in_one_move(demo, monkeypatch):
    submission = _ready_submission("submitted")
    klk = get_user_model().objects.get(username="klk")
    outcome = _race(
        monkeypatch,
        {
            "return": lambda: cycle.submission_return(
                submission=submission, user=klk, reason="Nej"
            ),
            "approve": lambda: cycle.submission_approve(submission=submission, user=klk),
        },
    )
    assert sorted(outcome.values()) == ["done", "refused"], outcome
    moves = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("action", flat=True)
    )
    assert moves[:-1] == ["submit"] and moves[-1] in ("return", "approve")


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_submit_hands_in_once(demo, monkeypatch):
    submission = _ready_submission("returned")
    namnd = get_user_model().objects.get(username="namnd")
    outcome = _race(
        monkeypatch,
        {
            n: (lambda: cycle.submission_submit(submission=submission, user=namnd, today=OPEN_DAY))
            for n in ("first", "second")
        },
    )
    assert sorted(outcome.values()) == ["done", "refused"], outcome
    actions = list(
        SubmissionEvent.objects.filter(submission=submission).values_list("action", flat=True)
    )
    assert actions == ["submit", "return", "submit"]

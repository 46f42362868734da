"""Saving a follow-up: the queries do not grow with the rows that stay as they were.

On the deadline day a committee with a hundred indicators saves its follow-up again and again;
each save used to read and check every outcome, assessment and activity row one by one
(hundreds of queries, most of them for rows nobody changed).
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals import cycle
from goals.models import (
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    ReportingOccasion,
)
from goals.tests.test_planning_size import build_committee

pytestmark = pytest.mark.django_db

# Locking and reading the submission, goals, indicators, stored rows and suggestions, the one
# changed row and its history, the submission and its history: whatever the committee's size.
MAX_QUERIES_ONE_CHANGE = 30


def tertial() -> ReportingOccasion:
    return ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")


def everything(committee, *, comment: str) -> cycle.FollowUpInput:
    goals = DirectionGoal.objects.filter(committee=committee)
    return cycle.FollowUpInput(
        analysis="Analys",
        budget_frame_tkr=Decimal("1000"),
        outcome_tkr=Decimal("400"),
        forecast_tkr=Decimal("990"),
        measurements={
            i.pk: (Decimal("55.5"), comment)
            for i in Indicator.objects.filter(direction_goal__in=goals)
        },
        assessments={
            g.pk: {
                "level": Assessment.PARTLY,
                "justification": "Motivering",
                "forecast_level": Assessment.FULFILLED,
                "comment": "",
            }
            for g in goals
        },
    )


def save(submission, user, data) -> tuple:
    with CaptureQueriesContext(connection) as ctx:
        saved = cycle.followup_save(
            submission=submission, user=user, base_version=submission.version, data=data
        )
    return saved, len(ctx.captured_queries)


@pytest.mark.parametrize("size", [(2, 3), (40, 150)], ids=["small", "large"])
def test_a_save_that_changes_one_outcome_takes_a_fixed_number_of_queries(users, size):
    goals, indicators = size
    committee, _unit, _plan = build_committee(
        "STO", goals=goals, indicators=indicators, activities=0
    )
    user = users["namnd"]
    submission = cycle.submission_get_or_create(occasion=tertial(), org_unit=committee)
    submission, _first = save(submission, user, everything(committee, comment="Första"))

    data = everything(committee, comment="Första")
    changed = next(iter(data.measurements))
    data.measurements[changed] = (Decimal("60"), "Ändrad")
    submission, queries = save(submission, user, data)

    assert queries <= MAX_QUERIES_ONE_CHANGE, queries
    row = Measurement.objects.get(indicator_id=changed, occasion=tertial())
    assert (row.value, row.comment) == (Decimal("60"), "Ändrad")
    assert row.history.first().history_user == user
    # Nothing else was written again: one history row for each assessment, from the first save.
    assert all(a.history.count() == 1 for a in GoalAssessment.objects.filter(submission=submission))
    assert submission.version == 3

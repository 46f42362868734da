"""The report's review status says when a committee handed in after the deadline."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from goals import cycle, notices
from goals.models import Assessment, OrgUnit, ReportingOccasion
from reporting import render

pytestmark = pytest.mark.django_db


def _hand_in(occasion, unit, day):
    admin = get_user_model().objects.get(username="admin")
    submission = cycle.submission_get_or_create(occasion=occasion, org_unit=unit)
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
    )
    with notices.suppressed():
        submission = cycle.followup_save(
            submission=submission, user=admin, base_version=submission.version, data=data
        )
        return cycle.submission_submit(submission=submission, user=admin, today=day)


@pytest.mark.parametrize(("days", "words"), [(0, None), (2, "(2 dagar)"), (1, "(1 dag)")])
def test_the_review_status_names_a_late_hand_in(days, words):
    occasion = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    un = OrgUnit.objects.get(code="UN")
    _hand_in(occasion, un, occasion.deadline + datetime.timedelta(days=days))
    data = render.gather(kind="committee", occasion=occasion, org_unit=un)
    section = data["committees"][0]
    assert section["review"]["days_late"] == days
    html = render_to_string(
        "reporting/includes/review.html", {"section": section, "occasion": data["occasion"]}
    )
    if words:
        assert f"inlämnad efter sista dag {words}" in html
    else:
        assert "efter sista dag" not in html

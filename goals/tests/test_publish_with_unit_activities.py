"""Publishing a committee whose units have followed up their activities.

The publication burst of the load test found every such publish answering 500: the frozen
roll-up counted the units' activities by status label (a lazy translation), which JSON
cannot take as a key. The demo's committees published fine because none of their units had
followed up an activity at the occasion.
"""

import pytest
from django.urls import reverse

from goals import cycle
from goals.models import (
    Activity,
    ActivityFollowUp,
    OperationalPlan,
    OrgUnit,
    PublishedFollowUp,
    ReportingOccasion,
    Submission,
)

pytestmark = pytest.mark.django_db


def test_a_committee_whose_units_followed_up_activities_is_published(client_for):
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, name="Tertialrapport 1")
    committee = Submission.objects.get(occasion=tertial, org_unit__code="BN")
    assert committee.state == Submission.State.APPROVED
    plan = OperationalPlan.objects.filter(
        org_unit__in=committee.org_unit.get_descendants().filter(kind=OrgUnit.Kind.UNIT),
        plan_year=tertial.plan_year,
    ).first()
    activity = Activity.objects.filter(plan=plan).first()
    unit = cycle.submission_get_or_create(occasion=tertial, org_unit=plan.org_unit)
    ActivityFollowUp.objects.create(
        submission=unit, activity=activity, status=Activity.Status.ONGOING, comment="Pågår"
    )

    response = client_for("klk").post(
        reverse("review_submission", args=[committee.pk]),
        {"action": "publish", "bekraftat": "1"},
    )

    assert response.status_code == 302
    committee.refresh_from_db()
    assert committee.state == Submission.State.PUBLISHED
    frozen = PublishedFollowUp.objects.get(submission=committee).data
    row = next(r for r in frozen["rollup"] if r["unit"]["code"] == plan.org_unit.code)
    assert row["activity_counts"] == {"Pågående": 1}

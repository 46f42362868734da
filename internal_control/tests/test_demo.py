"""The demo: every committee has an illustrative risk analysis, an adopted plan and results
at the past occasions, some with deviations; the texts say they are examples."""

import pytest

from goals.models import OrgUnit
from internal_control.models import ControlPlan, ControlResult, Risk

pytestmark = pytest.mark.django_db


def test_every_demo_committee_has_risks_an_adopted_plan_and_results():
    committees = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE, code__regex=r"^[A-Z]+$"))
    assert len(committees) == 7
    for committee in committees:
        risks = Risk.objects.filter(committee=committee, plan_year__year=2026)
        assert 6 <= risks.count() <= 10, committee.code
        assert all(r.description.startswith("Exempel:") for r in risks)
        assert all(r.carried_from is not None for r in risks)  # carried from 2025
        plan = ControlPlan.objects.get(committee=committee, plan_year__year=2026)
        assert plan.is_adopted and plan.controls.exists()
        assert ControlResult.objects.filter(
            control__plan=plan, occasion__name="Tertialrapport 1"
        ).exists()
    with_deviation = ControlResult.objects.filter(deviation__isnull=False)
    assert {r.control.plan.committee.code for r in with_deviation} == {"SN", "KFN", "BN"}
    assert all(r.deviation.title.startswith("Exempel:") for r in with_deviation)

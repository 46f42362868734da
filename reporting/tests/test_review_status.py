"""The report's review status says when a committee handed in after the deadline."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from goals import notices
from goals.models import OrgUnit, ReportingOccasion
from goals.tests.test_cycle import submitted
from reporting import render

pytestmark = pytest.mark.django_db


def _hand_in(occasion, unit, day):
    admin = get_user_model().objects.get(username="admin")
    with notices.suppressed():
        return submitted(occasion, unit, {"admin": admin}, who="admin", day=day)


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

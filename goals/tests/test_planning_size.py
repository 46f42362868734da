"""Plan pages at the size of a large committee: a fixed number of queries, usable filters."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import services
from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    Membership,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    StrategicArea,
    Target,
)

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25


def build_committee(code: str, *, goals: int, indicators: int, activities: int):
    """A committee with one unit, its goals, indicators (targets 2026) and activities."""
    municipality = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    committee = services.org_unit_create(
        name=f"Storanämnden {code}", code=code, kind=OrgUnit.Kind.COMMITTEE, parent=municipality
    )
    unit = services.org_unit_create(
        name=f"Storenheten {code}", code=f"{code}-E", kind=OrgUnit.Kind.UNIT, parent=committee
    )
    areas = list(StrategicArea.objects.order_by("number"))
    goal_rows = DirectionGoal.objects.bulk_create(
        DirectionGoal(
            committee=committee,
            strategic_area=areas[i % len(areas)],
            code=f"{code}-M-{i}",
            title=f"Mål {i}",
            valid_from=2025,
            valid_to=2027,
        )
        for i in range(goals)
    )
    owner = get_user_model().objects.get(username="namnd")
    indicator_rows = Indicator.objects.bulk_create(
        Indicator(
            direction_goal=goal_rows[i % goals],
            code=f"{code}-I-{i}",
            name=f"Indikator {i}",
            unit_of_measure="%",
            owner=owner if i % 3 else None,
        )
        for i in range(indicators)
    )
    Target.objects.bulk_create(
        Target(indicator=ind, year=year, value=50 + i % 40)
        for i, ind in enumerate(indicator_rows)
        for year in (2025, 2026, 2027)
    )
    plan = OperationalPlan.objects.create(
        org_unit=unit, plan_year=PlanYear.objects.get(year=2026), basic_mission="Grunduppdrag"
    )
    statuses = [s for s, _label in Activity.Status.choices]
    Activity.objects.bulk_create(
        Activity(
            plan=plan,
            direction_goal=goal_rows[i % goals],
            title=f"Aktivitet {i}",
            responsible="Någon",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2026, 12, 31),
            status=statuses[i % len(statuses)],
        )
        for i in range(activities)
    )
    Membership.objects.create(user=owner, org_unit=committee, role=Membership.Role.EDITOR)
    return committee, unit, plan


def _count(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _pages(committee, unit, plan):
    return [
        (reverse("plan_committee", args=[committee.code]), {"ar": 2026}),
        (reverse("plan_committee", args=[committee.code]), {"ar": 2026, "omrade": 1}),
        (reverse("plan_committee", args=[committee.code]), {"ar": 2026, "utan_ansvarig": 1}),
        (reverse("chain_plan", args=[plan.pk]), {}),
        (reverse("chain_plan", args=[plan.pk]), {"status": "ongoing"}),
        (reverse("plans"), {"ar": 2026}),
        (reverse("plan_activity_create", args=[plan.pk]), {}),
    ]


def test_plan_pages_of_a_large_committee_take_a_fixed_number_of_queries(client_for):
    client = client_for("namnd")
    small = build_committee("SMA", goals=2, indicators=3, activities=4)
    large = build_committee("STO", goals=40, indicators=150, activities=300)
    for (small_url, params), (large_url, _params) in zip(
        _pages(*small), _pages(*large), strict=True
    ):
        small_count = _count(client, small_url, params)
        large_count = _count(client, large_url, params)
        assert large_count == small_count, f"{large_url} {params}: grows with the data"
        assert large_count <= MAX_QUERIES, f"{large_url} {params}: {large_count} queries"


def test_large_committee_plan_page_folds_and_filters(client_for, django_assert_max_num_queries):
    committee, _unit, plan = build_committee("STO", goals=40, indicators=150, activities=300)
    client = client_for("namnd")
    with django_assert_max_num_queries(MAX_QUERIES):
        page = client.get(reverse("plan_committee", args=[committee.code]), {"ar": 2026})
    html = page.content.decode()
    assert html.count('<details class="area-section"') == 5  # one folding section per area
    assert page.context["plan"].goal_count == 40
    assert page.context["plan"].indicator_count == 150
    assert page.context["plan"].ownerless_count == 50
    area_only = client.get(
        reverse("plan_committee", args=[committee.code]), {"ar": 2026, "omrade": 2}
    )
    assert [a.area.number for a in area_only.context["plan"].areas] == [2]
    with django_assert_max_num_queries(MAX_QUERIES):
        plan_page = client.get(reverse("chain_plan", args=[plan.pk]), {"status": "done"})
    shown = [a for s in plan_page.context["sections"] for a in s.activities]
    assert len(shown) == 60 and all(a.status == "done" for a in shown)
    assert plan_page.content.decode().count('<details class="goal-section"') == 40


def test_follow_up_page_of_a_large_committee_takes_a_fixed_number_of_queries(client_for):
    from goals.models import ReportingOccasion

    client = client_for("admin")
    tertial = ReportingOccasion.objects.get(plan_year__year=2026, kind="tertial_report")
    small, _u, _p = build_committee("SMA", goals=2, indicators=3, activities=4)
    large, _u, _p = build_committee("STO", goals=40, indicators=150, activities=300)
    counts = [
        _count(client, reverse("followup_edit", args=[tertial.pk, committee.code]))
        for committee in (small, large)
    ]
    assert counts[0] == counts[1] and counts[1] <= MAX_QUERIES, counts
    review = _count(client, reverse("review"), {"ar": 2026})
    assert review <= MAX_QUERIES

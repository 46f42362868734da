"""Each rule of the chain is refused with a clear Swedish message (or by the database)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    ReportingOccasion,
    StrategicArea,
    Target,
)

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def new_goal(**overrides) -> DirectionGoal:
    values = {
        "committee": OrgUnit.objects.get(code="UN"),
        "strategic_area": StrategicArea.objects.get(number=1),
        "code": "UN-HK-9",
        "title": "Ett nytt mål",
        "valid_from": 2025,
        "valid_to": 2027,
    }
    values.update(overrides)
    return DirectionGoal(**values)


def test_direction_goal_must_belong_to_a_committee():
    goal = new_goal(committee=OrgUnit.objects.get(code="UF-ENS"))
    assert errors_of(goal)["committee"] == [
        "Ett inriktningsmål hör till en nämnd; Enebybergs skola är inte en nämnd."
    ]


def test_direction_goal_years_in_order():
    assert "valid_to" in errors_of(new_goal(valid_from=2027, valid_to=2025))
    with pytest.raises(IntegrityError), transaction.atomic():
        new_goal(valid_from=2027, valid_to=2025).save()


def test_direction_goal_code_format():
    assert "code" in errors_of(new_goal(code="un hk 1"))


def test_activity_goal_must_come_from_the_committee_above_the_unit():
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__is_current=True)
    foreign_goal = DirectionGoal.objects.get(code="SN-HK-1")
    activity = Activity(plan=plan, direction_goal=foreign_goal, title="Fel mål")
    assert errors_of(activity)["direction_goal"] == [
        "Aktiviteten måste tjäna ett inriktningsmål från Utbildningsnämnden, "
        "den nämnd som enheten hör till."
    ]
    activity.direction_goal = DirectionGoal.objects.get(code="UN-HK-1")
    activity.full_clean()


def test_activity_needs_a_direction_goal():
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__is_current=True)
    assert "direction_goal" in errors_of(Activity(plan=plan, title="Fristående"))


def test_activity_dates_in_order():
    plan = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__is_current=True)
    activity = Activity(
        plan=plan,
        direction_goal=DirectionGoal.objects.get(code="UN-HK-1"),
        title="Baklänges",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 4, 1),
    )
    assert errors_of(activity)["ends_on"] == ["Slutdatum kan inte ligga före startdatum."]
    with pytest.raises(IntegrityError), transaction.atomic():
        activity.save()


def test_target_year_inside_goal_years():
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    target = Target(indicator=indicator, year=2030, value=Decimal("95"))
    assert errors_of(target)["year"] == ["Året 2030 ligger utanför inriktningsmålets år 2023–2026."]


def test_one_target_per_indicator_and_year():
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    duplicate = Target(indicator=indicator, year=2026, value=Decimal("1"))
    assert "Indikatorn har redan ett målvärde för det året." in str(errors_of(duplicate))
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_kolada_id_is_a_letter_and_five_digits():
    indicator = Indicator.objects.get(code="UN-HK-1-1")
    indicator.kolada_kpi = "N0094"
    assert "kolada_kpi" in errors_of(indicator)
    indicator.kolada_kpi = "N00945"
    indicator.full_clean()


def test_only_one_current_plan_year():
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanYear.objects.create(year=2027, is_current=True)


def test_occasion_cannot_open_after_its_deadline():
    year = PlanYear.objects.get(is_current=True)
    occasion = ReportingOccasion(
        plan_year=year,
        kind=ReportingOccasion.Kind.TERTIAL_REPORT,
        name="Tertialrapport 2",
        period_end=datetime.date(2026, 8, 31),
        opens_on=datetime.date(2026, 9, 30),
        deadline=datetime.date(2026, 9, 1),
    )
    assert "deadline" in errors_of(occasion)
    with pytest.raises(IntegrityError), transaction.atomic():
        occasion.save()


def test_plan_only_for_a_unit_under_a_committee():
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    plan = OperationalPlan(org_unit=root, plan_year=PlanYear.objects.get(is_current=True))
    assert "org_unit" in errors_of(plan)


def test_one_plan_per_unit_and_year():
    existing = OperationalPlan.objects.get(org_unit__code="UF-ENS", plan_year__is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        OperationalPlan.objects.create(org_unit=existing.org_unit, plan_year=existing.plan_year)


def test_org_unit_kind_rules():
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    school = OrgUnit.objects.get(code="UF-ENS")
    committee_under_school = OrgUnit(name="X", code="X", kind="committee", parent=school)
    assert errors_of(committee_under_school)["parent"] == ["En nämnd ligger direkt under kommunen."]
    orphan = OrgUnit(name="Y", code="Y", kind="unit", parent=None)
    assert "parent" in errors_of(orphan)
    second_root = OrgUnit(name="Z", code="Z", kind="municipality", parent=root)
    assert "parent" in errors_of(second_root)


def test_changes_leave_history_with_who_and_what():
    goal = DirectionGoal.objects.get(code="UN-HK-1")
    before = goal.history.count()
    goal.title = "Nytt lydelse"
    goal.save()
    latest = goal.history.first()
    assert goal.history.count() == before + 1
    assert latest.title == "Nytt lydelse" and latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [c.field for c in delta.changes] == ["title"]

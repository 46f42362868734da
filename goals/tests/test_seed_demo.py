"""seed_demo: the illustrative Danderyd, idempotent, and --reset reloads the same."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

from goals.models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
    Membership,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    PlanYear,
    ReportingOccasion,
    StrategicArea,
    Strategy,
    Target,
    Vision,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Vision,
    StrategicArea,
    OverarchingGoal,
    Strategy,
    OrgUnit,
    Membership,
    PlanYear,
    ReportingOccasion,
    DirectionGoal,
    Indicator,
    Target,
    Measurement,
    OperationalPlan,
    Activity,
]


def snapshot(with_ids: bool) -> dict:
    """Every row of the chain; by natural content when ids may change (after a reset)."""
    data = {}
    for model in MODELS:
        rows = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key and not with_ids:
                    continue
                if field.is_relation and not with_ids:
                    row[field.name] = str(getattr(obj, field.name))
                elif field.name not in {"lft", "rght", "tree_id", "level"} or with_ids:
                    row[field.name] = getattr(obj, field.attname)
            for m2m in model._meta.many_to_many:
                row[m2m.name] = sorted(str(o) for o in getattr(obj, m2m.name).all())
            rows.append(repr(sorted(row.items())))
        data[model.__name__] = sorted(rows)
    return data


def history_count() -> int:
    return sum(m.history.count() for m in (DirectionGoal, Indicator, Target, Measurement, Activity))


def test_seed_demo_twice_changes_nothing():
    before, history_before = snapshot(with_ids=True), history_count()
    call_command("seed_demo")
    assert snapshot(with_ids=True) == before
    assert history_count() == history_before


def test_reset_reloads_the_same_content():
    before = snapshot(with_ids=False)
    DirectionGoal.objects.filter(code="UN-HK-1").update(title="Ändrad titel")
    call_command("seed_demo", "--reset")
    assert snapshot(with_ids=False) == before


def test_seed_demo_restores_a_changed_text():
    DirectionGoal.objects.filter(code="UN-HK-1").update(title="Ändrad titel")
    call_command("seed_demo")
    assert DirectionGoal.objects.get(code="UN-HK-1").title.startswith("Alla barn och elever")


def test_if_empty_leaves_existing_data_alone():
    DirectionGoal.objects.filter(code="UN-HK-1").update(title="Egen text")
    call_command("seed_demo", "--if-empty")
    assert DirectionGoal.objects.get(code="UN-HK-1").title == "Egen text"


def test_demo_organisation():
    committees = set(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).values_list("name", flat=True)
    )
    assert committees == {
        "Kommunstyrelsen",
        "Utbildningsnämnden",
        "Socialnämnden",
        "Kultur- och fritidsnämnden",
        "Miljö- och hälsoskyddsnämnden",
        "Byggnadsnämnden",
        "Fastighetsnämnden",
    }
    root = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    assert root.name == "Danderyds kommun" and root.kolada_id == "0162"
    units = OrgUnit.objects.filter(kind=OrgUnit.Kind.UNIT)
    assert 20 <= units.count() <= 30
    assert units.filter(own_operation=True).count() >= 10
    assert OrgUnit.objects.get(code="KLK").parent.name == "Kommunstyrelsen"
    for committee in OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE):
        assert committee.get_children().filter(kind=OrgUnit.Kind.ADMINISTRATION).exists()


def test_current_year_with_default_occasions():
    current = PlanYear.objects.get(is_current=True)
    occasions = list(current.reporting_occasions.order_by("period_end"))
    assert [(o.name, o.period_end) for o in occasions] == [
        ("Verksamhetsplan", datetime.date(current.year, 1, 1)),
        ("Tertialrapport 1", datetime.date(current.year, 4, 30)),
        ("Delårsrapport", datetime.date(current.year, 8, 31)),
        ("Verksamhetsberättelse", datetime.date(current.year, 12, 31)),
    ]
    assert all(o.opens_on <= o.deadline for o in occasions)


def test_every_committee_has_goals_with_indicators_and_three_earlier_years():
    current = PlanYear.objects.get(is_current=True).year
    for committee in OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE):
        goals = DirectionGoal.objects.filter(committee=committee)
        assert goals.exists(), committee
        assert Indicator.objects.filter(direction_goal__committee=committee).exists()
    for indicator in Indicator.objects.all():
        assert indicator.targets.filter(year=current).exists()
        years = set(
            indicator.measurements.filter(
                occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT
            ).values_list("occasion__plan_year__year", flat=True)
        )
        assert {current - 3, current - 2, current - 1} <= years, indicator


def test_unit_plans_with_activities_serving_their_committee():
    current = PlanYear.objects.get(is_current=True)
    plans = OperationalPlan.objects.filter(plan_year=current)
    assert plans.count() >= 8
    for activity in Activity.objects.select_related("plan__org_unit", "direction_goal"):
        assert activity.direction_goal.committee == activity.plan.org_unit.committee


def test_demo_users_log_in_with_demo_password():
    for name in ["admin", "klk", "namnd", "enhet", "politiker"]:
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=name, password="demo") is not None, name
    roles = {
        (m.user.username, m.org_unit.code, m.role)
        for m in Membership.objects.select_related("user", "org_unit")
    }
    assert {
        ("admin", "DK", "admin"),
        ("klk", "DK", "reviewer"),
        ("namnd", "UN", "editor"),
        ("enhet", "UF-ENS", "editor"),
        ("politiker", "DK", "reader"),
    } <= roles


def test_demo_shows_a_year_in_motion_without_sending_mail(django_capture_on_commit_callbacks):
    from django.core import mail

    from goals.models import Submission

    states = dict(
        Submission.objects.filter(
            occasion__plan_year__year=2026, occasion__name="Tertialrapport 1"
        ).values_list("org_unit__code", "state")
    )
    assert states["KS"] == "published" and states["FN"] == "submitted"
    assert "UN" not in states  # left for the namnd persona
    assert Submission.objects.filter(occasion__plan_year__year=2025, state="published").count() == 7
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("seed_demo", "--reset")
    assert Submission.objects.filter(state="published").count() >= 10
    assert mail.outbox == [] and callbacks == []  # the demo's moves notify no one

"""Loads the seed's steering chain and the illustrative Danderyd demo, idempotently."""

import datetime
import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import (
    Activity,
    ActivityFollowUp,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    Membership,
    Notice,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    PlanYear,
    Priority,
    ReferenceValue,
    ReportingOccasion,
    ReviewComment,
    StrategicArea,
    Strategy,
    Submission,
    SubmissionEvent,
    Target,
    Vision,
)
from .services import org_tree_lock, org_unit_save, plan_year_ensure_occasions

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
CHAIN_FILE = FIXTURES / "steering_chain.json"
DEMO_FILE = FIXTURES / "demo_danderyd.json"
DEMO_PASSWORD = "demo"

# Child rows first, so that PROTECT never stops a reset.
RESET_ORDER = [
    Notice,
    SubmissionEvent,
    ReviewComment,
    Priority,
    ActivityFollowUp,
    GoalAssessment,
    Submission,
    Activity,
    OperationalPlan,
    ReferenceValue,
    Measurement,
    Target,
    Indicator,
    DirectionGoal,
    ReportingOccasion,
    PlanYear,
    Membership,
    StrategicArea,
    OverarchingGoal,
    Strategy,
    Vision,
]


def _load(path: Path) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def upsert(model, lookup: dict, values: dict, m2m: dict | None = None):
    """Create or update one row; save only what differs, so a rerun leaves no history."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.full_clean()
            obj.save(update_fields=changed)
    for name, related in (m2m or {}).items():
        manager = getattr(obj, name)
        if {r.pk for r in manager.all()} != {r.pk for r in related}:
            manager.set(related)
    return obj


def load_steering_chain() -> Vision:
    data = _load(CHAIN_FILE)
    vision = Vision.objects.order_by("pk").first()
    vision = upsert(
        Vision,
        {"pk": vision.pk} if vision else {},
        {
            "statement": data["vision"]["statement"],
            "elaboration": data["vision"]["elaboration"],
        },
    )
    goals = {
        g["number"]: upsert(
            OverarchingGoal,
            {"number": g["number"]},
            {"text": g["text"], "decided_year": g["decided_year"]},
        )
        for g in data["overarching_goals"]
    }
    strategies = {
        s["number"]: upsert(
            Strategy, {"number": s["number"]}, {"text": s["text"], "category": s["category"]}
        )
        for s in data["strategies"]
    }
    for area in data["strategic_areas"]:
        upsert(
            StrategicArea,
            {"number": area["number"]},
            {
                "vision": vision,
                "name": area["name"],
                "description": area["description"],
                "vision_excerpt": area["vision_excerpt"],
            },
            m2m={
                "overarching_goals": [goals[n] for n in area["overarching_goals"]],
                "strategies": [strategies[n] for n in area["strategies"]],
            },
        )
    return vision


def _load_org_units(rows: list[dict], kolada_id: str) -> dict[str, OrgUnit]:
    units: dict[str, OrgUnit] = {}
    for row in rows:
        parent = units.get(row["parent"]) if row["parent"] else None
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "own_operation": row["own_operation"],
            "kolada_id": kolada_id if row["kind"] == OrgUnit.Kind.MUNICIPALITY else "",
        }
        unit = OrgUnit.objects.filter(code=row["code"]).first() or OrgUnit(code=row["code"])
        differs = unit.pk is None or unit.parent_id != (parent.pk if parent else None)
        differs = differs or any(getattr(unit, k) != v for k, v in values.items())
        if differs:
            for key, value in values.items():
                setattr(unit, key, value)
            unit.parent = parent
            unit = org_unit_save(org_unit=unit)
        units[row["code"]] = unit
    # Later inserts shifted the tree fields of earlier rows: hand out fresh copies.
    return {u.code: u for u in OrgUnit.objects.filter(code__in=units)}


def _load_users(rows: list[dict], units: dict[str, OrgUnit]) -> dict:
    User = get_user_model()
    users = {}
    for row in rows:
        superuser = row.get("superuser", False)
        user = User.objects.filter(username=row["username"]).first()
        if user is None:
            user = User(username=row["username"])
            user.set_password(DEMO_PASSWORD)
        values = {
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "email": f"{row['username']}@example.invalid",
            "is_staff": superuser,
            "is_superuser": superuser,
            "is_active": True,
        }
        if user.pk is None or any(getattr(user, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(user, key, value)
            user.save()
        for code, role in row["memberships"]:
            Membership.objects.get_or_create(user=user, org_unit=units[code], role=role)
        users[row["username"]] = user
    return users


def load_goals_demo() -> None:
    """The seed's chain plus the illustrative organisation, goals, plans and users.

    demo.loader.load_demo runs it with the other apps' demos and the follow-ups
    (load_followups) in one transaction."""
    with transaction.atomic():
        load_steering_chain()
        data = _load(DEMO_FILE)
        with org_tree_lock():
            units = _load_org_units(data["org_units"], data["municipality_kolada_id"])
        users = _load_users(data["users"], units)
        years = {}
        for row in data["plan_years"]:
            year = upsert(
                PlanYear,
                {"year": row["year"]},
                {"phase": row["phase"], "is_current": False},
            )
            plan_year_ensure_occasions(plan_year=year)
            years[row["year"]] = year
        current = next(r["year"] for r in data["plan_years"] if r["is_current"])
        PlanYear.objects.exclude(year=current).filter(is_current=True).update(is_current=False)
        upsert(PlanYear, {"year": current}, {"is_current": True})
        occasions = {
            (o.plan_year.year, o.name): o
            for o in ReportingOccasion.objects.select_related("plan_year")
        }
        areas = {a.number: a for a in StrategicArea.objects.all()}
        overarching = {g.number: g for g in OverarchingGoal.objects.all()}
        strategies = {s.number: s for s in Strategy.objects.all()}
        valid_from, valid_to = data["goal_years"]
        goals = {}
        for row in data["direction_goals"]:
            goal = upsert(
                DirectionGoal,
                {"code": row["code"]},
                {
                    "committee": units[row["committee"]],
                    "strategic_area": areas[row["area"]],
                    "title": row["title"],
                    "description": row["description"],
                    "valid_from": valid_from,
                    "valid_to": valid_to,
                    "archived": False,
                },
                m2m={
                    "overarching_goals": [overarching[n] for n in row["overarching_goals"]],
                    "strategies": [strategies[n] for n in row["strategies"]],
                },
            )
            goals[row["code"]] = goal
            for ind in row["indicators"]:
                _load_indicator(goal, ind, users, occasions)
        for row in data["operational_plans"]:
            plan = upsert(
                OperationalPlan,
                {"org_unit": units[row["org_unit"]], "plan_year": years[row["year"]]},
                {"basic_mission": row["basic_mission"]},
            )
            for act in row["activities"]:
                upsert(
                    Activity,
                    {"plan": plan, "title": act["title"]},
                    {
                        "direction_goal": goals[act["direction_goal"]],
                        "description": act["description"],
                        "responsible": act["responsible"],
                        "starts_on": datetime.date.fromisoformat(act["starts_on"]),
                        "ends_on": datetime.date.fromisoformat(act["ends_on"]),
                        "status": act["status"],
                    },
                )


# Illustrative review states, so that /granskning/ shows a year in motion. Utbildningsnämnden's
# Tertialrapport 1 2026 is left for the `namnd` persona to write.
DEMO_FOLLOWUPS = [
    (2026, "Verksamhetsplan", ["KS", "UN", "SN", "KFN", "MHN", "BN", "FN"], "published"),
    (2025, "Verksamhetsberättelse", ["KS", "UN", "SN", "KFN", "MHN", "BN", "FN"], "published"),
    (2026, "Tertialrapport 1", ["KS", "SN", "KFN"], "published"),
    (2026, "Tertialrapport 1", ["MHN", "BN"], "approved"),
    (2026, "Tertialrapport 1", ["FN"], "submitted"),
    (2026, "Delårsrapport", ["SN"], "submitted"),
]


def load_followups() -> None:
    """Hand in, approve and publish the illustrative follow-ups through the cycle's moves."""
    from . import cycle, notices

    with notices.suppressed():
        _hand_in_followups(cycle)


def _hand_in_followups(cycle) -> None:
    from . import selectors

    User = get_user_model()
    writer = User.objects.get(username="admin")
    reviewer = User.objects.get(username="klk")
    for year, name, codes, state in DEMO_FOLLOWUPS:
        occasion = ReportingOccasion.objects.get(plan_year__year=year, name=name)
        for code in codes:
            unit = OrgUnit.objects.get(code=code)
            if Submission.objects.filter(occasion=occasion, org_unit=unit).exists():
                continue
            submission = cycle.submission_get_or_create(occasion=occasion, org_unit=unit)
            suggestions = selectors.suggestions_for(submission)
            economy = _demo_economy(unit, occasion)
            data = cycle.FollowUpInput(
                **{"analysis": "Exempeltext i demodata.", **economy},
                assessments={
                    g.pk: {
                        "level": suggestions.get(g.pk, "not_assessed"),
                        "forecast_level": suggestions.get(g.pk, "not_assessed"),
                        "justification": "",
                        "comment": "",
                    }
                    for g in selectors.goals_for(submission)
                },
            )
            submission = cycle.followup_save(
                submission=submission, user=writer, base_version=submission.version, data=data
            )
            submission = cycle.submission_submit(
                submission=submission, user=writer, today=occasion.opens_on
            )
            if state in ("approved", "published"):
                submission = cycle.submission_approve(submission=submission, user=reviewer)
            if state == "published":
                cycle.submission_publish(submission=submission, user=reviewer)


# The seed has no figures: the demo's economy is invented, and its texts say so.
DEMO_ECONOMY_NOTE = " Siffrorna under Ekonomi är påhittade, inte Danderyds."
DEMO_EVENTS = (
    "Exempeltext i demodata: här beskriver nämnden eller enheten periodens viktigaste "
    "händelser som löpande text."
)
# Forecast over (+) or under (−) the net budget, per committee in turn: some show a deficit.
DEMO_DRIFT = ["0.012", "-0.006", "0", "0.004", "-0.010", "-0.003", "0.008"]


def _demo_economy(unit, occasion) -> dict:
    """Illustrative figures in tkr for a committee's follow-up (nothing for a unit)."""
    if unit.kind != OrgUnit.Kind.COMMITTEE:
        return {"more": {"important_events": DEMO_EVENTS}}
    index = sum(map(ord, unit.code)) % len(DEMO_DRIFT)
    # A forecast that moves a little between the occasions of the year.
    drift = Decimal(DEMO_DRIFT[index]) + Decimal(occasion.period_end.month - 4) / 1000
    net = Decimal(120_000 + 55_000 * index)
    revenue = (net * Decimal("0.2")).quantize(Decimal(1))
    share = Decimal(occasion.period_end.month) / 12
    forecast = (net * (1 + drift)).quantize(Decimal(1))
    revenue_forecast = (revenue * (1 + drift / 2)).quantize(Decimal(1))
    outcome = (forecast * share).quantize(Decimal(1))
    revenue_outcome = (revenue_forecast * share).quantize(Decimal(1))
    investment = Decimal(8_000 + 3_500 * index)
    return {
        "analysis": "Exempeltext i demodata." + DEMO_ECONOMY_NOTE,
        "budget_frame_tkr": net,
        "outcome_tkr": outcome,
        "forecast_tkr": forecast,
        "more": {
            "revenue_budget_tkr": revenue,
            "revenue_outcome_tkr": revenue_outcome,
            "revenue_forecast_tkr": revenue_forecast,
            "cost_budget_tkr": net + revenue,
            "cost_outcome_tkr": outcome + revenue_outcome,
            "cost_forecast_tkr": forecast + revenue_forecast,
            "investment_budget_tkr": investment,
            "investment_outcome_tkr": (investment * share * Decimal("0.8")).quantize(Decimal(1)),
            "investment_forecast_tkr": (investment * Decimal("0.9")).quantize(Decimal(1)),
            "important_events": DEMO_EVENTS,
            "action_plan": (
                "Exempeltext i demodata: nämnden ser över bemanning och inköp för att nå en "
                "budget i balans vid årets slut."
                if drift > 0
                else ""
            ),
        },
    }


def _load_indicator(goal, row, users, occasions) -> None:
    indicator = upsert(
        Indicator,
        {"code": row["code"]},
        {
            "direction_goal": goal,
            "name": row["name"],
            "unit_of_measure": row["unit_of_measure"],
            "higher_is_better": row["higher_is_better"],
            "baseline_year": row["baseline_year"],
            "baseline_value": _decimal(row["baseline_value"]),
            "source": row["source"],
            "owner": users.get(row["owner"]) if row["owner"] else None,
        },
    )
    for year, value in row["targets"].items():
        upsert(Target, {"indicator": indicator, "year": int(year)}, {"value": _decimal(value)})
    outcomes = [
        ((int(year), ReportingOccasion.Kind.ANNUAL_REPORT.label), value)
        for year, value in row["outcomes"].items()
    ]
    outcomes += [((2026, name), value) for name, value in row["interim_2026"].items()]
    for key, value in outcomes:
        upsert(
            Measurement,
            {"indicator": indicator, "occasion": occasions[key]},
            {"value": _decimal(value), "source": Measurement.Source.MANUAL},
        )


def reset_goals_demo() -> None:
    """Wipe every row of the chain, the organisation, the demo users and all history
    (after the apps built on them: demo.loader.reset_demo)."""
    with transaction.atomic():
        for model in RESET_ORDER:
            history = getattr(model, "history", None)
            model.objects.all().delete()
            if history is not None:
                history.model.objects.all().delete()
        for through in (
            DirectionGoal.overarching_goals.through,
            DirectionGoal.strategies.through,
        ):
            through.objects.all().delete()
        for name in ("overarching_goals", "strategies"):
            m2m_history = getattr(DirectionGoal, f"historical_{name}", None)
            if m2m_history is not None:
                m2m_history.objects.all().delete()
        with org_tree_lock():
            for level in sorted(set(OrgUnit.objects.values_list("level", flat=True)), reverse=True):
                OrgUnit.objects.filter(level=level).delete()
        usernames = [u["username"] for u in _load(DEMO_FILE)["users"]]
        get_user_model().objects.filter(username__in=usernames).delete()

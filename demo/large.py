"""A large synthetic municipality for benchmarks and scale tests, written with bulk inserts.

`load_large()` grows the Danderyd demo (load it first: `demo.loader.load_demo()`) by committees,
units, direction goals, indicators with targets and outcomes, unit plans with activities and
the follow-up of every reporting occasion that has opened. Everything is invented. Bulk
inserts skip django-simple-history, which is intended: synthetic rows have no past.

Codes start with "ST-" so the rows never collide with the demo's.
"""

import datetime
import sys
import time
from decimal import Decimal
from itertools import cycle as round_robin

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from goals.demo import DEMO_PASSWORD
from goals.models import (
    Activity,
    ActivityFollowUp,
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    Membership,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    ReportingOccasion,
    StrategicArea,
    Submission,
    SubmissionEvent,
    Target,
)
from goals.services import org_tree_rebuild, plan_year_ensure_occasions
from internal_control.demo import load_internal_control_large

PREFIX = "ST"
BATCH = 2000
LARGE_USERS = {
    "stor-namnd": ("Stina", "Nord", "editor"),
    "stor-enhet": ("Erik", "Stål", "editor"),
    "stor-klk": ("Klara", "Lund", "reviewer"),
}
ASSESSMENT_LEVELS = [
    Assessment.FULFILLED,
    Assessment.PARTLY,
    Assessment.FULFILLED,
    Assessment.NOT_FULFILLED,
]
ACTIVITY_STATUSES = [
    Activity.Status.DONE,
    Activity.Status.ONGOING,
    Activity.Status.ONGOING,
    Activity.Status.NOT_STARTED,
    Activity.Status.POSTPONED,
]
# The current year's open occasion: states in turn, so /granskning/ has every kind of row.
CURRENT_STATES = [
    Submission.State.DRAFT,
    Submission.State.SUBMITTED,
    Submission.State.RETURNED,
    Submission.State.APPROVED,
    Submission.State.SUBMITTED,
]


def committee_code(n: int) -> str:
    return f"{PREFIX}-N{n:02d}"


def _spread(total: int, buckets: int) -> list[int]:
    """`total` split over `buckets` as evenly as possible (the first ones get the rest)."""
    base, rest = divmod(total, buckets)
    return [base + (1 if i < rest else 0) for i in range(buckets)]


def _bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def load_large(
    *,
    committees=30,
    units=1000,
    direction_goals=600,
    indicators=3000,
    activities=20000,
    years=5,
    stdout=None,
    today=None,
) -> dict:
    """Add a large municipality below the demo's; returns what was created and the seconds.

    Idempotent in the simple way: when the first large committee exists nothing is written.
    """
    out = stdout or sys.stdout
    started = time.monotonic()
    if not OrgUnit.objects.filter(kind=OrgUnit.Kind.MUNICIPALITY).exists():
        raise RuntimeError("Läs in demodata först (demo.loader.load_demo).")
    if OrgUnit.objects.filter(code=committee_code(1)).exists():
        out.write("Den stora kommunen finns redan; inget lästes in.\n")
        return {"skipped": True, "seconds": round(time.monotonic() - started, 1)}
    if min(committees, units, direction_goals, indicators, activities, years) < 1:
        raise ValueError("Every size must be at least 1.")
    if units < committees or direction_goals < committees:
        raise ValueError("Every committee needs at least one unit and one goal.")
    today = today or timezone.localdate()
    counts: dict = {}

    def step(name, rows):
        counts[name] = counts.get(name, 0) + len(rows)
        return rows

    with transaction.atomic():
        municipality = OrgUnit.objects.filter(kind=OrgUnit.Kind.MUNICIPALITY).order_by("pk")[0]
        plan_years = _ensure_years(years)
        first_year, last_year = plan_years[0].year, plan_years[-1].year

        # --- organisation: committees, one administration each, units below ---------------
        tree = {"lft": 0, "rght": 0, "tree_id": municipality.tree_id, "level": 0}
        committee_rows = step(
            "committees",
            _bulk(
                OrgUnit,
                [
                    OrgUnit(
                        parent=municipality,
                        code=committee_code(c),
                        name=f"Storstadens nämnd {c:02d}",
                        kind=OrgUnit.Kind.COMMITTEE,
                        **tree,
                    )
                    for c in range(1, committees + 1)
                ],
            ),
        )
        administrations = _bulk(
            OrgUnit,
            [
                OrgUnit(
                    parent=committee,
                    code=f"{committee.code}-F",
                    name=f"Förvaltningen för nämnd {c:02d}",
                    kind=OrgUnit.Kind.ADMINISTRATION,
                    **tree,
                )
                for c, committee in enumerate(committee_rows, start=1)
            ],
        )
        unit_rows = []
        for c, (committee, administration, count) in enumerate(
            zip(committee_rows, administrations, _spread(units, committees), strict=True),
            start=1,
        ):
            for u in range(1, count + 1):
                unit = OrgUnit(
                    parent=administration,
                    code=f"{committee.code}-E{u:03d}",
                    name=f"Enhet {u:03d} i nämnd {c:02d}",
                    kind=OrgUnit.Kind.UNIT,
                    own_operation=u % 3 != 0,
                    **tree,
                )
                unit._committee = committee
                unit_rows.append(unit)
        created_units = step("units", _bulk(OrgUnit, unit_rows))
        for unit, row in zip(created_units, unit_rows, strict=True):
            unit._committee = row._committee
        org_tree_rebuild()
        out.write(f"  organisation: {time.monotonic() - started:.1f} s\n")

        # --- direction goals with their areas, indicators, targets ------------------------
        areas = list(StrategicArea.objects.prefetch_related("overarching_goals", "strategies"))
        goal_rows = []
        goals_of: dict[int, list[DirectionGoal]] = {}
        for committee, count in zip(
            committee_rows, _spread(direction_goals, committees), strict=True
        ):
            for g in range(1, count + 1):
                area = areas[(g - 1) % len(areas)]
                goal = DirectionGoal(
                    committee=committee,
                    strategic_area=area,
                    code=f"{committee.code}-M{g:02d}",
                    title=f"{area.name}: inriktningsmål {g} för {committee.name}",
                    description="Syntetiskt inriktningsmål för prestandamätning.",
                    valid_from=first_year,
                    valid_to=last_year,
                )
                goal._area = area
                goal_rows.append(goal)
        created_goals = step("direction_goals", _bulk(DirectionGoal, goal_rows))
        og_through = DirectionGoal.overarching_goals.through
        st_through = DirectionGoal.strategies.through
        og_links, st_links = [], []
        for goal, row in zip(created_goals, goal_rows, strict=True):
            goals_of.setdefault(goal.committee_id, []).append(goal)
            overarching = list(row._area.overarching_goals.all())
            strategies = list(row._area.strategies.all())
            if overarching:
                og_links.append(
                    og_through(
                        directiongoal_id=goal.pk,
                        overarchinggoal_id=overarching[goal.pk % len(overarching)].pk,
                    )
                )
            if strategies:
                st_links.append(
                    st_through(
                        directiongoal_id=goal.pk,
                        strategy_id=strategies[goal.pk % len(strategies)].pk,
                    )
                )
        _bulk(og_through, og_links)
        _bulk(st_through, st_links)

        indicator_rows = []
        for goal, count in zip(created_goals, _spread(indicators, len(created_goals)), strict=True):
            for i in range(1, count + 1):
                higher = i % 4 != 0
                indicator_rows.append(
                    Indicator(
                        direction_goal=goal,
                        code=f"{goal.code}-I{i}",
                        name=f"Indikator {i} för {goal.code}",
                        unit_of_measure="%",
                        higher_is_better=higher,
                        baseline_year=first_year - 1,
                        baseline_value=Decimal(50 + (goal.pk + i) % 30),
                        source="Syntetisk",
                    )
                )
        created_indicators = step("indicators", _bulk(Indicator, indicator_rows))
        step(
            "targets",
            _bulk(
                Target,
                [
                    Target(
                        indicator=indicator,
                        year=year.year,
                        value=_target(indicator, year.year - first_year),
                    )
                    for indicator in created_indicators
                    for year in plan_years
                ],
            ),
        )
        out.write(f"  mål och indikatorer: {time.monotonic() - started:.1f} s\n")

        # --- occasions: outcomes of every occasion that has opened -------------------------
        occasions = list(
            ReportingOccasion.objects.filter(plan_year__in=plan_years, opens_on__lte=today)
            .select_related("plan_year")
            .order_by("period_end")
        )
        follow_up_occasions = [o for o in occasions if o.is_follow_up]
        measurements = []
        for occasion in follow_up_occasions:
            step_in_year = occasion.plan_year.year - first_year
            for indicator in created_indicators:
                measurements.append(
                    Measurement(
                        indicator=indicator,
                        occasion=occasion,
                        value=_outcome(indicator, step_in_year, occasion.period_end.month),
                        source=Measurement.Source.MANUAL,
                    )
                )
            if len(measurements) >= 20 * BATCH:
                step("measurements", _bulk(Measurement, measurements))
                measurements = []
        step("measurements", _bulk(Measurement, measurements))

        # --- unit plans and activities -----------------------------------------------------
        plan_rows = [
            OperationalPlan(
                org_unit=unit,
                plan_year=year,
                basic_mission=f"Grunduppdrag för {unit.name}.",
            )
            for year in plan_years
            for unit in created_units
        ]
        # With history, as a plan made on its page has: the plan page shows its creation.
        created_plans = step(
            "operational_plans",
            bulk_create_with_history(plan_rows, OperationalPlan, batch_size=BATCH),
        )
        unit_committee = {u.pk: u._committee for u in created_units}
        goal_cycles = {cid: round_robin(goals) for cid, goals in goals_of.items()}
        activity_rows = []
        activities_of_plan: dict[int, list[Activity]] = {}
        for plan, count in zip(created_plans, _spread(activities, len(created_plans)), strict=True):
            committee = unit_committee[plan.org_unit_id]
            year = plan.plan_year.year
            for a in range(1, count + 1):
                activity = Activity(
                    plan=plan,
                    direction_goal=next(goal_cycles[committee.pk]),
                    title=f"Aktivitet {a} {year} för {plan.org_unit.code}",
                    responsible="Enhetschef",
                    starts_on=datetime.date(year, 1 + (a % 6), 1),
                    ends_on=datetime.date(year, 12, 15),
                    status=(
                        ACTIVITY_STATUSES[(plan.pk + a) % len(ACTIVITY_STATUSES)]
                        if year == last_year
                        else Activity.Status.DONE
                    ),
                )
                activity_rows.append(activity)
        created_activities = step("activities", _bulk(Activity, activity_rows))
        for activity in created_activities:
            activities_of_plan.setdefault(activity.plan_id, []).append(activity)
        out.write(f"  planer och aktiviteter: {time.monotonic() - started:.1f} s\n")

        # --- submissions, their events, assessments and activity follow-ups ---------------
        users = _ensure_users(committee_rows[0], created_units[0], municipality)
        writer, reviewer = users["stor-namnd"], users["stor-klk"]
        plan_of = {(p.org_unit_id, p.plan_year_id): p for p in created_plans}
        open_now = [o for o in occasions if o.is_open(today) and o.plan_year.year == last_year]
        current_occasion = open_now[-1] if open_now else None
        reporters = list(committee_rows) + list(created_units)
        submissions = []
        for occasion in occasions:
            for n, unit in enumerate(reporters):
                if occasion == current_occasion:
                    state = CURRENT_STATES[n % len(CURRENT_STATES)]
                elif occasion.plan_year.year < last_year or occasion.deadline < today:
                    state = Submission.State.PUBLISHED
                else:
                    state = Submission.State.SUBMITTED
                submissions.append(
                    Submission(
                        occasion=occasion,
                        org_unit=unit,
                        state=state,
                        analysis="" if state == Submission.State.DRAFT else "Syntetisk analys.",
                        budget_frame_tkr=Decimal(10_000 + n),
                        outcome_tkr=Decimal(4_000 + n),
                        forecast_tkr=Decimal(9_900 + n + (300 if n % 4 == 0 else 0)),
                        revenue_budget_tkr=Decimal(2_000 + n),
                        revenue_outcome_tkr=Decimal(700 + n),
                        revenue_forecast_tkr=Decimal(2_050 + n),
                        cost_budget_tkr=Decimal(12_000 + 2 * n),
                        cost_outcome_tkr=Decimal(4_700 + 2 * n),
                        cost_forecast_tkr=Decimal(11_950 + 2 * n),
                        investment_budget_tkr=Decimal(1_500 + n),
                        investment_outcome_tkr=Decimal(400 + n),
                        investment_forecast_tkr=Decimal(1_350 + n),
                        action_plan="Syntetisk åtgärdsplan." if n % 4 == 0 else "",
                        important_events="Syntetiska viktiga händelser.",
                    )
                )
        created_submissions = step("submissions", _bulk(Submission, submissions))

        events, assessments, followups = [], [], []
        moves = {
            Submission.State.SUBMITTED: [("submit", "draft", "submitted", writer)],
            Submission.State.RETURNED: [
                ("submit", "draft", "submitted", writer),
                ("return", "submitted", "returned", reviewer),
            ],
            Submission.State.APPROVED: [
                ("submit", "draft", "submitted", writer),
                ("approve", "submitted", "approved", reviewer),
            ],
            Submission.State.PUBLISHED: [
                ("submit", "draft", "submitted", writer),
                ("approve", "submitted", "approved", reviewer),
                ("publish", "approved", "published", reviewer),
            ],
        }

        def flush(final=False):
            nonlocal events, assessments, followups
            if final or len(assessments) + len(followups) >= 20 * BATCH:
                step("submission_events", _bulk(SubmissionEvent, events))
                step("goal_assessments", _bulk(GoalAssessment, assessments))
                step("activity_followups", _bulk(ActivityFollowUp, followups))
                events, assessments, followups = [], [], []

        for k, submission in enumerate(created_submissions):
            occasion = submission.occasion
            for action, before, after, actor in moves.get(submission.state, []):
                events.append(
                    SubmissionEvent(
                        submission=submission,
                        action=action,
                        from_state=before,
                        to_state=after,
                        actor=actor,
                        reason="Syntetiskt återsänd." if action == "return" else "",
                    )
                )
            if not occasion.is_follow_up:
                continue
            unit = submission.org_unit
            if unit.kind == OrgUnit.Kind.COMMITTEE:
                goals = goals_of[unit.pk]
                plan_activities = []
            else:
                plan = plan_of[(unit.pk, occasion.plan_year_id)]
                plan_activities = activities_of_plan.get(plan.pk, [])
                goals = list(
                    {a.direction_goal_id: a.direction_goal for a in plan_activities}.values()
                )
            for g, goal in enumerate(goals):
                level = ASSESSMENT_LEVELS[(k + g) % len(ASSESSMENT_LEVELS)]
                assessments.append(
                    GoalAssessment(
                        submission=submission,
                        direction_goal=goal,
                        level=level,
                        suggested_level=level,
                        forecast_level=level if occasion.is_mid_year else "",
                        comment="",
                    )
                )
            for activity in plan_activities:
                followups.append(
                    ActivityFollowUp(
                        submission=submission,
                        activity=activity,
                        status=activity.status,
                        comment="",
                    )
                )
            flush()
        flush(final=True)

        # --- intern kontroll: each committee's risks, adopted plan and results ---------------
        counts.update(
            load_internal_control_large(
                committees=committee_rows, plan_years=plan_years, occasions=occasions, today=today
            )
        )

    counts["users"] = sorted(LARGE_USERS) + ensure_load_users()
    counts["years"] = [first_year, last_year]
    counts["occasions"] = len(occasions)
    counts["seconds"] = round(time.monotonic() - started, 1)
    out.write(f"Den stora kommunen är inläst på {counts['seconds']} s.\n")
    return counts


def _target(indicator: Indicator, offset: int) -> Decimal:
    step = 1 if indicator.higher_is_better else -1
    return indicator.baseline_value + step * (offset + 1)


def _outcome(indicator: Indicator, offset: int, month: int) -> Decimal:
    # Some miss and some reach the year's target, so every suggestion occurs.
    wobble = (indicator.pk * 7 + offset * 3 + month) % 5 - 2
    step = 1 if indicator.higher_is_better else -1
    return indicator.baseline_value + step * (offset + 1) + wobble


def _ensure_years(years: int) -> list[PlanYear]:
    """The current year and the `years - 1` before it, each with its default occasions."""
    current = PlanYear.objects.filter(is_current=True).first()
    last = current.year if current else timezone.localdate().year
    result = []
    for year in range(last - years + 1, last + 1):
        plan_year, _ = PlanYear.objects.get_or_create(
            year=year,
            defaults={"phase": PlanYear.Phase.ANALYSE if year < last else PlanYear.Phase.EXECUTE},
        )
        plan_year_ensure_occasions(plan_year=plan_year)
        result.append(plan_year)
    return result


def _ensure_users(committee: OrgUnit, unit: OrgUnit, municipality: OrgUnit) -> dict:
    User = get_user_model()
    where = {"stor-namnd": committee, "stor-enhet": unit, "stor-klk": municipality}
    users = {}
    for username, (first, last, role) in LARGE_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@example.invalid",
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, org_unit=where[username], role=role)
        users[username] = user
    return users


# make loadtest's people on the deadline day: staff of every large committee, a unit head under
# each committee, and a few at kommunledningskontoret. Invented, like the rest.
LOAD_REVIEWERS = 5


def ensure_load_users() -> list[str]:
    """The load test's users (stor-namnd-NN, stor-enhet-NN, stor-klk-N); idempotent.

    A unit head gets the first unit of its committee (committee > administration > unit) whose
    follow-up of the open occasion is a
    draft, so that every unit head has a follow-up to write on the deadline day.
    """
    from django.contrib.auth.hashers import make_password

    User = get_user_model()
    municipality = OrgUnit.objects.get(kind=OrgUnit.Kind.MUNICIPALITY)
    committees = list(
        OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE, code__startswith=f"{PREFIX}-").order_by(
            "code"
        )
    )
    current = PlanYear.objects.filter(is_current=True).first()
    drafts = Submission.objects.filter(
        occasion__plan_year=current,
        org_unit__kind=OrgUnit.Kind.UNIT,
        org_unit__code__startswith=f"{PREFIX}-",
        state=Submission.State.DRAFT,
    ).order_by("-occasion__period_end", "org_unit__code")
    first_draft = {}
    pairs = drafts.values_list("org_unit_id", "org_unit__parent__parent_id")
    for org_unit_id, committee_id in pairs:
        first_draft.setdefault(committee_id, org_unit_id)
    where = {}
    for n, committee in enumerate(committees, start=1):
        where[f"stor-namnd-{n:02d}"] = (committee.pk, Membership.Role.EDITOR, "Nämnd", f"{n:02d}")
        unit_id = first_draft.get(committee.pk)
        if unit_id is not None:
            where[f"stor-enhet-{n:02d}"] = (unit_id, Membership.Role.EDITOR, "Enhet", f"{n:02d}")
    for n in range(1, LOAD_REVIEWERS + 1):
        where[f"stor-klk-{n}"] = (municipality.pk, Membership.Role.REVIEWER, "Granskare", str(n))
    existing = set(User.objects.filter(username__in=where).values_list("username", flat=True))
    password = make_password(DEMO_PASSWORD)  # one hash for all: the same password
    User.objects.bulk_create(
        [
            User(
                username=name,
                first_name=first,
                last_name=last,
                email=f"{name}@example.invalid",
                password=password,
            )
            for name, (_unit, _role, first, last) in where.items()
            if name not in existing
        ]
    )
    users = {u.username: u for u in User.objects.filter(username__in=where)}
    for name, (unit_id, role, _first, _last) in where.items():
        Membership.objects.get_or_create(user=users[name], org_unit_id=unit_id, role=role)
    return sorted(where)

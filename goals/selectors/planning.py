"""The planning pages: plans overview, a committee's goals, a unit's plan, what to do."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from core.formats import parse_id

from ..models import (
    Activity,
    DirectionGoal,
    Indicator,
    OperationalPlan,
    OrgUnit,
    StrategicArea,
)
from ..permissions import access_for, is_within, subtree_q, tree_order
from .common import (
    in_steering_q,
    latest_outcome,
    set_outcome_status,
    set_year_target,
    year_end,
    year_targets,
)


@dataclass
class UnitPlanRow:
    unit: OrgUnit
    committee: OrgUnit | None
    plan: OperationalPlan | None
    can_edit: bool


@dataclass
class PlanningOverview:
    committees: list[OrgUnit]
    units: list[UnitPlanRow]
    missing_count: int

    @property
    def can_create_missing(self) -> bool:
        return any(r.plan is None and r.can_edit for r in self.units)


def planning_overview(*, user, year: int, committee: OrgUnit | None = None) -> PlanningOverview:
    """Committees with their goal counts and every unit the user covers with its plan."""
    access = access_for(user)
    committees = list(
        OrgUnit.objects.filter(access.committee_q())
        .annotate(
            goal_count=Count(
                "direction_goals",
                filter=Q(
                    direction_goals__archived=False,
                    direction_goals__valid_from__lte=year,
                    direction_goals__valid_to__gte=year,
                ),
            )
        )
        .order_by("name")
    )
    if committee is not None:
        committees = [c for c in committees if c.pk == committee.pk]
    all_committees = {c.pk: c for c in OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)}
    units = OrgUnit.objects.filter(access.subtree_q()).exclude(
        kind__in=[OrgUnit.Kind.MUNICIPALITY, OrgUnit.Kind.COMMITTEE]
    )
    if committee is not None:
        units = units.filter(subtree_q(committee, include_self=False))
    plans = {
        p.org_unit_id: p
        for p in OperationalPlan.objects.filter(plan_year__year=year, org_unit__in=units)
        .select_related("plan_year")
        .annotate(activity_count=Count("activities"))
    }
    rows = []
    for unit in units.order_by(*tree_order()):
        owner = next(
            (c for c in all_committees.values() if is_within(unit, c, include_self=False)),
            None,
        )
        if owner is None:
            continue
        rows.append(
            UnitPlanRow(
                unit=unit, committee=owner, plan=plans.get(unit.pk), can_edit=access.can_edit(unit)
            )
        )
    return PlanningOverview(
        committees=committees,
        units=rows,
        missing_count=sum(1 for r in rows if r.plan is None),
    )


@dataclass
class AreaGoals:
    area: StrategicArea
    goals: list[DirectionGoal]


@dataclass
class CommitteePlan:
    areas: list[AreaGoals]
    all_areas: list[StrategicArea]
    goal_count: int
    indicator_count: int
    ownerless_count: int
    archived_count: int
    area_filter: str
    status_filter: str
    ownerless_only: bool


def committee_plan(
    *, committee: OrgUnit, year: int, area: str = "", status: str = "aktiva", ownerless_only=False
) -> CommitteePlan:
    """A committee's direction goals for one year with indicators, targets and activity counts.

    A fixed number of queries whatever the number of goals, indicators and activities.
    """
    all_areas = list(StrategicArea.objects.order_by("number"))
    goals = DirectionGoal.objects.filter(
        committee=committee, valid_from__lte=year, valid_to__gte=year
    )
    archived_count = goals.filter(archived=True).count()
    if status not in ("aktiva", "arkiverade", "alla"):
        status = "aktiva"
    if status == "aktiva":
        goals = goals.filter(archived=False)
    elif status == "arkiverade":
        goals = goals.filter(archived=True)
    area_number = parse_id(area, max_digits=3)
    if area_number is not None:
        goals = goals.filter(strategic_area__number=area_number)
    area = "" if area_number is None else str(area_number)
    goals = list(
        goals.select_related("strategic_area")
        .annotate(
            year_activity_count=Count(
                "activities", filter=Q(activities__plan__plan_year__year=year)
            )
        )
        .prefetch_related(
            "overarching_goals",
            "strategies",
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(in_steering_q(period_end=year_end(year)))
                .select_related("owner")
                .prefetch_related(year_targets(year), latest_outcome(year)),
            ),
        )
        .order_by("strategic_area__number", "code")
    )
    by_area: dict[int, list[DirectionGoal]] = {}
    indicator_count = ownerless = 0
    for goal in goals:
        visible = []
        for indicator in goal.indicators.all():
            set_year_target(indicator)
            set_outcome_status(indicator)
            indicator_count += 1
            if indicator.owner_id is None:
                ownerless += 1
                visible.append(indicator)
            elif not ownerless_only:
                visible.append(indicator)
        goal.shown_indicators = visible
        if ownerless_only and not visible:
            continue
        by_area.setdefault(goal.strategic_area_id, []).append(goal)
    areas = [AreaGoals(area=a, goals=by_area[a.pk]) for a in all_areas if a.pk in by_area]
    return CommitteePlan(
        areas=areas,
        all_areas=all_areas,
        goal_count=len(goals),
        indicator_count=indicator_count,
        ownerless_count=ownerless,
        archived_count=archived_count,
        area_filter=area,
        status_filter=status,
        ownerless_only=ownerless_only,
    )


def committee_goals_for_plan(*, plan: OperationalPlan) -> list[DirectionGoal]:
    """What the unit plans against: its committee's goals, indicators and targets for the year."""
    committee = plan.org_unit.committee
    if committee is None:
        return []
    year = plan.plan_year.year
    goals = list(
        DirectionGoal.objects.filter(
            committee=committee, archived=False, valid_from__lte=year, valid_to__gte=year
        )
        .select_related("strategic_area")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(in_steering_q(period_end=year_end(year)))
                .select_related("owner")
                .prefetch_related(year_targets(year), latest_outcome(year)),
            )
        )
        .order_by("strategic_area__number", "code")
    )
    for goal in goals:
        for indicator in goal.indicators.all():
            set_year_target(indicator)
            set_outcome_status(indicator)
    return goals


@dataclass
class GoalActivities:
    goal: DirectionGoal
    activities: list[Activity]


def plan_page(*, plan: OperationalPlan, status: str = "") -> dict:
    """The unit's plan: activities grouped under the committee goals they serve."""
    statuses = dict(Activity.Status.choices)
    activities = plan.activities.select_related("direction_goal__strategic_area").order_by(
        "direction_goal__strategic_area__number", "direction_goal__code", "title"
    )
    if status in statuses:
        activities = activities.filter(status=status)
    else:
        status = ""
    goals = committee_goals_for_plan(plan=plan)
    grouped: dict[int, list[Activity]] = {}
    for activity in activities:
        grouped.setdefault(activity.direction_goal_id, []).append(activity)
    sections = [GoalActivities(goal=g, activities=grouped.pop(g.pk, [])) for g in goals]
    # Activities under goals that were archived or ended since: still shown, never lost.
    leftovers = [a for rows in grouped.values() for a in rows]
    counts = dict(
        plan.activities.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "sections": sections,
        "leftover_activities": leftovers,
        "status_filter": status,
        "status_choices": [(k, v, counts.get(k, 0)) for k, v in statuses.items()],
        "activity_total": sum(counts.values()),
    }


@dataclass
class PlanningTodo:
    committee: OrgUnit
    ownerless_indicators: int
    goals_without_indicator: int


@dataclass
class PlanningItem:
    """One gap in the planning, as one line: `kind` is ownerless, no_indicator or no_plan."""

    kind: str
    unit: OrgUnit
    count: int = 0


def planning_todo(*, user, year: int) -> dict:
    """What an editor should see to first: gaps in what they may change.

    planning_items: the same gaps as one list of lines, the committees' before the units'.
    """
    access = access_for(user)
    if not access.edits_anything:
        return {"todo_committees": [], "todo_missing_plans": [], "planning_items": []}
    committees = [
        c
        for c in OrgUnit.objects.filter(access.committee_q()).order_by("name")
        if access.can_edit(c)
    ]
    goals = DirectionGoal.objects.filter(
        committee__in=committees, archived=False, valid_from__lte=year, valid_to__gte=year
    )
    ownerless = dict(
        Indicator.objects.filter(
            in_steering_q(period_end=year_end(year)), direction_goal__in=goals, owner__isnull=True
        )
        .values_list("direction_goal__committee")
        .annotate(n=Count("pk"))
        .values_list("direction_goal__committee", "n")
    )
    without = dict(
        goals.filter(indicators__isnull=True)
        .values_list("committee")
        .annotate(n=Count("pk"))
        .values_list("committee", "n")
    )
    todo = [
        PlanningTodo(c, ownerless.get(c.pk, 0), without.get(c.pk, 0))
        for c in committees
        if ownerless.get(c.pk) or without.get(c.pk)
    ]
    overview = planning_overview(user=user, year=year)
    missing = [row for row in overview.units if row.plan is None and row.can_edit]
    items = []
    for t in todo:
        if t.ownerless_indicators:
            items.append(PlanningItem("ownerless", t.committee, t.ownerless_indicators))
        if t.goals_without_indicator:
            items.append(PlanningItem("no_indicator", t.committee, t.goals_without_indicator))
    items += [PlanningItem("no_plan", row.unit) for row in missing]
    return {"todo_committees": todo, "todo_missing_plans": missing, "planning_items": items}


def next_indicator_code(goal: DirectionGoal) -> str:
    """A free code under the goal: UN-HK-1-4 when UN-HK-1-1…3 exist."""
    taken = set(
        Indicator.objects.filter(code__startswith=f"{goal.code}-").values_list("code", flat=True)
    )
    n = goal.indicators.count() + 1
    while f"{goal.code}-{n}" in taken:
        n += 1
    return f"{goal.code}-{n}"


def next_year_preview(*, plan_year) -> dict:
    """What starting the next year would create, for the confirmation before it is done."""
    from ..models import PlanYear, Priority, ReportingOccasion, Submission

    next_number = plan_year.year + 1
    return {
        "next_year": next_number,
        "exists": PlanYear.objects.filter(year=next_number).exists(),
        "plans": OperationalPlan.objects.filter(plan_year=plan_year).count(),
        "priorities": Priority.objects.filter(
            submission__occasion__plan_year=plan_year,
            submission__occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT,
            submission__state__in=[Submission.State.APPROVED, Submission.State.PUBLISHED],
            direction_goal__archived=False,
            direction_goal__valid_from__lte=next_number,
            direction_goal__valid_to__gte=next_number,
        ).count(),
    }

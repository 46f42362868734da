"""Read paths for pages: a fixed number of queries whatever the amount of data."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from .models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
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
from .permissions import access_for


def current_plan_year() -> PlanYear | None:
    return PlanYear.objects.filter(is_current=True).first() or PlanYear.objects.first()


def plan_years() -> list[PlanYear]:
    return list(PlanYear.objects.order_by("-year"))


def committees_visible_to(*, user) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(access_for(user).committee_q()).order_by("name")


def direction_goals_visible_to(
    *, user, year: int | None = None, committee: OrgUnit | None = None
) -> QuerySet[DirectionGoal]:
    goals = DirectionGoal.objects.filter(
        access_for(user).committee_q("committee__"), archived=False
    )
    if year is not None:
        goals = goals.filter(valid_from__lte=year, valid_to__gte=year)
    if committee is not None:
        goals = goals.filter(committee=committee)
    return goals.select_related("committee", "strategic_area")


def activities_visible_to(*, user, year: int | None = None) -> QuerySet[Activity]:
    activities = Activity.objects.filter(access_for(user).subtree_q("plan__org_unit__"))
    if year is not None:
        activities = activities.filter(plan__plan_year__year=year)
    return activities.select_related("plan__org_unit", "plan__plan_year", "direction_goal")


def _indicator_prefetch(year: int) -> Prefetch:
    return Prefetch(
        "indicators",
        queryset=Indicator.objects.select_related("owner").prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(year=year), to_attr="year_targets"),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(occasion__plan_year__year__lte=year)
                .select_related("occasion__plan_year")
                .order_by("occasion__period_end"),
                to_attr="outcomes_until_year",
            ),
        ),
    )


@dataclass
class CommitteeGoals:
    committee: OrgUnit
    goals: list[DirectionGoal] = field(default_factory=list)


@dataclass
class AreaNode:
    area: StrategicArea
    committees: list[CommitteeGoals] = field(default_factory=list)


@dataclass
class ChainTree:
    vision: Vision | None
    year: int
    areas: list[AreaNode]
    goal_count: int
    activity_count: int


def chain_tree(*, user, year: int, committee: OrgUnit | None = None) -> ChainTree:
    """The whole chain the user may see, vision to activities, for one year."""
    areas = list(
        StrategicArea.objects.select_related("vision").prefetch_related(
            "overarching_goals", "strategies"
        )
    )
    vision = areas[0].vision if areas else Vision.objects.first()
    goals = list(
        direction_goals_visible_to(user=user, year=year, committee=committee)
        .prefetch_related("overarching_goals", "strategies", _indicator_prefetch(year))
        .order_by("strategic_area__number", "committee__name", "code")
    )
    activities = activities_visible_to(user=user, year=year).filter(
        direction_goal__in=[g.pk for g in goals]
    )
    by_goal: dict[int, list[Activity]] = {}
    activity_count = 0
    for activity in activities.order_by("plan__org_unit__name", "title"):
        by_goal.setdefault(activity.direction_goal_id, []).append(activity)
        activity_count += 1
    nodes = {area.pk: AreaNode(area=area) for area in areas}
    for goal in goals:
        goal.year_activities = by_goal.get(goal.pk, [])
        for indicator in goal.indicators.all():
            indicator.year_target = indicator.year_targets[0] if indicator.year_targets else None
            indicator.latest_outcome = (
                indicator.outcomes_until_year[-1] if indicator.outcomes_until_year else None
            )
        node = nodes[goal.strategic_area_id]
        if not node.committees or node.committees[-1].committee.pk != goal.committee_id:
            node.committees.append(CommitteeGoals(committee=goal.committee))
        node.committees[-1].goals.append(goal)
    return ChainTree(
        vision=vision,
        year=year,
        areas=list(nodes.values()),
        goal_count=len(goals),
        activity_count=activity_count,
    )


def direction_goal_detail(*, goal: DirectionGoal, user, year: int) -> dict:
    indicators = list(
        goal.indicators.select_related("owner").prefetch_related(
            Prefetch("targets", queryset=Target.objects.order_by("year")),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.select_related("occasion__plan_year").order_by(
                    "occasion__period_end"
                ),
            ),
        )
    )
    activities = list(
        activities_visible_to(user=user)
        .filter(direction_goal=goal)
        .order_by("-plan__plan_year__year", "plan__org_unit__name", "title")
    )
    return {"indicators": indicators, "activities": activities}


@dataclass
class Coverage:
    year: int
    overarching_goals_without_area: list[OverarchingGoal]
    strategies_without_area: list[Strategy]
    area_gaps: list[tuple[OrgUnit, list[StrategicArea]]]
    goals_without_indicator: list[DirectionGoal]
    goals_without_activity: list[DirectionGoal]

    @property
    def warning_count(self) -> int:
        return (
            len(self.overarching_goals_without_area)
            + len(self.strategies_without_area)
            + sum(len(areas) for _, areas in self.area_gaps)
            + len(self.goals_without_indicator)
            + len(self.goals_without_activity)
        )


def chain_coverage(*, user, year: int, committee: OrgUnit | None = None) -> Coverage:
    """Where the chain is broken: links that carry nothing, or nothing that carries them."""
    areas = list(StrategicArea.objects.order_by("number"))
    committees = committees_visible_to(user=user)
    if committee is not None:
        committees = committees.filter(pk=committee.pk)
    goals = list(
        direction_goals_visible_to(user=user, year=year, committee=committee)
        .annotate(
            indicator_count=Count("indicators", distinct=True),
            has_activity=Exists(
                Activity.objects.filter(direction_goal=OuterRef("pk"), plan__plan_year__year=year)
            ),
        )
        .order_by("committee__name", "code")
    )
    covered = {(g.committee_id, g.strategic_area_id) for g in goals}
    area_gaps = []
    for c in committees:
        missing = [a for a in areas if (c.pk, a.pk) not in covered]
        if missing:
            area_gaps.append((c, missing))
    return Coverage(
        year=year,
        overarching_goals_without_area=list(
            OverarchingGoal.objects.filter(~Q(strategic_areas__isnull=False)).distinct()
        ),
        strategies_without_area=list(
            Strategy.objects.filter(~Q(strategic_areas__isnull=False)).distinct()
        ),
        area_gaps=area_gaps,
        goals_without_indicator=[g for g in goals if g.indicator_count == 0],
        goals_without_activity=[g for g in goals if not g.has_activity],
    )


def plans_visible_to(*, user, year: int | None = None) -> QuerySet[OperationalPlan]:
    plans = OperationalPlan.objects.filter(access_for(user).subtree_q("org_unit__"))
    if year is not None:
        plans = plans.filter(plan_year__year=year)
    return plans.select_related("org_unit", "plan_year").annotate(
        activity_count=Count("activities")
    )


def start_overview(*, user, plan_year: PlanYear | None) -> dict:
    """What the start page shows: the user's roles, the year's occasions, their plans."""
    access = access_for(user)
    year = plan_year.year if plan_year else None
    occasions = (
        list(ReportingOccasion.objects.filter(plan_year=plan_year).order_by("period_end"))
        if plan_year
        else []
    )
    committees = list(committees_visible_to(user=user)) if not access.everything else []
    goal_counts = dict(
        direction_goals_visible_to(user=user, year=year)
        .values_list("committee_id")
        .annotate(n=Count("pk"))
        .values_list("committee_id", "n")
    )
    for c in committees:
        c.goal_count = goal_counts.get(c.pk, 0)
    plans = list(plans_visible_to(user=user, year=year).order_by("org_unit__name")[:50])
    return {
        "memberships": access.units,
        "occasions": occasions,
        "committees": committees,
        "plans": plans,
        "everything": access.everything,
    }

"""The chain pages and the start page: the tree of goals, a goal and its links, the gaps."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q

from ..models import (
    Activity,
    DirectionGoal,
    GoalAssessment,
    Measurement,
    OrgUnit,
    OverarchingGoal,
    PlanYear,
    ReportingOccasion,
    StrategicArea,
    Strategy,
    Submission,
    Target,
    Vision,
)
from ..permissions import Access, access_for, is_within
from .common import (
    _indicator_prefetch,
    activities_visible_to,
    committees_visible_to,
    direction_goals_visible_to,
    in_steering_q,
    latest_by_year,
    plans_visible_to,
    set_outcome_status,
    set_outcome_status_from,
    set_year_target,
    year_end,
)


@dataclass
class CommitteeGoals:
    committee: OrgUnit
    goals: list[DirectionGoal] = field(default_factory=list)
    # Folded open where the user works (their committee, or the one they chose).
    open: bool = False


@dataclass
class AreaNode:
    area: StrategicArea
    committees: list[CommitteeGoals] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """An area opens when it holds an open committee, or when it has none to fold."""
        return not self.committees or any(c.open for c in self.committees)


@dataclass
class ChainTree:
    vision: Vision | None
    year: int
    areas: list[AreaNode]
    goal_count: int
    activity_count: int
    page: int = 1
    pages: int = 1
    first_goal: int = 0
    last_goal: int = 0

    @property
    def page_numbers(self) -> range:
        return range(1, self.pages + 1)


# A large municipality has hundreds of goals and thousands of activities a year: the chain
# page shows this many goals a page, and this many activities under each goal (the goal's
# own page lists them all).
CHAIN_GOALS_PER_PAGE = 30


CHAIN_ACTIVITIES_PER_GOAL = 5


def chain_tree(*, user, year: int, committee: OrgUnit | None = None, page: int = 1) -> ChainTree:
    """The chain the user may see, vision to activities, for one year, a page of goals.

    A fixed number of queries, and a bounded amount of rows, whatever the municipality's size.
    """
    areas = list(
        StrategicArea.objects.select_related("vision").prefetch_related(
            "overarching_goals", "strategies"
        )
    )
    vision = areas[0].vision if areas else Vision.objects.first()
    visible_goals = direction_goals_visible_to(user=user, year=year, committee=committee)
    goal_count = visible_goals.count()
    pages = max(1, -(-goal_count // CHAIN_GOALS_PER_PAGE))
    page = min(max(1, page), pages)
    start = (page - 1) * CHAIN_GOALS_PER_PAGE
    activities = activities_visible_to(user=user, year=year)
    goals = list(
        visible_goals.prefetch_related(
            "overarching_goals",
            "strategies",
            _indicator_prefetch(year),
            _latest_assessment_prefetch(year),
            Prefetch(
                "activities",
                # The page shows each activity's title, status and unit's name: no plan, unit
                # (a tree node, slow to build) or goal objects for them.
                queryset=activities.select_related(None)
                .annotate(unit_name=F("plan__org_unit__name"))
                .order_by("plan__org_unit__name", "title")[:CHAIN_ACTIVITIES_PER_GOAL],
                to_attr="year_activities",
            ),
        ).order_by("strategic_area__number", "committee__name", "code")[
            start : start + CHAIN_GOALS_PER_PAGE
        ]
    )
    activity_count = activities.filter(direction_goal__in=visible_goals).count()
    per_goal = dict(
        activities.filter(direction_goal__in=[g.pk for g in goals])
        .order_by()
        .values_list("direction_goal")
        .annotate(n=Count("pk"))
    )
    nodes = {area.pk: AreaNode(area=area) for area in areas}
    # get_status_display() hashes every (lazy) choice label on each call: once per request.
    status_labels = {value: str(label) for value, label in Activity.Status.choices}
    works_in = access_for(user).units
    for goal in goals:
        goal.latest_assessment = _assessment_badge(goal)
        goal.year_activity_count = per_goal.get(goal.pk, 0)
        goal.more_activities = goal.year_activity_count - len(goal.year_activities)
        for activity in goal.year_activities:
            activity.status_label = status_labels.get(activity.status, activity.status)
        for indicator in goal.indicators.all():
            set_year_target(indicator)
            set_outcome_status(indicator)
        node = nodes[goal.strategic_area_id]
        if not node.committees or node.committees[-1].committee.pk != goal.committee_id:
            node.committees.append(
                CommitteeGoals(
                    committee=goal.committee,
                    open=committee is not None
                    or any(is_within(unit, goal.committee) for unit in works_in),
                )
            )
        node.committees[-1].goals.append(goal)
    return ChainTree(
        vision=vision,
        year=year,
        areas=list(nodes.values()),
        goal_count=goal_count,
        activity_count=activity_count,
        page=page,
        pages=pages,
        first_goal=start + 1 if goals else 0,
        last_goal=start + len(goals),
    )


@dataclass
class AssessmentBadge:
    level: str
    occasion: str


def _latest_assessment_prefetch(year: int) -> Prefetch:
    """Each goal's latest published assessment up to the year: a sliced prefetch, one query.

    Only the committee's published follow-ups: a draft's or a submission's assessment is not yet the
    committee's word, and the chain is read by people who may not see its follow-up.
    """
    return Prefetch(
        "assessments",
        queryset=GoalAssessment.objects.filter(
            submission__state=Submission.State.PUBLISHED,
            # The committee's own word on its goal, not a unit's view of it.
            submission__org_unit=F("direction_goal__committee"),
            submission__occasion__plan_year__year__lte=year,
        )
        # The Verksamhetsplan looks forward: its rows carry no assessment worth a badge.
        .exclude(level="")
        .exclude(submission__occasion__kind=ReportingOccasion.Kind.OPERATIONAL_PLAN)
        .annotate(
            occasion_name=F("submission__occasion__name"),
            occasion_year=F("submission__occasion__plan_year__year"),
        )
        .order_by("-submission__occasion__period_end", "-pk")[:1],
        to_attr="latest_assessments",
    )


def _assessment_badge(goal: DirectionGoal) -> AssessmentBadge | None:
    if not goal.latest_assessments:
        return None
    a = goal.latest_assessments[0]
    return AssessmentBadge(
        level=a.level,
        occasion=f"{a.occasion_name} {a.occasion_year}",
    )


def direction_goal_detail(*, goal: DirectionGoal, user, year: int) -> dict:
    everything = list(
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
    # Moved to the quality system by the end of the year: listed apart, with where they went.
    end = year_end(year)
    moved = [i for i in everything if i.moved_to_quality_on and i.moved_to_quality_on <= end]
    indicators = [i for i in everything if i not in moved]
    for indicator in indicators:
        set_outcome_status_from(
            indicator,
            measurements=indicator.measurements.all(),
            targets=indicator.targets.all(),
            year=year,
        )
    activities = list(
        activities_visible_to(user=user)
        .filter(direction_goal=goal)
        .order_by("-plan__plan_year__year", "plan__org_unit__name", "title")
    )
    return {"indicators": indicators, "moved_indicators": moved, "activities": activities}


@dataclass
class TargetRow:
    """One year's target with that year's latest outcome, reached or not (rules.outcome_status)."""

    target: Target
    higher_is_better: bool
    latest_outcome: Measurement | None = None
    outcome_status: object = None


def indicator_target_rows(*, indicator, targets, measurements) -> list[TargetRow]:
    """The indicator page's targets, each beside its year's latest outcome (already read)."""
    latest = latest_by_year(measurements)
    rows = []
    for target in targets:
        row = TargetRow(target=target, higher_is_better=indicator.higher_is_better)
        outcome = latest.get(target.year)
        if outcome is not None:
            outcome.occasion_name = outcome.occasion.name
            outcome.occasion_year = target.year
            outcome.year_target_value = target.value
        set_outcome_status(row, outcome)
        rows.append(row)
    return rows


@dataclass
class GridRow:
    """One committee's row of the nämnd × strategiområde grid: goals per area, in area order."""

    committee: OrgUnit
    cells: list[tuple[StrategicArea, int]]

    @property
    def total(self) -> int:
        return sum(n for _area, n in self.cells)


@dataclass
class CoverageGrid:
    areas: list[StrategicArea]
    rows: list[GridRow]

    @property
    def area_totals(self) -> list[int]:
        return [sum(row.cells[i][1] for row in self.rows) for i in range(len(self.areas))]

    @property
    def total(self) -> int:
        return sum(self.area_totals)

    @property
    def empty_cells(self) -> int:
        return sum(1 for row in self.rows for _area, n in row.cells if not n)


def coverage_grid(*, committees, areas, goals) -> CoverageGrid:
    """The nämnd × strategiområde grid of the report's coverage appendix: how many of each
    committee's goals sort under each area (0 where a committee has none)."""
    counts: dict[tuple[int, int], int] = {}
    for goal in goals:
        key = (goal.committee_id, goal.strategic_area_id)
        counts[key] = counts.get(key, 0) + 1
    rows = [
        GridRow(committee=c, cells=[(a, counts.get((c.pk, a.pk), 0)) for a in areas])
        for c in committees
    ]
    return CoverageGrid(areas=list(areas), rows=rows)


@dataclass
class Coverage:
    year: int
    overarching_goals_without_area: list[OverarchingGoal]
    strategies_without_area: list[Strategy]
    area_gaps: list[tuple[OrgUnit, list[StrategicArea]]]
    goals_without_indicator: list[DirectionGoal]
    goals_without_activity: list[DirectionGoal]
    grid: CoverageGrid | None = None

    @property
    def warning_count(self) -> int:
        return (
            len(self.overarching_goals_without_area)
            + len(self.strategies_without_area)
            + sum(len(areas) for _, areas in self.area_gaps)
            + len(self.goals_without_indicator)
            + len(self.goals_without_activity)
        )


def chain_coverage(
    *, user=None, access: Access | None = None, year: int, committee: OrgUnit | None = None
) -> Coverage:
    """Where the chain is broken: links that carry nothing, or nothing that carries them.

    Seen by `user`, or through an explicit `access` (a report reads with reads_everything()).
    """
    access = access or access_for(user)
    areas = list(StrategicArea.objects.order_by("number"))
    committees = committees_visible_to(access=access)
    if committee is not None:
        committees = committees.filter(pk=committee.pk)
    goals = list(
        direction_goals_visible_to(access=access, year=year, committee=committee)
        .annotate(
            indicator_count=Count(
                "indicators",
                filter=in_steering_q(period_end=year_end(year), prefix="indicators__"),
                distinct=True,
            ),
            has_activity=Exists(
                Activity.objects.filter(direction_goal=OuterRef("pk"), plan__plan_year__year=year)
            ),
        )
        .order_by("committee__name", "code")
    )
    committees = list(committees)
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
        grid=coverage_grid(committees=committees, areas=areas, goals=goals),
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

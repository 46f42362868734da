"""Read paths for pages: a fixed number of queries whatever the amount of data."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet

from core.formats import parse_id

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


def in_steering_q(*, period_end: datetime.date, prefix: str = "") -> Q:
    """Indicators in goal steering for a period that ends on `period_end`.

    An indicator moved to the quality system leaves every occasion (and every year's plan)
    whose period ends on or after the move; earlier ones keep showing it.
    """
    return Q(**{f"{prefix}moved_to_quality_on__isnull": True}) | Q(
        **{f"{prefix}moved_to_quality_on__gt": period_end}
    )


def year_end(year: int) -> datetime.date:
    """The end of a plan year's period: what plan pages of the year filter indicators by."""
    return datetime.date(year, 12, 31)


def year_targets(year: int) -> Prefetch:
    """Prefetch an indicator's target for one year (as .year_targets)."""
    return Prefetch("targets", queryset=Target.objects.filter(year=year), to_attr="year_targets")


def set_year_target(indicator) -> None:
    """indicator.year_target: the prefetched target of the year, or None."""
    indicator.year_target = indicator.year_targets[0] if indicator.year_targets else None


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
        queryset=Indicator.objects.filter(in_steering_q(period_end=year_end(year)))
        .select_related("owner")
        .prefetch_related(
            year_targets(year),
            # Only the latest outcome: a sliced prefetch (one query, a window in SQL).
            Prefetch(
                "measurements",
                # The chain shows the outcome with its occasion's name and year: two columns,
                # not an occasion and a plan year built for every indicator.
                queryset=Measurement.objects.filter(occasion__plan_year__year__lte=year)
                .annotate(
                    occasion_name=F("occasion__name"), occasion_year=F("occasion__plan_year__year")
                )
                .order_by("-occasion__period_end")[:1],
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
    for goal in goals:
        goal.year_activity_count = per_goal.get(goal.pk, 0)
        goal.more_activities = goal.year_activity_count - len(goal.year_activities)
        for activity in goal.year_activities:
            activity.status_label = status_labels.get(activity.status, activity.status)
        for indicator in goal.indicators.all():
            set_year_target(indicator)
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
        goal_count=goal_count,
        activity_count=activity_count,
        page=page,
        pages=pages,
        first_goal=start + 1 if goals else 0,
        last_goal=start + len(goals),
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
    activities = list(
        activities_visible_to(user=user)
        .filter(direction_goal=goal)
        .order_by("-plan__plan_year__year", "plan__org_unit__name", "title")
    )
    return {"indicators": indicators, "moved_indicators": moved, "activities": activities}


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


# --- history -------------------------------------------------------------------------


@dataclass
class HistoryChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    action: str
    version: int | None
    changes: list[HistoryChange]


_ACTIONS = {"+": "Skapad", "~": "Ändrad", "-": "Borttagen"}


def _display(model, name: str, value, current=None) -> str:
    """A historical value as the user knows it: labels, names, Swedish numbers.

    `current`: the object whose history this is; a foreign key that still points where it
    did is named from the related object already loaded on it, without a query.
    """
    from core.formats import format_swedish_number

    if value is None or value == "" or value == []:
        return "–"
    field = model._meta.get_field(name)
    if field.many_to_many:
        related = field.related_model
        key = related._meta.model_name
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        objects = related.objects.in_bulk(ids)
        return "; ".join(str(objects[i]) if i in objects else f"#{i}" for i in sorted(ids))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        if (
            current is not None
            and field.is_cached(current)
            and getattr(current, field.attname) == value
        ):
            obj = getattr(current, field.name)
        else:
            obj = field.related_model._default_manager.filter(pk=value).first()
        if obj is None:
            return f"#{value}"
        if hasattr(obj, "get_full_name"):
            return obj.get_full_name() or obj.get_username()
        return str(obj)
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if field.get_internal_type() == "DecimalField":
        return format_swedish_number(value)
    if field.get_internal_type() == "DateField":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return "Systemet (import eller demodata)"
    return user.get_full_name() or user.get_username()


def history_entries(obj, *, since_version: int | None = None) -> list[HistoryEntry]:
    """Who changed what and when, newest first, one entry per save.

    Saving a goal's links writes several history rows (the row, then each m2m change);
    rows with the same version are one save, so they are merged into one entry.
    """
    model = type(obj)
    has_version = any(f.name == "version" for f in model._meta.fields)
    records = list(obj.history.select_related("history_user").order_by("history_date", "pk"))
    groups: list[list] = []
    for record in records:
        previous_record = groups[-1][-1] if groups else None
        same_save = (
            has_version
            and previous_record is not None
            and previous_record.version == record.version
            and previous_record.history_user_id == record.history_user_id
            and (record.history_date - previous_record.history_date).total_seconds() < 5
        )
        if same_save:
            groups[-1].append(record)
        else:
            groups.append([record])
    excluded = ["version"]
    labels = {
        f.name: str(f.verbose_name) for f in model._meta.get_fields() if hasattr(f, "verbose_name")
    }
    entries = []
    previous = None
    for group in groups:
        last = group[-1]
        first = group[0]
        if previous is None:
            changes = []
            for f in model._meta.fields:
                if f.name in ("id", "version") or not f.editable:
                    continue
                value = getattr(last, f.attname)
                if value not in (None, "", False) or isinstance(value, bool):
                    changes.append(
                        HistoryChange(
                            labels.get(f.name, f.name), "–", _display(model, f.name, value, obj)
                        )
                    )
            for f in model._meta.many_to_many:
                manager = getattr(last, f.name, None)
                if manager is None or not hasattr(manager, "values"):
                    continue
                key = f.related_model._meta.model_name
                rows = list(manager.values(key))
                if rows:
                    changes.append(
                        HistoryChange(
                            labels.get(f.name, f.name), "–", _display(model, f.name, rows)
                        )
                    )
            action = _ACTIONS.get(first.history_type, "Ändrad")
        else:
            delta = last.diff_against(previous, excluded_fields=excluded)
            changes = [
                HistoryChange(
                    labels.get(c.field, c.field),
                    _display(model, c.field, c.old, obj),
                    _display(model, c.field, c.new, obj),
                )
                for c in delta.changes
            ]
            action = _ACTIONS.get(last.history_type, "Ändrad")
        previous = last
        if action == "Ändrad" and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=last.history_date,
                who=_who(last),
                action=action,
                version=last.version if has_version else None,
                changes=changes,
            )
        )
    if since_version is not None and has_version:
        entries = [e for e in entries if e.version is not None and e.version > since_version]
    entries.reverse()
    return entries


def target_history(indicator, *, since_version: int | None = None) -> list[HistoryEntry]:
    """Changes of an indicator's targets, newest first (after `since_version` if given)."""
    records = Target.history.filter(indicator_id=indicator.pk).select_related("history_user")
    since = None
    if since_version is not None:
        since = (
            indicator.history.filter(version=since_version)
            .order_by("-history_date")
            .values_list("history_date", flat=True)
            .first()
        )
    last: dict[int, tuple] = {}
    entries = []
    for record in records.order_by("history_date", "pk"):
        old_year, old_value = last.get(record.id, (None, None))
        new_value = None if record.history_type == "-" else record.value
        last[record.id] = (record.year, new_value)
        if old_year is not None and old_year != record.year:
            change = HistoryChange(
                "Målvärde (år ändrat)",
                f"{old_year}: {_display(Target, 'value', old_value)}",
                f"{record.year}: {_display(Target, 'value', new_value)}",
            )
        else:
            change = HistoryChange(
                f"Målvärde {record.year}",
                _display(Target, "value", old_value),
                _display(Target, "value", new_value),
            )
        if since is not None and record.history_date <= since:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=_who(record),
                action=_ACTIONS.get(record.history_type, "Ändrad"),
                version=None,
                changes=[change],
            )
        )
    entries.reverse()
    return entries


# --- planning ---------------------------------------------------------------------------


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
        units = units.filter(
            tree_id=committee.tree_id, lft__gt=committee.lft, rght__lt=committee.rght
        )
    plans = {
        p.org_unit_id: p
        for p in OperationalPlan.objects.filter(plan_year__year=year, org_unit__in=units)
        .select_related("plan_year")
        .annotate(activity_count=Count("activities"))
    }
    rows = []
    for unit in units.order_by("tree_id", "lft"):
        owner = next(
            (
                c
                for c in all_committees.values()
                if c.tree_id == unit.tree_id and c.lft < unit.lft and unit.rght < c.rght
            ),
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
                .prefetch_related(year_targets(year)),
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
    return list(
        DirectionGoal.objects.filter(
            committee=committee, archived=False, valid_from__lte=year, valid_to__gte=year
        )
        .select_related("strategic_area")
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.filter(in_steering_q(period_end=year_end(year)))
                .select_related("owner")
                .prefetch_related(year_targets(year)),
            )
        )
        .order_by("strategic_area__number", "code")
    )


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
    for g in goals:
        for indicator in g.indicators.all():
            set_year_target(indicator)
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


def planning_todo(*, user, year: int) -> dict:
    """What an editor should see to first: gaps in what they may change."""
    access = access_for(user)
    if not access.edits_anything:
        return {"todo_committees": [], "todo_missing_plans": []}
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
    return {"todo_committees": todo, "todo_missing_plans": missing}


def next_indicator_code(goal: DirectionGoal) -> str:
    """A free code under the goal: UN-HK-1-4 when UN-HK-1-1…3 exist."""
    taken = set(
        Indicator.objects.filter(code__startswith=f"{goal.code}-").values_list("code", flat=True)
    )
    n = goal.indicators.count() + 1
    while f"{goal.code}-{n}" in taken:
        n += 1
    return f"{goal.code}-{n}"


# --- follow-up and review -------------------------------------------------------------------


@dataclass
class RollupRow:
    unit: OrgUnit
    submission: object | None
    levels: dict = field(default_factory=dict)  # goal id -> GoalAssessment
    cells: list = field(default_factory=list)  # per goal of the page, GoalAssessment or None
    activity_counts: dict = field(default_factory=dict)  # status label -> n


def followup_context(*, occasion: ReportingOccasion, unit: OrgUnit, submission, user=None) -> dict:
    """What the follow-up page and the review page show, in a fixed number of queries.

    Once handed in, a follow-up shows what was handed in: its goals and activities are the
    ones assessed then, and its suggestions the ones stored then, whatever the plans say now.
    """
    from .cycle import SUGGESTION_RULE, activities_for, goals_for, suggest_assessment
    from .models import ActivityFollowUp, GoalAssessment, ReviewComment, Submission

    probe = submission or Submission(occasion=occasion, org_unit=unit)
    year = occasion.plan_year.year
    frozen = submission is not None and not submission.is_editable and occasion.is_follow_up
    if frozen:
        goals = [
            a.direction_goal
            for a in GoalAssessment.objects.filter(submission=submission)
            .select_related("direction_goal__strategic_area")
            .order_by("direction_goal__strategic_area__number", "direction_goal__code")
        ]
    else:
        goals = goals_for(probe)
    indicators = list(
        Indicator.objects.filter(
            in_steering_q(period_end=occasion.period_end), direction_goal__in=goals
        )
        .select_related("owner")
        .prefetch_related(year_targets(year))
        .order_by("code")
    )
    measurements = {
        m.indicator_id: m
        for m in Measurement.objects.filter(occasion=occasion, indicator__in=indicators)
    }
    by_goal: dict[int, list] = {g.pk: [] for g in goals}
    for indicator in indicators:
        set_year_target(indicator)
        indicator.outcome = measurements.get(indicator.pk)
        by_goal[indicator.direction_goal_id].append(indicator)
    for goal in goals:
        goal.plan_indicators = by_goal[goal.pk]
        goal.followup_indicators = by_goal[goal.pk] if unit.kind == OrgUnit.Kind.COMMITTEE else []
    assessments = {}
    followups = {}
    comments: dict = {}
    events = []
    if submission is not None:
        assessments = {
            a.direction_goal_id: a for a in GoalAssessment.objects.filter(submission=submission)
        }
        followups = {
            f.activity_id: f for f in ActivityFollowUp.objects.filter(submission=submission)
        }
        for c in ReviewComment.objects.filter(submission=submission).select_related(
            "author", "answered_by", "resolved_by"
        ):
            comments.setdefault(c.direction_goal_id, []).append(c)
        events = list(submission.events.select_related("actor"))
    if frozen:
        activities = [
            f.activity
            for f in ActivityFollowUp.objects.filter(submission=submission)
            .select_related("activity__direction_goal", "activity__source_deviation")
            .order_by("activity__direction_goal__code", "activity__title")
        ]
        suggestions = {gid: a.suggested_level for gid, a in assessments.items()}
    else:
        activities = activities_for(probe)
        # As cycle.suggestions_for, from the indicators, targets and outcomes loaded above.
        suggestions = {
            g.pk: suggest_assessment(
                [
                    (
                        i.outcome.value if i.outcome else None,
                        i.year_target.value if i.year_target else None,
                        i.higher_is_better,
                    )
                    for i in g.plan_indicators
                ]
            )
            for g in goals
        }
    rollup = []
    if unit.kind == OrgUnit.Kind.COMMITTEE:
        units = list(
            OrgUnit.objects.filter(
                tree_id=unit.tree_id,
                lft__gt=unit.lft,
                rght__lt=unit.rght,
                operational_plans__plan_year=occasion.plan_year,
            )
            .distinct()
            .order_by("lft")
        )
        if user is not None:
            # A unit head reading the committee's follow-up sees their own unit, not siblings.
            access = access_for(user)
            units = [u for u in units if access.covers(u)]
        unit_ids = [u.pk for u in units]
        unit_submissions = {
            s.org_unit_id: s
            for s in Submission.objects.filter(occasion=occasion, org_unit__in=unit_ids)
        }
        # The units' assessments and activity statuses in two queries, whether or not any
        # unit has started, and the statuses counted in SQL.
        levels: dict[int, dict] = {}
        for a in GoalAssessment.objects.filter(
            submission__occasion=occasion, submission__org_unit__in=unit_ids
        ):
            levels.setdefault(a.submission_id, {})[a.direction_goal_id] = a
        status_counts: dict[int, dict[str, int]] = {}
        for submission_id, status, n in (
            ActivityFollowUp.objects.filter(
                submission__occasion=occasion, submission__org_unit__in=unit_ids
            )
            .order_by()
            .values_list("submission_id", "status")
            .annotate(n=Count("pk"))
        ):
            status_counts.setdefault(submission_id, {})[status] = n
        status_labels = dict(Activity.Status.choices)
        for u in units:
            s = unit_submissions.get(u.pk)
            row = RollupRow(unit=u, submission=s)
            if s is not None:
                row.levels = levels.get(s.pk, {})
                counted = status_counts.get(s.pk, {})
                for status, label in status_labels.items():
                    if status in counted:
                        row.activity_counts[label] = counted[status]
            row.cells = [row.levels.get(g.pk) for g in goals]
            rollup.append(row)
    return {
        "goals": goals,
        "assessments": assessments,
        "suggestions": suggestions,
        "frozen": frozen,
        "suggestion_rule": SUGGESTION_RULE,
        "activities": activities,
        "followups": followups,
        "comments": comments,
        "general_comments": comments.get(None, []),
        "events": events,
        "rollup": rollup,
    }


@dataclass
class ReviewCell:
    occasion: ReportingOccasion
    submission: object | None
    overdue: bool
    counts: dict


@dataclass
class ReviewRow:
    unit: OrgUnit
    cells: list


REVIEW_UNITS_SHOWN = 50


def review_overview(*, year: int, today, user) -> dict:
    """Committees × occasions of a year: state, overdue, and counts per assessment level.

    Only what the user reviews (or administers); units' follow-ups waiting are listed too.
    """
    from .models import Assessment, GoalAssessment, Submission

    access = access_for(user)
    occasions = list(ReportingOccasion.objects.filter(plan_year__year=year).order_by("period_end"))
    committees = list(
        OrgUnit.objects.filter(access.review_q(), kind=OrgUnit.Kind.COMMITTEE).order_by("name")
    )
    submissions = {
        (s.occasion_id, s.org_unit_id): s
        for s in Submission.objects.filter(occasion__in=occasions, org_unit__in=committees)
    }
    # Counted in SQL: a large municipality's committees assess thousands of goals a year.
    level_counts: dict[int, dict[str, int]] = {}
    for submission_id, level, n in (
        GoalAssessment.objects.filter(submission__in=[s.pk for s in submissions.values()])
        .exclude(level="")
        .order_by()
        .values_list("submission_id", "level")
        .annotate(n=Count("pk"))
    ):
        level_counts.setdefault(submission_id, {})[level] = n
    done = {Submission.State.SUBMITTED, Submission.State.APPROVED, Submission.State.PUBLISHED}
    rows = []
    totals = {o.pk: {"overdue": 0, "waiting": 0} for o in occasions}
    for committee in committees:
        cells = []
        for occasion in occasions:
            s = submissions.get((occasion.pk, committee.pk))
            overdue = today > occasion.deadline and (s is None or s.state not in done)
            counts = {level: 0 for level, _label in Assessment.choices}
            if s is not None:
                counts.update(level_counts.get(s.pk, {}))
            if overdue:
                totals[occasion.pk]["overdue"] += 1
            if s is not None and s.state == Submission.State.SUBMITTED:
                totals[occasion.pk]["waiting"] += 1
            cells.append(ReviewCell(occasion, s, overdue, counts))
        rows.append(ReviewRow(committee, cells))
    waiting = Submission.objects.filter(
        access.review_q("org_unit__"),
        occasion__in=occasions,
        state__in=[Submission.State.SUBMITTED, Submission.State.APPROVED],
    ).exclude(org_unit__kind__in=[OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.MUNICIPALITY])
    # The oldest first, a bounded number: a large municipality has hundreds waiting.
    unit_waiting = list(
        waiting.select_related("occasion", "org_unit").order_by(
            "occasion__period_end", "org_unit__name"
        )[:REVIEW_UNITS_SHOWN]
    )
    return {
        "occasions": occasions,
        "rows": rows,
        "totals": totals,
        "unit_waiting": unit_waiting,
        "unit_waiting_count": waiting.count(),
    }


@dataclass
class FollowUpTodo:
    occasion: ReportingOccasion
    unit: OrgUnit
    submission: object | None
    overdue: bool
    return_reason: str = ""
    open_comments: int = 0


def followup_todo(*, user, plan_year: PlanYear | None, today) -> dict:
    """Start page: open occasions with my state, returned items with comments, drafts."""
    from .cycle import expected_units
    from .models import Submission, SubmissionEvent

    if plan_year is None:
        return {"followup_todo": [], "review_waiting": 0}
    access = access_for(user)
    occasions = [
        o
        for o in ReportingOccasion.objects.filter(plan_year=plan_year).order_by("period_end")
        if o.is_open(today)
    ]
    todo = []
    if access.edits_anything and occasions:
        # A system administrator may write anything but is not asked to write everything.
        units = (
            []
            if access.edits_everything
            else [u for u in expected_units(occasions[0]) if access.can_edit(u)]
        )
        submissions = {
            (s.occasion_id, s.org_unit_id): s
            for s in Submission.objects.filter(occasion__in=occasions, org_unit__in=units).annotate(
                open_comments=Count("comments", filter=Q(comments__resolved_at__isnull=True))
            )
        }
        returned_ids = [s.pk for s in submissions.values() if s.state == Submission.State.RETURNED]
        reasons = {}
        for event in SubmissionEvent.objects.filter(
            submission_id__in=returned_ids, action=SubmissionEvent.Action.RETURN
        ).order_by("at"):
            reasons[event.submission_id] = event.reason
        for occasion in occasions:
            for unit in units:
                s = submissions.get((occasion.pk, unit.pk))
                if s is not None and s.state not in (
                    Submission.State.DRAFT,
                    Submission.State.RETURNED,
                ):
                    continue
                todo.append(
                    FollowUpTodo(
                        occasion=occasion,
                        unit=unit,
                        submission=s,
                        overdue=today > occasion.deadline,
                        return_reason=reasons.get(s.pk, "") if s else "",
                        open_comments=s.open_comments if s else 0,
                    )
                )
    waiting = 0
    if access.reviews_anything:
        waiting = Submission.objects.filter(
            access.review_q("org_unit__"),
            occasion__plan_year=plan_year,
            state=Submission.State.SUBMITTED,
        ).count()
    return {"followup_todo": todo, "review_waiting": waiting}

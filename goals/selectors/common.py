"""Shared reads: plan years, the goals, activities and plans a user sees, indicators in steering."""

import datetime

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from ..models import (
    Activity,
    DirectionGoal,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    Target,
)
from ..permissions import Access, access_for
from ..rules import outcome_status


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


def latest_outcome(year: int) -> Prefetch:
    """Prefetch an indicator's latest outcome up to the end of `year` (as .outcomes_until_year).

    One query (a sliced prefetch, a window in SQL), whatever the number of indicators. The
    outcome carries its occasion's name and year and the target of that same year, so that it
    is judged against the target it was meant to reach, not a later year's.
    """
    return Prefetch(
        "measurements",
        queryset=Measurement.objects.filter(occasion__plan_year__year__lte=year)
        .annotate(
            occasion_name=F("occasion__name"),
            occasion_year=F("occasion__plan_year__year"),
            year_target_value=Subquery(
                Target.objects.filter(
                    indicator=OuterRef("indicator_id"), year=OuterRef("occasion__plan_year__year")
                ).values("value")[:1]
            ),
        )
        .order_by("-occasion__period_end", "-occasion_id")[:1],
        to_attr="outcomes_until_year",
    )


def set_outcome_status(indicator, outcome=None) -> None:
    """indicator.latest_outcome and .outcome_status: the outcome (default: the prefetched
    latest_outcome) judged against the target of its own year by rules.outcome_status.

    `outcome` needs .value, .occasion_name, .occasion_year and .year_target_value.
    """
    if outcome is None and getattr(indicator, "outcomes_until_year", None):
        outcome = indicator.outcomes_until_year[0]
    indicator.latest_outcome = outcome
    indicator.outcome_status = outcome_status(
        value=outcome.value if outcome else None,
        target=outcome.year_target_value if outcome else None,
        higher_is_better=indicator.higher_is_better,
    )


def latest_by_year(measurements) -> dict:
    """Per plan year: the latest of already read outcomes (with occasion__plan_year)."""
    latest = {}
    for m in sorted(measurements, key=lambda m: (m.occasion.period_end, m.occasion_id)):
        latest[m.occasion.plan_year.year] = m
    return latest


def set_outcome_status_from(indicator, *, measurements, targets, year: int) -> None:
    """set_outcome_status from an indicator's outcomes and targets already read (a page that
    lists them all): the latest outcome up to `year`, against the target of its own year."""
    latest = latest_by_year(measurements)
    years = [y for y in latest if y <= year]
    outcome = latest[max(years)] if years else None
    if outcome is not None:
        outcome.occasion_name = outcome.occasion.name
        outcome.occasion_year = outcome.occasion.plan_year.year
        outcome.year_target_value = next(
            (t.value for t in targets if t.year == outcome.occasion_year), None
        )
    set_outcome_status(indicator, outcome)


def current_plan_year() -> PlanYear | None:
    return PlanYear.objects.filter(is_current=True).first() or PlanYear.objects.first()


def plan_years() -> list[PlanYear]:
    return list(PlanYear.objects.order_by("-year"))


def committees_visible_to(*, user=None, access: Access | None = None) -> QuerySet[OrgUnit]:
    """The committees a user (or an explicit access, e.g. a report's) plans under."""
    access = access or access_for(user)
    return OrgUnit.objects.filter(access.committee_q()).order_by("name")


def direction_goals_visible_to(
    *,
    user=None,
    access: Access | None = None,
    year: int | None = None,
    committee: OrgUnit | None = None,
) -> QuerySet[DirectionGoal]:
    access = access or access_for(user)
    goals = DirectionGoal.objects.filter(access.committee_q("committee__"), archived=False)
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


def plans_visible_to(*, user, year: int | None = None) -> QuerySet[OperationalPlan]:
    plans = OperationalPlan.objects.filter(access_for(user).subtree_q("org_unit__"))
    if year is not None:
        plans = plans.filter(plan_year__year=year)
    return plans.select_related("org_unit", "plan_year").annotate(
        activity_count=Count("activities")
    )


def _indicator_prefetch(year: int) -> Prefetch:
    return Prefetch(
        "indicators",
        queryset=Indicator.objects.filter(in_steering_q(period_end=year_end(year)))
        .select_related("owner")
        .prefetch_related(
            year_targets(year),
            latest_outcome(year),
        ),
    )

"""The måluppfyllelse overview (/oversikt/): assessments per strategiområde and per nämnd.

A goal is counted as the municipality's report counts it (reporting.sections): a handed-in
follow-up by the goals it assessed, any other by the committee's goals of the year; mid-year
the year-end forecast where one is given, else the current assessment; nothing handed in
reads as Ej bedömt. Each committee keeps its submission's state, so that preliminary
figures are never shown as if they were published.
"""

from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Prefetch

from ..charts import TrendPoint
from ..kolada import RIKET_ID
from ..models import (
    ASSESSMENT_SYMBOLS,
    Activity,
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OrgUnit,
    ReferenceValue,
    ReportingOccasion,
    StrategicArea,
    Submission,
    Target,
)
from ..permissions import Access, subtree_q, tree_order
from ..rules import TARGET_STATUSES, target_status
from .common import in_steering_q, latest_by_year, set_year_target, year_targets

LEVELS = [
    Assessment.FULFILLED,
    Assessment.PARTLY,
    Assessment.NOT_FULFILLED,
    Assessment.NOT_ASSESSED,
]
STATUS_BY_KEY = {s.key: s for s in TARGET_STATUSES}
State = Submission.State


def summary_level(assessment: GoalAssessment | None, *, mid_year: bool) -> str:
    """The level the report's summary counts for one goal."""
    if assessment is None:
        return Assessment.NOT_ASSESSED
    forecast = assessment.forecast_level
    if mid_year and forecast and forecast != Assessment.NOT_ASSESSED:
        return forecast
    return assessment.level or Assessment.NOT_ASSESSED


@dataclass
class GoalRow:
    goal: DirectionGoal
    committee: OrgUnit
    level: str
    assessment: GoalAssessment | None
    published: bool

    @property
    def justification(self) -> str:
        """Why the goal is assessed so: the justification, else the comment."""
        if self.assessment is None:
            return ""
        return self.assessment.justification or self.assessment.comment

    @property
    def symbol(self) -> str:
        return ASSESSMENT_SYMBOLS[self.level]

    @property
    def label(self) -> str:
        return str(Assessment(self.level).label)


@dataclass
class CountRow:
    """One row of a chart and its table: a label, a drill-down key and counts per level."""

    label: str
    key: str
    counts: dict = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    state: str = ""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def cells(self) -> list[tuple[str, int]]:
        return [(level, self.counts[level]) for level in LEVELS]


@dataclass
class Overview:
    occasions: list[ReportingOccasion]
    occasion: ReportingOccasion | None
    committees: list[OrgUnit] = field(default_factory=list)
    submissions: dict = field(default_factory=dict)  # committee id -> Submission
    goals: list[GoalRow] = field(default_factory=list)
    areas: list[StrategicArea] = field(default_factory=list)

    @property
    def published_count(self) -> int:
        return sum(1 for s in self.submissions.values() if s.state == State.PUBLISHED)

    @property
    def all_published(self) -> bool:
        return bool(self.committees) and self.published_count == len(self.committees)

    def state_label(self, committee: OrgUnit) -> str:
        submission = self.submissions.get(committee.pk)
        return submission.get_state_display() if submission else "Ej påbörjad"

    def by_area(self, goals: list[GoalRow]) -> list[CountRow]:
        rows = {a.number: CountRow(f"{a.number}. {a.name}", str(a.number)) for a in self.areas}
        for row in goals:
            rows[row.goal.strategic_area.number].counts[row.level] += 1
        return list(rows.values())

    def by_committee(self, goals: list[GoalRow]) -> list[CountRow]:
        rows = {
            c.pk: CountRow(c.name, c.code, state=str(self.state_label(c))) for c in self.committees
        }
        for row in goals:
            rows[row.committee.pk].counts[row.level] += 1
        return list(rows.values())

    def not_met_first(self, goals: list[GoalRow]) -> list[GoalRow]:
        order = {level: i for i, level in enumerate(LEVELS)}
        return sorted(
            goals,
            key=lambda r: (
                r.level != Assessment.NOT_FULFILLED,
                r.level != Assessment.PARTLY,
                order[r.level],
                r.goal.code,
            ),
        )


def overview_occasions() -> tuple[list[ReportingOccasion], ReportingOccasion | None]:
    """The follow-up occasions, newest first, and the default: the latest with a published
    committee follow-up (else the latest)."""
    published = Submission.objects.filter(
        occasion=OuterRef("pk"),
        state=State.PUBLISHED,
        org_unit__kind=OrgUnit.Kind.COMMITTEE,
    )
    occasions = list(
        ReportingOccasion.objects.exclude(kind=ReportingOccasion.Kind.OPERATIONAL_PLAN)
        .select_related("plan_year")
        .annotate(has_published=Exists(published))
        .order_by("-period_end", "-pk")
    )
    default = next((o for o in occasions if o.has_published), None)
    return occasions, default or (occasions[0] if occasions else None)


def overview(*, access: Access, occasion: ReportingOccasion | None, occasions) -> Overview:
    """Every goal of the committees the user sees, with the level the report counts."""
    result = Overview(occasions=occasions, occasion=occasion)
    result.areas = list(StrategicArea.objects.order_by("number"))
    if occasion is None:
        return result
    year = occasion.plan_year.year
    result.committees = list(OrgUnit.objects.filter(access.committee_q()).order_by(*tree_order()))
    by_pk = {c.pk: c for c in result.committees}
    result.submissions = {
        s.org_unit_id: s for s in Submission.objects.filter(occasion=occasion, org_unit__in=by_pk)
    }
    frozen = {pk for pk, s in result.submissions.items() if not s.is_editable}
    assessments = {}
    for a in GoalAssessment.objects.filter(
        submission__in=result.submissions.values()
    ).select_related("direction_goal__strategic_area"):
        assessments[(a.submission_id, a.direction_goal_id)] = a
    submission_of = {s.pk: pk for pk, s in result.submissions.items()}
    goals: list[tuple[int, DirectionGoal]] = []
    for (submission_id, _goal_id), a in assessments.items():
        if submission_of[submission_id] in frozen:
            goals.append((submission_of[submission_id], a.direction_goal))
    live = [pk for pk in by_pk if pk not in frozen]
    if live:
        for goal in DirectionGoal.objects.filter(
            archived=False, valid_from__lte=year, valid_to__gte=year, committee__in=live
        ).select_related("strategic_area"):
            goals.append((goal.committee_id, goal))
    mid_year = occasion.is_mid_year
    for committee_id, goal in goals:
        submission = result.submissions.get(committee_id)
        a = assessments.get((submission.pk, goal.pk)) if submission else None
        result.goals.append(
            GoalRow(
                goal=goal,
                committee=by_pk[committee_id],
                level=summary_level(a, mid_year=mid_year),
                assessment=a,
                published=bool(submission and submission.state == State.PUBLISHED),
            )
        )
    order = {c.pk: i for i, c in enumerate(result.committees)}
    result.goals.sort(
        key=lambda r: (order[r.committee.pk], r.goal.strategic_area.number, r.goal.code)
    )
    return result


@dataclass
class IndicatorRow:
    indicator: Indicator
    target: object
    outcome: object
    status: object  # rules.TargetStatus
    # The years up to the occasion's: outcome, target and Riket (charts.TrendPoint).
    trend: list = field(default_factory=list)

    @property
    def has_riket(self) -> bool:
        return any(p.riket is not None for p in self.trend)


# The overview's trend shows this many years, the occasion's year the last.
TREND_YEARS = 5
# The activities listed at a goal; the rest are counted.
GOAL_ACTIVITIES_SHOWN = 50


def _trend(indicator, *, occasion: ReportingOccasion) -> list[TrendPoint]:
    """Per year up to the occasion's: the latest outcome of the year (this year's at the
    occasion), the year's target and Riket's value, from what was prefetched."""
    year = occasion.plan_year.year
    outcomes = latest_by_year(
        m for m in indicator.trend_measurements if m.occasion.period_end <= occasion.period_end
    )
    targets = {t.year: t.value for t in indicator.trend_targets}
    riket = {r.year: r.value for r in indicator.trend_riket}
    years = sorted({*outcomes, *targets, *riket} & set(range(year - TREND_YEARS + 1, year + 1)))
    return [
        TrendPoint(
            year=y,
            outcome=outcomes[y].value if y in outcomes else None,
            target=targets.get(y),
            riket=riket.get(y),
        )
        for y in years
    ]


def goal_drilldown(*, access: Access, occasion: ReportingOccasion, goal: DirectionGoal) -> dict:
    """One goal at the occasion: its indicators (target, outcome, reached, the trend over the
    years with Riket where Kolada has it), the assessments its units handed in and the
    activities of the year's unit plans that serve it. A fixed number of queries."""
    year = occasion.plan_year.year
    first_year = year - TREND_YEARS + 1
    indicators = list(
        Indicator.objects.filter(in_steering_q(period_end=occasion.period_end), direction_goal=goal)
        .prefetch_related(
            year_targets(year),
            Prefetch(
                "targets",
                queryset=Target.objects.filter(year__gte=first_year, year__lte=year),
                to_attr="trend_targets",
            ),
            Prefetch(
                "measurements",
                queryset=Measurement.objects.filter(
                    occasion__plan_year__year__gte=first_year,
                    occasion__period_end__lte=occasion.period_end,
                ).select_related("occasion__plan_year"),
                to_attr="trend_measurements",
            ),
            Prefetch(
                "reference_values",
                queryset=ReferenceValue.objects.filter(
                    area_code=RIKET_ID, year__gte=first_year, year__lte=year
                ),
                to_attr="trend_riket",
            ),
        )
        .order_by("code")
    )
    rows = []
    for indicator in indicators:
        set_year_target(indicator)
        target = indicator.year_target.value if indicator.year_target else None
        outcome = next(
            (m for m in indicator.trend_measurements if m.occasion_id == occasion.pk), None
        )
        value = outcome.value if outcome else None
        key = target_status(value=value, target=target, higher_is_better=indicator.higher_is_better)
        rows.append(
            IndicatorRow(
                indicator,
                target,
                value,
                STATUS_BY_KEY[key],
                trend=_trend(indicator, occasion=occasion),
            )
        )
    unit_assessments = [
        a
        for a in GoalAssessment.objects.filter(
            direction_goal=goal,
            submission__occasion=occasion,
        )
        .exclude(submission__org_unit_id=goal.committee_id)
        .filter(subtree_q(goal.committee, "submission__org_unit__"))
        .select_related("submission__org_unit")
        .order_by("submission__org_unit__name")
        if access.sees_followup(a.submission.org_unit)
    ]
    activities = Activity.objects.filter(
        access.subtree_q("plan__org_unit__"), direction_goal=goal, plan__plan_year__year=year
    )
    shown = list(
        activities.annotate(unit_name=F("plan__org_unit__name")).order_by(
            "plan__org_unit__name", "title"
        )[:GOAL_ACTIVITIES_SHOWN]
    )
    status_labels = {value: str(label) for value, label in Activity.Status.choices}
    for activity in shown:
        activity.status_label = status_labels.get(activity.status, activity.status)
    return {
        "indicators": rows,
        "has_riket": any(r.has_riket for r in rows),
        "unit_assessments": unit_assessments,
        "activities": shown,
        "activity_count": activities.count() if len(shown) == GOAL_ACTIVITIES_SHOWN else len(shown),
    }


def start_overview_for(*, access: Access) -> Overview | None:
    """The start page's lead for those who follow the whole (readers, reviewers,
    administrators): the overview at its default occasion, the latest with a published
    committee follow-up. None for those who edit a committee's or a unit's plans, and when
    no occasion has anything published yet."""
    if access.edits_anything and not access.reviews_anything:
        return None
    occasions, default = overview_occasions()
    if default is None or not default.has_published:
        return None
    data = overview(access=access, occasion=default, occasions=occasions)
    return data if data.committees else None

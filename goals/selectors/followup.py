"""Follow-up and review reads: what a submission covers, the follow-up page, the review overview."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from ..models import (
    Activity,
    ActivityFollowUp,
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    ReportingOccasion,
    ReviewComment,
    Submission,
)
from ..permissions import access_for, subtree_q, tree_order
from ..rules import SUGGESTION_RULE, TARGET_STATUSES, followup_state, suggest_assessment
from .common import in_steering_q, set_year_target, year_targets

ASSESSMENT_LEVELS = tuple(level for level, _label in Assessment.choices)


def goals_for(submission: Submission) -> list[DirectionGoal]:
    """A committee assesses its goals of the year; a unit those its activities serve."""
    year = submission.occasion.plan_year.year
    unit = submission.org_unit
    goals = DirectionGoal.objects.filter(archived=False, valid_from__lte=year, valid_to__gte=year)
    if unit.kind == OrgUnit.Kind.COMMITTEE:
        goals = goals.filter(committee=unit)
    else:
        goals = goals.filter(
            activities__plan__org_unit=unit, activities__plan__plan_year__year=year
        ).distinct()
    return list(goals.select_related("strategic_area").order_by("strategic_area__number", "code"))


def activities_for(submission: Submission) -> list[Activity]:
    if submission.org_unit.kind == OrgUnit.Kind.COMMITTEE:
        return []
    return list(
        Activity.objects.filter(
            plan__org_unit=submission.org_unit,
            plan__plan_year=submission.occasion.plan_year,
        )
        .select_related("direction_goal", "source_deviation")
        .order_by("direction_goal__code", "title")
    )


def is_expected(occasion: ReportingOccasion, unit: OrgUnit) -> bool:
    """Whether `unit` is among expected_units(occasion), without listing them all."""
    if unit.kind == OrgUnit.Kind.COMMITTEE:
        return True
    if unit.kind == OrgUnit.Kind.MUNICIPALITY:
        return False
    return OperationalPlan.objects.filter(
        org_unit=unit, plan_year_id=occasion.plan_year_id
    ).exists()


def expected_units(occasion: ReportingOccasion) -> list[OrgUnit]:
    """Who reports at an occasion: every committee, and every unit with a plan that year."""
    committees = list(OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE).order_by("name"))
    units = list(
        OrgUnit.objects.filter(operational_plans__plan_year=occasion.plan_year)
        .exclude(kind__in=[OrgUnit.Kind.COMMITTEE, OrgUnit.Kind.MUNICIPALITY])
        .distinct()
        .order_by(*tree_order())
    )
    return committees + units


def suggestions_for(submission: Submission) -> dict[int, str]:
    """The suggested assessment per goal from the indicators' targets and outcomes."""
    goals = goals_for(submission)
    year = submission.occasion.plan_year.year
    indicators = Indicator.objects.filter(
        in_steering_q(period_end=submission.occasion.period_end), direction_goal__in=goals
    ).prefetch_related("targets")
    outcomes = dict(
        Measurement.objects.filter(
            occasion=submission.occasion, indicator__in=indicators
        ).values_list("indicator_id", "value")
    )
    pairs: dict[int, list] = {g.pk: [] for g in goals}
    for indicator in indicators:
        target = next((t.value for t in indicator.targets.all() if t.year == year), None)
        pairs[indicator.direction_goal_id].append(
            (outcomes.get(indicator.pk), target, indicator.higher_is_better)
        )
    return {goal_id: suggest_assessment(p) for goal_id, p in pairs.items()}


@dataclass(frozen=True)
class Gap:
    """One thing that must be filled in before a follow-up can be handed in.

    `text` names it in a list ("UN-HK-1: bedömning saknas"); `error` is said under its field;
    the field is `field` of the goal's assessment (goal_id) or of the activity's follow-up
    (activity_id).
    """

    text: str
    error: str
    field: str
    goal_id: int | None = None
    activity_id: int | None = None


def submit_gaps(*, occasion: ReportingOccasion, goals, assessments: dict, activities, followed):
    """Every gap at once, per goal every field: a hand-in should take one refusal, not one
    per rule.

    `assessments`: goal id -> a GoalAssessment (saved, or unsaved from the values as typed);
    `followed`: the ids of the activities that have a status.
    """
    gaps = []
    if not occasion.is_follow_up:
        return gaps  # the plan itself is what is handed in
    for goal in goals:
        assessment = assessments.get(goal.pk)
        level = assessment.level if assessment is not None else ""
        if not level:
            gaps.append(
                Gap(f"{goal.code}: bedömning saknas", "Välj en bedömning.", "level", goal.pk)
            )
        elif assessment.overridden and not assessment.justification.strip():
            gaps.append(
                Gap(
                    f"{goal.code}: motivering till avvikande bedömning saknas",
                    "Motivera varför bedömningen avviker från den föreslagna "
                    f"({Assessment(assessment.suggested_level).label}).",
                    "justification",
                    goal.pk,
                )
            )
        if occasion.is_mid_year and not (assessment is not None and assessment.forecast_level):
            gaps.append(
                Gap(
                    f"{goal.code}: prognos för helåret saknas",
                    "Välj en prognos för helåret.",
                    "forecast_level",
                    goal.pk,
                )
            )
    for activity in activities:
        if activity.pk not in followed:
            gaps.append(
                Gap(
                    f"Aktiviteten ”{activity.title}”: status saknas",
                    "Välj en status.",
                    "status",
                    activity_id=activity.pk,
                )
            )
    return gaps


def saved_gaps(submission: Submission, *, loaded: dict | None = None) -> list[Gap]:
    """What the saved follow-up lacks before it can be submitted.

    `loaded`: the follow-up page's selectors.followup_context of this (editable) submission,
    whose goals, assessments, activities and follow-ups are then not read again.
    """
    if not submission.occasion.is_follow_up:
        return []
    if loaded is not None:
        return submit_gaps(
            occasion=submission.occasion,
            goals=loaded["goals"],
            assessments=loaded["assessments"],
            activities=loaded["activities"],
            followed=set(loaded["followups"]),
        )
    return submit_gaps(
        occasion=submission.occasion,
        goals=goals_for(submission),
        assessments={
            a.direction_goal_id: a for a in GoalAssessment.objects.filter(submission=submission)
        },
        activities=activities_for(submission),
        followed=set(
            ActivityFollowUp.objects.filter(submission=submission).values_list(
                "activity_id", flat=True
            )
        ),
    )


def missing_for_submit(submission: Submission, *, loaded: dict | None = None) -> list[str]:
    """What must be filled in before the follow-up can be submitted, in words."""
    return [gap.text for gap in saved_gaps(submission, loaded=loaded)]


@dataclass
class RollupRow:
    unit: OrgUnit
    submission: object | None
    levels: dict = field(default_factory=dict)  # goal id -> GoalAssessment
    cells: list = field(default_factory=list)  # per goal of the page, GoalAssessment or None
    activity_counts: dict = field(default_factory=dict)  # status label -> n
    state: object = None  # rules.FollowUpState


def followup_context(*, occasion: ReportingOccasion, unit: OrgUnit, submission, user=None) -> dict:
    """What the follow-up page and the review page show, in a fixed number of queries.

    Once handed in, a follow-up shows what was handed in: its goals and activities are the
    ones assessed then, and its suggestions the ones stored then, whatever the plans say now.
    """

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
    # This occasion's outcomes and last year's (its annual report's) in one query.
    measurements, last_year = {}, {}
    for m in Measurement.objects.filter(
        Q(occasion=occasion)
        | Q(
            occasion__plan_year__year=year - 1,
            occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT,
        ),
        indicator__in=indicators,
    ):
        (measurements if m.occasion_id == occasion.pk else last_year)[m.indicator_id] = m
    by_goal: dict[int, list] = {g.pk: [] for g in goals}
    for indicator in indicators:
        set_year_target(indicator)
        indicator.outcome = measurements.get(indicator.pk)
        indicator.last_year_outcome = last_year.get(indicator.pk)
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
            "author", "answered_by", "resolved_by", "direction_goal"
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
        # As suggestions_for, from the indicators, targets and outcomes loaded above.
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
                subtree_q(unit, include_self=False),
                operational_plans__plan_year=occasion.plan_year,
            )
            .distinct()
            .order_by(*tree_order())
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
            row = RollupRow(
                unit=u, submission=s, state=followup_state(occasion=occasion, unit=u, submission=s)
            )
            if s is not None:
                row.levels = levels.get(s.pk, {})
                counted = status_counts.get(s.pk, {})
                for status, label in status_labels.items():
                    if status in counted:
                        row.activity_counts[label] = counted[status]
            row.cells = [row.levels.get(g.pk) for g in goals]
            rollup.append(row)
    return {
        "state": followup_state(occasion=occasion, unit=unit, submission=submission),
        "goals": goals,
        "assessments": assessments,
        "suggestions": suggestions,
        "frozen": frozen,
        "suggestion_rule": SUGGESTION_RULE,
        "last_year": year - 1,
        "target_statuses": TARGET_STATUSES,
        "assessment_levels": ASSESSMENT_LEVELS,
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
    rows = []
    totals = {o.pk: {"overdue": 0, "waiting": 0} for o in occasions}
    for committee in committees:
        cells = []
        for occasion in occasions:
            s = submissions.get((occasion.pk, committee.pk))
            state = followup_state(occasion=occasion, unit=committee, submission=s, today=today)
            overdue = state.overdue
            counts = {level: 0 for level, _label in Assessment.choices}
            if s is not None:
                s.occasion = occasion  # loaded already; its lateness needs it
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

"""One committee's section of a report as plain data: goals, indicators, activities, economy."""

from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from core.bidi import isolate
from goals.kolada import RIKET_ID
from goals.models import (
    Activity,
    ActivityFollowUp,
    Assessment,
    DirectionGoal,
    Measurement,
    OperationalPlan,
    OrgUnit,
    Priority,
    ReferenceValue,
    ReportingOccasion,
    Submission,
    SubmissionEvent,
    Target,
)
from goals.permissions import is_within, tree_position
from goals.rules import followup_state, indicator_reaches_target
from governance.selectors import report_assignments
from internal_control.selectors import report_internal_control

from .phrases import LEVELS, counted, level_info, prose_date, summary_sentence

Kind = ReportingOccasion.Kind
State = Submission.State

ACTIVITY_STATUS_LABELS = dict(Activity.Status.choices)


NOT_HANDED_IN = "inte inlämnad"


def state_words(*, occasion, unit, submission) -> str:
    """A follow-up's state in the words of goals.rules.followup_state; a follow-up not handed
    in says so, so that a published report never reads "Ej påbörjad" as if that were final."""
    state = followup_state(occasion=occasion, unit=unit, submission=submission)
    if state.done or not occasion.is_follow_up:
        return state.label
    return f"{state.label} – {NOT_HANDED_IN}"


def decimal_text(value) -> str | None:
    """A Decimal as text ("85.50"), None as None."""
    return None if value is None else str(value)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local_date(moment) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date().isoformat()


class Extras:
    """What followup_context does not carry, fetched once for every committee of the report."""

    def __init__(self, *, occasion, committees, contexts):
        self.occasion = occasion
        year = occasion.plan_year.year
        goals = [g for c in committees for g in contexts[c.pk]["goals"]]
        goal_ids = [g.pk for g in goals]
        self.links = {
            g.pk: g
            for g in DirectionGoal.objects.filter(pk__in=goal_ids).prefetch_related(
                "overarching_goals", "strategies"
            )
        }
        indicator_ids = [i.pk for g in goals for i in g.plan_indicators]
        self.annual_outcomes: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for indicator_id, y, value in Measurement.objects.filter(
            indicator__in=indicator_ids,
            occasion__kind=Kind.ANNUAL_REPORT,
            occasion__plan_year__year__lt=year,
        ).values_list("indicator_id", "occasion__plan_year__year", "value"):
            self.annual_outcomes[indicator_id][y] = value
        # Riket's comparison value (Kolada 0000): the latest year up to the report's.
        self.riket: dict[int, tuple[int, Decimal]] = {}
        for indicator_id, y, value in (
            ReferenceValue.objects.filter(
                indicator__in=indicator_ids, area_code=RIKET_ID, year__lte=year
            )
            .order_by("year")
            .values_list("indicator_id", "year", "value")
        ):
            self.riket[indicator_id] = (y, value)
        self.targets: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for indicator_id, y, value in Target.objects.filter(
            indicator__in=indicator_ids
        ).values_list("indicator_id", "year", "value"):
            self.targets[indicator_id][y] = value
        self.activities: dict[int, list[Activity]] = defaultdict(list)
        activities = list(
            Activity.objects.filter(direction_goal__in=goal_ids, plan__plan_year=occasion.plan_year)
            .select_related("plan__org_unit", "source_deviation")
            .order_by("plan__org_unit__name", "title", "pk")
        )
        for activity in activities:
            self.activities[activity.direction_goal_id].append(activity)
        self.followups = {
            f.activity_id: f
            for f in ActivityFollowUp.objects.filter(
                submission__occasion=occasion, activity__in=[a.pk for a in activities]
            )
        }
        self.plans = {
            p.org_unit_id: p
            for p in OperationalPlan.objects.filter(plan_year=occasion.plan_year).select_related(
                "org_unit"
            )
        }
        committee_ids = [c.pk for c in committees]
        self.priorities: dict[int, list[Priority]] = defaultdict(list)
        self.previous_priorities: dict[int, list[Priority]] = defaultdict(list)
        if occasion.kind == Kind.ANNUAL_REPORT:
            for p in (
                Priority.objects.filter(
                    submission__occasion=occasion, submission__org_unit__in=committee_ids
                )
                .select_related("direction_goal", "submission")
                .order_by("direction_goal__code", "pk")
            ):
                self.priorities[p.submission.org_unit_id].append(p)
        if occasion.kind == Kind.OPERATIONAL_PLAN:
            for p in (
                Priority.objects.filter(
                    submission__org_unit__in=committee_ids,
                    submission__occasion__plan_year__year=year - 1,
                    submission__occasion__kind=Kind.ANNUAL_REPORT,
                    submission__state__in=[State.APPROVED, State.PUBLISHED],
                )
                .select_related("direction_goal", "submission")
                .order_by("direction_goal__code", "pk")
            ):
                self.previous_priorities[p.submission.org_unit_id].append(p)
        self.published_at = dict(
            SubmissionEvent.objects.filter(
                submission__occasion=occasion,
                submission__org_unit__in=committee_ids,
                action=SubmissionEvent.Action.PUBLISH,
            ).values_list("submission__org_unit_id", "at")
        )
        self.assignments = report_assignments(occasion=occasion, committees=committees)
        # The economy's comparisons: the latest forecast before this occasion in the same
        # year, and last year's outcome (its Verksamhetsberättelse).
        self.previous_forecast: dict[int, Decimal] = {}
        for unit_id, value in (
            Submission.objects.filter(
                org_unit__in=committee_ids,
                occasion__plan_year=occasion.plan_year,
                occasion__period_end__lt=occasion.period_end,
                forecast_tkr__isnull=False,
            )
            .order_by("occasion__period_end")
            .values_list("org_unit_id", "forecast_tkr")
        ):
            self.previous_forecast[unit_id] = value
        self.previous_year_outcome = dict(
            Submission.objects.filter(
                org_unit__in=committee_ids,
                occasion__plan_year__year=year - 1,
                occasion__kind=Kind.ANNUAL_REPORT,
                outcome_tkr__isnull=False,
            ).values_list("org_unit_id", "outcome_tkr")
        )

        self.internal_control = report_internal_control(occasion=occasion, committees=committees)


def _activity_rows(goal, info, extras) -> list[dict]:
    rows = []
    for activity in extras.activities.get(goal.pk, []):
        followup = extras.followups.get(activity.pk) if info["is_follow_up"] else None
        status = followup.status if followup else activity.status
        row = {
            "title": activity.title,
            "description": activity.description,
            "unit": activity.plan.org_unit.name,
            "responsible": activity.responsible,
            "starts_on": activity.starts_on.isoformat() if activity.starts_on else None,
            "ends_on": activity.ends_on.isoformat() if activity.ends_on else None,
            "status": status,
            "status_label": ACTIVITY_STATUS_LABELS.get(status, status),
            "status_source": "uppföljning" if followup else "plan",
            "comment": followup.comment if followup else "",
        }
        deviation = _source_deviation(activity)
        if deviation is not None:
            # Only where there is one: other rows (and their fingerprints) stay as they were.
            row["from_deviation"] = {
                "date": deviation.occurred_on.isoformat(),
                "text": deviation.title,
            }
        rows.append(row)
    return rows


def _source_deviation(activity):
    """The quality deviation the activity was lifted from (select_related), or None."""
    try:
        return activity.source_deviation
    except Activity.source_deviation.RelatedObjectDoesNotExist:
        return None


def _trend(outcome, previous, *, higher_is_better: bool) -> dict | None:
    """The change since last year's outcome, and whether it is good news: the indicator's
    direction decides ("Personalomsättning ↓" is better), never the colour alone."""
    if outcome is None or previous is None:
        return None
    if outcome == previous:
        return {"arrow": "→", "word": "oförändrat", "verdict": "same", "verdict_word": ""}
    rising = outcome > previous
    better = rising == higher_is_better
    return {
        "arrow": "↑" if rising else "↓",
        "word": "ökar" if rising else "minskar",
        "verdict": "better" if better else "worse",
        "verdict_word": "bättre" if better else "sämre",
    }


def _indicator_row(indicator, info, extras) -> dict:
    year = info["year"]
    annual = extras.annual_outcomes.get(indicator.pk, {})
    targets = extras.targets.get(indicator.pk, {})
    target = indicator.year_target.value if indicator.year_target else None
    measurement = indicator.outcome
    outcome = measurement.value if measurement else None
    if outcome is None:
        status = {"level": "not_assessed", "symbol": "–", "label": "Ej mätbart"}
    elif target is None:
        status = {"level": "not_assessed", "symbol": "–", "label": "Ej bedömt"}
    elif indicator_reaches_target(
        value=outcome, target=target, higher_is_better=indicator.higher_is_better
    ):
        status = level_info(Assessment.FULFILLED)
    else:
        status = level_info(Assessment.NOT_FULFILLED)
    return {
        "code": indicator.code,
        "name": indicator.name,
        "unit": indicator.unit_of_measure,
        "higher_is_better": indicator.higher_is_better,
        "source": indicator.source,
        "baseline_year": indicator.baseline_year,
        "baseline_value": decimal_text(indicator.baseline_value),
        "previous": [
            {"year": y, "value": decimal_text(annual.get(y))} for y in range(year - 2, year)
        ],
        "targets": {str(y): decimal_text(v) for y, v in sorted(targets.items())},
        "target": decimal_text(target),
        "outcome": decimal_text(outcome),
        "outcome_comment": measurement.comment if measurement else "",
        "forecast": decimal_text(getattr(measurement, "forecast", None))
        if info["is_mid_year"]
        else None,
        "riket": (
            {"year": riket[0], "value": decimal_text(riket[1])}
            if (riket := extras.riket.get(indicator.pk))
            else None
        ),
        "status": status,
        "trend": _trend(outcome, annual.get(year - 1), higher_is_better=indicator.higher_is_better),
    }


def _comment_row(comment, goal_codes) -> dict:
    return {
        "goal": goal_codes.get(comment.direction_goal_id, ""),
        "text": comment.text,
        "author": _person(comment.author),
        "created_on": _local_date(comment.created_at),
        "answer": comment.answer,
        "answered_by": _person(comment.answered_by),
        "answered_on": _local_date(comment.answered_at),
        "resolved_on": _local_date(comment.resolved_at),
    }


def _summary_level(assessment: dict | None, info) -> str:
    """The level the summary counts: the forecast mid-year (else the current level)."""
    if assessment is None:
        return Assessment.NOT_ASSESSED
    if info["is_mid_year"] and assessment["forecast"]["level"] != Assessment.NOT_ASSESSED:
        return assessment["forecast"]["level"]
    return assessment["current"]["level"]


def committee_section(*, info, committee, submission, context, extras) -> dict:
    goals = context["goals"]
    assessments = context["assessments"]
    goal_codes = {g.pk: g.code for g in goals}
    areas: list[dict] = []
    goal_rows = []
    for goal in goals:
        linked = extras.links[goal.pk]
        indicators = [_indicator_row(i, info, extras) for i in goal.plan_indicators]
        assessment = None
        if info["is_follow_up"]:
            a = assessments.get(goal.pk)
            measurable = any(i["outcome"] is not None for i in indicators)
            level = a.level if a else ""
            assessment = {
                "handed_in": bool(a and a.level),
                "current": level_info(level, measurable=measurable),
                "forecast": level_info(a.forecast_level if a else "", forecast=True),
                "suggested": level_info(a.suggested_level) if a and a.suggested_level else None,
                "overridden": bool(a and a.overridden),
                "justification": a.justification if a else "",
                "comment": a.comment if a else "",
            }
        row = {
            "code": goal.code,
            "title": goal.title,
            "description": linked.description,
            "area": goal.strategic_area.number,
            "overarching_goals": [
                {"number": g.number, "text": g.text} for g in linked.overarching_goals.all()
            ],
            "strategies": [{"number": s.number, "text": s.text} for s in linked.strategies.all()],
            "indicators": indicators,
            "assessment": assessment,
            "activities": _activity_rows(goal, info, extras),
            "comments": [_comment_row(c, goal_codes) for c in context["comments"].get(goal.pk, [])],
        }
        row["summary_level"] = _summary_level(assessment, info) if info["is_follow_up"] else None
        goal_rows.append(row)
        if not areas or areas[-1]["number"] != goal.strategic_area.number:
            areas.append(
                {
                    "number": goal.strategic_area.number,
                    "name": goal.strategic_area.name,
                    "goals": [],
                }
            )
        areas[-1]["goals"].append(row)
    counts = {str(level): 0 for level in LEVELS}
    for row in goal_rows:
        if row["summary_level"]:
            counts[row["summary_level"]] += 1
    activities = [act for row in goal_rows for act in row["activities"]]
    return {
        "name": committee.name,
        "code": committee.code,
        "anchor": f"namnd-{committee.code.lower()}",
        "mission": _mission(committee, extras),
        "units": _units(committee, context, activities, extras, info),
        "done_activities": [a for a in activities if a["status"] == Activity.Status.DONE],
        "areas": areas,
        "goal_count": len(goal_rows),
        "indicator_count": sum(len(r["indicators"]) for r in goal_rows),
        "activity_count": len(activities),
        "counts": counts,
        "sentence": summary_sentence(counts, forecast=info["is_mid_year"])
        if info["is_follow_up"]
        else _plan_sentence(committee.name, goal_rows, activities, info),
        "target_years": _target_years(goal_rows, info["year"]),
        "economy": _economy(submission, info, committee=committee, extras=extras),
        "important_events": submission.important_events if submission else "",
        "analysis": submission.analysis if submission else "",
        "priorities": [
            {"goal": p.direction_goal.code, "text": p.text}
            for p in extras.priorities.get(committee.pk, [])
        ],
        "previous_priorities": [
            {"goal": p.direction_goal.code, "text": p.text}
            for p in extras.previous_priorities.get(committee.pk, [])
        ],
        "assignments": extras.assignments.get(committee.pk, []),
        "internal_control": extras.internal_control.get(committee.pk),
        "review": {
            "state": submission.state if submission else "",
            "state_label": followup_state(
                occasion=extras.occasion, unit=committee, submission=submission
            ).label,
            "days_late": submission.days_late if submission else 0,
            "version": submission.version if submission else None,
            "published_on": _local_date(extras.published_at.get(committee.pk)),
            "adoption": _adoption(submission),
            "events": [
                {
                    "on": _local_date(e.at),
                    "action": e.get_action_display(),
                    "actor": _person(e.actor),
                    "from": e.get_from_state_display(),
                    "to": e.get_to_state_display(),
                    "reason": e.reason,
                }
                for e in context["events"]
            ],
            "comments": [_comment_row(c, goal_codes) for c in context["general_comments"]]
            + [c for row in goal_rows for c in row["comments"]],
        },
    }


def _plan_sentence(name, goal_rows, activities, info) -> str:
    indicators = sum(len(r["indicators"]) for r in goal_rows)
    return (
        # The committee's name starts a sentence printed as one text: isolated in it.
        f"{isolate(name)} har {counted(len(goal_rows), 'inriktningsmål', 'inriktningsmål')} med "
        f"{counted(indicators, 'indikator', 'indikatorer')} och "
        f"{counted(len(activities), 'aktivitet', 'aktiviteter')} i enheternas "
        f"verksamhetsplaner för {info['year']}."
    )


def _target_years(goal_rows, year: int) -> list[str]:
    """The plan's target columns: this year and up to three ahead, where targets exist."""
    years = {int(y) for row in goal_rows for ind in row["indicators"] for y in ind["targets"]}
    ahead = sorted(y for y in years if year <= y <= year + 3)
    return [str(y) for y in ahead or [year]]


def _mission(committee, extras) -> str:
    """The committee's grunduppdrag: its own plan's, else its administration's."""
    plan = extras.plans.get(committee.pk)
    if plan is not None and plan.basic_mission:
        return plan.basic_mission
    for p in sorted(extras.plans.values(), key=lambda p: tree_position(p.org_unit)):
        unit = p.org_unit
        if (
            unit.parent_id == committee.pk
            and unit.kind == OrgUnit.Kind.ADMINISTRATION
            and p.basic_mission
        ):
            return p.basic_mission
    return ""


def _units(committee, context, activities, extras, info) -> list[dict]:
    """The committee's units with a plan this year: mission, activities, follow-up state."""
    rollup = {row.unit.pk: row for row in context["rollup"]}
    by_unit: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for act in activities:
        by_unit[act["unit"]][act["status_label"]] += 1
    rows = []
    for plan in sorted(extras.plans.values(), key=lambda p: tree_position(p.org_unit)):
        unit = plan.org_unit
        if not is_within(unit, committee, include_self=False):
            continue
        counts = by_unit.get(unit.name, {})
        submission = rollup[unit.pk].submission if unit.pk in rollup else None
        rows.append(
            {
                "name": unit.name,
                "mission": plan.basic_mission,
                "activity_count": sum(counts.values()),
                "statuses": ", ".join(
                    f"{n} {label.lower()}"
                    for label, n in sorted(counts.items(), key=lambda item: -item[1])
                ),
                "followup_state": (
                    state_words(occasion=extras.occasion, unit=unit, submission=submission)
                    if info["is_follow_up"]
                    else ""
                ),
            }
        )
    return rows


def _adoption(submission) -> dict | None:
    """Who adopted the follow-up, when, § and Dnr (entered when publishing), or None."""
    if submission is None or not (submission.adopted_by and submission.adopted_on):
        return None
    return {
        "body": submission.adopted_by,
        "on": submission.adopted_on.isoformat(),
        "on_text": prose_date(submission.adopted_on),
        "paragraph": submission.adoption_paragraph,
        "dnr": submission.adoption_dnr,
    }


def _economy_row(budget, outcome, forecast, info, *, income: bool = False) -> dict:
    """One row of the driftredovisning. Avvikelse: budget minus the forecast mid-year (the
    outcome at year end), positive is better than budget; for intäkter the other way round."""
    compare = forecast if info["is_mid_year"] else outcome
    deviation = None
    if budget is not None and compare is not None:
        deviation = compare - budget if income else budget - compare
    return {
        "budget": decimal_text(budget),
        "outcome": decimal_text(outcome),
        "forecast": decimal_text(forecast),
        "deviation": decimal_text(deviation),
        "has_any": any(v is not None for v in (budget, outcome, forecast)),
    }


def _economy(submission, info, *, committee=None, extras=None) -> dict:
    def value(name):
        return getattr(submission, name) if submission else None

    budget, outcome, forecast = (
        value("budget_frame_tkr"),
        value("outcome_tkr"),
        value("forecast_tkr"),
    )
    net = _economy_row(budget, outcome, forecast, info)
    deviation = Decimal(net["deviation"]) if net["deviation"] is not None else None
    previous_forecast = extras.previous_forecast.get(committee.pk) if extras else None
    change = (
        forecast - previous_forecast
        if info["is_mid_year"] and forecast is not None and previous_forecast is not None
        else None
    )
    rows = {
        "revenue": _economy_row(
            value("revenue_budget_tkr"),
            value("revenue_outcome_tkr"),
            value("revenue_forecast_tkr"),
            info,
            income=True,
        ),
        "cost": _economy_row(
            value("cost_budget_tkr"), value("cost_outcome_tkr"), value("cost_forecast_tkr"), info
        ),
        "investment": _economy_row(
            value("investment_budget_tkr"),
            value("investment_outcome_tkr"),
            value("investment_forecast_tkr"),
            info,
        ),
    }
    return {
        **net,
        "rows": rows,
        "previous_year_outcome": decimal_text(
            extras.previous_year_outcome.get(committee.pk) if extras else None
        ),
        "previous_forecast": decimal_text(previous_forecast),
        "forecast_change": decimal_text(change),
        "over_budget": deviation is not None and deviation < 0,
        "shortfall": decimal_text(-deviation) if deviation is not None and deviation < 0 else None,
        "action_plan": value("action_plan") or "",
        "has_any": net["has_any"] or any(r["has_any"] for r in rows.values()),
    }

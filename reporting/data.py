"""What a report shows, gathered as plain data: dicts, lists, strings and numbers only.

Plain data can be fingerprinted (reporting.render.fingerprint), stored, compared and handed
to a template without a query on the way. Numbers are kept as Decimal text ("85.50") and
formatted the Swedish way in the templates; dates are ISO text. The generation time is
deliberately not in here: the same data must give the same fingerprint.

The goals, assessments, comments and review events of each committee come from
goals.selectors.followup_context, the function behind the follow-up and review pages, so the
PDF and the web show the same things (a handed-in follow-up shows what was handed in).
"""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from core.bidi import isolate
from goals.cycle import indicator_reaches_target
from goals.models import (
    Activity,
    ActivityFollowUp,
    Assessment,
    DirectionGoal,
    Measurement,
    OperationalPlan,
    OrgUnit,
    OverarchingGoal,
    Priority,
    PublishedFollowUp,
    ReportingOccasion,
    StrategicArea,
    Strategy,
    Submission,
    SubmissionEvent,
    Target,
    Vision,
)
from goals.permissions import Access
from goals.selectors import chain_coverage, followup_context
from governance.selectors import report_assignments

from .phrases import LEVELS, counted, level_info, prose_date, summary_sentence

# Bump when the layout or the meaning of the data changes: a new fingerprint, a new version.
FORMAT_VERSION = 1

Kind = ReportingOccasion.Kind
State = Submission.State

ACTIVITY_STATUS_LABELS = dict(Activity.Status.choices)
STATE_LABELS = dict(Submission.State.choices)


class ReportReader:
    """The reader a report is written for: it sees the whole chain of its scope.

    goals.permissions.access_for() returns the Access cached on the user object, so the
    selectors that take a `user` read everything through this stand-in.
    """

    is_authenticated = True
    is_superuser = False
    is_active = True
    pk = None

    def __init__(self):
        self._styr_access = Access(everything=True)


class ReportScopeError(ValueError):
    """The org unit does not fit the report kind (e.g. a unit for a committee report)."""


def _dec(value) -> str | None:
    return None if value is None else str(value)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _local_date(moment) -> str | None:
    if moment is None:
        return None
    return timezone.localtime(moment).date().isoformat()


def occasion_data(occasion: ReportingOccasion) -> dict:
    year = occasion.plan_year.year
    return {
        "id": occasion.pk,
        "name": occasion.name,
        "kind": occasion.kind,
        "year": year,
        "title": f"{occasion.name} {year}",
        "period_start": f"{year}-01-01",
        "period_end": occasion.period_end.isoformat(),
        "period_text": (
            f"1 januari – {prose_date(occasion.period_end)}"
            if occasion.is_follow_up
            else f"Verksamhetsåret {year}"
        ),
        "is_plan": not occasion.is_follow_up,
        "is_follow_up": occasion.is_follow_up,
        "is_mid_year": occasion.is_mid_year,
        "is_annual": occasion.kind == Kind.ANNUAL_REPORT,
    }


# --- the whole document ------------------------------------------------------------------


def committee_report_data(*, occasion: ReportingOccasion, org_unit: OrgUnit) -> dict:
    """One committee's report; its units are summarised in it."""
    if org_unit is None or org_unit.kind != OrgUnit.Kind.COMMITTEE:
        raise ReportScopeError("Nämndens rapport görs för en nämnd.")
    committee = OrgUnit.objects.get(pk=org_unit.pk)
    scope = {"name": committee.name, "code": committee.code, "kind": "committee"}
    return _report(kind="committee", occasion=occasion, committees=[committee], scope=scope)


def municipality_report_data(*, occasion: ReportingOccasion, org_unit: OrgUnit | None) -> dict:
    """All committees of the municipality (org_unit: None or the municipality root)."""
    committees = OrgUnit.objects.filter(kind=OrgUnit.Kind.COMMITTEE)
    if org_unit is not None:
        if org_unit.kind != OrgUnit.Kind.MUNICIPALITY:
            raise ReportScopeError("Kommunens rapport görs för kommunen som helhet.")
        root = OrgUnit.objects.get(pk=org_unit.pk)
        committees = committees.filter(tree_id=root.tree_id, lft__gt=root.lft, rght__lt=root.rght)
        code = root.code
    else:
        code = ""
    scope = {"name": "Kommunen", "code": code, "kind": "municipality"}
    return _report(
        kind="municipality",
        occasion=occasion,
        committees=list(committees.order_by("tree_id", "lft")),
        scope=scope,
    )


def _report(*, kind: str, occasion, committees: list[OrgUnit], scope: dict) -> dict:
    submissions = {
        s.org_unit_id: s
        for s in Submission.objects.filter(occasion=occasion, org_unit__in=committees)
    }
    frozen_reports = _frozen_reports(submissions.values())
    frozen = {pk: report["section"] for pk, report in frozen_reports.items()}
    if kind == "committee" and committees and committees[0].pk in frozen:
        scope = {**scope, "name": frozen[committees[0].pk]["name"]}
    live = [c for c in committees if c.pk not in frozen]
    # The occasion as it was published, once every committee of the report is published.
    info = (
        frozen_reports[committees[0].pk]["occasion"]
        if committees and not live and "occasion" in frozen_reports[committees[0].pk]
        else occasion_data(occasion)
    )
    contexts = {
        c.pk: followup_context(occasion=occasion, unit=c, submission=submissions.get(c.pk))
        for c in live
    }
    extras = _Extras(occasion=occasion, committees=live, contexts=contexts)
    sections = [
        frozen[c.pk]
        if c.pk in frozen
        else _committee_section(
            info=info,
            committee=c,
            submission=submissions.get(c.pk),
            context=contexts[c.pk],
            extras=extras,
        )
        for c in committees
    ]
    areas = list(
        StrategicArea.objects.select_related("vision")
        .prefetch_related("overarching_goals", "strategies")
        .order_by("number")
    )
    vision = areas[0].vision if areas else Vision.objects.order_by("pk").first()
    status = _status(committees, submissions, sections)
    return {
        "format": FORMAT_VERSION,
        "kind": kind,
        "municipality": settings.MUNICIPALITY_NAME,
        "title": info["title"],
        "occasion": info,
        "scope": scope,
        "status": status,
        "vision": {
            "statement": vision.statement if vision else "",
            "elaboration": vision.elaboration if vision else "",
        },
        "areas": [
            {
                "number": a.number,
                "name": a.name,
                "description": a.description,
                "overarching_goals": [g.number for g in a.overarching_goals.all()],
                "strategies": [s.number for s in a.strategies.all()],
            }
            for a in areas
        ],
        "overarching_goals": [
            {"number": g.number, "text": g.text} for g in OverarchingGoal.objects.order_by("number")
        ],
        "strategies": [
            {"number": s.number, "text": s.text, "category": s.get_category_display()}
            for s in Strategy.objects.order_by("number")
        ],
        "summary": _summary(info, areas, sections),
        "committees": sections,
        "coverage": _coverage(
            info,
            committees if kind == "committee" else None,
            areas,
            sections,
            frozen={pk: report["coverage"] for pk, report in frozen_reports.items()},
        ),
    }


FROZEN_COVERAGE = ("area_gaps", "goals_without_indicator", "goals_without_activity")


def _frozen_reports(submissions) -> dict[int, dict]:
    """Per committee id: its section and coverage as kept when its follow-up was published
    (goals.frozen). A report prints a published committee from these, never from live rows."""
    published = [s.pk for s in submissions if s.state == State.PUBLISHED]
    if not published:
        return {}
    reports = {}
    for org_unit_id, data in PublishedFollowUp.objects.filter(submission__in=published).values_list(
        "submission__org_unit_id", "data"
    ):
        report = data.get("report") or {}
        if report.get("format") == FORMAT_VERSION:
            reports[org_unit_id] = report
    return reports


def freeze_report_section(sender, *, submission, data, **kwargs):
    """goals.frozen.followup_freezing: a committee's part of the report as it prints now."""
    if submission.org_unit.kind != OrgUnit.Kind.COMMITTEE:
        return
    report = committee_report_data(occasion=submission.occasion, org_unit=submission.org_unit)
    data["report"] = {
        "format": FORMAT_VERSION,
        "occasion": report["occasion"],
        "section": report["committees"][0],
        "coverage": {key: report["coverage"][key] for key in FROZEN_COVERAGE},
    }


def _status(committees, submissions, sections) -> dict:
    """UTKAST unless every committee's submission in the report is published."""
    states = []
    for c, section in zip(committees, sections, strict=True):
        s = submissions.get(c.pk)
        states.append(
            {
                "committee": section["name"],
                "state": s.state if s else "",
                "label": STATE_LABELS[s.state] if s else "Ej påbörjad",
            }
        )
    published = [st for st in states if st["state"] == State.PUBLISHED]
    draft = not states or len(published) < len(states)
    published_on = None
    if not draft:
        dates = [sec["review"]["published_on"] for sec in sections if sec["review"]["published_on"]]
        published_on = max(dates) if dates else None
    return {
        "draft": draft,
        "published_on": published_on,
        "published_on_text": prose_date(published_on),
        "published_count": len(published),
        "committee_count": len(states),
        "states": states,
    }


# --- per committee -------------------------------------------------------------------------


class _Extras:
    """What followup_context does not carry, fetched once for every committee of the report."""

    def __init__(self, *, occasion, committees, contexts):
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


def _trend(outcome, previous) -> dict | None:
    if outcome is None or previous is None:
        return None
    if outcome > previous:
        return {"arrow": "↑", "word": "ökar"}
    if outcome < previous:
        return {"arrow": "↓", "word": "minskar"}
    return {"arrow": "→", "word": "oförändrat"}


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
        "baseline_value": _dec(indicator.baseline_value),
        "previous": [{"year": y, "value": _dec(annual.get(y))} for y in range(year - 2, year)],
        "targets": {str(y): _dec(v) for y, v in sorted(targets.items())},
        "target": _dec(target),
        "outcome": _dec(outcome),
        "outcome_comment": measurement.comment if measurement else "",
        "status": status,
        "trend": _trend(outcome, annual.get(year - 1)),
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


def _committee_section(*, info, committee, submission, context, extras) -> dict:
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
        "economy": _economy(submission, info),
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
        "review": {
            "state": submission.state if submission else "",
            "state_label": STATE_LABELS[submission.state] if submission else "Ej påbörjad",
            "version": submission.version if submission else None,
            "published_on": _local_date(extras.published_at.get(committee.pk)),
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
    for p in sorted(extras.plans.values(), key=lambda p: p.org_unit.lft):
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
    for plan in sorted(extras.plans.values(), key=lambda p: p.org_unit.lft):
        unit = plan.org_unit
        inside = (
            unit.tree_id == committee.tree_id
            and committee.lft < unit.lft
            and unit.rght < committee.rght
        )
        if not inside:
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
                    STATE_LABELS[submission.state]
                    if submission
                    else ("Ej påbörjad" if info["is_follow_up"] else "")
                ),
            }
        )
    return rows


def _economy(submission, info) -> dict:
    budget = submission.budget_frame_tkr if submission else None
    outcome = submission.outcome_tkr if submission else None
    forecast = submission.forecast_tkr if submission else None
    compare = forecast if info["is_mid_year"] else outcome
    deviation = budget - compare if budget is not None and compare is not None else None
    return {
        "budget": _dec(budget),
        "outcome": _dec(outcome),
        "forecast": _dec(forecast),
        "deviation": _dec(deviation),
        "over_budget": deviation is not None and deviation < 0,
        "shortfall": _dec(-deviation) if deviation is not None and deviation < 0 else None,
        "has_any": any(v is not None for v in (budget, outcome, forecast)),
    }


# --- summary and appendix ------------------------------------------------------------------


def _summary(info, areas, sections) -> dict:
    if info["is_plan"]:
        by_area = []
        for area in areas:
            n = sum(
                len(a["goals"])
                for sec in sections
                for a in sec["areas"]
                if a["number"] == area.number
            )
            by_area.append({"label": f"{area.number}. {area.name}", "count": n})
        by_committee = [{"label": sec["name"], "count": sec["goal_count"]} for sec in sections]
        goal_total = sum(sec["goal_count"] for sec in sections)
        indicator_total = sum(sec["indicator_count"] for sec in sections)
        activity_total = sum(sec["activity_count"] for sec in sections)
        return {
            "by_area": by_area,
            "by_committee": by_committee,
            "sentence": (
                f"Planen omfattar {counted(goal_total, 'inriktningsmål', 'inriktningsmål')} med "
                f"{counted(indicator_total, 'indikator', 'indikatorer')} och "
                f"{counted(activity_total, 'aktivitet', 'aktiviteter')} i enheternas "
                "verksamhetsplaner."
            ),
            "economy": _economy_summary(sections),
        }
    by_area = []
    for area in areas:
        counts = {str(level): 0 for level in LEVELS}
        for sec in sections:
            for a in sec["areas"]:
                if a["number"] != area.number:
                    continue
                for goal in a["goals"]:
                    counts[goal["summary_level"]] += 1
        by_area.append({"label": f"{area.number}. {area.name}", "counts": counts})
    total = {str(level): 0 for level in LEVELS}
    for sec in sections:
        for level, n in sec["counts"].items():
            total[level] += n
    return {
        "by_area": by_area,
        "by_committee": [{"label": sec["name"], "counts": sec["counts"]} for sec in sections],
        "counts": total,
        "sentence": summary_sentence(total, forecast=info["is_mid_year"]),
        "basis": "prognos för helåret" if info["is_mid_year"] else "bedömning vid årets slut",
        "economy": _economy_summary(sections),
    }


def _economy_summary(sections) -> dict:
    rows = [{"name": sec["name"], **sec["economy"]} for sec in sections]
    totals = {}
    for key in ("budget", "outcome", "forecast", "deviation"):
        values = [Decimal(r[key]) for r in rows if r[key] is not None]
        totals[key] = _dec(sum(values)) if values else None
    return {"rows": rows, "totals": totals, "has_any": any(r["has_any"] for r in rows)}


def _coverage(info, committees, areas, sections, *, frozen: dict[int, dict]) -> dict:
    committee = committees[0] if committees else None
    coverage = chain_coverage(user=ReportReader(), year=info["year"], committee=committee)
    gaps = {
        "area_gaps": [
            {"committee": c.name, "areas": [a.name for a in missing]}
            for c, missing in coverage.area_gaps
            if c.pk not in frozen
        ],
        "goals_without_indicator": [
            {"code": g.code, "title": g.title, "committee": g.committee.name}
            for g in coverage.goals_without_indicator
            if g.committee_id not in frozen
        ],
        "goals_without_activity": [
            {"code": g.code, "title": g.title, "committee": g.committee.name}
            for g in coverage.goals_without_activity
            if g.committee_id not in frozen
        ],
    }
    if frozen:
        # Published committees as they were published, in the order the chain lists them.
        for key in FROZEN_COVERAGE:
            rows = gaps[key] + [row for kept in frozen.values() for row in kept[key]]
            gaps[key] = sorted(rows, key=lambda r: (r["committee"].casefold(), r.get("code", "")))
    matrix = []
    for sec in sections:
        per_area = {a["number"]: len(a["goals"]) for a in sec["areas"]}
        matrix.append({"name": sec["name"], "cells": [per_area.get(a.number, 0) for a in areas]})
    return {
        "year": info["year"],
        "warning_count": (
            len(coverage.overarching_goals_without_area)
            + len(coverage.strategies_without_area)
            + sum(len(row["areas"]) for row in gaps["area_gaps"])
            + len(gaps["goals_without_indicator"])
            + len(gaps["goals_without_activity"])
        ),
        "area_numbers": [a.number for a in areas],
        "matrix": matrix,
        "overarching_goals_without_area": [
            {"number": g.number, "text": g.text} for g in coverage.overarching_goals_without_area
        ],
        "strategies_without_area": [
            {"number": s.number, "text": s.text} for s in coverage.strategies_without_area
        ],
        **gaps,
    }

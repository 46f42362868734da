"""What the open pages (/oppet/) may show, read from what was published and nothing else.

The steering model (vision, strategiområden, övergripande mål, strategier) is decided by
kommunfullmäktige and shown as stored. Everything of a committee — its inriktningsmål,
indicators, targets, outcomes and assessments — is read from the frozen record of a
PUBLISHED committee follow-up (goals.frozen), never from the live rows, which may hold a
draft. Of that record only the goals, indicators and assessments are read: its review
comments, events, history, activities and names of staff are never passed to a template.
Reports come from the report library's own public rule (reporting.access).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max

from goals.frozen import FORMAT
from goals.models import (
    ASSESSMENT_SYMBOLS,
    Assessment,
    DirectionGoal,
    OrgUnit,
    PublishedFollowUp,
    ReportingOccasion,
    StrategicArea,
    Submission,
)
from goals.permissions import reads_everything, tree_order
from goals.rules import TARGET_STATUSES, target_status
from goals.selectors.overview import Overview, overview, overview_occasions
from reporting import access as report_access
from reporting.models import GeneratedReport

STATUS_BY_KEY = {s.key: s for s in TARGET_STATUSES}


def publication_stamp() -> str:
    """Changes whenever something is published: the cache key of every open page."""
    followups = PublishedFollowUp.objects.aggregate(n=Count("pk"), last=Max("frozen_at"))
    reports = GeneratedReport.objects.filter(
        published=True, status=GeneratedReport.Status.DONE
    ).aggregate(n=Count("pk"), last=Max("finished_at"))
    parts = [followups["n"], followups["last"], reports["n"], reports["last"]]
    return "-".join(str(p.timestamp() if hasattr(p, "timestamp") else p) for p in parts)


def _published_committee_records():
    """Committee follow-ups that are published and frozen, with their record."""
    return (
        PublishedFollowUp.objects.filter(
            submission__state=Submission.State.PUBLISHED,
            submission__org_unit__kind=OrgUnit.Kind.COMMITTEE,
        )
        .select_related("submission__occasion__plan_year", "submission__org_unit")
        .order_by("-submission__occasion__period_end", "-submission__occasion_id")
    )


def published_occasions() -> list[ReportingOccasion]:
    """Occasions at which at least one committee has published, newest first."""
    return list(
        ReportingOccasion.objects.filter(
            submissions__state=Submission.State.PUBLISHED,
            submissions__org_unit__kind=OrgUnit.Kind.COMMITTEE,
            submissions__published_record__isnull=False,
        )
        .select_related("plan_year")
        .distinct()
        .order_by("-period_end", "-pk")
    )


def committees_with_publications() -> list[dict]:
    """Every committee that has published something, with its published occasions."""
    committees: dict[int, dict] = {}
    for record in _published_committee_records().defer("data"):
        unit = record.submission.org_unit
        entry = committees.setdefault(unit.pk, {"unit": unit, "occasions": []})
        entry["occasions"].append(record.submission.occasion)
    units = OrgUnit.objects.filter(pk__in=committees).order_by(*tree_order())
    return [committees[u.pk] for u in units]


# --- one committee at one occasion ------------------------------------------------------------


@dataclass
class IndicatorRow:
    code: str
    name: str
    unit_of_measure: str
    target: Decimal | None
    outcome: Decimal | None
    outcome_comment: str
    status: object  # goals.rules.TargetStatus


@dataclass
class GoalView:
    pk: int
    code: str
    title: str
    level: str
    justification: str
    comment: str
    forecast_level: str
    indicators: list[IndicatorRow] = field(default_factory=list)

    @property
    def symbol(self) -> str:
        return ASSESSMENT_SYMBOLS[self.level]

    @property
    def label(self) -> str:
        return str(Assessment(self.level).label)

    @property
    def forecast_label(self) -> str:
        return str(Assessment(self.forecast_level).label) if self.forecast_level else ""

    @property
    def forecast_symbol(self) -> str:
        return ASSESSMENT_SYMBOLS[self.forecast_level] if self.forecast_level else ""


@dataclass
class CommitteeView:
    unit: OrgUnit
    occasion: ReportingOccasion
    occasions: list[ReportingOccasion]
    areas: list[dict]  # {"area": StrategicArea | None, "goals": [GoalView]}
    published_at: object

    @property
    def goal_count(self) -> int:
        return sum(len(a["goals"]) for a in self.areas)


def _number(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def _indicator_row(data: dict) -> IndicatorRow:
    target = _number(data["year_target"]["value"]) if data["year_target"] else None
    outcome = _number(data["outcome"]["value"]) if data["outcome"] else None
    key = target_status(value=outcome, target=target, higher_is_better=data["higher_is_better"])
    return IndicatorRow(
        code=data["code"],
        name=data["name"],
        unit_of_measure=data["unit_of_measure"],
        target=target,
        outcome=outcome,
        outcome_comment=(data["outcome"] or {}).get("comment", ""),
        status=STATUS_BY_KEY[key],
    )


def committee_view(*, code: str, occasion_id: int | None) -> CommitteeView | None:
    """A committee's goals as its published follow-up at the occasion showed them (the
    latest published one when no occasion is asked); None when nothing such is published."""
    records = [
        r
        for r in _published_committee_records().filter(submission__org_unit__code=code)
        if r.data.get("format") == FORMAT
    ]
    if not records:
        return None
    if occasion_id is None:
        record = records[0]
    else:
        record = next((r for r in records if r.submission.occasion_id == occasion_id), None)
        if record is None:
            return None
    occasion = record.submission.occasion
    data = record.data
    area_of = dict(
        DirectionGoal.objects.filter(pk__in=[g["pk"] for g in data["goals"]]).values_list(
            "pk", "strategic_area_id"
        )
    )
    areas = {a.pk: {"area": a, "goals": []} for a in StrategicArea.objects.order_by("number")}
    other = {"area": None, "goals": []}
    follow_up = data["occasion"]["is_follow_up"]
    for g in data["goals"]:
        a = data["assessments"].get(str(g["pk"])) or {}
        indicators = g["followup_indicators"] if follow_up else g["plan_indicators"]
        goal = GoalView(
            pk=g["pk"],
            code=g["code"],
            title=g["title"],
            level=a.get("level") or Assessment.NOT_ASSESSED,
            justification=a.get("justification", ""),
            comment=a.get("comment", ""),
            forecast_level=a.get("forecast_level", "") if data["occasion"]["is_mid_year"] else "",
            indicators=[_indicator_row(i) for i in indicators],
        )
        areas.get(area_of.get(g["pk"]), other)["goals"].append(goal)
    shown = [a for a in areas.values() if a["goals"]] + ([other] if other["goals"] else [])
    return CommitteeView(
        unit=record.submission.org_unit,
        occasion=occasion,
        occasions=[r.submission.occasion for r in records],
        areas=shown,
        published_at=record.frozen_at,
    )


# --- the måluppfyllelse overview, published committees only ----------------------------------


def public_overview(*, occasion_id: int | None) -> Overview | None:
    """The overview (goals.selectors.overview) at an occasion with published follow-ups,
    counting only the committees that have published: nothing in review is counted. None
    when the occasion asked for has nothing published."""
    occasions = [o for o in overview_occasions()[0] if o.has_published]
    if occasion_id is None:
        occasion = occasions[0] if occasions else None
    else:
        occasion = next((o for o in occasions if o.pk == occasion_id), None)
        if occasion is None:
            return None
    data = overview(access=reads_everything(), occasion=occasion, occasions=occasions)
    frozen = set(
        PublishedFollowUp.objects.filter(submission__in=data.submissions.values()).values_list(
            "submission_id", flat=True
        )
    )
    published = {
        pk
        for pk, s in data.submissions.items()
        if s.state == Submission.State.PUBLISHED and s.pk in frozen
    }
    data.committees = [c for c in data.committees if c.pk in published]
    data.submissions = {pk: s for pk, s in data.submissions.items() if pk in published}
    data.goals = [g for g in data.goals if g.published and g.committee.pk in published]
    titles = _published_titles(occasion, published)
    for row in data.goals:
        # As published: a goal renamed since shows the words it was published with.
        row.goal.title = titles.get(row.goal.pk, row.goal.title)
    return data


def _published_titles(occasion, committee_ids) -> dict[int, str]:
    if occasion is None or not committee_ids:
        return {}
    titles = {}
    for record in PublishedFollowUp.objects.filter(
        submission__occasion=occasion, submission__org_unit__in=committee_ids
    ).only("data"):
        for g in record.data.get("goals", []):
            titles[g["pk"]] = g["title"]
    return titles


# --- published reports ------------------------------------------------------------------------


def published_reports() -> list[dict]:
    """The newest version of each published report, grouped per occasion, newest first;
    empty when the report library is not open to the public (REPORTS_PUBLIC)."""
    reports = list(
        GeneratedReport.objects.filter(report_access.visible_q(AnonymousUser()))
        .filter(published=True, status=GeneratedReport.Status.DONE)
        .select_related("occasion__plan_year", "org_unit")
        .order_by("-occasion__period_end", "-occasion_id", "kind", "org_unit__name", "-version")
    )
    newest = {}
    for r in reports:
        newest.setdefault((r.occasion_id, r.kind, r.org_unit_id), r)
    groups: list[dict] = []
    for r in newest.values():
        if not groups or groups[-1]["occasion"].pk != r.occasion_id:
            groups.append({"occasion": r.occasion, "reports": []})
        groups[-1]["reports"].append(r)
    for group in groups:
        group["reports"].sort(
            key=lambda r: (r.kind != GeneratedReport.Kind.MUNICIPALITY, r.org_unit.name)
        )
    return groups


# --- machine-readable data --------------------------------------------------------------------


def published_export_rows():
    """(goals, measurements) as published: the live goals that a published committee
    follow-up holds, carrying the title it was published with, and each published outcome
    as unsaved Measurement rows built from the frozen records (value and comment as
    published; the source as stored)."""
    from goals.models import Indicator, Measurement

    records = [r for r in _published_committee_records() if r.data.get("format") == FORMAT]
    titles: dict[int, str] = {}
    outcomes: list[tuple] = []  # (indicator pk, occasion, value, comment)
    for record in reversed(records):  # oldest first: the newest title wins
        occasion = record.submission.occasion
        for g in record.data["goals"]:
            titles[g["pk"]] = g["title"]
            if not record.data["occasion"]["is_follow_up"]:
                continue
            for i in g["followup_indicators"]:
                if i["outcome"] is not None:
                    outcomes.append(
                        (i["pk"], occasion, _number(i["outcome"]["value"]), i["outcome"]["comment"])
                    )
    goals = list(
        DirectionGoal.objects.filter(pk__in=titles)
        .select_related("committee", "strategic_area")
        .prefetch_related("overarching_goals", "strategies")
        .order_by("code")
    )
    for goal in goals:
        goal.title = titles[goal.pk]
    indicators = Indicator.objects.in_bulk({pk for pk, *_ in outcomes})
    sources = {
        (m.indicator_id, m.occasion_id): m.source
        for m in Measurement.objects.filter(indicator__in=indicators).only(
            "indicator_id", "occasion_id", "source"
        )
    }
    measurements = [
        Measurement(
            indicator=indicators[pk],
            occasion=occasion,
            value=value,
            comment=comment,
            source=sources.get((pk, occasion.pk), ""),
        )
        for pk, occasion, value, comment in outcomes
        if pk in indicators
    ]
    measurements.sort(key=lambda m: (m.indicator.code, m.occasion.period_end))
    return goals, measurements

"""What a report shows, gathered as plain data: dicts, lists, strings and numbers only.

Plain data can be fingerprinted (reporting.render.fingerprint), stored, compared and handed
to a template without a query on the way. Numbers are kept as Decimal text ("85.50") and
formatted the Swedish way in the templates; dates are ISO text. The generation time is
deliberately not in here: the same data must give the same fingerprint.

The goals, assessments, comments and review events of each committee come from
goals.selectors.followup_context, the function behind the follow-up and review pages, so the
PDF and the web show the same things (a handed-in follow-up shows what was handed in).
"""

from decimal import Decimal

from django.conf import settings

from goals.models import (
    Assessment,
    OrgUnit,
    OverarchingGoal,
    PublishedFollowUp,
    ReportingOccasion,
    StrategicArea,
    Strategy,
    Submission,
    Vision,
)
from goals.permissions import reads_everything, subtree_q, tree_order
from goals.rules import followup_state
from goals.selectors import chain_coverage, followup_context

from .phrases import LEVELS, counted, level_info, prose_date, summary_sentence
from .sections import Extras, committee_section, decimal_text

# Bump when the layout or the meaning of the data changes: a new fingerprint, a new version.
FORMAT_VERSION = 1

Kind = ReportingOccasion.Kind
State = Submission.State


class ReportScopeError(ValueError):
    """The org unit does not fit the report kind (e.g. a unit for a committee report)."""


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
        committees = committees.filter(subtree_q(root, include_self=False))
        code = root.code
    else:
        code = ""
    scope = {"name": "Kommunen", "code": code, "kind": "municipality"}
    return _report(
        kind="municipality",
        occasion=occasion,
        committees=list(committees.order_by(*tree_order())),
        scope=scope,
    )


def _report(*, kind: str, occasion, committees: list[OrgUnit], scope: dict) -> dict:
    submissions = {
        s.org_unit_id: s
        for s in Submission.objects.filter(occasion=occasion, org_unit__in=committees)
    }
    for s in submissions.values():
        s.occasion = occasion  # loaded already; a late hand-in is counted against it
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
    extras = Extras(occasion=occasion, committees=live, contexts=contexts)
    sections = [
        frozen[c.pk]
        if c.pk in frozen
        else committee_section(
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
    status = _status(occasion, committees, submissions, sections)
    if info["is_follow_up"]:
        for section in sections:
            section["goal_list"] = goal_list([section], info)
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
    # Only the report's part of each record is read, not the page's.
    rows = PublishedFollowUp.objects.filter(submission__in=published).values_list(
        "submission__org_unit_id", "data__report"
    )
    for org_unit_id, report in rows:
        report = report or {}
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


def _status(occasion, committees, submissions, sections) -> dict:
    """UTKAST unless every committee's submission in the report is published."""
    states = []
    for c, section in zip(committees, sections, strict=True):
        s = submissions.get(c.pk)
        states.append(
            {
                "committee": section["name"],
                "state": s.state if s else "",
                "label": followup_state(occasion=occasion, unit=c, submission=s).label,
            }
        )
    published = [st for st in states if st["state"] == State.PUBLISHED]
    draft = not states or len(published) < len(states)
    published_on = None
    if not draft:
        dates = [sec["review"]["published_on"] for sec in sections if sec["review"]["published_on"]]
        published_on = max(dates) if dates else None
    adoption = None
    if not draft and len(sections) == 1:
        adoption = sections[0]["review"].get("adoption")
    return {
        "draft": draft,
        "adoption": adoption,
        "published_on": published_on,
        "published_on_text": prose_date(published_on),
        "published_count": len(published),
        "committee_count": len(states),
        "states": states,
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
            "economy": _economy_summary(sections, info),
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
        "goals": goal_list(sections, info),
        "basis": "prognos för helåret" if info["is_mid_year"] else "bedömning vid årets slut",
        "economy": _economy_summary(sections, info),
    }


# "Sammanställning måluppfyllelse": the failing goals first.
FAILING_FIRST = [
    Assessment.NOT_FULFILLED,
    Assessment.PARTLY,
    Assessment.NOT_ASSESSED,
    Assessment.FULFILLED,
]


def goal_list(sections, info) -> list[dict]:
    """Every direction goal of the sections with the level the summary counts (the forecast
    mid-year), as symbol and word, the failing first; committees and codes in report order."""
    rows = []
    for position, sec in enumerate(sections):
        for area in sec["areas"]:
            for goal in area["goals"]:
                level = goal.get("summary_level") or Assessment.NOT_ASSESSED
                rows.append(
                    (
                        FAILING_FIRST.index(level),
                        position,
                        {
                            "committee": sec["name"],
                            "code": goal["code"],
                            "title": goal["title"],
                            "area": area["number"],
                            "level": level_info(level, forecast=info["is_mid_year"]),
                        },
                    )
                )
    rows.sort(key=lambda row: (row[0], row[1], row[2]["code"]))
    return [row[2] for row in rows]


def _economy_summary(sections, info) -> dict:
    rows = [{"name": sec["name"], **sec["economy"]} for sec in sections]
    totals = {}
    for key in ("budget", "outcome", "forecast", "deviation"):
        values = [Decimal(r[key]) for r in rows if r[key] is not None]
        totals[key] = decimal_text(sum(values)) if values else None
    return {
        "rows": rows,
        "totals": totals,
        "has_any": any(r["has_any"] for r in rows),
        "sentence": economy_sentence(totals, info, municipality=len(sections) > 1),
    }


def _amount(value: Decimal, *, mnkr: bool) -> str:
    if mnkr:
        value = value / 1000
    text = f"{abs(value):,.1f}".replace(",", "\u00a0").replace(".", ",")
    if not mnkr:
        text = text.removesuffix(",0")
    return f"{text} {'mnkr' if mnkr else 'tkr'}"


def economy_sentence(totals: dict, info: dict, *, municipality: bool) -> str:
    """The economy in one sentence for Sammanfattning: the forecast mid-year, the outcome at
    year end, against budget; mnkr for the municipality, tkr for one committee."""
    if info["is_plan"] or totals.get("deviation") is None:
        return ""
    deviation = Decimal(totals["deviation"])
    who = "Nämndernas" if municipality else "Nämndens"
    what = "prognos för helåret" if info["is_mid_year"] else "utfall för året"
    if deviation == 0:
        return f"{who} {what} är i nivå med budget."
    result = "ett överskott" if deviation > 0 else "ett underskott"
    return (
        f"{who} {what} visar {result} på {_amount(deviation, mnkr=municipality)} mot budget "
        f"(netto)."
    )


def _coverage(info, committees, areas, sections, *, frozen: dict[int, dict]) -> dict:
    committee = committees[0] if committees else None
    coverage = chain_coverage(access=reads_everything(), year=info["year"], committee=committee)
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

"""Reads of intern kontroll: fixed query counts, the user's access taken explicitly.

The risk matrix, the plan, the results at an occasion and kommunstyrelsen's overview each
load their rows in a fixed number of queries, whatever the number of committees and risks.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Prefetch, Q

from goals.models import OrgUnit, PlanYear, ReportingOccasion, Submission
from goals.permissions import access_for, tree_order
from quality.models import Deviation

from .models import (
    RISK_LEVEL_LABELS,
    RISK_LEVEL_SYMBOLS,
    SCALE,
    Consequence,
    Control,
    ControlPlan,
    ControlResult,
    Probability,
    Risk,
    risk_level,
)

LEVELS = ["very_high", "high", "medium", "low"]


def committees_visible_to(*, user):
    """The committees whose internal control the user reads (as their goals: from above
    and below), in the tree's order."""
    return OrgUnit.objects.filter(access_for(user).committee_q()).order_by(*tree_order())


def risks_for(*, committee: OrgUnit, plan_year: PlanYear) -> list[Risk]:
    """The committee's risks of the year, highest risk value first, numbered 1, 2, … ."""
    risks = sorted(
        Risk.objects.filter(committee=committee, plan_year=plan_year).select_related(
            "direction_goal", "strategic_area", "carried_from__plan_year"
        ),
        key=lambda r: (-r.risk_value, -r.consequence, r.title),
    )
    for number, risk in enumerate(risks, start=1):
        risk.number = number
    return risks


@dataclass
class MatrixCell:
    probability: int
    consequence: int
    risks: list = field(default_factory=list)

    @property
    def value(self) -> int:
        return self.probability * self.consequence

    @property
    def level(self) -> str:
        return risk_level(self.value)

    @property
    def level_label(self) -> str:
        return str(RISK_LEVEL_LABELS[self.level])

    @property
    def symbol(self) -> str:
        return RISK_LEVEL_SYMBOLS[self.level]


@dataclass
class MatrixRow:
    probability: int
    label: str
    cells: list


def risk_matrix(risks) -> dict:
    """The 4×4 matrix: rows probability 4 → 1, columns consequence 1 → 4, each cell with the
    numbers of its risks. `risks` need .number (risks_for) or are counted only."""
    grid = {(p, c): MatrixCell(p, c) for p in SCALE for c in SCALE}
    for risk in risks:
        grid[(risk.probability, risk.consequence)].risks.append(risk)
    rows = [
        MatrixRow(p, str(Probability(p).label), [grid[(p, c)] for c in SCALE])
        for p in reversed(SCALE)
    ]
    counts = dict.fromkeys(LEVELS, 0)
    for risk in risks:
        counts[risk.level] += 1
    return {
        "rows": rows,
        "columns": [str(Consequence(c).label) for c in SCALE],
        "counts": [
            {
                "level": lv,
                "label": str(RISK_LEVEL_LABELS[lv]),
                "symbol": RISK_LEVEL_SYMBOLS[lv],
                "count": counts[lv],
            }
            for lv in LEVELS
        ],
        "total": len(risks),
    }


def plan_for(*, committee: OrgUnit, plan_year: PlanYear) -> ControlPlan | None:
    return (
        ControlPlan.objects.filter(committee=committee, plan_year=plan_year)
        .select_related("committee", "plan_year", "recorded_by")
        .prefetch_related(
            Prefetch(
                "controls",
                queryset=Control.objects.select_related("risk", "occasion").order_by(
                    "occasion__period_end", "pk"
                ),
            )
        )
        .first()
    )


def follow_up_occasions(plan_year: PlanYear) -> list[ReportingOccasion]:
    return [
        o
        for o in ReportingOccasion.objects.filter(plan_year=plan_year).order_by("period_end")
        if o.is_follow_up
    ]


def is_due(control: Control, occasion: ReportingOccasion) -> bool:
    """A control reports at its occasion; one done more often than yearly also at every
    follow-up occasion after it in the year."""
    if control.occasion_id == occasion.pk:
        return True
    return (
        control.frequency != Control.Frequency.ONCE
        and occasion.plan_year_id == control.occasion.plan_year_id
        and occasion.period_end > control.occasion.period_end
    )


@dataclass
class ResultRow:
    control: Control
    result: ControlResult | None


_RESULT_FIELDS = [
    "id",
    "status",
    "findings",
    "assessment",
    "action",
    "action_owner",
    "action_due",
    "version",
    "deviation_id",
]


def occasion_results(*, committee: OrgUnit, occasion: ReportingOccasion) -> list[ResultRow]:
    """The committee's controls due at the occasion, each with its result there (or None).

    One query: the result at the occasion (and its deviation's title) is joined to each
    control, so the follow-up page pays one query for its "Intern kontroll" part.
    """
    at = FilteredRelation("results", condition=Q(results__occasion=occasion))
    controls = list(
        Control.objects.filter(plan__committee=committee, plan__plan_year_id=occasion.plan_year_id)
        .annotate(at=at)
        .annotate(
            **{f"at_{name}": F(f"at__{name}") for name in _RESULT_FIELDS},
            at_deviation_title=F("at__deviation__title"),
        )
        .select_related("risk", "occasion", "plan")
        .order_by("occasion__period_end", "pk")
    )
    rows = []
    for control in controls:
        if not is_due(control, occasion):
            continue
        result = None
        if control.at_id is not None:
            result = ControlResult(
                control=control,
                occasion=occasion,
                **{name: getattr(control, f"at_{name}") for name in _RESULT_FIELDS},
            )
            if result.deviation_id:
                result.deviation = Deviation(
                    pk=result.deviation_id, title=control.at_deviation_title
                )
        rows.append(ResultRow(control, result))
    return rows


def result_counts(rows) -> dict:
    done = sum(1 for r in rows if r.result and r.result.status == ControlResult.Status.DONE)
    not_done = sum(1 for r in rows if r.result and r.result.status == ControlResult.Status.NOT_DONE)
    deviations = [r.result.deviation for r in rows if r.result and r.result.deviation_id]
    return {
        "due": len(rows),
        "done": done,
        "not_done": not_done,
        "missing": len(rows) - done - not_done,
        "deviations": deviations,
    }


def overview(*, user, plan_year: PlanYear) -> dict:
    """Kommunstyrelsen's view: every committee the user reads, with its plan state, its
    risks by band and its control results per follow-up occasion. Seven queries."""
    committees = list(committees_visible_to(user=user))
    occasions = follow_up_occasions(plan_year)
    plans = {
        p.committee_id: p
        for p in ControlPlan.objects.filter(committee__in=committees, plan_year=plan_year)
    }
    risks = defaultdict(list)
    for risk in Risk.objects.filter(committee__in=committees, plan_year=plan_year).only(
        "committee_id", "probability", "consequence"
    ):
        risks[risk.committee_id].append(risk)
    controls = defaultdict(list)
    all_controls = list(
        Control.objects.filter(plan__in=plans.values()).select_related("occasion", "plan")
    )
    for control in all_controls:
        controls[control.plan.committee_id].append(control)
    results = {
        (r.control_id, r.occasion_id): r
        for r in ControlResult.objects.filter(control__in=all_controls).select_related("deviation")
    }
    states = {
        (s.org_unit_id, s.occasion_id): s
        for s in Submission.objects.filter(org_unit__in=committees, occasion__in=occasions)
    }
    rows = []
    for committee in committees:
        per_occasion = []
        for occasion in occasions:
            due = [
                ResultRow(c, results.get((c.pk, occasion.pk)))
                for c in controls[committee.pk]
                if is_due(c, occasion)
            ]
            per_occasion.append(
                {
                    "occasion": occasion,
                    "counts": result_counts(due),
                    "submission": states.get((committee.pk, occasion.pk)),
                }
            )
        rows.append(
            {
                "committee": committee,
                "plan": plans.get(committee.pk),
                "control_count": len(controls[committee.pk]),
                "matrix": risk_matrix(risks[committee.pk]),
                "occasions": per_occasion,
            }
        )
    return {"rows": rows, "occasions": occasions}


def report_internal_control(*, occasion: ReportingOccasion, committees: list[OrgUnit]) -> dict:
    """Per committee id: its risks, matrix, controls and the results at the occasion, as
    plain data for the report (and its frozen copy). Five queries for all committees."""
    if not committees:
        return {}
    ids = [c.pk for c in committees]
    risks = defaultdict(list)
    for risk in Risk.objects.filter(committee__in=ids, plan_year_id=occasion.plan_year_id):
        risks[risk.committee_id].append(risk)
    plans = {
        p.committee_id: p
        for p in ControlPlan.objects.filter(committee__in=ids, plan_year_id=occasion.plan_year_id)
    }
    controls = defaultdict(list)
    for c in (
        Control.objects.filter(plan__in=plans.values())
        .select_related("risk", "occasion", "plan")
        .order_by("occasion__period_end", "pk")
    ):
        controls[c.plan.committee_id].append(c)
    results = {
        r.control_id: r
        for r in ControlResult.objects.filter(
            occasion=occasion, control__plan__in=plans.values()
        ).select_related("deviation")
    }
    out = {}
    for committee in committees:
        ranked = sorted(risks[committee.pk], key=lambda r: (-r.risk_value, -r.consequence, r.title))
        for number, risk in enumerate(ranked, start=1):
            risk.number = number
        numbers = {r.pk: r.number for r in ranked}
        matrix = risk_matrix(ranked)
        plan = plans.get(committee.pk)
        rows = []
        for c in controls[committee.pk]:
            due = is_due(c, occasion) and occasion.is_follow_up
            r = results.get(c.pk) if due else None
            rows.append(
                {
                    "what": c.what,
                    "risk": c.risk.title,
                    "risk_number": numbers.get(c.risk_id),
                    "responsible": c.responsible,
                    "occasion": c.occasion.name,
                    "due": due,
                    "status": r.status if r else "",
                    "status_label": str(r.get_status_display()) if r else "",
                    "assessment": r.assessment if r else "",
                    "findings": r.findings if r else "",
                    "deviation": r.deviation.title if r and r.deviation_id else "",
                    "action": r.action if r else "",
                    "action_owner": r.action_owner if r else "",
                    "action_due": r.action_due.isoformat() if r and r.action_due else "",
                }
            )
        due_rows = [row for row in rows if row["due"]]
        out[committee.pk] = {
            "risk_count": len(ranked),
            "risks": [
                {
                    "number": r.number,
                    "title": r.title,
                    "probability": r.probability,
                    "consequence": r.consequence,
                    "value": r.risk_value,
                    "level": r.level,
                    "level_label": r.level_label,
                    "symbol": r.level_symbol,
                    "decision": str(r.get_decision_display()),
                }
                for r in ranked
            ],
            "matrix": [
                {
                    "label": row.label,
                    "cells": [
                        {
                            "value": cell.value,
                            "level": cell.level,
                            "symbol": cell.symbol,
                            "numbers": [r.number for r in cell.risks],
                        }
                        for cell in row.cells
                    ],
                }
                for row in matrix["rows"]
            ],
            "columns": matrix["columns"],
            "counts": matrix["counts"],
            "plan": {
                "adopted": plan.is_adopted,
                "adopted_by": plan.adopted_by,
                "adopted_on": plan.adopted_on.isoformat() if plan.adopted_on else "",
                "paragraph": plan.paragraph,
                "reference": plan.reference,
            }
            if plan
            else None,
            "controls": rows,
            "due_count": len(due_rows),
            "done_count": sum(1 for row in due_rows if row["status"] == "done"),
            "deviation_count": sum(1 for row in due_rows if row["deviation"]),
        }
    return out

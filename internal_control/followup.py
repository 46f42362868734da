"""The "Intern kontroll" part of a committee's follow-up and its review.

The control results at an occasion belong to the committee's follow-up: they are entered on
their own pages while the follow-up is a draft or returned (services.results_open), shown on
the follow-up and review pages (templatetags/internal_control.py), and frozen with the rest
when the follow-up is published (goals.frozen.followup_freezing, connected in apps.py).
"""

from types import SimpleNamespace

from django.urls import reverse

from core.formats import date_from_iso, iso_text
from goals.models import OrgUnit

from .selectors import ResultRow, occasion_results

__all__ = ["freeze_control_results", "frozen_result_rows", "live_result_rows"]


def live_result_rows(*, occasion, unit) -> list[ResultRow]:
    if unit.kind != OrgUnit.Kind.COMMITTEE or not occasion.is_follow_up:
        return []
    return occasion_results(committee=unit, occasion=occasion)


def freeze_control_results(sender, *, submission, data, **kwargs):
    """goals.frozen.followup_freezing: the committee's control results as plain data."""
    rows = live_result_rows(occasion=submission.occasion, unit=submission.org_unit)
    data["control_results"] = [
        {
            "control": {"pk": row.control.pk, "what": row.control.what},
            "risk": row.control.risk.title,
            "result": (
                {
                    "status": row.result.status,
                    "status_label": str(row.result.get_status_display()),
                    "assessment": row.result.assessment,
                    "findings": row.result.findings,
                    "deviation": (
                        {"pk": row.result.deviation.pk, "title": row.result.deviation.title}
                        if row.result.deviation_id
                        else None
                    ),
                    "action": row.result.action,
                    "action_owner": row.result.action_owner,
                    "action_due": iso_text(row.result.action_due),
                }
                if row.result
                else None
            ),
        }
        for row in rows
    ]


def frozen_result_rows(data: dict) -> list | None:
    """The frozen rows, shaped like ResultRow; None when the follow-up was frozen without."""
    if "control_results" not in data:
        return None
    rows = []
    for stored in data["control_results"]:
        r = stored["result"]
        result = None
        if r:
            deviation = r["deviation"]
            result = SimpleNamespace(
                status=r["status"],
                get_status_display=r["status_label"],
                assessment=r["assessment"],
                findings=r["findings"],
                deviation=SimpleNamespace(
                    title=deviation["title"],
                    get_absolute_url=reverse("quality:deviation_detail", args=[deviation["pk"]]),
                )
                if deviation
                else None,
                deviation_id=deviation["pk"] if deviation else None,
                action=r["action"],
                action_owner=r["action_owner"],
                action_due=date_from_iso(r["action_due"]),
            )
        rows.append(
            SimpleNamespace(
                control=SimpleNamespace(
                    pk=stored["control"]["pk"],
                    what=stored["control"]["what"],
                    risk=SimpleNamespace(title=stored["risk"]),
                ),
                result=result,
            )
        )
    return rows

"""The report library on other pages: `{% load report_library %}{% latest_reports %}`.

goals' start page cannot import reporting (the layers point down), so it includes this tag:
a politician (a reader, who neither edits nor reviews) finds the latest published reports
where they start. Staff, whose start page leads with what they must do, reach the reports
through the menu.
"""

from django import template

from goals.permissions import access_for

from .. import access
from ..models import GeneratedReport

register = template.Library()

LATEST_SHOWN = 5


def latest_published_reports(user, *, limit: int = LATEST_SHOWN) -> list[GeneratedReport]:
    """The newest published reports the user may read (the library's rule), one per report:
    the latest version of each committee's and the municipality's report per occasion."""
    rows = (
        GeneratedReport.objects.filter(access.visible_q(user), published=True)
        .select_related("occasion__plan_year", "org_unit")
        .order_by("-finished_at", "-pk")[: limit * 4]
    )
    latest, seen = [], set()
    for report in rows:
        key = (report.kind, report.occasion_id, report.org_unit_id)
        if key not in seen:
            seen.add(key)
            latest.append(report)
    return latest[:limit]


@register.inclusion_tag("report_library/_latest.html", takes_context=True)
def latest_reports(context, limit: int = LATEST_SHOWN) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"shown": False}
    staff = access_for(user)
    if staff.edits_anything or staff.reviews_anything:
        return {"shown": False}
    return {"shown": True, "reports": latest_published_reports(user, limit=limit)}

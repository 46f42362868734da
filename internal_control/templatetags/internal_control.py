"""{% followup_controls %}: the control results on a committee's follow-up and review pages.

An inclusion tag, so the follow-up templates need one line and their views nothing: it reads
occasion, unit, submission and the user from the page's context.
"""

from django import template

from goals.frozen import frozen_data
from goals.models import OrgUnit, Submission
from goals.permissions import access_for

from ..followup import frozen_result_rows, live_result_rows
from ..selectors import result_counts
from ..services import results_open

register = template.Library()


@register.inclusion_tag("internal_control/includes/followup_section.html", takes_context=True)
def followup_controls(context):
    occasion, unit = context.get("occasion"), context.get("unit")
    if (
        occasion is None
        or unit is None
        or unit.kind != OrgUnit.Kind.COMMITTEE
        or not occasion.is_follow_up
    ):
        return {"show": False}
    submission = context.get("submission")
    if context.get("frozen_record"):
        # A published page reads stand-ins of the frozen rows; the record is the submission's.
        submission = Submission.objects.filter(pk=submission.pk).first()
    data = frozen_data(submission) if submission is not None else None
    rows = frozen_result_rows(data) if data is not None else None
    frozen = rows is not None
    if rows is None:
        rows = live_result_rows(occasion=occasion, unit=unit)
    user = context["request"].user
    can_report = (
        not frozen
        and access_for(user).can_edit(unit)
        and results_open(occasion=occasion, committee=unit, submission=submission)[0]
    )
    return {
        "show": bool(rows) or can_report,
        "rows": rows,
        "counts": result_counts(rows),
        "occasion": occasion,
        "unit": unit,
        "frozen": frozen,
        "can_report": can_report,
    }

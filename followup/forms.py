"""The follow-up page's forms: ~285 of them (outcomes, assessments, activities, finance,
analysis, priorities, assignments), built, validated and read as one.

The fields are written by core.widget_rendering's FastWidgetRenderer: the same markup as
Django's widget templates, in a fraction of the time.
"""

from core.widget_rendering import renderer as fast_renderer
from goals import cycle, rules
from goals.forms import (
    ActivityFollowUpForm,
    AssessmentForm,
    MeasurementEntryForm,
    PriorityFormSet,
    SubmissionForm,
)
from goals.models import Measurement, OrgUnit, ReportingOccasion, Submission
from governance.followup import AssignmentStatusForms

# The form's ~285 fields are written by FastWidgetRenderer (the same markup as Django's
# widget templates, in a fraction of the time); the priorities' rows too.
_FastPriorityFormSet = type("PriorityFormSet", (PriorityFormSet,), {"renderer": fast_renderer})


def build_forms(request, *, occasion, unit, submission, context, data=None):
    """The page's forms, bound to `data` when given."""
    mid_year = occasion.is_mid_year
    forms = {}
    forms["main"] = SubmissionForm(
        data,
        instance=submission or Submission(occasion=occasion, org_unit=unit),
        committee=unit.kind == OrgUnit.Kind.COMMITTEE,
        renderer=fast_renderer,
    )
    forms["measurements"] = {}
    forms["assessments"] = {}
    forms["activities"] = {}
    forms["priorities"] = None
    forms["assignments"] = AssignmentStatusForms(
        data, occasion=occasion, unit=unit, submission=submission, user=request.user
    )
    if not occasion.is_follow_up:
        return forms  # the Verksamhetsplan: the plan, its comment and budget frame
    for goal in context["goals"]:
        for indicator in goal.followup_indicators:
            outcome = indicator.outcome
            forms["measurements"][indicator.pk] = MeasurementEntryForm(
                data,
                prefix=f"ind-{indicator.pk}",
                renderer=fast_renderer,
                keeps_value=bool(outcome and outcome.source != Measurement.Source.MANUAL),
                initial={
                    "value": outcome.value if outcome else None,
                    "comment": outcome.comment if outcome else "",
                },
            )
    for goal in context["goals"]:
        a = context["assessments"].get(goal.pk)
        forms["assessments"][goal.pk] = AssessmentForm(
            data,
            prefix=f"mal-{goal.pk}",
            renderer=fast_renderer,
            mid_year=mid_year,
            suggested=context["suggestions"].get(goal.pk, ""),
            initial={
                "level": a.level if a else "",
                "justification": a.justification if a else "",
                "forecast_level": a.forecast_level if a else "",
                "comment": a.comment if a else "",
            },
        )
    for activity in context["activities"]:
        f = context["followups"].get(activity.pk)
        forms["activities"][activity.pk] = ActivityFollowUpForm(
            data,
            prefix=f"akt-{activity.pk}",
            renderer=fast_renderer,
            initial={
                "status": f.status if f else activity.status,
                "comment": f.comment if f else "",
            },
        )
    if (
        occasion.kind == ReportingOccasion.Kind.ANNUAL_REPORT
        and unit.kind == OrgUnit.Kind.COMMITTEE
    ):
        initial = (
            [
                {"direction_goal": p.direction_goal_id, "text": p.text}
                for p in submission.priorities.all()
            ]
            if submission
            else []
        )
        forms["priorities"] = _FastPriorityFormSet(
            data,
            prefix="prio",
            initial=initial,
            form_kwargs={"goals": context["goals"]},
        )
    return forms


def all_forms(forms):
    yield forms["main"]
    yield from forms["measurements"].values()
    yield from forms["assessments"].values()
    yield from forms["activities"].values()
    yield from forms["assignments"]
    if forms["priorities"] is not None:
        yield from forms["priorities"].forms


def resuggest(forms, context):
    """Suggestions from the values as typed, so an override is checked against them."""
    values = {
        pk: f.cleaned_data.get("value") if f.is_valid() else None
        for pk, f in forms["measurements"].items()
    }
    for goal in context["goals"]:
        for i in goal.followup_indicators:
            # An imported (e.g. Kolada) value stays when its field is left empty.
            if (
                values.get(i.pk) is None
                and i.outcome
                and i.outcome.source != Measurement.Source.MANUAL
            ):
                values[i.pk] = i.outcome.value
    for goal in context["goals"]:
        if not goal.followup_indicators:
            continue
        pairs = [
            (
                values.get(i.pk),
                i.year_target.value if i.year_target else None,
                i.higher_is_better,
            )
            for i in goal.followup_indicators
        ]
        forms["assessments"][goal.pk].suggested = rules.suggest_assessment(pairs)


def followup_input(forms) -> cycle.FollowUpInput:
    main = forms["main"].cleaned_data
    data = cycle.FollowUpInput(
        analysis=main.get("analysis", ""),
        budget_frame_tkr=main.get("budget_frame_tkr"),
        outcome_tkr=main.get("outcome_tkr"),
        forecast_tkr=main.get("forecast_tkr"),
        measurements={
            pk: (f.cleaned_data.get("value"), f.cleaned_data.get("comment", ""))
            for pk, f in forms["measurements"].items()
        },
        assessments={pk: dict(f.cleaned_data) for pk, f in forms["assessments"].items()},
        activities={
            pk: (f.cleaned_data.get("status", ""), f.cleaned_data.get("comment", ""))
            for pk, f in forms["activities"].items()
        },
    )
    if forms["priorities"] is not None:
        data.priorities = [
            (f.cleaned_data.get("direction_goal"), f.cleaned_data.get("text", ""))
            for f in forms["priorities"].forms
            if f.cleaned_data.get("text", "").strip()
        ]
    return data


def validate(forms, context) -> bool:
    """Every form of the page, the outcomes first: the suggestions follow what was typed."""
    for f in forms["measurements"].values():
        f.is_valid()
    resuggest(forms, context)
    valid = all(f.is_valid() for f in all_forms(forms))
    if forms["priorities"] is not None:
        valid = forms["priorities"].is_valid() and valid
    return valid

"""The follow-up page's forms: ~285 of them (outcomes, assessments, activities, finance,
analysis, priorities, assignments), built, validated and read as one.

The fields are written by core.widget_rendering's FastWidgetRenderer: the same markup as
Django's widget templates, in a fraction of the time.
"""

from django import forms

from core.forms import AccessibleFormMixin
from core.widget_rendering import renderer as fast_renderer
from goals import cycle, rules
from goals.forms import (
    ActivityFollowUpForm,
    AssessmentForm,
    MeasurementEntryForm,
    PriorityFormSet,
    SubmissionForm,
)
from goals.models import (
    ECONOMY_FIELDS,
    TEXT_FIELDS,
    GoalAssessment,
    Measurement,
    OrgUnit,
    ReportingOccasion,
    Submission,
)
from goals.selectors import submit_gaps
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
    forms["status"] = {}  # indicator id -> rules.target_status
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
                mid_year=occasion.is_mid_year,
                initial={
                    "value": outcome.value if outcome else None,
                    "comment": outcome.comment if outcome else "",
                    "forecast": outcome.forecast if outcome else None,
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
    resuggest(forms, context)  # as saved; validate() counts the values as typed
    return forms


def all_forms(forms):
    yield forms["main"]
    yield from forms["measurements"].values()
    yield from forms["assessments"].values()
    yield from forms["activities"].values()
    yield from forms["assignments"]
    if forms["priorities"] is not None:
        yield from forms["priorities"].forms


def _outcomes(forms, context) -> dict:
    """Each indicator's outcome as the page counts it: as typed once its form is validated
    (an imported, e.g. Kolada, value stays when its field is left empty), else as saved."""
    values = {}
    for goal in context["goals"]:
        for i in goal.plan_indicators:
            saved = i.outcome.value if i.outcome else None
            typed = getattr(forms["measurements"].get(i.pk), "cleaned_data", None)
            if typed is None:
                values[i.pk] = saved
                continue
            # A value that is no number counts as missing, whatever else the row holds.
            value = typed.get("value")
            if value is None and i.outcome and i.outcome.source != Measurement.Source.MANUAL:
                value = saved
            values[i.pk] = value
    return values


def resuggest(forms, context):
    """Per indicator whether it reaches its target, per goal the suggestion: from the values
    as typed, so that an override is checked against them and the page shows its basis.
    static/js/followup-suggest.js applies the same rule in the browser as they are typed."""
    values = _outcomes(forms, context)
    forms["status"] = {}
    for goal in context["goals"]:
        pairs = []
        for i in goal.plan_indicators:
            target = i.year_target.value if i.year_target else None
            forms["status"][i.pk] = rules.target_status(
                value=values[i.pk], target=target, higher_is_better=i.higher_is_better
            )
            pairs.append((values[i.pk], target, i.higher_is_better))
        if goal.pk in forms["assessments"]:
            forms["assessments"][goal.pk].suggested = rules.suggest_assessment(pairs)


def typed_gaps(forms, context, *, occasion) -> list:
    """What the values as posted lack before they can be handed in (selectors.submit_gaps),
    also when some of them are refused: one attempt lists everything."""
    assessments = {}
    for goal in context["goals"]:
        form = forms["assessments"][goal.pk]
        form.is_valid()  # validate() stops at the first refused form; each is read here
        typed = form.cleaned_data
        assessments[goal.pk] = GoalAssessment(
            level=typed.get("level", ""),
            justification=typed.get("justification", ""),
            forecast_level=typed.get("forecast_level", ""),
            suggested_level=form.suggested,
        )
    followed = set()
    for pk, form in forms["activities"].items():
        form.is_valid()
        if form.cleaned_data.get("status"):
            followed.add(pk)
    return submit_gaps(
        occasion=occasion,
        goals=context["goals"],
        assessments=assessments,
        activities=context["activities"],
        followed=followed,
    )


def _gap_form(forms, gap):
    if gap.goal_id is not None:
        form = forms["assessments"].get(gap.goal_id)
    else:
        form = forms["activities"].get(gap.activity_id)
    return form if form is not None and gap.field in form.fields else None


def mark_gaps(forms, gaps) -> None:
    """Each gap said under its field (aria-invalid, aria-describedby) and so listed in the
    error summary; a field that has an error already keeps that one."""
    for gap in gaps:
        form = _gap_form(forms, gap)
        if form is None:
            continue
        errors = form.errors  # a bound form is validated once; an unbound one has none
        if gap.field in errors:
            continue
        errors[gap.field] = form.error_class([gap.error], renderer=form.renderer)
        form._describe()


def gap_links(forms, gaps) -> list[dict]:
    """The gaps as a list to show: each its text and a link to its field."""
    links = []
    for gap in gaps:
        form = _gap_form(forms, gap)
        href = f"#{form[gap.field].auto_id}" if form is not None else ""
        links.append({"text": gap.text, "href": href})
    return links


def followup_input(forms) -> cycle.FollowUpInput:
    main = forms["main"].cleaned_data
    data = cycle.FollowUpInput(
        analysis=main.get("analysis", ""),
        budget_frame_tkr=main.get("budget_frame_tkr"),
        outcome_tkr=main.get("outcome_tkr"),
        forecast_tkr=main.get("forecast_tkr"),
        more={
            name: main.get(name, "" if name in TEXT_FIELDS else None)
            for name in (*ECONOMY_FIELDS[3:], *TEXT_FIELDS)
        },
        measurements={
            pk: (
                f.cleaned_data.get("value"),
                f.cleaned_data.get("comment", ""),
                f.cleaned_data.get("forecast"),
            )
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


class AdoptionForm(AccessibleFormMixin, forms.Form):
    """The adoption entered when publishing: the report says "Fastställd" only with it."""

    adopted_by = forms.CharField(
        label="Fastställd av",
        max_length=200,
        required=False,
        help_text="Det organ som fastställde uppföljningen, t.ex. Utbildningsnämnden. "
        "Lämna fälten tomma om den inte är fastställd än: rapporten säger då ”Publicerad”.",
    )
    adopted_on = forms.DateField(
        label="Datum", required=False, help_text="ÅÅÅÅ-MM-DD", input_formats=["%Y-%m-%d"]
    )
    adoption_paragraph = forms.CharField(label="Paragraf (§)", max_length=20, required=False)
    adoption_dnr = forms.CharField(label="Diarienummer (Dnr)", max_length=50, required=False)

    def clean(self):
        data = super().clean()
        given = any(data.get(name) for name in self.fields)
        if given:
            if not data.get("adopted_by") and "adopted_by" not in self.errors:
                self.add_error("adopted_by", "Skriv vilket organ som fastställde uppföljningen.")
            if not data.get("adopted_on") and "adopted_on" not in self.errors:
                self.add_error("adopted_on", "Skriv datumet för beslutet (ÅÅÅÅ-MM-DD).")
        return data

"""A conflict on the follow-up form, field by field: theirs and yours side by side.

The follow-up's history (goals.selectors.followup_snapshot) gives each field's value at the
version the user opened and now, and who changed it; core.conflict compares them with what
the user sent and prefills the form with theirs where the user did not touch the field.
"""

from core.conflict import TypedValue, changer_name, field_conflicts, typed_values
from goals import selectors
from goals.models import ECONOMY_FIELDS, TEXT_FIELDS


def followup_fields(*, forms, answer_forms, context):
    """(form, field name, history key, label) for every field of the follow-up form that the
    follow-up's history knows, in page order."""
    main = forms["main"]
    for goal in context["goals"]:
        for indicator in goal.followup_indicators:
            form = forms["measurements"].get(indicator.pk)
            if form is None:
                continue
            for name in ("value", "comment", "forecast"):
                if name in form.fields:
                    label = f"{form.fields[name].label}, {indicator.name}"
                    yield form, name, ("measurement", indicator.pk, name), label
        form = forms["assessments"].get(goal.pk)
        for name in ("level", "forecast_level", "justification", "comment"):
            if form is not None and name in form.fields:
                label = f"{goal.code} – {form.fields[name].label}"
                yield form, name, ("assessment", goal.pk, name), label
    for activity in context["activities"]:
        form = forms["activities"].get(activity.pk)
        if form is None:
            continue
        for name in ("status", "comment"):
            label = f"{form.fields[name].label}, {activity.title}"
            yield form, name, ("activity", activity.pk, name), label
    for name in (*ECONOMY_FIELDS, *TEXT_FIELDS, "analysis"):
        if name in main.fields:
            yield main, name, ("submission", 0, name), str(main.fields[name].label)
    for pk, form in answer_forms.items():
        when_written = f"{form.comment.created_at:%Y-%m-%d %H:%M}"
        label = f"Svar på kommentaren från {when_written}"
        yield form, "answer", ("answer", pk, "answer"), label


def followup_conflicts(*, forms, answer_forms, context, current, base_version, data, user):
    """The fields someone changed since `base_version`, or None when that version is unknown.

    `data`: a mutable copy of the post; fields the user did not touch take their value.
    """
    when = selectors.version_saved_at(current, base_version)
    if when is None:
        return None
    snapshot = selectors.followup_snapshot(submission=current, when=when)
    items = [
        (
            form,
            name,
            label,
            snapshot.base.get(key),
            snapshot.now.get(key, snapshot.base.get(key)),
            snapshot.changed_by.get(key),
        )
        for form, name, key, label in followup_fields(
            forms=forms, answer_forms=answer_forms, context=context
        )
    ]
    conflicts = field_conflicts(items, data=data, acting_user=user)
    changers = {snapshot.changed_by[k] for k in snapshot.changed_by}
    names = sorted({changer_name(u, acting_user=user) for u in changers})
    return {"fields": conflicts, "names": names}


def typed_not_saved(*, forms, answer_forms, context) -> list[TypedValue]:
    """What the user typed that differs from the follow-up as saved, labelled, for a save
    refused because the follow-up was handed in, approved or published meanwhile."""
    fields = [
        (form, name, label)
        for form, name, _key, label in followup_fields(
            forms=forms, answer_forms=answer_forms, context=context
        )
    ]
    for form in forms["assignments"]:
        for name in form.fields:
            label = f"{form.fields[name].label}, {form.row.assignment.short_text}"
            fields.append((form, name, label))
    if forms["priorities"] is not None:
        for n, form in enumerate(forms["priorities"].forms, start=1):
            if "text" in form.fields:
                fields.append((form, "text", f"Prioritering {n}"))
    return typed_values(fields)

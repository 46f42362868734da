"""A conflict on the follow-up form, field by field: theirs and yours side by side.

The follow-up's history (goals.selectors.followup_snapshot) gives each field's value at the
version the user opened and now, and who changed it; core.conflict compares them with what
the user sent and prefills the form with theirs where the user did not touch the field.
"""

from core.conflict import changer_name, field_conflicts
from goals import selectors
from goals.models import ECONOMY_FIELDS, TEXT_FIELDS


def followup_conflicts(*, forms, answer_forms, context, current, base_version, data, user):
    """The fields someone changed since `base_version`, or None when that version is unknown.

    `data`: a mutable copy of the post; fields the user did not touch take their value.
    """
    when = selectors.version_saved_at(current, base_version)
    if when is None:
        return None
    snapshot = selectors.followup_snapshot(submission=current, when=when)
    items = []

    def add(form, name, key, label):
        if form is None or name not in form.fields:
            return
        items.append(
            (
                form,
                name,
                label,
                snapshot.base.get(key),
                snapshot.now.get(key, snapshot.base.get(key)),
                snapshot.changed_by.get(key),
            )
        )

    main = forms["main"]
    for goal in context["goals"]:
        for indicator in goal.followup_indicators:
            form = forms["measurements"].get(indicator.pk)
            for name in ("value", "comment", "forecast"):
                if name == "forecast" and (form is None or name not in form.fields):
                    continue
                label = f"{form.fields[name].label}, {indicator.name}" if form else ""
                add(form, name, ("measurement", indicator.pk, name), label)
        form = forms["assessments"].get(goal.pk)
        for name in ("level", "forecast_level", "justification", "comment"):
            if form is not None and name in form.fields:
                label = f"{goal.code} – {form.fields[name].label}"
                add(form, name, ("assessment", goal.pk, name), label)
    for activity in context["activities"]:
        form = forms["activities"].get(activity.pk)
        for name in ("status", "comment"):
            label = f"{form.fields[name].label}, {activity.title}" if form else ""
            add(form, name, ("activity", activity.pk, name), label)
    for name in (*ECONOMY_FIELDS, *TEXT_FIELDS, "analysis"):
        if name in main.fields:
            add(main, name, ("submission", 0, name), str(main.fields[name].label))
    for pk, form in answer_forms.items():
        when_written = f"{form.comment.created_at:%Y-%m-%d %H:%M}"
        label = f"Svar på kommentaren från {when_written}"
        add(form, "answer", ("answer", pk, "answer"), label)
    conflicts = field_conflicts(items, data=data, acting_user=user)
    changers = {snapshot.changed_by[k] for k in snapshot.changed_by}
    names = sorted({changer_name(u, acting_user=user) for u in changers})
    return {"fields": conflicts, "names": names}

"""A follow-up's values at a moment in the past, read from its history (django-simple-history).

Two pages need them: the follow-up form after a conflict (the values at the version the user
opened, to tell what they touched from what someone else changed) and the review page when a
follow-up comes back (what changed since the last submission). Keys name what a value
belongs to, never a form: (kind, row id, field) with kind "submission" (row id 0),
"measurement" (indicator id), "assessment" (goal id), "activity" or "answer" (comment id).
"""

from dataclasses import dataclass

from ..models import (
    ECONOMY_FIELDS,
    TEXT_FIELDS,
    Activity,
    ActivityFollowUp,
    GoalAssessment,
    Measurement,
    ReviewComment,
    Submission,
)
from .history import _display

SUBMISSION_FIELDS = ("analysis", *ECONOMY_FIELDS, *TEXT_FIELDS)
MEASUREMENT_FIELDS = ("value", "comment", "forecast")
ASSESSMENT_FIELDS = ("level", "justification", "forecast_level", "comment")
ACTIVITY_FIELDS = ("status", "comment")


@dataclass
class Snapshot:
    """The values at `when` and now, and who last changed each value after `when`."""

    base: dict
    now: dict
    changed_by: dict  # key -> user (or None: an import or the demo data)


def version_saved_at(submission: Submission, version: int):
    """When the follow-up reached `version` (its last save at that version), or None."""
    return (
        submission.history.filter(version=max(version, 1))
        .order_by("-history_date", "-history_id")
        .values_list("history_date", flat=True)
        .first()
    )


def _replay(records, *, kind, attr, fields, when, snapshot, empty):
    """Walk each row's history in order: its values at `when`, now, and who changed them."""
    last: dict = {}
    for record in records:
        row = getattr(record, attr) if attr else 0
        values = empty if record.history_type == "-" else {f: getattr(record, f) for f in fields}
        before = last.get(row, empty)
        last[row] = values
        for f in fields:
            if record.history_date <= when:
                snapshot.base[(kind, row, f)] = values[f]
            elif values[f] != before[f]:
                snapshot.changed_by[(kind, row, f)] = record.history_user
    for row, values in last.items():
        for f in fields:
            snapshot.now[(kind, row, f)] = values[f]
            snapshot.base.setdefault((kind, row, f), empty[f])


def followup_snapshot(*, submission: Submission, when) -> Snapshot:
    """The follow-up's values at `when` (a datetime) and now, from the history tables.

    Keys are (kind, row id, field); the submission's own fields have the row id 0. A value
    never saved counts as empty; an activity not yet followed up counts with the status its
    plan had then, as the form shows it.
    """
    snapshot = Snapshot(base={}, now={}, changed_by={})
    measurements = Measurement.history.none()
    if submission.is_committee:
        measurements = Measurement.history.filter(
            occasion_id=submission.occasion_id,
            indicator__direction_goal__committee_id=submission.org_unit_id,
        )
    tables = [
        ("submission", submission.history.all(), None, SUBMISSION_FIELDS),
        ("measurement", measurements, "indicator_id", MEASUREMENT_FIELDS),
        (
            "assessment",
            GoalAssessment.history.filter(submission_id=submission.pk),
            "direction_goal_id",
            ASSESSMENT_FIELDS,
        ),
        (
            "activity",
            ActivityFollowUp.history.filter(submission_id=submission.pk),
            "activity_id",
            ACTIVITY_FIELDS,
        ),
        ("answer", ReviewComment.history.filter(submission_id=submission.pk), "id", ("answer",)),
    ]
    for kind, records, attr, fields in tables:
        empty = {f: None if f in ("value", *SUBMISSION_FIELDS[1:]) else "" for f in fields}
        _replay(
            records.select_related("history_user").order_by("history_date", "history_id"),
            kind=kind,
            attr=attr,
            fields=fields,
            when=when,
            snapshot=snapshot,
            empty=empty,
        )
    _activity_status_then(submission, when=when, snapshot=snapshot)
    return snapshot


def _activity_status_then(submission, *, when, snapshot: Snapshot) -> None:
    """An activity without a follow-up at `when` showed its plan's status of then."""
    missing = [
        key[1]
        for key, value in snapshot.now.items()
        if key[0] == "activity" and key[2] == "status" and not snapshot.base.get(key)
    ]
    if not missing:
        return
    for record in Activity.history.filter(id__in=missing, history_date__lte=when).order_by(
        "history_date", "history_id"
    ):
        snapshot.base[("activity", record.id, "status")] = record.status


# --- what changed since the last submission (the review page) ----------------------------------


@dataclass
class ChangeRow:
    anchor: str  # the goal section it belongs to ("mal-<id>"), or "" for the whole follow-up
    what: str
    field: str
    before: str
    after: str


def changes_since_last_submission(*, submission: Submission, context: dict) -> dict | None:
    """What a follow-up sent back and handed in again changed since the previous hand-in.

    None when it has been handed in once only, or is back with the unit (being changed).
    `context`: the review page's selectors.followup_context, whose goals, indicators,
    activities and comments name the rows.
    """
    submits = [e for e in context["events"] if e.action == e.Action.SUBMIT]
    if len(submits) < 2 or submission.state not in (
        Submission.State.SUBMITTED,
        Submission.State.APPROVED,
    ):
        return None
    previous = submits[-2]
    snapshot = followup_snapshot(submission=submission, when=previous.at)
    after = snapshot.now  # handed in again, nothing has changed since (answers neither)
    goals = {g.pk: g for g in context["goals"]}
    indicators = {i.pk: i for g in context["goals"] for i in g.plan_indicators}
    activities = {a.pk: a for a in context["activities"]}
    comments = {c.pk: c for rows in context["comments"].values() for c in rows}
    models = {
        "submission": Submission,
        "measurement": Measurement,
        "assessment": GoalAssessment,
        "activity": ActivityFollowUp,
    }
    rows = []
    for key in sorted(set(snapshot.base) | set(after), key=_order):
        old, new = snapshot.base.get(key), after.get(key)
        if _blank(old) == _blank(new):
            continue
        kind = key[0]
        if kind == "answer":
            comment = comments.get(key[1])
            if comment is None:
                continue
            anchor = f"mal-{comment.direction_goal_id}" if comment.direction_goal_id else ""
            what = f"Kommentar {comment.created_at:%Y-%m-%d %H:%M}"
            rows.append(ChangeRow(anchor, what, "Svar", old or "–", new or "–"))
            continue
        model, name = models[kind], key[-1]
        label = str(model._meta.get_field(name).verbose_name).capitalize()
        if kind == "submission":
            anchor, what = "", "Uppföljningen"
        elif kind == "measurement":
            indicator = indicators.get(key[1])
            if indicator is None:
                continue
            anchor, what = f"mal-{indicator.direction_goal_id}", f"Indikator {indicator.name}"
        elif kind == "assessment":
            goal = goals.get(key[1])
            if goal is None:
                continue
            anchor, what = f"mal-{goal.pk}", f"{goal.code} {goal.title}"
        else:
            activity = activities.get(key[1])
            if activity is None:
                continue
            anchor, what = "", f"Aktivitet {activity.title}"
        rows.append(
            ChangeRow(anchor, what, label, _display(model, name, old), _display(model, name, new))
        )
    return {"since": previous.at, "rows": rows}


def _blank(value):
    return None if value == "" else value


def _order(key) -> tuple:
    kinds = ["assessment", "measurement", "activity", "answer", "submission"]
    return (kinds.index(key[0]), key[1], key[2])

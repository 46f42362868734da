"""A published follow-up is final: what it showed is kept as plain data when it is published.

`followup_freeze` runs in the publishing transaction (goals.cycle.submission_publish). It
stores the page's data (goals and their texts, indicators with targets and outcomes,
assessments, activities, comments, finance, analysis, priorities, the units' roll-up, and the
unit's and occasion's names) in a PublishedFollowUp row. Apps built on goals add their own
parts through the `followup_freezing` signal: governance the assignments, reporting the
committee's report section. The published page, the review page and every later report of
the occasion render from that row, never from the live rows, so a target changed, an
indicator added, a goal renamed or a raw UPDATE afterwards changes nothing they show.

Access stays live: the roll-up and the assignments keep the ids of their units, and a reader
sees the rows of the units they see today.
"""

import json
from decimal import Decimal
from types import SimpleNamespace

from django.core.serializers.json import DjangoJSONEncoder
from django.dispatch import Signal

from core.formats import date_from_iso, iso_text, moment_from_iso

from .models import (
    ECONOMY_FIELDS,
    TEXT_FIELDS,
    DirectionGoal,
    OrgUnit,
    PublishedFollowUp,
    Submission,
)
from .permissions import access_for
from .rules import followup_state

FORMAT = 1

#: Sent with `submission` and `data` (a dict to add plain-data parts to) while freezing.
followup_freezing = Signal()

#: Sent with `submission` and `user` (who published it) once the publishing transaction has
#: committed (goals.cycle.submission_publish); reporting orders the reports from it.
followup_published = Signal()


# --- freezing --------------------------------------------------------------------------------


def _dec(value) -> str | None:
    return None if value is None else str(value)


def person_data(user) -> dict | None:
    if user is None:
        return None
    return {"full_name": user.get_full_name(), "username": user.get_username()}


def unit_data(unit: OrgUnit) -> dict:
    return {"pk": unit.pk, "code": unit.code, "name": unit.name, "kind": unit.kind}


def _indicator(indicator) -> dict:
    target = getattr(indicator, "year_target", None)
    outcome = getattr(indicator, "outcome", None)
    return {
        "pk": indicator.pk,
        "code": indicator.code,
        "name": indicator.name,
        "unit_of_measure": indicator.unit_of_measure,
        "higher_is_better": indicator.higher_is_better,
        "year_target": {"value": _dec(target.value)} if target else None,
        "outcome": (
            {
                "value": _dec(outcome.value),
                "comment": outcome.comment,
                "forecast": _dec(getattr(outcome, "forecast", None)),
            }
            if outcome
            else None
        ),
    }


def _comment(comment) -> dict:
    return {
        "pk": comment.pk,
        "goal_pk": comment.direction_goal_id,
        "direction_goal": {"code": comment.direction_goal.code} if comment.direction_goal else None,
        "author": person_data(comment.author),
        "created_at": iso_text(comment.created_at),
        "text": comment.text,
        "answer": comment.answer,
        "answered_by": person_data(comment.answered_by),
        "answered_at": iso_text(comment.answered_at),
        "resolved_at": iso_text(comment.resolved_at),
        "resolved_by": person_data(comment.resolved_by),
    }


def page_data(*, submission: Submission) -> dict:
    """The follow-up page's content as plain data (JSON), read from the live rows."""
    from .selectors import followup_context

    occasion, unit = submission.occasion, submission.org_unit
    context = followup_context(occasion=occasion, unit=unit, submission=submission)
    goals = context["goals"]
    return {
        "format": FORMAT,
        "unit": unit_data(unit),
        "occasion": {
            "pk": occasion.pk,
            "name": occasion.name,
            "kind": occasion.kind,
            "year": occasion.plan_year.year,
            "period_end": iso_text(occasion.period_end),
            "deadline": iso_text(occasion.deadline),
            "is_follow_up": occasion.is_follow_up,
            "is_mid_year": occasion.is_mid_year,
        },
        "submission": {
            "pk": submission.pk,
            "state": submission.state,
            "state_label": str(submission.get_state_display()),
            "days_late": submission.days_late,
            "budget_frame_tkr": _dec(submission.budget_frame_tkr),
            "outcome_tkr": _dec(submission.outcome_tkr),
            "forecast_tkr": _dec(submission.forecast_tkr),
            **{name: _dec(getattr(submission, name)) for name in ECONOMY_FIELDS[3:]},
            **{name: getattr(submission, name) for name in TEXT_FIELDS},
            "analysis": submission.analysis,
            "priorities": [
                {"direction_goal": {"code": p.direction_goal.code}, "text": p.text}
                for p in submission.priorities.select_related("direction_goal").order_by("pk")
            ],
        },
        "goals": [
            {
                "pk": g.pk,
                "code": g.code,
                "title": g.title,
                "plan_indicators": [_indicator(i) for i in g.plan_indicators],
                "followup_indicators": [_indicator(i) for i in g.followup_indicators],
            }
            for g in goals
        ],
        "assessments": {
            str(goal_id): {
                "level": a.level,
                "forecast_level": a.forecast_level,
                "justification": a.justification,
                "comment": a.comment,
            }
            for goal_id, a in context["assessments"].items()
        },
        "suggestions": {str(k): v for k, v in context["suggestions"].items()},
        "activities": [
            {"pk": a.pk, "title": a.title, "direction_goal": {"code": a.direction_goal.code}}
            for a in context["activities"]
        ],
        "followups": {
            str(activity_id): {
                "status": f.status,
                "status_label": str(f.get_status_display()),
                "comment": f.comment,
            }
            for activity_id, f in context["followups"].items()
        },
        "comments": [
            _comment(c) for goal_comments in context["comments"].values() for c in goal_comments
        ],
        "events": [
            {
                "at": iso_text(e.at),
                "actor": person_data(e.actor),
                "action_label": str(e.get_action_display()),
                "reason": e.reason,
            }
            for e in context["events"]
        ],
        "rollup": [
            {
                "unit": unit_data(row.unit),
                "submission": (
                    {
                        "state": row.submission.state,
                        "state_label": str(row.submission.get_state_display()),
                    }
                    if row.submission
                    else None
                ),
                "levels": {str(goal_id): a.level for goal_id, a in row.levels.items()},
                "cells": [a.level if a else None for a in row.cells],
                # Keyed by the status labels (lazy translations): as text, which JSON takes.
                "activity_counts": {str(k): n for k, n in row.activity_counts.items()},
            }
            for row in context["rollup"]
        ],
    }


def _history(submission) -> list[dict]:
    from .selectors import history_entries

    return [
        {
            "when": iso_text(entry.when),
            "who": entry.who,
            "action": entry.action,
            "version": entry.version,
            "changes": [
                {"field": str(c.field), "old": str(c.old), "new": str(c.new)} for c in entry.changes
            ],
        }
        for entry in history_entries(submission)
    ]


def followup_freeze(*, submission: Submission) -> PublishedFollowUp:
    """Keep what the published follow-up shows; called once, as it is published."""
    data = page_data(submission=submission)
    data["history"] = _history(submission)
    followup_freezing.send(sender=Submission, submission=submission, data=data)
    # Lazy translations and the like become the text they stand for, once.
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return PublishedFollowUp.objects.create(submission=submission, data=data)


def frozen_data(submission: Submission | None) -> dict | None:
    """The stored data of a published follow-up, or None (not published, or published
    before follow-ups were frozen: `manage.py freeze_published` keeps those)."""
    if submission is None or submission.state != Submission.State.PUBLISHED:
        return None
    record = PublishedFollowUp.objects.filter(submission=submission).only("data").first()
    if record is None or record.data.get("format") != FORMAT:
        return None
    return record.data


# --- thawing: objects the page templates read like the live ones -----------------------------


def _number(text):
    return None if text is None else Decimal(text)


def _person(data):
    if data is None:
        return None
    return SimpleNamespace(
        username=data["username"], get_full_name=lambda: data["full_name"], pk=None
    )


def _thaw_indicator(data):
    return SimpleNamespace(
        pk=data["pk"],
        code=data["code"],
        name=data["name"],
        unit_of_measure=data["unit_of_measure"],
        higher_is_better=data["higher_is_better"],
        year_target=(
            SimpleNamespace(value=_number(data["year_target"]["value"]))
            if data["year_target"]
            else None
        ),
        outcome=(
            SimpleNamespace(
                value=_number(data["outcome"]["value"]),
                comment=data["outcome"]["comment"],
                forecast=_number(data["outcome"].get("forecast")),
            )
            if data["outcome"]
            else None
        ),
    )


def _state(data):
    if data is None:
        return None
    return SimpleNamespace(state=data["state"], get_state_display=lambda: data["state_label"])


def _visible_unit_ids(user, unit_ids) -> set[int]:
    """Of the stored units, those the user sees today (a unit head: their own, not siblings)."""
    if user is None:
        return set(unit_ids)
    access = access_for(user)
    return {u.pk for u in OrgUnit.objects.filter(pk__in=unit_ids) if access.covers(u)}


def page_context(data: dict, *, user) -> dict:
    """The context the follow-up and review templates read, from the frozen data."""
    occasion = data["occasion"]
    submission = data["submission"]
    goals = []
    for g in data["goals"]:
        # An unsaved instance that only carries the frozen values: it equals the live goal
        # (same pk), and nothing on the page reads more of it than what is set here.
        goal = DirectionGoal(pk=g["pk"], code=g["code"], title=g["title"])
        goal.plan_indicators = [_thaw_indicator(i) for i in g["plan_indicators"]]
        goal.followup_indicators = [_thaw_indicator(i) for i in g["followup_indicators"]]
        goals.append(goal)
    comments: dict = {}
    for c in data["comments"]:
        comment = SimpleNamespace(
            pk=c["pk"],
            direction_goal=SimpleNamespace(**c["direction_goal"]) if c["direction_goal"] else None,
            author=_person(c["author"]),
            created_at=moment_from_iso(c["created_at"]),
            text=c["text"],
            answer=c["answer"],
            answered_by=_person(c["answered_by"]),
            answered_at=moment_from_iso(c["answered_at"]),
            resolved_at=moment_from_iso(c["resolved_at"]),
            resolved_by=_person(c["resolved_by"]),
        )
        comments.setdefault(c["goal_pk"], []).append(comment)
    rows = data["rollup"]
    seen = _visible_unit_ids(user, [r["unit"]["pk"] for r in rows])
    stored_occasion = SimpleNamespace(
        is_follow_up=occasion["is_follow_up"], deadline=date_from_iso(occasion["deadline"])
    )
    rollup = [
        SimpleNamespace(
            unit=SimpleNamespace(**r["unit"]),
            submission=_state(r["submission"]),
            # The same words as on a live page: what the state was when it was published.
            state=followup_state(
                occasion=stored_occasion,
                unit=SimpleNamespace(**r["unit"]),
                submission=_state(r["submission"]),
            ),
            levels={
                int(k): SimpleNamespace(level=level) for k, level in r["levels"].items() if level
            },
            cells=[SimpleNamespace(level=level) if level else None for level in r["cells"]],
            activity_counts=r["activity_counts"],
        )
        for r in rows
        if r["unit"]["pk"] in seen
    ]
    return {
        "frozen_record": True,
        "unit": SimpleNamespace(**data["unit"]),
        "occasion": SimpleNamespace(
            pk=occasion["pk"],
            name=occasion["name"],
            kind=occasion["kind"],
            plan_year=SimpleNamespace(year=occasion["year"]),
            period_end=date_from_iso(occasion["period_end"]),
            deadline=date_from_iso(occasion["deadline"]),
            is_follow_up=occasion["is_follow_up"],
            is_mid_year=occasion["is_mid_year"],
        ),
        "submission": SimpleNamespace(
            pk=submission["pk"],
            state=submission["state"],
            get_state_display=lambda: submission["state_label"],
            days_late=submission.get("days_late", 0),
            budget_frame_tkr=_number(submission["budget_frame_tkr"]),
            outcome_tkr=_number(submission["outcome_tkr"]),
            forecast_tkr=_number(submission["forecast_tkr"]),
            **{name: _number(submission.get(name)) for name in ECONOMY_FIELDS[3:]},
            **{name: submission.get(name, "") for name in TEXT_FIELDS},
            analysis=submission["analysis"],
            priorities=SimpleNamespace(
                all=[
                    SimpleNamespace(
                        direction_goal=SimpleNamespace(**p["direction_goal"]), text=p["text"]
                    )
                    for p in submission["priorities"]
                ]
            ),
            is_editable=False,
        ),
        "goals": goals,
        "assessments": {int(k): SimpleNamespace(**v) for k, v in data["assessments"].items()},
        "suggestions": {int(k): v for k, v in data["suggestions"].items()},
        "frozen": True,
        "activities": [
            SimpleNamespace(
                pk=a["pk"],
                title=a["title"],
                direction_goal=SimpleNamespace(**a["direction_goal"]),
                source_deviation=None,
            )
            for a in data["activities"]
        ],
        "followups": {
            int(k): SimpleNamespace(
                status=v["status"],
                get_status_display=lambda v=v: v["status_label"],
                comment=v["comment"],
            )
            for k, v in data["followups"].items()
        },
        "comments": comments,
        "general_comments": comments.get(None, []),
        "events": [
            SimpleNamespace(
                at=moment_from_iso(e["at"]),
                actor=_person(e["actor"]),
                get_action_display=lambda e=e: e["action_label"],
                reason=e["reason"],
            )
            for e in data["events"]
        ],
        "rollup": rollup,
        "history": [
            SimpleNamespace(
                when=moment_from_iso(h["when"]),
                who=h["who"],
                action=h["action"],
                version=h["version"],
                changes=[SimpleNamespace(**c) for c in h["changes"]],
            )
            for h in data.get("history", [])
        ],
    }

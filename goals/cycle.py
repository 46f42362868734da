"""The cycle's state changes: follow-up, review moves, priorities and the next year.

Every move is a plain function with keyword arguments, one transaction, a guard that says
in Swedish why a move is refused, and an immutable SubmissionEvent (who, when, why).
Published content is final: the models refuse it too (PublishedError).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from core.text import clean_text, too_long

from . import audit, notices
from .frozen import followup_freeze, followup_published
from .models import (
    ECONOMY_FIELDS,
    Activity,
    ActivityFollowUp,
    Assessment,
    DirectionGoal,
    GoalAssessment,
    Indicator,
    Measurement,
    OperationalPlan,
    OrgUnit,
    PlanYear,
    Priority,
    PublishedError,
    ReportingOccasion,
    ReviewComment,
    Submission,
    SubmissionEvent,
)
from .permissions import access_for
from .rules import SUGGESTION_RULE, indicator_reaches_target, suggest_assessment  # noqa: F401
from .selectors import (
    activities_for,
    goals_for,
    in_steering_q,
    missing_for_submit,
    suggestions_for,
)

State = Submission.State


class MoveRefused(DomainError):
    """A move the guards do not allow; `problems` lists what is missing, in Swedish."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or []


class StateConflict(MoveRefused):
    """Refused because the follow-up is no longer in the state the user saw (someone handed
    it in, returned, approved or published it, or commented, meanwhile): answered with 409."""


def _text(value) -> str:
    """Free text from a request, cleaned, and no longer than TEXT_MAX characters."""
    text = clean_text(value)
    refusal = too_long(text)
    if refusal:
        raise MoveRefused(refusal)
    return text


# --- the suggested assessment -------------------------------------------------------------


# --- which goals and activities a submission covers -----------------------------------------


# --- writing a follow-up ------------------------------------------------------------------


@dataclass
class FollowUpInput:
    """What the follow-up page sends: only what the user may write."""

    analysis: str = ""
    budget_frame_tkr: Decimal | None = None
    outcome_tkr: Decimal | None = None
    forecast_tkr: Decimal | None = None
    # The rest of the economy (models.ECONOMY_FIELDS) and the texts (models.TEXT_FIELDS) by
    # name; a name left out is saved empty, as the fields above.
    more: dict = field(default_factory=dict)
    # indicator id -> (value or None, comment[, year-end forecast or None mid-year])
    measurements: dict[int, tuple] = field(default_factory=dict)
    # goal id -> dict(level, justification, forecast_level, comment)
    assessments: dict[int, dict] = field(default_factory=dict)
    # activity id -> (status, comment)
    activities: dict[int, tuple] = field(default_factory=dict)
    # list of (goal id, text); replaces the submission's priorities
    priorities: list[tuple] | None = None


def submission_get_or_create(*, occasion: ReportingOccasion, org_unit: OrgUnit) -> Submission:
    try:
        with transaction.atomic():
            submission, _created = Submission.objects.get_or_create(
                occasion=occasion, org_unit=org_unit
            )
    except IntegrityError:
        submission = Submission.objects.get(occasion=occasion, org_unit=org_unit)
    return submission


def _require_editor(submission: Submission, user) -> None:
    if not access_for(user).can_edit(submission.org_unit):
        raise MoveRefused("Bara redaktörer för enheten kan skriva dess uppföljning.")


def _require_writable(submission: Submission) -> None:
    if submission.state == State.PUBLISHED:
        raise PublishedError()
    if not submission.is_editable:
        raise StateConflict(
            f"Uppföljningen är {submission.get_state_display().lower()} och kan inte ändras nu."
        )


def followup_save(*, submission: Submission, user, base_version: int, data: FollowUpInput):
    """Save the follow-up as a draft (or as an answer to a return). Version-checked."""
    from .services import StaleEdit

    _require_editor(submission, user)
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_writable(current)
        if current.version != base_version:
            raise StaleEdit(current=current, base_version=base_version)
        occasion = current.occasion
        goals = {g.pk: g for g in goals_for(current)}
        if current.is_committee:
            indicators = {
                i.pk: i
                for i in Indicator.objects.filter(
                    in_steering_q(period_end=occasion.period_end),
                    direction_goal__in=goals.values(),
                )
            }
            # The rows as stored, one query per kind rather than one per row; the submission's
            # lock and _require_writable stand for each row's own check that it is not
            # published (_unpublished_under_lock).
            stored = {
                m.indicator_id: m
                for m in Measurement.objects.filter(indicator_id__in=indicators, occasion=occasion)
            }
            for indicator_id, (value, comment, *more) in data.measurements.items():
                if indicator_id not in indicators:
                    continue
                forecast = more[0] if more and occasion.is_mid_year else None
                existing = stored.get(indicator_id)
                if existing is not None:
                    existing._unpublished_under_lock = True
                if value is None:
                    if existing is not None and existing.source == Measurement.Source.MANUAL:
                        existing._history_user = user
                        existing.delete()
                    elif existing is not None and (existing.comment, existing.forecast) != (
                        comment,
                        forecast,
                    ):
                        existing.comment = comment
                        existing.forecast = forecast
                        existing._history_user = user
                        existing.save()
                    continue
                if existing is None:
                    existing = Measurement(indicator_id=indicator_id, occasion=occasion)
                    existing._unpublished_under_lock = True
                if (existing.value, existing.comment, existing.forecast) != (
                    value,
                    comment,
                    forecast,
                ) or not existing.pk:
                    existing.value = value
                    existing.comment = comment
                    existing.forecast = forecast
                    existing.source = Measurement.Source.MANUAL
                    existing._history_user = user
                    existing.save()
        suggestions = suggestions_for(current)
        assessments = {
            a.direction_goal_id: a for a in GoalAssessment.objects.filter(submission=current)
        }
        for goal_id, values in data.assessments.items():
            if goal_id not in goals:
                continue
            assessment = assessments.get(goal_id) or GoalAssessment(
                submission=current, direction_goal_id=goal_id
            )
            before = _assessment_fields(assessment)
            assessment.level = values.get("level", "")
            assessment.justification = values.get("justification", "")
            assessment.forecast_level = (
                values.get("forecast_level", "") if occasion.is_mid_year else ""
            )
            assessment.comment = values.get("comment", "")
            assessment.suggested_level = suggestions.get(goal_id, Assessment.NOT_ASSESSED)
            assessment.full_clean(exclude=["submission", "direction_goal"])
            if assessment.pk and _assessment_fields(assessment) == before:
                continue  # unchanged: no write, no history row that says nothing
            assessment._unpublished_under_lock = True
            assessment._history_user = user
            assessment.save()
        activities = {a.pk: a for a in activities_for(current)}
        followed = {f.activity_id: f for f in ActivityFollowUp.objects.filter(submission=current)}
        for activity_id, (status, comment) in data.activities.items():
            if activity_id not in activities or not status:
                continue
            follow = followed.get(activity_id) or ActivityFollowUp(
                submission=current, activity_id=activity_id
            )
            if not follow.pk or (follow.status, follow.comment) != (status, comment):
                follow.status, follow.comment = status, comment
                follow._unpublished_under_lock = True
                follow._history_user = user
                follow.save()
            activity = activities[activity_id]
            if activity.status != status:
                # The plan shows the latest reported status.
                activity.status = status
                activity.version += 1
                activity._history_user = user
                activity.save()
        if data.priorities is not None and occasion.kind == ReportingOccasion.Kind.ANNUAL_REPORT:
            _save_priorities(current, data.priorities, goals, user)
        current.analysis = data.analysis
        current.important_events = data.more.get("important_events", "")
        if current.is_committee:
            current.budget_frame_tkr = data.budget_frame_tkr
            current.outcome_tkr = data.outcome_tkr
            current.forecast_tkr = data.forecast_tkr
            for name in ECONOMY_FIELDS[3:]:
                setattr(current, name, data.more.get(name))
            current.action_plan = data.more.get("action_plan", "")
        current.version += 1
        current._history_user = user
        current.save()
    return current


def _assessment_fields(assessment: GoalAssessment) -> tuple:
    return (
        assessment.level,
        assessment.justification,
        assessment.forecast_level,
        assessment.comment,
        assessment.suggested_level,
    )


def _save_priorities(submission, rows, goals, user) -> None:
    """Keep unchanged priorities as they are (next year's activities link to them)."""
    wanted = [
        (goal_id, text.strip()) for goal_id, text in rows if goal_id in goals and text.strip()
    ]
    existing = list(Priority.objects.filter(submission=submission))
    kept = set()
    for goal_id, text in wanted:
        match = next(
            (
                p
                for p in existing
                if p.pk not in kept and p.direction_goal_id == goal_id and p.text == text
            ),
            None,
        )
        if match is not None:
            kept.add(match.pk)
            continue
        priority = Priority(submission=submission, direction_goal_id=goal_id, text=text[:300])
        priority._history_user = user
        priority.save()
        kept.add(priority.pk)
    for priority in existing:
        if priority.pk not in kept:
            priority._history_user = user
            priority.delete()


# --- review moves -------------------------------------------------------------------------


def _record(submission, *, action, to_state, user, reason=""):
    event = SubmissionEvent.objects.create(
        submission=submission,
        action=action,
        from_state=submission.state,
        to_state=to_state,
        actor=user,
        reason=reason,
    )
    submission.state = to_state
    submission.version += 1
    submission._history_user = user
    submission.save()
    occasion = submission.occasion
    audit.record(
        action="state_move",
        user=user,
        org_unit=submission.org_unit,
        summary=f"{event.get_action_display()} {occasion.name} {occasion.plan_year.year} – "
        f"{submission.org_unit.name} ({event.get_from_state_display().lower()} → "
        f"{event.get_to_state_display().lower()})" + (f": {reason}" if reason else ""),
    )
    if notices.enabled():
        transaction.on_commit(lambda: notices.submission_moved(event_id=event.pk))
    return event


def submission_submit(*, submission: Submission, user, today: datetime.date | None = None):
    today = today or timezone.localdate()
    _require_editor(submission, user)
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        _require_writable(current)
        # A follow-up that kommunledningskontoret sent back can be handed in again even
        # after the occasion closed: the reviewer asked for it.
        resubmission = current.state == State.RETURNED and today >= current.occasion.opens_on
        if not current.occasion.is_open(today) and not resubmission:
            raise MoveRefused(
                f"{current.occasion.name} är inte öppet för inlämning i dag "
                f"(öppnar {current.occasion.opens_on:%Y-%m-%d})."
            )
        problems = missing_for_submit(current)
        if problems:
            raise MoveRefused("Uppföljningen är inte komplett.", problems)
        if current.submitted_on is None:
            current.submitted_on = today  # the first hand-in decides whether it came in late
        _record(current, action=SubmissionEvent.Action.SUBMIT, to_state=State.SUBMITTED, user=user)
    return current


def _require_reviewer(submission: Submission, user) -> None:
    if not access_for(user).can_review(submission.org_unit):
        raise MoveRefused("Bara en granskare på kommunledningskontoret kan göra det.")


def submission_return(*, submission: Submission, user, reason: str):
    reason = _text(reason)
    _require_reviewer(submission, user)
    if not reason.strip():
        raise MoveRefused("Skriv varför uppföljningen skickas tillbaka.")
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.state != State.SUBMITTED:
            raise StateConflict("Bara en inlämnad uppföljning kan skickas tillbaka.")
        _record(
            current,
            action=SubmissionEvent.Action.RETURN,
            to_state=State.RETURNED,
            user=user,
            reason=reason.strip(),
        )
    return current


def submission_approve(*, submission: Submission, user, reason: str = ""):
    reason = _text(reason)
    _require_reviewer(submission, user)
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.state != State.SUBMITTED:
            raise StateConflict("Bara en inlämnad uppföljning kan godkännas.")
        open_comments = current.comments.filter(resolved_at__isnull=True).count()
        if open_comments:
            raise StateConflict(
                (
                    "1 granskningskommentar är inte löst. "
                    "Skicka tillbaka uppföljningen eller markera den som löst."
                )
                if open_comments == 1
                else (
                    f"{open_comments} granskningskommentarer är inte lösta. "
                    "Skicka tillbaka uppföljningen eller markera dem som lösta."
                )
            )
        _record(
            current,
            action=SubmissionEvent.Action.APPROVE,
            to_state=State.APPROVED,
            user=user,
            reason=reason.strip(),
        )
    return current


ADOPTION_FIELDS = ("adopted_by", "adopted_on", "adoption_paragraph", "adoption_dnr")


def submission_publish(*, submission: Submission, user, adoption: dict | None = None):
    """Publish; `adoption` (the ADOPTION_FIELDS, optional) records who adopted it, when, § and
    Dnr, kept with the submission's history: the reports then say "Fastställd"."""
    if not access_for(user).can_publish(submission.org_unit):
        raise MoveRefused("Bara en granskare eller administratör kan publicera.")
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=submission.pk)
        if current.state != State.APPROVED:
            raise StateConflict("Bara en godkänd uppföljning kan publiceras.")
        for name in ADOPTION_FIELDS:
            if adoption and adoption.get(name):
                setattr(current, name, adoption[name])
        _record(current, action=SubmissionEvent.Action.PUBLISH, to_state=State.PUBLISHED, user=user)
        # What the follow-up shows is kept as it is now, in the same transaction.
        followup_freeze(submission=current)
        if notices.enabled():
            # After the commit, so that what listens (reporting orders the reports) reads the
            # published follow-up; robust, so that a listener's failure does not undo or hide
            # a publish that has happened. Moves made quietly (notices.suppressed(), as the
            # demo loads) announce nothing; the demo orders its reports itself.
            transaction.on_commit(
                partial(followup_published.send, sender=Submission, submission=current, user=user),
                robust=True,
            )
    return current


# --- review comments ------------------------------------------------------------------------


def comment_add(*, submission: Submission, user, text: str, direction_goal=None):
    text = _text(text)
    _require_reviewer(submission, user)
    if submission.state != State.SUBMITTED:
        raise StateConflict("Kommentarer skrivs medan uppföljningen är inlämnad för granskning.")
    if not text.strip():
        raise MoveRefused("Skriv en kommentar.")
    if direction_goal is not None and direction_goal.pk not in {
        g.pk for g in goals_for(submission)
    }:
        raise MoveRefused("Målet hör inte till den här uppföljningen.")
    comment = ReviewComment(
        submission=submission, direction_goal=direction_goal, text=text.strip(), author=user
    )
    comment._history_user = user
    comment.save()
    return comment


def comment_answer(*, comment: ReviewComment, user, answer: str):
    answer = _text(answer)
    _require_editor(comment.submission, user)
    if not answer.strip():
        raise MoveRefused("Skriv ett svar.")
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=comment.submission_id)
        if current.state == State.PUBLISHED:
            raise PublishedError()
        if current.state == State.APPROVED:
            raise StateConflict("Uppföljningen är godkänd; kommentarerna är avslutade.")
        comment = ReviewComment.objects.select_related("submission__org_unit").get(pk=comment.pk)
        comment.answer = answer.strip()
        comment.answered_by = user
        comment.answered_at = timezone.now()
        comment._history_user = user
        comment.save(update_fields=["answer", "answered_by", "answered_at"])
        # The answer is part of the follow-up: a form opened before it sees a new version.
        current.version += 1
        current._history_user = user
        current.save(update_fields=["version"])
    return comment


def comment_answers_save(*, submission: Submission, user, answers: dict[int, str]) -> list:
    """The answers typed in the follow-up form, saved with it (followup/services).

    Called inside the follow-up's versioned save, whose version check covers them. Open
    comments of this follow-up take an answer, and an emptied field takes the answer back; a
    comment resolved while the answer was being typed still takes it (the form offered the
    field, so what was typed is kept), but is not emptied by it.
    Returns the comments whose answer changed.
    """
    _require_editor(submission, user)
    changed = []
    comments = ReviewComment.objects.filter(submission=submission, pk__in=list(answers))
    for comment in comments:
        answer = _text(answers[comment.pk])
        if answer == comment.answer or (comment.resolved_at is not None and not answer):
            continue
        comment.answer = answer
        comment.answered_by = user if answer else None
        comment.answered_at = timezone.now() if answer else None
        comment._history_user = user
        comment.save()
        changed.append(comment)
    return changed


def comment_resolve(*, comment: ReviewComment, user):
    access = access_for(user)
    if not (
        access.can_edit(comment.submission.org_unit)
        or access.can_review(comment.submission.org_unit)
    ):
        raise MoveRefused(
            "Bara enhetens redaktörer eller granskaren kan markera kommentaren som löst."
        )
    with transaction.atomic():
        current = Submission.objects.select_for_update().get(pk=comment.submission_id)
        if current.state == State.PUBLISHED:
            raise PublishedError()
        # The comment as stored now, under the follow-up's lock: the page's copy may be older
        # than an answer saved since, which saving it whole would wipe.
        comment = ReviewComment.objects.select_related("submission__org_unit").get(pk=comment.pk)
        if comment.resolved_at is not None:
            return comment  # resolved already (by someone else meanwhile): nothing to change
        comment.resolved_at = timezone.now()
        comment.resolved_by = user
        comment._history_user = user
        comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


# --- analysis feeds the next year ------------------------------------------------------------


def plan_year_start_next(*, plan_year: PlanYear, user) -> PlanYear:
    """Create next year with its occasions and draft plans built from this year's analysis.

    Every unit plan gets a successor (linked to it). Into it go, as not-started activities:
    each priority of the unit's committee whose goal is still valid (linked to the
    priority), and each unfinished activity whose goal is still valid (linked to it).
    Running it again adds nothing twice.
    """
    from .services import plan_year_ensure_occasions

    if not access_for(user).steers_municipality:
        raise MoveRefused(
            "Bara kommunledningskontoret och administratörer för hela kommunen startar ett nytt år."
        )
    next_year_number = plan_year.year + 1
    with transaction.atomic():
        next_year, _created = PlanYear.objects.get_or_create(
            year=next_year_number, defaults={"phase": PlanYear.Phase.PLAN}
        )
        plan_year_ensure_occasions(plan_year=next_year)
        valid = set(
            DirectionGoal.objects.filter(
                archived=False, valid_from__lte=next_year_number, valid_to__gte=next_year_number
            ).values_list("pk", flat=True)
        )
        priorities = list(
            Priority.objects.filter(
                submission__occasion__plan_year=plan_year,
                submission__occasion__kind=ReportingOccasion.Kind.ANNUAL_REPORT,
                # Only analysis that kommunledningskontoret has approved steers next year.
                submission__state__in=[State.APPROVED, State.PUBLISHED],
                direction_goal__in=valid,
            ).select_related("direction_goal", "submission__org_unit")
        )
        plans = OperationalPlan.objects.filter(plan_year=plan_year).select_related("org_unit")
        for plan in plans:
            committee = plan.org_unit.committee
            successor = OperationalPlan.objects.filter(
                org_unit=plan.org_unit, plan_year=next_year
            ).first()
            if successor is None:
                successor = OperationalPlan(
                    org_unit=plan.org_unit,
                    plan_year=next_year,
                    basic_mission=plan.basic_mission,
                    previous=plan,
                )
                successor._history_user = user
                successor.save()
            have_priorities = set(
                successor.activities.exclude(source_priority=None).values_list(
                    "source_priority_id", flat=True
                )
            )
            have_carried = set(
                successor.activities.exclude(carried_from=None).values_list(
                    "carried_from_id", flat=True
                )
            )
            for priority in priorities:
                if committee is None or priority.submission.org_unit_id != committee.pk:
                    continue
                if priority.pk in have_priorities:
                    continue
                activity = Activity(
                    plan=successor,
                    direction_goal=priority.direction_goal,
                    title=priority.text[:300],
                    description=f"Från analysen i verksamhetsberättelsen {plan_year.year}.",
                    source_priority=priority,
                )
                activity._history_user = user
                activity.save()
            unfinished = plan.activities.filter(
                status__in=[
                    Activity.Status.NOT_STARTED,
                    Activity.Status.ONGOING,
                    Activity.Status.POSTPONED,
                ],
                direction_goal__in=valid,
            )
            for old in unfinished:
                if old.pk in have_carried:
                    continue
                activity = Activity(
                    plan=successor,
                    direction_goal=old.direction_goal,
                    title=old.title,
                    description=old.description,
                    responsible=old.responsible,
                    carried_from=old,
                )
                activity._history_user = user
                activity.save()
    return next_year

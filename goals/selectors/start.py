"""The start page: the one next thing to do, then what waits, grouped by occasion.

Every state on it comes from rules.followup_state, as on the follow-up pages; a fixed number
of queries whatever the number of committees, units and occasions.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q

from ..models import (
    OrgUnit,
    PlanYear,
    ReportingOccasion,
    Submission,
    SubmissionEvent,
)
from ..permissions import Access, access_for
from ..rules import FollowUpState, followup_state
from .followup import expected_units
from .planning import planning_todo

# The items of an occasion shown before the rest fold away; the folded ones listed at most.
FIRST_SHOWN = 3
FOLDED_MAX = 50


@dataclass
class FollowUpTodo:
    occasion: ReportingOccasion
    unit: OrgUnit
    submission: object | None
    state: FollowUpState
    return_reason: str = ""
    open_comments: int = 0

    @property
    def overdue(self) -> bool:
        return self.state.overdue

    @property
    def needs_answer(self) -> bool:
        return self.state.returned or bool(self.open_comments)


@dataclass
class OccasionGroup:
    """One occasion's follow-ups that wait: the first few shown, the rest folded."""

    occasion: ReportingOccasion
    items: list[FollowUpTodo]
    overdue: bool
    open: bool = True  # shown unfolded (the first group, and any with a returned follow-up)

    @property
    def shown(self) -> list[FollowUpTodo]:
        return self.items[:FIRST_SHOWN]

    @property
    def folded(self) -> list[FollowUpTodo]:
        return self.items[FIRST_SHOWN : FIRST_SHOWN + FOLDED_MAX]

    @property
    def not_listed(self) -> int:
        return max(0, len(self.items) - FIRST_SHOWN - FOLDED_MAX)


@dataclass
class NextStep:
    """The one thing the start page leads with; `kind` picks its wording in the template.

    followup: hand in (or complete) `todo`; review: `count` follow-ups wait, `submission` the
    oldest; late: `count` committees have not handed in `occasion`; planning: `planning` the
    first gap; read: `published` follow-ups of `occasion`; nothing: `occasion` opens next.
    """

    kind: str
    todo: FollowUpTodo | None = None
    occasion: ReportingOccasion | None = None
    submission: Submission | None = None
    count: int = 0
    planning: object | None = None
    published: list = field(default_factory=list)


def _occasions_opened(plan_year: PlanYear | None, today) -> tuple[list, ReportingOccasion | None]:
    """The year's occasions open today, and the first one still to open."""
    if plan_year is None:
        return [], None
    occasions = list(
        ReportingOccasion.objects.filter(plan_year=plan_year)
        .select_related("plan_year")
        .order_by("period_end")
    )
    coming = next((o for o in occasions if o.opens_on > today), None)
    return [o for o in occasions if o.is_open(today)], coming


def _groups(items: list[FollowUpTodo], today) -> list[OccasionGroup]:
    """Per occasion, the latest deadline first: the occasion under way before the backlog."""
    by_occasion: dict[int, OccasionGroup] = {}
    for item in items:
        group = by_occasion.get(item.occasion.pk)
        if group is None:
            group = by_occasion[item.occasion.pk] = OccasionGroup(
                occasion=item.occasion, items=[], overdue=item.occasion.is_overdue(today)
            )
        group.items.append(item)
    groups = sorted(by_occasion.values(), key=lambda g: g.occasion.deadline, reverse=True)
    for n, group in enumerate(groups):
        # Returned follow-ups and open comments first, in every group, and never folded away.
        group.items.sort(key=lambda t: not t.needs_answer)
        group.open = n == 0 or any(t.needs_answer for t in group.items)
    return groups


def _current(groups: list[OccasionGroup], today) -> OccasionGroup | None:
    """The occasion to work on: the nearest deadline still ahead, else the latest one passed."""
    ahead = [g for g in groups if not g.occasion.is_overdue(today)]
    if ahead:
        return min(ahead, key=lambda g: g.occasion.deadline)
    return groups[0] if groups else None


def followup_todo(*, user, plan_year: PlanYear | None, today) -> dict:
    """What an editor hands in: open occasions × the units they edit, not yet handed in."""
    access = access_for(user)
    occasions, _coming = _occasions_opened(plan_year, today)
    return _followup_todo(access=access, occasions=occasions, today=today)


def _followup_todo(*, access: Access, occasions: list, today) -> dict:
    todo: list[FollowUpTodo] = []
    # A system administrator may write anything but is not asked to write everything.
    if access.edits_anything and not access.edits_everything and occasions:
        units = [u for u in expected_units(occasions[0]) if access.can_edit(u)]
        submissions = {
            (s.occasion_id, s.org_unit_id): s
            for s in Submission.objects.filter(occasion__in=occasions, org_unit__in=units).annotate(
                open_comments=Count("comments", filter=Q(comments__resolved_at__isnull=True))
            )
        }
        # The reasons of the returned ones, in one query whether or not any is returned.
        reasons = {}
        for event in SubmissionEvent.objects.filter(
            submission__occasion__in=occasions,
            submission__org_unit__in=units,
            submission__state=Submission.State.RETURNED,
            action=SubmissionEvent.Action.RETURN,
        ).order_by("at"):
            reasons[event.submission_id] = event.reason
        for occasion in occasions:
            for unit in units:
                s = submissions.get((occasion.pk, unit.pk))
                state = followup_state(occasion=occasion, unit=unit, submission=s, today=today)
                if state.done:
                    continue
                todo.append(
                    FollowUpTodo(
                        occasion=occasion,
                        unit=unit,
                        submission=s,
                        state=state,
                        return_reason=reasons.get(s.pk, "") if s else "",
                        open_comments=s.open_comments if s else 0,
                    )
                )
    return {"followup_todo": todo, "todo_groups": _groups(todo, today)}


def _review(*, access: Access, plan_year: PlanYear | None, occasions: list, today) -> dict:
    """A reviewer's: the follow-ups waiting (the oldest first) and the committees late."""
    if plan_year is None or not access.reviews_anything:
        return {"review_waiting": 0, "review_oldest": None, "late_groups": []}
    waiting = Submission.objects.filter(
        access.review_q("org_unit__"),
        occasion__plan_year=plan_year,
        state=Submission.State.SUBMITTED,
    )
    oldest = (
        waiting.select_related("occasion", "org_unit")
        .order_by("occasion__period_end", "org_unit__name")
        .first()
    )
    count = waiting.count() if oldest is not None else 0
    passed = [o for o in occasions if o.is_overdue(today)]
    committees = (
        list(
            OrgUnit.objects.filter(access.review_q(), kind=OrgUnit.Kind.COMMITTEE).order_by("name")
        )
        if passed
        else []
    )
    submissions = {
        (s.occasion_id, s.org_unit_id): s
        for s in Submission.objects.filter(occasion__in=passed, org_unit__in=committees)
    }
    late = []
    for occasion in passed:
        for committee in committees:
            s = submissions.get((occasion.pk, committee.pk))
            state = followup_state(occasion=occasion, unit=committee, submission=s, today=today)
            if state.overdue:
                late.append(
                    FollowUpTodo(occasion=occasion, unit=committee, submission=s, state=state)
                )
    return {"review_waiting": count, "review_oldest": oldest, "late_groups": _groups(late, today)}


def _published(*, access: Access, plan_year: PlanYear | None) -> list[Submission]:
    """A reader's: the committees' follow-ups published at the latest occasion that has any."""
    if plan_year is None:
        return []
    published = Submission.objects.filter(
        access.sees_q("org_unit__"),
        occasion__plan_year__year__lte=plan_year.year,
        org_unit__kind=OrgUnit.Kind.COMMITTEE,
        state=Submission.State.PUBLISHED,
    )
    latest = published.order_by("-occasion__period_end").values_list("occasion", flat=True)[:1]
    return list(
        published.filter(occasion__in=latest)
        .select_related("occasion__plan_year", "org_unit")
        .order_by("org_unit__name")
    )


def _next_step(*, context: dict, coming, today) -> NextStep:
    """Returned work first, then the occasion under way, review, lateness, planning gaps."""
    todo = context["followup_todo"]
    answer = next((t for t in todo if t.needs_answer), None)
    if answer is not None:
        return NextStep(kind="followup", todo=answer, occasion=answer.occasion)
    current = _current(context["todo_groups"], today)
    if current is not None:
        return NextStep(kind="followup", todo=current.items[0], occasion=current.occasion)
    if context["review_waiting"]:
        oldest = context["review_oldest"]
        return NextStep(
            kind="review",
            submission=oldest,
            occasion=oldest.occasion,
            count=context["review_waiting"],
        )
    late = _current(context["late_groups"], today)
    if late is not None:
        return NextStep(kind="late", occasion=late.occasion, count=len(late.items))
    planning = context.get("planning_items") or []
    if planning:
        return NextStep(kind="planning", planning=planning[0], count=len(planning))
    if context["reads_only"]:
        published = context["published"]
        occasion = published[0].occasion if published else coming
        return NextStep(kind="read", occasion=occasion, published=published)
    return NextStep(kind="nothing", occasion=coming)


def start_page(*, user, plan_year: PlanYear | None, today: datetime.date) -> dict:
    """Everything the start page shows besides the overview of roles, occasions and plans."""
    access = access_for(user)
    occasions, coming = _occasions_opened(plan_year, today)
    context: dict = {}
    context.update(_followup_todo(access=access, occasions=occasions, today=today))
    context.update(_review(access=access, plan_year=plan_year, occasions=occasions, today=today))
    if plan_year is not None:
        context.update(planning_todo(user=user, year=plan_year.year))
    reads_only = not access.edits_anything and not access.reviews_anything
    context["reads_only"] = reads_only
    context["published"] = _published(access=access, plan_year=plan_year) if reads_only else []
    # Someone without a role is told so by the page and given nothing to do.
    has_role = bool(access.units) or access.edits_everything
    context["next_step"] = (
        _next_step(context=context, coming=coming, today=today) if has_role else None
    )
    return context

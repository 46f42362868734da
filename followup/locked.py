"""The follow-up page as it stands: what a published follow-up shows, the newest saves of its
history, and the answer to a save refused because the follow-up was locked meanwhile."""

from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone

from goals import frozen, selectors
from goals.models import Submission
from governance.followup import frozen_assignment_rows

from .answers import answer_forms
from .conflict import typed_not_saved
from .forms import build_forms


def show_frozen(context: dict, *, submission, user) -> None:
    """A published follow-up shows what was published, never the live rows."""
    data = frozen.frozen_data(submission)
    if data is None:
        return
    context.update(frozen.page_context(data, user=user))
    context["assignment_rows"] = frozen_assignment_rows(data, user=user)


# The follow-up page shows the newest saves of its history (a follow-up saved as a draft
# every few minutes of the deadline weeks has hundreds); "?historik=alla" shows every one.
HISTORY_SHOWN = 15


def history_shown(request, submission):
    latest = None if request.GET.get("historik") == "alla" else HISTORY_SHOWN
    return selectors.history_entries(submission, latest=latest)


LOCKED_WORDS = {
    Submission.State.SUBMITTED: "lämnats in",
    Submission.State.APPROVED: "godkänts",
    Submission.State.PUBLISHED: "publicerats",
}


def locked_meanwhile(request, context, *, submission, refresh: bool = False):
    """A save refused because the follow-up was handed in, approved or published after the
    user opened it: 409, the page as it now stands, and what the user typed beside it to copy
    (nothing typed is lost, though none of it is saved).

    `refresh`: the page's context was read before the follow-up moved (the race between the
    page's check and the save), so it is read again; otherwise it is already the stored one.
    """
    occasion, unit = submission.occasion, submission.org_unit
    if refresh:
        context.update(
            selectors.followup_context(
                occasion=occasion, unit=unit, submission=submission, user=request.user
            )
        )
        context["history"] = history_shown(request, submission)
    context.update(
        {
            "submission": submission,
            "can_write": False,
            "can_answer": context["can_answer"] and submission.state != Submission.State.PUBLISHED,
        }
    )
    posted = build_forms(
        request,
        occasion=occasion,
        unit=unit,
        submission=submission,
        context=context,
        data=request.POST,
    )
    answers = answer_forms(context["comments"], data=request.POST)
    context["not_saved"] = typed_not_saved(forms=posted, answer_forms=answers, context=context)
    last = context["events"][-1] if context["events"] else None  # read with the context
    moved = LOCKED_WORDS.get(submission.state, submission.get_state_display().lower())
    if last is not None:
        who = last.actor.get_full_name() or last.actor.get_username()
        when = f"{timezone.localtime(last.at):%Y-%m-%d %H:%M}"
        why = (
            f"Uppföljningen har {moved} av {who} {when} medan du redigerade "
            "och kan inte längre ändras."
        )
    else:
        why = f"Uppföljningen har {moved} och kan inte längre ändras."
    context["not_saved_reason"] = why
    messages.error(request, why + " Det du skrev är inte sparat.")
    context["forms"] = build_forms(
        request, occasion=occasion, unit=unit, submission=submission, context=context
    )
    context["answer_forms"] = {}
    context["problems"] = []
    context["answer_errors"] = []
    context["error_forms"] = []
    show_frozen(context, submission=submission, user=request.user)
    return render(request, "goals/followup_edit.html", context, status=409)

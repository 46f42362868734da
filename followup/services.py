"""Saving the follow-up page: what goals and governance hold of it, in one transaction."""

from django.db import transaction

from goals import cycle
from governance.followup import assignment_statuses_save


def followup_save(
    *,
    submission,
    user,
    base_version: int,
    data,
    assignment_forms,
    answers: dict[int, str] | None = None,
    resolve=None,
):
    """The goals, activities, outcomes, finance and analysis (goals.cycle.followup_save), the
    assignments' statuses (governance) and the answers to the reviewer's comments of one
    follow-up: all saved, or none. `resolve`: a comment marked as resolved with the save.

    Raises what the two raise: goals.services.StaleEdit when someone saved first,
    cycle.MoveRefused, PublishedError or ValidationError when a rule refuses.
    """
    with transaction.atomic():
        saved = cycle.followup_save(
            submission=submission, user=user, base_version=base_version, data=data
        )
        assignment_statuses_save(submission=saved, user=user, forms=assignment_forms)
        if answers:
            cycle.comment_answers_save(submission=saved, user=user, answers=answers)
        if resolve is not None:
            cycle.comment_resolve(comment=resolve, user=user)
    return saved

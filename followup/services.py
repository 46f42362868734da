"""Saving the follow-up page: what goals and governance hold of it, in one transaction."""

from django.db import transaction

from goals import cycle
from governance.followup import assignment_statuses_save


def followup_save(*, submission, user, base_version: int, data, assignment_forms):
    """The goals, activities, outcomes, finance and analysis (goals.cycle.followup_save) and
    the assignments' statuses (governance) of one follow-up: all saved, or none.

    Raises what the two raise: goals.services.StaleEdit when someone saved first,
    cycle.MoveRefused, PublishedError or ValidationError when a rule refuses.
    """
    with transaction.atomic():
        saved = cycle.followup_save(
            submission=submission, user=user, base_version=base_version, data=data
        )
        assignment_statuses_save(submission=saved, user=user, forms=assignment_forms)
    return saved

"""The Danderyd demo, every app's part in one transaction; and its removal."""

from django.db import transaction

from goals.demo import load_followups, load_goals_demo, reset_goals_demo
from governance.demo import load_governance_demo
from quality.demo import load_quality_demo, reset_quality_demo


def load_demo() -> None:
    """The seed's chain, the organisation, goals, plans, users, documents, assignments,
    the illustrative follow-ups and the quality system; a rerun writes nothing new."""
    with transaction.atomic():
        load_goals_demo()
        # The assignments exist before the follow-ups are published, so that a published
        # follow-up keeps them (goals.frozen); the second run adds the statuses of the
        # follow-ups that are not published (a published one is final, also for the demo).
        load_governance_demo()
        load_followups()
        load_governance_demo()
        load_quality_demo()


def reset_demo() -> None:
    """Wipe the demo: the quality system first (its rows protect units, indicators and
    activities), then the chain, the organisation, the demo users and all history."""
    with transaction.atomic():
        reset_quality_demo()
        reset_goals_demo()

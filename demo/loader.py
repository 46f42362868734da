"""The Danderyd demo, every app's part in one transaction; and its removal."""

from django.db import transaction

from goals.demo import load_followups, load_goals_demo, reset_goals_demo
from governance.demo import load_governance_demo
from internal_control.demo import load_internal_control_demo, reset_internal_control_demo
from quality.demo import load_quality_demo, reset_quality_demo
from reporting.demo import reset_reports_demo
from reporting.ordering import order_published_reports, tasks_run_inline


def load_demo() -> None:
    """The seed's chain, the organisation, goals, plans, users, documents, assignments,
    the illustrative follow-ups and the quality system; a rerun writes nothing new.
    Then the reports of the published follow-ups are ordered for the worker."""
    with transaction.atomic():
        load_goals_demo()
        # The assignments exist before the follow-ups are published, so that a published
        # follow-up keeps them (goals.frozen); the second run adds the statuses of the
        # follow-ups that are not published (a published one is final, also for the demo).
        load_governance_demo()
        # Control results are part of the follow-ups: there before these are published.
        load_internal_control_demo()
        load_followups()
        load_governance_demo()
        load_quality_demo()
    order_demo_reports()


def order_demo_reports() -> None:
    """The reports the demo's published follow-ups call for, as publishing orders them.

    The demo publishes quietly (goals.notices.suppressed: no mail, no signal), so it orders
    them here, by the system, once: a worker renders them (`make run` starts one), and a
    rerun finds them ordered already. With tasks run inline (the test suite's immediate
    backend) ordering would print every PDF while the demo loads, at every test database;
    there nothing is ordered, and the tests that need a report order it.
    """
    if tasks_run_inline():
        return
    order_published_reports()


def reset_demo() -> None:
    """Wipe the demo: the reports and the quality system first (their rows protect
    occasions, units, indicators and activities), then the chain, the organisation, the
    demo users and all history."""
    with transaction.atomic():
        reset_reports_demo()
        reset_internal_control_demo()
        reset_quality_demo()
        reset_goals_demo()

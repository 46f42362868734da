"""Reports order themselves: publishing a follow-up orders the reports it completes.

A committee's published follow-up orders that committee's report for the occasion; when it
was the last committee of the occasion to publish, the municipality report is ordered too.
goals knows nothing of reports: goals.cycle.submission_publish sends
goals.frozen.followup_published once the publish has committed, and reporting's AppConfig
connects followup_published_received() here. The receiver only enqueues
order_reports_after_publish, so that the publishing request does not wait while the
report's data is gathered (seconds for the municipality report of a large municipality);
the task orders through reporting.services.request_report as the library does, and that
never orders the same content twice: an equivalent report already ordered or done is
returned as it is.

order_published_reports() orders every report the published follow-ups call for, for
follow-ups published before reports ordered themselves, and for the demo (demo.loader).
"""

import logging

from django.contrib.auth import get_user_model
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.backends.immediate import ImmediateBackend

from goals.models import OrgUnit, ReportingOccasion, Submission

from .models import GeneratedReport
from .scope import ReportRequestError, covered_submissions_published, municipality_root
from .services import request_report

logger = logging.getLogger(__name__)

Kind = GeneratedReport.Kind
Origin = GeneratedReport.Origin
PUBLISHED = Submission.State.PUBLISHED


def followup_published_received(sender, *, submission, user=None, **kwargs) -> None:
    """goals.frozen.followup_published: order a published committee's reports in the background."""
    if submission.org_unit.kind != OrgUnit.Kind.COMMITTEE:
        return  # a unit's follow-up is summarised in its committee's frozen report section
    try:
        order_reports_after_publish.enqueue(submission.pk, getattr(user, "pk", None))
    except Exception:
        # The publish stands; the reports can be ordered in the library (or by the command).
        logger.exception("Could not enqueue the reports of published submission %s", submission.pk)


@task()
def order_reports_after_publish(submission_id: int, user_id: int | None) -> dict:
    """Order the reports a published committee follow-up completes (see order_reports_for)."""
    submission = Submission.objects.select_related("occasion__plan_year", "org_unit").get(
        pk=submission_id
    )
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    reports = order_reports_for(submission=submission, user=user, origin=Origin.PUBLISH)
    return {
        "submission": submission_id,
        "reports": [r.pk for r in reports],
        "queued": [r.pk for r in reports if r.newly_queued],
    }


def order_reports_for(*, submission: Submission, user, origin: str) -> list[GeneratedReport]:
    """The committee's report, and the municipality report once every committee published."""
    if submission.state != PUBLISHED or submission.org_unit.kind != OrgUnit.Kind.COMMITTEE:
        return []
    reports = [_order(Kind.COMMITTEE, submission.occasion, submission.org_unit, user, origin)]
    reports.extend(_order_municipality(submission.occasion, user, origin))
    return reports


def order_published_reports(*, user=None, origin: str = Origin.SYSTEM) -> list[GeneratedReport]:
    """Every report the published follow-ups call for, ordered unless it exists already."""
    reports = []
    committees = (
        Submission.objects.filter(state=PUBLISHED, org_unit__kind=OrgUnit.Kind.COMMITTEE)
        .select_related("occasion__plan_year", "org_unit")
        .order_by("occasion__plan_year__year", "occasion__period_end", "org_unit__name")
    )
    occasions = {}
    for submission in committees:
        occasions[submission.occasion_id] = submission.occasion
        reports.append(
            _order(Kind.COMMITTEE, submission.occasion, submission.org_unit, user, origin)
        )
    for occasion in occasions.values():
        reports.extend(_order_municipality(occasion, user, origin))
    return reports


def _order(kind: str, occasion: ReportingOccasion, org_unit: OrgUnit, user, origin: str):
    return request_report(kind=kind, occasion=occasion, org_unit=org_unit, user=user, origin=origin)


def _order_municipality(occasion: ReportingOccasion, user, origin: str) -> list[GeneratedReport]:
    """The municipality report, ordered once every committee has published for the occasion."""
    municipality = _municipality_to_order(occasion)
    if municipality is None:
        return []
    return [_order(Kind.MUNICIPALITY, occasion, municipality, user, origin)]


def _municipality_to_order(occasion: ReportingOccasion) -> OrgUnit | None:
    """The municipality, when every committee has published its follow-up for the occasion."""
    try:
        municipality = municipality_root()
    except ReportRequestError:
        return None
    if covered_submissions_published(
        kind=Kind.MUNICIPALITY, occasion=occasion, org_unit=municipality
    ):
        return municipality
    return None


def tasks_run_inline() -> bool:
    """True when tasks run as they are enqueued (the immediate backend: the test suite)."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)

"""Ordering a report: the GeneratedReport for the current content, found or queued for a worker.

    report = request_report(kind="committee", occasion=occasion, org_unit=committee, user=user)

request_report() gathers the report's data (queries only, no PDF), fingerprints it and finds
or creates the GeneratedReport for that content; only a new (or failed, or lost) one is
enqueued. The task (reporting.tasks.generate_report) calls run_generation(), which claims
the report, renders the PDF through reporting.render and stores it with its sha256.

Exactly once, twice over: the same content is one row (a unique constraint on kind,
occasion, scope and fingerprint guards the race between two requests), and a task only
renders when it moves that row from queued to running for the attempt it was enqueued for,
so a task that is delivered twice renders once.
"""

import json
import logging
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from goals.models import ReportingOccasion

from . import pipeline
from .models import GeneratedReport
from .pipeline import GATHERED
from .scope import ReportRequestError, report_scope
from .scope import covered_submissions_published as covered_submissions_published

logger = logging.getLogger(__name__)

Kind = GeneratedReport.Kind
Status = GeneratedReport.Status
Origin = GeneratedReport.Origin


# --- ordering ----------------------------------------------------------------------------------


def request_report(
    *, kind: str, occasion, org_unit, user, origin: str = Origin.LIBRARY
) -> GeneratedReport:
    """The report for the current content: an existing one, or a new one queued for a worker.

    `user` (None for the system) and `origin` say who ordered it and how, as the library
    shows it. The returned report carries `newly_queued`: True when this call queued it.
    """
    if kind not in Kind.values:
        raise ReportRequestError(f"Okänd rapporttyp: {kind}")
    kind = Kind(kind).value  # plain text, as stored and as the worker will gather
    scope = report_scope(kind=kind, org_unit=org_unit)
    render = pipeline.renderer()
    data = render.gather(kind=kind, occasion=occasion, org_unit=scope)
    content_hash = render.fingerprint(data)
    for tries_left in (2, 1, 0):
        try:
            with transaction.atomic():
                report, queue_it = _find_or_queue(
                    kind=kind,
                    occasion=occasion,
                    scope=scope,
                    content_hash=content_hash,
                    user=user,
                    origin=Origin(origin).value,
                )
            break
        except IntegrityError:
            # Another request created the same content or version number in between.
            if not tries_left:
                raise
    if queue_it:
        if kind in getattr(render, "PARTED_KINDS", ()):
            # The worker plans the parts from the data gathered here rather than gathering it
            # again (seconds on a large municipality); the plan replaces it.
            GeneratedReport.objects.filter(pk=report.pk, attempt=report.attempt).update(
                # As JSON reads it back (dates, decimals as text): the parts hash the same
                # whether their data comes from here or from gathering anew.
                parts_plan={
                    GATHERED: json.loads(render.canonical_json(data)),
                    "fingerprint": content_hash,
                }
            )
        transaction.on_commit(partial(enqueue_generation, report.pk, report.attempt, report.origin))
    report.newly_queued = queue_it
    return report


def _find_or_queue(
    *, kind, occasion, scope, content_hash, user, origin
) -> tuple[GeneratedReport, bool]:
    # One writer per occasion at a time hands out version numbers (SQLite's IMMEDIATE
    # transactions already serialise writers; on PostgreSQL this row lock does).
    ReportingOccasion.objects.select_for_update().filter(pk=occasion.pk).first()
    same = {"kind": kind, "occasion": occasion, "org_unit": scope}
    existing = GeneratedReport.objects.filter(**same, content_hash=content_hash).first()
    if existing is not None:
        if existing.status == Status.DONE or (existing.is_pending and not existing.is_stale):
            return existing, False
        # Failed, or lost with its worker: the same version is queued again.
        if existing.is_pending:
            logger.warning("Report %s was %s too long; queued again", existing.pk, existing.status)
        existing.status = Status.QUEUED
        existing.error = ""
        existing.attempt += 1
        existing.task_id = ""
        existing.requested_by = user if getattr(user, "is_authenticated", False) else None
        existing.origin = origin
        existing.created_at = timezone.now()
        existing.started_at = None
        existing.finished_at = None
        existing.save()
        return existing, True
    latest = GeneratedReport.objects.filter(**same).aggregate(v=Max("version"))["v"] or 0
    report = GeneratedReport.objects.create(
        **same,
        version=latest + 1,
        content_hash=content_hash,
        status=Status.QUEUED,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        origin=origin,
    )
    return report, True


def enqueue_generation(report_id: int, attempt: int, origin: str = Origin.LIBRARY) -> None:
    """Hand the report to the task backend; a refusal (e.g. Redis down) fails the report.

    Its queue priority follows `origin` (reporting.tasks.ORIGIN_PRIORITY): library orders first.
    """
    from . import tasks

    try:
        result = tasks.enqueue_at(
            tasks.generate_report, tasks.priority_for(origin), report_id, attempt
        )
    except Exception as exc:
        logger.exception("Could not enqueue report %s", report_id)
        GeneratedReport.objects.filter(pk=report_id, attempt=attempt, status=Status.QUEUED).update(
            status=Status.FAILED,
            error=f"Beställningen kunde inte läggas i kön: {exc}",
            finished_at=timezone.now(),
        )
        return
    GeneratedReport.objects.filter(pk=report_id, attempt=attempt, published=False).update(
        task_id=str(result.id)[:64]
    )

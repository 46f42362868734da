"""Ordering a report and generating it in the background.

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

import inspect
import logging
import time
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from goals.models import OrgUnit, ReportingOccasion, Submission

from .models import GeneratedReport, report_upload_to, sha256_bytes

logger = logging.getLogger(__name__)

Kind = GeneratedReport.Kind
Status = GeneratedReport.Status


class ReportRequestError(ValueError):
    """The report cannot be ordered as asked (wrong scope, no municipality…); Swedish text."""


def renderer():
    """The PDF renderer, reporting.render (imported when first needed; tests replace it)."""
    from . import render

    return render


# --- scope ---------------------------------------------------------------------------------


def municipality_root() -> OrgUnit:
    root = (
        OrgUnit.objects.filter(kind=OrgUnit.Kind.MUNICIPALITY, parent__isnull=True)
        .order_by("tree_id")
        .first()
    )
    if root is None:
        raise ReportRequestError("Organisationen saknar en kommun att göra kommunens rapport för.")
    return root


def report_scope(*, kind: str, org_unit: OrgUnit | None) -> OrgUnit:
    """The org unit a report is stored under: the committee, or the municipality root."""
    if kind == Kind.COMMITTEE:
        if org_unit is None or org_unit.kind != OrgUnit.Kind.COMMITTEE:
            raise ReportRequestError("Nämndens rapport görs för en nämnd.")
        return org_unit
    if kind == Kind.MUNICIPALITY:
        if org_unit is None:
            return municipality_root()
        if org_unit.kind != OrgUnit.Kind.MUNICIPALITY:
            raise ReportRequestError("Kommunens rapport görs för kommunen som helhet.")
        return org_unit
    raise ReportRequestError(f"Okänd rapporttyp: {kind}")


def covered_committees(*, kind: str, org_unit: OrgUnit) -> list[OrgUnit]:
    """The committees whose submissions a report covers."""
    if kind == Kind.COMMITTEE:
        return [org_unit]
    return list(
        OrgUnit.objects.filter(
            kind=OrgUnit.Kind.COMMITTEE,
            tree_id=org_unit.tree_id,
            lft__gt=org_unit.lft,
            rght__lt=org_unit.rght,
        )
    )


def covered_submissions_published(*, kind: str, occasion, org_unit: OrgUnit) -> bool:
    """True when every committee the report covers has a published submission for the occasion.

    The same rule as the renderer's UTKAST mark (reporting.data: a report is a draft unless
    every committee's submission in it is published); a committee without a submission
    keeps the report a draft.
    """
    committees = covered_committees(kind=kind, org_unit=org_unit)
    if not committees:
        return False
    published = Submission.objects.filter(
        occasion=occasion, org_unit__in=committees, state=Submission.State.PUBLISHED
    ).count()
    return published == len(committees)


# --- ordering ----------------------------------------------------------------------------------


def request_report(*, kind: str, occasion, org_unit, user) -> GeneratedReport:
    """The report for the current content: an existing one, or a new one queued for a worker.

    The returned report carries `newly_queued`: True when this call queued it.
    """
    if kind not in Kind.values:
        raise ReportRequestError(f"Okänd rapporttyp: {kind}")
    kind = Kind(kind).value  # plain text, as stored and as the worker will gather
    scope = report_scope(kind=kind, org_unit=org_unit)
    render = renderer()
    data = render.gather(kind=kind, occasion=occasion, org_unit=scope)
    content_hash = render.fingerprint(data)
    for tries_left in (2, 1, 0):
        try:
            with transaction.atomic():
                report, queue_it = _find_or_queue(
                    kind=kind, occasion=occasion, scope=scope, content_hash=content_hash, user=user
                )
            break
        except IntegrityError:
            # Another request created the same content or version number in between.
            if not tries_left:
                raise
    if queue_it:
        transaction.on_commit(partial(enqueue_generation, report.pk, report.attempt))
    report.newly_queued = queue_it
    return report


def _find_or_queue(*, kind, occasion, scope, content_hash, user) -> tuple[GeneratedReport, bool]:
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
    )
    return report, True


def enqueue_generation(report_id: int, attempt: int) -> None:
    """Hand the report to the task backend; a refusal (e.g. Redis down) fails the report."""
    from .tasks import generate_report

    try:
        result = generate_report.enqueue(report_id, attempt)
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


# --- generating (runs in the worker) ------------------------------------------------------------


def run_generation(report_id: int, attempt: int) -> dict:
    """Claim the report, render it and store the PDF; returns a small summary for the task."""
    claimed = GeneratedReport.objects.filter(
        pk=report_id, attempt=attempt, status=Status.QUEUED
    ).update(status=Status.RUNNING, started_at=timezone.now())
    if not claimed:
        logger.info("Report %s attempt %s is not queued: nothing to do", report_id, attempt)
        return {"report": report_id, "attempt": attempt, "rendered": False}
    report = GeneratedReport.objects.select_related("occasion__plan_year", "org_unit").get(
        pk=report_id
    )
    started = time.perf_counter()
    try:
        render = renderer()
        data = render.gather(kind=report.kind, occasion=report.occasion, org_unit=report.org_unit)
        content_hash = render.fingerprint(data)
        all_published = covered_submissions_published(
            kind=report.kind, occasion=report.occasion, org_unit=report.org_unit
        )
        rendered = _render(render, report, data)
        if all_published == rendered.draft:
            logger.warning(
                "Report %s: submissions published=%s but the renderer's draft=%s; kept as draft",
                report.pk,
                all_published,
                rendered.draft,
            )
        seconds = time.perf_counter() - started
        _store(
            report,
            attempt=attempt,
            rendered=rendered,
            content_hash=content_hash,
            published=all_published and not rendered.draft,
            seconds=seconds,
        )
    except Exception as exc:
        logger.exception("Report %s failed", report_id)
        GeneratedReport.objects.filter(pk=report_id, attempt=attempt, status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
        )
        raise
    return {"report": report_id, "attempt": attempt, "rendered": True}


def _render(render, report: GeneratedReport, data: dict):
    kwargs = {
        "kind": report.kind,
        "occasion": report.occasion,
        "org_unit": report.org_unit,
        "data": data,
        "generated_at": timezone.now(),
    }
    parameters = inspect.signature(render.render_report).parameters
    if "version" in parameters or any(p.kind == p.VAR_KEYWORD for p in parameters.values()):
        kwargs["version"] = report.version  # printed in a published report's footer
    return render.render_report(**kwargs)


def _store(report, *, attempt, rendered, content_hash, published, seconds) -> None:
    digest = sha256_bytes(rendered.pdf)
    report.sha256 = digest  # part of the file name
    storage = report.file.storage
    # The storage never overwrites: a taken name gets a suffix, so no earlier file changes.
    name = storage.save(report_upload_to(report, "report.pdf"), ContentFile(rendered.pdf))
    try:
        with transaction.atomic():
            current = GeneratedReport.objects.select_for_update().get(pk=report.pk)
            if current.status != Status.RUNNING or current.attempt != attempt:
                logger.warning(
                    "Report %s was queued again while rendering: result dropped", report.pk
                )
                storage.delete(name)
                return
            if content_hash != current.content_hash:
                clash = (
                    GeneratedReport.objects.filter(
                        kind=current.kind,
                        occasion_id=current.occasion_id,
                        org_unit_id=current.org_unit_id,
                        content_hash=content_hash,
                    )
                    .exclude(pk=current.pk)
                    .first()
                )
                if clash is not None:
                    storage.delete(name)
                    current.status = Status.FAILED
                    current.error = (
                        "Innehållet ändrades medan rapporten skapades, och version "
                        f"{clash.version} har redan det nya innehållet."
                    )
                    current.finished_at = timezone.now()
                    current.save()
                    return
                current.content_hash = content_hash  # what the file really shows
            current.file.name = name
            current.sha256 = digest
            current.size = len(rendered.pdf)
            current.pages = rendered.pages
            current.title = (rendered.title or "")[:300]
            current.published = published
            current.status = Status.DONE
            current.error = ""
            current.finished_at = timezone.now()
            current.render_seconds = round(seconds, 3)
            current.weasyprint_seconds = round(rendered.weasyprint_seconds, 3)
            current.save()
    except Exception:
        storage.delete(name)
        raise

"""The report's background tasks and the steps they run: generate, print the parts, join.

Django's Tasks API (the django-tasks backport until Django 6): the same task runs on the
database backend's worker (`manage.py db_worker`, the default), on RQ workers over Redis
(REPORT_TASKS_BACKEND=rq) and inline (the immediate backend). Arguments are plain ids so that
every backend can serialise them.

generate_report runs run_generation(), which claims the report, renders the PDF through
reporting.render and stores it with its sha256 (reporting.pipeline). The municipality report
is made in parts (reporting.parts): generate_report plans it and enqueues render_report_part
for each part not rendered yet, and the last part to finish enqueues join_report_parts
(reporting.joining). No task waits for another, so a worker never idles on a lock.

The steps that enqueue the next task live here, next to the tasks they enqueue, so that
nothing below imports this module; reporting.services imports it to enqueue an order.
"""

import logging
import time
from functools import partial

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task, task_backends
from django_tasks.base import DEFAULT_TASK_PRIORITY, TASK_MAX_PRIORITY

from . import joining, pipeline
from .models import GeneratedReport, ReportPart, ReportPartUse, part_upload_to
from .scope import covered_submissions_published

# Named as before the split, so that the worker's log lines keep their logger name.
logger = logging.getLogger("reporting.services")

Status = GeneratedReport.Status
PartStatus = ReportPart.Status
Origin = GeneratedReport.Origin

# A report someone ordered in the library is waited for by that person; reports that publishing
# (or the system) ordered are not. On the deadline day thirty-odd committees publish within
# minutes, and their reports and the municipality report's parts would otherwise fill the queue
# ahead of a library order. So a library order and its parts and join go first: the database
# worker (db_worker) takes the highest priority first, then the oldest. RQ has one FIFO queue
# and refuses priorities (django-tasks-rq): there every task goes in at the default priority.
ORIGIN_PRIORITY = {
    Origin.LIBRARY: TASK_MAX_PRIORITY,
    Origin.PUBLISH: DEFAULT_TASK_PRIORITY,
    Origin.SYSTEM: DEFAULT_TASK_PRIORITY,
}


def priority_for(origin: str) -> int:
    """The queue priority of a report's tasks, by who ordered it (see ORIGIN_PRIORITY)."""
    return ORIGIN_PRIORITY.get(origin, DEFAULT_TASK_PRIORITY)


def enqueue_at(task_, priority: int, *args):
    """Enqueue `task_` with `args` at `priority`, where the task backend orders by priority."""
    if (
        priority != DEFAULT_TASK_PRIORITY
        and task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_priority
    ):
        task_ = task_.using(priority=priority)
    return task_.enqueue(*args)


@task()
def generate_report(report_id: int, attempt: int) -> dict:
    """Render one GeneratedReport (see run_generation)."""
    return run_generation(report_id, attempt)


@task()
def render_report_part(part_id: int, attempt: int) -> dict:
    """Print one ReportPart (a committee, the appendix) of a parted report."""
    return run_part(part_id, attempt)


@task()
def join_report_parts(report_id: int, attempt: int) -> dict:
    """Print the front matter, join the parts and store the report's PDF."""
    return run_join(report_id, attempt)


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
        render = pipeline.renderer()
        data, content_hash = pipeline.gathered_at_order(report)
        if data is None:
            data = render.gather(
                kind=report.kind, occasion=report.occasion, org_unit=report.org_unit
            )
            content_hash = render.fingerprint(data)
        all_published = covered_submissions_published(
            kind=report.kind, occasion=report.occasion, org_unit=report.org_unit
        )
        if report.kind in getattr(render, "PARTED_KINDS", ()):
            # Rendered in parts by other tasks; the last part to finish enqueues the join.
            return _start_parts(
                report,
                attempt=attempt,
                data=data,
                content_hash=content_hash,
                all_published=all_published,
            )
        rendered = pipeline.render_whole(render, report, data)
        if all_published == rendered.draft:
            logger.warning(
                "Report %s: submissions published=%s but the renderer's draft=%s; kept as draft",
                report.pk,
                all_published,
                rendered.draft,
            )
        seconds = time.perf_counter() - started
        pipeline.store_report(
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


# --- the municipality report in parts (reporting.parts) -----------------------------------------
#
# run_generation() plans: it finds or creates a ReportPart per committee and the appendix, by
# content hash, and enqueues a render_report_part task for each part that is not rendered yet
# (several workers print them at once). No task waits for another: a part that finishes
# locks each report that waits for it and, when none of that report's parts is left, enqueues
# the join (join_report_parts) once: the report row's lock and its join_attempt make two parts
# that finish at the same moment enqueue one join. The join prints the front matter with the
# real page numbers, joins and stamps the pages, and stores the PDF as any other report.
# Locks are taken parts first, then reports, in primary key order, so that no two tasks wait
# for each other.


def _start_parts(report, *, attempt, data, content_hash, all_published) -> dict:
    from . import parts

    render = pipeline.renderer()
    specs = parts.committee_parts(data)
    hashes = [spec.content_hash for spec in specs]
    draft = data["status"]["draft"]
    plan = {
        "front": parts.front_data(data),
        "fingerprint": content_hash,
        "title": render.report_title(data),
        "draft": draft,
        "published": all_published and not draft,
        "published_on": data["status"]["published_on"],
        "parts": [
            {"hash": s.content_hash, "kind": s.kind, "label": s.label, "anchor": s.anchor}
            for s in specs
        ],
        "planned_at": timezone.now().isoformat(),
    }
    to_render = []
    with transaction.atomic():
        known = set(
            ReportPart.objects.filter(content_hash__in=hashes).values_list(
                "content_hash", flat=True
            )
        )
        ReportPart.objects.bulk_create(
            [
                ReportPart(
                    content_hash=s.content_hash,
                    kind=s.kind,
                    label=s.label[:300],
                    payload=s.payload,
                )
                for s in specs
                if s.content_hash not in known
            ],
            ignore_conflicts=True,  # another report created the same part in between
        )
        rows = {
            row.content_hash: row
            for row in ReportPart.objects.select_for_update()
            .filter(content_hash__in=hashes)
            .order_by("pk")
        }
        for spec in specs:
            row = rows[spec.content_hash]
            if row.status == PartStatus.QUEUED and spec.content_hash not in known:
                to_render.append((spec.weight, row.pk, row.attempt))  # new: ours to render
            elif _part_needs_rendering(row):
                row.status = PartStatus.QUEUED
                row.attempt += 1
                row.error = ""
                row.payload = spec.payload
                row.created_at = timezone.now()
                row.started_at = None
                row.save()
                to_render.append((spec.weight, row.pk, row.attempt))
        ReportPartUse.objects.filter(report_id=report.pk).delete()
        ReportPartUse.objects.bulk_create(
            [
                ReportPartUse(report_id=report.pk, part=rows[h], position=n)
                for n, h in enumerate(hashes, start=1)
            ]
        )
        current = GeneratedReport.objects.select_for_update().get(pk=report.pk)
        if current.status != Status.RUNNING or current.attempt != attempt:
            return {"report": report.pk, "attempt": attempt, "rendered": False}
        waiting = any(rows[h].status != PartStatus.DONE for h in hashes)
        updates = {"parts_plan": plan}
        if not waiting:
            updates["join_attempt"] = attempt
        GeneratedReport.objects.filter(pk=report.pk).update(**updates)
        # The longest parts first, so that no worker is left with a long part at the end.
        to_render.sort(key=lambda item: -item[0])
        for _weight, part_id, part_attempt in to_render:
            transaction.on_commit(partial(enqueue_part, part_id, part_attempt))
        if not waiting:
            transaction.on_commit(partial(enqueue_join, report.pk, attempt))
    return {
        "report": report.pk,
        "attempt": attempt,
        "rendered": False,
        "parts": len(specs),
        "parts_to_render": len(to_render),
    }


def _part_needs_rendering(row: ReportPart) -> bool:
    if row.status == PartStatus.FAILED or row.is_stale:
        return True
    if row.status == PartStatus.DONE:
        return not row.file or not row.file.storage.exists(row.file.name)
    return False


def enqueue_part(part_id: int, attempt: int) -> None:
    """Hand a part to the task backend; a refusal fails the part and its reports.

    Its priority is the highest of the reports that wait for it (a part shared by a library
    order and a publish-ordered report goes first).
    """
    origins = ReportPartUse.objects.filter(part_id=part_id).values_list("report__origin", flat=True)
    priority = max((priority_for(o) for o in origins), default=DEFAULT_TASK_PRIORITY)
    try:
        enqueue_at(render_report_part, priority, part_id, attempt)
    except Exception as exc:
        logger.exception("Could not enqueue report part %s", part_id)
        _fail_part(part_id, attempt, f"Beställningen kunde inte läggas i kön: {exc}")


def enqueue_join(report_id: int, attempt: int) -> None:
    """Hand a report's join to the task backend at its report's priority; a refusal fails it."""
    origin = GeneratedReport.objects.filter(pk=report_id).values_list("origin", flat=True).first()
    try:
        enqueue_at(join_report_parts, priority_for(origin), report_id, attempt)
    except Exception as exc:
        logger.exception("Could not enqueue the join of report %s", report_id)
        GeneratedReport.objects.filter(pk=report_id, attempt=attempt, status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"Beställningen kunde inte läggas i kön: {exc}",
            finished_at=timezone.now(),
        )


def run_part(part_id: int, attempt: int) -> dict:
    """Claim a part, print it and store its PDF; the last part of a report enqueues its join."""
    from . import parts

    claimed = ReportPart.objects.filter(
        pk=part_id, attempt=attempt, status=PartStatus.QUEUED
    ).update(status=PartStatus.RUNNING, started_at=timezone.now())
    if not claimed:
        logger.info("Report part %s attempt %s is not queued: nothing to do", part_id, attempt)
        return {"part": part_id, "attempt": attempt, "rendered": False}
    part = ReportPart.objects.get(pk=part_id)
    storage = part.file.storage
    try:
        printed = parts.print_html(parts.part_html(part.kind, part.payload))
        name = storage.save(part_upload_to(part, "part.pdf"), ContentFile(printed.pdf))
    except Exception as exc:
        logger.exception("Report part %s failed", part_id)
        _fail_part(part_id, attempt, f"{type(exc).__name__}: {exc}")
        raise
    try:
        with transaction.atomic():
            current = ReportPart.objects.select_for_update().get(pk=part_id)
            if current.status != PartStatus.RUNNING or current.attempt != attempt:
                storage.delete(name)
                return {"part": part_id, "attempt": attempt, "rendered": False}
            current.status = PartStatus.DONE
            current.file.name = name
            current.pages = printed.pages
            current.size = len(printed.pdf)
            current.seconds = round(printed.seconds, 3)
            current.links = printed.links
            current.payload = None  # the PDF is what is kept
            current.error = ""
            current.rendered_at = timezone.now()
            current.save()
            _part_done(current)
    except Exception:
        storage.delete(name)
        raise
    return {"part": part_id, "attempt": attempt, "rendered": True, "pages": printed.pages}


def _part_done(part: ReportPart) -> None:
    """Inside the part's transaction: enqueue the join of each report that waited only for it."""
    report_ids = (
        ReportPartUse.objects.filter(part=part, report__status=Status.RUNNING)
        .values_list("report_id", flat=True)
        .distinct()
        .order_by("report_id")
    )
    for report_id in list(report_ids):
        report = GeneratedReport.objects.select_for_update().get(pk=report_id)
        if report.status != Status.RUNNING or "parts" not in (report.parts_plan or {}):
            continue
        if report.join_attempt == report.attempt:
            continue  # its join is enqueued already
        waiting = (
            ReportPartUse.objects.filter(report_id=report_id)
            .exclude(part__status=PartStatus.DONE)
            .exists()
        )
        if waiting:
            continue
        GeneratedReport.objects.filter(pk=report_id).update(join_attempt=report.attempt)
        transaction.on_commit(partial(enqueue_join, report_id, report.attempt))


def _fail_part(part_id: int, attempt: int, error: str) -> None:
    """The part failed: so do the reports that wait for it (ordering again retries them)."""
    with transaction.atomic():
        failed = ReportPart.objects.filter(
            pk=part_id, attempt=attempt, status__in=[PartStatus.QUEUED, PartStatus.RUNNING]
        ).update(status=PartStatus.FAILED, error=error[:4000])
        if not failed:
            return
        label = ReportPart.objects.values_list("label", flat=True).get(pk=part_id)
        report_ids = ReportPartUse.objects.filter(
            part_id=part_id, report__status=Status.RUNNING
        ).values_list("report_id", flat=True)
        GeneratedReport.objects.filter(pk__in=list(report_ids), status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"Delen {label} kunde inte skapas: {error}"[:4000],
            finished_at=timezone.now(),
        )


def run_join(report_id: int, attempt: int) -> dict:
    """Print the front matter with the real page numbers, join and stamp, store the PDF."""
    report = GeneratedReport.objects.select_related("occasion__plan_year", "org_unit").get(
        pk=report_id
    )
    if (
        report.status != Status.RUNNING
        or report.attempt != attempt
        or report.join_attempt != attempt
    ):
        logger.info("Report %s attempt %s is not waiting for its join", report_id, attempt)
        return {"report": report_id, "attempt": attempt, "rendered": False}
    try:
        join_started = timezone.now()
        rendered, timings = joining.join_parts(report)
        timings["join_started_at"] = join_started.isoformat()
        seconds = (timezone.now() - (report.started_at or report.created_at)).total_seconds()
        pipeline.store_report(
            report,
            attempt=attempt,
            rendered=rendered,
            content_hash=report.parts_plan["fingerprint"],
            published=report.parts_plan["published"],
            seconds=seconds,
            plan={**report.parts_plan, "timings": timings},
        )
    except Exception as exc:
        logger.exception("Report %s failed at the join", report_id)
        GeneratedReport.objects.filter(pk=report_id, attempt=attempt, status=Status.RUNNING).update(
            status=Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(),
        )
        raise
    return {"report": report_id, "attempt": attempt, "rendered": True, "pages": rendered.pages}

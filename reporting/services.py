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
import json
import logging
import time
from functools import partial

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from goals.models import OrgUnit, ReportingOccasion, Submission

from .models import (
    GeneratedReport,
    ReportPart,
    ReportPartUse,
    part_upload_to,
    report_upload_to,
    sha256_bytes,
)

logger = logging.getLogger(__name__)

Kind = GeneratedReport.Kind
Status = GeneratedReport.Status
# A parted report's data as request_report() gathered it, in parts_plan until it is planned.
GATHERED = "gathered"


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
        data, content_hash = _gathered_at_order(report)
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


def _gathered_at_order(report: GeneratedReport) -> tuple[dict | None, str]:
    """The data request_report() gathered for this report's content, if it is kept."""
    plan = report.parts_plan or {}
    data = plan.get(GATHERED)
    if data is None or plan.get("fingerprint") != report.content_hash:
        return None, ""
    return data, report.content_hash


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


def _store(report, *, attempt, rendered, content_hash, published, seconds, plan=None) -> None:
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
            if plan is not None:
                current.parts_plan = plan
            current.save()
    except Exception:
        storage.delete(name)
        raise


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

PartStatus = ReportPart.Status


def _start_parts(report, *, attempt, data, content_hash, all_published) -> dict:
    from . import parts

    render = renderer()
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
    """Hand a part to the task backend; a refusal fails the part and its reports."""
    from .tasks import render_report_part

    try:
        render_report_part.enqueue(part_id, attempt)
    except Exception as exc:
        logger.exception("Could not enqueue report part %s", part_id)
        _fail_part(part_id, attempt, f"Beställningen kunde inte läggas i kön: {exc}")


def enqueue_join(report_id: int, attempt: int) -> None:
    from .tasks import join_report_parts

    try:
        join_report_parts.enqueue(report_id, attempt)
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
        joining = timezone.now()
        rendered, timings = _join(report)
        timings["join_started_at"] = joining.isoformat()
        seconds = (timezone.now() - (report.started_at or report.created_at)).total_seconds()
        _store(
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


def _join(report: GeneratedReport):
    from . import parts

    render = renderer()
    plan = report.parts_plan
    uses = list(
        ReportPartUse.objects.filter(report=report).select_related("part").order_by("position")
    )
    pieces = []
    for use in uses:
        with use.part.file.storage.open(use.part.file.name, "rb") as handle:
            pieces.append(handle.read())
    generated_at = timezone.now()
    version = report.version if plan["published"] else None
    front, front_seconds = _front(report, plan, uses, generated_at=generated_at)
    timings = {"front_seconds": round(front_seconds, 2), "front_prints": front["prints"]}
    starts = front["starts"]
    total = front["part"].pages + sum(use.part.pages for use in uses)
    footer = parts.footer_text(
        draft=plan["draft"],
        generated_at=generated_at,
        published_on=plan["published_on"],
        version=version,
        fingerprint=plan["fingerprint"],
    )
    numbers, overlay_seconds = _page_numbers(total)
    footer_line, _pages, seconds = parts.print_overlay(parts.footer_line_html(footer))
    overlay_seconds += seconds
    timings["overlay_seconds"] = round(overlay_seconds, 2)
    with front["part"].file.storage.open(front["part"].file.name, "rb") as handle:
        front_pdf = handle.read()
    joined = parts.join(
        [front_pdf, *pieces],
        page_numbers=numbers,
        footer_line=footer_line,
        links=front["part"].links,
        anchors={anchor: page - 1 for anchor, page in starts.items()},
        title=plan["title"],
        author=plan["front"]["municipality"],
    )
    timings["pypdf_seconds"] = round(joined.seconds, 2)
    since = report.started_at or report.created_at
    printed_here = sum(
        use.part.seconds or 0
        for use in uses
        if use.part.rendered_at and use.part.rendered_at >= since
    )
    rendered = render.RenderedReport(
        pdf=joined.pdf,
        pages=joined.pages,
        title=plan["title"],
        draft=plan["draft"],
        html="",
        seconds=joined.seconds,
        weasyprint_seconds=printed_here + front_seconds + overlay_seconds,
    )
    return rendered, timings


def _front(report, plan, uses, *, generated_at) -> tuple[dict, float]:
    """The front matter for these parts: printed (or found) with each part's first page.

    The table of contents' own length moves every page after it, so the front matter is
    printed again until its page count is the one the page numbers assumed (twice at most in
    practice; the guess is the page count of the last front matter of the same scope, or on a
    new scope an estimate from the number of committees, so that it is printed once).
    """
    from . import parts

    scope_key = f"{report.kind}:{report.occasion_id}:{report.org_unit_id}"
    last = (
        ReportPart.objects.filter(kind=ReportPart.Kind.FRONT, label=scope_key, status="done")
        .order_by("-rendered_at")
        .values_list("pages", flat=True)
        .first()
    )
    front_pages = last or parts.front_pages_guess(len(plan["front"]["committees"]))
    seconds, prints = 0.0, 0
    for _ in range(5):
        starts, page = {}, front_pages + 1
        for use, entry in zip(uses, plan["parts"], strict=True):
            starts[entry["anchor"]] = page
            page += use.part.pages
        arguments = {
            "starts": starts,
            "appendix_page": starts.get("bilaga"),
            "generated_at": generated_at,
        }
        local = timezone.localtime(generated_at).date().isoformat()
        content_hash = parts.part_hash(
            "front",
            {"front": plan["front"], "starts": starts, "date": local},
        )
        part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
        if part is None or not part.file.storage.exists(part.file.name):
            printed = parts.print_html(parts.front_html(plan["front"], **arguments))
            seconds += printed.seconds
            prints += 1
            part = _store_front(content_hash, scope_key, printed)
        if part.pages == front_pages:
            return {"part": part, "starts": starts, "prints": prints}, seconds
        front_pages = part.pages
    raise RuntimeError("Innehållsförteckningens sidantal blev inte stabilt.")


def _page_numbers(pages: int):
    """ "Sida X av Y" for `pages` pages: drawn from one probe page WeasyPrint prints (kept),
    or, should the probe not read as expected, printed for every page (kept per length)."""
    from . import parts

    content_hash = parts.part_hash(ReportPart.Kind.PAGE_NUMBERS, {"probe": parts.NUMBER_PROBE})
    part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
    seconds = 0.0
    if part is not None and part.file.storage.exists(part.file.name):
        with part.file.storage.open(part.file.name, "rb") as handle:
            probe = handle.read()
    else:
        probe, printed_pages, seconds = parts.print_overlay(parts.page_number_probe_html())
        printed = parts.PrintedPart(pdf=probe, pages=printed_pages, seconds=seconds, links=[])
        _store_part(content_hash, ReportPart.Kind.PAGE_NUMBERS, parts.NUMBER_PROBE, printed)
    try:
        return parts.PageNumbers(probe), seconds
    except (ValueError, KeyError, IndexError, TypeError):
        logger.warning("The page-number probe did not read as expected: every page printed")
    pdf, more = _page_numbers_printed(pages)
    return pdf, seconds + more


def _page_numbers_printed(pages: int) -> tuple[bytes, float]:
    from . import parts

    content_hash = parts.part_hash(ReportPart.Kind.PAGE_NUMBERS, {"pages": pages})
    part = ReportPart.objects.filter(content_hash=content_hash, status="done").first()
    if part is not None and part.file.storage.exists(part.file.name):
        with part.file.storage.open(part.file.name, "rb") as handle:
            return handle.read(), 0.0
    pdf, printed_pages, seconds = parts.print_overlay(parts.page_numbers_html(pages))
    printed = parts.PrintedPart(pdf=pdf, pages=printed_pages, seconds=seconds, links=[])
    _store_part(content_hash, ReportPart.Kind.PAGE_NUMBERS, f"{pages} sidor", printed)
    return pdf, seconds


def _store_front(content_hash: str, scope_key: str, printed) -> ReportPart:
    return _store_part(content_hash, ReportPart.Kind.FRONT, scope_key, printed)


def _store_part(content_hash: str, kind: str, label: str, printed) -> ReportPart:
    """A part printed inside the join (front matter, page numbers), stored for the next."""
    part = ReportPart(content_hash=content_hash, kind=kind, label=label)
    name = part.file.storage.save(part_upload_to(part, "part.pdf"), ContentFile(printed.pdf))
    fields = {
        "kind": kind,
        "label": label,
        "status": PartStatus.DONE,
        "file": name,
        "pages": printed.pages,
        "size": len(printed.pdf),
        "seconds": round(printed.seconds, 3),
        "links": printed.links,
        "payload": None,
        "error": "",
        "rendered_at": timezone.now(),
    }
    part, _created = ReportPart.objects.update_or_create(content_hash=content_hash, defaults=fields)
    return part
